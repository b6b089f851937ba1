/* live.c: the live view of qhpsi-top: the last minutes of the logs on one
   terminal screen. */

#include <string.h>
#include <skalibs/buffer.h>
#include <skalibs/types.h>
#include "report/report.h"

static int put (char const *s) { return buffer_puts(buffer_1, s) >= 0 ; }

/* n right-aligned in w columns */
static int col (uint64_t n, unsigned int w)
{
  char fmt[UINT64_FMT] ;
  size_t len = uint64_fmt(fmt, n) ;
  fmt[len] = 0 ;
  while (w-- > len) if (!put(" ")) return 0 ;
  return put(fmt) ;
}

static int item (char const *label, uint64_t n)
{
  return put("  ") && put(label) && put(" ") && col(n, 0) ;
}

int report_live (report *r, unsigned int minutes, int clear)
{
  char now[32] ;
  struct tm tm ;
  localtime_r(&r->end, &tm) ;
  strftime(now, sizeof now, "%Y-%m-%d %H:%M:%S", &tm) ;
  report_sort(r) ;
  report_top(r->hosts, r->nhosts) ;
  if (clear && !put("\033[H\033[2J")) return 0 ;
  if (!put("qhpsi-top  ") || !put(now) || !put("  last ") || !col(minutes, 0) || !put(" minutes, ")
   || !col(r->nsrcs, 0) || !put(r->nsrcs == 1 ? " log\n\n" : " logs\n\n")) return 0 ;
  if (!put("messages") || !col(r->scanned, 9) || !put("   per minute ") || !col(minutes ? r->scanned / minutes : 0, 0)
   || !put("\nverdicts") || !item("clean", r->clean) || !item("infected", r->infected) || !item("error", r->error)
   || !item("released", r->released) || !item("other", r->other)
   || !put("\nactions ") || !item("refused", r->refused) || !item("tagged", r->tagged) || !item("blackholed", r->blackholed)
   || !item("tempfailed", r->tempfailed) || !item("quarantined", r->quarantined)
   || !put("\nerrors  ") || !item("scanner", r->error) || !item("timeouts", r->timeouts) || !item("rule matches", r->rulehits)
   || !put("\nscan ms ") || !item("p50", report_pct(r, 50)) || !item("p99", report_pct(r, 99))
   || !item("max", r->msn ? r->ms[r->msn - 1] : 0) || !put("\n\n")) return 0 ;
  if (r->nhosts)
  {
    if (!put("scanner host                      messages    errors\n")) return 0 ;
    for (unsigned int i = 0 ; i < r->nhosts && i < 20 ; i++)
    {
      size_t n = strlen(r->hosts[i].key) ;
      if (!report_putclean(r->hosts[i].key)) return 0 ;
      for (; n < 32 ; n++) if (!put(" ")) return 0 ;
      if (!col(r->hosts[i].n, 10) || !col(r->hosts[i].m, 10) || !put("\n")) return 0 ;
    }
  }
  else if (!put("scanner hosts: none named in the logs (no host= key)\n")) return 0 ;
  for (unsigned int i = 0 ; i < r->nsrcs ; i++)
    if (!r->srcs[i].lines && !(put("note: ") && put(r->srcs[i].dir) && put(" holds no lines\n"))) return 0 ;
  return buffer_flush(buffer_1) ;
}
