/* qmail-queue: queues one message as qmail 1.03's qmail-queue does, and
   scans it with QHPSI first when so configured. Message on fd 0, envelope
   on fd 1; speaks in exit codes (qqexit.h, qmail-queue(8)). The fsyncs run
   beside the scan and beside each other (lib/queue/overlap.c); the link
   into todo/ comes after all of them, as in qmail. */

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <skalibs/buffer.h>

#include "qhpsi.h"
#include "queue/envelope.h"
#include "queue/overlap.h"
#include "queue/paths.h"
#include "queue/qqexit.h"
#include "queue/queue.h"
#include "queue/received.h"

#define DEATH 86400 /* as qmail: must stay below qmail-send's 36-hour OSSIFIED */

static queue q = { .messfd = -1, .intdfd = -1 } ;
static overlap o ;

static void die (int e)
{
  overlap_wait(&o) ;
  overlap_cleanup(&o) ;
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

/* Both ways return QHPSI_GOON once the message is in todo/, or the exit
   code to leave with after removing what was made (0 for a blackholed
   message). */
static int published (int r) { return r ? r : QHPSI_GOON ; }

/* qmail 1.03's order, one step after the other: what the overlap is
   measured against (QHPSIOVERLAP=0, make bench) */
static int sequential (uid_t uid, unsigned long pid, char const *e, size_t elen)
{
  int r = qhpsi_scan(q.messfd, q.messfn, pid, &e, &elen) ;
  if (r != QHPSI_GOON) return r ;
  r = queue_syncmess(&q) ;
  if (!r) r = queue_writeintd(&q, uid, e, elen) ;
  return published(r ? r : queue_publish(&q)) ;
}

/* The scan beside the disk work. With a guess of the header, the thread
   writes and syncs the message as it will be queued and its intd; else it
   syncs mess while intd is written and synced here, after the scan (which
   may change the envelope). */
/* Where the scan reads the file by its name (a command), the copy is a
   second mess file, and below COPYMIN it costs more than it hides (make
   bench, 4 KB: its creation and removal in the fsync's journal commit,
   against a scan of a millisecond): the scan then comes first, and mess
   and intd are synced at once after it. Where it reads only a descriptor
   (plugins, qhpsi_scansfd), the copy is in memory and costs a copy of the
   bytes: made at every size up to MEMMAX. */
#define COPYMIN 32768
#define MEMMAX (16 << 20)

enum { NOCOPY, FILECOPY, MEMCOPY } ;

static int copying (void)
{
  if (!qhpsi_ahead(q.messfd, 0, 0)) return NOCOPY ;
  if (qhpsi_scansfd() && q.messlen <= MEMMAX) return MEMCOPY ;
  return q.messlen >= COPYMIN ? FILECOPY : NOCOPY ;
}

static int overlapped (uid_t uid, unsigned long pid, envelope const *env)
{
  char const *e = env->sa.s ;
  size_t elen = env->sa.len ;
  int way = copying() ;
  size_t headlen = way != NOCOPY ? qhpsi_ahead(q.messfd, o.head, sizeof o.head) : 0 ;
  struct stat st ;
  int r, rs ;
  if (!headlen && qhpsi_ahead(q.messfd, 0, 0))
  {
    /* a small message scanned by a command: nothing to sync before the verdict */
    r = qhpsi_scan(q.messfd, q.messfn, pid, &e, &elen) ;
    if (r != QHPSI_GOON) return r ;
    r = queue_makeintd(&q, uid, e, elen) ;
    if (!r) r = overlap_fsync2(q.messfd, q.intdfd) ;
    if (!r) r = queue_syncintd(&q) ;
    return published(r ? r : queue_publish(&q)) ;
  }
  if (headlen)
  {
    r = way == MEMCOPY ? overlap_membegin(&o, &q, headlen, uid, e, elen) : overlap_copybegin(&o, &q, headlen, uid, e, elen) ;
    if (r) return r ;
    qhpsi_queuedas(o.to->messnum) ;
  }
  else overlap_syncbegin(&o, &q) ;
  /* in memory, the scan reads the copy; the name is the mess file's */
  r = qhpsi_scan(headlen ? o.scan->messfd : q.messfd, q.messfn, pid, &e, &elen) ;
  if (r != QHPSI_GOON) return r ;
  if (headlen)
  {
    r = overlap_wait(&o) ;
    if (!r) r = overlap_settle(&o, e, elen) ;
    return published(r ? r : queue_publish(o.to)) ;
  }
  r = queue_makeintd(&q, uid, e, elen) ;
  if (!r) r = queue_syncintd(&q) ;
  rs = overlap_wait(&o) ;
  if (!r) r = rs ;
  /* the scan put its header in front after the thread's fsync began */
  if (!r && (fstat(q.messfd, &st) < 0 || (uint64_t)st.st_size != q.messlen)) r = queue_syncmess(&q) ;
  return published(r ? r : queue_publish(&q)) ;
}

int main (void)
{
  static envelope env = ENVELOPE_ZERO ;
  char buf[256] ;
  char received[RECEIVED_MAX] ;
  size_t receivedlen ;
  buffer envin = BUFFER_INIT(&buffer_read, 1, buf, sizeof buf) ;
  char const *x ;
  qusers users ;
  uid_t uid = getuid() ;
  unsigned long pid = getpid() ;
  time_t start = time(0) ;
  int r, old ;

  signals() ;
  /* with fd 0 or 1 closed, the pid file would take its place and be read
     as the message or the envelope */
  if (fcntl(0, F_GETFD) < 0 || fcntl(1, F_GETFD) < 0) _exit(QQ_READ) ;
  umask(033) ;
  if (!paths_init()) die(QQ_NOMEM) ;
  /* like QMAILHOME, only when not set-id; read before qhpsi_init, which
     leaves only the policy's variables */
  x = paths_privileged() ? 0 : getenv("QHPSIOVERLAP") ;
  old = x && !strcmp(x, "0") ;
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
  /* the disk starts on the message while the envelope is read, when no
     scan will run: a scan's header rewrites the file, and a write waits
     for the pages being written back (make bench, 4 KB: +1 ms); and a
     file that only the scanner reads needs no disk at all */
  if (!old && !qhpsi_ahead(q.messfd, 0, 0)) queue_writeback(&q) ;
  r = envelope_read(&envin, &env) ;
  /* a refused envelope is a message too: it gets its log line */
  if (r) die(qhpsi_envelopeerror(r, q.messfd, pid, env.sa.s, env.sa.len)) ;
  /* the scan sees the message as it will be queued, but for the scan's
     own header; nothing is published yet. Through the public API, the
     one a patched qmail uses. */
  r = old ? sequential(uid, pid, env.sa.s, env.sa.len) : overlapped(uid, pid, &env) ;
  if (r != QHPSI_GOON) die(r) ;
  _exit(QQ_OK) ;
}
