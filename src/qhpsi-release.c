/* qhpsi-release: re-queues a quarantined message, unscanned, to its
   recipients or to one address, removes it from the quarantine, and says
   so unless -q. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/buffer.h>
#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "queue/paths.h"
#include "quarantine/storetool.h"

#define USAGE "qhpsi-release [ -q ] id [ address ]"

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
  subgetopt l = SUBGETOPT_ZERO ;
  char code[UINT_FMT], n[SIZE_FMT] ;
  char *qq ;
  size_t nrcpt = 0 ;
  int fd, qqexit, opt, quiet = 0 ;
  PROG = "qhpsi-release" ;
  while ((opt = subgetopt_r(argc, argv, "q", &l)) != -1)
    if (opt == 'q') quiet = 1 ; else strerr_dieusage(100, USAGE) ;
  argc -= l.ind - 1 ; argv += l.ind - 1 ;
  if (argc < 2 || argc > 3 || argv[1][0] == '-' || (argc == 3 && !address(argv[2])))
    strerr_dieusage(100, USAGE) ;
  /* qmail-queue skips the scan only for a real uid of 0 */
  if (getuid()) strerr_dief(100, "only root may release from the quarantine") ;
  fd = storetool_open() ;
  if (fd < 0) strerr_diefusys(111, "open the quarantine") ;
  qq = paths_join(paths_home, "bin/qmail-queue") ;
  if (!qq) strerr_diefusys(111, "release ", argv[1]) ;
  if (!storetool_release(fd, argv[1], argc == 3 ? argv[2] : 0, qq, &qqexit, &nrcpt))
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
  if (quiet) return 0 ;
  n[size_fmt(n, nrcpt)] = 0 ;
  /* the address was checked: printable, no line break */
  if (buffer_puts(buffer_1, "released ") < 0 || buffer_puts(buffer_1, argv[1]) < 0
   || buffer_puts(buffer_1, argc == 3 ? " to " : " to its ") < 0
   || buffer_puts(buffer_1, argc == 3 ? argv[2] : n) < 0
   || buffer_puts(buffer_1, argc == 3 ? "" : nrcpt == 1 ? " recipient" : " recipients") < 0
   || buffer_putsflush(buffer_1, ", unscanned; the entry is gone\n") < 0)
    strerr_diefusys(111, "write to stdout") ;
  return 0 ;
}
