/* overlap.c: the queue's fsyncs run beside the scan and beside each other.
   Why: on a journalling file system an fsync is a commit the process
   waits for (0.3 to 0.7 ms each here), the scan of a small message about
   as long, and qmail's order runs them one after the other: write mess,
   scan, sync mess, write and sync intd. Nothing is published before the
   link into todo/, so they need not wait for each other; the link waits
   for all of them.

   The scan's header goes in front of the message (qmail-queue does this
   from 32 KB; below, the copy costs more than it hides), so mess cannot be
   synced before the verdict unless the header is guessed (qhpsi_ahead:
   with a seal key it reads the whole message). So the message is written
   a second time before the scan, as it will be queued if clean (the
   guessed header first), into a mess file of its own, with its intd
   (page cache copies, microseconds), and a thread syncs both while the
   scanner reads the first file, which stays as qmail-queue always wrote
   it (Received line first, no X-QHPSI line).
   When the scan puts in front exactly the guessed lines, the copy is what
   the old order would have queued, byte for byte; otherwise the copy is
   rewritten from the scanned file and synced again (a virus, a tag, a
   forward: the rare case pays). The scanned file is unlinked before the
   link; a crash leaves mess files and an intd that qmail-send's cleanup
   removes, as after any crash before the link.
   When the scan reads only its descriptor (plugins), the copy the scanner
   reads is an anonymous file in memory instead, and the mess file itself
   gets the guessed header: no second file's creation and removal in the
   fsync's journal commit, which made the copy a loss for small mail. */

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <skalibs/allreadwrite.h>

#include "queue/overlap.h"
#include "queue/qqexit.h"
#include "queue/thread.h"

static void *syncone (void *fd)
{
  return fsync(*(int *)fd) < 0 ? (void *)1 : 0 ;
}

int overlap_fsync2 (int a, int b)
{
  pthread_t t ;
  void *ra = 0 ;
  int rb ;
  /* without a thread, one after the other: slower, as safe */
  if (!thread_start(&t, &syncone, &a)) return fsync(a) < 0 || fsync(b) < 0 ? QQ_WRITE : 0 ;
  rb = fsync(b) ;
  pthread_join(t, &ra) ;
  return ra || rb < 0 ? QQ_WRITE : 0 ;
}

/* the scanned file's bytes after the header in the copy */
static int copyfrom (queue *to, queue const *from)
{
  char buf[65536] ;
  uint64_t off = 0 ;
  while (off < from->messlen)
  {
    size_t n = from->messlen - off < sizeof buf ? from->messlen - off : sizeof buf ;
    ssize_t r = pread(from->messfd, buf, n, off) ;
    if (r <= 0) return QQ_READ ;
    if (queue_put(to, buf, r)) return QQ_WRITE ;
    off += r ;
  }
  return 0 ;
}

/* Only system calls here, no lock of the C library taken: the scan forks
   and vforks beside this thread, and a child copies the memory as it is
   at that moment. */
static void *work (void *arg)
{
  overlap *o = arg ;
  o->result = queue_syncmess(o->copying ? o->to : o->scan) ;
  return 0 ;
}

/* the copy's intd, in a thread of its own: both written first, both
   synced at once */
static void *workintd (void *arg)
{
  overlap *o = arg ;
  o->intdresult = fsync(o->to->intdfd) < 0 ? QQ_WRITE : 0 ;
  return 0 ;
}

static void begin (overlap *o)
{
  o->result = o->intdresult = 0 ;
  o->running = thread_start(&o->thread, &work, o) ;
  if (!o->running) work(o) ;
  o->running2 = o->copying && thread_start(&o->thread2, &workintd, o) ;
  if (o->copying && !o->running2) workintd(o) ;
}

void overlap_syncbegin (overlap *o, queue *scan)
{
  o->scan = scan ;
  o->copying = o->inmem = 0 ;
  begin(o) ;
}

int overlap_copybegin (overlap *o, queue *scan, size_t headlen, uid_t uid, char const *env, size_t envlen)
{
  int r ;
  o->scan = scan ;
  o->headlen = headlen ;
  o->env = env ;
  o->envlen = envlen ;
  o->copying = 1 ;
  o->inmem = 0 ;
  o->to = &o->copy ;
  o->copy.messfd = -1 ;
  o->copy.intdfd = -1 ;
  o->copy.mademess = o->copy.madeintd = 0 ;
  /* written here, before the scan, which may put its header in front of
     scan's bytes: the copy has them as the scanner sees them */
  r = queue_openmess(&o->copy, scan->pid, scan->start) ;
  if (!r) r = queue_put(&o->copy, o->head, headlen) ;
  if (!r) r = copyfrom(&o->copy, scan) ;
  if (!r) r = queue_makeintd(&o->copy, uid, env, envlen) ;
  if (!r) begin(o) ;
  return r ;
}

int overlap_membegin (overlap *o, queue *q, size_t headlen, uid_t uid, char const *env, size_t envlen)
{
  queue *m = &o->mem ;
  int r ;
  o->scan = m ;
  o->to = q ;
  o->headlen = headlen ;
  o->env = env ;
  o->envlen = envlen ;
  o->copying = o->inmem = 1 ;
  *m = *q ;
  m->mademess = m->madeintd = 0 ;
  m->intdfd = -1 ;
  m->messlen = 0 ;
  m->messfd = memfd_create("qhpsi-scan", MFD_CLOEXEC) ;
  if (m->messfd < 0) { o->copying = o->inmem = 0 ; return QQ_NOMEM ; }
  r = copyfrom(m, q) ;
  if (!r && m->messlen != q->messlen) r = QQ_READ ;
  if (!r) r = queue_prefix(q, o->head, headlen) ;
  if (!r) r = queue_makeintd(q, uid, env, envlen) ;
  if (!r) begin(o) ;
  return r ;
}

int overlap_wait (overlap *o)
{
  if (o->running) pthread_join(o->thread, 0) ;
  if (o->running2) pthread_join(o->thread2, 0) ;
  o->running = o->running2 = 0 ;
  return o->result ? o->result : o->intdresult ;
}

/* Does the scanned file now hold exactly the copy? Compared whole: the
   scan puts lines in front, and may change bytes in place too (a spam
   engine's fields a sender put in are renamed in the file), whatever it
   put in front. Page cache reads: microseconds for 100 KB. */
static int guessed (overlap const *o, uint64_t size)
{
  char a[16384], b[16384] ;
  uint64_t off = 0 ;
  if (size != o->to->messlen) return 0 ;
  while (off < size)
  {
    size_t n = size - off < sizeof a ? size - off : sizeof a ;
    if (pread(o->scan->messfd, a, n, off) != (ssize_t)n || pread(o->to->messfd, b, n, off) != (ssize_t)n || memcmp(a, b, n)) return 0 ;
    off += n ;
  }
  return 1 ;
}

int overlap_settle (overlap *o, char const *env, size_t envlen)
{
  queue *s = o->scan, *c = o->to ;
  struct stat st ;
  int r = 0 ;
  if (fstat(s->messfd, &st) < 0) return QQ_READ ;
  if (!guessed(o, st.st_size))
  {
    /* the scan put other lines in front: the copy becomes what it left */
    s->messlen = st.st_size ;
    c->messlen = 0 ;
    if (lseek(c->messfd, 0, SEEK_SET) < 0 || ftruncate(c->messfd, 0) < 0) return QQ_WRITE ;
    r = copyfrom(c, s) ;
    if (!r) r = queue_syncmess(c) ;
  }
  if (!r && (envlen != o->envlen || memcmp(env, o->env, envlen))) r = queue_rewriteintd(c, env, envlen) ;
  if (r) return r ;
  /* the scanned file is no part of the queue: gone before the link */
  if (o->inmem) { close(s->messfd) ; s->messfd = -1 ; o->inmem = 0 ; return 0 ; }
  if (unlink(s->messfn) < 0) return QQ_MESS ;
  s->mademess = 0 ;
  return 0 ;
}

void overlap_cleanup (overlap *o)
{
  /* in memory, the copy is the caller's own file, which it removes */
  if (o->inmem) { if (o->mem.messfd >= 0) close(o->mem.messfd) ; o->mem.messfd = -1 ; }
  else if (o->copying) queue_cleanup(&o->copy) ;
}
