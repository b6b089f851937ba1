/* qhpsi-delete: removes one quarantine entry, unreleased. */

#include <errno.h>
#include <unistd.h>
#include <skalibs/strerr.h>
#include "quarantine/storetool.h"

#define USAGE "qhpsi-delete id"

int main (int argc, char const *const *argv)
{
  int fd ;
  PROG = "qhpsi-delete" ;
  if (argc != 2 || argv[1][0] == '-') strerr_dieusage(100, USAGE) ;
  if (!storetool_allowed(getuid())) strerr_dief(100, "only root and the queue user may delete from the quarantine") ;
  fd = storetool_open() ;
  if (fd < 0) strerr_diefusys(111, "open the quarantine") ;
  if (!storetool_delete(fd, argv[1]))
  {
    if (errno == ENOENT || errno == EINVAL) strerr_dief(100, "no entry ", argv[1], " in the quarantine") ;
    if (errno == EBUSY) strerr_dief(111, argv[1], " is being released") ;
    strerr_diefusys(111, "delete ", argv[1]) ;
  }
  return 0 ;
}
