/* mime.c: walks a message's MIME tree for the content rules: top-level
   fields decoded, attachment names (RFC 2047, RFC 2231), zip member names. */

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <skalibs/stralloc.h>
#include "mime.h"

/* ---- small byte helpers */

static int isblank_ (char c) { return c == ' ' || c == '\t' ; }
static int iswsp (char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' ; }

static int hexval (unsigned char c)
{
  if (c >= '0' && c <= '9') return c - '0' ;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10 ;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10 ;
  return -1 ;
}

static int b64val (unsigned char c)
{
  if (c >= 'A' && c <= 'Z') return c - 'A' ;
  if (c >= 'a' && c <= 'z') return c - 'a' + 26 ;
  if (c >= '0' && c <= '9') return c - '0' + 52 ;
  if (c == '+') return 62 ;
  if (c == '/') return 63 ;
  return -1 ;
}

static int eqi (char const *s, size_t len, char const *lit)
{
  size_t n = strlen(lit) ;
  return len == n && !strncasecmp(s, lit, n) ;
}

/* ---- decoders: each appends at most max bytes to sa; 1 done, 0 bad
   input (strict mode only; sa back as it was), -1 ENOMEM */

static int decode_b64 (stralloc *sa, char const *s, size_t len, size_t max, int strict)
{
  size_t base = sa->len, room = len / 4 * 3 + 3, i = 0 ;
  uint32_t acc = 0 ;
  unsigned int bits = 0 ;
  if (room > max) room = max ;
  if (!stralloc_readyplus(sa, room)) return -1 ;
  for (; i < len && sa->len - base < room ; i++)
  {
    int v = b64val((unsigned char)s[i]) ;
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
static int decode_qp (stralloc *sa, char const *s, size_t len, size_t max, int hdr)
{
  size_t base = sa->len, room = len < max ? len : max, i = 0 ;
  if (!stralloc_readyplus(sa, room)) return -1 ;
  while (i < len && sa->len - base < room)
  {
    char c = s[i] ;
    if (c == '=')
    {
      int h = i + 2 < len ? hexval((unsigned char)s[i+1]) : -1 ;
      int l = h >= 0 ? hexval((unsigned char)s[i+2]) : -1 ;
      if (h >= 0 && l >= 0) { sa->s[sa->len++] = (char)(h << 4 | l) ; i += 3 ; continue ; }
      if (hdr) { sa->len = base ; return 0 ; }
      {
        size_t j = i + 1 ;
        while (j < len && isblank_(s[j])) j++ ;
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
static int convert (stralloc *sa, char const *cs, size_t cslen, char const *s, size_t len)
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
  while (j < len && s[j] != '?' && !iswsp(s[j])) j++ ;
  if (j + 2 >= len || s[j] != '?' || s[j+2] != '?') return 0 ;
  *cslen = j - *cs ;
  { char const *star = memchr(s + *cs, '*', *cslen) ; if (star) *cslen = (size_t)(star - (s + *cs)) ; }
  enc = s[j+1] ;
  if (enc != 'B' && enc != 'b' && enc != 'Q' && enc != 'q') return 0 ;
  t = e = j + 3 ;
  while (e < len && s[e] != '?' && !iswsp(s[e])) e++ ;
  if (e + 1 >= len || s[e] != '?' || s[e+1] != '=') return 0 ;
  tb->len = 0 ;
  r = enc == 'B' || enc == 'b' ? decode_b64(tb, s + t, e - t, e - t, 1) : decode_qp(tb, s + t, e - t, e - t, 1) ;
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
    int r_ = convert(sa, s + rcs, rcslen, run.s, run.len) ; \
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
    if (inrun && iswsp(s[i]))
    {
      size_t k = i ;
      while (k < len && iswsp(s[k])) k++ ;
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

/* ---- the walk */

#define MAXPARAMS 128  /* parameters of one field */
#define MAXSEEN 64     /* names of one part kept for the dedupe */

struct param { size_t a, alen, v, vlen ; } ;

struct walk
{
  char const *s ;
  size_t len ;
  struct mime_sink const *sink ;
  unsigned int parts ;
  int stop, nomem ;
  stralloc field, dec, pbuf, name, seen, body ;
  unsigned int nseen ;
  struct param par[MAXPARAMS] ;
  unsigned int npar ;
  /* the entity whose header is being read */
  int zipname ;
} ;

struct entity
{
  char type[128] ;
  size_t typelen ;
  char boundary[256] ;
  size_t blen ;
  int hastype, enc ;  /* enc: 0 as is, 1 base64, 2 quoted-printable */
} ;

static void setnomem (struct walk *w) { w->nomem = 1 ; w->stop = 1 ; }

/* reports a name, cut to MIME_MAXNAME at a UTF-8 boundary; a part's names
   once each */
static void report (struct walk *w, char const *s, size_t len, unsigned int inzip)
{
  if (!len) return ;  /* name="" names nothing */
  if (len > MIME_MAXNAME)
  {
    size_t k = MIME_MAXNAME, back = 0 ;
    while (back < 3 && k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80) { k-- ; back++ ; }
    len = ((unsigned char)s[k] & 0xc0) == 0x80 ? MIME_MAXNAME : k ;
  }
  if (!inzip)
  {
    size_t i = 0 ;
    while (i + sizeof(size_t) <= w->seen.len)
    {
      size_t n ;
      memcpy(&n, w->seen.s + i, sizeof n) ;
      i += sizeof n ;
      if (n == len && !memcmp(w->seen.s + i, s, len)) return ;
      i += n ;
    }
    /* past MAXSEEN names a part's repeats are reported again: the dedupe
       must not turn a header of many names quadratic */
    if (w->nseen < MAXSEEN)
    {
      if (!stralloc_catb(&w->seen, (char const *)&len, sizeof len) || !stralloc_catb(&w->seen, s, len))
      { setnomem(w) ; return ; }
      w->nseen++ ;
    }
    if (len >= 4 && !strncasecmp(s + len - 4, ".zip", 4)) w->zipname = 1 ;
  }
  if (w->sink && w->sink->name && !w->sink->name(w->sink->ctx, s, len, inzip)) w->stop = 1 ;
}

/* blanks and (nested) comments */
static size_t skipcfws (char const *s, size_t len, size_t i)
{
  for (;;)
  {
    while (i < len && iswsp(s[i])) i++ ;
    if (i < len && s[i] == '(')
    {
      unsigned int depth = 0 ;
      for (; i < len ; i++)
      {
        if (s[i] == '\\' && i + 1 < len) { i++ ; continue ; }
        if (s[i] == '(') depth++ ;
        else if (s[i] == ')' && !--depth) { i++ ; break ; }
      }
      continue ;
    }
    return i ;
  }
}

/* Splits a structured value "token; attr=value; ..." into w->par (attribute
   names lowercased, values unquoted, in w->pbuf). Returns the end of the
   leading token, whose start is at *tok. */
static size_t params (struct walk *w, char const *s, size_t len, size_t *tok)
{
  size_t i = skipcfws(s, len, 0), end ;
  w->npar = 0 ; w->pbuf.len = 0 ;
  *tok = i ;
  while (i < len && s[i] != ';' && !iswsp(s[i]) && s[i] != '(') i++ ;
  end = i ;
  while (i < len && w->npar < MAXPARAMS)
  {
    struct param *p = &w->par[w->npar] ;
    size_t a ;
    /* to the next ';' outside quotes */
    {
      int q = 0 ;
      while (i < len && (q || s[i] != ';'))
      {
        if (!q && s[i] == '(') { i = skipcfws(s, len, i) ; continue ; }
        if (s[i] == '"') q = !q ;
        else if (q && s[i] == '\\' && i + 1 < len) i++ ;
        i++ ;
      }
    }
    if (i >= len) break ;
    i = skipcfws(s, len, i + 1) ;
    a = i ;
    while (i < len && s[i] != '=' && s[i] != ';' && !iswsp(s[i]) && s[i] != '(') i++ ;
    if (i == a || i - a > 64) continue ;
    p->a = w->pbuf.len ; p->alen = i - a ;
    for (size_t k = a ; k < i ; k++)
    {
      char c = s[k] >= 'A' && s[k] <= 'Z' ? s[k] + 32 : s[k] ;
      if (!stralloc_catb(&w->pbuf, &c, 1)) { setnomem(w) ; return end ; }
    }
    i = skipcfws(s, len, i) ;
    if (i >= len || s[i] != '=') continue ;
    i = skipcfws(s, len, i + 1) ;
    p->v = w->pbuf.len ;
    if (i < len && s[i] == '"')
    {
      for (i++ ; i < len && s[i] != '"' ; i++)
      {
        if (s[i] == '\\' && i + 1 < len) i++ ;
        if (!stralloc_catb(&w->pbuf, s + i, 1)) { setnomem(w) ; return end ; }
      }
      if (i < len) i++ ;
    }
    else
    {
      /* a bare token; up to ';', so an unquoted name with blanks is whole */
      size_t k = i ;
      while (k < len && s[k] != ';') k++ ;
      while (k > i && iswsp(s[k-1])) k-- ;
      if (!stralloc_catb(&w->pbuf, s + i, k - i)) { setnomem(w) ; return end ; }
      i = k ;
    }
    p->vlen = w->pbuf.len - p->v ;
    w->npar++ ;
  }
  return end ;
}

/* RFC 2231 percent-decoding into w->name */
static int pct (struct walk *w, char const *s, size_t len)
{
  for (size_t i = 0 ; i < len ; i++)
  {
    char c = s[i] ;
    if (c == '%' && i + 2 < len)
    {
      int h = hexval((unsigned char)s[i+1]) ;
      int l = h >= 0 ? hexval((unsigned char)s[i+2]) : -1 ;
      if (h >= 0 && l >= 0) { c = (char)(h << 4 | l) ; i += 2 ; }
    }
    if (!stralloc_catb(&w->name, &c, 1)) return 0 ;
  }
  return 1 ;
}

/* w->name holds raw bytes of charset cs: reports them in UTF-8 */
static void report_charset (struct walk *w, char const *cs, size_t cslen)
{
  int r ;
  w->dec.len = 0 ;
  r = cslen ? convert(&w->dec, cs, cslen, w->name.s, w->name.len) : 0 ;
  if (r < 0) { setnomem(w) ; return ; }
  if (r) report(w, w->dec.s, w->dec.len, 0) ;
  else report(w, w->name.s, w->name.len, 0) ;
}

/* the section number of attr "base*N" or "base*N*", or -1 */
static int section (char const *a, size_t alen, size_t blen, int *encoded)
{
  size_t i = blen + 1 ;
  int n = 0 ;
  if (alen <= i || a[blen] != '*') return -1 ;
  *encoded = a[alen-1] == '*' ;
  if (*encoded) alen-- ;
  if (i == alen || (a[i] == '0' && alen - i > 1) || alen - i > 3) return -1 ;
  for (; i < alen ; i++)
  {
    if (a[i] < '0' || a[i] > '9') return -1 ;
    n = n * 10 + (a[i] - '0') ;
  }
  return n ;
}

/* "charset'lang'rest": the length of charset and where rest starts, or 0
   when there are not two apostrophes */
static size_t charsetlang (char const *v, size_t vlen, size_t *cslen)
{
  char const *q1 = memchr(v, '\'', vlen), *q2 ;
  if (!q1) return 0 ;
  q2 = memchr(q1 + 1, '\'', vlen - (size_t)(q1 + 1 - v)) ;
  if (!q2) return 0 ;
  *cslen = (size_t)(q1 - v) ;
  return (size_t)(q2 + 1 - v) ;
}

/* every name the parameter base gives: plain, base*, base*0... */
static void names (struct walk *w, char const *base)
{
  size_t blen = strlen(base), cs = 0, cslen = 0 ;
  int sec[MAXPARAMS], enc[MAXPARAMS], nsec = 0 ;
  for (unsigned int k = 0 ; k < w->npar && !w->stop ; k++)
  {
    struct param const *p = &w->par[k] ;
    char const *a = w->pbuf.s + p->a, *v = w->pbuf.s + p->v ;
    sec[k] = -1 ;
    if (p->alen < blen || memcmp(a, base, blen)) continue ;
    if (p->alen == blen)
    {
      w->dec.len = 0 ;
      if (!mime_decodeheader(&w->dec, v, p->vlen)) { setnomem(w) ; return ; }
      report(w, w->dec.s, w->dec.len, 0) ;
    }
    else if (p->alen == blen + 1 && a[blen] == '*')
    {
      size_t skip = charsetlang(v, p->vlen, &cslen) ;
      w->name.len = 0 ;
      if (!pct(w, v + skip, p->vlen - skip)) { setnomem(w) ; return ; }
      report_charset(w, v, skip ? cslen : 0) ;
    }
    else if ((sec[k] = section(a, p->alen, blen, &enc[k])) >= 0) nsec++ ;
  }
  if (!nsec || w->stop) return ;
  /* continuations, in the order of their numbers, from 0 to the first gap */
  w->name.len = 0 ; cslen = 0 ;
  for (int n = 0 ; n < nsec ; n++)
  {
    unsigned int k = 0 ;
    char const *v ;
    size_t vlen ;
    while (k < w->npar && sec[k] != n) k++ ;
    if (k == w->npar) break ;
    v = w->pbuf.s + w->par[k].v ; vlen = w->par[k].vlen ;
    if (!enc[k]) { if (!stralloc_catb(&w->name, v, vlen)) { setnomem(w) ; return ; } continue ; }
    if (!n)
    {
      size_t skip = charsetlang(v, vlen, &cslen) ;
      cs = w->par[k].v ; v += skip ; vlen -= skip ;
      if (!skip) cslen = 0 ;
    }
    if (!pct(w, v, vlen)) { setnomem(w) ; return ; }
  }
  /* the charset lives in pbuf, which report_charset leaves alone */
  if (w->name.len) report_charset(w, w->pbuf.s + cs, cslen) ;
}

/* one line of s[i..end): *ce its content's end (before CR LF), returns the
   next line's start */
static size_t line (char const *s, size_t i, size_t end, size_t *ce)
{
  char const *nl = memchr(s + i, '\n', end - i) ;
  size_t le = nl ? (size_t)(nl - s) : end ;
  *ce = le > i && s[le-1] == '\r' ? le - 1 : le ;
  return nl ? le + 1 : end ;
}

static void content_type (struct walk *w, struct entity *e, char const *v, size_t vlen)
{
  size_t tok, tend = params(w, v, vlen, &tok) ;
  if (w->stop) return ;
  if (!e->hastype && tend > tok && tend - tok < sizeof e->type)
  {
    e->hastype = 1 ;
    e->typelen = tend - tok ;
    for (size_t k = 0 ; k < e->typelen ; k++)
      e->type[k] = v[tok+k] >= 'A' && v[tok+k] <= 'Z' ? v[tok+k] + 32 : v[tok+k] ;
    e->type[e->typelen] = 0 ;
    for (unsigned int k = 0 ; k < w->npar ; k++)
    {
      struct param const *p = &w->par[k] ;
      if (eqi(w->pbuf.s + p->a, p->alen, "boundary") && p->vlen && p->vlen < sizeof e->boundary)
      {
        memcpy(e->boundary, w->pbuf.s + p->v, p->vlen) ;
        e->blen = p->vlen ;
        break ;
      }
    }
  }
  names(w, "name") ;
}

/* Reads the header of the entity s[start..end): fields (to the sink when
   top), type, boundary, encoding and names. Returns where the body starts. */
static size_t header (struct walk *w, size_t start, size_t end, int top, struct entity *e)
{
  char const *s = w->s ;
  size_t i = start ;
  e->typelen = e->blen = 0 ; e->hastype = 0 ; e->enc = 0 ; e->type[0] = 0 ;
  w->seen.len = 0 ; w->nseen = 0 ; w->zipname = 0 ;
  while (i < end && !w->stop)
  {
    size_t ce, next = line(s, i, end, &ce), fstart = i, nend, a ;
    char const *colon ;
    char const *v ;
    size_t vlen ;
    if (ce == i) return next ;  /* the empty line */
    if (isblank_(s[i]) || !(colon = memchr(s + i, ':', ce - i))) { i = next ; continue ; }
    nend = (size_t)(colon - s) ;
    while (nend > i && isblank_(s[nend-1])) nend-- ;
    if (nend == i) { i = next ; continue ; }  /* no name: no field, nor its continuations */
    /* the value, unfolded, cut at MIME_MAXFIELD */
    w->field.len = 0 ;
    a = (size_t)(colon - s) + 1 ;
    for (;;)
    {
      size_t n = ce - a ;
      if (n > MIME_MAXFIELD - w->field.len) n = MIME_MAXFIELD - w->field.len ;
      if (!stralloc_catb(&w->field, s + a, n)) { setnomem(w) ; return end ; }
      i = next ;
      if (i >= end || !isblank_(s[i])) break ;
      next = line(s, i, end, &ce) ;
      for (a = i ; a < ce && isblank_(s[a]) ; a++) ;
      if (w->field.len < MIME_MAXFIELD && !stralloc_catb(&w->field, " ", 1)) { setnomem(w) ; return end ; }
    }
    v = w->field.s ; vlen = w->field.len ;
    while (vlen && iswsp(*v)) { v++ ; vlen-- ; }
    while (vlen && iswsp(v[vlen-1])) vlen-- ;
    if (top && w->sink && w->sink->header)
    {
      w->dec.len = 0 ;
      if (!mime_decodeheader(&w->dec, v, vlen)) { setnomem(w) ; return end ; }
      if (!w->sink->header(w->sink->ctx, s + fstart, nend - fstart, w->dec.s, w->dec.len)) { w->stop = 1 ; return end ; }
    }
    if (eqi(s + fstart, nend - fstart, "content-type")) content_type(w, e, v, vlen) ;
    else if (eqi(s + fstart, nend - fstart, "content-disposition"))
    {
      size_t tok ;
      params(w, v, vlen, &tok) ;
      if (!w->stop) names(w, "filename") ;
    }
    else if (eqi(s + fstart, nend - fstart, "content-transfer-encoding"))
    {
      size_t k = 0, t ;
      while (k < vlen && iswsp(v[k])) k++ ;
      for (t = k ; t < vlen && !iswsp(v[t]) && v[t] != ';' && v[t] != '(' ; t++) ;
      e->enc = eqi(v + k, t - k, "base64") ? 1 : eqi(v + k, t - k, "quoted-printable") ? 2 : 0 ;
    }
  }
  return end ;
}

/* ---- zip: the names of the central directory */

static uint32_t le16 (unsigned char const *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 ; }
static uint32_t le32 (unsigned char const *p) { return le16(p) | le16(p + 2) << 16 ; }

static void zipname (struct walk *w, char const *s, size_t len, int utf8)
{
  size_t k = 0 ;
  if (!utf8) for (; k < len && !((unsigned char)s[k] & 0x80) ; k++) ;
  if (!utf8 && k < len)
  {
    int r ;
    w->dec.len = 0 ;
    r = convert(&w->dec, "CP437", 5, s, len) ;
    if (r < 0) { setnomem(w) ; return ; }
    if (r) { report(w, w->dec.s, w->dec.len, 1) ; return ; }
  }
  report(w, s, len, 1) ;
}

static void zip (struct walk *w, char const *b, size_t n)
{
  unsigned char const *z = (unsigned char const *)b ;
  size_t p, lowest ;
  if (n < 22) return ;
  lowest = n - 22 > 65535 ? n - 22 - 65535 : 0 ;
  /* the last End of Central Directory whose directory lies before it */
  for (p = n - 22 + 1 ; p-- > lowest ; )
  {
    size_t cdsize, cdoff, q, count = 0 ;
    if (z[p] != 'P' || z[p+1] != 'K' || z[p+2] != 5 || z[p+3] != 6) continue ;
    cdsize = le32(z + p + 12) ; cdoff = le32(z + p + 16) ;
    if (cdoff > p || cdsize > p - cdoff) continue ;
    for (q = cdoff ; q + 46 <= cdoff + cdsize && count < 100000 && !w->stop ; count++)
    {
      size_t nl, el, cl ;
      if (z[q] != 'P' || z[q+1] != 'K' || z[q+2] != 1 || z[q+3] != 2) break ;
      nl = le16(z + q + 28) ; el = le16(z + q + 30) ; cl = le16(z + q + 32) ;
      if (nl + el + cl > cdoff + cdsize - q - 46) break ;
      zipname(w, b + q + 46, nl, !!(le16(z + q + 8) & 0x800)) ;
      q += 46 + nl + el + cl ;
    }
    return ;
  }
}

/* the body s[b..end) decoded into w->body, at most max bytes */
static int body (struct walk *w, struct entity const *e, size_t b, size_t end, size_t max)
{
  int r ;
  w->body.len = 0 ;
  if (e->enc == 1) r = decode_b64(&w->body, w->s + b, end - b, max, 0) ;
  else if (e->enc == 2) r = decode_qp(&w->body, w->s + b, end - b, max, 0) ;
  else r = stralloc_catb(&w->body, w->s + b, end - b < max ? end - b : max) ? 1 : -1 ;
  if (r < 0) { setnomem(w) ; return 0 ; }
  return 1 ;
}

static void leaf (struct walk *w, struct entity const *e, size_t b, size_t end)
{
  int isz = w->zipname || eqi(e->type, e->typelen, "application/zip")
    || eqi(e->type, e->typelen, "application/x-zip-compressed") || eqi(e->type, e->typelen, "application/x-zip") ;
  if (!isz)
  {
    if (!body(w, e, b, end, 4)) return ;
    isz = w->body.len == 4 && !memcmp(w->body.s, "PK\3\4", 4) ;
  }
  if (isz && body(w, e, b, end, MIME_MAXZIP)) zip(w, w->body.s, w->body.len) ;
}

static void entity (struct walk *, size_t, size_t, unsigned int, int, int) ;

/* the parts of a multipart body s[b..end) */
static void multipart (struct walk *w, struct entity const *e, size_t b, size_t end, unsigned int depth)
{
  char const *s = w->s ;
  int digest = eqi(e->type, e->typelen, "multipart/digest"), inpart = 0 ;
  size_t i = b, pstart = 0 ;
  while (i < end && !w->stop)
  {
    size_t ce, next = line(s, i, end, &ce), q = i + 2 + e->blen ;
    int close = 0 ;
    if (ce - i >= 2 + e->blen && s[i] == '-' && s[i+1] == '-' && !memcmp(s + i + 2, e->boundary, e->blen))
    {
      if (ce - q >= 2 && s[q] == '-' && s[q+1] == '-') { close = 1 ; q += 2 ; }
      while (q < ce && isblank_(s[q])) q++ ;
      if (q == ce)
      {
        if (inpart)
        {
          /* the line break before the delimiter is the delimiter's */
          size_t pend = i ;
          if (pend > pstart && s[pend-1] == '\n') pend-- ;
          if (pend > pstart && s[pend-1] == '\r') pend-- ;
          entity(w, pstart, pend, depth + 1, digest, 0) ;
        }
        if (close) return ;
        inpart = 1 ; pstart = next ;
      }
    }
    i = next ;
  }
  if (inpart && !w->stop) entity(w, pstart, end, depth + 1, digest, 0) ;
}

static void entity (struct walk *w, size_t start, size_t end, unsigned int depth, int digest, int top)
{
  struct entity e ;
  size_t b ;
  if (w->stop || depth > MIME_MAXDEPTH || w->parts >= MIME_MAXPARTS) return ;
  w->parts++ ;
  b = header(w, start, end, top, &e) ;
  if (w->stop) return ;
  if (!e.hastype && digest) { memcpy(e.type, "message/rfc822", 15) ; e.typelen = 14 ; e.hastype = 1 ; }
  if (e.typelen > 10 && !memcmp(e.type, "multipart/", 10))
  {
    if (e.blen) multipart(w, &e, b, end, depth) ;
  }
  else if (eqi(e.type, e.typelen, "message/rfc822")) entity(w, b, end, depth + 1, 0, 0) ;
  else leaf(w, &e, b, end) ;
}

int mime_walk (char const *s, size_t len, struct mime_sink const *sink)
{
  struct walk w = { .s = s, .len = len, .sink = sink, .parts = 0, .stop = 0, .nomem = 0,
    .field = STRALLOC_ZERO, .dec = STRALLOC_ZERO, .pbuf = STRALLOC_ZERO, .name = STRALLOC_ZERO,
    .seen = STRALLOC_ZERO, .body = STRALLOC_ZERO, .nseen = 0, .npar = 0, .zipname = 0 } ;
  entity(&w, 0, len, 1, 0, 1) ;
  stralloc_free(&w.field) ; stralloc_free(&w.dec) ; stralloc_free(&w.pbuf) ;
  stralloc_free(&w.name) ; stralloc_free(&w.seen) ; stralloc_free(&w.body) ;
  if (w.nomem) { errno = ENOMEM ; return 0 ; }
  return 1 ;
}
