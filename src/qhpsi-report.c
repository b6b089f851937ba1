/* qhpsi-report: the morning report, from the qhpsi lines of multilog directories. */

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "report/report.h"

#define USAGE "qhpsi-report [-H] [-m] [-n top] [-s start] [-e end] logdir..."

int main (int argc, char const *const *argv)
{
  subgetopt l = SUBGETOPT_ZERO ;
  int mail = 0, html = 0, haves = 0, havee = 0 ;
  unsigned int n = 10 ;
  time_t start = 0, end = 0 ;
  report r ;
  PROG = "qhpsi-report" ;
  for (;;)
  {
    int opt = subgetopt_r(argc, argv, "Hmn:s:e:", &l) ;
    if (opt == -1) break ;
    switch (opt)
    {
      case 'H' : html = 1 ; break ;
      case 'm' : mail = 1 ; break ;
      case 'n' : if (!uint0_scan(l.arg, &n)) strerr_dieusage(100, USAGE) ; break ;
      case 's' : if (!report_day(l.arg, &start)) strerr_dief2x(100, "bad start time: ", l.arg) ; haves = 1 ; break ;
      case 'e' : if (!report_day(l.arg, &end)) strerr_dief2x(100, "bad end time: ", l.arg) ; havee = 1 ; break ;
      default : strerr_dieusage(100, USAGE) ;
    }
  }
  argc -= l.ind ; argv += l.ind ;
  if (!argc) strerr_dieusage(100, USAGE) ;
  if (!haves)
  {
    time_t now = time(0) ;
    struct tm tm ;
    localtime_r(&now, &tm) ;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0 ; tm.tm_mday-- ; tm.tm_isdst = -1 ;
    start = mktime(&tm) ;
  }
  if (!havee)
  {
    struct tm tm ;
    localtime_r(&start, &tm) ;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0 ; tm.tm_mday++ ; tm.tm_isdst = -1 ;
    end = mktime(&tm) ;
  }
  report_init(&r, start, end) ;
  for (; *argv ; argv++)
    if (!report_dir(&r, *argv)) strerr_diefu2sys(111, "read log directory ", *argv) ;
  if (!(html ? report_html(&r, n) : report_print(&r, mail, n))) strerr_diefu1sys(111, "write to stdout") ;
  return 0 ;
}
