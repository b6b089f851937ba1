/* uuencode.c: uuencoded files in a text body ("begin MODE NAME", lines,
   "end"; sharutils' "begin-base64 MODE NAME" to "===="), which mail readers
   show as attachments: their names, and what those that are zips or TNEF
   hold. A block without its end, or with a line that is not of its
   encoding, is unchecked: a reader may make of it more than the walk. */

#include <string.h>
#include <skalibs/stralloc.h>
#include "mime/mime.h"
#include "mime/mimewalk.h"

/* the line t[i..n): *ce the end of its content (before CR LF); returns
   where the next starts */
static size_t uuline (char const *t, size_t i, size_t n, size_t *ce)
{
  char const *nl = memchr(t + i, '\n', n - i) ;
  size_t le = nl ? (size_t)(nl - t) : n ;
  *ce = le > i && t[le-1] == '\r' ? le - 1 : le ;
  return nl ? le + 1 : n ;
}

/* "begin MODE NAME" (1) or "begin-base64 MODE NAME" (2) at t[i..ce), MODE
   octal: which, and *name where the name starts; 0 if the line is not one */
static int begin (char const *t, size_t i, size_t ce, size_t *name)
{
  int kind = 1 ;
  size_t k = i + 5, d ;
  if (ce - i < 5 || memcmp(t + i, "begin", 5)) return 0 ;
  if (ce - k >= 7 && !memcmp(t + k, "-base64", 7)) { kind = 2 ; k += 7 ; }
  if (k == ce || !mime_isblank(t[k])) return 0 ;
  while (k < ce && mime_isblank(t[k])) k++ ;
  for (d = k ; k < ce && t[k] >= '0' && t[k] <= '7' ; k++) ;
  if (k == d || k - d > 4 || k == ce || !mime_isblank(t[k])) return 0 ;
  while (k < ce && mime_isblank(t[k])) k++ ;
  if (k == ce) return 0 ;
  *name = k ;
  return kind ;
}

static int b64char (char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=' ;
}

/* The data lines of a block of kind from t[i]: returns where they end (the
   end line, or the first line that is not data, or n). *after: where the
   text goes on after the end line; *ok: the end line was found. */
static size_t lines (char const *t, size_t i, size_t n, int kind, size_t *after, int *ok)
{
  *ok = 0 ;
  while (i < n)
  {
    size_t ce, next = uuline(t, i, n, &ce), e = ce, k ;
    while (e > i && mime_isblank(t[e-1])) e-- ;
    if (kind == 1 ? e - i == 3 && !memcmp(t + i, "end", 3) : e - i == 4 && !memcmp(t + i, "====", 4))
    { *after = next ; *ok = 1 ; return i ; }
    /* uuencode: ' ' to '`' (a length, then the data); base64: its alphabet */
    for (k = i ; k < ce ; k++)
      if (kind == 1 ? t[k] < 0x20 || t[k] > 0x60 : !b64char(t[k])) return i ;
    i = next ;
  }
  return n ;
}

/* appends the uuencoded lines t[i..e) decoded to sa, at most max bytes;
   short lines (mailers strip trailing blanks) read as if padded */
static int uudecode (stralloc *sa, char const *t, size_t i, size_t e, size_t max)
{
  while (i < e && sa->len < max)
  {
    size_t ce, next = uuline(t, i, e, &ce) ;
    if (ce > i)
    {
      size_t want = (size_t)((t[i] - 0x20) & 63), k = i + 1, got = 0 ;
      if (want > max - sa->len) want = max - sa->len ;
      if (!stralloc_readyplus(sa, want)) return 0 ;
      for (; got < want ; k += 4)
      {
        unsigned char c[4], o[3] ;
        for (unsigned int j = 0 ; j < 4 ; j++) c[j] = k + j < ce ? (unsigned char)((t[k+j] - 0x20) & 63) : 0 ;
        o[0] = (unsigned char)(c[0] << 2 | c[1] >> 4) ;
        o[1] = (unsigned char)(c[1] << 4 | c[2] >> 2) ;
        o[2] = (unsigned char)(c[2] << 6 | c[3]) ;
        for (unsigned int j = 0 ; j < 3 && got < want ; j++, got++) sa->s[sa->len++] = (char)o[j] ;
      }
    }
    i = next ;
  }
  return 1 ;
}

static int decode (stralloc *sa, int kind, char const *t, size_t i, size_t e, size_t max)
{
  sa->len = 0 ;
  return kind == 1 ? uudecode(sa, t, i, e, max) : mime_b64(sa, t + i, e - i, max, 0) >= 0 ;
}

void mime_uuencode (struct walk *w, char const *t, size_t n, unsigned int depth)
{
  stralloc sa = STRALLOC_ZERO ;
  size_t i = 0 ;
  while (i < n && !w->stop)
  {
    size_t ce, next, name, dend, after = n ;
    int kind, ok, zipname, iszip, istnef ;
    if (t[i] != 'b')
    {
      char const *nl = memchr(t + i, '\n', n - i) ;
      i = nl ? (size_t)(nl - t) + 1 : n ;
      continue ;
    }
    next = uuline(t, i, n, &ce) ;
    kind = begin(t, i, ce, &name) ;
    if (!kind) { i = next ; continue ; }
    if (w->parts >= MIME_MAXPARTS) { mime_unchecked(w, MIME_UNCHECKED_PARTS) ; break ; }
    w->parts++ ;
    mime_report(w, t + name, ce - name, MIME_FROM_UUENCODE) ;
    if (w->stop) break ;
    dend = lines(t, next, n, kind, &after, &ok) ;
    if (!ok)
    { /* a line that may begin another block is looked at again */
      mime_unchecked(w, MIME_UNCHECKED_UUENCODE) ;
      i = dend > next ? dend : next ;
      continue ;
    }
    i = after ;
    zipname = mime_zipname(t + name, ce - name) ;
    if (!decode(&sa, kind, t, next, dend, 4)) { mime_nomem(w) ; break ; }
    iszip = zipname || (sa.len == 4 && !memcmp(sa.s, "PK\3\4", 4)) ;
    istnef = sa.len == 4 && !memcmp(sa.s, MIME_TNEFSIG, 4) ;
    if (iszip || istnef)
    {
      size_t max = iszip ? MIME_MAXZIP : MIME_MAXTNEF ;
      if (!decode(&sa, kind, t, next, dend, max)) { mime_nomem(w) ; break ; }
      if (sa.len >= max) { mime_unchecked(w, iszip ? MIME_UNCHECKED_ZIP : MIME_UNCHECKED_TNEF) ; if (w->stop) break ; }
      mime_contents(w, sa.s, sa.len, zipname, depth) ;
    }
  }
  stralloc_free(&sa) ;
}
