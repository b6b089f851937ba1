/* metrics.h: counters kept incrementally from qmail-queue's log lines,
   for Prometheus's textfile collector (qhpsi-metrics(8)). The state file
   holds them and, per log directory, the stamp of the last line counted,
   so they only grow, across log rotation and restarts. */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "report/logline.h"
#include "metrics/alarm.h"

#define METRICS_NVERDICT 6
#define METRICS_NACTION 11
#define METRICS_NROUTE 6
#define METRICS_NREASON 6
#define METRICS_NSPAM 4      /* ham, spam, error, other */
#define METRICS_NMS 14
#define METRICS_NSIZE 10
#define METRICS_MAXHOSTS 32   /* named scanner hosts; then "other" */
#define METRICS_HOSTLEN 64
#define METRICS_MAXDIRS 16

extern char const *const metrics_verdicts[METRICS_NVERDICT] ;
extern char const *const metrics_actions[METRICS_NACTION] ;
extern char const *const metrics_routes[METRICS_NROUTE] ;
extern char const *const metrics_reasons[METRICS_NREASON] ;
extern char const *const metrics_spams[METRICS_NSPAM] ;
extern uint64_t const metrics_msbounds[METRICS_NMS - 1] ;     /* ms */
extern uint64_t const metrics_sizebounds[METRICS_NSIZE - 1] ; /* bytes */

typedef struct metrics_host_s metrics_host ;
struct metrics_host_s { char name[METRICS_HOSTLEN] ; uint64_t scans, errors ; } ;

typedef struct metrics_dir_s metrics_dir ;
struct metrics_dir_s
{
  char *path ;
  logstamp last ;   /* the last line counted */
  uint64_t same ;   /* how many lines stamped last were counted */
  uint64_t eq ;     /* in this run, lines stamped last seen so far */
} ;

typedef struct metrics_s metrics ;
struct metrics_s
{
  uint64_t verdict[METRICS_NVERDICT], action[METRICS_NACTION], route[METRICS_NROUTE], reason[METRICS_NREASON] ;
  uint64_t ms[METRICS_NMS], mssum, size[METRICS_NSIZE], sizesum ;
  uint64_t signatures, rulehits, quarantined, malformed, lastscan ;
  uint64_t sealed, selftests ;  /* lines that are no new message */
  uint64_t spam[METRICS_NSPAM] ;          /* lines with spam=, by its value */
  uint64_t spamaction[METRICS_NACTION] ;  /* spam=spam lines, by action */
  metrics_host hosts[METRICS_MAXHOSTS] ;
  unsigned int nhosts ;
  metrics_dir dirs[METRICS_MAXDIRS] ;
  unsigned int ndirs ;
  metrics_alarm alarm ;
} ;

extern void metrics_init (metrics *m) ;
extern void metrics_free (metrics *m) ;

/* Counts one qhpsi line. */
extern void metrics_count (metrics *m, logline const *l) ;

/* Counts the lines of dir newer than the last counted. 1, or 0 with errno. */
extern int metrics_readdir (metrics *m, char const *dir) ;

/* The state file: load (a missing file is a fresh start), save (write,
   fsync, rename). 1, or 0 with errno (EPROTO: not a state file). */
extern int metrics_load (metrics *m, char const *fn) ;
extern int metrics_save (metrics const *m, char const *fn) ;

/* The text exposition format, into fn by write, fsync, rename. now: the
   time of this run, exported as qhpsi_metrics_updated_seconds. */
extern int metrics_prom (metrics const *m, char const *fn, time_t now) ;

/* writes len bytes to fn.tmp, fsyncs, renames it to fn */
extern int metrics_publish (char const *fn, char const *s, size_t len) ;

#endif
