/* helper.c: privilege handling of the qhpsi helper, kept apart so that the
   whole of what the setuid program does fits on one screen. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper.h"
#include "paths.h"
#include "policy.h"

int helper_become (void)
{
  uid_t euid = geteuid() ;
  gid_t egid = getegid() ;
  uid_t qmailq ;
  if (!paths_privileged()) return 1 ;
  qmailq = paths_uid(USER_QMAILQ) ;
  if (qmailq == (uid_t)-1 || getuid() != qmailq) { errno = EPERM ; return 0 ; }
  if (setresgid(egid, egid, egid) < 0 || setresuid(euid, euid, euid) < 0) return 0 ;
  /* make sure there is no way back */
  if (getuid() != euid || getgid() != egid || (euid && !setuid(0))) { errno = EPERM ; return 0 ; }
  return 1 ;
}

int helper_cleanenv (void)
{
  char const *keep[16] ;
  char const *tmpdir = getenv("QHPSITMPDIR") ;
  unsigned int n = 0 ;
  for (unsigned int i = 0 ; policy_scannervars[i] && n < 16 ; i++)
  {
    char const *v = getenv(policy_scannervars[i]) ;
    keep[i] = v ;
    n = i + 1 ;
  }
  if (clearenv() < 0) return 0 ;
  for (unsigned int i = 0 ; i < n ; i++)
    if (keep[i] && setenv(policy_scannervars[i], keep[i], 1) < 0) return 0 ;
  if (tmpdir && setenv("TMPDIR", tmpdir, 1) < 0) return 0 ;
  return 1 ;
}
