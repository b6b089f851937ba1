/* helper.c: the qhpsi helper's privilege handling and its watched scan,
   kept apart so that the whole of what the setuid program does fits on
   one screen. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/stralloc.h>

#include "scan/chain.h"
#include "scan/child.h"
#include "scan/confine.h"
#include "queue/envelope.h"
#include "scan/helper.h"
#include "scan/scan.h"
#include "scan/wire.h"
#include "queue/paths.h"
#include "policy/policy.h"

/* The queue user is the owner of the compiled-in queue/pid, which only it
   may write (qmail-queue creates its files there): one stat, where a
   lookup of the name by getpwnam reads nsswitch.conf and the passwd
   database (a tenth of a millisecond per message). */
static int queueuser (uid_t uid)
{
  struct stat st ;
  char *pid = paths_join(paths_queue, "pid") ;
  int r = pid && !stat(pid, &st) && S_ISDIR(st.st_mode) && st.st_uid == uid ;
  free(pid) ;
  return r ;
}

int helper_become (void)
{
  uid_t euid = geteuid() ;
  gid_t egid = getegid() ;
  if (!paths_privileged()) return 1 ;
  if (!getuid() || !queueuser(getuid())) { errno = EPERM ; return 0 ; }
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

/* the helper's own ending: what it started goes first */
static void sigend (int sig)
{
  (void)sig ;
  /* the scan's init or watcher first, then, round after round, all that
     comes back to us (a subreaper since a chain ran) */
  confine_reap() ;
  _exit(111) ;
}

static void hung (void) { sigend(0) ; }

int helper_diewithparent (int sig)
{
  pid_t parent = getppid() ;
  if (sig != SIGKILL)
  {
    struct sigaction sa = { .sa_handler = sigend } ;
    sigfillset(&sa.sa_mask) ;
    if (sigaction(sig, &sa, 0) < 0 || sigaction(SIGALRM, &sa, 0) < 0) return 0 ;
  }
  if (parent == 1 || prctl(PR_SET_PDEATHSIG, sig) < 0) return 0 ;
  /* the parent may have gone just before the request */
  return getppid() == parent ;
}

void helper_scan (scanconf const *c, char const *path, uint64_t size, struct qhpsi_result *r)
{
  /* a command is confined and waited for with a deadline; a plugin chain
     runs in a copy of the helper, which watches it itself (scan.c): its
     handlers of SIGTERM and SIGALRM and its hangup watch end all it holds */
  chain_selfwatch = 1 ;
  /* a chain of self-contained plugins runs in the helper itself: its
     watchdog ends all it holds the same way */
  chain_hung = &hung ;
  scan_local(c, path, 0, size, 0, r) ;
}
