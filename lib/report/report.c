/* report.c: reads multilog directories of qhpsi lines and prints the morning report. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <skalibs/buffer.h>
#include <skalibs/types.h>
#include "report/report.h"

void report_init (report *r, time_t start, time_t end)
{
  memset(r, 0, sizeof *r) ;
  r->start = start ; r->end = end ;
}

static int hexval (char c)
{
  if (c >= '0' && c <= '9') return c - '0' ;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10 ;
  return -1 ;
}

/* @ + 24 hex digits; returns Unix seconds via *t; TAI64 label is 2^62 + 10 off */
static int stamp (char const *s, size_t len, time_t *t, uint32_t *nano)
{
  uint64_t a = 0 ; uint32_t b = 0 ;
  if (len < 25 || s[0] != '@') return 0 ;
  for (unsigned int i = 1 ; i < 25 ; i++)
  {
    int v = hexval(s[i]) ;
    if (v < 0) return 0 ;
    if (i <= 16) a = (a << 4) | v ; else b = (b << 4) | v ;
  }
  if (a < 4611686018427387914ULL) return 0 ;
  *t = (time_t)(a - 4611686018427387914ULL) ;
  *nano = b ;
  return 1 ;
}

static int bump (report_count **v, unsigned int *n, char const *key, size_t len)
{
  for (unsigned int i = 0 ; i < *n ; i++)
    if (!strncmp((*v)[i].key, key, len) && !(*v)[i].key[len]) { (*v)[i].n++ ; return 1 ; }
  report_count *w = realloc(*v, (*n + 1) * sizeof **v) ;
  if (!w) return 0 ;
  *v = w ;
  w[*n].key = malloc(len + 1) ;
  if (!w[*n].key) return 0 ;
  memcpy(w[*n].key, key, len) ; w[*n].key[len] = 0 ; w[*n].n = 1 ;
  (*n)++ ;
  return 1 ;
}

static char const *const keys[] = { "qp", "ip", "from", "rcpts", "rcpt", "msgid", "size", "route", "verdict", 0, "action", "ms" } ;
#define NKEYS 12

static int numeric (char const *s, size_t len)
{
  if (!len) return 0 ;
  for (size_t i = 0 ; i < len ; i++) if (s[i] < '0' || s[i] > '9') return 0 ;
  return 1 ;
}

/* returns 0 on memory failure only; malformed lines are counted */
int report_line (report *r, char *s, size_t len)
{
  time_t t ; uint32_t nano ;
  char const *val[NKEYS] ; size_t vlen[NKEYS] ;
  int quar = 0, iserror = 0, timeout = 0 ;
  size_t i ;
  if (!stamp(s, len, &t, &nano) || len < 26 || s[25] != ' ') { r->malformed++ ; return 1 ; }
  s += 26 ; len -= 26 ;
  if (len < 7 || memcmp(s, "qhpsi: ", 7)) { r->otherlines++ ; return 1 ; }
  if (t < r->start || t >= r->end) return 1 ;
  s += 7 ; len -= 7 ;
  i = 0 ;
  for (unsigned int k = 0 ; k < NKEYS ; k++)
  {
    size_t st = i, eq ;
    while (i < len && s[i] != ' ') i++ ;
    for (eq = st ; eq < i && s[eq] != '=' ; eq++) ;
    if (eq == i) { r->malformed++ ; return 1 ; }
    if (keys[k])
    {
      if (eq - st != strlen(keys[k]) || memcmp(s + st, keys[k], eq - st)) { r->malformed++ ; return 1 ; }
    }
    else if (eq - st == 9 && !memcmp(s + st, "signature", 9)) ;
    else if (eq - st == 5 && !memcmp(s + st, "error", 5)) iserror = 1 ;
    else { r->malformed++ ; return 1 ; }
    val[k] = s + eq + 1 ; vlen[k] = i - eq - 1 ;
    if (i < len) i++ ;
    else if (k < NKEYS - 1) { r->malformed++ ; return 1 ; }
  }
  if (!numeric(val[0], vlen[0]) || !numeric(val[3], vlen[3]) || !numeric(val[6], vlen[6]) || !numeric(val[11], vlen[11]))
  { r->malformed++ ; return 1 ; }
  while (i < len)
  {
    size_t st = i ;
    while (i < len && s[i] != ' ') i++ ;
    if (i - st > 4 && !memcmp(s + st, "qid=", 4)) quar = 1 ;
    if (i < len) i++ ;
  }
  if (iserror && vlen[9] >= 9)
    for (size_t j = 0 ; j + 9 <= vlen[9] ; j++) if (!memcmp(val[9] + j, "timed_out", 9)) { timeout = 1 ; break ; }
#define IS(k, lit) (vlen[k] == sizeof(lit) - 1 && !memcmp(val[k], lit, sizeof(lit) - 1))
  /* a verdict taken again from this server's seal (a forward), and a
     qhpsi-selftest probe, are no new messages (qmail-queue(8), LOG) */
  if (IS(7, "seal")) { r->sealed++ ; return 1 ; }
  if (vlen[10] >= 8 && !memcmp(val[10], "selftest", 8)) { r->selftests++ ; return 1 ; }
  r->scanned++ ;
  {
    uint64_t h = (uint64_t)(t - r->start) / 3600 ;
    if (h < REPORT_HOURS) { r->hourmsg[h]++ ; if (vlen[8] == 8 && !memcmp(val[8], "infected", 8)) r->hourinf[h]++ ; }
  }
  if (IS(8, "clean")) r->clean++ ;
  else if (IS(8, "infected"))
  {
    /* a content rule's match is no virus: counted apart */
    if (vlen[9] > 5 && !memcmp(val[9], "rule:", 5)) r->rulehits++ ; else r->infected++ ;
    if (!bump(&r->sigs, &r->nsigs, val[9], vlen[9])
     || !bump(&r->ips, &r->nips, val[1], vlen[1])
     || !bump(&r->senders, &r->nsenders, val[2], vlen[2])) return 0 ;
    if (IS(10, "queue")) r->tagged++ ;
  }
  else if (IS(8, "error")) r->error++ ;
  else r->other++ ;
  if (timeout) r->timeouts++ ;
  if (IS(10, "refuse")) r->refused++ ;
  else if (IS(10, "blackhole")) r->blackholed++ ;
  else if (IS(10, "forward")) r->forwarded++ ;
  else if (IS(10, "tempfail")) r->tempfailed++ ;
  if (quar) r->quarantined++ ;
  {
    uint64_t ms = 0 ;
    for (size_t j = 0 ; j < vlen[11] && ms < 0xffffffffULL ; j++) ms = ms * 10 + (val[11][j] - '0') ;
    if (ms > 0xffffffffULL) ms = 0xffffffffULL ;
    if (r->msn == r->msa)
    {
      uint64_t na = r->msa ? r->msa * 2 : 4096 ;
      uint32_t *w = realloc(r->ms, na * sizeof *w) ;
      if (!w) return 0 ;
      r->ms = w ; r->msa = na ;
    }
    r->ms[r->msn++] = (uint32_t)ms ;
  }
  return 1 ;
}

static int readfile (report *r, char const *fn)
{
  static char buf[1 << 20] ;
  size_t have = 0 ;
  int fd = open(fn, O_RDONLY) ;
  if (fd < 0) return 0 ;
  r->files++ ;
  for (;;)
  {
    ssize_t n = read(fd, buf + have, sizeof buf - have) ;
    if (n < 0) { if (errno == EINTR) continue ; close(fd) ; return 0 ; }
    if (!n) break ;
    have += n ;
    size_t st = 0 ;
    for (;;)
    {
      char *nl = memchr(buf + st, '\n', have - st) ;
      if (!nl) break ;
      if (!report_line(r, buf + st, nl - (buf + st))) { close(fd) ; return 0 ; }
      st = nl + 1 - buf ;
    }
    if (!st && have == sizeof buf) { r->malformed++ ; have = 0 ; continue ; }
    memmove(buf, buf + st, have - st) ; have -= st ;
  }
  if (have && !report_line(r, buf, have)) { close(fd) ; return 0 ; }
  close(fd) ;
  return 1 ;
}

int report_dir (report *r, char const *dir)
{
  size_t dl = strlen(dir) ;
  DIR *d = opendir(dir) ;
  struct dirent *e ;
  if (!d) return 0 ;
  for (;;)
  {
    errno = 0 ;
    e = readdir(d) ;
    if (!e) break ;
    size_t nl = strlen(e->d_name) ;
    if (strcmp(e->d_name, "current"))
    {
      time_t t ; uint32_t nano ;
      if (nl != 27 || (e->d_name[26] != 's' && e->d_name[26] != 'u') || e->d_name[25] != '.') continue ;
      if (!stamp(e->d_name, 25, &t, &nano)) continue ;
      /* a rotated file's name is the time of its last line */
      if (t < r->start) continue ;
    }
    {
      char fn[dl + nl + 2] ;
      memcpy(fn, dir, dl) ; fn[dl] = '/' ; memcpy(fn + dl + 1, e->d_name, nl + 1) ;
      if (!readfile(r, fn)) { int ee = errno ; closedir(d) ; errno = ee ; return 0 ; }
    }
  }
  if (errno) { int ee = errno ; closedir(d) ; errno = ee ; return 0 ; }
  closedir(d) ;
  return 1 ;
}

static int cmpu32 (void const *a, void const *b)
{
  uint32_t x = *(uint32_t const *)a, y = *(uint32_t const *)b ;
  return x < y ? -1 : x > y ;
}

static int cmpcount (void const *a, void const *b)
{
  report_count const *x = a, *y = b ;
  if (x->n != y->n) return x->n < y->n ? 1 : -1 ;
  return strcmp(x->key, y->key) ;
}

static int put (char const *s) { return buffer_puts(buffer_1, s) >= 0 ; }

static int putnum (char const *label, uint64_t n)
{
  char fmt[UINT64_FMT] ;
  fmt[uint64_fmt(fmt, n)] = 0 ;
  return put(label) && put(fmt) && put("\n") ;
}

static int top (char const *title, report_count *v, unsigned int n, unsigned int max)
{
  if (n) qsort(v, n, sizeof *v, &cmpcount) ;
  if (!put(title)) return 0 ;
  if (!n) return put("  (none)\n") ;
  for (unsigned int i = 0 ; i < n && i < max ; i++)
  {
    char fmt[UINT64_FMT] ;
    fmt[uint64_fmt(fmt, v[i].n)] = 0 ;
    if (!put("  ") || !put(fmt) || !put(" ") || !put(v[i].key) || !put("\n")) return 0 ;
  }
  return 1 ;
}

/* nearest-rank percentile over the sorted values */
static uint32_t pct (report const *r, unsigned int p)
{
  uint64_t k ;
  if (!r->msn) return 0 ;
  k = (r->msn * p + 99) / 100 ;
  if (k) k-- ;
  return r->ms[k] ;
}

int report_print (report *r, int mail, unsigned int n)
{
  char day[32] ;
  struct tm tm ;
  localtime_r(&r->start, &tm) ;
  strftime(day, sizeof day, "%Y-%m-%d", &tm) ;
  if (mail && !(put("To: postmaster\nSubject: qhpsi report for ") && put(day) && put("\n\n"))) return 0 ;
  if (!put("qhpsi report for ") || !put(day)) return 0 ;
  {
    char a[32], b[32] ;
    struct tm tb ;
    localtime_r(&r->end, &tb) ;
    strftime(a, sizeof a, "%Y-%m-%d %H:%M:%S", &tm) ;
    strftime(b, sizeof b, "%Y-%m-%d %H:%M:%S", &tb) ;
    if (!put(" (") || !put(a) || !put(" to ") || !put(b) || !put(")\n\n")) return 0 ;
  }
  if (r->msn) qsort(r->ms, r->msn, sizeof *r->ms, &cmpu32) ;  /* ms is null while empty */
  if (!putnum("messages scanned: ", r->scanned)
   || !putnum("clean: ", r->clean)
   || !putnum("infected: ", r->infected)
   || !putnum("rule matches: ", r->rulehits)
   || !putnum("scanner errors: ", r->error)
   || !putnum("timeouts: ", r->timeouts)
   || !putnum("other verdicts: ", r->other)
   || !putnum("refused: ", r->refused)
   || !putnum("tagged: ", r->tagged)
   || !putnum("blackholed: ", r->blackholed)
   || !putnum("forwarded: ", r->forwarded)
   || !putnum("tempfailed: ", r->tempfailed)
   || !putnum("quarantined: ", r->quarantined)
   || (r->sealed && !putnum("forwards judged before (not counted above): ", r->sealed))
   || (r->selftests && !putnum("self-test probes (not counted above): ", r->selftests))
   || !putnum("scan ms p50: ", pct(r, 50))
   || !putnum("scan ms p95: ", pct(r, 95))
   || !putnum("scan ms p99: ", pct(r, 99))
   || !put("\n")
   || !top("signatures:\n", r->sigs, r->nsigs, n)
   || !top("client IPs by infected:\n", r->ips, r->nips, n)
   || !top("senders by infected:\n", r->senders, r->nsenders, n)
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

static int putesc (char const *s)
{
  for (; *s ; s++)
  {
    char const *e = 0 ;
    switch (*s)
    {
      case '&' : e = "&amp;" ; break ;
      case '<' : e = "&lt;" ; break ;
      case '>' : e = "&gt;" ; break ;
      case '"' : e = "&quot;" ; break ;
      case '\'' : e = "&#39;" ; break ;
    }
    if (e ? !put(e) : buffer_put(buffer_1, s, 1) < 0) return 0 ;
  }
  return 1 ;
}

static int putu (uint64_t n)
{
  char fmt[UINT64_FMT] ;
  fmt[uint64_fmt(fmt, n)] = 0 ;
  return put(fmt) ;
}

static int row (char const *k, uint64_t n)
{
  return put("<tr><td>") && put(k) && put("</td><td>") && putu(n) && put("</td></tr>\n") ;
}

static int htmltop (char const *title, report_count *v, unsigned int n, unsigned int max)
{
  if (n) qsort(v, n, sizeof *v, &cmpcount) ;
  if (!put("<h2>") || !put(title) || !put("</h2><table>\n")) return 0 ;
  for (unsigned int i = 0 ; i < n && i < max ; i++)
    if (!put("<tr><td>") || !putu(v[i].n) || !put("</td><td>") || !putesc(v[i].key) || !put("</td></tr>\n")) return 0 ;
  return put("</table>\n") ;
}

/* bars: n values scaled to the largest, in one inline SVG */
static int bars (char const *title, uint64_t const *a, uint64_t const *b, unsigned int n)
{
  uint64_t max = 1 ;
  unsigned int w = n > 200 ? 2 : 800 / (n ? n : 1) ;
  for (unsigned int i = 0 ; i < n ; i++) if (a[i] > max) max = a[i] ;
  if (!put("<h2>") || !put(title) || !put("</h2>\n<svg width=\"") || !putu(w * n + 2) || !put("\" height=\"202\">\n")) return 0 ;
  for (unsigned int i = 0 ; i < n ; i++)
  {
    uint64_t h = a[i] * 200 / max, hb = b ? b[i] * 200 / max : 0 ;
    if (!put("<rect x=\"") || !putu(i * w + 1) || !put("\" y=\"") || !putu(201 - h) || !put("\" width=\"") || !putu(w > 1 ? w - 1 : 1) || !put("\" height=\"") || !putu(h) || !put("\" fill=\"#3366cc\"/>\n")) return 0 ;
    if (hb && (!put("<rect x=\"") || !putu(i * w + 1) || !put("\" y=\"") || !putu(201 - hb) || !put("\" width=\"") || !putu(w > 1 ? w - 1 : 1) || !put("\" height=\"") || !putu(hb) || !put("\" fill=\"#cc3333\"/>\n"))) return 0 ;
  }
  return put("</svg>\n") ;
}

int report_html (report *r, unsigned int n)
{
  char day[32] ;
  struct tm tm ;
  uint64_t hist[50] ;
  unsigned int hours = (r->end - r->start + 3599) / 3600 ;
  if (hours > REPORT_HOURS) hours = REPORT_HOURS ;
  localtime_r(&r->start, &tm) ;
  strftime(day, sizeof day, "%Y-%m-%d", &tm) ;
  if (r->msn) qsort(r->ms, r->msn, sizeof *r->ms, &cmpu32) ;  /* ms is null while empty */
  memset(hist, 0, sizeof hist) ;
  {
    uint32_t top = r->msn ? r->ms[r->msn - 1] : 0 ;
    for (uint64_t i = 0 ; i < r->msn ; i++) hist[top ? (uint64_t)r->ms[i] * 49 / top : 0]++ ;
  }
  if (!put("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>qhpsi report for ") || !put(day)
   || !put("</title></head><body>\n<h1>qhpsi report for ") || !put(day) || !put("</h1>\n<table>\n")
   || !row("messages scanned", r->scanned) || !row("clean", r->clean) || !row("infected", r->infected)
   || !row("rule matches", r->rulehits)
   || !row("scanner errors", r->error) || !row("timeouts", r->timeouts) || !row("other verdicts", r->other)
   || !row("refused", r->refused) || !row("tagged", r->tagged) || !row("blackholed", r->blackholed)
   || !row("forwarded", r->forwarded) || !row("tempfailed", r->tempfailed) || !row("quarantined", r->quarantined)
   || (r->sealed && !row("forwards judged before", r->sealed)) || (r->selftests && !row("self-test probes", r->selftests))
   || !row("scan ms p50", pct(r, 50)) || !row("scan ms p95", pct(r, 95)) || !row("scan ms p99", pct(r, 99))
   || !row("malformed lines skipped", r->malformed) || !row("other lines", r->otherlines) || !row("files read", r->files)
   || !put("</table>\n")
   || !bars("messages (blue) and infected (red) per hour", r->hourmsg, r->hourinf, hours)
   || !bars("scan time distribution (50 buckets up to the slowest)", hist, 0, 50)
   || !htmltop("signatures", r->sigs, r->nsigs, n)
   || !htmltop("client IPs by infected", r->ips, r->nips, n)
   || !htmltop("senders by infected", r->senders, r->nsenders, n)
   || !put("</body></html>\n")) return 0 ;
  return buffer_flush(buffer_1) ;
}
