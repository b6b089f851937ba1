/* report.c: counts the qhpsi lines of multilog directories over a time
   range, and prints the morning report as text (html.c: as a page). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skalibs/buffer.h>
#include <skalibs/types.h>
#include "report/logdir.h"
#include "report/report.h"

void report_init (report *r, time_t start, time_t end)
{
  memset(r, 0, sizeof *r) ;
  r->start = start ; r->end = end ;
}

static void freecounts (report_count *v, unsigned int n)
{
  for (unsigned int i = 0 ; i < n ; i++) free(v[i].key) ;
  free(v) ;
}

void report_free (report *r)
{
  freecounts(r->sigs, r->nsigs) ; freecounts(r->ips, r->nips) ;
  freecounts(r->senders, r->nsenders) ; freecounts(r->hosts, r->nhosts) ;
  freecounts(r->spamactions, r->nspamactions) ;
  free(r->ms) ; free(r->srcs) ; free(r->scores) ;
  report_init(r, r->start, r->end) ;
}

/* 1 if c's key is f's bytes: by length first, for a field longer than the
   key or holding a NUL */
static int keyis (report_count const *c, lfield const *f)
{
  return c->keylen == f->len && !memcmp(c->key, f->s, f->len) ;
}

/* m: count in the second figure instead */
static int bump (report_count **v, unsigned int *n, lfield const *f, int m)
{
  static lfield const dash = { "-", 1 } ;
  if (!f->s) f = &dash ;  /* an infected line with error= in place of signature= */
  for (unsigned int i = 0 ; i < *n ; i++)
    if (keyis(&(*v)[i], f)) { if (m) (*v)[i].m++ ; else (*v)[i].n++ ; return 1 ; }
  report_count *w = realloc(*v, (*n + 1) * sizeof **v) ;
  if (!w) return 0 ;
  *v = w ;
  w[*n].key = malloc(f->len + 1) ;
  if (!w[*n].key) return 0 ;
  memcpy(w[*n].key, f->s, f->len) ; w[*n].key[f->len] = 0 ; w[*n].keylen = f->len ;
  w[*n].n = !m ; w[*n].m = !!m ;
  (*n)++ ;
  return 1 ;
}

static int hostbump (report *r, lfield const *host, int err)
{
  static lfield const other = { "other", 5 } ;
  lfield const *h = host ;
  unsigned int i ;
  if (!host->s) return 1 ;
  for (i = 0 ; i < r->nhosts ; i++)
    if (keyis(&r->hosts[i], host)) break ;
  if (i == r->nhosts && r->nhosts >= REPORT_MAXHOSTS - 1) h = &other ;
  return bump(&r->hosts, &r->nhosts, h, 0) && (!err || bump(&r->hosts, &r->nhosts, h, 1)) ;
}

static int contains (lfield const *f, char const *w)
{
  size_t n = strlen(w) ;
  for (size_t j = 0 ; j + n <= f->len ; j++) if (!memcmp(f->s + j, w, n)) return 1 ;
  return 0 ;
}

/* a line whose message a spam engine saw (spam=) */
static int spamline (report *r, logline const *l)
{
  r->spamchecks++ ;
  if (lfield_is(&l->spam, "ham")) r->spamham++ ;
  else if (lfield_is(&l->spam, "error")) r->spamerror++ ;
  else if (lfield_is(&l->spam, "spam"))
  {
    r->spamspam++ ;
    if (!bump(&r->spamactions, &r->nspamactions, &l->action, 0)) return 0 ;
  }
  if (!l->scored) return 1 ;
  if (r->scoren == r->scorea)
  {
    uint64_t na = r->scorea ? r->scorea * 2 : 1024 ;
    int64_t *w = realloc(r->scores, na * sizeof *w) ;
    if (!w) return 0 ;
    r->scores = w ; r->scorea = na ;
  }
  r->scores[r->scoren++] = l->score ;
  return 1 ;
}

int report_line (report *r, char const *s, size_t len)
{
  logline l ;
  time_t t ;
  switch (logline_parse(s, len, &l))
  {
    case LOGLINE_MALFORMED : r->malformed++ ; return 1 ;
    case LOGLINE_OTHER : r->otherlines++ ; return 1 ;
  }
  t = (time_t)l.t.sec ;
  if (t < r->start || t >= r->end) return 1 ;
  /* a verdict taken again from this server's seal (a forward), and a
     qhpsi-selftest probe, are no new messages (qmail-queue(8), LOG) */
  if (lfield_is(&l.route, "seal")) { r->sealed++ ; return 1 ; }
  if (l.action.len >= 8 && !memcmp(l.action.s, "selftest", 8)) { r->selftests++ ; return 1 ; }
  r->scanned++ ;
  {
    uint64_t h = (uint64_t)(t - r->start) / 3600 ;
    if (h < REPORT_HOURS) { r->hourmsg[h]++ ; if (lfield_is(&l.verdict, "infected")) r->hourinf[h]++ ; }
  }
  if (lfield_is(&l.verdict, "clean")) r->clean++ ;
  else if (lfield_is(&l.verdict, "infected"))
  {
    /* a content rule's match is no virus: counted apart */
    if (l.signature.len > 5 && !memcmp(l.signature.s, "rule:", 5)) r->rulehits++ ; else r->infected++ ;
    if (!bump(&r->sigs, &r->nsigs, &l.signature, 0)
     || !bump(&r->ips, &r->nips, &l.ip, 0)
     || !bump(&r->senders, &r->nsenders, &l.from, 0)) return 0 ;
    if (lfield_is(&l.action, "queue")) r->tagged++ ;
  }
  else if (lfield_is(&l.verdict, "error")) r->error++ ;
  else if (lfield_is(&l.verdict, "released")) r->released++ ;
  else r->other++ ;
  if (l.error.s && contains(&l.error, "timed_out")) r->timeouts++ ;
  if (!hostbump(r, &l.host, lfield_is(&l.verdict, "error"))) return 0 ;
  if (lfield_is(&l.action, "refuse")) r->refused++ ;
  else if (lfield_is(&l.action, "blackhole")) r->blackholed++ ;
  else if (lfield_is(&l.action, "forward")) r->forwarded++ ;
  else if (lfield_is(&l.action, "tempfail")) r->tempfailed++ ;
  /* a plugin's or a spam engine's tag: queued tagged, whatever the verdict */
  else if (lfield_is(&l.action, "tag")) r->tagged++ ;
  if (l.qid.len) r->quarantined++ ;
  if (l.spam.s && !spamline(r, &l)) return 0 ;
  if (r->msn == r->msa)
  {
    uint64_t na = r->msa ? r->msa * 2 : 4096 ;
    uint32_t *w = realloc(r->ms, na * sizeof *w) ;
    if (!w) return 0 ;
    r->ms = w ; r->msa = na ;
  }
  r->ms[r->msn++] = l.ms > 0xffffffffULL ? 0xffffffffU : (uint32_t)l.ms ;
  return 1 ;
}

typedef struct dirread_s dirread ;
struct dirread_s { report *r ; report_src *src ; } ;

static int oneline (void *data, char const *s, size_t len)
{
  dirread *d = data ;
  logstamp t ;
  if (logline_stamp(s, len, &t))
  {
    if (!d->src->lines++ || logstamp_cmp(&t, &d->src->first) < 0) d->src->first = t ;
    if (logstamp_cmp(&t, &d->src->last) > 0) d->src->last = t ;
  }
  uint64_t before = d->r->scanned ;
  if (!report_line(d->r, s, len)) return 0 ;
  d->src->inrange += d->r->scanned - before ;
  return 1 ;
}

int report_dir (report *r, char const *dir)
{
  logstamp since = { .sec = r->start > 0 ? (uint64_t)r->start : 0, .nano = 0 } ;
  unsigned int files = 0 ;
  dirread d = { .r = r } ;
  report_src *w = realloc(r->srcs, (r->nsrcs + 1) * sizeof *w) ;
  if (!w) return 0 ;
  r->srcs = w ;
  d.src = w + r->nsrcs++ ;
  memset(d.src, 0, sizeof *d.src) ;
  d.src->dir = dir ;
  if (!logdir_read(dir, &since, &oneline, &d, &files)) return 0 ;
  r->files += files ;
  return 1 ;
}

int report_partial (report const *r, report_src const *s)
{
  return !s->lines || s->first.sec > (uint64_t)r->start ;
}

static int cmpu32 (void const *a, void const *b)
{
  uint32_t x = *(uint32_t const *)a, y = *(uint32_t const *)b ;
  return x < y ? -1 : x > y ;
}

static int cmpi64 (void const *a, void const *b)
{
  int64_t x = *(int64_t const *)a, y = *(int64_t const *)b ;
  return x < y ? -1 : x > y ;
}

void report_sort (report *r)
{
  if (r->msn) qsort(r->ms, r->msn, sizeof *r->ms, &cmpu32) ;  /* ms is null while empty */
  if (r->scoren) qsort(r->scores, r->scoren, sizeof *r->scores, &cmpi64) ;
}

static int cmpcount (void const *a, void const *b)
{
  report_count const *x = a, *y = b ;
  if (x->n != y->n) return x->n < y->n ? 1 : -1 ;
  return strcmp(x->key, y->key) ;
}

void report_top (report_count *v, unsigned int n)
{
  if (n) qsort(v, n, sizeof *v, &cmpcount) ;
}

/* nearest-rank percentile over the sorted values */
uint32_t report_pct (report const *r, unsigned int p)
{
  uint64_t k ;
  if (!r->msn) return 0 ;
  k = (r->msn * p + 99) / 100 ;
  if (k) k-- ;
  return r->ms[k] ;
}

char const *report_scorepct (report const *r, unsigned int p, char *buf, size_t len)
{
  uint64_t k = (r->scoren * p + 99) / 100 ;
  int64_t v, a ;
  if (!r->scoren) { snprintf(buf, len, "-") ; return buf ; }
  if (k) k-- ;
  v = r->scores[k] ;
  a = v < 0 ? -v : v ;
  snprintf(buf, len, "%s%lld.%02lld", v < 0 ? "-" : "", (long long)(a / 100), (long long)(a % 100)) ;
  return buf ;
}

static int put (char const *s) { return buffer_puts(buffer_1, s) >= 0 ; }

static int putu (uint64_t n)
{
  char fmt[UINT64_FMT] ;
  fmt[uint64_fmt(fmt, n)] = 0 ;
  return put(fmt) ;
}

/* text from the logs, for a terminal or a mail: qmail-queue's own values
   are printable already, but a log holds other programs' lines too */
int report_putclean (char const *s)
{
  for (; *s ; s++)
  {
    char c = *s > ' ' && *s <= '~' ? *s : '?' ;
    if (buffer_put(buffer_1, &c, 1) < 0) return 0 ;
  }
  return 1 ;
}

static int putnum (char const *label, uint64_t n)
{
  return put(label) && putu(n) && put("\n") ;
}

static int top (char const *title, report_count *v, unsigned int n, unsigned int max, int two)
{
  report_top(v, n) ;
  if (!put(title)) return 0 ;
  if (!n) return put("  (none)\n") ;
  for (unsigned int i = 0 ; i < n && i < max ; i++)
    if (!put("  ") || !putu(v[i].n) || (two && !(put(" ") && putu(v[i].m))) || !put(" ") || !report_putclean(v[i].key) || !put("\n")) return 0 ;
  return 1 ;
}

static void when (char *buf, size_t len, time_t t)
{
  struct tm tm ;
  localtime_r(&t, &tm) ;
  strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) ;
}

/* a note for each log directory whose lines begin after the start */
static int coverage (report const *r)
{
  for (unsigned int i = 0 ; i < r->nsrcs ; i++)
  {
    report_src const *s = r->srcs + i ;
    char a[32] ;
    if (!report_partial(r, s)) continue ;
    if (!s->lines) { if (!put("note: ") || !put(s->dir) || !put(" holds no lines\n")) return 0 ; continue ; }
    when(a, sizeof a, (time_t)s->first.sec) ;
    if (!put("note: the logs of ") || !put(s->dir) || !put(" begin at ") || !put(a)
     || !put(", after the start of the range: the figures cover less than the range\n")) return 0 ;
  }
  return 1 ;
}

/* the spam engines' figures, when one ran */
static int spam (report *r, unsigned int n)
{
  char p50[32], p95[32] ;
  if (!r->spamchecks) return 1 ;
  return putnum("spam checks: ", r->spamchecks) && putnum("  ham: ", r->spamham) && putnum("  spam: ", r->spamspam)
    && putnum("  spam engine errors: ", r->spamerror) && putnum("  scored: ", r->scoren)
    && put("  score p50: ") && put(report_scorepct(r, 50, p50, sizeof p50)) && put("\n")
    && put("  score p95: ") && put(report_scorepct(r, 95, p95, sizeof p95)) && put("\n")
    && top("spam by action:\n", r->spamactions, r->nspamactions, n, 0) ;
}

int report_print (report *r, int mail, unsigned int n)
{
  char day[32], a[32], b[32] ;
  struct tm tm ;
  localtime_r(&r->start, &tm) ;
  strftime(day, sizeof day, "%Y-%m-%d", &tm) ;
  if (mail && !(put("To: postmaster\nSubject: qhpsi report for ") && put(day) && put("\n\n"))) return 0 ;
  when(a, sizeof a, r->start) ; when(b, sizeof b, r->end) ;
  if (!put("qhpsi report for ") || !put(day) || !put(" (") || !put(a) || !put(" to ") || !put(b) || !put(")\n")
   || !coverage(r) || !put("\n")) return 0 ;
  report_sort(r) ;
  if (!putnum("messages scanned: ", r->scanned)
   || !putnum("clean: ", r->clean)
   || !putnum("infected: ", r->infected)
   || !putnum("rule matches: ", r->rulehits)
   || !putnum("scanner errors: ", r->error)
   || !putnum("timeouts: ", r->timeouts)
   || !putnum("released: ", r->released)
   || !putnum("other verdicts: ", r->other)
   || !putnum("refused: ", r->refused)
   || !putnum("tagged: ", r->tagged)
   || !putnum("blackholed: ", r->blackholed)
   || !putnum("forwarded: ", r->forwarded)
   || !putnum("tempfailed: ", r->tempfailed)
   || !putnum("quarantined: ", r->quarantined)
   || (r->sealed && !putnum("forwards judged before (not counted above): ", r->sealed))
   || (r->selftests && !putnum("self-test probes (not counted above): ", r->selftests))
   || !putnum("scan ms p50: ", report_pct(r, 50))
   || !putnum("scan ms p95: ", report_pct(r, 95))
   || !putnum("scan ms p99: ", report_pct(r, 99))
   || !spam(r, n)
   || !put("\n")
   || !top("signatures:\n", r->sigs, r->nsigs, n, 0)
   || !top("client IPs by infected:\n", r->ips, r->nips, n, 0)
   || !top("senders by infected:\n", r->senders, r->nsenders, n, 0)
   || (r->nhosts && !top("scanner hosts (messages, errors):\n", r->hosts, r->nhosts, n, 1))
   || !put("\n")
   || !putnum("malformed lines skipped: ", r->malformed)
   || !putnum("other lines: ", r->otherlines)
   || !putnum("files read: ", r->files)) return 0 ;
  return buffer_flush(buffer_1) ;
}

/* YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS], local time */
int report_day (char const *s, time_t *t)
{
  struct tm tm ;
  int y, mo, d, h = 0, mi = 0, se = 0, n = 0 ;
  memset(&tm, 0, sizeof tm) ;
  if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3) return 0 ;
  if (s[n])
  {
    int m = 0 ;
    if (sscanf(s + n, " %2d:%2d%n", &h, &mi, &m) != 2) return 0 ;
    n += m ;
    if (s[n] == ':') { m = 0 ; if (sscanf(s + n, ":%2d%n", &se, &m) != 1) return 0 ; n += m ; }
    if (s[n]) return 0 ;
  }
  tm.tm_year = y - 1900 ; tm.tm_mon = mo - 1 ; tm.tm_mday = d ;
  tm.tm_hour = h ; tm.tm_min = mi ; tm.tm_sec = se ; tm.tm_isdst = -1 ;
  *t = mktime(&tm) ;
  return *t != (time_t)-1 ;
}
