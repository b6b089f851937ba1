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
#include <sys/wait.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/stralloc.h>

#include "scan/child.h"
#include "queue/envelope.h"
#include "scan/helper.h"
#include "scan/scan.h"
#include "scan/wire.h"
#include "queue/paths.h"
#include "policy/policy.h"

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

/* the helper's own ending: what it started goes first */
static void sigend (int sig)
{
  (void)sig ;
  if (spawn_group > 0) kill(-spawn_group, SIGKILL) ;
  _exit(111) ;
}

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

/* plugins run here, in the helper's own address space, and may do
   anything with signals and alarms: so they run in a child, and the
   helper itself only waits */
static void watched (scanconf const *c, char const *path, uint64_t size, struct qhpsi_result *r)
{
  stralloc out = STRALLOC_ZERO ;
  uint64_t deadline = spawn_now() + (uint64_t)c->timeout * 1000 ;
  int p[2], wstat ;
  pid_t pid ;
  r->verdict = QHPSI_ERROR ;
  if (pipe2(p, O_CLOEXEC) < 0) { strcpy(r->text, "unable to set up the scan") ; return ; }
  pid = fork() ;
  if (pid < 0) { close(p[0]) ; close(p[1]) ; strcpy(r->text, "unable to fork") ; return ; }
  if (!pid)
  {
    close(p[0]) ;
    /* a group of its own, so that what a plugin starts goes with it */
    setpgid(0, 0) ;
    if (!helper_diewithparent(SIGKILL)) _exit(111) ;
    scan_local(c, path, 0, size, 0, r) ;
    _exit(wire_report(p[1], r) ? 0 : 111) ;
  }
  setpgid(pid, pid) ;
  spawn_group = pid ;
  close(p[1]) ;
  switch (spawn_wait(pid, p[0], &out, WIRE_ANSWERMAX, deadline, 1, &wstat))
  {
    case 1 :
      if (!WIFEXITED(wstat) || WEXITSTATUS(wstat) || !wire_parse(out.s, out.len, r))
      {
        r->verdict = QHPSI_ERROR ;
        if (WIFSIGNALED(wstat)) snprintf(r->text, sizeof r->text, "plugin killed by signal %d", WTERMSIG(wstat)) ;
        else strcpy(r->text, "plugin gave no verdict") ;
      }
      break ;
    case 0 : snprintf(r->text, sizeof r->text, "plugin timed out after %u s", c->timeout) ; break ;
    default : strcpy(r->text, "unable to wait for the plugin") ; break ;
  }
  close(p[0]) ;
  stralloc_free(&out) ;
}

void helper_scan (scanconf const *c, char const *path, uint64_t size, struct qhpsi_result *r)
{
  if (scan_isplugin(c->qhpsi)) watched(c, path, size, r) ;
  /* a command runs as a process already, waited for with a deadline */
  else scan_local(c, path, 0, size, 0, r) ;
}
