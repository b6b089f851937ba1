/* report.h: summarises qhpsi log lines (multilog t stamps) over a time range. */
#ifndef REPORT_H
#define REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "report/logline.h"

#define REPORT_HOURS (24 * 62)
/* scanner hosts counted by name; the rest as "other" */
#define REPORT_MAXHOSTS 64

typedef struct report_count_s report_count ;
struct report_count_s { char *key ; size_t keylen ; uint64_t n, m ; } ;  /* key: keylen bytes, then a NUL */

/* one log directory: how far back its lines go */
typedef struct report_src_s report_src ;
struct report_src_s { char const *dir ; logstamp first, last ; uint64_t lines, inrange ; } ;

typedef struct report_s report ;
struct report_s
{
  time_t start, end ;
  uint64_t scanned, clean, infected, error, released, other, timeouts, rulehits ;
  uint64_t refused, tagged, blackholed, forwarded, quarantined, tempfailed ;
  uint64_t malformed, otherlines, files ;
  uint64_t sealed, selftests ; /* route=seal and action=selftest* lines, not counted */
  uint32_t *ms ; uint64_t msn, msa ;
  report_count *sigs, *ips, *senders, *hosts ;  /* hosts: n messages, m errors */
  unsigned int nsigs, nips, nsenders, nhosts ;
  report_src *srcs ; unsigned int nsrcs ;
  uint64_t hourmsg[REPORT_HOURS], hourinf[REPORT_HOURS] ;
  /* lines with spam=: ham, spam (by action), the engine's errors; scores in hundredths */
  uint64_t spamchecks, spamham, spamspam, spamerror ;
  report_count *spamactions ; unsigned int nspamactions ;
  int64_t *scores ; uint64_t scoren, scorea ;
} ;

extern void report_init (report *, time_t, time_t) ;
extern void report_free (report *) ;
/* one line without its newline; 0 on memory failure only */
extern int report_line (report *, char const *, size_t) ;
extern int report_dir (report *, char const *) ;
extern int report_print (report *, int, unsigned int) ;
extern int report_html (report *, unsigned int) ;
extern int report_day (char const *, time_t *) ;
/* the last minutes on one screen (qhpsi-top); clear: the terminal first */
extern int report_live (report *, unsigned int, int) ;

/* for the writers: sorts the scan times, a percentile of them, top-N order */
extern void report_sort (report *) ;
extern uint32_t report_pct (report const *, unsigned int) ;
/* a percentile of the spam scores, as the log writes them ("3.20"), into buf */
extern char const *report_scorepct (report const *, unsigned int, char *, size_t) ;
extern void report_top (report_count *, unsigned int) ;
/* s on stdout, a byte that is not printable ASCII as '?' */
extern int report_putclean (char const *s) ;
/* the sources whose first line is after the start of the range */
extern int report_partial (report const *, report_src const *) ;

#endif
