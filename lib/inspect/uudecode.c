/* uudecode.c: uuencoded files inside a body ("begin 644 name" ... "end"),
   which clamd decodes and scans as files of their own, so the archive
   check must see them too. */

#include <string.h>
#include <skalibs/stralloc.h>

#include "inspect/inspect.h"

/* the line at s[i..) ends at *e (its line break excluded); returns the next */
static size_t line (char const *s, size_t len, size_t i, size_t *e)
{
  char const *nl = memchr(s + i, '\n', len - i) ;
  size_t end = nl ? (size_t)(nl - s) : len ;
  *e = end > i && s[end-1] == '\r' ? end - 1 : end ;
  return nl ? end + 1 : len ;
}

/* "begin", blanks, three or four octal digits, a blank, a name */
static int begins (char const *s, size_t n)
{
  size_t i = 5, k = 0 ;
  if (n < 11 || memcmp(s, "begin ", 6)) return 0 ;
  while (i < n && s[i] == ' ') i++ ;
  for (; i < n && s[i] >= '0' && s[i] <= '7' ; i++) k++ ;
  return (k == 3 || k == 4) && i + 1 < n && s[i] == ' ' ;
}

static unsigned int uu (char c) { return ((unsigned char)c - ' ') & 63 ; }

int inspect_uudecode (char const *s, size_t len, size_t *pos, stralloc *out)
{
  size_t i = *pos, e ;
  int b = 0 ;
  out->len = 0 ;
  while (!b && i < len)
  {
    size_t next = line(s, len, i, &e) ;
    b = begins(s + i, e - i) ;
    i = next ;
  }
  if (!b) { *pos = len ; return 0 ; }
  /* a line gives at most 3 bytes for 4 characters after its first */
  if (!stralloc_readyplus(out, (len - i) / 4 * 3 + 3)) return -1 ;
  while (i < len)
  {
    size_t next = line(s, len, i, &e), n = e - i, k ;
    char const *l = s + i ;
    unsigned int count ;
    if (n == 3 && !memcmp(l, "end", 3)) { i = next ; break ; }
    for (k = 0 ; k < n && l[k] >= ' ' && l[k] <= '`' ; k++) ;
    if (!n || k < n) break ;  /* not a line of the file: it ended */
    i = next ;
    /* what the line says it holds, never more than its characters give */
    count = uu(l[0]) ;
    if (count > (n - 1) * 3 / 4) count = (n - 1) * 3 / 4 ;
    for (size_t j = 1, got = 0 ; got < count ; j += 4)
    {
      unsigned int c[4] ;
      unsigned char o[3] ;
      for (unsigned int q = 0 ; q < 4 ; q++) c[q] = j + q < n ? uu(l[j + q]) : 0 ;
      o[0] = c[0] << 2 | c[1] >> 4 ; o[1] = c[1] << 4 | c[2] >> 2 ; o[2] = c[2] << 6 | c[3] ;
      for (unsigned int q = 0 ; q < 3 && got < count ; q++, got++) out->s[out->len++] = (char)o[q] ;
    }
  }
  *pos = i ;
  return 1 ;
}
