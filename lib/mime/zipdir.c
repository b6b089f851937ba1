/* zipdir.c: the member names of a zip attachment, from its central
   directory, for the content rules. */

#include <stdint.h>
#include <string.h>
#include <skalibs/stralloc.h>
#include "mime/mime.h"
#include "mime/mimewalk.h"

static uint32_t le16 (unsigned char const *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 ; }
static uint32_t le32 (unsigned char const *p) { return le16(p) | le16(p + 2) << 16 ; }

static void zipname (struct walk *w, char const *s, size_t len, int utf8)
{
  size_t k = 0 ;
  if (!utf8) for (; k < len && !((unsigned char)s[k] & 0x80) ; k++) ;
  if (!utf8 && k < len)
  {
    int r ;
    w->dec.len = 0 ;
    r = mime_convert(&w->dec, "CP437", 5, s, len) ;
    if (r < 0) { mime_nomem(w) ; return ; }
    if (r) { mime_report(w, w->dec.s, w->dec.len, MIME_FROM_ZIP) ; return ; }
  }
  mime_report(w, s, len, MIME_FROM_ZIP) ;
}

void mime_zip (struct walk *w, char const *b, size_t n)
{
  unsigned char const *z = (unsigned char const *)b ;
  size_t p, lowest ;
  if (n < 22) return ;
  lowest = n - 22 > 65535 ? n - 22 - 65535 : 0 ;
  /* the last End of Central Directory whose directory lies before it */
  for (p = n - 22 + 1 ; p-- > lowest ; )
  {
    size_t cdsize, cdoff, q, count = 0 ;
    if (z[p] != 'P' || z[p+1] != 'K' || z[p+2] != 5 || z[p+3] != 6) continue ;
    cdsize = le32(z + p + 12) ; cdoff = le32(z + p + 16) ;
    if (cdoff > p || cdsize > p - cdoff) continue ;
    for (q = cdoff ; q + 46 <= cdoff + cdsize && count < 100000 && !w->stop ; count++)
    {
      size_t nl, el, cl ;
      if (z[q] != 'P' || z[q+1] != 'K' || z[q+2] != 1 || z[q+3] != 2) break ;
      nl = le16(z + q + 28) ; el = le16(z + q + 30) ; cl = le16(z + q + 32) ;
      if (nl + el + cl > cdoff + cdsize - q - 46) break ;
      zipname(w, b + q + 46, nl, !!(le16(z + q + 8) & 0x800)) ;
      q += 46 + nl + el + cl ;
    }
    return ;
  }
}

