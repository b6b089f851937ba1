/* zip.c: the archive check of archive.h. A zip is read from both ends, the
   central directory and every local header, and the two must agree; each
   member is measured by its declared size and by inflating it. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/archive.h"

static uint32_t le16 (unsigned char const *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 ; }
static uint32_t le32 (unsigned char const *p) { return le16(p) | le16(p + 2) << 16 ; }

static int sig (unsigned char const *p, unsigned char a, unsigned char b)
{
  return p[0] == 'P' && p[1] == 'K' && p[2] == a && p[3] == b ;
}

/* 1: the finding is kept (the first one counts), the caller stops */
static int found (struct archive_state *st, char const *why)
{
  if (!st->why) st->why = why ;
  return 1 ;
}

/* an extra field block holds a ZIP64 record (0x0001) */
static int haszip64 (unsigned char const *x, size_t n)
{
  while (n >= 4)
  {
    size_t k = le16(x + 2) ;
    if (le16(x) == 1) return 1 ;
    if (k > n - 4) return 0 ;
    x += 4 + k ; n -= 4 + k ;
  }
  return 0 ;
}

static int check (struct archive_state *st, unsigned char const *b, size_t n, unsigned int depth) ;

/* The data of one member (len bytes), inflated (deflate) or as it is
   (stored), must come to usize bytes, within the limits; a nested archive
   is checked in turn. */
static int member (struct archive_state *st, unsigned char const *d, size_t len, int gzip, int deflated,
  uint64_t usize, unsigned int depth)
{
  struct archive_limits const *l = st->lim ;
  uint64_t max = l->maxfilesize, out ;
  unsigned char head[4] ;
  int ended ;
  if (st->scanned >= l->maxscansize) return found(st, ARCHIVE_MAXSCANSIZE) ;
  if (l->maxscansize - st->scanned < max) max = l->maxscansize - st->scanned ;
  if (++st->files > l->maxfiles) return found(st, ARCHIVE_MAXFILES) ;
  if (deflated)
  {
    /* a zip member inflating past what it declares is judged there, so
       that a lying header costs no more than an honest one */
    if (!archive_inflate(d, len, gzip, !gzip && usize < max ? usize : max, &out, &ended, head, 0)) return 0 ;
  }
  else
  {
    out = len ; ended = 1 ;
    memset(head, 0, 4) ;
    memcpy(head, d, len < 4 ? len : 4) ;
  }
  if (!gzip && out > usize) return found(st, ARCHIVE_STRUCTURE) ;
  if (out > l->maxfilesize) return found(st, ARCHIVE_MAXFILESIZE) ;
  st->scanned += out ;
  if (st->scanned > l->maxscansize) return found(st, ARCHIVE_MAXSCANSIZE) ;
  if (!ended || (!gzip && out != usize)) return found(st, ARCHIVE_STRUCTURE) ;
  if (!(sig(head, 3, 4) || (head[0] == 0x1f && head[1] == 0x8b))) return 1 ;
  /* a nested archive */
  if (!deflated) return check(st, d, len, depth + 1) ;
  if (out > ARCHIVE_MAXNESTED - st->nested) return found(st, ARCHIVE_MEMORY) ;
  {
    unsigned char *keep = malloc(out ? out : 1) ;
    uint64_t again ;
    int r ;
    if (!keep) return 0 ;
    st->nested += out ;
    r = archive_inflate(d, len, gzip, out, &again, &ended, head, keep) ;
    if (r && (again != out || !ended)) r = found(st, ARCHIVE_STRUCTURE) ;
    else if (r) r = check(st, keep, out, depth + 1) ;
    st->nested -= out ;
    free(keep) ;
    return r ;
  }
}

struct span { uint64_t a, b ; } ;

static int byfirst (void const *x, void const *y)
{
  struct span const *p = x, *q = y ;
  return p->a < q->a ? -1 : p->a > q->a ;
}

/* no local header in z[a..b): a member the directory does not list */
static int nohidden (unsigned char const *z, size_t a, size_t b)
{
  for (size_t i = a ; i + 4 <= b ; i++) if (sig(z + i, 3, 4)) return 0 ;
  return 1 ;
}

/* one central directory entry at c (cdend the directory's end) and the
   local header it points to; its span in *sp */
static int entry (struct archive_state *st, unsigned char const *z, size_t cdoff, size_t c, size_t cdend,
  struct span *sp, size_t *next, unsigned int depth)
{
  uint32_t flags, method, csize, usize, nl, el, cl, off, lnl, lel ;
  size_t data, end ;
  if (cdend - c < 46 || !sig(z + c, 1, 2)) return found(st, ARCHIVE_STRUCTURE) ;
  flags = le16(z + c + 8) ; method = le16(z + c + 10) ;
  csize = le32(z + c + 20) ; usize = le32(z + c + 24) ;
  nl = le16(z + c + 28) ; el = le16(z + c + 30) ; cl = le16(z + c + 32) ;
  off = le32(z + c + 42) ;
  if (nl + el + cl > cdend - c - 46) return found(st, ARCHIVE_STRUCTURE) ;
  *next = c + 46 + nl + el + cl ;
  if (csize == 0xffffffff || usize == 0xffffffff || off == 0xffffffff || le16(z + c + 34) == 0xffff
    || haszip64(z + c + 46 + nl, el)) return found(st, ARCHIVE_ZIP64) ;
  if (flags & 0x2041 || method == 99) return found(st, ARCHIVE_ENCRYPTED) ;
  if (usize > st->lim->maxfilesize) return found(st, ARCHIVE_MAXFILESIZE) ;
  if (method != 0 && method != 8) return found(st, ARCHIVE_METHOD) ;
  /* the local header says the same */
  if (off > cdoff || cdoff - off < 30 || !sig(z + off, 3, 4)) return found(st, ARCHIVE_STRUCTURE) ;
  lnl = le16(z + off + 26) ; lel = le16(z + off + 28) ;
  if (lnl + lel > cdoff - off - 30) return found(st, ARCHIVE_STRUCTURE) ;
  if (haszip64(z + off + 30 + lnl, lel)) return found(st, ARCHIVE_ZIP64) ;
  if ((le16(z + off + 6) ^ flags) & 0x2049 || le16(z + off + 8) != method
    || lnl != nl || memcmp(z + off + 30, z + c + 46, nl)) return found(st, ARCHIVE_STRUCTURE) ;
  if (!(flags & 8) && (le32(z + off + 14) != le32(z + c + 16) || le32(z + off + 18) != csize
    || le32(z + off + 22) != usize)) return found(st, ARCHIVE_STRUCTURE) ;
  data = off + 30 + lnl + lel ;
  if (csize > cdoff - data) return found(st, ARCHIVE_STRUCTURE) ;
  end = data + csize ;
  if (flags & 8)
  {
    /* the data descriptor: crc, sizes, with or without its signature */
    size_t k = cdoff - end >= 4 && sig(z + end, 7, 8) ? 16 : 12 ;
    if (cdoff - end < k) return found(st, ARCHIVE_STRUCTURE) ;
    end += k ;
  }
  sp->a = off ; sp->b = end ;
  if (method == 0 && csize != usize) return found(st, ARCHIVE_STRUCTURE) ;
  return member(st, z + data, csize, 0, method == 8, usize, depth) ;
}

/* the last End of Central Directory record of z whose comment reaches
   the end: its offset, or n when there is none */
static size_t eocd (unsigned char const *z, size_t n)
{
  size_t p, lowest ;
  if (n < 22) return n ;
  lowest = n - 22 > 65535 ? n - 22 - 65535 : 0 ;
  for (p = n - 22 + 1 ; p-- > lowest ; )
    if (sig(z + p, 5, 6) && le16(z + p + 20) == n - p - 22) return p ;
  return n ;
}

/* the zip z (n bytes) */
static int zip (struct archive_state *st, unsigned char const *z, size_t n, unsigned int depth)
{
  size_t p = eocd(z, n), cdoff, cdsize, c, count, i ;
  struct span *sp ;
  int r = 1 ;
  if (p == n) return found(st, ARCHIVE_STRUCTURE) ;
  if (p >= 20 && sig(z + p - 20, 6, 7)) return found(st, ARCHIVE_ZIP64) ;
  count = le16(z + p + 10) ; cdsize = le32(z + p + 12) ; cdoff = le32(z + p + 16) ;
  if (count == 0xffff || cdsize == 0xffffffff || cdoff == 0xffffffff) return found(st, ARCHIVE_ZIP64) ;
  if (le16(z + p + 4) || le16(z + p + 6) || le16(z + p + 8) != count)
    return found(st, ARCHIVE_STRUCTURE) ;  /* split archives: never whole here */
  if (cdoff > p || cdsize != p - cdoff) return found(st, ARCHIVE_STRUCTURE) ;
  if (count > cdsize / 46) return found(st, ARCHIVE_STRUCTURE) ;
  if (count > st->lim->maxfiles) return found(st, ARCHIVE_MAXFILES) ;
  sp = malloc((count ? count : 1) * sizeof *sp) ;
  if (!sp) { errno = ENOMEM ; return 0 ; }
  for (c = cdoff, i = 0 ; i < count && r && !st->why ; i++)
    r = entry(st, z, cdoff, c, p, sp + i, &c, depth) ;
  if (r && !st->why && c != p) found(st, ARCHIVE_STRUCTURE) ;
  if (r && !st->why)
  {
    /* members may neither overlap nor hide between the listed ones */
    size_t at = 0 ;
    qsort(sp, count, sizeof *sp, &byfirst) ;
    for (i = 0 ; i < count && !st->why ; i++)
    {
      if (sp[i].a < at || !nohidden(z, at, sp[i].a)) found(st, ARCHIVE_STRUCTURE) ;
      at = sp[i].b ;
    }
    if (!st->why && !nohidden(z, at, n)) found(st, ARCHIVE_STRUCTURE) ;
  }
  free(sp) ;
  return r ;
}

static int check (struct archive_state *st, unsigned char const *b, size_t n, unsigned int depth)
{
  /* a zip, or anything with a zip's end record at its end, as
     self-extracting archives are: engines find those too */
  int z = (n >= 4 && sig(b, 3, 4)) || eocd(b, n) < n, gz = !z && n >= 2 && b[0] == 0x1f && b[1] == 0x8b ;
  if (st->why || (!z && !gz)) return 1 ;
  if (depth > st->lim->maxrecursion) return found(st, ARCHIVE_MAXRECURSION) ;
  if (z) return zip(st, b, n, depth) ;
  {
    /* the size the last member declares (mod 2^32): a bomb that tells is judged at once */
    if (n >= 18 && le32(b + n - 4) > st->lim->maxfilesize) return found(st, ARCHIVE_MAXFILESIZE) ;
    return member(st, b, n, 1, 1, 0, depth) ;
  }
  return 1 ;
}

int archive_check (struct archive_state *st, unsigned char const *b, size_t n)
{
  return check(st, b, n, 1) ;
}
