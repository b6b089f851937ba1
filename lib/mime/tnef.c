/* tnef.c: the attachment names of an MS-TNEF stream (winmail.dat, as
   Exchange and Outlook send it): each attachment's title and the file names
   among its MAPI properties, the attachments of embedded messages, and
   what an attachment that is a zip holds. A stream that does not parse to
   its end is unchecked.
   Not libytnef: it reads all of a stream (bodies, RTF, vCards, every
   property) into allocated structures, has had a run of heap overflows in
   that code (2017, 2021), and prints its complaints on stdout, which in
   qmail-queue is the envelope's pipe. This runs in the set-id qmail-queue
   (rules.so in-process) and in the helper on any sender's bytes, so it
   reads only the attributes that name attachments, each length checked
   against what is left, loops bounded by the bytes they consume, and is
   fuzzed with the walker (tests/fuzz). */

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <skalibs/stralloc.h>
#include "mime/mime.h"
#include "mime/mimewalk.h"

#define LVL_MESSAGE 1
#define LVL_ATTACHMENT 2
#define ATT_OEMCODEPAGE 0x00069007u  /* the code page of 8-bit strings */
#define ATT_RENDDATA 0x00069002u     /* attAttachRendData: an attachment starts */
#define ATT_DATA 0x0006800fu         /* attAttachData: its bytes */
#define ATT_TITLE 0x00018010u        /* attAttachTitle: its name, NUL-terminated */
#define ATT_MAPI 0x00069005u         /* attAttachment: its MAPI properties */

#define PT_MV 0x1000u  /* multi-valued */
#define PT_OBJECT 0x000du
#define PT_STRING8 0x001eu
#define PT_UNICODE 0x001fu
#define PT_BINARY 0x0102u
#define PR_ATTACH_DATA 0x3701u  /* binary, or an object: an IID then (a message) TNEF */
#define PR_ATTACH_FILENAME 0x3704u
#define PR_ATTACH_LONG_FILENAME 0x3707u
#define PR_ATTACH_PATHNAME 0x3708u
#define PR_ATTACH_LONG_PATHNAME 0x370du

struct tnef
{
  struct walk *w ;
  unsigned int depth ;
  char cp[16] ;           /* iconv's name of the code page */
  int open ;              /* an attachment is being read */
  unsigned int names ;    /* names and data of the attachment */
  int zipname ;           /* one of them ends in .zip */
  char const *data[2] ;   /* its attAttachData and PR_ATTACH_DATA */
  size_t dlen[2] ;
  int bad ;
} ;

static uint32_t le16 (unsigned char const *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 ; }
static uint32_t le32 (unsigned char const *p) { return le16(p) | le16(p + 2) << 16 ; }

/* appends UTF-16LE s (len bytes) as UTF-8; what is not UTF-16 becomes U+FFFD */
static int utf16 (stralloc *sa, unsigned char const *s, size_t len)
{
  if (!stralloc_readyplus(sa, len / 2 * 3 + 3)) return 0 ;
  for (size_t i = 0 ; i + 1 < len ; i += 2)
  {
    uint32_t c = le16(s + i) ;
    if (c >= 0xd800 && c < 0xdc00 && i + 3 < len && le16(s + i + 2) >= 0xdc00 && le16(s + i + 2) < 0xe000)
    {
      c = 0x10000 + ((c - 0xd800) << 10) + (le16(s + i + 2) - 0xdc00) ;
      i += 2 ;
    }
    else if (c >= 0xd800 && c < 0xe000) c = 0xfffd ;
    if (c < 0x80) sa->s[sa->len++] = (char)c ;
    else if (c < 0x800) { sa->s[sa->len++] = (char)(0xc0 | c >> 6) ; sa->s[sa->len++] = (char)(0x80 | (c & 0x3f)) ; }
    else if (c < 0x10000)
    {
      sa->s[sa->len++] = (char)(0xe0 | c >> 12) ;
      sa->s[sa->len++] = (char)(0x80 | (c >> 6 & 0x3f)) ;
      sa->s[sa->len++] = (char)(0x80 | (c & 0x3f)) ;
    }
    else
    { /* a pair of 4 bytes gives 4 bytes: within the room */
      sa->s[sa->len++] = (char)(0xf0 | c >> 18) ;
      sa->s[sa->len++] = (char)(0x80 | (c >> 12 & 0x3f)) ;
      sa->s[sa->len++] = (char)(0x80 | (c >> 6 & 0x3f)) ;
      sa->s[sa->len++] = (char)(0x80 | (c & 0x3f)) ;
    }
  }
  return 1 ;
}

/* a name of the open attachment: to its NUL, in UTF-8 */
static void name (struct tnef *t, unsigned char const *s, size_t len, int unicode)
{
  struct walk *w = t->w ;
  size_t k = 0 ;
  if (++t->names > MIME_MAXTNEFNAMES) { t->bad = 1 ; return ; }
  w->dec.len = 0 ;
  if (unicode)
  {
    while (k + 1 < len && (s[k] || s[k+1])) k += 2 ;
    if (!utf16(&w->dec, s, k)) { mime_nomem(w) ; return ; }
  }
  else
  {
    unsigned char const *z = memchr(s, 0, len) ;
    int r = 0 ;
    if (z) len = (size_t)(z - s) ;
    for (; k < len && s[k] < 0x80 ; k++) ;
    if (k < len) r = mime_convert(&w->dec, t->cp, strlen(t->cp), (char const *)s, len) ;
    if (r < 0) { mime_nomem(w) ; return ; }
    if (!r && !stralloc_catb(&w->dec, (char const *)s, len)) { mime_nomem(w) ; return ; }
  }
  if (mime_zipname(w->dec.s, w->dec.len)) t->zipname = 1 ;
  mime_report(w, w->dec.s, w->dec.len, MIME_FROM_TNEF) ;
}

/* the attachment's data in slot k; data already there is read first.
   Data counts with the names, so that the zips of one attachment stay few. */
static void data (struct tnef *t, unsigned int k, char const *s, size_t len)
{
  if (++t->names > MIME_MAXTNEFNAMES) { t->bad = 1 ; return ; }
  if (t->data[k]) mime_contents(t->w, t->data[k], t->dlen[k], t->zipname, t->depth) ;
  t->data[k] = s ; t->dlen[k] = len ;
}

/* the attachment read to its end: what its data holds */
static void done (struct tnef *t)
{
  for (unsigned int k = 0 ; k < 2 && !t->w->stop ; k++)
    if (t->data[k]) mime_contents(t->w, t->data[k], t->dlen[k], t->zipname, t->depth) ;
  t->open = 0 ; t->names = 0 ; t->zipname = 0 ;
  t->data[0] = t->data[1] = 0 ;
}

static size_t fixedsize (uint32_t type)
{
  switch (type)
  {
    case 0x0002 : case 0x000b : return 2 ;  /* short, boolean */
    case 0x0001 : case 0x0003 : case 0x0004 : case 0x000a : return 4 ;  /* null, long, float, error */
    case 0x0005 : case 0x0006 : case 0x0007 : case 0x0014 : case 0x0040 : return 8 ;  /* double, currency, apptime, i8, systime */
    case 0x0048 : return 16 ;  /* CLSID */
    default : return 0 ;
  }
}

/* skips len bytes, then the padding to 4 */
static int skip (size_t *i, size_t n, size_t len)
{
  size_t pad = (4 - len % 4) % 4 ;
  if (len > n - *i || pad > n - *i - len) return 0 ;
  *i += len + pad ;
  return 1 ;
}

/* a MAPI property list p (n bytes): count, then type, id, [name], values.
   1 if it parses to its end exactly. */
static int props (struct tnef *t, unsigned char const *p, size_t n)
{
  size_t i = 4 ;
  uint32_t count ;
  if (n < 4) return 0 ;
  count = le32(p) ;
  for (uint32_t c = 0 ; c < count && !t->w->stop ; c++)
  {
    uint32_t type, base, id, nval = 1 ;
    size_t fixed = 0 ;
    int var ;
    if (n - i < 4) return 0 ;
    type = le16(p + i) ; id = le16(p + i + 2) ; i += 4 ;
    if (id >= 0x8000)
    { /* named: a GUID, then 0 and a number or 1 and a UTF-16 name */
      uint32_t kind ;
      if (n - i < 24) return 0 ;
      kind = le32(p + i + 16) ; i += 20 ;
      if (kind > 1) return 0 ;
      if (kind == 0) i += 4 ;
      else { size_t l = le32(p + i) ; i += 4 ; if (!skip(&i, n, l)) return 0 ; }
    }
    base = type & ~PT_MV ;
    var = base == PT_STRING8 || base == PT_UNICODE || base == PT_BINARY || base == PT_OBJECT ;
    if (!var && !(fixed = fixedsize(base))) return 0 ;
    if (var || (type & PT_MV))
    {
      if (n - i < 4) return 0 ;
      nval = le32(p + i) ; i += 4 ;
    }
    /* every value takes 4 bytes at least: nval is bounded by n */
    for (uint32_t v = 0 ; v < nval && !t->w->stop ; v++)
    {
      size_t l = fixed, at ;
      if (var)
      {
        if (n - i < 4) return 0 ;
        l = le32(p + i) ; i += 4 ;
      }
      at = i ;
      if (!skip(&i, n, l)) return 0 ;
      if (type & PT_MV) continue ;
      if ((base == PT_STRING8 || base == PT_UNICODE) && (id == PR_ATTACH_FILENAME || id == PR_ATTACH_LONG_FILENAME
        || id == PR_ATTACH_PATHNAME || id == PR_ATTACH_LONG_PATHNAME))
        name(t, p + at, l, base == PT_UNICODE) ;
      else if (id == PR_ATTACH_DATA && base == PT_BINARY) data(t, 1, (char const *)p + at, l) ;
      else if (id == PR_ATTACH_DATA && base == PT_OBJECT && l >= 16) data(t, 1, (char const *)p + at + 16, l - 16) ;
    }
  }
  return i == n ;
}

/* one attribute; 0 to stop reading */
static int attribute (struct tnef *t, unsigned int level, uint32_t id, unsigned char const *p, size_t len)
{
  struct walk *w = t->w ;
  if (level == LVL_MESSAGE)
  {
    if (id == ATT_OEMCODEPAGE && len >= 4)
    {
      uint32_t cp = le32(p) ;
      if (cp == 65001) memcpy(t->cp, "UTF-8", 6) ;
      else snprintf(t->cp, sizeof t->cp, "CP%u", (unsigned int)cp) ;
    }
    return 1 ;
  }
  if (id == ATT_RENDDATA && t->open) done(t) ;
  if (!t->open && (id == ATT_RENDDATA || id == ATT_DATA || id == ATT_TITLE || id == ATT_MAPI))
  { /* an attachment counts as a part */
    if (w->parts >= MIME_MAXPARTS) { mime_unchecked(w, MIME_UNCHECKED_PARTS) ; return 0 ; }
    w->parts++ ;
    t->open = 1 ;
  }
  if (id == ATT_DATA) data(t, 0, (char const *)p, len) ;
  else if (id == ATT_TITLE) name(t, p, len, 0) ;
  else if (id == ATT_MAPI && !props(t, p, len)) t->bad = 1 ;
  return !w->stop ;
}

void mime_tnef (struct walk *w, char const *b, size_t n, unsigned int depth)
{
  struct tnef t = { .w = w, .depth = depth, .cp = "CP1252", .open = 0, .names = 0, .zipname = 0,
    .data = { 0, 0 }, .dlen = { 0, 0 }, .bad = 0 } ;
  unsigned char const *z = (unsigned char const *)b ;
  size_t i = 6 ;  /* the signature, the key */
  if (depth > MIME_MAXDEPTH) { mime_unchecked(w, MIME_UNCHECKED_DEPTH) ; return ; }
  if (n < 6) { mime_unchecked(w, MIME_UNCHECKED_TNEF) ; return ; }
  /* level, id, length, data, checksum. The checksum is not checked:
     readers differ on it, and a name is a name either way. */
  while (i < n && !w->stop)
  {
    unsigned int level ;
    uint32_t id ;
    size_t len ;
    if (n - i < 9) { t.bad = 1 ; break ; }  /* cut short */
    level = z[i] ; id = le32(z + i + 1) ; len = le32(z + i + 5) ;
    i += 9 ;
    if ((level != LVL_MESSAGE && level != LVL_ATTACHMENT) || len > n - i || n - i - len < 2) { t.bad = 1 ; break ; }
    if (!attribute(&t, level, id, z + i, len)) break ;
    i += len + 2 ;
  }
  if (t.open && !w->stop) done(&t) ;
  if (t.bad && !w->stop) mime_unchecked(w, MIME_UNCHECKED_TNEF) ;
}

void mime_contents (struct walk *w, char const *b, size_t n, int zipname, unsigned int depth)
{
  if (zipname || (n >= 4 && !memcmp(b, "PK\3\4", 4))) mime_zip(w, b, n) ;
  else if (n >= 4 && !memcmp(b, MIME_TNEFSIG, 4)) mime_tnef(w, b, n, depth + 1) ;
}
