/* qhpsi-spamrules: compiles the per-recipient spam rules, read on stdin,
   into a cdb the way tcprules does: written to tmp, synced, renamed. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include <skalibs/djbunix.h>
#include "policy/spamrules.h"

#define USAGE "qhpsi-spamrules rules.cdb rules.tmp < rules"

int main (int argc, char const *const *argv)
{
  stralloc text = STRALLOC_ZERO ;
  char const *why ;
  unsigned int line ;
  int fd ;
  PROG = "qhpsi-spamrules" ;
  if (argc != 3) strerr_dieusage(100, USAGE) ;
  if (!slurp(&text, 0)) strerr_diefusys(111, "read stdin") ;
  fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) ;
  if (fd < 0) strerr_diefusys(111, "create ", argv[2]) ;
  if (!spamrules_make(text.s ? text.s : "", text.len, fd, &line, &why))
  {
    char fmt[UINT_FMT] ;
    unlink(argv[2]) ;
    if (!line) strerr_diefusys(111, "write ", argv[2]) ;
    fmt[uint_fmt(fmt, line)] = 0 ;
    strerr_dief(100, "line ", fmt, ": ", why) ;
  }
  if (fsync(fd) < 0 || close(fd) < 0) { unlink(argv[2]) ; strerr_diefusys(111, "write ", argv[2]) ; }
  if (rename(argv[2], argv[1]) < 0) strerr_diefusys(111, "rename ", argv[2], " to ", argv[1]) ;
  return 0 ;
}
