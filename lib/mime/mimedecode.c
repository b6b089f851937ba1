/* mimedecode.c: the decoders of the MIME walker: base64, quoted-printable,
   charsets through iconv, and RFC 2047 encoded-words in header values. */

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <skalibs/stralloc.h>
#include "mime/mime.h"
#include "mime/mimewalk.h"

int mime_hexval (unsigned char c)
{
  if (c >= '0' && c <= '9') return c - '0' ;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10 ;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10 ;
  return -1 ;
}

/* a base64 digit's value plus one; 0: not a digit */
static unsigned char const b64p1[256] =
{
  ['A'] = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,
  ['a'] = 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52,
  ['0'] = 53, 54, 55, 56, 57, 58, 59, 60, 61, 62,
  ['+'] = 63, ['/'] = 64,
} ;
#define b64val(c) ((int)b64p1[(unsigned char)(c)] - 1)

/* ---- decoders: each appends at most max bytes to sa; 1 done, 0 bad
   input (strict mode only; sa back as it was), -1 ENOMEM */

int mime_b64 (stralloc *sa, char const *s, size_t len, size_t max, int strict)
{
  size_t base = sa->len, room = len / 4 * 3 + 3, i = 0 ;
  uint32_t acc = 0 ;
  unsigned int bits = 0 ;
  if (room > max) room = max ;
  if (!stralloc_readyplus(sa, room)) return -1 ;
  for (; i < len && sa->len - base < room ; i++)
  {
    int v ;
    /* four digits at a byte boundary, three bytes of room: what the loop
       below does with them, at once (most of a body is that) */
    while (!bits && len - i >= 4 && room - (sa->len - base) >= 3)
    {
      unsigned char const *q = (unsigned char const *)s + i ;
      int a = b64val(q[0]), b = b64val(q[1]), c = b64val(q[2]), d = b64val(q[3]) ;
      if ((a | b | c | d) < 0) break ;
      sa->s[sa->len++] = (char)(a << 2 | b >> 4) ;
      sa->s[sa->len++] = (char)(b << 4 | c >> 2) ;
      sa->s[sa->len++] = (char)(c << 6 | d) ;
      i += 4 ;
    }
    if (i >= len || sa->len - base >= room) break ;
    v = b64val(s[i]) ;
    if (v < 0)
    {
      if (s[i] == '=') { if (strict) break ; else continue ; }
      if (strict) { sa->len = base ; return 0 ; }
      continue ;
    }
    acc = (acc << 6) | (uint32_t)v ; bits += 6 ;
    if (bits >= 8) { bits -= 8 ; sa->s[sa->len++] = (char)(acc >> bits) ; }
  }
  if (strict) for (; i < len ; i++) if (s[i] != '=') { sa->len = base ; return 0 ; }
  return 1 ;
}

/* quoted-printable; hdr: the RFC 2047 Q form (_ is a space, no soft breaks) */
int mime_qp (stralloc *sa, char const *s, size_t len, size_t max, int hdr)
{
  size_t base = sa->len, room = len < max ? len : max, i = 0 ;
  if (!stralloc_readyplus(sa, room)) return -1 ;
  while (i < len && sa->len - base < room)
  {
    char c = s[i] ;
    if (c == '=')
    {
      int h = i + 2 < len ? mime_hexval((unsigned char)s[i+1]) : -1 ;
      int l = h >= 0 ? mime_hexval((unsigned char)s[i+2]) : -1 ;
      if (h >= 0 && l >= 0) { sa->s[sa->len++] = (char)(h << 4 | l) ; i += 3 ; continue ; }
      if (hdr) { sa->len = base ; return 0 ; }
      {
        size_t j = i + 1 ;
        while (j < len && mime_isblank(s[j])) j++ ;
        if (j < len && s[j] == '\r') j++ ;
        if (j < len && s[j] == '\n') { i = j + 1 ; continue ; }
        if (j == len) break ;
      }
    }
    else if (hdr && c == '_') c = ' ' ;
    sa->s[sa->len++] = c ;
    i++ ;
  }
  return 1 ;
}

/* Appends s converted from charset cs to UTF-8. 1, 0 when iconv cannot
   (sa as it was), -1 ENOMEM. Only plain charset names reach iconv. */
int mime_convert (stralloc *sa, char const *cs, size_t cslen, char const *s, size_t len)
{
  char name[41] ;
  size_t base = sa->len, i = 0, inleft = len ;
  char *in = (char *)s ;
  iconv_t cd ;
  int r = 1 ;
  if (!cslen || cslen >= sizeof name) return 0 ;
  for (; i < cslen ; i++)
  {
    char c = cs[i] ;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
      || c == '-' || c == '_' || c == '.' || c == ':' || c == '+')) return 0 ;
    name[i] = c ;
  }
  name[cslen] = 0 ;
  cd = iconv_open("UTF-8", name) ;
  if (cd == (iconv_t)-1) return 0 ;
  for (int flushing = 0 ;; )
  {
    char *out ;
    size_t outleft, n ;
    if (!stralloc_readyplus(sa, inleft * 4 + 16)) { r = -1 ; break ; }
    out = sa->s + sa->len ; outleft = sa->a - sa->len ;
    n = flushing ? iconv(cd, 0, 0, &out, &outleft) : iconv(cd, &in, &inleft, &out, &outleft) ;
    sa->len = (size_t)(out - sa->s) ;
    if (n == (size_t)-1) { if (errno == E2BIG) continue ; r = 0 ; break ; }
    if (flushing) break ;
    flushing = 1 ;
  }
  iconv_close(cd) ;
  if (r < 1) sa->len = base ;
  return r ;
}

/* ---- RFC 2047 */

/* An encoded word at s[i]: its end, or 0. Sets the charset (without an RFC
   2231 language) and decodes the text into tb. Sets *nomem on ENOMEM. */
static size_t word (char const *s, size_t len, size_t i, size_t *cs, size_t *cslen, stralloc *tb, int *nomem)
{
  size_t j = i + 2, t, e ;
  char enc ;
  int r ;
  if (i + 1 >= len || s[i] != '=' || s[i+1] != '?') return 0 ;
  *cs = j ;
  while (j < len && s[j] != '?' && !mime_iswsp(s[j])) j++ ;
  if (j + 2 >= len || s[j] != '?' || s[j+2] != '?') return 0 ;
  *cslen = j - *cs ;
  { char const *star = memchr(s + *cs, '*', *cslen) ; if (star) *cslen = (size_t)(star - (s + *cs)) ; }
  enc = s[j+1] ;
  if (enc != 'B' && enc != 'b' && enc != 'Q' && enc != 'q') return 0 ;
  t = e = j + 3 ;
  while (e < len && s[e] != '?' && !mime_iswsp(s[e])) e++ ;
  if (e + 1 >= len || s[e] != '?' || s[e+1] != '=') return 0 ;
  tb->len = 0 ;
  r = enc == 'B' || enc == 'b' ? mime_b64(tb, s + t, e - t, e - t, 1) : mime_qp(tb, s + t, e - t, e - t, 1) ;
  if (r < 0) *nomem = 1 ;
  return r > 0 ? e + 2 : 0 ;
}

int mime_decodeheader (stralloc *sa, char const *s, size_t len)
{
  stralloc run = STRALLOC_ZERO, tb = STRALLOC_ZERO ;
  size_t i = 0, rs = 0, re = 0, rcs = 0, rcslen = 0 ;
  int inrun = 0, nomem = 0 ;

  /* a run: adjacent words of one charset, converted together (mailers
     split a multibyte character across words); raw s[rs..re) if it fails */
#define FLUSH() do { \
    int r_ = mime_convert(sa, s + rcs, rcslen, run.s, run.len) ; \
    if (r_ < 0 || (!r_ && !stralloc_catb(sa, s + rs, re - rs))) goto nomem ; \
    inrun = 0 ; \
  } while (0)

  while (i < len)
  {
    size_t cs, cslen, e = word(s, len, i, &cs, &cslen, &tb, &nomem) ;
    if (nomem) goto nomem ;
    if (e)
    {
      if (inrun && (cslen != rcslen || strncasecmp(s + cs, s + rcs, cslen))) FLUSH() ;
      if (!inrun) { inrun = 1 ; run.len = 0 ; rs = i ; rcs = cs ; rcslen = cslen ; }
      if (!stralloc_catb(&run, tb.s, tb.len)) goto nomem ;
      re = i = e ;
      continue ;
    }
    if (inrun && mime_iswsp(s[i]))
    {
      size_t k = i ;
      while (k < len && mime_iswsp(s[k])) k++ ;
      if (word(s, len, k, &cs, &cslen, &tb, &nomem)) { i = k ; continue ; }
      if (nomem) goto nomem ;
    }
    if (inrun) FLUSH() ;
    {
      /* plain text up to the next '=' */
      char const *q = memchr(s + i + 1, '=', len - i - 1) ;
      size_t k = q ? (size_t)(q - s) : len ;
      if (!stralloc_catb(sa, s + i, k - i)) goto nomem ;
      i = k ;
    }
  }
  if (inrun) FLUSH() ;
#undef FLUSH
  stralloc_free(&run) ; stralloc_free(&tb) ;
  return 1 ;
 nomem:
  stralloc_free(&run) ; stralloc_free(&tb) ;
  errno = ENOMEM ;
  return 0 ;
}

