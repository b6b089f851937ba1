/* qhpsi-token: prints a token for the X-QHPSI-Selftest: field of a
   qhpsi-selftest probe, made with the seal key; for root and the queue
   user, who can read that key anyway. */

#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <skalibs/buffer.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "queue/paths.h"
#include "quarantine/storetool.h"
#include "scan/seal.h"

#define USAGE "qhpsi-token"

int main (int argc, char const *const *argv)
{
  static char const hex[] = "0123456789abcdef" ;
  seal_key k ;
  unsigned char r[8] ;
  char id[UINT64_FMT + 18], tok[128] ;
  char *fn ;
  size_t n ;
  int fd ;
  PROG = "qhpsi-token" ;
  (void)argv ;
  if (argc != 1) strerr_dieusage(100, USAGE) ;
  if (!storetool_allowed(getuid())) strerr_dief(100, "only root and the queue user may make a token") ;
  if (!paths_init() || !(fn = paths_join(paths_home, "control/qhpsikey"))) strerr_diefusys(111, "find the qmail home") ;
  if (!seal_loadkey(fn, &k, 1))
    strerr_diefusys(errno == ENOENT || errno == EPERM || errno == EINVAL ? 100 : 111, "use the seal key ", fn) ;
  fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC) ;
  if (fd < 0 || read(fd, r, sizeof r) != sizeof r) strerr_diefusys(111, "read /dev/urandom") ;
  close(fd) ;
  n = uint64_fmt(id, (uint64_t)time(0)) ;
  id[n++] = '.' ;
  for (unsigned int i = 0 ; i < sizeof r ; i++) { id[n++] = hex[r[i] >> 4] ; id[n++] = hex[r[i] & 15] ; }
  id[n] = 0 ;
  if (!seal_selftest_token(&k, id, tok, sizeof tok)) strerr_dief(111, "unable to make a token") ;
  if (buffer_puts(buffer_1, tok) < 0 || buffer_putsflush(buffer_1, "\n") < 0) strerr_diefusys(111, "write to stdout") ;
  return 0 ;
}
