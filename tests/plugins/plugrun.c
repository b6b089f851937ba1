/* plugrun.c: test driver that loads one plugin as qmail-queue does and scans
   a file (or stdin, "-") with it, printing each verdict as one line:
   "clean", "infected NAME" or "error TEXT"; exits 0, 1 or 2 by the last. */

#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <skalibs/buffer.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>

#include "scan/plugin.h"

#define USAGE "plugrun plugindir plugin file|- [timeout_ms [count]]"

int main (int argc, char const *const *argv)
{
  plugin p ;
  struct qhpsi_message m ;
  struct qhpsi_result r = { .verdict = QHPSI_ERROR } ;
  struct stat st ;
  char const *err ;
  uint32_t timeout = 60000, count = 1 ;
  int fd ;

  PROG = "plugrun" ;
  if (argc < 4 || argc > 6) strerr_dieusage(100, USAGE) ;
  if (argc > 4 && !uint320_scan(argv[4], &timeout)) strerr_dieusage(100, USAGE) ;
  if (argc > 5 && (!uint320_scan(argv[5], &count) || !count)) strerr_dieusage(100, USAGE) ;
  if (!plugin_load(&p, argv[1], argv[2], "virusscan", 0, &err))
    strerr_dief4sys(100, "unable to load ", argv[2], ": ", err) ;
  fd = strcmp(argv[3], "-") ? open(argv[3], O_RDONLY | O_CLOEXEC) : 0 ;
  if (fd < 0) strerr_diefu2sys(100, "open ", argv[3]) ;
  if (fstat(fd, &st) < 0) strerr_diefu2sys(100, "fstat ", argv[3]) ;
  m.fd = fd ;
  m.size = (uint64_t)st.st_size ;
  m.path = fd ? argv[3] : "/dev/stdin" ;
  m.timeout_ms = timeout ;
  while (count--)
  {
    char const *word ;
    plugin_scan(&p, &m, 1, 0, &r) ;
    word = r.verdict == QHPSI_CLEAN ? "clean" : r.verdict == QHPSI_INFECTED ? "infected" : "error" ;
    if (!buffer_puts(buffer_1, word)
     || (r.verdict != QHPSI_CLEAN && r.text[0] && (!buffer_put(buffer_1, " ", 1) || !buffer_puts(buffer_1, r.text)))
     || !buffer_putflush(buffer_1, "\n", 1))
      strerr_diefu1sys(111, "write to stdout") ;
  }
  return r.verdict == QHPSI_CLEAN ? 0 : r.verdict == QHPSI_INFECTED ? 1 : 2 ;
}
