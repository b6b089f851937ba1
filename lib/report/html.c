/* html.c: the morning report as one page: tables and two SVG bar charts
   with labelled axes, a legend, and each bar's figure in its <title>. */

#include <string.h>
#include <skalibs/buffer.h>
#include <skalibs/types.h>
#include "report/report.h"

static int put (char const *s) { return buffer_puts(buffer_1, s) >= 0 ; }

static int putu (uint64_t n)
{
  char fmt[UINT64_FMT] ;
  fmt[uint64_fmt(fmt, n)] = 0 ;
  return put(fmt) ;
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

static int row (char const *k, uint64_t n)
{
  return put("<tr><td>") && put(k) && put("</td><td class=\"n\">") && putu(n) && put("</td></tr>\n") ;
}

static int htmltop (char const *title, report_count *v, unsigned int n, unsigned int max, char const *head)
{
  report_top(v, n) ;
  if (!put("<h2>") || !put(title) || !put("</h2><table>\n") || !put(head)) return 0 ;
  for (unsigned int i = 0 ; i < n && i < max ; i++)
    if (!put("<tr><td class=\"n\">") || !putu(v[i].n) || (head[0] && !(put("</td><td class=\"n\">") && putu(v[i].m)))
     || !put("</td><td>") || !putesc(v[i].key) || !put("</td></tr>\n")) return 0 ;
  return put("</table>\n") ;
}

static int spamrows (report const *r)
{
  char p50[32], p95[32] ;
  if (!r->spamchecks) return 1 ;
  return row("spam checks", r->spamchecks) && row("ham", r->spamham) && row("spam", r->spamspam)
    && row("spam engine errors", r->spamerror) && row("scored", r->scoren)
    && put("<tr><td>spam score p50</td><td class=\"n\">") && put(report_scorepct(r, 50, p50, sizeof p50))
    && put("</td></tr>\n<tr><td>spam score p95</td><td class=\"n\">") && put(report_scorepct(r, 95, p95, sizeof p95))
    && put("</td></tr>\n") ;
}

/* a chart: n bars of a (and b drawn over them), labelled by label(i) */
typedef struct chart_s chart ;
struct chart_s
{
  char const *title, *xtitle, *ytitle, *aname, *bname ;
  uint64_t const *a, *b ;
  unsigned int n ;
  void (*label) (void const *, unsigned int, char *, size_t) ;  /* the bar's name */
  void const *ctx ;
} ;

#define CW 900
#define CH 300
#define LM 70   /* room for the y labels and title */
#define BM 50   /* room for the x labels and title */
#define TM 30   /* room for the legend */
#define PW (CW - LM - 10)
#define PH (CH - TM - BM)

/* the top of the y axis: four equal steps, each a round number */
static uint64_t nice (uint64_t m)
{
  static unsigned int const tenths[] = { 10, 15, 20, 25, 30, 40, 50, 60, 80 } ;
  uint64_t p = 1 ;
  m = (m + 3) / 4 ;
  for (;;)
  {
    for (unsigned int i = 0 ; i < sizeof tenths / sizeof *tenths ; i++)
      if ((p >= 10 || !(tenths[i] % 10)) && m * 10 <= tenths[i] * p) return 4 * tenths[i] * p / 10 ;
    p *= 10 ;
  }
}

static int text (char const *cls, uint64_t x, uint64_t y, char const *anchor, char const *s)
{
  return put("<text class=\"") && put(cls) && put("\" x=\"") && putu(x) && put("\" y=\"") && putu(y)
    && put("\" text-anchor=\"") && put(anchor) && put("\">") && putesc(s) && put("</text>\n") ;
}

static int rect (uint64_t x, uint64_t y, uint64_t w, uint64_t h, char const *cls)
{
  return put("<rect class=\"") && put(cls) && put("\" x=\"") && putu(x) && put("\" y=\"") && putu(y)
    && put("\" width=\"") && putu(w) && put("\" height=\"") && putu(h) && put("\">") ;
}

static int bar (chart const *c, unsigned int i, uint64_t v, uint64_t max, uint64_t w, char const *cls, char const *name)
{
  char lab[64] ;
  uint64_t h = v * PH / max ;
  (*c->label)(c->ctx, i, lab, sizeof lab) ;
  return rect(LM + 1 + i * w, TM + PH - h, w > 2 ? w - 1 : 1, h, cls)
    && put("<title>") && putesc(lab) && put(": ") && putu(v) && put(" ") && put(name) && put("</title></rect>\n") ;
}

static void hourlabel (void const *, unsigned int, char *, size_t) ;

static int drawchart (chart const *c)
{
  uint64_t max = 0, w = c->n ? PW / c->n : PW, every ;
  char lab[64] ;
  if (!w) w = 1 ;
  for (unsigned int i = 0 ; i < c->n ; i++) if (c->a[i] > max) max = c->a[i] ;
  max = nice(max) ;
  /* 24 labels at most; a label with a date is wider: 8 */
  every = c->n > 24 && c->label == &hourlabel ? (c->n + 7) / 8 : (c->n + 23) / 24 ;
  if (!put("<h2>") || !put(c->title) || !put("</h2>\n<svg width=\"")
   || !putu(CW) || !put("\" height=\"") || !putu(CH) || !put("\">\n")) return 0 ;
  /* legend */
  if (!rect(LM, 8, 12, 12, "a") || !put("</rect>\n") || !text("legend", LM + 18, 19, "start", c->aname)) return 0 ;
  if (c->b && (!rect(LM + 200, 8, 12, 12, "b") || !put("</rect>\n") || !text("legend", LM + 218, 19, "start", c->bname))) return 0 ;
  /* y axis: five ticks from 0 to max */
  for (unsigned int k = 0 ; k <= 4 ; k++)
  {
    uint64_t y = TM + PH - PH * k / 4 ;
    char num[UINT64_FMT] ;
    num[uint64_fmt(num, max * k / 4)] = 0 ;
    if (!put("<line class=\"grid\" x1=\"") || !putu(LM) || !put("\" x2=\"") || !putu(LM + PW) || !put("\" y1=\"")
     || !putu(y) || !put("\" y2=\"") || !putu(y) || !put("\"/>\n") || !text("yl", LM - 6, y + 4, "end", num)) return 0 ;
  }
  for (unsigned int i = 0 ; i < c->n ; i++)
  {
    if (c->a[i] && !bar(c, i, c->a[i], max, w, "a", c->aname)) return 0 ;
    if (c->b && c->b[i] && !bar(c, i, c->b[i], max, w, "b", c->bname)) return 0 ;
    if (i % every) continue ;
    (*c->label)(c->ctx, i, lab, sizeof lab) ;
    {
      /* "03:00-04:00" is labelled 03, "12-01 03:00-04:00" 12-01 03h */
      size_t ll = strlen(lab) ;
      if (ll == 11 && lab[2] == ':') lab[2] = 0 ;
      else if (ll == 17 && lab[8] == ':') { lab[8] = 'h' ; lab[9] = 0 ; }
    }
    if (!text("xl", LM + i * w + w / 2, TM + PH + 16, "middle", lab)) return 0 ;
  }
  /* the axes and their titles */
  return put("<line class=\"axis\" x1=\"") && putu(LM) && put("\" x2=\"") && putu(LM) && put("\" y1=\"") && putu(TM)
    && put("\" y2=\"") && putu(TM + PH) && put("\"/>\n<line class=\"axis\" x1=\"") && putu(LM) && put("\" x2=\"")
    && putu(LM + PW) && put("\" y1=\"") && putu(TM + PH) && put("\" y2=\"") && putu(TM + PH) && put("\"/>\n")
    && text("at", LM + PW / 2, CH - 8, "middle", c->xtitle)
    && put("<text class=\"at\" x=\"0\" y=\"0\" text-anchor=\"middle\" transform=\"translate(16,")
    && putu(TM + PH / 2) && put(") rotate(-90)\">") && putesc(c->ytitle) && put("</text>\n</svg>\n") ;
}

/* ctx: the report; over more than a day the hours get their date */
static void hourlabel (void const *ctx, unsigned int i, char *buf, size_t len)
{
  report const *r = ctx ;
  time_t t = r->start + (time_t)i * 3600, u = t + 3600 ;
  struct tm tm, tu ;
  char a[16], b[16] ;
  localtime_r(&t, &tm) ; localtime_r(&u, &tu) ;
  strftime(a, sizeof a, r->end - r->start > 86400 ? "%m-%d %H:%M" : "%H:%M", &tm) ;
  strftime(b, sizeof b, "%H:%M", &tu) ;
  if (len < strlen(a) + 7) { if (len) buf[0] = 0 ; return ; }
  strcpy(buf, a) ; strcat(buf, "-") ; strcat(buf, b) ;
}

/* the scan time buckets' upper bounds in ms, as the metrics' histogram */
static uint32_t const msbounds[] = { 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 120000 } ;
#define NMS (sizeof msbounds / sizeof *msbounds)

static void mslabel (void const *ctx, unsigned int i, char *buf, size_t len)
{
  char num[UINT64_FMT] ;
  (void)ctx ;
  num[uint64_fmt(num, i < NMS ? msbounds[i] : msbounds[NMS - 1])] = 0 ;
  if (len < sizeof num + 2) { if (len) buf[0] = 0 ; return ; }
  buf[0] = i < NMS ? '<' : '>' ; buf[1] = '=' ;
  if (i >= NMS) buf[1] = ' ' ;
  strcpy(buf + 2, num) ;
}

static int sources (report const *r)
{
  if (!put("<h2>logs read</h2><table>\n<tr><th>directory</th><th>lines</th><th>in range</th><th>first line</th><th>last line</th></tr>\n")) return 0 ;
  for (unsigned int i = 0 ; i < r->nsrcs ; i++)
  {
    report_src const *s = r->srcs + i ;
    char a[32] = "-", b[32] = "-" ;
    struct tm tm ;
    time_t t ;
    if (s->lines)
    {
      t = (time_t)s->first.sec ; localtime_r(&t, &tm) ; strftime(a, sizeof a, "%Y-%m-%d %H:%M:%S", &tm) ;
      t = (time_t)s->last.sec ; localtime_r(&t, &tm) ; strftime(b, sizeof b, "%Y-%m-%d %H:%M:%S", &tm) ;
    }
    if (!put("<tr><td>") || !putesc(s->dir) || !put("</td><td class=\"n\">") || !putu(s->lines)
     || !put("</td><td class=\"n\">") || !putu(s->inrange) || !put("</td><td>") || !put(a) || !put("</td><td>")
     || !put(b) || !put("</td></tr>\n")) return 0 ;
  }
  if (!put("</table>\n")) return 0 ;
  for (unsigned int i = 0 ; i < r->nsrcs ; i++)
    if (report_partial(r, r->srcs + i)
     && !(put("<p class=\"note\">The logs of ") && putesc(r->srcs[i].dir)
       && put(r->srcs[i].lines ? " begin after the start of the range: the figures cover less than the range.</p>\n"
                               : " hold no lines: the figures cover less than the range.</p>\n"))) return 0 ;
  return 1 ;
}

static char const style[] = "<style>body{font-family:sans-serif;margin:1em 2em}table{border-collapse:collapse}"
  "td,th{padding:2px 10px;border-bottom:1px solid #ddd;text-align:left}td.n{text-align:right}"
  ".a{fill:#3366cc}.b{fill:#cc3333}.axis{stroke:#000}.grid{stroke:#ddd}"
  "text{font-size:12px}.at{font-size:13px;font-weight:bold}.note{color:#a00;font-weight:bold}</style>\n" ;

int report_html (report *r, unsigned int n)
{
  char day[32] ;
  struct tm tm ;
  uint64_t hist[NMS + 1] ;
  unsigned int hours = (r->end - r->start + 3599) / 3600 ;
  if (hours > REPORT_HOURS) hours = REPORT_HOURS ;
  localtime_r(&r->start, &tm) ;
  strftime(day, sizeof day, "%Y-%m-%d", &tm) ;
  report_sort(r) ;
  memset(hist, 0, sizeof hist) ;
  for (uint64_t i = 0 ; i < r->msn ; i++)
  {
    unsigned int k = 0 ;
    while (k < NMS && r->ms[i] > msbounds[k]) k++ ;
    hist[k]++ ;
  }
  {
    chart hc = { .title = "messages per hour", .ytitle = "messages",
      .xtitle = r->end - r->start > 86400 ? "date and hour" : "hour of the day",
      .aname = "messages", .bname = "infected", .a = r->hourmsg, .b = r->hourinf, .n = hours,
      .label = &hourlabel, .ctx = r } ;
    chart mc = { .title = "scan time", .xtitle = "scan time (ms, each bar up to its bound)", .ytitle = "messages",
      .aname = "messages", .a = hist, .n = NMS + 1, .label = &mslabel } ;
    if (!put("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>qhpsi report for ") || !put(day)
     || !put("</title>\n") || !put(style) || !put("</head><body>\n<h1>qhpsi report for ") || !put(day) || !put("</h1>\n")
     || !sources(r) || !put("<h2>totals</h2><table>\n")
     || !row("messages scanned", r->scanned) || !row("clean", r->clean) || !row("infected", r->infected)
     || !row("rule matches", r->rulehits) || !row("scanner errors", r->error) || !row("timeouts", r->timeouts)
     || !row("released", r->released) || !row("other verdicts", r->other)
     || !row("refused", r->refused) || !row("tagged", r->tagged) || !row("blackholed", r->blackholed)
     || !row("forwarded", r->forwarded) || !row("tempfailed", r->tempfailed) || !row("quarantined", r->quarantined)
     || (r->sealed && !row("forwards judged before", r->sealed)) || (r->selftests && !row("self-test probes", r->selftests))
     || !row("scan ms p50", report_pct(r, 50)) || !row("scan ms p95", report_pct(r, 95)) || !row("scan ms p99", report_pct(r, 99))
     || !spamrows(r)
     || !row("malformed lines skipped", r->malformed) || !row("other lines", r->otherlines) || !row("files read", r->files)
     || !put("</table>\n")
     || !drawchart(&hc) || !drawchart(&mc)
     || !htmltop("signatures", r->sigs, r->nsigs, n, "")
     || !htmltop("client IPs by infected", r->ips, r->nips, n, "")
     || !htmltop("senders by infected", r->senders, r->nsenders, n, "")
     || (r->spamchecks && !htmltop("spam by action", r->spamactions, r->nspamactions, n, ""))
     || (r->nhosts && !htmltop("scanner hosts", r->hosts, r->nhosts, n, "<tr><th>messages</th><th>errors</th><th>host</th></tr>\n"))
     || !put("</body></html>\n")) return 0 ;
  }
  return buffer_flush(buffer_1) ;
}
