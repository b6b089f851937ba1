/* qhpsi-top: the last minutes of the qhpsi lines of multilog directories,
   redrawn on a terminal. */

#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "report/report.h"

#define USAGE "qhpsi-top [-1] [-m minutes] [-i seconds] logdir..."

int main (int argc, char const *const *argv)
{
  subgetopt l = SUBGETOPT_ZERO ;
  unsigned int minutes = 5, interval = 2 ;
  int one = 0 ;
  PROG = "qhpsi-top" ;
  for (;;)
  {
    int opt = subgetopt_r(argc, argv, "1m:i:", &l) ;
    if (opt == -1) break ;
    switch (opt)
    {
      case '1' : one = 1 ; break ;
      case 'm' : if (!uint0_scan(l.arg, &minutes) || !minutes || minutes > 24 * 60) strerr_dieusage(100, USAGE) ; break ;
      case 'i' : if (!uint0_scan(l.arg, &interval) || !interval) strerr_dieusage(100, USAGE) ; break ;
      default : strerr_dieusage(100, USAGE) ;
    }
  }
  argc -= l.ind ; argv += l.ind ;
  if (!argc) strerr_dieusage(100, USAGE) ;
  for (;;)
  {
    report r ;
    time_t now = time(0) ;
    report_init(&r, now - (time_t)minutes * 60, now + 1) ;
    for (char const *const *d = argv ; *d ; d++)
      if (!report_dir(&r, *d)) strerr_diefu2sys(111, "read log directory ", *d) ;
    r.end = now ;
    if (!report_live(&r, minutes, !one)) strerr_diefu1sys(111, "write to stdout") ;
    report_free(&r) ;
    if (one) return 0 ;
    sleep(interval) ;
  }
}
