/* unit tests of the seal: HMAC-SHA256 against RFC 4231, the self-test token */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <skalibs/stralloc.h>
#include "scan/seal.h"
#include "unit.h"

int main (void)
{
  seal_key k = { .len = 20 }, other = { .len = 32 } ;
  unsigned char mac[32] ;
  static unsigned char const want1[32] = {
    0xb0, 0x34, 0x4c, 0x61, 0xd8, 0xdb, 0x38, 0x53, 0x5c, 0xa8, 0xaf, 0xce, 0xaf, 0x0b, 0xf1, 0x2b,
    0x88, 0x1d, 0xc2, 0x00, 0xc9, 0x83, 0x3d, 0xa7, 0x26, 0xe9, 0x37, 0x6c, 0x2e, 0x32, 0xcf, 0xf7 } ;
  char tok[128], head[256] ;
  char fn[] = "/tmp/qhpsi-seal-unit.XXXXXX" ;
  int fd ;
  memset(k.k, 0x0b, 20) ;
  seal_hmac(&k, "Hi There", 8, mac) ;
  CHECK(!memcmp(mac, want1, 32), "RFC 4231 test case 1") ;
  memset(other.k, 7, 32) ;
  CHECK(seal_selftest_token(&other, "1800000000.abc", tok, sizeof tok), "token made") ;
  CHECK(!seal_selftest_token(&other, "1800000000/x", tok + 100, 28), "no token for a bad id") ;
  fd = mkstemp(fn) ;
  unlink(fn) ;
  snprintf(head, sizeof head, "Received: (qmail 1 invoked by uid 0); x\nSubject: t\nX-QHPSI-Selftest: %s\n\nbody\n", tok) ;
  CHECK(write(fd, head, strlen(head)) == (ssize_t)strlen(head), "write") ;
  CHECK(seal_selftest(&other, fd, strlen(head), 1800000100), "token verifies") ;
  CHECK(!seal_selftest(&other, fd, strlen(head), 1800007200), "token too old") ;
  /* a clock set back a little (NTP): up to five minutes ahead is taken */
  CHECK(seal_selftest(&other, fd, strlen(head), 1799999940), "token a minute ahead of the clock verifies") ;
  CHECK(!seal_selftest(&other, fd, strlen(head), 1799999000), "token far ahead of the clock does not") ;
  CHECK(!seal_selftest(&k, fd, strlen(head), 1800000100), "token under another key") ;
  close(fd) ;

  /* a seal keeps its first time and lives SEAL_MAXAGE from it */
  {
    static char const orig[] = "Received: (qmail 1 invoked by uid 0); x\nSubject: s\n\nbody\n" ;
    static char const front[] = "Received: (qmail 2 invoked by uid 65534); y\nDelivered-To: u@h.example\n" ;
    stralloc hdr = STRALLOC_ZERO ;
    seal_found f ;
    int fd1 = memfd_create("orig", 0), fd2 = memfd_create("fwd", 0) ;
    size_t len2 ;
    CHECK(fd1 >= 0 && fd2 >= 0 && write(fd1, orig, sizeof orig - 1) == sizeof orig - 1, "write the message") ;
    CHECK(stralloc_cats(&hdr, "X-QHPSI: clean\n") && seal_make(&other, &hdr, "clean", 1800000000, fd1, sizeof orig - 1), "sealed") ;
    len2 = (sizeof front - 1) + hdr.len + (sizeof orig - 1) ;
    CHECK(write(fd2, front, sizeof front - 1) == sizeof front - 1 && write(fd2, hdr.s, hdr.len) == (ssize_t)hdr.len
      && write(fd2, orig, sizeof orig - 1) == sizeof orig - 1, "write the forward") ;
    CHECK(seal_check(&other, fd2, len2, 1800000000 + SEAL_MAXAGE - 1, &f) && f.when == 1800000000 && !strcmp(f.verdict, "clean"),
      "the forward's seal verifies, with its first time") ;
    CHECK(!seal_check(&other, fd2, len2, 1800000000 + SEAL_MAXAGE + 1, &f), "not past SEAL_MAXAGE from that time") ;
    CHECK(SEAL_MAXAGE <= 3600, "a seal lives an hour at most: a signature update soon judges it again") ;
    close(fd1) ; close(fd2) ;
    stralloc_free(&hdr) ;
  }
  return UNIT_END() ;
}
