/* report.h: summarises qhpsi log lines (multilog t stamps) over a time range. */
#ifndef REPORT_H
#define REPORT_H

#include <stdint.h>
#include <time.h>

#define REPORT_HOURS (24 * 62)

typedef struct report_count_s report_count ;
struct report_count_s { char *key ; uint64_t n ; } ;

typedef struct report_s report ;
struct report_s
{
  time_t start, end ;
  uint64_t scanned, clean, infected, rulehits, error, other, timeouts ;
  uint64_t refused, tagged, blackholed, forwarded, quarantined, tempfailed ;
  uint64_t malformed, otherlines, files ;
  uint64_t sealed, selftests ; /* route=seal and action=selftest* lines, not counted */
  uint32_t *ms ; uint64_t msn, msa ;
  report_count *sigs, *ips, *senders ;
  unsigned int nsigs, nips, nsenders ;
  uint64_t hourmsg[REPORT_HOURS], hourinf[REPORT_HOURS] ;
} ;

extern void report_init (report *, time_t, time_t) ;
extern int report_line (report *, char *, size_t) ;
extern int report_dir (report *, char const *) ;
extern int report_print (report *, int, unsigned int) ;
extern int report_html (report *, unsigned int) ;
extern int report_day (char const *, time_t *) ;

#endif
