/* qhpsi-purge: removes quarantine entries kept at least N days ago; for cron. */

#include <string.h>
#include <time.h>
#include <unistd.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "quarantine/storetool.h"

#define USAGE "qhpsi-purge days"

int main (int argc, char const *const *argv)
{
  uint64_t d ;
  unsigned int removed ;
  int fd ;
  PROG = "qhpsi-purge" ;
  if (argc != 2 || !argv[1][0] || uint64_scan(argv[1], &d) != strlen(argv[1]) || d > 1000000)
    strerr_dieusage(100, USAGE) ;
  if (!storetool_allowed(getuid())) strerr_dief(100, "only root and the queue user may purge the quarantine") ;
  fd = storetool_open() ;
  if (fd < 0) strerr_diefusys(111, "open the quarantine") ;
  if (!storetool_purge(fd, d * 86400, time(0), &removed)) strerr_diefusys(111, "purge the quarantine") ;
  return 0 ;
}
