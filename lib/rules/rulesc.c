/* rulesc.c: the rules compiler: the rules rulesread.c takes from the
   source files, vetted one by one, compiled into Hyperscan databases per
   scope and written as one file the way tcprules writes a cdb. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <hs/hs.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <skalibs/stralloc.h>

#include "rules/rules.h"
#include "rules/rulesread.h"

unsigned int rules_hsflags (unsigned int scope, unsigned int rflags)
{
  unsigned int f = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH ;
  if (scope == RS_RAW) f |= HS_FLAG_MULTILINE ;
  if (rflags & RF_PCRE) f |= HS_FLAG_PREFILTER ;
  return f ;
}

/* compiles one scope; rules Hyperscan refuses are retried as prefilters,
   confirmed by PCRE2 at match time */
static int compilescope (struct cstate *c, unsigned int scope, hs_database_t **db)
{
  size_t n = 0 ;
  char const **pats ;
  unsigned int *flags, *ids ;
  int ok = 0 ;
  *db = 0 ;
  for (size_t i = 0 ; i < c->n ; i++) n += c->v[i].r.scope == scope ;
  if (!n) return 1 ;
  pats = malloc(n * sizeof *pats) ; flags = malloc(n * sizeof *flags) ; ids = malloc(n * sizeof *ids) ;
  if (!pats || !flags || !ids) goto end ;
  for (;;)
  {
    hs_compile_error_t *ce = 0 ;
    size_t k = 0 ;
    struct crule *bad ;
    for (size_t i = 0 ; i < c->n ; i++) if (c->v[i].r.scope == scope)
    {
      pats[k] = c->v[i].pattern ; flags[k] = rules_hsflags(scope, c->v[i].r.flags) ; ids[k++] = i ;
    }
    if (hs_compile_multi(pats, flags, ids, n, HS_MODE_BLOCK, 0, db, &ce) == HS_SUCCESS) { ok = 1 ; break ; }
    if (ce->expression < 0)
    {
      snprintf(c->err, c->errlen, "unable to compile the %s rules: %s", rules_scopename[scope], ce->message) ;
      hs_free_compile_error(ce) ; errno = 0 ; break ;
    }
    bad = c->v + ids[ce->expression] ;
    if (!(bad->r.flags & RF_PCRE))
    {
      int e ; PCRE2_SIZE eo ;
      pcre2_code *re = pcre2_compile((PCRE2_SPTR)bad->pattern, PCRE2_ZERO_TERMINATED, PCRE2_MULTILINE | PCRE2_CASELESS, &e, &eo, 0) ;
      if (re) { pcre2_code_free(re) ; bad->r.flags |= RF_PCRE ; hs_free_compile_error(ce) ; continue ; }
      {
        PCRE2_UCHAR m[160] ;
        pcre2_get_error_message(e, m, sizeof m) ;
        snprintf(c->err, c->errlen, "%s:%u: bad pattern: %s (at offset %zu)", c->str.s + bad->r.file, bad->r.line, (char *)m, (size_t)eo) ;
      }
    }
    else snprintf(c->err, c->errlen, "%s:%u: bad pattern: %s", c->str.s + bad->r.file, bad->r.line, ce->message) ;
    hs_free_compile_error(ce) ; errno = 0 ;
    break ;
  }
 end:
  free(pats) ; free(flags) ; free(ids) ;
  return ok ;
}

/* the database as Hyperscan holds it in memory, laid out at an address
   aligned to 64 as the loader's will be (the start of a mapped file plus
   a multiple of 64): what it maps and scans with as it lies */
static int image (hs_database_t const *db, char **img, size_t *len)
{
  char *bytes = 0 ;
  size_t n, isz ;
  int ok = 0 ;
  *img = 0 ;
  if (hs_serialize_database(db, &bytes, &n) != HS_SUCCESS) return 0 ;
  if (hs_serialized_database_size(bytes, n, &isz) == HS_SUCCESS && !posix_memalign((void **)img, 64, isz))
  {
    memset(*img, 0, isz) ;
    ok = hs_deserialize_database_at(bytes, n, (hs_database_t *)*img) == HS_SUCCESS ;
    if (!ok) { free(*img) ; *img = 0 ; }
    *len = isz ;
  }
  free(bytes) ;
  return ok ;
}

/* a one-pattern database compiled as the others were (for this host),
   serialized: the loader deserializes it for Hyperscan's own checks */
static int probe (stralloc *body)
{
  char const *pat = "qhpsi" ;
  unsigned int flags = 0, id = 0 ;
  hs_database_t *db = 0 ;
  hs_compile_error_t *ce = 0 ;
  char *bytes = 0 ;
  size_t n = 0 ;
  uint64_t l64 ;
  int ok ;
  if (hs_compile_multi(&pat, &flags, &id, 1, HS_MODE_BLOCK, 0, &db, &ce) != HS_SUCCESS) { hs_free_compile_error(ce) ; return 0 ; }
  ok = hs_serialize_database(db, &bytes, &n) == HS_SUCCESS ;
  hs_free_database(db) ;
  if (!ok) return 0 ;
  l64 = n ;
  ok = stralloc_catb(body, (char *)&l64, 8) && stralloc_catb(body, bytes, n) ;
  free(bytes) ;
  while (ok && body->len % 8) ok = stralloc_0(body) ;
  return ok ;
}

static int writeall (int fd, char const *s, size_t n)
{
  while (n)
  {
    ssize_t r = write(fd, s, n) ;
    if (r < 0) { if (errno == EINTR) continue ; return 0 ; }
    s += r ; n -= r ;
  }
  return 1 ;
}

int rules_compile (char const *out, unsigned int n, enum rules_kind const *kinds, char const *const *files, struct rules_compileopt *o, char *err, size_t errlen)
{
  struct rules_compileopt none = { 0 } ;
  struct cstate c = { .str = STRALLOC_ZERO, .err = err, .errlen = errlen, .o = o ? o : &none } ;
  hs_database_t *db[RS_N] = { 0 } ;
  stralloc body = STRALLOC_ZERO, tmp = STRALLOC_ZERO ;
  struct rules_header h ;
  int ok = 0, fd = -1 ;
  char pid[32] ;

  err[0] = 0 ;
  c.o->nrefused = 0 ; c.o->nrules = 0 ;
  for (unsigned int i = 0 ; i < n ; i++) if (!rulesread_file(&c, kinds[i], files[i])) goto end ;
  if (c.o->nrefused && !c.o->keep)
  {
    snprintf(err, errlen, "%u line%s refused: nothing written (-k compiles the rest)", c.o->nrefused, c.o->nrefused > 1 ? "s" : "") ;
    errno = 0 ; goto end ;
  }
  if (c.n > UINT32_MAX / 2) { snprintf(err, errlen, "too many rules") ; errno = 0 ; goto end ; }
  for (unsigned int s = 0 ; s < RS_N ; s++) if (!compilescope(&c, s, &db[s])) goto end ;
  memset(&h, 0, sizeof h) ;
  memcpy(h.magic, RULES_MAGIC, 8) ;
  h.version = RULES_VERSION ; h.nrules = c.n ;
  while (c.str.len % 8) if (!stralloc_0(&c.str)) goto syserr ;
  h.strlen = c.str.len ;
  snprintf(h.hsversion, sizeof h.hsversion, "%s", hs_version()) ;
  if (!stralloc_catb(&body, (char *)&h, sizeof h)) goto syserr ;
  for (size_t i = 0 ; i < c.n ; i++) if (!stralloc_catb(&body, (char *)&c.v[i].r, sizeof c.v[i].r)) goto syserr ;
  if (!stralloc_catb(&body, c.str.s, c.str.len)) goto syserr ;
  for (unsigned int s = 0 ; s < RS_N ; s++)
  {
    char *img = 0 ;
    uint64_t l64 = 0, sum = 0 ;
    if (db[s])
    {
      size_t len ;
      if (!image(db[s], &img, &len)) { snprintf(err, errlen, "unable to store the %s rules", rules_scopename[s]) ; errno = 0 ; goto end ; }
      l64 = len ;
      sum = rules_sum(img, len) ;
    }
    if (!stralloc_catb(&body, (char *)&l64, 8) || !stralloc_catb(&body, (char *)&sum, 8)) { free(img) ; goto syserr ; }
    if (img)
    {
      while (body.len % 64) if (!stralloc_0(&body)) { free(img) ; goto syserr ; }
      if (!stralloc_catb(&body, img, l64)) { free(img) ; goto syserr ; }
      free(img) ;
    }
    while (body.len % 8) if (!stralloc_0(&body)) goto syserr ;
  }
  if (!probe(&body)) { snprintf(err, errlen, "unable to compile the platform probe") ; errno = 0 ; goto end ; }
  snprintf(pid, sizeof pid, ".tmp.%ld", (long)getpid()) ;
  if (!stralloc_cats(&tmp, out) || !stralloc_cats(&tmp, pid) || !stralloc_0(&tmp)) goto syserr ;
  fd = open(tmp.s, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644) ;
  if (fd < 0) { snprintf(err, errlen, "unable to create %s: %s", tmp.s, strerror(errno)) ; goto end ; }
  if (!writeall(fd, body.s, body.len) || fsync(fd) < 0 || close(fd) < 0)
  { fd = -1 ; snprintf(err, errlen, "unable to write %s: %s", tmp.s, strerror(errno)) ; unlink(tmp.s) ; goto end ; }
  fd = -1 ;
  if (rename(tmp.s, out) < 0) { snprintf(err, errlen, "unable to rename %s to %s: %s", tmp.s, out, strerror(errno)) ; unlink(tmp.s) ; goto end ; }
  c.o->nrules = c.n ;
  ok = 1 ;
  goto end ;
 syserr:
  snprintf(err, errlen, "out of memory") ;
 end:
  if (fd >= 0) close(fd) ;
  for (unsigned int s = 0 ; s < RS_N ; s++) if (db[s]) hs_free_database(db[s]) ;
  for (size_t i = 0 ; i < c.n ; i++) free(c.v[i].pattern) ;
  free(c.v) ;
  stralloc_free(&c.str) ; stralloc_free(&body) ; stralloc_free(&tmp) ;
  return ok ;
}
