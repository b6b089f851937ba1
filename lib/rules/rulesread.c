/* rulesread.c: the readers of the rules compiler: qmfilt files,
   qmail-scanner's quarantine-attachments.txt, attachment-name pattern
   lists and header rules, read as they are. A line that is not taken (a
   format it does not fit, a pattern neither Hyperscan nor PCRE2 compiles)
   is named with its reason, never dropped silently (qhpsi-rules(8)). */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hs/hs.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <skalibs/stralloc.h>

#include "rules/rulesread.h"

int rulesread_refuse (struct cstate *c, char const *file, unsigned int line, char const *why, ...)
{
  char buf[512] ;
  va_list ap ;
  va_start(ap, why) ;
  vsnprintf(buf, sizeof buf, why, ap) ;
  va_end(ap) ;
  /* the admin's terminal gets the reason, not the line's control bytes */
  for (char *p = buf ; *p ; p++) if ((unsigned char)*p < 32 || *p == 127) *p = '?' ;
  c->o->nrefused++ ;
  if (c->o->refused) (*c->o->refused)(c->o->ctx, file, line, buf) ;
  return 1 ;
}
#define fail rulesread_refuse

/* a field of a line, for a reason: at most 40 bytes of it */
#define FIELD(s, n) (int)((n) > 40 ? 40 : (n)), (s)

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

/* 1 if the pattern compiles alone: in Hyperscan as it is, else in PCRE2
   with a Hyperscan prefilter (RF_PCRE set); else 0, why says why */
static int accepts (struct crule *cr, char *why, size_t len)
{
  hs_expr_info_t *info = 0 ;
  hs_compile_error_t *ce = 0 ;
  pcre2_code *re ;
  int e ;
  PCRE2_SIZE eo ;
  if (hs_expression_info(cr->pattern, rules_hsflags(cr->r.scope, cr->r.flags), &info, &ce) == HS_SUCCESS) { free(info) ; return 1 ; }
  if (ce) hs_free_compile_error(ce) ;
  ce = 0 ;
  re = pcre2_compile((PCRE2_SPTR)cr->pattern, PCRE2_ZERO_TERMINATED, PCRE2_MULTILINE | PCRE2_CASELESS, &e, &eo, 0) ;
  if (!re)
  {
    PCRE2_UCHAR m[160] ;
    pcre2_get_error_message(e, m, sizeof m) ;
    snprintf(why, len, "%s (at offset %zu)", (char *)m, (size_t)eo) ;
    return 0 ;
  }
  pcre2_code_free(re) ;
  cr->r.flags |= RF_PCRE ;
  if (hs_expression_info(cr->pattern, rules_hsflags(cr->r.scope, cr->r.flags), &info, &ce) == HS_SUCCESS) { free(info) ; return 1 ; }
  snprintf(why, len, "%s", ce ? ce->message : "refused by Hyperscan") ;
  if (ce) hs_free_compile_error(ce) ;
  return 0 ;
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
  /* a pattern neither engine takes is refused here, so that the rules
     keep the numbers of the lines taken */
  {
    char why[200] ;
    if (!accepts(cr, why, sizeof why)) { free(cr->pattern) ; return fail(c, file, line, "bad pattern: %s", why) ; }
  }
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
  /* the common slip: one colon inside the size window, "::99000:105000::" */
  if ((y = rsep(s, end)) && y + 2 < end && memchr(y + 2, ':', end - y - 2))
    return fail(c, file, ln, "size window \"%.*s\" has a single colon: want ::minsize::maxsize::", FIELD(y + 2, end - y - 2)) ;
  if (!(a = sep(s, end)) || !(b = sep(a + 2, end)) || !(y = rsep(b + 2, end)) || !(x = rsep(b + 2, y)) || x < b + 2)
    return fail(c, file, ln, "want name::action::regex::minsize::maxsize::") ;
  if (!action_scan(a + 2, b - a - 2, &action) || action == RA_ALLOW)
    return fail(c, file, ln, "unknown action \"%.*s\" (drop, block, trap, back or empty)", FIELD(a + 2, b - a - 2)) ;
  if (!size_scan(x + 2, y - x - 2, &min, &flags, RF_MIN))
    return fail(c, file, ln, "bad minsize \"%.*s\" (digits, or empty for no bound)", FIELD(x + 2, y - x - 2)) ;
  if (!size_scan(y + 2, end - y - 2, &max, &flags, RF_MAX))
    return fail(c, file, ln, "bad maxsize \"%.*s\" (digits, or empty for no bound)", FIELD(y + 2, end - y - 2)) ;
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
      for (size_t i = 0 ; i < f2n ; i++) if (f2[i] < '0' || f2[i] > '9')
        return fail(c, file, ln, "bad size \"%.*s\" (digits, or Virus-HEADER:)", FIELD(f2, f2n)) ;
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
    return fail(c, file, ln, "unknown field \"%.*s\" (sender, from, to, cc, subject, x-mailer, message-id, reply-to)", FIELD(a + 2, b - a - 2)) ;
  if (!action_scan(b + 2, x - b - 2, &action)) return fail(c, file, ln, "unknown action \"%.*s\" (allow, drop, block, trap, back or empty)", FIELD(b + 2, x - b - 2)) ;
  if (action == RA_ALLOW) flags |= RF_ALLOW ;
  return addrule(c, file, ln, scope, action, s, a - s, x + 2, y - x - 2, y + 2, end - y - 2, flags, 0, 0) ;
}

typedef int linefn (struct cstate *, char const *, unsigned int, char const *, size_t) ;

int rulesread_file (struct cstate *c, enum rules_kind kind, char const *file)
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
    if (memchr(line, 0, n)) { rulesread_refuse(c, file, ln, "a NUL byte in the line") ; continue ; }
    /* a refused line is named and counted, and reading goes on */
    if (!(*fn[kind])(c, file, ln, line, n))
    {
      snprintf(c->err, c->errlen, "%s:%u: %s", file, ln, strerror(errno)) ;
      free(line) ; fclose(f) ; return 0 ;
    }
  }
  if (ferror(f)) { snprintf(c->err, c->errlen, "unable to read %s: %s", file, strerror(errno)) ; free(line) ; fclose(f) ; return 0 ; }
  free(line) ;
  fclose(f) ;
  return 1 ;
}
