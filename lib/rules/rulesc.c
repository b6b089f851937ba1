/* rulesc.c: the rules compiler. Reads qmfilt files, qmail-scanner's
   quarantine-attachments.txt, attachment-name pattern lists and header
   rules, and writes one compiled file the way tcprules writes a cdb. */

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


struct crule
{
  struct rules_rec r ;
  char *pattern ;   /* NUL-terminated, for Hyperscan and PCRE2 */
} ;

struct cstate
{
  struct crule *v ;
  size_t n, a ;
  stralloc str ;
  char *err ;
  size_t errlen ;
} ;

static int fail (struct cstate *c, char const *file, unsigned int line, char const *why)
{
  snprintf(c->err, c->errlen, "%s:%u: %s", file, line, why) ;
  errno = 0 ;
  return 0 ;
}

static uint32_t addstr (struct cstate *c, char const *s, size_t len, uint32_t *lenp)
{
  uint32_t off = c->str.len ;
  if (!stralloc_catb(&c->str, s, len) || !stralloc_0(&c->str)) return UINT32_MAX ;
  *lenp = len ;
  return off ;
}

static char *dupn (char const *s, size_t n)
{
  char *p = malloc(n + 1) ;
  if (p) { memcpy(p, s, n) ; p[n] = 0 ; }
  return p ;
}

/* appends a literal as a pattern that matches it exactly */
static int quote (stralloc *sa, char const *s, size_t n)
{
  static char const hex[] = "0123456789abcdef" ;
  for (size_t i = 0 ; i < n ; i++)
  {
    unsigned char ch = s[i] ;
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == ' ' || ch == '_' || ch == '-')
    { if (!stralloc_catb(sa, (char *)&ch, 1)) return 0 ; }
    else
    {
      char b[4] = { '\\', 'x', hex[ch >> 4], hex[ch & 15] } ;
      if (!stralloc_catb(sa, b, 4)) return 0 ;
    }
  }
  return 1 ;
}

static int addrule (struct cstate *c, char const *file, unsigned int line, unsigned int scope, unsigned int action,
  char const *name, size_t namelen, char const *pat, size_t patlen, char const *reply, size_t replylen,
  unsigned int flags, uint64_t min, uint64_t max)
{
  struct crule *cr ;
  if (!patlen) return fail(c, file, line, "empty pattern") ;
  if (!namelen) return fail(c, file, line, "empty rule name") ;
  if (memchr(pat, 0, patlen)) return fail(c, file, line, "NUL in pattern") ;
  if (c->n == c->a)
  {
    size_t a = c->a ? 2 * c->a : 64 ;
    struct crule *v = realloc(c->v, a * sizeof *v) ;
    if (!v) return 0 ;
    c->v = v ; c->a = a ;
  }
  cr = c->v + c->n ;
  memset(cr, 0, sizeof *cr) ;
  cr->r.scope = scope ; cr->r.action = action ; cr->r.flags = flags ; cr->r.line = line ;
  cr->r.minsize = min ; cr->r.maxsize = max ;
  cr->pattern = dupn(pat, patlen) ;
  if (!cr->pattern) return 0 ;
  if ((cr->r.name = addstr(c, name, namelen, &cr->r.namelen)) == UINT32_MAX
   || (cr->r.reply = addstr(c, reply, replylen, &cr->r.replylen)) == UINT32_MAX
   || (cr->r.src = addstr(c, pat, patlen, &cr->r.srclen)) == UINT32_MAX
   || (cr->r.file = addstr(c, file, strlen(file), &cr->r.filelen)) == UINT32_MAX)
  { free(cr->pattern) ; return 0 ; }
  c->n++ ;
  return 1 ;
}

static int action_scan (char const *s, size_t n, unsigned int *a)
{
  for (unsigned int i = 0 ; i <= RA_ALLOW ; i++)
    if (strlen(rules_actionname[i]) == n && !strncasecmp(s, rules_actionname[i], n)) { *a = i ; return 1 ; }
  return 0 ;
}

static int size_scan (char const *s, size_t n, uint64_t *v, unsigned int *set, unsigned int bit)
{
  uint64_t x = 0 ;
  if (!n) return 1 ;
  for (size_t i = 0 ; i < n ; i++)
  {
    if (s[i] < '0' || s[i] > '9' || x > (UINT64_MAX - 9) / 10) return 0 ;
    x = x * 10 + (s[i] - '0') ;
  }
  *v = x ; *set |= bit ;
  return 1 ;
}

/* the n-th "::" after s, or 0 */
static char const *sep (char const *s, char const *end)
{
  for (char const *p = s ; p + 1 < end ; p++) if (p[0] == ':' && p[1] == ':') return p ;
  return 0 ;
}
static char const *rsep (char const *s, char const *end)
{
  for (char const *p = end - 2 ; p >= s ; p--) if (p[0] == ':' && p[1] == ':') return p ;
  return 0 ;
}

/* name::action::regex::minsize::maxsize:: (the regex may hold "::") */
static int line_qmfilt (struct cstate *c, char const *file, unsigned int ln, char const *s, size_t n)
{
  char const *end = s + n, *a, *b, *x, *y ;
  unsigned int action, flags = 0 ;
  uint64_t min = 0, max = 0 ;
  if (n < 2 || s[n-2] != ':' || s[n-1] != ':') return fail(c, file, ln, "a qmfilt rule ends with \"::\"") ;
  end -= 2 ;
  if (!(a = sep(s, end)) || !(b = sep(a + 2, end)) || !(y = rsep(b + 2, end)) || !(x = rsep(b + 2, y)) || x < b + 2)
    return fail(c, file, ln, "want name::action::regex::minsize::maxsize::") ;
  if (!action_scan(a + 2, b - a - 2, &action) || action == RA_ALLOW)
    return fail(c, file, ln, "unknown action (drop, block, trap, back or empty)") ;
  if (!size_scan(x + 2, y - x - 2, &min, &flags, RF_MIN) || !size_scan(y + 2, end - y - 2, &max, &flags, RF_MAX))
    return fail(c, file, ln, "bad size") ;
  if ((flags & RF_MIN) && (flags & RF_MAX) && min > max) return fail(c, file, ln, "minsize above maxsize") ;
  return addrule(c, file, ln, RS_RAW, action, s, a - s, b + 2, x - b - 2, "", 0, flags, min, max) ;
}

static int headerscope (char const *s, size_t n, unsigned int *scope)
{
  for (unsigned int i = RS_SENDER ; i < RS_N ; i++)
    if (strlen(rules_scopename[i]) == n && !strncasecmp(s, rules_scopename[i], n)) { *scope = i ; return 1 ; }
  return 0 ;
}

/* NAME<TAB>SIZE<TAB>DESCRIPTION, or STRING<TAB>Virus-HEADER:<TAB>DESCRIPTION */
static int line_attach (struct cstate *c, char const *file, unsigned int ln, char const *s, size_t n)
{
  char const *end = s + n, *t1 = memchr(s, '\t', n), *t2, *d ;
  stralloc pat = STRALLOC_ZERO ;
  unsigned int scope ;
  int r ;
  if (!t1) return fail(c, file, ln, "want NAME<TAB>SIZE<TAB>DESCRIPTION") ;
  for (t2 = t1 ; t2 < end && *t2 == '\t' ; t2++) ;
  d = memchr(t2, '\t', end - t2) ;
  if (!d) d = end ;
  {
    char const *f2 = t2 ; size_t f2n = d - t2 ;
    while (d < end && *d == '\t') d++ ;
    if (t1 == s) return fail(c, file, ln, "empty name") ;
    if (f2n > 7 && !strncasecmp(f2, "Virus-", 6) && f2[f2n-1] == ':')
    {
      if (!headerscope(f2 + 6, f2n - 7, &scope)) return fail(c, file, ln, "unknown header (Virus-From:, Virus-To:, Virus-Cc:, Virus-Subject:, Virus-X-Mailer:, Virus-Message-ID:, Virus-Reply-To:)") ;
      if (!quote(&pat, s, t1 - s)) return 0 ;
    }
    else
    {
      for (size_t i = 0 ; i < f2n ; i++) if (f2[i] < '0' || f2[i] > '9') return fail(c, file, ln, "bad size") ;
      scope = RS_BARENAME ;
      if (*s == '.') { if (!quote(&pat, s, t1 - s) || !stralloc_cats(&pat, "$")) return 0 ; }
      else if (!stralloc_cats(&pat, "^") || !quote(&pat, s, t1 - s) || !stralloc_cats(&pat, "$")) return 0 ;
    }
  }
  r = d < end ? addrule(c, file, ln, scope, RA_NONE, d, end - d, pat.s, pat.len, "", 0, 0, 0, 0)
              : addrule(c, file, ln, scope, RA_NONE, s, t1 - s, pat.s, pat.len, "", 0, 0, 0, 0) ;
  stralloc_free(&pat) ;
  return r ;
}

/* one pattern a line, matched against "filename=NAME"; a pattern is no
   name to show a sender, so the rule is named LIST:LINE, LIST the list
   file's base name without its extension */
static int line_names (struct cstate *c, char const *file, unsigned int ln, char const *s, size_t n)
{
  char name[80] ;
  char const *base = strrchr(file, '/') ;
  size_t bl ;
  base = base ? base + 1 : file ;
  bl = strcspn(base, ".") ;
  if (!bl) bl = strlen(base) ;
  if (bl > 60) bl = 60 ;
  memcpy(name, base, bl) ;
  bl += snprintf(name + bl, sizeof name - bl, ":%u", ln) ;
  return addrule(c, file, ln, RS_FILENAME, RA_NONE, name, bl, s, n, "", 0, 0, 0, 0) ;
}

/* name::field::action::regex::reply:: */
static int line_headers (struct cstate *c, char const *file, unsigned int ln, char const *s, size_t n)
{
  char const *end = s + n, *a, *b, *x, *y ;
  unsigned int scope, action, flags = 0 ;
  if (n < 2 || s[n-2] != ':' || s[n-1] != ':') return fail(c, file, ln, "a header rule ends with \"::\"") ;
  end -= 2 ;
  if (!(a = sep(s, end)) || !(b = sep(a + 2, end)) || !(x = sep(b + 2, end)) || !(y = rsep(x + 2, end)) || y < x + 2)
    return fail(c, file, ln, "want name::field::action::regex::reply::") ;
  if (!headerscope(a + 2, b - a - 2, &scope))
    return fail(c, file, ln, "unknown field (sender, from, to, cc, subject, x-mailer, message-id, reply-to)") ;
  if (!action_scan(b + 2, x - b - 2, &action)) return fail(c, file, ln, "unknown action (allow, drop, block, trap, back or empty)") ;
  if (action == RA_ALLOW) flags |= RF_ALLOW ;
  return addrule(c, file, ln, scope, action, s, a - s, x + 2, y - x - 2, y + 2, end - y - 2, flags, 0, 0) ;
}

typedef int linefn (struct cstate *, char const *, unsigned int, char const *, size_t) ;

static int readsource (struct cstate *c, enum rules_kind kind, char const *file)
{
  static linefn *const fn[] = { line_qmfilt, line_attach, line_names, line_headers } ;
  FILE *f = fopen(file, "re") ;
  char *line = 0 ;
  size_t a = 0 ;
  ssize_t r ;
  unsigned int ln = 0 ;
  if (!f) { snprintf(c->err, c->errlen, "unable to open %s: %s", file, strerror(errno)) ; return 0 ; }
  while ((r = getline(&line, &a, f)) >= 0)
  {
    size_t n = r ;
    ln++ ;
    while (n && (line[n-1] == '\n' || line[n-1] == '\r')) n-- ;
    if (kind != RK_ATTACH) while (n && (line[n-1] == ' ' || line[n-1] == '\t')) n-- ;
    if (!n || line[0] == '#') continue ;
    if (kind == RK_ATTACH && strspn(line, " \t") == n) continue ;
    if (!(*fn[kind])(c, file, ln, line, n))
    {
      if (errno) snprintf(c->err, c->errlen, "%s:%u: %s", file, ln, strerror(errno)) ;
      free(line) ; fclose(f) ; return 0 ;
    }
  }
  if (ferror(f)) { snprintf(c->err, c->errlen, "unable to read %s: %s", file, strerror(errno)) ; free(line) ; fclose(f) ; return 0 ; }
  free(line) ;
  fclose(f) ;
  return 1 ;
}

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

int rules_compile (char const *out, unsigned int n, enum rules_kind const *kinds, char const *const *files, char *err, size_t errlen)
{
  struct cstate c = { .str = STRALLOC_ZERO, .err = err, .errlen = errlen } ;
  hs_database_t *db[RS_N] = { 0 } ;
  stralloc body = STRALLOC_ZERO, tmp = STRALLOC_ZERO ;
  struct rules_header h ;
  int ok = 0, fd = -1 ;
  char pid[32] ;

  err[0] = 0 ;
  for (unsigned int i = 0 ; i < n ; i++) if (!readsource(&c, kinds[i], files[i])) goto end ;
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
    char *bytes = 0 ; size_t len = 0 ; uint64_t l64 ;
    if (db[s] && hs_serialize_database(db[s], &bytes, &len) != HS_SUCCESS) { snprintf(err, errlen, "unable to serialize the %s rules", rules_scopename[s]) ; errno = 0 ; goto end ; }
    l64 = len ;
    if (!stralloc_catb(&body, (char *)&l64, 8) || (len && !stralloc_catb(&body, bytes, len))) { free(bytes) ; goto syserr ; }
    free(bytes) ;
    while (body.len % 8) if (!stralloc_0(&body)) goto syserr ;
  }
  snprintf(pid, sizeof pid, ".tmp.%ld", (long)getpid()) ;
  if (!stralloc_cats(&tmp, out) || !stralloc_cats(&tmp, pid) || !stralloc_0(&tmp)) goto syserr ;
  fd = open(tmp.s, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644) ;
  if (fd < 0) { snprintf(err, errlen, "unable to create %s: %s", tmp.s, strerror(errno)) ; goto end ; }
  if (!writeall(fd, body.s, body.len) || fsync(fd) < 0 || close(fd) < 0)
  { fd = -1 ; snprintf(err, errlen, "unable to write %s: %s", tmp.s, strerror(errno)) ; unlink(tmp.s) ; goto end ; }
  fd = -1 ;
  if (rename(tmp.s, out) < 0) { snprintf(err, errlen, "unable to rename %s to %s: %s", tmp.s, out, strerror(errno)) ; unlink(tmp.s) ; goto end ; }
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
