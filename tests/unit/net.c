/* unit tests of the network module: host lists, the hosts' state tables
   (what is trusted, what a failure and an answer leave), the pool's order,
   and what qhpsi-check shows of them */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "net/host.h"
#include "net/pool.h"
#include "net/state.h"
#include "unit.h"

#define NOW 1800000000u

static int parses (char const *s, char const *label)
{
  net_host h ;
  return net_host_parse(s, strlen(s), 3310, &h) && !strcmp(h.label, label) ;
}

static int refused (char const *s)
{
  net_host h ;
  errno = 0 ;
  return !net_host_parse(s, strlen(s), 3310, &h) && errno == EINVAL ;
}

/* a fresh state file, as qhpsi-mkqueue makes it */
static void mkstate (char const *dir, char const *name, mode_t mode)
{
  char fn[256], zero[NET_STATE_SIZE] = { 0 } ;
  int fd ;
  snprintf(fn, sizeof fn, "%s/%s", dir, name) ;
  unlink(fn) ;
  fd = open(fn, O_WRONLY | O_CREAT | O_EXCL, 0600) ;
  if (fd < 0 || write(fd, zero, sizeof zero) != (ssize_t)sizeof zero || fchmod(fd, mode) < 0 || close(fd) < 0) exit(111) ;
}

int main (void)
{
  char dir[] = "/tmp/qhpsi-unit-net.XXXXXX", sub[64], fn[128] ;
  net_host h[3] ;
  net_hoststate st[3] ;
  unsigned int n ;
  char const *bad ;
  size_t badlen ;
  stralloc sa = STRALLOC_ZERO ;

  /* ---- host lists */
  CHECK(parses("127.0.0.1", "127.0.0.1:3310"), "IPv4, the default port") ;
  CHECK(parses("127.0.0.2:783", "127.0.0.2:783"), "IPv4 with a port") ;
  CHECK(parses("[::1]:3311", "[::1]:3311"), "IPv6 in brackets with a port") ;
  CHECK(parses("0:0::1", "[::1]:3310"), "bare IPv6, its label canonical") ;
  CHECK(parses("/run/clamd.ctl", "/run/clamd.ctl"), "a unix socket path") ;
  CHECK(refused("localhost:3310"), "a name is refused: no lookup without a deadline") ;
  CHECK(refused("127.0.0.1:0") && refused("127.0.0.1:65536") && refused("127.0.0.1:") && refused("[::1]x"), "bad ports and brackets") ;
  CHECK(refused("/run/a\x01b"), "a path with a control byte is refused (it is logged)") ;
  CHECK(net_host_list(" 127.0.0.1:1,[::1]:2\t/x ", 3310, h, &n, &bad, &badlen) && n == 3, "a list: commas and blanks") ;
  CHECK(!net_host_list("127.0.0.1:1,nohost", 3310, h, &n, &bad, &badlen) && badlen == 6 && !memcmp(bad, "nohost", 6), "a list names its bad entry") ;
  CHECK(!net_host_list(" , ", 3310, h, &n, &bad, &badlen) && !badlen, "an empty list is refused") ;

  /* ---- back-off */
  CHECK(net_state_backoff(0) == 0 && net_state_backoff(1) == NET_BACKOFF_MIN && net_state_backoff(2) == 2 * NET_BACKOFF_MIN, "back-off doubles") ;
  CHECK(net_state_backoff(4000000000u) == NET_BACKOFF_MAX, "back-off is bounded") ;

  /* ---- the state table: a failure is remembered, an answer forgets it */
  if (!mkdtemp(dir)) return 111 ;
  snprintf(sub, sizeof sub, "%s/qhpsi/hosts", dir) ;
  snprintf(fn, sizeof fn, "%s/qhpsi", dir) ;
  if (mkdir(fn, 0755) < 0 || mkdir(sub, 0755) < 0) return 111 ;
  mkstate(sub, "qmailq", 0644) ;
  if (!net_host_list("127.0.0.1:1 127.0.0.1:2 /x", 3310, h, &n, &bad, &badlen)) return 111 ;
  CHECK(net_state_mark(sub, h + 1, 1, NOW), "a failure is recorded") ;
  net_state_read(sub, h, 3, st, NOW) ;
  CHECK(!st[0].fails && st[1].fails == 1 && st[1].when == NOW && st[1].mine && !st[2].fails, "read back: that host only, from our own file") ;
  CHECK(net_state_sick(st + 1, NOW + NET_BACKOFF_MIN - 1) && !net_state_sick(st + 1, NOW + NET_BACKOFF_MIN), "sick for the back-off, then tried again") ;
  CHECK(net_state_mark(sub, h + 1, 1, NOW + 1), "a second failure within the back-off") ;
  net_state_read(sub, h, 3, st, NOW + 1) ;
  CHECK(st[1].fails == 1 && st[1].when == NOW, "... is the same failure (another process saw it)") ;
  CHECK(net_state_mark(sub, h + 1, 1, NOW + NET_BACKOFF_MIN), "a failed probe after the back-off") ;
  net_state_read(sub, h, 3, st, NOW + NET_BACKOFF_MIN) ;
  CHECK(st[1].fails == 2 && st[1].when == NOW + NET_BACKOFF_MIN, "... doubles it") ;
  CHECK(net_state_mark(sub, h + 2, 1, NOW) && net_state_mark(sub, h + 1, 0, NOW + 9), "a unix host fails, the other answers") ;
  net_state_read(sub, h, 3, st, NOW + 9) ;
  CHECK(!st[1].fails && st[2].fails == 1, "an answer forgets the host, not the others") ;

  /* ---- what qhpsi-check shows */
  CHECK(net_state_show(sub, h, 2, NOW + 1, &sa), "show") ;
  CHECK(sa.len && strstr(sa.s, "host 127.0.0.1:1: ok\n") && strstr(sa.s, "host 127.0.0.1:2: ok\n")
     && strstr(sa.s, "record a unix socket (not in the list, file qmailq): failed 1 time(s) in a row, the last 1 s ago; left alone for 9 s more\n")
     && strstr(sa.s, "/qhpsi/hosts/qmailq: 1 record\n") && strstr(sa.s, "/qhpsi/hosts/qscand: not used: No such file or directory\n"),
     "show: the hosts, a record of another host, each file") ;

  /* ---- what is not trusted counts for nothing */
  net_state_mark(sub, h, 1, NOW) ;
  snprintf(fn, sizeof fn, "%s/qmailq", sub) ;
  chmod(fn, 0664) ;
  net_state_read(sub, h, 1, st, NOW) ;
  CHECK(!st[0].fails && !net_state_mark(sub, h, 1, NOW), "a group-writable file is neither read nor written") ;
  chmod(fn, 0644) ;
  net_state_read(sub, h, 1, st, NOW) ;
  CHECK(st[0].fails == 1, "... and counts again once it is not") ;
  CHECK(!truncate(fn, NET_STATE_SIZE - 1), "truncate") ;
  net_state_read(sub, h, 1, st, NOW) ;
  CHECK(!st[0].fails && !net_state_mark(sub, h, 1, NOW), "a file of the wrong size is ignored") ;
  unlink(fn) ;
  mkstate(dir, "elsewhere", 0644) ;
  snprintf(fn, sizeof fn, "%s/elsewhere", dir) ;
  snprintf(sub + strlen(sub), sizeof sub - strlen(sub), "/qmailq") ;
  CHECK(!symlink(fn, sub), "symlink") ;
  *strrchr(sub, '/') = 0 ;
  CHECK(!net_state_mark(sub, h, 1, NOW), "a symlink is not followed") ;
  snprintf(fn, sizeof fn, "%s/qmailq", sub) ;
  unlink(fn) ;
  mkstate(sub, "qmailq", 0644) ;
  chmod(sub, 0775) ;
  CHECK(!net_state_mark(sub, h, 1, NOW), "a group-writable directory is not used") ;
  chmod(sub, 0755) ;
  CHECK(net_state_mark(sub, h, 1, NOW), "... and is once it is not") ;
  {
    /* a damaged record (one bit) reads as empty */
    unsigned char b ;
    int fd = open(fn, O_RDWR) ;
    off_t off = -1 ;
    for (off_t o = 0 ; fd >= 0 && o < NET_STATE_SIZE ; o += NET_STATE_RECLEN)
      if (pread(fd, &b, 1, o) == 1 && b) { off = o ; break ; }
    CHECK(off >= 0 && pread(fd, &b, 1, off + 26) == 1, "find the record") ;
    b ^= 1 ;
    CHECK(pwrite(fd, &b, 1, off + 26) == 1, "flip a bit of its time") ;
    close(fd) ;
    net_state_read(sub, h, 1, st, NOW) ;
    CHECK(!st[0].fails, "a damaged record reads as empty") ;
  }

  if (!geteuid())
  {
    /* a file of someone else's: neither its writer's nor ours */
    CHECK(net_state_mark(sub, h, 1, NOW) && !chown(fn, 65534, 65534), "chown the table to nobody") ;
    net_state_read(sub, h, 1, st, NOW) ;
    CHECK(!st[0].fails && !net_state_mark(sub, h, 1, NOW), "a foreign-owned file is neither read nor written") ;
    CHECK(!chown(fn, 0, 0), "chown back") ;
  }

  /* ---- the pool: the healthy host first, the sick one last */
  CHECK(setenv("QMAILHOME", dir, 1) == 0 && net_state_mark(sub, h + 1, 1, (uint32_t)time(0)), "host 2 fails now") ;
  {
    net_pool p ;
    unsigned int last = 0 ;
    for (unsigned int k = 0 ; k < 20 ; k++)
    {
      if (!net_pool_init(&p, "127.0.0.1:1 127.0.0.1:2 127.0.0.1:3", 3310)) break ;
      last += p.order[2] == 1 ;
    }
    CHECK(last == 20, "a host in back-off is tried last, every time") ;
    setenv(NET_CONNECT_ENV, "250", 1) ;
    CHECK(net_pool_init(&p, "127.0.0.1:1", 3310) && p.connect_ms == 250, "QHPSICONNECTMS") ;
    setenv(NET_CONNECT_ENV, "25x", 1) ;
    CHECK(net_pool_init(&p, "127.0.0.1:1", 3310) && p.connect_ms == NET_CONNECT_DEFAULT, "a bad QHPSICONNECTMS is the default") ;
    CHECK(!net_pool_init(&p, "127.0.0.1:1,x\001y", 3310) && !strcmp(p.err, "bad entry x?y"), "a bad entry is quoted printable") ;
  }
  sa.len = 0 ;
  CHECK(net_pool_show("127.0.0.1:1 127.0.0.1:2", 3310, &sa) && sa.len > 40
     && !strncmp(sa.s, "pool: 2 hosts, connect timeout 1000 ms\nhost 127.0.0.1:1: ok\nhost 127.0.0.1:2: failed 1 time(s) in a row, the last ", 102),
     "net_pool_show: the pool, then the state") ;

  snprintf(fn, sizeof fn, "rm -rf '%s'", dir) ;
  if (system(fn)) return 111 ;
  return UNIT_END() ;
}
