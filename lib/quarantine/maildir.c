/* maildir.c: the quarantine filter's library: finding "X-QHPSI: virus
   found" in a message header, and the Maildir tmp/ -> new/ delivery. */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/stralloc.h>
#include <skalibs/types.h>
#include "quarantine/maildir.h"

/* ---- header scan: a byte-at-a-time automaton, so a header split across
   reads, folded lines and CRLF all need no buffering. Tagged is "virus
   found" (a scanner's signature) or "rule matched" (a content rule). */

enum
{
  HS_LINE = 0,  /* at the start of a header line */
  HS_LINECR,    /* a line started with CR: an empty line if LF follows */
  HS_NAME,      /* matching the field name */
  HS_NAMEWS,    /* blanks between the name and the colon (obsolete syntax) */
  HS_VALUE,     /* matching the value */
  HS_VALUESP,   /* matched the blank inside "virus found", more may follow */
  HS_VALUECR,   /* CR inside the value: a line end if LF follows */
  HS_SKIP,      /* rest of a line that cannot match */
  HS_CLEAN,     /* decided: not tagged */
  HS_TAGGED     /* decided: tagged */
} ;

/* Only the fields above the first Received: field count: qmail-queue puts
   its X-QHPSI line above its own Received line, so whatever a sender wrote
   comes after one. Two names are matched at once, one bit each. */
static char const *const hs_names[2] = { "x-qhpsi", "received" } ;
#define HS_XQHPSI 1u
#define HS_RECEIVED 2u
static char const *const hs_values[2] = { "virus found", "rule matched" } ;
#define HS_ALLVALUES 3u

/* keeps the values whose byte at h->pos is c; 1 if one is left */
static int hs_value (headerscan *h, char c)
{
  for (unsigned int i = 0 ; i < 2 ; i++)
    if (h->values & (1u << i) && hs_values[i][h->pos] != c) h->values &= ~(1u << i) ;
  return h->values != 0 ;
}

/* 1 if a value still matching is whole */
static int hs_valuedone (headerscan const *h)
{
  for (unsigned int i = 0 ; i < 2 ; i++)
    if (h->values & (1u << i) && !hs_values[i][h->pos]) return 1 ;
  return 0 ;
}

static int hs_lower (char c)
{
  return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c ;
}

static int hs_blank (char c)
{
  return c == ' ' || c == '\t' ;
}

/* a line ended inside a value that still matches: a continuation line
   (one starting with a blank) carries on from here */
static void hs_lineend (headerscan *h, unsigned char resume)
{
  h->resume = resume ;
  h->state = HS_LINE ;
}

static void hs_byte (headerscan *h, char c)
{
 again:
  switch (h->state)
  {
    case HS_LINE :
      if (c == '\n') { h->state = HS_CLEAN ; return ; }
      if (c == '\r') { h->state = HS_LINECR ; return ; }
      if (hs_blank(c))
      {
        if (h->resume) { h->state = h->resume ; h->resume = 0 ; goto again ; }
        h->state = HS_SKIP ; return ;
      }
      h->resume = 0 ; h->pos = 0 ; h->names = HS_XQHPSI | HS_RECEIVED ; h->state = HS_NAME ;
      goto again ;
    case HS_LINECR :
      if (c == '\n') { h->state = HS_CLEAN ; return ; }
      h->resume = 0 ; h->state = HS_SKIP ;
      goto again ;
    case HS_NAME :
      if (c == ':' || hs_blank(c))
      {
        /* the name ended: keep the candidate that is whole */
        for (unsigned int i = 0 ; i < 2 ; i++)
          if (h->names & (1u << i) && !hs_names[i][h->pos]) { h->names = 1u << i ; h->state = HS_NAMEWS ; goto again ; }
      }
      else
      {
        for (unsigned int i = 0 ; i < 2 ; i++)
          /* a NUL byte must not match the end of a name */
          if (h->names & (1u << i) && (!hs_names[i][h->pos] || hs_lower(c) != hs_names[i][h->pos]))
            h->names &= ~(1u << i) ;
        if (h->names) { h->pos++ ; return ; }
      }
      h->state = HS_SKIP ;
      goto again ;
    case HS_NAMEWS :
      if (hs_blank(c)) return ;
      if (c == ':')
      {
        if (h->names == HS_RECEIVED) { h->state = HS_CLEAN ; return ; }
        h->pos = 0 ; h->values = HS_ALLVALUES ; h->state = HS_VALUE ; return ;
      }
      h->state = HS_SKIP ;
      goto again ;
    case HS_VALUE :
      if (c == '\n') { hs_lineend(h, HS_VALUE) ; return ; }
      if (c == '\r') { h->resume = HS_VALUE ; h->state = HS_VALUECR ; return ; }
      if (hs_blank(c))
      {
        if (!h->pos) return ;  /* blanks before the value */
        if (hs_value(h, ' ')) { h->pos++ ; h->state = HS_VALUESP ; return ; }
      }
      else if (c && hs_value(h, hs_lower(c)))
      {
        h->pos++ ;
        if (hs_valuedone(h)) h->state = HS_TAGGED ;
        return ;
      }
      h->state = HS_SKIP ;
      return ;
    case HS_VALUESP :
      if (c == '\n') { hs_lineend(h, HS_VALUESP) ; return ; }
      if (c == '\r') { h->resume = HS_VALUESP ; h->state = HS_VALUECR ; return ; }
      if (hs_blank(c)) return ;
      h->state = HS_VALUE ;
      goto again ;
    case HS_VALUECR :
      if (c == '\n') { hs_lineend(h, h->resume) ; return ; }
      h->resume = 0 ; h->state = HS_SKIP ;
      goto again ;
    case HS_SKIP :
      if (c == '\n') { h->resume = 0 ; h->state = HS_LINE ; }
      return ;
    default :
      return ;
  }
}

int headerscan_feed (headerscan *h, char const *s, size_t len)
{
  size_t i = 0 ;
  for (; i < len && h->state != HS_CLEAN && h->state != HS_TAGGED ; i++) hs_byte(h, s[i]) ;
  return h->state == HS_TAGGED ? 1 : h->state == HS_CLEAN ? 0 : -1 ;
}

int header_tagged_virus (char const *s, size_t len)
{
  headerscan h = HEADERSCAN_ZERO ;
  return headerscan_feed(&h, s, len) == 1 ;
}

int message_tagged_virus (int fd, stralloc *head, int *tagged)
{
  headerscan h = HEADERSCAN_ZERO ;
  char buf[8192] ;
  struct stat st ;
  off_t start = -1 ;
  int r = -1 ;
  if (fstat(fd, &st) < 0) return 0 ;
  /* only a regular file can be read twice; a pipe's bytes must be kept */
  if (S_ISREG(st.st_mode))
  {
    start = lseek(fd, 0, SEEK_CUR) ;
    if (start < 0) return 0 ;
  }
  while (r < 0)
  {
    char *p = buf ;
    ssize_t n ;
    if (start < 0)
    {
      if (!stralloc_readyplus(head, sizeof buf)) return 0 ;
      p = head->s + head->len ;
    }
    n = fd_read(fd, p, sizeof buf) ;
    if (n < 0) return 0 ;
    if (!n) break ;
    if (start < 0) head->len += n ;
    r = headerscan_feed(&h, p, n) ;
  }
  if (start >= 0 && lseek(fd, start, SEEK_SET) < 0) return 0 ;
  *tagged = r == 1 ;
  return 1 ;
}

/* ---- Maildir delivery */

/* sa = dir "/" sub name, null-terminated; dir may end in '/' already */
static int maildir_path (stralloc *sa, char const *dir, char const *sub, char const *name)
{
  size_t len = strlen(dir) ;
  sa->len = 0 ;
  return stralloc_catb(sa, dir, len)
    && (len && dir[len - 1] == '/' ? 1 : stralloc_catb(sa, "/", 1))
    && stralloc_catb(sa, sub, strlen(sub))
    && stralloc_catb(sa, name, strlen(name))
    && stralloc_0(sa) ;
}

int maildir_check (char const *dir)
{
  static char const *const subs[3] = { "tmp", "new", "cur" } ;
  stralloc sa = STRALLOC_ZERO ;
  unsigned int i = 0 ;
  for (; i < 3 ; i++)
  {
    struct stat st ;
    if (!maildir_path(&sa, dir, subs[i], "")) goto err ;
    if (stat(sa.s, &st) < 0) goto err ;
    if (!S_ISDIR(st.st_mode)) { errno = ENOTDIR ; goto err ; }
  }
  stralloc_free(&sa) ;
  return 1 ;
 err:
  {
    int e = errno ;
    stralloc_free(&sa) ;
    errno = e ;
  }
  return 0 ;
}

static int cat_u64 (stralloc *sa, char const *before, uint64_t n)
{
  char fmt[UINT64_FMT] ;
  return stralloc_cats(sa, before) && stralloc_catb(sa, fmt, uint64_fmt(fmt, n)) ;
}

/* counts this process's attempts, so two in the same microsecond differ */
static uint64_t maildir_count ;

/* The classic unique name, sec.MusecPpidQn.host, with '/' and ':' in the
   host name escaped as the Maildir convention says. Uniqueness across
   processes rests on the pid and the clock; O_EXCL catches the rest. */
static int maildir_unique (stralloc *sa)
{
  struct timespec ts ;
  char host[256] ;
  char const *p = host ;
  if (clock_gettime(CLOCK_REALTIME, &ts) < 0) return 0 ;
  if (gethostname(host, sizeof host) < 0) return 0 ;
  host[sizeof host - 1] = 0 ;
  if (!host[0]) p = "localhost" ;
  sa->len = 0 ;
  if (!cat_u64(sa, "", (uint64_t)ts.tv_sec)
   || !cat_u64(sa, ".M", (uint64_t)ts.tv_nsec / 1000)
   || !cat_u64(sa, "P", (uint64_t)getpid())
   || !cat_u64(sa, "Q", ++maildir_count)
   || !stralloc_catb(sa, ".", 1)) return 0 ;
  for (; *p ; p++)
  {
    int ok = *p == '/' ? stralloc_cats(sa, "\\057")
           : *p == ':' ? stralloc_cats(sa, "\\072")
           : stralloc_catb(sa, p, 1) ;
    if (!ok) return 0 ;
  }
  return stralloc_0(sa) ;
}

static int write_all (int fd, char const *s, size_t len)
{
  return allwrite(fd, s, len) == len ;
}

static int copy_fd (int to, int from)
{
  char buf[65536] ;
  for (;;)
  {
    ssize_t n = fd_read(from, buf, sizeof buf) ;
    if (n < 0) return 0 ;
    if (!n) return 1 ;
    if (!write_all(to, buf, n)) return 0 ;
  }
}

/* fsync of a directory makes the new/ link survive a crash; some file
   systems cannot do it and say EINVAL, which is no reason to defer mail */
static int sync_dir (char const *path)
{
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
  int e ;
  if (fd < 0) return 0 ;
  if (fsync(fd) == 0 || errno == EINVAL) { close(fd) ; return 1 ; }
  e = errno ;
  close(fd) ;
  errno = e ;
  return 0 ;
}

int maildir_deliver (char const *dir, char const *const *prefix, char const *head, size_t headlen, int fdin, stralloc *name)
{
  stralloc u = STRALLOC_ZERO, tmp = STRALLOC_ZERO, new = STRALLOC_ZERO ;
  unsigned int tries = 0 ;
  int fd ;
  int e ;

  for (;;)
  {
    if (!maildir_unique(&u) || !maildir_path(&tmp, dir, "tmp/", u.s)) goto err ;
    /* mode 0600 as qmail-local's umask 077 gives: mail is private */
    fd = open(tmp.s, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600) ;
    if (fd >= 0) break ;
    if (errno != EEXIST || ++tries >= 10) goto err ;
  }
  if (name && !stralloc_copyb(name, u.s, u.len)) goto errfd ;

  for (; prefix && *prefix ; prefix++)
    if (!write_all(fd, *prefix, strlen(*prefix))) goto errfd ;
  if (headlen && !write_all(fd, head, headlen)) goto errfd ;
  if (!copy_fd(fd, fdin)) goto errfd ;
  if (fsync(fd) < 0) goto errfd ;
  /* NFS and quota failures can show up only at close */
  if (close(fd) < 0) goto errtmp ;

  if (!maildir_path(&new, dir, "new/", u.s)) goto errtmp ;
  if (link(tmp.s, new.s) < 0)
  {
    /* file systems without hard links; the name is unique, so rename
       cannot replace another message */
    if (errno != EPERM && errno != ENOTSUP && errno != ENOSYS) goto errtmp ;
    if (rename(tmp.s, new.s) < 0) goto errtmp ;
  }
  else unlink(tmp.s) ;  /* delivered already; a stale tmp/ file is harmless */

  if (!maildir_path(&tmp, dir, "new", "") || !sync_dir(tmp.s))
  {
    /* not known to be durable: take it back so qmail retries, rather
       than risk a message that a crash would lose */
    e = errno ;
    unlink(new.s) ;
    errno = e ;
    goto err ;
  }
  stralloc_free(&u) ; stralloc_free(&tmp) ; stralloc_free(&new) ;
  return 1 ;

 errfd:
  e = errno ;
  close(fd) ;
  errno = e ;
 errtmp:
  e = errno ;
  unlink(tmp.s) ;
  errno = e ;
 err:
  e = errno ;
  stralloc_free(&u) ; stralloc_free(&tmp) ; stralloc_free(&new) ;
  errno = e ;
  return 0 ;
}
