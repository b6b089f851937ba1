/* spamline.c: test driver for spam engine plugins: loads one as qmail-queue
   does, asks it about a file with the ABI 3 message fields given, and
   prints its own answer, before any loader check, as one line:
     spam|ham score=S required=R tests=A,B host=H [action=N]
     error TEXT [host=H]
   with S and R in thousandths. Exits 0 (ham), 1 (spam) or 2 (error). */

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <skalibs/strerr.h>
#include <skalibs/types.h>

#include "scan/plugin.h"

#define USAGE "spamline plugindir plugin file [timeout_ms [user]]"

int main (int argc, char const *const *argv)
{
  plugin p ;
  struct qhpsi_message m ;
  struct qhpsi_result r ;
  struct stat st ;
  char const *err ;
  char const *rcpt = "rcpt@example.org" ;
  uint32_t timeout = 60000 ;
  int fd ;

  PROG = "spamline" ;
  if (argc < 4 || argc > 6) strerr_dieusage(100, USAGE) ;
  if (argc > 4 && !uint320_scan(argv[4], &timeout)) strerr_dieusage(100, USAGE) ;
  if (!plugin_load(&p, argv[1], argv[2], "virusscan", 0, &err))
    strerr_dief4sys(100, "unable to load ", argv[2], ": ", err) ;
  if (!p.p || p.p->abi < 3) strerr_dief2x(100, argv[2], " is no ABI 3 plugin") ;
  fd = open(argv[3], O_RDONLY | O_CLOEXEC) ;
  if (fd < 0) strerr_diefu2sys(100, "open ", argv[3]) ;
  if (fstat(fd, &st) < 0) strerr_diefu2sys(100, "fstat ", argv[3]) ;
  memset(&m, 0, sizeof m) ;
  m.fd = fd ;
  m.size = (uint64_t)st.st_size ;
  m.path = argv[3] ;
  m.timeout_ms = timeout ;
  m.sender = "sender@example.com" ;
  m.rcpts = &rcpt ;
  m.nrcpts = 1 ;
  m.qid = "4242" ;
  m.spamuser = argc > 5 ? argv[5] : 0 ;
  memset(&r, 0, sizeof r) ;
  r.verdict = QHPSI_ERROR ;
  p.p->scan(&m, &r) ;
  r.text[QHPSI_TEXTLEN - 1] = 0 ;
  r.reply[QHPSI_REPLYLEN - 1] = 0 ;
  r.tests[QHPSI_TESTSLEN - 1] = 0 ;
  if (r.verdict == QHPSI_SPAM || r.verdict == QHPSI_CLEAN)
  {
    printf("%s score=%ld required=%ld tests=%s", r.verdict == QHPSI_SPAM ? "spam" : "ham", (long)r.score, (long)r.required, r.tests) ;
    if (!(r.flags & QHPSI_RESULT_SCORED)) printf(" unscored") ;
    if (r.action) printf(" action=%u", (unsigned int)r.action) ;
  }
  else printf("%s %s", r.verdict == QHPSI_ERROR ? "error" : "other", r.text) ;
  if (r.flags & QHPSI_RESULT_SERVER) printf(" host=%s", r.reply) ;
  if (printf("\n") < 0 || fflush(stdout)) strerr_diefu1sys(111, "write to stdout") ;
  plugin_unload(&p) ;
  return r.verdict == QHPSI_CLEAN ? 0 : r.verdict == QHPSI_SPAM ? 1 : 2 ;
}
