/* qhpsi-list: lists the central quarantine, one line per entry. */

#include <string.h>
#include <time.h>
#include <unistd.h>
#include <skalibs/buffer.h>
#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include "quarantine/storetool.h"

#define USAGE "qhpsi-list [ -l ] [ -H ] [ -o days ] [ -n days ] [ -s signature ] [ -f sender ] [ -r recipient ]"

static uint64_t days (char const *s)
{
  uint64_t u ;
  if (!*s || uint64_scan(s, &u) != strlen(s) || u > 1000000) strerr_dieusage(100, USAGE) ;
  return u * 86400 ;
}

int main (int argc, char const *const *argv)
{
  storetool_filter f = { .now = time(0) } ;
  subgetopt l = SUBGETOPT_ZERO ;
  unsigned int bad ;
  int fd, opt ;
  PROG = "qhpsi-list" ;
  while ((opt = subgetopt_r(argc, argv, "lHo:n:s:f:r:", &l)) != -1)
    switch (opt)
    {
      case 'l' : f.local = 1 ; break ;
      case 'H' : f.bare = 1 ; break ;
      case 'o' : f.older = days(l.arg) ; break ;
      case 'n' : f.newer = days(l.arg) ; if (!f.newer) f.newer = 1 ; break ;
      case 's' : f.signature = l.arg ; break ;
      case 'f' : f.sender = l.arg ; break ;
      case 'r' : f.rcpt = l.arg ; break ;
      default : strerr_dieusage(100, USAGE) ;
    }
  if (l.ind != argc) strerr_dieusage(100, USAGE) ;
  if (!storetool_allowed(getuid())) strerr_dief(100, "only root and the queue user may read the quarantine") ;
  fd = storetool_open() ;
  if (fd < 0) strerr_diefusys(111, "open the quarantine") ;
  if (!storetool_list(fd, &f, buffer_1, &bad)) strerr_diefusys(111, "list the quarantine") ;
  if (bad) strerr_dief(111, "some entries could not be read") ;
  return 0 ;
}
