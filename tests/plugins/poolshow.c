/* poolshow.c: test driver for what qhpsi-check will print of a scanner
   pool: net_pool_show on the list given (QMAILHOME picks the state as for
   the plugins). Exits 0, 100 for a bad list, 111 on a write error. */

#include <errno.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/strerr.h>
#include <skalibs/stralloc.h>

#include "net/pool.h"

int main (int argc, char const *const *argv)
{
  stralloc sa = STRALLOC_ZERO ;
  int ok ;
  PROG = "poolshow" ;
  if (argc != 2) strerr_dieusage(100, "poolshow list") ;
  ok = net_pool_show(argv[1], 3310, &sa) ;
  if (!ok && errno != EINVAL) strerr_diefu1sys(111, "show the pool") ;
  if (allwrite(1, sa.s, sa.len) != sa.len) strerr_diefu1sys(111, "write to stdout") ;
  return ok ? 0 : 100 ;
}
