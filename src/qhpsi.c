/* qhpsi: the QHPSI helper. Installed setuid qscand, it runs the scanner
   for qmail-queue and only for qmail-queue, as qscand, and reports the
   verdict on fd 1: one letter (C clean, I infected, E error), the action
   and flags digits, text, NUL, reply, NUL, and the spam engines' answer
   when one ran (wire.h).
   Usage (by qmail-queue only): qhpsi QHPSI PATH TIMEOUT RC RN PLUGINDIR SYMB
   with the message on fd 0 and, when open, the envelope on fd 3 (with
   the ABI 3 message fields after the recipients). */

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>

#include "scan/child.h"
#include "scan/helper.h"
#include "scan/wire.h"
#include "queue/paths.h"
#include "policy/policy.h"
#include "scan/scan.h"

#define USAGE "qhpsi QHPSI PATH TIMEOUT RC RN PLUGINDIR SYMB (run by qmail-queue only)"

int main (int argc, char const *const *argv)
{
  struct qhpsi_result r = { .verdict = QHPSI_ERROR }, spam = { .verdict = QHPSI_CLEAN } ;
  scanconf c = { 0 } ;
  unsigned int rc, rn ;
  char *dir ;
  struct stat st ;
  stralloc env = STRALLOC_ZERO ;
  char const **rcpts = 0 ;
  char const *ip ;
  int fields = 0 ;
  PROG = "qhpsi" ;

  /* before helper_become: once real and effective ids are equal,
     paths_init would take QMAILHOME from the caller */
  if (!paths_init()) strerr_diefu1sys(111, "find the qmail home") ;
  if (!helper_become()) strerr_dief1x(100, "only qmail-queue may run qhpsi") ;
  /* after the change of ids, which clears it: a local user who kills his
     qmail-queue takes the helper and the scan with it */
  if (!helper_diewithparent(SIGTERM)) strerr_dief1x(111, "qmail-queue is gone") ;
  /* the signal is not sent when an unprivileged caller's qmail-queue dies,
     but its end of the verdict pipe closes all the same */
  spawn_hangupfd = 1 ;
  if (argc != 8) strerr_dieusage(100, USAGE) ;
  if (!helper_cleanenv()) strerr_diefu1sys(111, "clean the environment") ;
  c.qhpsi = argv[1] ;
  if (!uint0_scan(argv[3], &c.timeout) || !c.timeout || !uint0_scan(argv[4], &rc) || !uint0_scan(argv[5], &rn))
    strerr_dieusage(100, USAGE) ;
  c.rc = rc ; c.rn = rn ; c.symb = argv[7] ;
  if (strchr(argv[6], '/') || !strcmp(argv[6], ".") || !strcmp(argv[6], "..")) strerr_dief1x(100, "bad PLUGINDIR") ;
  /* plugins come only from under the compiled-in home, however asked */
  dir = paths_join(paths_home, "plugins") ;
  if (dir && *argv[6])
  {
    char *sub = paths_join(dir, argv[6]) ;
    free(dir) ;
    dir = sub ;
  }
  if (!dir) strerr_diefu1sys(111, "allocate") ;
  c.plugindir = dir ;
  /* the envelope, for ABI 2 plugins: what qmail-queue wrote, checked anyway */
  if (fcntl(3, F_GETFD) >= 0)
  {
    if (!wire_readenvelope(3, &env, &rcpts, &c.nrcpts, &c.f, &fields)) strerr_diefu1sys(111, "read the envelope") ;
    close(3) ;
    c.sender = env.s + 1 ;
    c.rcpts = rcpts ;
    /* the message fields come when spam engines may run (ABI 3) */
    if (fields) c.spam = &spam ;
  }
  /* set only by qmail-queue's policy from a trusted TCPREMOTEIP */
  ip = getenv("QHPSIREMOTEIP") ;
  if (policy_ipok(ip)) c.remoteip = ip ;

  /* the last resort; the scan itself is cut off at its deadline below */
  alarm(c.timeout + 5) ;
  if (fstat(0, &st) < 0 || !S_ISREG(st.st_mode)) strcpy(r.text, "message is not a regular file") ;
  else helper_scan(&c, argv[2], st.st_size, &r) ;
  if (!wire_report(1, &r, c.spam)) strerr_diefu1sys(111, "report the verdict") ;
  free(dir) ;
  free(rcpts) ;
  stralloc_free(&env) ;
  return 0 ;
}
