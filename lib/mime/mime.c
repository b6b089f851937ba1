/* mime.c: walks a message's MIME tree for the content rules: entities,
   multipart bodies, top-level fields; parameters (mimeparam.c), decoders
   (mimedecode.c), zip directories (zipdir.c), uuencoded blocks
   (uuencode.c) and MS-TNEF streams (tnef.c) are apart. */

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <skalibs/stralloc.h>
#include "mime/mime.h"
#include "mime/mimewalk.h"

void mime_nomem (struct walk *w) { w->nomem = 1 ; w->stop = 1 ; }

char const *const mime_originname[MIME_FROM_N] = { "MIME parameter", "zip", "uuencode", "TNEF" } ;

int mime_zipname (char const *s, size_t len) { return len >= 4 && !strncasecmp(s + len - 4, ".zip", 4) ; }

/* reports a name found in from, cut to MIME_MAXNAME at a UTF-8 boundary;
   a part's parameter names once each */
void mime_report (struct walk *w, char const *s, size_t len, unsigned int from)
{
  /* name="" names nothing; and once the sink said stop, nothing is told */
  if (!len || w->stop) return ;
  if (len > MIME_MAXNAME)
  { /* the end, where the extension is, is lost */
    mime_unchecked(w, MIME_UNCHECKED_NAME) ;
    if (w->stop) return ;
    size_t k = MIME_MAXNAME, back = 0 ;
    while (back < 3 && k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80) { k-- ; back++ ; }
    len = ((unsigned char)s[k] & 0xc0) == 0x80 ? MIME_MAXNAME : k ;
  }
  if (from == MIME_FROM_PARAM)
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
      { mime_nomem(w) ; return ; }
      w->nseen++ ;
    }
    if (mime_zipname(s, len)) w->zipname = 1 ;
  }
  if (w->sink && w->sink->name && !w->sink->name(w->sink->ctx, s, len, (enum mime_origin)from)) w->stop = 1 ;
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

/* the boundary parameters of w->par into e: one, and whole */
static void boundary (struct walk *w, struct entity *e)
{
  unsigned int n = 0 ;
  for (unsigned int k = 0 ; k < w->npar ; k++)
  {
    struct param const *p = &w->par[k] ;
    if (!mime_eqi(w->pbuf.s + p->a, p->alen, "boundary")) continue ;
    if (n++) { mime_unchecked(w, MIME_UNCHECKED_AMBIGUOUS_HEADER) ; return ; }
    if (p->vlen >= sizeof e->boundary) { mime_unchecked(w, MIME_UNCHECKED_BOUNDARY) ; return ; }
    memcpy(e->boundary, w->pbuf.s + p->v, p->vlen) ;
    e->blen = p->vlen ;
  }
}

static void content_type (struct walk *w, struct entity *e, char const *v, size_t vlen)
{
  size_t tok, tend = mime_params(w, v, vlen, &tok) ;
  if (w->stop) return ;
  /* readers disagree on which of two counts (reformime: the last) */
  if (e->ntype++) { mime_unchecked(w, MIME_UNCHECKED_AMBIGUOUS_HEADER) ; if (w->stop) return ; }
  if (tend - tok >= sizeof e->type) { mime_unchecked(w, MIME_UNCHECKED_TYPE) ; if (w->stop) return ; }
  else if (!e->hastype && tend > tok)
  {
    e->hastype = 1 ;
    e->typelen = tend - tok ;
    for (size_t k = 0 ; k < e->typelen ; k++)
      e->type[k] = v[tok+k] >= 'A' && v[tok+k] <= 'Z' ? v[tok+k] + 32 : v[tok+k] ;
    e->type[e->typelen] = 0 ;
    boundary(w, e) ;
    if (w->stop) return ;
  }
  mime_names(w, "name") ;
}

/* Reads the header of the entity s[start..end): fields (to the sink when
   top), type, boundary, encoding and names. Returns where the body starts. */
static size_t header (struct walk *w, size_t start, size_t end, int top, struct entity *e)
{
  char const *s = w->s ;
  size_t i = start ;
  e->typelen = e->blen = 0 ; e->hastype = 0 ; e->enc = 0 ; e->type[0] = 0 ; e->ntype = e->nenc = 0 ;
  w->seen.len = 0 ; w->nseen = 0 ; w->zipname = 0 ;
  while (i < end && !w->stop)
  {
    size_t ce, next = line(s, i, end, &ce), fstart = i, nend, a ;
    int kind ;  /* 1 Content-Type, 2 -Disposition, 3 -Transfer-Encoding, 0 other */
    char const *colon ;
    char const *v ;
    size_t vlen ;
    if (ce == i) return next ;  /* the empty line */
    if (!(colon = memchr(s + i, ':', ce - i))) { i = next ; continue ; }
    if (mime_isblank(s[i]))
    { /* a continuation of no field: reformime reads it as a field of its own */
      mime_unchecked(w, MIME_UNCHECKED_AMBIGUOUS_HEADER) ;
      if (w->stop) return end ;
      i = next ; continue ;
    }
    nend = (size_t)(colon - s) ;
    while (nend > i && mime_isblank(s[nend-1])) nend-- ;
    if (nend == i) { i = next ; continue ; }  /* no name: no field, nor its continuations */
    kind = mime_eqi(s + i, nend - i, "content-type") ? 1 : mime_eqi(s + i, nend - i, "content-disposition") ? 2
      : mime_eqi(s + i, nend - i, "content-transfer-encoding") ? 3 : 0 ;
    /* the value, unfolded, cut at MIME_MAXFIELD: the cut end of a field
       that holds names or structure is unchecked (of a To: of many
       recipients, it is only shorter) */
    w->field.len = 0 ;
    a = (size_t)(colon - s) + 1 ;
    for (;;)
    {
      size_t n = ce - a ;
      if (n > MIME_MAXFIELD - w->field.len)
      {
        n = MIME_MAXFIELD - w->field.len ;
        if (kind) { mime_unchecked(w, MIME_UNCHECKED_FIELD) ; if (w->stop) return end ; }
      }
      if (!stralloc_catb(&w->field, s + a, n)) { mime_nomem(w) ; return end ; }
      i = next ;
      if (i >= end || !mime_isblank(s[i])) break ;
      next = line(s, i, end, &ce) ;
      for (a = i ; a < ce && mime_isblank(s[a]) ; a++) ;
      if (w->field.len >= MIME_MAXFIELD) { if (kind) { mime_unchecked(w, MIME_UNCHECKED_FIELD) ; if (w->stop) return end ; } }
      else if (!stralloc_catb(&w->field, " ", 1)) { mime_nomem(w) ; return end ; }
    }
    v = w->field.s ; vlen = w->field.len ;
    while (vlen && mime_iswsp(*v)) { v++ ; vlen-- ; }
    while (vlen && mime_iswsp(v[vlen-1])) vlen-- ;
    if (top && w->sink && w->sink->header)
    {
      w->dec.len = 0 ;
      if (!mime_decodeheader(&w->dec, v, vlen)) { mime_nomem(w) ; return end ; }
      if (!w->sink->header(w->sink->ctx, s + fstart, nend - fstart, w->dec.s, w->dec.len)) { w->stop = 1 ; return end ; }
    }
    if (kind == 1) content_type(w, e, v, vlen) ;
    else if (kind == 2)
    {
      size_t tok ;
      mime_params(w, v, vlen, &tok) ;
      if (!w->stop) mime_names(w, "filename") ;
    }
    else if (kind == 3)
    {
      size_t k = 0, t ;
      int enc ;
      while (k < vlen && mime_iswsp(v[k])) k++ ;
      for (t = k ; t < vlen && !mime_iswsp(v[t]) && v[t] != ';' && v[t] != '(' ; t++) ;
      enc = mime_eqi(v + k, t - k, "base64") ? 1 : mime_eqi(v + k, t - k, "quoted-printable") ? 2 : 0 ;
      if (e->nenc++ && enc != e->enc) mime_unchecked(w, MIME_UNCHECKED_AMBIGUOUS_HEADER) ;
      e->enc = enc ;
    }
  }
  return end ;
}

/* the body s[b..end) decoded into w->body, at most max bytes */
static int body (struct walk *w, struct entity const *e, size_t b, size_t end, size_t max)
{
  int r ;
  w->body.len = 0 ;
  if (e->enc == 1) r = mime_b64(&w->body, w->s + b, end - b, max, 0) ;
  else if (e->enc == 2) r = mime_qp(&w->body, w->s + b, end - b, max, 0) ;
  else r = stralloc_catb(&w->body, w->s + b, end - b < max ? end - b : max) ? 1 : -1 ;
  if (r < 0) { mime_nomem(w) ; return 0 ; }
  return 1 ;
}

/* a limit of the walk reached, or a structure read two ways */
void mime_unchecked (struct walk *w, char const *why)
{
  if (why == w->told) return ;  /* a limit is told once, not once per part past it */
  w->told = why ;
  if (w->sink && w->sink->unchecked && !w->sink->unchecked(w->sink->ctx, why)) w->stop = 1 ;
}

static void leaf (struct walk *w, struct entity const *e, size_t b, size_t end)
{
  int isz, whole = 0 ;  /* whole: w->body holds the whole body, decoded */
  if (w->sink && w->sink->part)
  {
    if (!body(w, e, b, end, end - b)) return ;
    if (!w->sink->part(w->sink->ctx, e->type, w->body.s, w->body.len)) { w->stop = 1 ; return ; }
    whole = 1 ;
  }
  /* a text body (or none typed: no MIME) may carry uuencoded files, which
     mail readers show as attachments */
  if (!e->typelen || (e->typelen > 5 && !memcmp(e->type, "text/", 5)))
  {
    if (!e->enc) mime_uuencode(w, w->s + b, end - b, 0) ;
    else if (whole || body(w, e, b, end, end - b)) { whole = 1 ; mime_uuencode(w, w->body.s, w->body.len, 0) ; }
    if (w->stop) return ;
  }
  isz = w->zipname || mime_eqi(e->type, e->typelen, "application/zip")
    || mime_eqi(e->type, e->typelen, "application/x-zip-compressed") || mime_eqi(e->type, e->typelen, "application/x-zip") ;
  if (!isz)
  {
    if (!whole && !body(w, e, b, end, 4)) return ;
    isz = w->body.len >= 4 && !memcmp(w->body.s, "PK\3\4", 4) ;
    if (!isz && w->body.len >= 4 && !memcmp(w->body.s, MIME_TNEFSIG, 4))
    { /* winmail.dat */
      size_t n ;
      if (!whole && !body(w, e, b, end, MIME_MAXTNEF)) return ;
      n = w->body.len ;
      if (n >= MIME_MAXTNEF) { n = MIME_MAXTNEF ; mime_unchecked(w, MIME_UNCHECKED_TNEF) ; if (w->stop) return ; }
      mime_tnef(w, w->body.s, n, 0) ;
      return ;
    }
  }
  if (isz && body(w, e, b, end, MIME_MAXZIP))
  { /* the central directory is at the end */
    if (w->body.len >= MIME_MAXZIP) { mime_unchecked(w, MIME_UNCHECKED_ZIP) ; if (w->stop) return ; }
    mime_zip(w, w->body.s, w->body.len) ;
  }
}

static void entity (struct walk *, size_t, size_t, unsigned int, int, int) ;

/* the parts of a multipart body s[b..end) */
static void multipart (struct walk *w, struct entity const *e, size_t b, size_t end, unsigned int depth)
{
  char const *s = w->s ;
  int digest = mime_eqi(e->type, e->typelen, "multipart/digest"), inpart = 0 ;
  size_t i = b, pstart = 0 ;
  while (i < end && !w->stop)
  {
    size_t ce, next = line(s, i, end, &ce), q = i + 2 + e->blen ;
    int close = 0 ;
    /* reformime takes every line that starts so, in any case, for a
       delimiter: one the walk does not take is a part it may not see */
    if (ce - i >= 2 + e->blen && s[i] == '-' && s[i+1] == '-' && mime_eqcase(s + i + 2, e->boundary, e->blen))
    {
      if (ce - q >= 2 && s[q] == '-' && s[q+1] == '-') { close = 1 ; q += 2 ; }
      while (q < ce && mime_isblank(s[q])) q++ ;
      if (q != ce || memcmp(s + i + 2, e->boundary, e->blen))
      {
        mime_unchecked(w, MIME_UNCHECKED_AMBIGUOUS_BOUNDARY) ;
        if (w->stop) return ;
      }
      else
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
  if (w->stop) return ;
  if (depth > MIME_MAXDEPTH) { mime_unchecked(w, MIME_UNCHECKED_DEPTH) ; return ; }
  if (w->parts >= MIME_MAXPARTS) { mime_unchecked(w, MIME_UNCHECKED_PARTS) ; return ; }
  w->parts++ ;
  b = header(w, start, end, top, &e) ;
  if (w->stop) return ;
  if (!e.hastype && digest) { memcpy(e.type, "message/rfc822", 15) ; e.typelen = 14 ; e.hastype = 1 ; }
  if (e.typelen > 10 && !memcmp(e.type, "multipart/", 10))
  {
    if (e.blen) multipart(w, &e, b, end, depth) ;
  }
  else if (mime_eqi(e.type, e.typelen, "message/rfc822")) entity(w, b, end, depth + 1, 0, 0) ;
  else leaf(w, &e, b, end) ;
}

int mime_walk (char const *s, size_t len, struct mime_sink const *sink)
{
  struct walk w = { .s = s, .len = len, .sink = sink, .parts = 0, .stop = 0, .nomem = 0,
    .field = STRALLOC_ZERO, .dec = STRALLOC_ZERO, .pbuf = STRALLOC_ZERO, .name = STRALLOC_ZERO,
    .seen = STRALLOC_ZERO, .body = STRALLOC_ZERO, .nseen = 0, .npar = 0, .zipname = 0, .told = 0 } ;
  entity(&w, 0, len, 1, 0, 1) ;
  stralloc_free(&w.field) ; stralloc_free(&w.dec) ; stralloc_free(&w.pbuf) ;
  stralloc_free(&w.name) ; stralloc_free(&w.seen) ; stralloc_free(&w.body) ;
  if (w.nomem) { errno = ENOMEM ; return 0 ; }
  return 1 ;
}
