/* qhpsi-metrics: counts the qhpsi lines of multilog directories since the
   last run into a state file, writes them for Prometheus, and tells
   QHPSINOTIFY when scanning fails and when it works again. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "metrics/alarm.h"
#include "metrics/metrics.h"

#define USAGE "qhpsi-metrics -s statefile [-o file.prom] [-n address] [-q quiet] [-r repeat] [-l seconds] logdir..."

/* an address as qmail-queue's envelope takes it: printable, no blanks */
static int addressok (char const *s)
{
  size_t n = strlen(s) ;
  if (!n || n > 1000) return 0 ;
  for (; *s ; s++) if (*s <= ' ' || *s > '~') return 0 ;
  return 1 ;
}

static void notify (metrics *m, char const *to, unsigned int quiet, unsigned int repeat)
{
  metrics_alarm before = m->alarm ;
  time_t now = time(0) ;
  int kind = alarm_due(&m->alarm, now, quiet, repeat) ;
  stralloc sa = STRALLOC_ZERO ;
  int r ;
  char fmt[UINT_FMT] ;
  if (kind == ALARM_NONE || !to) return ;
  if (!alarm_fmt(&sa, &m->alarm, kind, to, now)) r = 51 ;
  else r = alarm_queue(&sa, to) ;
  stralloc_free(&sa) ;
  if (!r) return ;
  /* not sent: the next run tries again */
  m->alarm = before ;
  fmt[uint_fmt(fmt, r)] = 0 ;
  strerr_warnw2x("unable to queue the notice: qmail-queue code ", fmt) ;
}

static void once (metrics *m, char const *state, char const *prom, char const *const *dirs,
  char const *to, unsigned int quiet, unsigned int repeat)
{
  for (; *dirs ; dirs++)
    if (!metrics_readdir(m, *dirs)) strerr_diefu2sys(111, "read log directory ", *dirs) ;
  notify(m, to, quiet, repeat) ;
  if (!metrics_save(m, state)) strerr_diefu2sys(111, "write ", state) ;
  if (prom && !metrics_prom(m, prom, time(0))) strerr_diefu2sys(111, "write ", prom) ;
}

int main (int argc, char const *const *argv)
{
  subgetopt l = SUBGETOPT_ZERO ;
  char const *state = 0, *prom = 0, *to = 0 ;
  unsigned int quiet = 300, repeat = 3600, loop = 0 ;
  metrics m ;
  PROG = "qhpsi-metrics" ;
  for (;;)
  {
    int opt = subgetopt_r(argc, argv, "s:o:n:q:r:l:", &l) ;
    if (opt == -1) break ;
    switch (opt)
    {
      case 's' : state = l.arg ; break ;
      case 'o' : prom = l.arg ; break ;
      case 'n' : to = l.arg ; break ;
      case 'q' : if (!uint0_scan(l.arg, &quiet)) strerr_dieusage(100, USAGE) ; break ;
      case 'r' : if (!uint0_scan(l.arg, &repeat)) strerr_dieusage(100, USAGE) ; break ;
      case 'l' : if (!uint0_scan(l.arg, &loop) || !loop) strerr_dieusage(100, USAGE) ; break ;
      default : strerr_dieusage(100, USAGE) ;
    }
  }
  argc -= l.ind ; argv += l.ind ;
  if (!argc || !state) strerr_dieusage(100, USAGE) ;
  if (!to) to = getenv("QHPSINOTIFY") ;
  if (to && !*to) to = 0 ;
  if (to && !addressok(to)) strerr_dief2x(100, "bad notice address: ", to) ;
  {
    /* one reader at a time: the state is read, moved on, and rewritten */
    size_t n = strlen(state) ;
    char lock[n + 6] ;
    int fd ;
    memcpy(lock, state, n) ; memcpy(lock + n, ".lock", 6) ;
    fd = open(lock, O_WRONLY | O_CREAT | O_CLOEXEC, 0600) ;
    if (fd < 0) strerr_diefu2sys(111, "open ", lock) ;
    if (flock(fd, LOCK_EX | LOCK_NB) < 0)
    {
      if (errno == EWOULDBLOCK) strerr_dief2x(111, "another qhpsi-metrics holds ", lock) ;
      strerr_diefu2sys(111, "lock ", lock) ;
    }
  }
  metrics_init(&m) ;
  if (!metrics_load(&m, state))
  {
    if (errno == EPROTO) strerr_dief2x(111, "not a state file of qhpsi-metrics: ", state) ;
    strerr_diefu2sys(111, "read ", state) ;
  }
  for (;;)
  {
    once(&m, state, prom, argv, to, quiet, repeat) ;
    if (!loop) break ;
    sleep(loop) ;
  }
  metrics_free(&m) ;
  return 0 ;
}
