/* tests/fuzz/envelope.c: envelope_read over a skalibs buffer whose reads
   hand out the input a few bytes at a time, as a pipe may. */

#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <skalibs/buffer.h>
#include "queue/envelope.h"
#include "queue/qqexit.h"
#include "fuzz.h"

static uint8_t const *in ;
static size_t inlen, inpos, step ;

/* a read(2) lookalike on the input: short reads of step bytes, then EOF */
static ssize_t fakeread (int fd, struct iovec const *v, unsigned int n)
{
  size_t got = 0 ;
  (void)fd ;
  for (unsigned int i = 0 ; i < n && inpos < inlen && got < step ; i++)
  {
    size_t k = v[i].iov_len ;
    if (k > inlen - inpos) k = inlen - inpos ;
    if (k > step - got) k = step - got ;
    memcpy(v[i].iov_base, in + inpos, k) ;
    inpos += k ; got += k ;
  }
  return (ssize_t)got ;
}

static int run (uint8_t const *data, size_t size, size_t chunk, envelope *e)
{
  char space[BUFFER_INSIZE] ;
  buffer b ;
  in = data ; inlen = size ; inpos = 0 ; step = chunk ;
  FUZZ_ASSERT(buffer_init(&b, &fakeread, 0, space, sizeof space)) ;
  return envelope_read(&b, e) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  envelope e = ENVELOPE_ZERO, e2 = ENVELOPE_ZERO ;
  int r = run(data, size, 8192, &e) ;
  FUZZ_ASSERT(r == 0 || r == QQ_READ || r == QQ_ENVELOPE || r == QQ_ADDRTOOLONG) ;
  if (!r)
  {
    /* what was kept is the input up to the terminating empty entry */
    size_t n = 0, pos = 0 ;
    FUZZ_ASSERT(e.sa.len < size && !data[e.sa.len]) ;
    FUZZ_ASSERT(!memcmp(e.sa.s, data, e.sa.len)) ;
    FUZZ_ASSERT(e.sa.s[0] == 'F' && e.rcptpos <= e.sa.len) ;
    while (pos < e.sa.len)
    {
      char const *z = memchr(e.sa.s + pos, 0, e.sa.len - pos) ;
      FUZZ_ASSERT(z) ;
      /* the letter, then at most ENVELOPE_ADDRMAX - 1 bytes of address */
      FUZZ_ASSERT((size_t)(z - (e.sa.s + pos)) <= ENVELOPE_ADDRMAX) ;
      if (pos >= e.rcptpos) { FUZZ_ASSERT(e.sa.s[pos] == 'T') ; n++ ; }
      pos = (size_t)(z - e.sa.s) + 1 ;
    }
    FUZZ_ASSERT(n == e.nrcpt) ;
    FUZZ_ASSERT(!strcmp(envelope_sender(&e), (char const *)data + 1)) ;
  }
  /* the answer does not depend on how the bytes arrive */
  FUZZ_ASSERT(run(data, size, 1 + size % 7, &e2) == r) ;
  if (!r) FUZZ_ASSERT(e2.sa.len == e.sa.len && e2.nrcpt == e.nrcpt && !memcmp(e2.sa.s, e.sa.s, e.sa.len)) ;
  envelope_free(&e) ;
  envelope_free(&e2) ;
  return 0 ;
}
