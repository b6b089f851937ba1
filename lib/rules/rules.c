/* rules.c: loads a compiled rules file (qhpsi-rules(8)) and matches a
   message against it: the raw message, then the attachment names and the
   top-level header fields mime_walk finds, then the envelope sender. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <hs/hs.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <skalibs/stralloc.h>

#include "mime/mime.h"
#include "rules/rules.h"

/* the names, here: the plugin links this file without the compiler */
char const *const rules_scopename[RS_N] =
  { "message", "filename", "attachment", "sender", "from", "to", "cc", "subject", "x-mailer", "message-id", "reply-to" } ;
char const *const rules_actionname[] = { "", "drop", "block", "trap", "back", "allow" } ;

struct rules
{
  char *map ;
  size_t maplen ;
  struct rules_header const *h ;
  struct rules_rec const *rec ;
  char const *str ;
  hs_database_t const *db[RS_N] ; /* where they lie in the map */
  hs_scratch_t *scratch ;
  pcre2_code **re ;           /* compiled on first need, for RF_PCRE rules */
  pcre2_match_data *md ;
  uint64_t until ;            /* CLOCK_MONOTONIC ms past which no rule is confirmed; 0: none */
  unsigned int mimeneeded : 1 ;
} ;

void rules_deadline (struct rules *r, uint64_t until) { r->until = until ; }

static uint64_t nowms (void)
{
  struct timespec ts ;
  clock_gettime(CLOCK_MONOTONIC, &ts) ;
  return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 ;
}

uint32_t rules_count (struct rules const *r) { return r->h->nrules ; }
struct rules_rec const *rules_rule (struct rules const *r, uint32_t i) { return r->rec + i ; }
char const *rules_str (struct rules const *r, uint32_t off) { return r->str + off ; }

void rules_free (struct rules *r)
{
  if (!r) return ;
  if (r->scratch) hs_free_scratch(r->scratch) ;
  if (r->re)
  {
    for (uint32_t i = 0 ; i < r->h->nrules ; i++) if (r->re[i]) pcre2_code_free(r->re[i]) ;
    free(r->re) ;
  }
  if (r->md) pcre2_match_data_free(r->md) ;
  if (r->map) munmap(r->map, r->maplen) ;
  free(r) ;
}

static struct rules *bad (struct rules *r, char *err, size_t errlen, char const *why)
{
  snprintf(err, errlen, "%s", why) ;
  rules_free(r) ;
  return 0 ;
}

uint64_t rules_sum (char const *s, size_t len)
{
  /* four independent lanes of multiply, xor and shift, 32 bytes a round:
     a few tens of microseconds for a database of 400 KB */
  uint64_t h[4] = { 0x243f6a8885a308d3u, 0x13198a2e03707344u, 0xa4093822299f31d0u, 0x082efa98ec4e6c89u } ;
  uint64_t w, x = len ;
  size_t i = 0 ;
  for (; len - i >= 32 ; i += 32)
    for (unsigned int k = 0 ; k < 4 ; k++)
    {
      memcpy(&w, s + i + 8 * k, 8) ;
      h[k] = (h[k] ^ w) * 0x9e3779b97f4a7c15u ;
      h[k] ^= h[k] >> 29 ;
    }
  for (; i < len ; i++) x = (x ^ (unsigned char)s[i]) * 0x100000001b3u ;
  for (unsigned int k = 0 ; k < 4 ; k++) x = (x ^ h[k]) * 0x9e3779b97f4a7c15u ^ (x >> 31) ;
  return x ;
}

/* the probe at *off, deserialized, so that Hyperscan itself says whether
   databases compiled as it was run on this version and this CPU; 1, or 0
   with err filled and r freed */
static int probe (struct rules *r, size_t *off, char *err, size_t errlen)
{
  uint64_t len ;
  hs_database_t *db = 0 ;
  hs_error_t e ;
  int any = 0 ;
  if (r->maplen - *off < 8) { bad(r, err, errlen, "truncated rules file") ; return 0 ; }
  memcpy(&len, r->map + *off, 8) ;
  *off += 8 ;
  if (!len || len > r->maplen - *off) { bad(r, err, errlen, "truncated rules file") ; return 0 ; }
  for (unsigned int s = 0 ; s < RS_N ; s++) any |= !!r->db[s] ;
  /* a set without databases runs nothing of Hyperscan's */
  e = any ? hs_deserialize_database(r->map + *off, len, &db) : HS_SUCCESS ;
  if (db) hs_free_database(db) ;
  *off += len ;
  while (*off % 8) (*off)++ ;
  if (*off > r->maplen) { bad(r, err, errlen, "truncated rules file") ; return 0 ; }
  if (e == HS_SUCCESS) return 1 ;
  bad(r, err, errlen, e == HS_DB_VERSION_ERROR ? "rules database of another Hyperscan version: recompile it with qhpsi-rules"
    : e == HS_DB_PLATFORM_ERROR ? "rules database built for another platform: recompile it with qhpsi-rules" : "corrupt rules database") ;
  return 0 ;
}

struct rules *rules_load (int fd, char *err, size_t errlen)
{
  struct stat st ;
  struct rules *r = calloc(1, sizeof *r) ;
  size_t off ;
  if (!r) return bad(r, err, errlen, "out of memory") ;
  if (fstat(fd, &st) < 0) return bad(r, err, errlen, "unable to stat the rules file") ;
  if ((uint64_t)st.st_size < sizeof(struct rules_header) || (uint64_t)st.st_size > SIZE_MAX)
    return bad(r, err, errlen, "rules file too short: not a compiled rules file") ;
  r->maplen = st.st_size ;
  /* every page now, in one call, rather than a fault per page later */
  r->map = mmap(0, r->maplen, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0) ;
  if (r->map == MAP_FAILED) { r->map = 0 ; return bad(r, err, errlen, "unable to map the rules file") ; }
  r->h = (struct rules_header const *)r->map ;
  if (memcmp(r->h->magic, RULES_MAGIC, 8)) return bad(r, err, errlen, "not a compiled rules file (bad magic)") ;
  if (r->h->version != RULES_VERSION) return bad(r, err, errlen, "compiled rules file of another format version: recompile it with qhpsi-rules") ;
  if (memchr(r->h->hsversion, 0, RULES_HSVERLEN) == 0 || strncmp(r->h->hsversion, hs_version(), RULES_HSVERLEN - 1))
  {
    snprintf(err, errlen, "rules compiled with another Hyperscan (%.40s): recompile them with qhpsi-rules", memchr(r->h->hsversion, 0, RULES_HSVERLEN) ? r->h->hsversion : "?") ;
    rules_free(r) ; return 0 ;
  }
  off = sizeof *r->h ;
  if ((r->maplen - off) / sizeof(struct rules_rec) < r->h->nrules) return bad(r, err, errlen, "truncated rules file") ;
  r->rec = (struct rules_rec const *)(r->map + off) ;
  off += (size_t)r->h->nrules * sizeof(struct rules_rec) ;
  if (r->maplen - off < r->h->strlen || (r->h->strlen && r->map[off + r->h->strlen - 1])) return bad(r, err, errlen, "truncated rules file") ;
  r->str = r->map + off ;
  for (uint32_t i = 0 ; i < r->h->nrules ; i++)
  {
    struct rules_rec const *x = r->rec + i ;
    if (x->scope >= RS_N || x->action > RA_ALLOW
     || x->name >= r->h->strlen || r->h->strlen - x->name <= x->namelen
     || x->reply >= r->h->strlen || r->h->strlen - x->reply <= x->replylen
     || x->src >= r->h->strlen || r->h->strlen - x->src <= x->srclen
     || x->file >= r->h->strlen || r->h->strlen - x->file <= x->filelen
     /* each string ends where its length says */
     || r->str[x->name + x->namelen] || r->str[x->reply + x->replylen]
     || r->str[x->src + x->srclen] || r->str[x->file + x->filelen])
      return bad(r, err, errlen, "corrupt rule table in the rules file") ;
  }
  off += r->h->strlen ;
  for (unsigned int s = 0 ; s < RS_N ; s++)
  {
    uint64_t len, sum ;
    size_t size ;
    if (r->maplen - off < 16) return bad(r, err, errlen, "truncated rules file") ;
    memcpy(&len, r->map + off, 8) ;
    memcpy(&sum, r->map + off + 8, 8) ;
    off += 16 ;
    if (len)
    {
      off = (off + 63) & ~(size_t)63 ;
      if (off > r->maplen || len > r->maplen - off) return bad(r, err, errlen, "truncated rules file") ;
      if (rules_sum(r->map + off, len) != sum) return bad(r, err, errlen, "corrupt rules database") ;
      r->db[s] = (hs_database_t const *)(r->map + off) ;
      if (hs_database_size(r->db[s], &size) != HS_SUCCESS || size != len) { r->db[s] = 0 ; return bad(r, err, errlen, "corrupt rules database") ; }
      if (s != RS_RAW && s != RS_SENDER) r->mimeneeded = 1 ;
    }
    off += len ;
    while (off % 8) off++ ;
    if (off > r->maplen) return bad(r, err, errlen, "truncated rules file") ;
  }
  if (!probe(r, &off, err, errlen)) return 0 ;
  for (unsigned int s = 0 ; s < RS_N ; s++)
    if (r->db[s] && hs_alloc_scratch(r->db[s], &r->scratch) != HS_SUCCESS) return bad(r, err, errlen, "unable to allocate Hyperscan scratch") ;
  if (off != r->maplen) return bad(r, err, errlen, "trailing bytes in the rules file") ;
  return r ;
}

struct mctx
{
  struct rules *r ;
  char const *subj ;
  size_t len ;
  size_t msgsize ;
  unsigned int scope ;
  uint32_t best ;
  int allowed ;
  int failed ;
  char const *unchecked ;  /* the walk's first MIME_UNCHECKED_*, or 0 */
  rules_explain_fn *explain ;
  void *ectx ;
} ;

/* 1 the prefiltered rule really matches, 0 not, -1 error */
static int confirm (struct mctx *m, uint32_t id)
{
  struct rules *r = m->r ;
  int rc ;
  if (!r->re && !(r->re = calloc(r->h->nrules, sizeof *r->re))) return -1 ;
  if (!r->md && !(r->md = pcre2_match_data_create(1, 0))) return -1 ;
  if (!r->re[id])
  {
    int e ; PCRE2_SIZE eo ;
    struct rules_rec const *x = r->rec + id ;
    r->re[id] = pcre2_compile((PCRE2_SPTR)(r->str + x->src), x->srclen,
      PCRE2_CASELESS | (x->scope == RS_RAW ? PCRE2_MULTILINE : 0), &e, &eo, 0) ;
    if (!r->re[id]) return -1 ;
    pcre2_jit_compile(r->re[id], PCRE2_JIT_COMPLETE) ;
  }
  rc = pcre2_match(r->re[id], (PCRE2_SPTR)m->subj, m->len, 0, 0, r->md, 0) ;
  if (rc >= 0) return 1 ;
  return rc == PCRE2_ERROR_NOMATCH ? 0 : -1 ;
}

static int onmatch (unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags, void *ctx)
{
  struct mctx *m = ctx ;
  struct rules_rec const *x = m->r->rec + id ;
  int inwindow ;
  (void)from ; (void)flags ;
  /* the databases hold rule numbers: one past the table is a damaged file */
  if (id >= m->r->h->nrules) { m->failed = 4 ; return 1 ; }
  inwindow = !((x->flags & RF_MIN) && m->msgsize < x->minsize) && !((x->flags & RF_MAX) && m->msgsize > x->maxsize) ;
  if (!inwindow) { if (m->explain) (*m->explain)(m->ectx, id, m->subj, m->len, RULES_SKIP, 0) ; return 0 ; }
  if (x->flags & RF_PCRE)
  {
    int c ;
    /* a confirmation is where the time goes, when it goes: the deadline is
       kept between them (PCRE2's match limit bounds each) */
    if (m->r->until && nowms() >= m->r->until) { m->failed = 5 ; return 1 ; }
    c = confirm(m, id) ;
    if (c < 0) { m->failed = 1 ; return 1 ; }
    if (!c) return 0 ;
  }
  if (m->explain)
  {
    char const *s = m->subj, *e ;
    size_t t = to > m->len ? m->len : to ;
    if (m->scope == RS_RAW && t)
    { /* the line where the match ends */
      char const *b = s + t - 1 ;
      while (b > s && b[-1] != '\n') b-- ;
      e = memchr(s + t - 1, '\n', m->len - t + 1) ;
      if (!e) e = s + m->len ;
      (*m->explain)(m->ectx, id, b, e - b, RULES_MATCH, 0) ;
    }
    else (*m->explain)(m->ectx, id, s, m->len, RULES_MATCH, 0) ;
  }
  if (x->flags & RF_ALLOW) { m->allowed = 1 ; return 1 ; }
  if (id < m->best) m->best = id ;
  return 0 ;
}

static int scan (struct mctx *m, unsigned int scope, char const *s, size_t len)
{
  hs_error_t e ;
  if (!m->r->db[scope] || m->allowed || m->failed) return 1 ;
  if (len > UINT32_MAX) { m->failed = 2 ; return 0 ; }
  m->subj = s ; m->len = len ; m->scope = scope ;
  e = hs_scan(m->r->db[scope], s ? s : "", len, 0, m->r->scratch, &onmatch, m) ;
  if (e != HS_SUCCESS && e != HS_SCAN_TERMINATED) { m->failed = 3 ; return 0 ; }
  return !m->failed ;
}

static int onheader (void *ctx, char const *name, size_t namelen, char const *value, size_t valuelen)
{
  struct mctx *m = ctx ;
  for (unsigned int s = RS_FROM ; s < RS_N ; s++)
    if (strlen(rules_scopename[s]) == namelen && !strncasecmp(name, rules_scopename[s], namelen))
      return scan(m, s, value, valuelen) && !m->allowed ;
  return 1 ;
}

static int onunchecked (void *ctx, char const *why)
{
  struct mctx *m = ctx ;
  if (!m->unchecked) m->unchecked = why ;
  return 1 ;  /* a rule may still match what was read */
}

/* the length of name as the recipient's system will open it: up to the
   first NUL (C strings end there), without trailing dots and blanks (which
   Windows drops: "evil.exe. " is evil.exe) */
size_t rules_namelen (char const *name, size_t len)
{
  char const *z = memchr(name, 0, len) ;
  if (z) len = z - name ;
  while (len && (name[len-1] == '.' || name[len-1] == ' ' || name[len-1] == '\t')) len-- ;
  return len ;
}

static int matchname (struct mctx *m, char const *name, size_t len)
{
  char buf[9 + MIME_MAXNAME] ;
  if (m->r->db[RS_FILENAME])
  {
    size_t n = len > sizeof buf - 9 ? sizeof buf - 9 : len ;
    memcpy(buf, "filename=", 9) ;
    memcpy(buf + 9, name, n) ;
    if (!scan(m, RS_FILENAME, buf, 9 + n)) return 0 ;
  }
  return scan(m, RS_BARENAME, name, len) && !m->allowed ;
}

static int onname (void *ctx, char const *name, size_t len, enum mime_origin from)
{
  struct mctx *m = ctx ;
  size_t n ;
  if (m->explain) (*m->explain)(m->ectx, UINT32_MAX, name, len, RULES_NAME, mime_originname[from]) ;
  if (from != MIME_FROM_PARAM)
  { /* a file of a zip, uuencode or TNEF is matched by its own name, as an
       attachment is, not its path; uudecode and Windows readers cut it so */
    char const *p = memrchr(name, '/', len) ;
    if (from != MIME_FROM_ZIP)
    {
      char const *q = memrchr(name, '\\', len) ;
      if (q && (!p || q > p)) p = q ;
    }
    if (p) { len -= p + 1 - name ; name = p + 1 ; }
  }
  /* the name as the system runs it, then as written, if that differs */
  n = rules_namelen(name, len) ;
  if (n && !matchname(m, name, n)) return 0 ;
  return n == len || matchname(m, name, len) ;
}

int rules_match (struct rules *r, char const *msg, size_t len, char const *sender, uint32_t *hit, int *allowed, char const **unchecked, rules_explain_fn *explain, void *ctx, char *err, size_t errlen)
{
  struct mctx m = { .r = r, .msgsize = len, .best = UINT32_MAX, .explain = explain, .ectx = ctx } ;
  struct mime_sink sink = { .ctx = &m, .header = &onheader, .name = &onname, .unchecked = &onunchecked } ;
  *allowed = 0 ;
  *unchecked = 0 ;
  /* the whitelist wins: the header and sender rules run first when the set has any */
  if (sender) scan(&m, RS_SENDER, sender, strlen(sender)) ;
  if (r->mimeneeded && !m.allowed && !m.failed && !mime_walk(msg, len, &sink))
  { snprintf(err, errlen, "out of memory in the MIME parser") ; return -1 ; }
  scan(&m, RS_RAW, msg, len) ;
  if (m.failed)
  {
    snprintf(err, errlen, "%s", m.failed == 2 ? "message too large for the rules" : m.failed == 3 ? "Hyperscan scan failed"
      : m.failed == 4 ? "corrupt rules database: a rule number past the rule table" : m.failed == 5 ? "timed out"
      : "PCRE2 confirmation failed") ;
    return -1 ;
  }
  if (m.allowed) { *allowed = 1 ; return 0 ; }
  if (m.best == UINT32_MAX)
  {
    *unchecked = m.unchecked ;
    return m.unchecked ? 2 : 0 ;
  }
  *hit = m.best ;
  return 1 ;
}
