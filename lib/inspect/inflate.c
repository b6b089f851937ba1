/* inflate.c: deflate and gzip data inflated into a small scratch buffer,
   counting the bytes out and stopping as soon as a limit is passed, so that
   a bomb costs milliseconds and constant memory. */

#include <errno.h>
#include <string.h>
#include <zlib.h>

#include "inspect/archive.h"

#define SCRATCH 65536
#define STEP ((uInt)1 << 30)  /* zlib counts in uInt */

int archive_inflate (unsigned char const *src, size_t len, int gzip, uint64_t max,
  uint64_t *out, int *ended, unsigned char head[4], unsigned char *keep)
{
  unsigned char scratch[SCRATCH] ;
  z_stream z ;
  size_t in = 0 ;
  int r = Z_OK ;
  memset(&z, 0, sizeof z) ;
  memset(head, 0, 4) ;
  *out = 0 ; *ended = 0 ;
  if (inflateInit2(&z, gzip ? 16 + MAX_WBITS : -MAX_WBITS) != Z_OK) { errno = ENOMEM ; return 0 ; }
  for (;;)
  {
    uint64_t before ;
    if (!z.avail_in && in < len)
    {
      size_t k = len - in < STEP ? len - in : STEP ;
      z.next_in = (unsigned char *)src + in ; z.avail_in = (uInt)k ; in += k ;
    }
    if (keep && *out < max)
    {
      z.next_out = keep + *out ;
      z.avail_out = max - *out < STEP ? (uInt)(max - *out) : STEP ;
    }
    else { z.next_out = scratch ; z.avail_out = keep ? 1 : SCRATCH ; }
    before = z.avail_out ;
    r = inflate(&z, Z_NO_FLUSH) ;
    {
      unsigned char const *from = z.next_out - (before - z.avail_out) ;
      for (uint64_t i = 0 ; i < before - z.avail_out && *out + i < 4 ; i++) head[*out + i] = from[i] ;
    }
    *out += before - z.avail_out ;
    if (*out > max) break ;
    if (r == Z_STREAM_END)
    {
      /* gzip: concatenated members are one file to gunzip */
      size_t left = z.avail_in + (len - in) ;
      if (!left) { *ended = 1 ; break ; }
      /* the input is one block: the rest starts at next_in */
      if (!gzip || left < 2 || z.next_in[0] != 0x1f || z.next_in[1] != 0x8b) break ;
      if (inflateReset(&z) != Z_OK) break ;
      continue ;
    }
    if (r == Z_MEM_ERROR) { inflateEnd(&z) ; errno = ENOMEM ; return 0 ; }
    if (r != Z_OK && r != Z_BUF_ERROR) break ;
    /* nothing came out and nothing more can go in: cut short */
    if (r == Z_BUF_ERROR && !z.avail_in && in == len) break ;
  }
  inflateEnd(&z) ;
  return 1 ;
}
