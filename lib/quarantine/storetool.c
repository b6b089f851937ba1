/* storetool.c: the postmaster's side of the quarantine store. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/buffer.h>
#include <skalibs/stralloc.h>
#include <skalibs/types.h>

#include "queue/xtext.h"
#include "queue/paths.h"
#include "quarantine/store.h"
#include "quarantine/storetool.h"

int storetool_allowed (uid_t uid)
{
  return !uid || uid == paths_uid(USER_QMAILQ) ;
}

int storetool_open (void)
{
  struct stat st ;
  char *dir ;
  int fd, e ;
  if (!paths_init()) return -1 ;
  dir = paths_join(paths_home, "quarantine") ;
  if (!dir) return -1 ;
  fd = store_opendir(dir, 0) ;
  e = errno ;
  free(dir) ;
  if (fd < 0) { errno = e ; return -1 ; }
  if (fstat(fd, &st) < 0) goto err ;
  if ((st.st_mode & 022) || (st.st_uid && st.st_uid != paths_uid(USER_QMAILQ) && st.st_uid != geteuid()))
  {
    errno = EPERM ;
    goto err ;
  }
  return fd ;
 err:
  e = errno ;
  close(fd) ;
  errno = e ;
  return -1 ;
}

/* the plain names of dir under storefd, sorted: IDs begin with the time,
   so this is oldest first */
static int cmp (void const *a, void const *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b) ;
}

static int names (int storefd, char const *sub, stralloc *sa, stralloc *list, size_t *n, int *dirfd)
{
  DIR *d ;
  struct dirent *de ;
  int fd = openat(storefd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), dfd ;
  if (fd < 0) return 0 ;
  dfd = dup(fd) ;
  if (dfd < 0 || !(d = fdopendir(dfd))) { if (dfd >= 0) close(dfd) ; close(fd) ; return 0 ; }
  sa->len = 0 ; list->len = 0 ; *n = 0 ;
  errno = 0 ;
  while ((de = readdir(d)))
  {
    if (de->d_name[0] == '.') continue ;
    if (!stralloc_cats(sa, de->d_name) || !stralloc_0(sa)) goto err ;
    (*n)++ ;
    errno = 0 ;
  }
  if (errno) goto err ;
  closedir(d) ;
  /* offsets become pointers only once sa stops moving */
  if (!stralloc_ready(list, *n * sizeof(char *))) { close(fd) ; return 0 ; }
  {
    char **v = (char **)list->s ;
    size_t i = 0 ;
    for (size_t pos = 0 ; i < *n ; pos += strlen(sa->s + pos) + 1) v[i++] = sa->s + pos ;
    qsort(v, *n, sizeof *v, cmp) ;
  }
  *dirfd = fd ;
  return 1 ;
 err:
  {
    int e = errno ;
    closedir(d) ;
    close(fd) ;
    errno = e ;
  }
  return 0 ;
}

static int token (buffer *b, char const *s)
{
  stralloc sa = STRALLOC_ZERO ;
  int ok ;
  if (!*s) return buffer_puts(b, "-") >= 0 ;
  ok = xtext_cat(&sa, s) && buffer_put(b, sa.s, sa.len) >= 0 ;
  stralloc_free(&sa) ;
  return ok ;
}

static int number (buffer *b, uint64_t u)
{
  char n[UINT64_FMT] ;
  return buffer_put(b, n, uint64_fmt(n, u)) >= 0 ;
}

/* UTC, or with local the local time and its offset: one token either way */
static int date (buffer *b, uint64_t t, int local)
{
  char s[40] ;
  time_t tt = (time_t)t ;
  struct tm tm ;
  size_t n = local ? localtime_r(&tt, &tm) ? strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S%z", &tm) : 0
    : gmtime_r(&tt, &tm) ? strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm) : 0 ;
  return n && buffer_put(b, s, n) >= 0 ;
}

static int match (char const *pattern, char const *s)
{
  return !pattern || !fnmatch(pattern, s, FNM_CASEFOLD) ;
}

static int wanted (storetool_filter const *f, store_entry const *e, struct stat const *st)
{
  uint64_t age = f->now > st->st_mtime ? (uint64_t)(f->now - st->st_mtime) : 0 ;
  int r = 0 ;
  if (f->older && age < f->older) return 0 ;
  if (f->newer && age > f->newer) return 0 ;
  if (!match(f->signature, store_str(e, signature)) || !match(f->sender, store_str(e, sender))) return 0 ;
  if (!f->rcpt) return 1 ;
  for (size_t i = 0 ; i < e->rcpts.len && !r ; i += strlen(e->rcpts.s + i) + 1)
    r = match(f->rcpt, e->rcpts.s + i) ;
  return r ;
}

/* the recipients as one token: xtext, comma-separated, a comma inside
   an address written +2C */
static int rcpts (buffer *b, store_entry const *e)
{
  stralloc sa = STRALLOC_ZERO ;
  int ok = 1 ;
  for (size_t i = 0 ; ok && i < e->rcpts.len ; i += strlen(e->rcpts.s + i) + 1)
  {
    sa.len = 0 ;
    ok = (!i || buffer_puts(b, ",") >= 0) && xtext_cat(&sa, e->rcpts.s + i) ;
    for (size_t j = 0 ; ok && j < sa.len ; j++)
      ok = sa.s[j] == ',' ? buffer_puts(b, "+2C") >= 0 : buffer_put(b, sa.s + j, 1) >= 0 ;
  }
  stralloc_free(&sa) ;
  return ok ;
}

static int line (buffer *b, store_entry const *e, int local)
{
  char const *sender = store_str(e, sender) ;
  return token(b, store_str(e, id)) && buffer_puts(b, " ") >= 0 && date(b, e->time, local)
    && buffer_puts(b, " ") >= 0 && token(b, store_str(e, ip))
    && buffer_puts(b, " ") >= 0 && (*sender ? token(b, sender) : buffer_puts(b, "<>") >= 0)
    && buffer_puts(b, " ") >= 0 && number(b, e->nrcpt)
    && buffer_puts(b, " ") >= 0 && token(b, store_str(e, signature))
    && buffer_puts(b, " ") >= 0 && number(b, e->size)
    && buffer_puts(b, " ") >= 0 && token(b, store_str(e, action))
    && buffer_puts(b, " ") >= 0 && rcpts(b, e)
    && buffer_puts(b, "\n") >= 0 ;
}

int storetool_list (int storefd, storetool_filter const *f, buffer *b, unsigned int *bad)
{
  stralloc sa = STRALLOC_ZERO, list = STRALLOC_ZERO ;
  store_entry e = STORE_ENTRY_ZERO ;
  size_t n ;
  int dirfd, ok = 1 ;
  uint64_t count = 0, bytes = 0 ;
  *bad = 0 ;
  if (!names(storefd, "new", &sa, &list, &n, &dirfd)) return 0 ;
  if (!f->bare && buffer_puts(b, "ID DATE IP SENDER NRCPT SIGNATURE SIZE ACTION RECIPIENTS\n") < 0) ok = 0 ;
  for (size_t i = 0 ; i < n && ok ; i++)
  {
    char const *id = ((char **)list.s)[i] ;
    struct stat st ;
    int fd = store_openentry(dirfd, id, O_RDONLY) ;
    if (fd < 0 || fstat(fd, &st) < 0 || !store_read(fd, &e) || strcmp(store_str(&e, id), id))
    {
      /* gone meanwhile (purged, released) is not bad */
      if (errno != ENOENT) (*bad)++ ;
      if (fd >= 0) close(fd) ;
      continue ;
    }
    close(fd) ;
    if (wanted(f, &e, &st)) { ok = line(b, &e, f->local) ; count++ ; bytes += e.size ; }
  }
  if (ok && !f->bare)
    ok = buffer_puts(b, "total: ") >= 0 && number(b, count) && buffer_puts(b, count == 1 ? " entry, " : " entries, ") >= 0
      && number(b, bytes) && buffer_puts(b, " bytes\n") >= 0 ;
  if (ok && !buffer_flush(b)) ok = 0 ;
  close(dirfd) ;
  store_entry_free(&e) ;
  stralloc_free(&sa) ; stralloc_free(&list) ;
  return ok ;
}

int storetool_entry (int storefd, char const *id, int lock, store_entry *e, int *newfd)
{
  struct stat st ;
  int fd, e2 ;
  *newfd = openat(storefd, "new", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) ;
  if (*newfd < 0) return -1 ;
  fd = store_openentry(*newfd, id, O_RDONLY) ;
  if (fd < 0) goto err ;
  if (lock && flock(fd, LOCK_EX | LOCK_NB) < 0) { if (errno == EWOULDBLOCK) errno = EBUSY ; goto errfd ; }
  /* released or deleted while we waited: the name may be gone */
  if (fstat(fd, &st) < 0) goto errfd ;
  if (!st.st_nlink) { errno = ENOENT ; goto errfd ; }
  if (!store_read(fd, e)) goto errfd ;
  if (strcmp(store_str(e, id), id)) { errno = EPROTO ; goto errfd ; }
  return fd ;
 errfd:
  e2 = errno ; close(fd) ; errno = e2 ;
 err:
  e2 = errno ; close(*newfd) ; *newfd = -1 ; errno = e2 ;
  return -1 ;
}

static int kv (buffer *b, char const *key, char const *value)
{
  return buffer_puts(b, key) >= 0 && buffer_puts(b, ": ") >= 0 && token(b, value) && buffer_puts(b, "\n") >= 0 ;
}

int storetool_show (int storefd, char const *id, int whole, buffer *b)
{
  store_entry e = STORE_ENTRY_ZERO ;
  char buf[8192] ;
  int newfd, fd = storetool_entry(storefd, id, 0, &e, &newfd), ok = 1, e2, nl = 0 ;
  uint64_t left ;
  if (fd < 0) { e2 = errno ; store_entry_free(&e) ; errno = e2 ; return 0 ; }
  close(newfd) ;
  left = e.size ;
  if (!whole)
  {
    ok = kv(b, "id", store_str(&e, id)) && buffer_puts(b, "date: ") >= 0 && date(b, e.time, 0) && buffer_puts(b, "\n") >= 0
      && kv(b, "ip", store_str(&e, ip)) && kv(b, "sender", store_str(&e, sender)) ;
    for (size_t i = 0 ; ok && i < e.rcpts.len ; i += strlen(e.rcpts.s + i) + 1)
      ok = kv(b, "recipient", e.rcpts.s + i) ;
    ok = ok && kv(b, "verdict", store_str(&e, verdict)) && kv(b, "signature", store_str(&e, signature))
      && kv(b, "action", store_str(&e, action)) ;
    if (ok && e.forward) ok = kv(b, "forward", store_str(&e, forward)) ;
    ok = ok && buffer_puts(b, "size: ") >= 0 && number(b, e.size) && buffer_puts(b, "\n\n") >= 0 ;
  }
  /* the header (up to its empty line) with control bytes shown as '?',
     since it came from the sender; or the whole message, as it is */
  while (ok && left)
  {
    ssize_t r = read(fd, buf, left < sizeof buf ? left : sizeof buf) ;
    size_t n ;
    char *end = 0 ;
    if (r <= 0) { ok = 0 ; if (!r) errno = EPROTO ; break ; }
    n = r ;
    left -= n ;
    if (!whole)
    {
      for (size_t i = 0 ; i < n ; i++)
      {
        if (buf[i] == '\n' && nl) { end = buf + i + 1 ; break ; }
        nl = buf[i] == '\n' ;
      }
      if (end) n = end - buf ;
      for (size_t i = 0 ; i < n ; i++)
        if ((unsigned char)buf[i] < ' ' ? buf[i] != '\n' && buf[i] != '\t' : (unsigned char)buf[i] >= 0x7f) buf[i] = '?' ;
    }
    if (buffer_put(b, buf, n) < 0) ok = 0 ;
    if (end) break ;
  }
  if (ok && !buffer_flush(b)) ok = 0 ;
  e2 = errno ;
  close(fd) ;
  store_entry_free(&e) ;
  errno = e2 ;
  return ok ;
}

/* removes what is at least age old in sub; with dry, only names it on b */
static int purgedir (int storefd, char const *sub, uint64_t age, time_t now, int dry, buffer *b, unsigned int *removed)
{
  stralloc sa = STRALLOC_ZERO, list = STRALLOC_ZERO ;
  size_t n ;
  int dirfd, ok = 1 ;
  if (!names(storefd, sub, &sa, &list, &n, &dirfd)) return 0 ;
  for (size_t i = 0 ; i < n ; i++)
  {
    char const *name = ((char **)list.s)[i] ;
    struct stat st ;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) continue ;
    if (S_ISDIR(st.st_mode) || now < st.st_mtime || (uint64_t)(now - st.st_mtime) < age) continue ;
    /* unlinkat removes a symbolic link itself, never what it points to */
    if (!dry && unlinkat(dirfd, name, 0) < 0) { if (errno != ENOENT) ok = 0 ; continue ; }
    if (b && (buffer_puts(b, name) < 0 || buffer_puts(b, "\n") < 0)) ok = 0 ;
    if (removed) (*removed)++ ;
  }
  close(dirfd) ;
  stralloc_free(&sa) ; stralloc_free(&list) ;
  return ok ;
}

int storetool_purge (int storefd, uint64_t age, time_t now, int dry, buffer *b, unsigned int *removed)
{
  *removed = 0 ;
  if (dry) return purgedir(storefd, "new", age, now, 1, b, removed) && (!b || buffer_flush(b)) ;
  return purgedir(storefd, "new", age, now, 0, b, removed) & purgedir(storefd, "tmp", 129600, now, 0, 0, 0)
    && (!b || buffer_flush(b)) ;
}

int storetool_delete (int storefd, char const *id)
{
  store_entry e = STORE_ENTRY_ZERO ;
  int newfd, fd, ok, e2 ;
  if (!store_idok(id)) { errno = EINVAL ; return 0 ; }
  fd = storetool_entry(storefd, id, 1, &e, &newfd) ;
  store_entry_free(&e) ;
  if (fd < 0)
  {
    /* an entry that does not parse can still be deleted */
    if (errno != EPROTO) return 0 ;
    newfd = openat(storefd, "new", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) ;
    if (newfd < 0) return 0 ;
  }
  ok = unlinkat(newfd, id, 0) == 0 ;
  e2 = errno ;
  if (fd >= 0) close(fd) ;
  close(newfd) ;
  errno = e2 ;
  return ok ;
}
