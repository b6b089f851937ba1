/* spamrun.c: test driver that loads one plugin as qmail-queue does and
   scans a file with an ABI 3 message (envelope, client IP, queue id, SMTP
   user, settings, outbound flag from the options), printing the whole
   result, one "key=value" line each, control bytes shown as ^X:
   verdict, action, flags, score and required (thousandths), text, reply,
   tests, then the header fields after a line "headers:". The plugin's
   own answer, as it gave it: the loader's checks are not applied.
   Exits 0 clean, 1 infected or spam, 2 error. */

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <skalibs/strerr.h>

#include "scan/plugin.h"

#define USAGE "spamrun [-s sender] [-r rcpt]... [-i ip] [-q qid] [-u user] [-S settings] [-o] [-t timeout_ms] [-n count] plugindir plugin file"

static void shown (char const *key, char const *s, int keeplf)
{
  fputs(key, stdout) ;
  for (; *s ; s++)
  {
    unsigned char c = (unsigned char)*s ;
    if ((c < 0x20 && c != '\t' && !(keeplf && c == '\n')) || c == 0x7f) printf("^%c", c == 0x7f ? '?' : c + '@') ;
    else putchar(c) ;
  }
  putchar('\n') ;
}

static void show (struct qhpsi_result const *r)
{
  static char const *const verdicts[] = { "clean", "infected", "error", "spam" } ;
  static char const *const actions[] = { "default", "refuse", "blackhole", "trap", "back", "tag", "tempfail" } ;
  printf("verdict=%s\n", r->verdict <= QHPSI_SPAM ? verdicts[r->verdict] : "?") ;
  printf("action=%s\n", r->action <= QHPSI_ACTION_TEMPFAIL ? actions[r->action] : "?") ;
  printf("flags=%s%s%s\n", r->flags & QHPSI_RESULT_SCORED ? "scored " : "", r->flags & QHPSI_RESULT_SERVER ? "server " : "",
         r->flags & QHPSI_RESULT_RULE ? "rule " : "") ;
  printf("score=%d required=%d\n", (int)r->score, (int)r->required) ;
  shown("text=", r->text, 0) ;
  shown("reply=", r->reply, 0) ;
  shown("tests=", r->tests, 0) ;
  shown("headers:\n", r->headers, 1) ;
}

int main (int argc, char *const *argv)
{
  plugin p ;
  struct qhpsi_message m = { .sender = "", .nrcpts = 0 } ;
  struct qhpsi_result r ;
  char const *rcpts[64] ;
  struct stat st ;
  char const *err ;
  unsigned long count = 1 ;
  int fd, opt ;

  PROG = "spamrun" ;
  m.timeout_ms = 60000 ;
  m.rcpts = rcpts ;
  while ((opt = getopt(argc, argv, "s:r:i:q:u:S:ot:n:")) != -1)
    switch (opt)
    {
      case 's' : m.sender = optarg ; break ;
      case 'r' : if (m.nrcpts == 64) strerr_dieusage(100, USAGE) ; rcpts[m.nrcpts++] = optarg ; break ;
      case 'i' : m.remoteip = optarg ; break ;
      case 'q' : m.qid = optarg ; break ;
      case 'u' : m.authuser = optarg ; break ;
      case 'S' : m.settings = optarg ; break ;
      case 'o' : m.mflags |= QHPSI_MESSAGE_OUTBOUND ; break ;
      case 't' : m.timeout_ms = (uint32_t)strtoul(optarg, 0, 10) ; break ;
      case 'n' : count = strtoul(optarg, 0, 10) ; break ;
      default : strerr_dieusage(100, USAGE) ;
    }
  if (argc - optind != 3 || !count) strerr_dieusage(100, USAGE) ;
  if (!plugin_load(&p, argv[optind], argv[optind+1], "virusscan", 0, &err))
    strerr_dief4sys(100, "unable to load ", argv[optind+1], ": ", err) ;
  fd = open(argv[optind+2], O_RDONLY | O_CLOEXEC) ;
  if (fd < 0 || fstat(fd, &st) < 0) strerr_diefu2sys(100, "open ", argv[optind+2]) ;
  m.fd = fd ;
  m.size = (uint64_t)st.st_size ;
  m.path = argv[optind+2] ;
  while (count--)
  {
    memset(&r, 0, sizeof r) ;
    r.verdict = QHPSI_ERROR ;
    if (p.p) p.p->scan(&m, &r) ;
    else plugin_scan(&p, &m, 1, 0, &r) ;
    r.text[QHPSI_TEXTLEN - 1] = 0 ; r.reply[QHPSI_REPLYLEN - 1] = 0 ;
    r.tests[QHPSI_TESTSLEN - 1] = 0 ; r.headers[QHPSI_HEADERSLEN - 1] = 0 ;
    show(&r) ;
  }
  if (fflush(stdout) || ferror(stdout)) strerr_diefu1sys(111, "write to stdout") ;
  return r.verdict == QHPSI_CLEAN ? 0 : r.verdict == QHPSI_ERROR ? 2 : 1 ;
}
