/* mimeparam.c: the parameters of Content-Type and Content-Disposition,
   and the names they give: plain, RFC 2047 inside quotes, RFC 2231
   (charset, language, continuations). */

#include <string.h>
#include <skalibs/stralloc.h>
#include "mime/mime.h"
#include "mime/mimewalk.h"

/* blanks and (nested) comments */
static size_t skipcfws (char const *s, size_t len, size_t i)
{
  for (;;)
  {
    while (i < len && mime_iswsp(s[i])) i++ ;
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
size_t mime_params (struct walk *w, char const *s, size_t len, size_t *tok)
{
  size_t i = skipcfws(s, len, 0), end ;
  w->npar = 0 ; w->pbuf.len = 0 ;
  *tok = i ;
  while (i < len && s[i] != ';' && !mime_iswsp(s[i]) && s[i] != '(') i++ ;
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
    while (i < len && s[i] != '=' && s[i] != ';' && !mime_iswsp(s[i]) && s[i] != '(') i++ ;
    if (i == a || i - a > 64) continue ;
    p->a = w->pbuf.len ; p->alen = i - a ;
    for (size_t k = a ; k < i ; k++)
    {
      char c = s[k] >= 'A' && s[k] <= 'Z' ? s[k] + 32 : s[k] ;
      if (!stralloc_catb(&w->pbuf, &c, 1)) { mime_nomem(w) ; return end ; }
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
        if (!stralloc_catb(&w->pbuf, s + i, 1)) { mime_nomem(w) ; return end ; }
      }
      if (i < len) i++ ;
    }
    else
    {
      /* a bare token; up to ';', so an unquoted name with blanks is whole */
      size_t k = i ;
      while (k < len && s[k] != ';') k++ ;
      while (k > i && mime_iswsp(s[k-1])) k-- ;
      if (!stralloc_catb(&w->pbuf, s + i, k - i)) { mime_nomem(w) ; return end ; }
      i = k ;
    }
    p->vlen = w->pbuf.len - p->v ;
    w->npar++ ;
  }
  /* more parameters than kept: a name among them would go unseen */
  if (w->npar == MAXPARAMS && i < len && memchr(s + i, ';', len - i)) mime_unchecked(w, MIME_UNCHECKED_PARAMS) ;
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
      int h = mime_hexval((unsigned char)s[i+1]) ;
      int l = h >= 0 ? mime_hexval((unsigned char)s[i+2]) : -1 ;
      if (h >= 0 && l >= 0) { c = (char)(h << 4 | l) ; i += 2 ; }
    }
    if (!stralloc_catb(&w->name, &c, 1)) return 0 ;
  }
  return 1 ;
}

/* w->name holds raw bytes of charset cs: reports them in UTF-8 */
static void mime_reportcharset (struct walk *w, char const *cs, size_t cslen)
{
  int r ;
  w->dec.len = 0 ;
  r = cslen ? mime_convert(&w->dec, cs, cslen, w->name.s, w->name.len) : 0 ;
  if (r < 0) { mime_nomem(w) ; return ; }
  if (r) mime_report(w, w->dec.s, w->dec.len, MIME_FROM_PARAM) ;
  else mime_report(w, w->name.s, w->name.len, MIME_FROM_PARAM) ;
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
void mime_names (struct walk *w, char const *base)
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
      if (!mime_decodeheader(&w->dec, v, p->vlen)) { mime_nomem(w) ; return ; }
      mime_report(w, w->dec.s, w->dec.len, MIME_FROM_PARAM) ;
    }
    else if (p->alen == blen + 1 && a[blen] == '*')
    {
      size_t skip = charsetlang(v, p->vlen, &cslen) ;
      w->name.len = 0 ;
      if (!pct(w, v + skip, p->vlen - skip)) { mime_nomem(w) ; return ; }
      mime_reportcharset(w, v, skip ? cslen : 0) ;
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
    /* name*0, name*2: a section missing (or one twice, which leaves one
       missing): what follows it is not read, and readers guess otherwise */
    if (k == w->npar) { mime_unchecked(w, MIME_UNCHECKED_RFC2231) ; if (w->stop) return ; break ; }
    v = w->pbuf.s + w->par[k].v ; vlen = w->par[k].vlen ;
    if (!enc[k]) { if (!stralloc_catb(&w->name, v, vlen)) { mime_nomem(w) ; return ; } continue ; }
    if (!n)
    {
      size_t skip = charsetlang(v, vlen, &cslen) ;
      cs = w->par[k].v ; v += skip ; vlen -= skip ;
      if (!skip) cslen = 0 ;
    }
    if (!pct(w, v, vlen)) { mime_nomem(w) ; return ; }
  }
  /* the charset lives in pbuf, which report_charset leaves alone */
  if (w->name.len) mime_reportcharset(w, w->pbuf.s + cs, cslen) ;
}

