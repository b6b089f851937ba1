/* tests/fuzz/mime.c: the MIME walker on any bytes: as a message, as the
   body of a zip part (the central directory reader), as a TNEF stream, as
   uuencoded and base64 blocks in a text body, and as a header value.
   Names stay within their bound, a finding is one of mime.h's reasons, a
   body lies whole in readable memory, and a callback that says stop is the
   last. */

#include <string.h>
#include <skalibs/stralloc.h>
#include "mime/mime.h"
#include "fuzz.h"

static unsigned int calls, stopat ;
static int stopped ;

static int onheader (void *ctx, char const *n, size_t nl, char const *v, size_t vl)
{
  (void)ctx ;
  FUZZ_ASSERT(!stopped) ;
  FUZZ_ASSERT(nl > 0 && memchr(n, ':', nl) == 0 && memchr(n, '\n', nl) == 0) ;
  if (vl) { volatile char c = v[0] ; c = v[vl-1] ; (void)c ; }
  if (++calls == stopat) { stopped = 1 ; return 0 ; }
  return 1 ;
}

static int onname (void *ctx, char const *n, size_t len, enum mime_origin from)
{
  (void)ctx ;
  FUZZ_ASSERT(!stopped) ;
  FUZZ_ASSERT(len <= MIME_MAXNAME && from < MIME_FROM_N) ;
  if (len) { volatile char c = n[0] ; c = n[len-1] ; (void)c ; }
  if (++calls == stopat) { stopped = 1 ; return 0 ; }
  return 1 ;
}

static int onunchecked (void *ctx, char const *why)
{
  static char const *const known[] =
  {
    MIME_UNCHECKED_DEPTH, MIME_UNCHECKED_PARTS, MIME_UNCHECKED_BOUNDARY, MIME_UNCHECKED_PARAMS,
    MIME_UNCHECKED_FIELD, MIME_UNCHECKED_NAME, MIME_UNCHECKED_TYPE, MIME_UNCHECKED_ZIP,
    MIME_UNCHECKED_RFC2231, MIME_UNCHECKED_AMBIGUOUS_BOUNDARY, MIME_UNCHECKED_AMBIGUOUS_HEADER,
    MIME_UNCHECKED_UUENCODE, MIME_UNCHECKED_TNEF, 0
  } ;
  unsigned int i = 0 ;
  (void)ctx ;
  FUZZ_ASSERT(!stopped && why) ;
  while (known[i] && strcmp(known[i], why)) i++ ;
  FUZZ_ASSERT(known[i]) ;
  if (++calls == stopat) { stopped = 1 ; return 0 ; }
  return 1 ;
}

static int onpart (void *ctx, char const *type, char const *body, size_t len)
{
  (void)ctx ;
  FUZZ_ASSERT(!stopped && type && strlen(type) < MIME_MAXTYPE) ;
  if (len) { volatile char c = body[0] ; c = body[len-1] ; (void)c ; }
  if (++calls == stopat) { stopped = 1 ; return 0 ; }
  return 1 ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  static char const zhead[] = "Content-Type: application/zip\n\n" ;
  struct mime_sink const sink = { .ctx = 0, .header = &onheader, .name = &onname } ;
  struct mime_sink const none = { .ctx = 0, .header = 0, .name = 0 } ;
  struct mime_sink const all = { .ctx = 0, .header = &onheader, .name = &onname, .part = &onpart, .unchecked = &onunchecked } ;
  stralloc sa = STRALLOC_ZERO ;
  char const *s = (char const *)data ;

  calls = 0 ; stopped = 0 ; stopat = size ? data[0] % 8 : 0 ;
  FUZZ_ASSERT(mime_walk(s, size, &sink) == 1) ;
  FUZZ_ASSERT(mime_walk(s, size, &none) == 1) ;
  FUZZ_ASSERT(mime_walk(s, size, 0) == 1) ;
  calls = 0 ; stopped = 0 ; stopat = size ? data[size-1] % 16 : 0 ;
  FUZZ_ASSERT(mime_walk(s, size, &all) == 1) ;

  calls = 0 ; stopped = 0 ; stopat = 0 ;
  FUZZ_ASSERT(stralloc_catb(&sa, zhead, sizeof zhead - 1) && stralloc_catb(&sa, s, size)) ;
  FUZZ_ASSERT(mime_walk(sa.s, sa.len, &sink) == 1) ;

  /* the input as a TNEF stream after its signature, and as the lines of
     a uuencoded and of a begin-base64 block (named .zip: decoded whole) */
  for (unsigned int k = 0 ; k < 3 ; k++)
  {
    static char const *const wrap[3] = { "\n\x78\x9f\x3e\x22", "\nbegin 644 f.zip\n", "\nbegin-base64 644 f.zip\n" } ;
    calls = 0 ; stopped = 0 ; stopat = 0 ;
    sa.len = 0 ;
    FUZZ_ASSERT(stralloc_cats(&sa, wrap[k]) && stralloc_catb(&sa, s, size)) ;
    FUZZ_ASSERT(mime_walk(sa.s, sa.len, &all) == 1) ;
  }

  /* decoding appends, and a value without "=?" comes back as it was */
  sa.len = 0 ;
  FUZZ_ASSERT(stralloc_catb(&sa, "k", 1) && mime_decodeheader(&sa, s, size) == 1) ;
  FUZZ_ASSERT(sa.len >= 1 && sa.s[0] == 'k') ;
  {
    int word = 0 ;
    for (size_t i = 0 ; i + 1 < size ; i++) if (s[i] == '=' && s[i+1] == '?') { word = 1 ; break ; }
    if (!word) FUZZ_ASSERT(sa.len == size + 1 && !memcmp(sa.s + 1, s, size)) ;
  }
  stralloc_free(&sa) ;
  return 0 ;
}
