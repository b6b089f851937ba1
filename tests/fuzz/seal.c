/* tests/fuzz/seal.c: seal_check and seal_selftest on the input as the
   message qmail-queue holds (a memfd); and the round trip: the input
   sealed by seal_make, with a Received and a Delivered-To line in front,
   always verifies and gives back its X-QHPSI line. */

#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <skalibs/stralloc.h>
#include "scan/seal.h"
#include "fuzz.h"

static int fd = -1 ;

static void put (uint8_t const *data, size_t size)
{
  if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size) abort() ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  static char const front[] = "Received: (qmail 2 invoked by uid 5); x\nDelivered-To: a@b\n" ;
  static char const tag[] = "X-QHPSI: virus found (E)\n" ;
  seal_key k = { .len = 32 } ;
  seal_found f ;
  stralloc h = STRALLOC_ZERO, m = STRALLOC_ZERO ;
  memset(k.k, 7, sizeof k.k) ;
  if (fd < 0 && (fd = memfd_create("mess", 0)) < 0) abort() ;
  put(data, size) ;
  if (seal_check(&k, fd, size, 1800000100, &f))
  {
    /* what verified: a whole X-QHPSI line, under the front lines */
    FUZZ_ASSERT(f.linelen > 9 && f.linelen < sizeof f.line && f.line[f.linelen - 1] == '\n') ;
    FUZZ_ASSERT(!memcmp(f.line, "X-QHPSI: ", 9)) ;
  }
  (void)seal_selftest(&k, fd, size, 1800000100) ;
  /* the round trip */
  if (!stralloc_cats(&h, tag) || !seal_make(&k, &h, "infected", 1800000000, fd, size)) abort() ;
  if (!stralloc_cats(&m, front) || !stralloc_catb(&m, h.s, h.len) || !stralloc_catb(&m, (char const *)data, size)) abort() ;
  put((uint8_t const *)m.s, m.len) ;
  FUZZ_ASSERT(seal_check(&k, fd, m.len, 1800000100, &f)) ;
  FUZZ_ASSERT(f.linelen == sizeof tag - 1 && !memcmp(f.line, tag, f.linelen) && !strcmp(f.verdict, "infected")) ;
  /* too old, and under another key: no */
  FUZZ_ASSERT(!seal_check(&k, fd, m.len, 1800000000 + SEAL_MAXAGE + 1, &f)) ;
  k.k[0] ^= 1 ;
  FUZZ_ASSERT(!seal_check(&k, fd, m.len, 1800000100, &f)) ;
  stralloc_free(&h) ;
  stralloc_free(&m) ;
  return 0 ;
}
