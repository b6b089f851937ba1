/* tests/fuzz/hoststate.c: the scanner hosts' state file (lib/net/state.c)
   as a damaged or hostile one may be: merged against a pool, then put in
   a state directory where a failure and an answer are recorded over it and
   read back. Nothing in the file may crash the reader or outlive an answer. */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "net/host.h"
#include "net/state.h"
#include "fuzz.h"

#define NOW 1700000000u

static char dir[64] ;
static char file[96] ;

static void cleanup (void)
{
  unlink(file) ;
  rmdir(dir) ;
}

static void hosts (net_host *h)
{
  static char const *const list[4] = { "127.0.0.1:3310", "[::1]:3310", "/run/clamd.ctl", "127.0.0.2" } ;
  for (unsigned int i = 0 ; i < 4 ; i++)
    if (!net_host_parse(list[i], strlen(list[i]), 3310, h + i)) abort() ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  net_host h[4] ;
  net_hoststate st[4] ;
  int fd, valid ;
  hosts(h) ;
  if (!dir[0])
  {
    strcpy(dir, "/tmp/qhpsi-fuzz-hoststate.XXXXXX") ;
    if (!mkdtemp(dir)) abort() ;
    snprintf(file, sizeof file, "%s/qmailq", dir) ;
    atexit(&cleanup) ;
  }

  memset(st, 0, sizeof st) ;
  valid = net_state_merge(data, size, h, 4, st, 0, NOW) ;
  FUZZ_ASSERT(size == NET_STATE_SIZE ? valid >= 0 && valid <= NET_STATE_RECORDS : valid == -1) ;
  for (unsigned int i = 0 ; i < 4 ; i++)
  {
    if (valid < 0) FUZZ_ASSERT(!st[i].fails) ;
    if (st[i].fails) FUZZ_ASSERT(st[i].when <= NOW + 60) ;
    /* back-off is bounded whatever the count says */
    FUZZ_ASSERT(!net_state_sick(st + i, NOW + NET_BACKOFF_MAX + 61)) ;
  }

  /* the same bytes as this process's own file: a failure recorded over them
     is read back, an answer then leaves nothing of the host */
  fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) ;
  if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) || close(fd) < 0) abort() ;
  if (net_state_mark(dir, h + 2, 1, NOW))
  {
    FUZZ_ASSERT(size == NET_STATE_SIZE) ;
    net_state_read(dir, h, 4, st, NOW) ;
    FUZZ_ASSERT(net_state_sick(st + 2, NOW)) ;
    FUZZ_ASSERT(net_state_mark(dir, h + 2, 0, NOW)) ;
    net_state_read(dir, h, 4, st, NOW) ;
    FUZZ_ASSERT(!st[2].fails) ;
  }
  else FUZZ_ASSERT(size != NET_STATE_SIZE) ;
  return 0 ;
}
