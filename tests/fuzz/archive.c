/* tests/fuzz/archive.c: the archive check (lib/inspect/zip.c) on any bytes,
   as a whole body and behind a zip's local header signature, with small
   limits so that bombs end soon: it answers, holds no nested bytes after,
   and a finding is one of its own names. Then the uudecoder on them: each
   file it finds is shorter than what it came from, and it moves on. */

#include <string.h>
#include <skalibs/stralloc.h>
#include "inspect/archive.h"
#include "inspect/inspect.h"
#include "fuzz.h"

static void one (uint8_t const *b, size_t n, unsigned int maxrec)
{
  struct archive_limits lim = { 1 << 20, 4 << 20, 64, maxrec } ;
  struct archive_state st = { .lim = &lim } ;
  static char const *const names[] = { ARCHIVE_MAXFILESIZE, ARCHIVE_MAXSCANSIZE, ARCHIVE_MAXFILES,
    ARCHIVE_MAXRECURSION, ARCHIVE_ZIP64, ARCHIVE_ENCRYPTED, ARCHIVE_METHOD, ARCHIVE_STRUCTURE, ARCHIVE_MEMORY } ;
  int known = 0 ;
  FUZZ_ASSERT(archive_check(&st, b, n) == 1) ;
  FUZZ_ASSERT(st.nested == 0 && st.files <= lim.maxfiles + 1) ;
  FUZZ_ASSERT(st.scanned <= lim.maxscansize) ;
  if (!st.why) return ;
  for (unsigned int i = 0 ; i < sizeof names / sizeof *names ; i++) if (!strcmp(st.why, names[i])) known = 1 ;
  FUZZ_ASSERT(known) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  uint8_t *z = malloc(size + 4) ;
  if (!z) abort() ;
  one(data, size, size ? 1 + data[size-1] % 4 : 1) ;
  memcpy(z, "PK\3\4", 4) ;
  memcpy(z + 4, data, size) ;
  one(z, size + 4, 3) ;
  z[0] = 0x1f ; z[1] = 0x8b ; z[2] = 8 ; z[3] = 0 ;
  one(z, size + 4, 3) ;
  free(z) ;
  {
    stralloc out = STRALLOC_ZERO ;
    size_t pos = 0, was ;
    int r ;
    do
    {
      was = pos ;
      r = inspect_uudecode((char const *)data, size, &pos, &out) ;
      FUZZ_ASSERT(r >= 0 && pos <= size && out.len <= size - was) ;
      FUZZ_ASSERT(!r ? pos == size : pos > was) ;
    } while (r) ;
    stralloc_free(&out) ;
  }
  return 0 ;
}
