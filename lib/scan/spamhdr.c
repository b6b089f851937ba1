/* spamhdr.c: the spam header fields (spamhdr.h). What a plugin asks for
   is checked here once, in qmail-queue and in the helper alike; what is
   written is folded only at blanks already there, so that DKIM's relaxed
   canonicalization (and any unfolding reader) sees the plugin's bytes. */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <skalibs/stralloc.h>

#include "scan/spamhdr.h"

static char const *const exact[] =
{
  "DKIM-Signature", "ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results",
  "Authentication-Results", "X-Spam-Report", 0
} ;
static char const rspamd[] = "X-Rspamd-" ;

int spamhdr_allowed (char const *name, size_t len)
{
  for (unsigned int i = 0 ; exact[i] ; i++)
    if (strlen(exact[i]) == len && !strncasecmp(name, exact[i], len)) return 1 ;
  return len > sizeof rspamd - 1 && !strncasecmp(name, rspamd, sizeof rspamd - 1) ;
}

static int bad (char const **why, char const *s)
{
  *why = s ;
  return 0 ;
}

int spamhdr_check (char const *s, char const **why)
{
  unsigned int n = 0 ;
  while (*s)
  {
    char const *e = strchr(s, '\n'), *q = s ;
    if (++n > SPAMHDR_FIELDS) return bad(why, "too many header fields") ;
    if (!e) return bad(why, "header field without a newline") ;
    if ((size_t)(e - s) + 1 > SPAMHDR_FIELDMAX) return bad(why, "header field too long") ;
    if (*s == ' ' || *s == '\t') return bad(why, "LF inside a header field") ;
    for (; q < e && *q != ':' ; q++)
      if (*q == '\r') return bad(why, "CR in a header field") ;
      else if (*q <= ' ' || *q > '~') return bad(why, "bad header field name") ;
    if (q == s || q == e) return bad(why, "header field without a name") ;
    if (!spamhdr_allowed(s, q - s)) return bad(why, "header field not allowed") ;
    for (q++ ; q < e ; q++)
    {
      unsigned char c = *q ;
      if (c == '\r') return bad(why, "CR in a header field") ;
      if ((c < ' ' && c != '\t') || c > '~') return bad(why, "control byte in a header field") ;
    }
    s = e + 1 ;
  }
  return 1 ;
}

int spamhdr_testsok (char const *t)
{
  return strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-,") == strlen(t) ;
}

static int blank (char c) { return c == ' ' || c == '\t' ; }

/* where the line from start may end: the last blank within SPAMHDR_LINE
   bytes, else the first blank after; a blank with something but blanks
   between the colon or the line's start and it, and after it in the
   field. 0 when there is none. */
static size_t breakat (char const *f, size_t start, size_t colon, size_t last)
{
  size_t b = 0, i = start + 1 ;
  int seen = 0 ;
  for (; i < last ; i++)
  {
    if (!blank(f[i])) { seen |= i > colon ; continue ; }
    if (i <= colon || !seen) continue ;
    if (i - start > SPAMHDR_LINE && b) break ;
    b = i ;
    if (i - start > SPAMHDR_LINE) break ;
  }
  return b ;
}

int spamhdr_fold (stralloc *out, char const *f, size_t len)
{
  char const *c = memchr(f, ':', len) ;
  size_t colon = c ? (size_t)(c - f) : len, last = len, start = 0 ;
  while (last && blank(f[last - 1])) last-- ;
  while (len - start > SPAMHDR_LINE)
  {
    size_t b = breakat(f, start, colon, last) ;
    if (!b) break ;
    if (!stralloc_catb(out, f + start, b - start) || !stralloc_catb(out, "\n", 1)) return 0 ;
    start = b ;
  }
  return stralloc_catb(out, f + start, len - start) && stralloc_catb(out, "\n", 1) ;
}

char *spamhdr_score (char *buf, int32_t t)
{
  int64_t a = t < 0 ? -(int64_t)t : t, tenths = (a + 50) / 100 ;
  snprintf(buf, 16, "%s%lld.%lld", t < 0 && tenths ? "-" : "", (long long)(tenths / 10), (long long)(tenths % 10)) ;
  return buf ;
}

/* tests=A,B,... as SpamAssassin writes it: folded after a comma, with a
   tab (the list has no blank of its own) */
static int tests (stralloc *hdr, char const *t, size_t col)
{
  if (!*t) return stralloc_cats(hdr, " tests=none\n") ;
  if (!stralloc_cats(hdr, " tests=")) return 0 ;
  col += 7 ;
  while (*t)
  {
    size_t n = strcspn(t, ",") ;
    if (n && col > 8 && col + n > SPAMHDR_LINE && hdr->s[hdr->len - 1] == ',')
    {
      if (!stralloc_catb(hdr, "\n\t", 2)) return 0 ;
      col = 1 ;
    }
    if (!stralloc_catb(hdr, t, n + (t[n] == ','))) return 0 ;
    col += n + (t[n] == ',') ;
    t += n + (t[n] == ',') ;
  }
  return stralloc_catb(hdr, "\n", 1) ;
}

int spamhdr_write (stralloc *hdr, struct qhpsi_result const *r, int flag, int32_t required)
{
  char score[16], req[16] ;
  char const *h = r->headers ;
  size_t start ;
  int stars = r->score > 0 ? r->score / 1000 : 0 ;
  if (stars > SPAMHDR_STARS) stars = SPAMHDR_STARS ;
  spamhdr_score(score, r->score) ;
  if (!stralloc_cats(hdr, flag ? "X-Spam-Flag: YES\n" : "X-Spam-Flag: NO\n")
   || !stralloc_cats(hdr, "X-Spam-Score: ") || !stralloc_cats(hdr, score)
   || !stralloc_cats(hdr, "\nX-Spam-Level:") || (stars && !stralloc_catb(hdr, " ", 1))) return 0 ;
  while (stars--) if (!stralloc_catb(hdr, "*", 1)) return 0 ;
  start = hdr->len + 1 ;
  if (!stralloc_cats(hdr, flag ? "\nX-Spam-Status: Yes, score=" : "\nX-Spam-Status: No, score=")
   || !stralloc_cats(hdr, score)) return 0 ;
  if (required && !(stralloc_cats(hdr, " required=") && stralloc_cats(hdr, spamhdr_score(req, required)))) return 0 ;
  if (!tests(hdr, r->tests, hdr->len - start)) return 0 ;
  while (*h)
  {
    char const *e = strchr(h, '\n') ;
    if (!e) break ;
    if (!spamhdr_fold(hdr, h, e - h)) return 0 ;
    h = e + 1 ;
  }
  return 1 ;
}

int spamhdr_notscored (stralloc *hdr)
{
  return stralloc_cats(hdr, "X-Spam-Status: No, not scored\n") ;
}

/* the names of the fields renamed: a line-anchored match on any of them
   would otherwise find the sender's copy */
static char const *const ours[] =
{
  "X-Spam-Flag", "X-Spam-Score", "X-Spam-Level", "X-Spam-Status", "X-Spam-Report", "X-Rspamd-", 0
} ;
#define PREFIXMAX 16

static int isours (char const *s, size_t n)
{
  for (unsigned int i = 0 ; ours[i] ; i++)
  {
    size_t k = strlen(ours[i]) ;
    if (n >= k && !strncasecmp(s, ours[i], k)) return 1 ;
  }
  return 0 ;
}

int64_t spamhdr_rename (int fd, uint64_t len)
{
  char buf[65536], line[PREFIXMAX] ;
  uint64_t off = 0, lstart = 0 ;
  int64_t renamed = 0 ;
  size_t n = 0 ;
  enum { BOL, NAME, SKIP } st = BOL ;
  while (off < len)
  {
    size_t want = len - off < sizeof buf ? len - off : sizeof buf ;
    ssize_t got = pread(fd, buf, want, off) ;
    if (got < 0) return -1 ;
    if (!got) { errno = EPIPE ; return -1 ; }
    for (ssize_t i = 0 ; i < got ; i++)
    {
      char c = buf[i] ;
      int check = 0 ;
      if (st == BOL)
      {
        /* an empty line ends the header */
        if (c == '\n' || c == '\r') return renamed ;
        if (blank(c)) { st = SKIP ; continue ; }
        st = NAME ; lstart = off + i ; n = 0 ;
      }
      if (st == NAME)
      {
        if (c == '\n') check = 1 ;
        else { line[n++] = c ; check = n == PREFIXMAX ; }
        if (check)
        {
          if (isours(line, n))
          {
            if (pwrite(fd, "_", 1, lstart + 1) != 1) return -1 ;
            renamed++ ;
          }
          st = c == '\n' ? BOL : SKIP ;
        }
        continue ;
      }
      if (c == '\n') st = BOL ;
    }
    off += got ;
  }
  /* a header that ends the file without a newline */
  if (st == NAME && isours(line, n))
  {
    if (pwrite(fd, "_", 1, lstart + 1) != 1) return -1 ;
    renamed++ ;
  }
  return renamed ;
}
