/* qhpsi-delete: removes one quarantine entry, unreleased, and says so
   unless -q. */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/buffer.h>
#include <skalibs/strerr.h>
#include "quarantine/storetool.h"

#define USAGE "qhpsi-delete [ -q ] id"

int main (int argc, char const *const *argv)
{
  int fd, quiet = argc == 3 && !strcmp(argv[1], "-q") ;
  PROG = "qhpsi-delete" ;
  if (quiet) { argv++ ; argc-- ; }
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
  if (!quiet && (buffer_puts(buffer_1, "deleted ") < 0 || buffer_puts(buffer_1, argv[1]) < 0
   || buffer_putsflush(buffer_1, " from the quarantine\n") < 0))
    strerr_diefusys(111, "write to stdout") ;
  return 0 ;
}
