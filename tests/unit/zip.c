/* tests/unit/zip.c: the archive check (lib/inspect/zip.c) on zips built
   here, honest and lying: sizes, flags, methods, ZIP64 fields, members the
   two directories disagree on, nesting, and the time a bomb costs. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>
#include <skalibs/stralloc.h>
#include "inspect/archive.h"
#include "unit.h"

struct m
{
  char const *name ;
  unsigned char const *data ;
  size_t len ;
  int method ;            /* 0 stored, 8 deflate, else written as stored data */
  uint16_t flags ;
  uint32_t lie ;          /* when not 0, the usize both headers declare */
  int where ;             /* 0 both directories, 1 local only, 2 central only */
  char const *lname ;     /* when not 0, the local header's name */
  int z64 ;               /* a ZIP64 extra field in the central entry */
  int sameoff ;           /* the central entry points at the previous member */
} ;

static void put16 (stralloc *sa, uint32_t v) { char b[2] = { v & 255, v >> 8 & 255 } ; if (!stralloc_catb(sa, b, 2)) abort() ; }
static void put32 (stralloc *sa, uint32_t v) { put16(sa, v & 0xffff) ; put16(sa, v >> 16) ; }

static void deflated (stralloc *out, unsigned char const *d, size_t len, int gzip)
{
  z_stream z ;
  unsigned char buf[65536] ;
  int r ;
  memset(&z, 0, sizeof z) ;
  if (deflateInit2(&z, 9, Z_DEFLATED, gzip ? 31 : -15, 9, Z_DEFAULT_STRATEGY) != Z_OK) abort() ;
  z.next_in = (unsigned char *)d ; z.avail_in = len ;
  do
  {
    z.next_out = buf ; z.avail_out = sizeof buf ;
    r = deflate(&z, Z_FINISH) ;
    if (!stralloc_catb(out, (char *)buf, sizeof buf - z.avail_out)) abort() ;
  } while (r == Z_OK) ;
  if (r != Z_STREAM_END) abort() ;
  deflateEnd(&z) ;
}

/* what build writes before the zip, its offsets counting it (an SFX) */
static char const *prefix = "" ;

static void build (stralloc *sa, struct m const *ms, unsigned int n)
{
  stralloc cd = STRALLOC_ZERO, d = STRALLOC_ZERO ;
  uint32_t off[16], prev = 0, count = 0 ;
  sa->len = 0 ;
  if (!stralloc_cats(sa, prefix)) abort() ;
  for (unsigned int i = 0 ; i < n ; i++)
  {
    struct m const *m = ms + i ;
    uint32_t crc = crc32(0, m->data, m->len), us = m->lie ? m->lie : m->len ;
    char const *ln = m->lname ? m->lname : m->name ;
    d.len = 0 ;
    if (m->method == 8) deflated(&d, m->data, m->len, 0) ;
    else if (!stralloc_catb(&d, (char const *)m->data, m->len)) abort() ;
    off[i] = sa->len ;
    if (m->where != 2)
    {
      put32(sa, 0x04034b50) ; put16(sa, 20) ; put16(sa, m->flags) ; put16(sa, m->method) ;
      put32(sa, 0) ; put32(sa, crc) ; put32(sa, d.len) ; put32(sa, us) ;
      put16(sa, strlen(ln)) ; put16(sa, 0) ;
      if (!stralloc_cats(sa, ln) || !stralloc_catb(sa, d.s, d.len)) abort() ;
    }
    if (m->where == 1) continue ;
    put32(&cd, 0x02014b50) ; put16(&cd, 20) ; put16(&cd, 20) ; put16(&cd, m->flags) ; put16(&cd, m->method) ;
    put32(&cd, 0) ; put32(&cd, crc) ; put32(&cd, d.len) ; put32(&cd, us) ;
    put16(&cd, strlen(m->name)) ; put16(&cd, m->z64 ? 12 : 0) ; put16(&cd, 0) ; put16(&cd, 0) ; put16(&cd, 0) ;
    put32(&cd, 0) ; put32(&cd, m->sameoff ? prev : off[i]) ;
    if (!stralloc_cats(&cd, m->name)) abort() ;
    if (m->z64) { put16(&cd, 1) ; put16(&cd, 8) ; put32(&cd, us) ; put32(&cd, 0) ; }
    prev = off[i] ; count++ ;
  }
  {
    uint32_t cdoff = sa->len ;
    if (!stralloc_catb(sa, cd.s, cd.len)) abort() ;
    put32(sa, 0x06054b50) ; put16(sa, 0) ; put16(sa, 0) ; put16(sa, count) ; put16(sa, count) ;
    put32(sa, cd.len) ; put32(sa, cdoff) ; put16(sa, 0) ;
  }
  stralloc_free(&cd) ; stralloc_free(&d) ;
}

static struct archive_limits lim = ARCHIVE_LIMITS_DEFAULT ;

/* the finding for b, "" when none; "ENOMEM" when the check failed */
static char const *judge (stralloc const *b)
{
  struct archive_state st = { .lim = &lim } ;
  if (!archive_check(&st, (unsigned char const *)b->s, b->len)) return "ENOMEM" ;
  if (st.nested) return "nested bytes left over" ;
  return st.why ? st.why : "" ;
}

#define JUDGE(b, want, name) do { char const *got_ = judge(b) ; CHECKMEM(got_, strlen(got_), want, strlen(want), name) ; } while (0)

static double since (struct timespec const *a)
{
  struct timespec b ;
  clock_gettime(CLOCK_MONOTONIC, &b) ;
  return (b.tv_sec - a->tv_sec) * 1e3 + (b.tv_nsec - a->tv_nsec) / 1e6 ;
}

int main (void)
{
  static unsigned char const text[] = "hello, this is a plain text member, hello, hello, hello\n" ;
  size_t big = (size_t)70 << 20 ;
  unsigned char *zeros = calloc(big, 1) ;
  stralloc z = STRALLOC_ZERO, in = STRALLOC_ZERO, gz = STRALLOC_ZERO ;
  struct timespec t0 ;
  double took ;
  if (!zeros) abort() ;

  { struct m ms[] = { { "a.txt", text, sizeof text, 8, 0, 0, 0, 0, 0, 0 }, { "b.txt", text, sizeof text, 0, 0, 0, 0, 0, 0, 0 } } ;
    build(&z, ms, 2) ; JUDGE(&z, "", "an honest zip, deflated and stored members, passes") ; }
  { struct m ms[] = { { "a.txt", text, sizeof text, 8, 0, 0, 0, 0, 0, 0 } } ;
    build(&z, ms, 1) ; z.len -= 5 ; JUDGE(&z, "ArchiveStructure", "a zip cut short is no zip") ; }

  /* the bomb: 70 MB of zeros, declared, then declared as 100 bytes */
  { struct m ms[] = { { "zeros.bin", zeros, big, 8, 0, 0, 0, 0, 0, 0 } } ;
    build(&z, ms, 1) ;
    clock_gettime(CLOCK_MONOTONIC, &t0) ; JUDGE(&z, "MaxFileSize", "a member declared over MaxFileSize") ; took = since(&t0) ;
    printf("# declared bomb (%zu bytes zipped): %.2f ms\n", z.len, took) ;
    CHECK(took < 50, "judged by its declared size in milliseconds") ; }
  { struct m ms[] = { { "zeros.bin", zeros, big, 8, 0, 100, 0, 0, 0, 0 } } ;
    build(&z, ms, 1) ;
    clock_gettime(CLOCK_MONOTONIC, &t0) ; JUDGE(&z, "ArchiveStructure", "a member that lies about its size is inflated and caught past it") ; took = since(&t0) ;
    printf("# lying bomb: %.2f ms\n", took) ;
    CHECK(took < 50, "and judged in milliseconds too") ; }
  { struct m ms[] = { { "x.txt", zeros, 100000, 8, 0, 1000, 0, 0, 0, 0 } } ;
    build(&z, ms, 1) ; JUDGE(&z, "ArchiveStructure", "a member that inflates to more than it declares, within the limit") ; }
  { struct m ms[] = { { "x.txt", zeros, 1000, 8, 0, 100000, 0, 0, 0, 0 } } ;
    build(&z, ms, 1) ; JUDGE(&z, "ArchiveStructure", "a member that inflates to less than it declares") ; }
  lim.maxfilesize = 1000 ;
  { struct m ms[] = { { "x.txt", zeros, 1000, 0, 0, 0, 0, 0, 0, 0 } } ;
    build(&z, ms, 1) ; JUDGE(&z, "", "a member of exactly MaxFileSize passes") ; }
  { struct m ms[] = { { "x.txt", zeros, 1001, 0, 0, 0, 0, 0, 0, 0 } } ;
    build(&z, ms, 1) ; JUDGE(&z, "MaxFileSize", "one byte more does not (QHPSIMAXFILESIZE)") ; }
  lim.maxfilesize = (uint64_t)60 << 20 ; lim.maxscansize = 1500 ;
  { struct m ms[] = { { "a", zeros, 1000, 8, 0, 0, 0, 0, 0, 0 }, { "b", zeros, 1000, 8, 0, 0, 0, 0, 0, 0 } } ;
    build(&z, ms, 2) ; JUDGE(&z, "MaxScanSize", "members together over MaxScanSize") ; }
  lim.maxscansize = (uint64_t)200 << 20 ; lim.maxfiles = 2 ;
  { struct m ms[] = { { "a", text, 5, 0, 0, 0, 0, 0, 0, 0 }, { "b", text, 5, 0, 0, 0, 0, 0, 0, 0 }, { "c", text, 5, 0, 0, 0, 0, 0, 0, 0 } } ;
    build(&z, ms, 2) ; JUDGE(&z, "", "MaxFiles members pass") ;
    build(&z, ms, 3) ; JUDGE(&z, "MaxFiles", "one more does not") ; }
  lim.maxfiles = 10000 ;

  /* what the engine cannot open */
  { struct m ms[] = { { "e.txt", text, sizeof text, 0, 1, 0, 0, 0, 0, 0 } } ;
    build(&z, ms, 1) ; JUDGE(&z, "Encrypted", "the encryption flag") ; }
  { struct m ms[] = { { "e.txt", text, sizeof text, 99, 0, 0, 0, 0, 0, 0 } } ;
    build(&z, ms, 1) ; JUDGE(&z, "Encrypted", "AES (method 99)") ; }
  { struct m ms[] = { { "e.txt", text, sizeof text, 12, 0, 0, 0, 0, 0, 0 } } ;
    build(&z, ms, 1) ; JUDGE(&z, "ZipMethod", "bzip2 (method 12) is not measured") ; }
  { struct m ms[] = { { "e.txt", text, sizeof text, 8, 0, 0, 0, 0, 1, 0 } } ;
    build(&z, ms, 1) ; JUDGE(&z, "Zip64", "a ZIP64 extra field") ; }

  /* the two directories must agree */
  { struct m ms[] = { { "a.txt", text, sizeof text, 8, 0, 0, 0, 0, 0, 0 }, { "evil.exe", text, sizeof text, 0, 0, 0, 1, 0, 0, 0 } } ;
    build(&z, ms, 2) ; JUDGE(&z, "ArchiveStructure", "a member only in the local headers") ; }
  { struct m ms[] = { { "a.txt", text, sizeof text, 8, 0, 0, 0, 0, 0, 0 }, { "evil.exe", text, sizeof text, 0, 0, 0, 2, 0, 0, 0 } } ;
    build(&z, ms, 2) ; JUDGE(&z, "ArchiveStructure", "a member only in the central directory") ; }
  { struct m ms[] = { { "a.txt", text, sizeof text, 0, 0, 0, 0, "evil.exe", 0, 0 } } ;
    build(&z, ms, 1) ; JUDGE(&z, "ArchiveStructure", "names that differ") ; }
  { struct m ms[] = { { "a.txt", text, sizeof text, 0, 0, 0, 0, 0, 0, 0 }, { "a.txt", text, sizeof text, 0, 0, 0, 0, 0, 0, 1 } } ;
    build(&z, ms, 2) ; JUDGE(&z, "ArchiveStructure", "two entries, one member: overlapping") ; }

  /* self-extracting: something before the zip */
  { struct m ms[] = { { "zeros.bin", zeros, big, 8, 0, 100, 0, 0, 0, 0 } } ;
    build(&z, ms, 1) ;
    if (!stralloc_copys(&in, "MZ an executable, then a zip") || !stralloc_catb(&in, z.s, z.len)) abort() ;
    JUDGE(&in, "ArchiveStructure", "a zip after other bytes is read too (its offsets off by the prefix)") ; }
  { struct m ms[] = { { "a.txt", text, sizeof text, 8, 0, 0, 0, 0, 0, 0 } } ;
    build(&z, ms, 1) ;
    if (!stralloc_copys(&in, "text, not a zip: PK") || !stralloc_catb(&in, z.s + 2, 2)) abort() ;
    JUDGE(&in, "", "a body that only holds a signature is no zip") ; }
  prefix = "MZ an executable, then a zip" ;
  { struct m ms[] = { { "a.txt", text, sizeof text, 8, 0, 0, 0, 0, 0, 0 } } ;
    build(&z, ms, 1) ; JUDGE(&z, "", "a self-extracting zip whose offsets count the prefix passes") ; }
  { struct m ms[] = { { "zeros.bin", zeros, big, 8, 0, 0, 0, 0, 0, 0 } } ;
    build(&z, ms, 1) ; JUDGE(&z, "MaxFileSize", "and its members are measured") ; }
  prefix = "" ;

  /* nested */
  { struct m ms[] = { { "zeros.bin", zeros, big, 8, 0, 100, 0, 0, 0, 0 } } ;
    build(&in, ms, 1) ; }
  { struct m ms[] = { { "inner.zip", (unsigned char *)in.s, in.len, 8, 0, 0, 0, 0, 0, 0 } } ;
    build(&z, ms, 1) ; JUDGE(&z, "ArchiveStructure", "a lying bomb in a zip in a zip") ; }
  { struct m ms[] = { { "t.txt", text, sizeof text, 8, 0, 0, 0, 0, 0, 0 } } ;
    build(&in, ms, 1) ;
    for (unsigned int i = 1 ; i < 16 ; i++)
    {
      struct m o[] = { { "n.zip", (unsigned char *)in.s, in.len, i & 1 ? 8 : 0, 0, 0, 0, 0, 0, 0 } } ;
      build(&z, o, 1) ;
      if (!stralloc_copyb(&in, z.s, z.len)) abort() ;
    }
    JUDGE(&in, "", "16 levels of zips, deflated and stored, pass") ;
    { struct m o[] = { { "n.zip", (unsigned char *)in.s, in.len, 8, 0, 0, 0, 0, 0, 0 } } ; build(&z, o, 1) ; }
    JUDGE(&z, "MaxRecursion", "17 do not") ; }

  /* gzip */
  deflated(&gz, zeros, big, 1) ;
  clock_gettime(CLOCK_MONOTONIC, &t0) ; JUDGE(&gz, "MaxFileSize", "a gzip bomb") ; took = since(&t0) ;
  printf("# gzip bomb: %.2f ms\n", took) ;
  gz.s[gz.len-1] = 0 ; gz.s[gz.len-2] = 0 ; gz.s[gz.len-3] = 0 ; gz.s[gz.len-4] = 100 ;
  clock_gettime(CLOCK_MONOTONIC, &t0) ; JUDGE(&gz, "MaxFileSize", "a gzip bomb that lies about its size") ; took = since(&t0) ;
  printf("# lying gzip bomb: %.2f ms\n", took) ;
  gz.len = 0 ; deflated(&gz, text, sizeof text, 1) ; deflated(&gz, text, sizeof text, 1) ;
  JUDGE(&gz, "", "a small gzip of two members passes") ;
  gz.len -= 3 ; memset(gz.s + gz.len - 4, 0, 4) ; JUDGE(&gz, "ArchiveStructure", "one cut short does not") ;

  free(zeros) ; stralloc_free(&z) ; stralloc_free(&in) ; stralloc_free(&gz) ;
  return UNIT_END() ;
}
