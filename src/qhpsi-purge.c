/* qhpsi-purge: removes quarantine entries kept at least N days ago, and
   says how many went; with -n, only which would go. For cron. */

#include <string.h>
#include <time.h>
#include <unistd.h>
#include <skalibs/buffer.h>
#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "quarantine/storetool.h"

#define USAGE "qhpsi-purge [ -n ] [ -v ] [ -q ] days"

int main (int argc, char const *const *argv)
{
  subgetopt l = SUBGETOPT_ZERO ;
  char num[UINT_FMT] ;
  uint64_t d ;
  unsigned int removed ;
  int fd, opt, dry = 0, verbose = 0, quiet = 0 ;
  PROG = "qhpsi-purge" ;
  while ((opt = subgetopt_r(argc, argv, "nvq", &l)) != -1)
    switch (opt)
    {
      case 'n' : dry = 1 ; break ;
      case 'v' : verbose = 1 ; break ;
      case 'q' : quiet = 1 ; break ;
      default : strerr_dieusage(100, USAGE) ;
    }
  argc -= l.ind ; argv += l.ind ;
  if (argc != 1 || !argv[0][0] || uint64_scan(argv[0], &d) != strlen(argv[0]) || d > 1000000)
    strerr_dieusage(100, USAGE) ;
  if (!storetool_allowed(getuid())) strerr_dief(100, "only root and the queue user may purge the quarantine") ;
  fd = storetool_open() ;
  if (fd < 0) strerr_diefusys(111, "open the quarantine") ;
  /* -n always names what would go: that is what it is for */
  if (!storetool_purge(fd, d * 86400, time(0), dry, dry || verbose ? buffer_1 : 0, &removed))
    strerr_diefusys(111, "purge the quarantine") ;
  if (quiet && !dry) return 0 ;
  num[uint_fmt(num, removed)] = 0 ;
  if (buffer_putsflush(buffer_1, dry ? "would remove " : "removed ") < 0
   || buffer_putsflush(buffer_1, num) < 0
   || buffer_putsflush(buffer_1, removed == 1 ? " entry" : " entries") < 0
   || buffer_putsflush(buffer_1, " kept at least ") < 0 || buffer_putsflush(buffer_1, argv[0]) < 0
   || buffer_putsflush(buffer_1, " days ago\n") < 0)
    strerr_diefusys(111, "write to stdout") ;
  return 0 ;
}
