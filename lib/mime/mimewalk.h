/* mimewalk.h: the MIME walker's insides, shared by mime.c, mimeparam.c,
   mimedecode.c and zipdir.c; nothing outside lib/mime/ includes it. */

#ifndef MIMEWALK_H
#define MIMEWALK_H

#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <skalibs/stralloc.h>
/* after mime/mime.h, whose limits size the arrays below (including it here
   would make the two one module, which t-layout forbids) */
struct mime_sink ;

static inline int mime_isblank (char c) { return c == ' ' || c == '\t' ; }
static inline int mime_iswsp (char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' ; }
static inline int mime_eqi (char const *s, size_t len, char const *lit)
{
  size_t n = strlen(lit) ;
  return len == n && !strncasecmp(s, lit, n) ;
}
/* equal but for ASCII case, NUL bytes and all */
static inline int mime_eqcase (char const *a, char const *b, size_t n)
{
  for (size_t i = 0 ; i < n ; i++)
  {
    unsigned char x = a[i], y = b[i] ;
    if (x >= 'A' && x <= 'Z') x += 32 ;
    if (y >= 'A' && y <= 'Z') y += 32 ;
    if (x != y) return 0 ;
  }
  return 1 ;
}

#define MAXPARAMS MIME_MAXPARAMS
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
  char const *told ;  /* the last reason given to the unchecked callback */
} ;

struct entity
{
  char type[MIME_MAXTYPE] ;
  size_t typelen ;
  char boundary[MIME_MAXBOUNDARY] ;
  size_t blen ;
  int hastype, enc ;  /* enc: 0 as is, 1 base64, 2 quoted-printable */
  int ntype, nenc ;   /* Content-Type and -Transfer-Encoding fields seen */
} ;

/* lib/rules/mime.c */
extern void mime_nomem (struct walk *w) ;
/* tells the sink's unchecked callback why (MIME_UNCHECKED_*) */
extern void mime_unchecked (struct walk *w, char const *why) ;
/* reports a name found in from (enum mime_origin), cut to MIME_MAXNAME at
   a UTF-8 boundary; a part's parameter names once each */
extern void mime_report (struct walk *w, char const *s, size_t len, unsigned int from) ;

/* lib/rules/mimeparam.c */
/* Splits a structured value "token; attr=value; ..." into w->par; returns
   the end of the leading token, whose start is at *tok. */
extern size_t mime_params (struct walk *w, char const *s, size_t len, size_t *tok) ;
/* reports every name the parameter base gives: plain, base*, base*0... */
extern void mime_names (struct walk *w, char const *base) ;

/* lib/rules/zipdir.c: reports the names of the zip b (n bytes) */
extern void mime_zip (struct walk *w, char const *b, size_t n) ;

/* lib/mime/uuencode.c: reports the names of the uuencoded blocks of the
   text t (n bytes), and what those that are zips or TNEF hold; depth: how
   deep in attachments of attachments t is */
extern void mime_uuencode (struct walk *w, char const *t, size_t n, unsigned int depth) ;

/* lib/mime/tnef.c */
#define MIME_TNEFSIG "\x78\x9f\x3e\x22"
/* reports the attachment names of the TNEF stream b (n bytes, signature first) */
extern void mime_tnef (struct walk *w, char const *b, size_t n, unsigned int depth) ;
/* what the decoded attachment b (n bytes) holds: a zip's member names (when
   zipname, a name of it ends in .zip, or its bytes say zip), a TNEF stream's names */
extern void mime_contents (struct walk *w, char const *b, size_t n, int zipname, unsigned int depth) ;
/* 1 if the name s (len bytes) ends in .zip */
extern int mime_zipname (char const *s, size_t len) ;

/* lib/rules/mimedecode.c: each decoder appends at most max bytes to sa;
   1 done, 0 bad input (strict mode only; sa back as it was), -1 ENOMEM */
extern int mime_hexval (unsigned char c) ;
extern int mime_b64 (stralloc *sa, char const *s, size_t len, size_t max, int strict) ;
/* hdr: the RFC 2047 Q form (_ is a space, no soft breaks) */
extern int mime_qp (stralloc *sa, char const *s, size_t len, size_t max, int hdr) ;
/* Appends s converted from charset cs to UTF-8. 1, 0 when iconv cannot
   (sa as it was), -1 ENOMEM. Only plain charset names reach iconv. */
extern int mime_convert (stralloc *sa, char const *cs, size_t cslen, char const *s, size_t len) ;

#endif
