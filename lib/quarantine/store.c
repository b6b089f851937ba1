/* store.c: the central quarantine's entries: made with the maildir
   protocol by qmail-queue, read back by the postmaster's programs. Every
   name is opened under a directory fd, never through a symbolic link. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/stralloc.h>
#include <skalibs/types.h>

#include "queue/xtext.h"
#include "quarantine/store.h"

void store_mkid (char *id, unsigned long pid, unsigned long messnum)
{
  struct timespec ts ;
  size_t n = 0 ;
  clock_gettime(CLOCK_REALTIME, &ts) ;
  n += uint64_fmt(id + n, (uint64_t)ts.tv_sec) ; id[n++] = '.' ;
  /* six digits: names then sort in time order */
  n += uint640_fmt(id + n, (uint64_t)ts.tv_nsec / 1000, 6) ; id[n++] = '.' ;
  n += ulong_fmt(id + n, pid) ; id[n++] = '.' ;
  n += ulong_fmt(id + n, messnum) ;
  id[n] = 0 ;
}

int store_idok (char const *s)
{
  size_t n = strlen(s) ;
  if (!n || n >= STORE_IDMAX || s[0] == '.') return 0 ;
  return strspn(s, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ._-") == n ;
}

static int line (stralloc *sa, char const *key, char const *value, int xtext)
{
  if (!stralloc_cats(sa, key) || !stralloc_catb(sa, "=", 1)) return 0 ;
  if (!value) value = "" ;
  if (xtext ? !xtext_cat(sa, value) : !stralloc_cats(sa, value)) return 0 ;
  return stralloc_catb(sa, "\n", 1) ;
}

static int number (stralloc *sa, char const *key, uint64_t u)
{
  char n[UINT64_FMT] ;
  n[uint64_fmt(n, u)] = 0 ;
  return line(sa, key, n, 0) ;
}

static int block (stralloc *sa, store_meta const *m, uint64_t size)
{
  envelope const *e = m->env ;
  if (!stralloc_cats(sa, STORE_MAGIC) || !line(sa, "id", m->id, 1) || !number(sa, "time", m->time)
   || !line(sa, "ip", m->ip, 1) || !line(sa, "sender", envelope_sender(e), 1)) return 0 ;
  for (size_t i = e->rcptpos ; i < e->sa.len ; i += strlen(e->sa.s + i) + 1)
    if (!line(sa, "rcpt", e->sa.s + i + 1, 1)) return 0 ;
  if (!line(sa, "verdict", m->verdict, 1) || !line(sa, "signature", m->signature, 1)
   || !line(sa, "action", m->action, 1)) return 0 ;
  if (m->forward && !line(sa, "forward", m->forward, 1)) return 0 ;
  /* last, so that a reader knows where the message ends */
  return number(sa, "size", size) && stralloc_catb(sa, "\n", 1) ;
}

static int copyfrom (int to, int from, uint64_t len)
{
  char buf[65536] ;
  uint64_t off = 0 ;
  while (off < len)
  {
    size_t n = len - off < sizeof buf ? len - off : sizeof buf ;
    ssize_t r = pread(from, buf, n, off) ;
    if (r < 0) return 0 ;
    if (!r) { errno = EPIPE ; return 0 ; }
    if (allwrite(to, buf, r) < (size_t)r) return 0 ;
    off += r ;
  }
  return 1 ;
}

/* some file systems cannot fsync a directory and say EINVAL */
static int syncdir (int fd)
{
  return fsync(fd) == 0 || errno == EINVAL ;
}

int store_put (char const *dir, store_meta const *m, char const *hdr, size_t hdrlen, int fd, uint64_t len)
{
  stralloc sa = STRALLOC_ZERO ;
  int dirfd = -1, tmpfd = -1, newfd = -1, out = -1, e ;
  int made = 0, linked = 0 ;

  if (!store_idok(m->id)) { errno = EINVAL ; return 0 ; }
  if (!block(&sa, m, hdrlen + len)) goto err ;
  dirfd = store_opendir(dir, 0) ;
  if (dirfd < 0) goto err ;
  tmpfd = openat(dirfd, "tmp", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) ;
  if (tmpfd < 0) goto err ;
  newfd = openat(dirfd, "new", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) ;
  if (newfd < 0) goto err ;
  out = openat(tmpfd, m->id, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600) ;
  if (out < 0) goto err ;
  made = 1 ;
  if (allwrite(out, sa.s, sa.len) < sa.len) goto err ;
  if (hdrlen && allwrite(out, hdr, hdrlen) < hdrlen) goto err ;
  if (!copyfrom(out, fd, len)) goto err ;
  if (fsync(out) < 0) goto err ;
  /* quota and NFS errors may show up only at close */
  e = close(out) ; out = -1 ;
  if (e < 0) goto err ;
  /* complete and on disk before it has a name in new/: a crash until
     here leaves a tmp/ file at most */
  if (linkat(tmpfd, m->id, newfd, m->id, 0) < 0) goto err ;
  linked = 1 ;
  unlinkat(tmpfd, m->id, 0) ;
  made = 0 ;
  if (!syncdir(newfd)) goto err ;
  close(newfd) ; close(tmpfd) ; close(dirfd) ;
  stralloc_free(&sa) ;
  return 1 ;

 err:
  e = errno ;
  if (out >= 0) close(out) ;
  /* not known to be durable: the caller answers with a temporary failure,
     so the entry must go or the retry would make a second one */
  if (linked) unlinkat(newfd, m->id, 0) ;
  if (made) unlinkat(tmpfd, m->id, 0) ;
  if (newfd >= 0) close(newfd) ;
  if (tmpfd >= 0) close(tmpfd) ;
  if (dirfd >= 0) close(dirfd) ;
  stralloc_free(&sa) ;
  errno = e ;
  return 0 ;
}

int store_opendir (char const *dir, char const *sub)
{
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), sfd, e ;
  if (fd < 0 || !sub) return fd ;
  sfd = openat(fd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) ;
  e = errno ;
  close(fd) ;
  errno = e ;
  return sfd ;
}

int store_openentry (int dirfd, char const *id, int flags)
{
  struct stat st ;
  int fd ;
  if (!store_idok(id)) { errno = EINVAL ; return -1 ; }
  fd = openat(dirfd, id, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) ;
  if (fd < 0) return -1 ;
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
  {
    close(fd) ;
    errno = EPROTO ;
    return -1 ;
  }
  return fd ;
}

static int hexval (char c)
{
  return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1 ;
}

int store_xtextdecode (stralloc *sa, char const *s, size_t len)
{
  for (size_t i = 0 ; i < len ; i++)
  {
    char c = s[i] ;
    /* xtext is printable; and no address holds a NUL, which would end
       the value early when read back */
    if (c <= ' ' || c > '~') { errno = EPROTO ; return 0 ; }
    if (c == '+')
    {
      int hi = i + 2 < len ? hexval(s[i+1]) : -1, lo = hi >= 0 ? hexval(s[i+2]) : -1 ;
      if (lo < 0 || !(hi | lo)) { errno = EPROTO ; return 0 ; }
      c = (char)(hi << 4 | lo) ;
      i += 2 ;
    }
    if (!stralloc_catb(sa, &c, 1)) return 0 ;
  }
  return 1 ;
}

/* one decoded value into e->sa; its offset in *off */
static int field (store_entry *e, size_t *off, char const *v, size_t len)
{
  *off = e->sa.len ;
  return store_xtextdecode(&e->sa, v, len) && stralloc_0(&e->sa) ;
}

static int num (char const *v, size_t len, uint64_t *u)
{
  return len && uint64_scan(v, u) == len ;
}

#define BLOCKMAX (16 << 20)

int store_read (int fd, store_entry *e)
{
  stralloc b = STRALLOC_ZERO ;
  struct stat st ;
  char *end = 0 ;
  size_t pos, magic = sizeof STORE_MAGIC - 1 ;
  unsigned int seen = 0 ;
  enum { ID = 1, TIME = 2, SENDER = 4, VERDICT = 8, ACTION = 16, SIZE = 32 } ;

  e->sa.len = 0 ; e->rcpts.len = 0 ; e->nrcpt = 0 ;
  if (!stralloc_0(&e->sa)) return 0 ;  /* offset 0: the empty string */
  e->id = e->ip = e->sender = e->verdict = e->signature = e->action = e->forward = 0 ;
  if (lseek(fd, 0, SEEK_SET) < 0) return 0 ;
  while (!end)
  {
    ssize_t r ;
    if (b.len > BLOCKMAX || !stralloc_readyplus(&b, 4096)) goto proto ;
    r = read(fd, b.s + b.len, 4096) ;
    if (r < 0) goto err ;
    if (!r) goto proto ;
    b.len += r ;
    if (b.len >= 2) end = memmem(b.s, b.len, "\n\n", 2) ;
  }
  if (b.len < magic || memcmp(b.s, STORE_MAGIC, magic)) goto proto ;
  e->offset = end - b.s + 2 ;
  for (pos = magic ; pos < (size_t)(end - b.s) + 1 ; )
  {
    char *l = b.s + pos, *nl = memchr(l, '\n', b.len - pos), *eq ;
    size_t kl, vl ;
    char const *v ;
    int ok = 1 ;
    eq = memchr(l, '=', nl - l) ;
    if (!eq) goto proto ;
    kl = eq - l ; v = eq + 1 ; vl = nl - v ;
#define KEY(k) (kl == sizeof k - 1 && !memcmp(l, k, kl))
    if (KEY("id")) { ok = field(e, &e->id, v, vl) ; seen |= ID ; }
    else if (KEY("time")) { ok = num(v, vl, &e->time) ; seen |= TIME ; }
    else if (KEY("ip")) ok = field(e, &e->ip, v, vl) ;
    else if (KEY("sender")) { ok = field(e, &e->sender, v, vl) ; seen |= SENDER ; }
    else if (KEY("rcpt"))
    {
      ok = store_xtextdecode(&e->rcpts, v, vl) && stralloc_0(&e->rcpts) ;
      e->nrcpt++ ;
    }
    else if (KEY("verdict")) { ok = field(e, &e->verdict, v, vl) ; seen |= VERDICT ; }
    else if (KEY("signature")) ok = field(e, &e->signature, v, vl) ;
    else if (KEY("action")) { ok = field(e, &e->action, v, vl) ; seen |= ACTION ; }
    else if (KEY("forward")) ok = field(e, &e->forward, v, vl) ;
    else if (KEY("size")) { ok = num(v, vl, &e->size) ; seen |= SIZE ; }
    /* unknown keys are for later versions of the format: skipped */
#undef KEY
    if (!ok) goto proto ;
    pos = nl - b.s + 1 ;
  }
  if (seen != (ID | TIME | SENDER | VERDICT | ACTION | SIZE) || !e->nrcpt) goto proto ;
  if (!store_idok(store_str(e, id))) goto proto ;
  if (fstat(fd, &st) < 0) goto err ;
  if ((uint64_t)st.st_size != e->offset + e->size) goto proto ;
  if (lseek(fd, e->offset, SEEK_SET) < 0) goto err ;
  stralloc_free(&b) ;
  return 1 ;
 proto:
  errno = EPROTO ;
 err:
  {
    int x = errno ;
    stralloc_free(&b) ;
    errno = x ;
  }
  return 0 ;
}

void store_entry_free (store_entry *e)
{
  stralloc_free(&e->sa) ;
  stralloc_free(&e->rcpts) ;
}
