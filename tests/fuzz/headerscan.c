/* tests/fuzz/headerscan.c: the quarantine filter's header scan. The answer
   must not depend on how the bytes are split; message_tagged_virus must
   leave a regular file's offset alone and, on a pipe, append to head
   exactly the bytes it took. Only the public API of maildir.h is used, so
   the harness holds whatever the rule for a tagged header becomes. */

#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <skalibs/stralloc.h>
#include "quarantine/maildir.h"
#include "fuzz.h"

/* feeds s in pieces whose lengths come from the input itself */
static int pieces (uint8_t const *s, size_t len, uint8_t const *cut, size_t ncut)
{
  headerscan h = HEADERSCAN_ZERO ;
  size_t off = 0, i = 0 ;
  int r = -1, decided = 0 ;
  while (off < len)
  {
    size_t k = ncut ? 1 + cut[i++ % ncut] % 17 : 1 ;
    int now ;
    if (k > len - off) k = len - off ;
    now = headerscan_feed(&h, (char const *)s + off, k) ;
    FUZZ_ASSERT(now >= -1 && now <= 1) ;
    /* a decision stays made */
    if (decided) FUZZ_ASSERT(now == r) ;
    if (now >= 0) decided = 1 ;
    r = now ;
    off += k ;
  }
  /* an empty feed changes nothing */
  FUZZ_ASSERT(headerscan_feed(&h, "", 0) == r) ;
  return r == 1 ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  static int mfd = -1 ;
  int once = header_tagged_virus((char const *)data, size) ;
  int tagged = -1, p[2] ;
  size_t start = size ? data[0] % (size + 1) : 0 ;
  stralloc head = STRALLOC_ZERO ;

  FUZZ_ASSERT(once == 0 || once == 1) ;
  FUZZ_ASSERT(pieces(data, size, data, size) == once) ;
  FUZZ_ASSERT(pieces(data, size, 0, 0) == once) ;

  /* a regular file, read from an offset inside it */
  if (mfd < 0) mfd = memfd_create("fuzz-msg", MFD_CLOEXEC) ;
  if (mfd < 0 || (size && pwrite(mfd, data, size, 0) != (ssize_t)size) || ftruncate(mfd, (off_t)size) < 0) abort() ;
  if (lseek(mfd, (off_t)start, SEEK_SET) != (off_t)start) abort() ;
  head.len = 0 ;
  FUZZ_ASSERT(message_tagged_virus(mfd, &head, &tagged)) ;
  FUZZ_ASSERT(tagged == header_tagged_virus((char const *)data + start, size - start)) ;
  FUZZ_ASSERT(lseek(mfd, 0, SEEK_CUR) == (off_t)start) ;
  FUZZ_ASSERT(!head.len) ;

  /* a pipe: what it read is in head, the rest still in the pipe */
  if (pipe2(p, O_CLOEXEC) < 0) abort() ;
  if (size && write(p[1], data, size) != (ssize_t)size) abort() ;
  close(p[1]) ;
  FUZZ_ASSERT(stralloc_catb(&head, "kept", 4)) ;
  tagged = -1 ;
  FUZZ_ASSERT(message_tagged_virus(p[0], &head, &tagged)) ;
  FUZZ_ASSERT(tagged == once) ;
  FUZZ_ASSERT(head.len >= 4 && !memcmp(head.s, "kept", 4)) ;
  FUZZ_ASSERT(head.len - 4 <= size && !memcmp(head.s + 4, data, head.len - 4)) ;
  {
    char rest[65536] ;
    size_t got = 0 ;
    ssize_t n ;
    while ((n = read(p[0], rest + got, sizeof rest - got)) > 0) got += (size_t)n ;
    FUZZ_ASSERT(!n) ;
    FUZZ_ASSERT(head.len - 4 + got == size && !memcmp(rest, data + (head.len - 4), got)) ;
  }
  close(p[0]) ;
  stralloc_free(&head) ;
  return 0 ;
}
