/* alarm.h: the notice to QHPSINOTIFY when scanning fails: one at the
   first scanner error after a quiet period, at most one every repeat
   seconds while errors go on, one when scans succeed again and no error
   came for a quiet period. Driven by the lines metrics.c counts. */
#ifndef ALARM_H
#define ALARM_H

#include <sys/types.h>
#include <time.h>
#include <skalibs/stralloc.h>
#include "report/logline.h"

#define ALARM_WHATLEN 160

/* the failure notice's state (alarm.c) */
typedef struct metrics_alarm_s metrics_alarm ;
struct metrics_alarm_s
{
  uint64_t failing, notified ;      /* 0 or 1 */
  uint64_t since, lasterr, lastok ; /* log times, Unix seconds */
  uint64_t lastnotice ;             /* wall clock */
  uint64_t errors, tempfails, accepted ;  /* in this failure */
  char what[ALARM_WHATLEN] ;      /* the last error: reason, host */
} ;


enum { ALARM_NONE, ALARM_FAILING, ALARM_STILL, ALARM_RECOVERED } ;

/* one counted line; reason: the bounded reason of an error line */
extern void alarm_see (metrics_alarm *a, logline const *l, char const *reason) ;

/* What to send now, if anything; the state moves as if it was sent. */
extern int alarm_due (metrics_alarm *a, time_t now, unsigned int quiet, unsigned int repeat) ;

/* The notice's text: headers, a blank line, the body. 1, or 0 (ENOMEM). */
extern int alarm_fmt (stralloc *sa, metrics_alarm const *a, int kind, char const *to, time_t now) ;

/* Queues text to to in the queue of the qmail home (paths_init), as the
   queue's owner when run as root. 0, or a qmail-queue exit code. */
extern int alarm_queue (stralloc const *text, char const *to) ;

#endif
