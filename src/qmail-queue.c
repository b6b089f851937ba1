/* qmail-queue: queues one message as qmail 1.03's qmail-queue does, and
   scans it with QHPSI first when so configured. Message on fd 0, envelope
   on fd 1; speaks in exit codes (qqexit.h, qmail-queue(8)). */

#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <skalibs/buffer.h>

#include "qhpsi.h"
#include "queue/envelope.h"
#include "queue/paths.h"
#include "queue/qqexit.h"
#include "queue/queue.h"
#include "queue/received.h"

#define DEATH 86400 /* as qmail: must stay below qmail-send's 36-hour OSSIFIED */

static queue q = { .messfd = -1 } ;

static void die (int e)
{
  queue_cleanup(&q) ;
  _exit(e) ;
}

/* "thou shalt not clean up here", as qmail says: just go */
static void sigalrm (int sig) { (void)sig ; _exit(QQ_TIMEOUT) ; }
static void sigbug (int sig) { (void)sig ; _exit(QQ_BUG) ; }

static void signals (void)
{
  /* as qmail: stray signals are ignored, crashes are exit 81 */
  static int const ignored[] = { SIGPIPE, SIGHUP, SIGINT, SIGQUIT, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF } ;
  static int const bugs[] = { SIGILL, SIGABRT, SIGFPE, SIGBUS, SIGSEGV, SIGSYS } ;
  struct sigaction sa = { .sa_handler = SIG_IGN } ;
  sigset_t none ;
  sigemptyset(&none) ;
  sigprocmask(SIG_SETMASK, &none, 0) ;
  for (unsigned int i = 0 ; i < sizeof ignored / sizeof *ignored ; i++) sigaction(ignored[i], &sa, 0) ;
  sa.sa_handler = sigalrm ;
  sigaction(SIGALRM, &sa, 0) ;
  sa.sa_handler = sigbug ;
  for (unsigned int i = 0 ; i < sizeof bugs / sizeof *bugs ; i++) sigaction(bugs[i], &sa, 0) ;
}

int main (void)
{
  static envelope env = ENVELOPE_ZERO ;
  char buf[256] ;
  char received[RECEIVED_MAX] ;
  size_t receivedlen ;
  buffer envin = BUFFER_INIT(&buffer_read, 1, buf, sizeof buf) ;
  char const *e ;
  size_t elen ;
  qusers users ;
  uid_t uid = getuid() ;
  unsigned long pid = getpid() ;
  time_t start = time(0) ;
  int r ;

  signals() ;
  /* with fd 0 or 1 closed, the pid file would take its place and be read
     as the message or the envelope */
  if (fcntl(0, F_GETFD) < 0 || fcntl(1, F_GETFD) < 0) _exit(QQ_READ) ;
  umask(033) ;
  if (!paths_init()) die(QQ_NOMEM) ;
  if (chdir(paths_home) < 0) die(QQ_HOME) ;
  r = qhpsi_init(paths_home, paths_queue, uid) ;
  if (r != QHPSI_GOON) die(r) ;
  if (chdir(paths_queue) < 0) die(QQ_QUEUE) ;
  qusers_init(&users, uid) ;
  receivedlen = received_fmt(received, pid, uid, &users, start) ;
  alarm(DEATH) ;

  r = queue_openmess(&q, pid, start) ;
  if (!r) r = queue_put(&q, received, receivedlen) ;
  if (!r) r = queue_copyin(&q, 0) ;
  if (r) die(r) ;
  r = envelope_read(&envin, &env) ;
  /* a refused envelope is a message too: it gets its log line */
  if (r) die(qhpsi_envelopeerror(r, q.messfd, pid, env.sa.s, env.sa.len)) ;
  /* the scan sees the message as it will be queued; nothing is published
     yet. Through the public API, the one a patched qmail uses. */
  e = env.sa.s ;
  elen = env.sa.len ;
  r = qhpsi_scan(q.messfd, q.messfn, pid, &e, &elen) ;
  if (r != QHPSI_GOON) die(r) ;
  r = queue_syncmess(&q) ;
  if (!r) r = queue_writeintd(&q, uid, e, elen) ;
  if (!r) r = queue_publish(&q) ;
  if (r) die(r) ;
  _exit(QQ_OK) ;
}
