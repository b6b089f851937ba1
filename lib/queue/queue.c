/* queue.c: the queue writes of qmail 1.03's qmail-queue, in its order and
   with its modes (umask 033: files 0644), so qmail-send sees no difference. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/types.h>

#include "queue/paths.h"
#include "queue/qqexit.h"
#include "queue/queue.h"

static int open_excl (char const *fn)
{
  return open(fn, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644) ;
}

/* "dir/[N/]num" as qmail's fmtqfn, N = num % split */
void queue_fnnum (char *s, char const *dir, unsigned long num, int split)
{
  size_t n = strlen(dir) ;
  memcpy(s, dir, n) ;
  if (split)
  {
    n += ulong_fmt(s + n, num % QHPSI_SPLIT) ;
    s[n++] = '/' ;
  }
  n += ulong_fmt(s + n, num) ;
  s[n] = 0 ;
}

/* pid/PID.START.SEQ, opened exclusively; qmail tries sequence numbers 1 to 9 */
static int pidopen (queue *q)
{
  for (unsigned int seq = 1 ; seq < 10 ; seq++)
  {
    size_t n = 4 ;
    int fd ;
    memcpy(q->pidfn, "pid/", 4) ;
    n += ulong_fmt(q->pidfn + n, q->pid) ; q->pidfn[n++] = '.' ;
    n += ulong_fmt(q->pidfn + n, (unsigned long)q->start) ; q->pidfn[n++] = '.' ;
    n += uint_fmt(q->pidfn + n, seq) ; q->pidfn[n] = 0 ;
    fd = open_excl(q->pidfn) ;
    if (fd >= 0) return fd ;
  }
  return -1 ;
}

/* a pid file, linked into mess/ under its inode number, then unlinked */
int queue_openmess (queue *q, unsigned long pid, time_t start)
{
  struct stat st ;
  memset(q, 0, sizeof *q) ;
  q->intdfd = -1 ;
  q->pid = pid ;
  q->start = start ;
  q->messfd = pidopen(q) ;
  if (q->messfd < 0) return QQ_PID ;
  if (fstat(q->messfd, &st) < 0) { unlink(q->pidfn) ; return QQ_PID ; }
  q->messnum = st.st_ino ;
  queue_fnnum(q->messfn, "mess/", q->messnum, 1) ;
  if (link(q->pidfn, q->messfn) < 0) { unlink(q->pidfn) ; return QQ_MESS ; }
  if (unlink(q->pidfn) < 0) { unlink(q->messfn) ; return QQ_PID ; }
  q->mademess = 1 ;
  queue_fnnum(q->intdfn, "intd/", q->messnum, 0) ;
  queue_fnnum(q->todofn, "todo/", q->messnum, 0) ;
  return 0 ;
}

int queue_put (queue *q, char const *s, size_t len)
{
  if (allwrite(q->messfd, s, len) < len) return QQ_WRITE ;
  q->messlen += len ;
  return 0 ;
}

int queue_copyin (queue *q, int fd)
{
  char buf[65536] ;
  for (;;)
  {
    ssize_t r = fd_read(fd, buf, sizeof buf) ;
    if (r < 0) return QQ_READ ;
    if (!r) return 0 ;
    if (queue_put(q, buf, r)) return QQ_WRITE ;
  }
}

/* Moves the message len bytes further into its file, from the tail back,
   then writes prefix in front. The file is not published yet, so a crash
   half-way leaves an orphan that qmail-send's cleanup removes; and no new
   name is needed, which keeps the common case to two writes. */
int queue_prefix (queue *q, char const *prefix, size_t len)
{
  char buf[65536] ;
  uint64_t end = q->messlen ;
  while (end)
  {
    size_t n = end < sizeof buf ? end : sizeof buf ;
    off_t from = end - n ;
    if (pread(q->messfd, buf, n, from) != (ssize_t)n) return QQ_WRITE ;
    if (pwrite(q->messfd, buf, n, from + len) != (ssize_t)n) return QQ_WRITE ;
    end = from ;
  }
  if (pwrite(q->messfd, prefix, len, 0) != (ssize_t)len) return QQ_WRITE ;
  q->messlen += len ;
  return 0 ;
}

int queue_syncmess (queue *q)
{
  return fsync(q->messfd) < 0 ? QQ_WRITE : 0 ;
}

void queue_writeback (queue *q)
{
  if (sync_file_range(q->messfd, 0, 0, SYNC_FILE_RANGE_WRITE) < 0) { /* the fsync still comes */ }
}

int queue_makeintd (queue *q, uid_t uid, char const *env, size_t envlen)
{
  char head[2 + UINT64_FMT + 2 + UINT64_FMT] ;
  size_t n = 0 ;
  int fd = open_excl(q->intdfn) ;
  if (fd < 0) return QQ_INTD ;
  q->madeintd = 1 ;
  q->intdfd = fd ;
  head[n++] = 'u' ; n += ulong_fmt(head + n, uid) ; head[n++] = 0 ;
  head[n++] = 'p' ; n += ulong_fmt(head + n, q->pid) ; head[n++] = 0 ;
  q->intdenv = n ;
  if (allwrite(fd, head, n) < n || allwrite(fd, env, envlen) < envlen) return QQ_WRITE ;
  return 0 ;
}

int queue_syncintd (queue *q)
{
  int r = fsync(q->intdfd) < 0 ? QQ_WRITE : 0 ;
  close(q->intdfd) ;
  q->intdfd = -1 ;
  return r ;
}

int queue_writeintd (queue *q, uid_t uid, char const *env, size_t envlen)
{
  int r = queue_makeintd(q, uid, env, envlen) ;
  if (r && q->intdfd >= 0) { close(q->intdfd) ; q->intdfd = -1 ; }
  return r ? r : queue_syncintd(q) ;
}

int queue_rewriteintd (queue *q, char const *env, size_t envlen)
{
  if (q->intdfd < 0) q->intdfd = open(q->intdfn, O_RDWR | O_CLOEXEC) ;
  if (q->intdfd < 0) return QQ_INTD ;
  if (ftruncate(q->intdfd, q->intdenv) < 0
   || pwrite(q->intdfd, env, envlen, q->intdenv) != (ssize_t)envlen)
  {
    close(q->intdfd) ;
    q->intdfd = -1 ;
    return QQ_WRITE ;
  }
  return queue_syncintd(q) ;
}

int queue_publish (queue *q)
{
  int fd ;
  if (link(q->intdfn, q->todofn) < 0) return QQ_TODO ;
  /* qmail-send may not be running: the trigger is best effort and never blocks */
  fd = open("lock/trigger", O_WRONLY | O_NONBLOCK | O_CLOEXEC) ;
  if (fd >= 0)
  {
    if (write(fd, "", 1) < 0) { /* nobody listening; qmail-send scans todo anyway */ }
    close(fd) ;
  }
  return 0 ;
}

void queue_cleanup (queue *q)
{
  if (q->intdfd >= 0) { close(q->intdfd) ; q->intdfd = -1 ; }
  if (q->madeintd)
  {
    if (unlink(q->intdfn) < 0) return ;
  }
  if (q->mademess && q->messfd >= 0)
  {
    if (ftruncate(q->messfd, 0) < 0) { }
    if (unlink(q->messfn) < 0) return ;
  }
}
