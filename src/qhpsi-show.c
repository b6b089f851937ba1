/* qhpsi-show: one quarantine entry: its envelope and the message's header,
   or (-m) the whole message. */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/buffer.h>
#include <skalibs/strerr.h>
#include "quarantine/storetool.h"

#define USAGE "qhpsi-show [ -m ] id"

int main (int argc, char const *const *argv)
{
  int whole = 0, fd ;
  PROG = "qhpsi-show" ;
  if (argc == 3 && !strcmp(argv[1], "-m")) { whole = 1 ; argv++ ; argc-- ; }
  if (argc != 2 || argv[1][0] == '-') strerr_dieusage(100, USAGE) ;
  if (!storetool_allowed(getuid())) strerr_dief(100, "only root and the queue user may read the quarantine") ;
  fd = storetool_open() ;
  if (fd < 0) strerr_diefusys(111, "open the quarantine") ;
  if (!storetool_show(fd, argv[1], whole, buffer_1))
  {
    if (errno == ENOENT || errno == EINVAL) strerr_dief(100, "no entry ", argv[1], " in the quarantine") ;
    strerr_diefusys(111, "show ", argv[1]) ;
  }
  return 0 ;
}
