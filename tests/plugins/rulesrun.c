/* rulesrun.c: test driver for the rules plugin: loads the .so with dlopen,
   scans a message file with an envelope, and prints one line:
   "verdict TEXT|action N|flags N|reply TEXT". Exits 0 clean, 1 infected, 2 error. */

#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "qhpsi-plugin.h"

int main (int argc, char const *const *argv)
{
  struct qhpsi_plugin const *p ;
  struct qhpsi_message m = { 0 } ;
  struct qhpsi_result r ;
  struct stat st ;
  void *h ;
  if (argc < 4) { fprintf(stderr, "usage: rulesrun rules.so message sender [rcpt...]\n") ; return 100 ; }
  h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL) ;
  if (!h) { fprintf(stderr, "rulesrun: %s\n", dlerror()) ; return 100 ; }
  p = dlsym(h, QHPSI_PLUGIN_SYMBOL) ;
  if (!p || p->abi < 2 || p->abi > QHPSI_PLUGIN_ABI) { fprintf(stderr, "rulesrun: no plugin of ABI 2 or later\n") ; return 100 ; }
  m.fd = open(argv[2], O_RDONLY | O_CLOEXEC) ;
  if (m.fd < 0 || fstat(m.fd, &st) < 0) { perror("rulesrun: open") ; return 100 ; }
  m.size = st.st_size ; m.path = argv[2] ; m.timeout_ms = 60000 ;
  m.sender = argv[3] ; m.rcpts = (char const *const *)argv + 4 ; m.nrcpts = argc - 4 ;
  memset(&r, 0, sizeof r) ;
  (*p->scan)(&m, &r) ;
  if (r.verdict == QHPSI_CLEAN) printf("clean\n") ;
  else printf("%s %s|action %u|flags %u|reply %s\n", r.verdict == QHPSI_INFECTED ? "infected" : "error", r.text, r.action, r.flags, r.reply) ;
  return r.verdict == QHPSI_CLEAN ? 0 : r.verdict == QHPSI_INFECTED ? 1 : 2 ;
}
