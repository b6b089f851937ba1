/* qhpsi-release: re-queues a quarantined message, unscanned, to its
   recipients or to one address, and removes it from the quarantine. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "queue/paths.h"
#include "quarantine/storetool.h"

#define USAGE "qhpsi-release id [ address ]"

/* an address goes into intd as it is: no control bytes, qmail's length */
static int address (char const *s)
{
  size_t n = strlen(s) ;
  if (!n || n > 1002) return 0 ;
  for (; *s ; s++) if ((unsigned char)*s < 0x20 || *s == 0x7f) return 0 ;
  return 1 ;
}

int main (int argc, char const *const *argv)
{
  char code[UINT_FMT] ;
  char *qq ;
  int fd, qqexit ;
  PROG = "qhpsi-release" ;
  if (argc < 2 || argc > 3 || argv[1][0] == '-' || (argc == 3 && !address(argv[2])))
    strerr_dieusage(100, USAGE) ;
  /* qmail-queue skips the scan only for a real uid of 0 */
  if (getuid()) strerr_dief(100, "only root may release from the quarantine") ;
  fd = storetool_open() ;
  if (fd < 0) strerr_diefusys(111, "open the quarantine") ;
  qq = paths_join(paths_home, "bin/qmail-queue") ;
  if (!qq) strerr_diefusys(111, "release ", argv[1]) ;
  if (!storetool_release(fd, argv[1], argc == 3 ? argv[2] : 0, qq, &qqexit))
  {
    if (qqexit)
    {
      code[uint_fmt(code, qqexit)] = 0 ;
      strerr_dief(qqexit >= 11 && qqexit <= 40 ? 100 : 111, "qmail-queue exited ", code, ": ", argv[1], " stays in the quarantine") ;
    }
    if (errno == ENOENT || errno == EINVAL) strerr_dief(100, "no entry ", argv[1], " in the quarantine") ;
    if (errno == EBUSY) strerr_dief(111, argv[1], " is being released or deleted") ;
    strerr_diefusys(111, "release ", argv[1]) ;
  }
  return 0 ;
}
