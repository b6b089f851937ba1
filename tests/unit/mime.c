/* tests/unit/mime.c: the MIME walker: unfolding, RFC 2047 and 2231 names,
   nesting, zip central directories (real and lying), limits, CRLF,
   uuencoded blocks and MS-TNEF streams. */

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/stralloc.h>
#include "mime/mime.h"
#include "mime/mimewalk.h"
#include "unit.h"

/* every callback, one line each: "H name: value", "N name" (a parameter),
   "Z name" (zip), "UU name" (uuencode), "T name" (TNEF), "U why" (unchecked) */
static stralloc got = STRALLOC_ZERO ;
static unsigned int calls, stopafter ;

static int onheader (void *ctx, char const *n, size_t nl, char const *v, size_t vl)
{
  (void)ctx ;
  if (!stralloc_cats(&got, "H ") || !stralloc_catb(&got, n, nl) || !stralloc_cats(&got, ": ")
   || !stralloc_catb(&got, v, vl) || !stralloc_cats(&got, "\n")) abort() ;
  return !stopafter || ++calls < stopafter ;
}

static int onname (void *ctx, char const *n, size_t len, enum mime_origin from)
{
  static char const *const tag[MIME_FROM_N] = { "N ", "Z ", "UU ", "T " } ;
  (void)ctx ;
  if (!stralloc_cats(&got, tag[from]) || !stralloc_catb(&got, n, len) || !stralloc_cats(&got, "\n")) abort() ;
  return !stopafter || ++calls < stopafter ;
}

static int onunchecked (void *ctx, char const *why)
{
  (void)ctx ;
  if (!stralloc_cats(&got, "U ") || !stralloc_cats(&got, why) || !stralloc_cats(&got, "\n")) abort() ;
  return !stopafter || ++calls < stopafter ;
}

static struct mime_sink const both = { .ctx = 0, .header = &onheader, .name = &onname } ;
static struct mime_sink const namesonly = { .ctx = 0, .header = 0, .name = &onname } ;
/* names and what the walk could not read ("U why") */
static struct mime_sink const limits = { .ctx = 0, .header = 0, .name = &onname, .unchecked = &onunchecked } ;

static int walkb (char const *s, size_t len, struct mime_sink const *k)
{
  got.len = 0 ; calls = 0 ;
  return mime_walk(s, len, k) ;
}

#define WALK(msg, sink, want, name) do { \
  CHECK(walkb((msg), sizeof(msg) - 1, (sink)) == 1, name " (walked)") ; \
  CHECKMEM(got.s, got.len, (want), sizeof(want) - 1, name) ; \
} while (0)

#define UWALK(msg, want, name) WALK(msg, &limits, want, name)

#define DEC(in, want, name) do { \
  stralloc d_ = STRALLOC_ZERO ; \
  CHECK(mime_decodeheader(&d_, (in), sizeof(in) - 1) == 1, name " (decoded)") ; \
  CHECKMEM(d_.s, d_.len, (want), sizeof(want) - 1, name) ; \
  stralloc_free(&d_) ; \
} while (0)

static void test_decode (void)
{
  DEC("plain text", "plain text", "no words") ;
  DEC("=?utf-8?B?4oKs?=", "\xe2\x82\xac", "B, UTF-8") ;
  DEC("=?UTF-8?q?a_b=3Dc?=", "a b=c", "Q, any case, _ and =XX") ;
  DEC("=?koi8-r?B?8NLJ18XU?=", "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", "koi8-r B, exact UTF-8") ;
  DEC("=?windows-1251?Q?=CF=F0=E8=E2=E5=F2?=", "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", "windows-1251 Q") ;
  DEC("Re: =?iso-8859-1?q?caf=E9?= ok", "Re: caf\xc3\xa9 ok", "word between text keeps blanks") ;
  DEC("=?utf-8?q?a?= \t =?utf-8?q?b?=", "ab", "blanks between adjacent words dropped") ;
  DEC("=?utf-8?q?a?=\n =?iso-8859-1?q?b?=", "ab", "adjacent words of two charsets") ;
  DEC("=?utf-8?B?4o?= =?utf-8?B?Ksw==?=", "=?utf-8?B?4o?= =?utf-8?B?Ksw==?=", "bad base64 left alone") ;
  DEC("=?utf-8?B?4g==?= =?utf-8?B?gqw=?=", "\xe2\x82\xac", "a character split across words") ;
  DEC("=?utf-8?q?a=Zb?=", "=?utf-8?q?a=Zb?=", "bad Q escape left alone") ;
  DEC("=?utf-8?x?abc?=", "=?utf-8?x?abc?=", "unknown encoding left alone") ;
  DEC("=?utf-8?q?abc", "=?utf-8?q?abc", "unterminated word left alone") ;
  DEC("=?no-such-charset?q?abc?= x", "=?no-such-charset?q?abc?= x", "unknown charset left alone") ;
  DEC("=?utf-8/x?q?abc?=", "=?utf-8/x?q?abc?=", "charset with a slash left alone") ;
  DEC("=?utf-8?B?/w==?=", "=?utf-8?B?/w==?=", "invalid UTF-8 left alone") ;
  DEC("=?utf-8*en?q?hi?=", "hi", "RFC 2231 language in the charset") ;
  DEC("==?utf-8?q?x?==", "=x=", "word among equal signs") ;
}

static void test_header (void)
{
  WALK("Received: (qmail 1 invoked by uid 0)\nSubject: a\n  b\n\tc  \nX:  \n\nbody: x\n", &both,
    "H Received: (qmail 1 invoked by uid 0)\nH Subject: a b c\nH X: \n", "unfolding, trimming, body ignored") ;
  WALK("Subject: =?utf-8?q?caf=C3=A9?=\n =?utf-8?q?_bar?=\n\n", &both, "H Subject: caf\xc3\xa9 bar\n", "decoded after unfolding") ;
  WALK("Subject : x\nno colon here\n continued\n: no name\nFrom: a\n", &both, "H Subject: x\nH From: a\n", "blank before colon, junk lines, no empty line") ;
  WALK("Subject: x\r\n y\r\nTo: z\r\n\r\nTo: no\r\n", &both, "H Subject: x y\nH To: z\n", "CRLF header") ;
  stopafter = 1 ;
  WALK("A: 1\nB: 2\n\n", &both, "H A: 1\n", "header callback stops the walk") ;
  stopafter = 0 ;
}

static void test_names (void)
{
  WALK("Content-Type: application/octet-stream; name=\"a b.exe\"\n\n", &namesonly, "N a b.exe\n", "name= quoted") ;
  WALK("Content-Type: application/octet-stream; NAME=a.exe\n\n", &namesonly, "N a.exe\n", "name= bare token, any case") ;
  WALK("Content-Type: application/octet-stream;\n\tcharset=x ;  name = \"a\\\"b\\\\.exe\" ; x=y\n\n", &namesonly,
    "N a\"b\\.exe\n", "escapes, folding and blanks around ; and =") ;
  WALK("Content-Type: text/plain; x=\"a;name=no\"; name=yes\n\n", &namesonly, "N yes\n", "a ; inside quotes is no separator") ;
  WALK("Content-Type: application/x; name=\"n.exe\"\nContent-Disposition: attachment; filename=\"f.exe\"\n\n", &namesonly,
    "N n.exe\nN f.exe\n", "name= and filename= both") ;
  WALK("Content-Disposition: attachment; filename=\"s.exe\"\nContent-Type: application/x; name=s.exe\n\n", &namesonly,
    "N s.exe\n", "equal names once") ;
  WALK("Content-Disposition: attachment; filename*=utf-8''%E2%82%AC.exe\n\n", &namesonly, "N \xe2\x82\xac.exe\n", "RFC 2231 charset") ;
  WALK("Content-Disposition: attachment; filename*=UTF-8'en'%e2%82%ac%zz\n\n", &namesonly, "N \xe2\x82\xac%zz\n", "RFC 2231 language, lower-case hex, bad escape") ;
  WALK("Content-Disposition: attachment; filename*1=\"def.exe\"; filename*0=\"abc\"\n\n", &namesonly, "N abcdef.exe\n", "continuations out of order") ;
  WALK("Content-Disposition: attachment;\n filename*1*=%CC.exe; filename*0*=koi8-r''%C6%C1%CA\n\n", &namesonly,
    "N \xd1\x84\xd0\xb0\xd0\xb9\xd0\xbb.exe\n", "encoded continuations, koi8-r") ;
  WALK("Content-Disposition: attachment; filename*0*=utf-8''a; filename*1=\"%41\"; filename*3=x\n\n", &namesonly,
    "N a%41\n", "plain section kept as is, stops at a gap") ;
  WALK("Content-Type: application/x; name=\"=?windows-1251?B?9ODp6y5leGU=?=\"\n\n", &namesonly,
    "N \xd1\x84\xd0\xb0\xd0\xb9\xd0\xbb.exe\n", "RFC 2047 inside a quoted name") ;
  WALK("Content-Disposition: attachment; filename*=nosuch''%41%FF\n\n", &namesonly, "N A\xff\n", "unknown 2231 charset: bytes as they are") ;
  WALK("Content-Type: text/plain (a comment; name=no) ; name=(c)yes\n\n", &namesonly, "N yes\n", "comments") ;
  WALK("Content-Type: text/plain; filename=no\nContent-Disposition: inline; name=no\n\n", &namesonly, "", "parameters of the other field") ;
  WALK("Content-Type: application/x;\r\n name=\"c.exe\"\r\n\r\n", &namesonly, "N c.exe\n", "CRLF name") ;
  WALK("Content-Type: a/b; name=\"\"\nContent-Disposition: a; filename*=utf-8''\n\n", &namesonly, "", "empty names are none") ;
  {
    char big[3000] ;
    size_t n = 0 ;
    n += (size_t)sprintf(big, "Content-Type: a/b; name=\"") ;
    for (int i = 0 ; i < 1100 ; i++) big[n++] = 'x' ;
    n += (size_t)sprintf(big + n, "\"\n\n") ;
    CHECK(walkb(big, n, &namesonly) == 1 && got.len == 2 + 1024 + 1, "names cut at 1024 bytes") ;
  }
}

static void test_nesting (void)
{
  WALK("Content-Type: multipart/mixed; boundary=a\n\npre\n--a\nContent-Type: multipart/alternative; boundary=\"b\"\n\n"
    "--b\nContent-Type: multipart/related; boundary=c\n\n--c \t\nContent-Type: x/y; name=deep.exe\n\nbody\n--c--\n"
    "--b--\n--a\nContent-Type: message/rfc822\n\nSubject: inner\nContent-Type: multipart/mixed; boundary=d\n\n"
    "--d\nContent-Disposition: attachment; filename=inner.exe\n\n--d--\n--a--\n"
    "--a\nContent-Type: x/y; name=epilogue.exe\n\n", &both,
    "H Content-Type: multipart/mixed; boundary=a\nN deep.exe\nN inner.exe\n", "3 levels, message/rfc822, epilogue ignored") ;
  WALK("Content-Type: multipart/mixed; boundary=a\n\n--ab\nContent-Type: x/y; name=no.exe\n\n--a\nContent-Type: x/y; name=yes.exe\n\n--a--x\n",
    &namesonly, "N yes.exe\n", "delimiter lines must match exactly; unclosed last part") ;
  WALK("Content-Type: multipart/mixed\n\n--\nContent-Type: x/y; name=no.exe\n\n", &namesonly, "", "no boundary: opaque") ;
  WALK("Content-Type: multipart/digest; boundary=a\n\n--a\n\nContent-Type: x/y; name=dig.exe\n\n--a--\n", &namesonly,
    "N dig.exe\n", "digest parts are messages") ;
  WALK("Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: x/y; name=crlf.exe\r\n\r\nx\r\n--a--\r\n",
    &namesonly, "N crlf.exe\n", "CRLF multipart") ;
  {
    stralloc m = STRALLOC_ZERO ;
    int ok = 1 ;
    for (int i = 0 ; i < 1000 && ok ; i++)
    {
      char l[128] ;
      int n = snprintf(l, sizeof l, "Content-Type: multipart/mixed; boundary=q%d\nContent-Disposition: a; filename=n.exe\n\n--q%d\n", i, i) ;
      ok = stralloc_catb(&m, l, (size_t)n) ;
    }
    CHECK(ok && walkb(m.s, m.len, &namesonly) == 1, "1000-level bomb walked") ;
    CHECK(got.len == 32 * 8, "1000-level bomb stops at 32 levels") ;
    m.len = 0 ;
    ok = stralloc_cats(&m, "Content-Type: multipart/mixed; boundary=q\n\n") ;
    for (int i = 0 ; i < 20000 && ok ; i++) ok = stralloc_cats(&m, "--q\nContent-Type: a/b; name=p\n\n") ;
    CHECK(ok && walkb(m.s, m.len, &namesonly) == 1 && got.len == 9999 * 4, "at most 10000 parts") ;
    stralloc_free(&m) ;
  }
}

/* m: a multipart/mixed with boundary b (blen bytes, "a" when 0) whose one
   part's header is head */
static void onepart (stralloc *m, char const *b, size_t blen, char const *head)
{
  m->len = 0 ;
  if (!blen) { b = "a" ; blen = 1 ; }
  if (!stralloc_cats(m, "Content-Type: multipart/mixed; boundary=\"") || !stralloc_catb(m, b, blen)
   || !stralloc_cats(m, "\"\n\n--") || !stralloc_catb(m, b, blen) || !stralloc_cats(m, "\n")
   || !stralloc_cats(m, head) || !stralloc_cats(m, "\n\nMZ\n--") || !stralloc_catb(m, b, blen)
   || !stralloc_cats(m, "--\n")) abort() ;
}

#define UWALKSA(m, want, name) do { \
  CHECK(walkb((m).s, (m).len, &limits) == 1, name " (walked)") ; \
  CHECKMEM(got.s, got.len, (want), sizeof(want) - 1, name) ; \
} while (0)

/* every limit of the walk reached is told, never a silent skip */
static void test_limits (void)
{
  stralloc m = STRALLOC_ZERO, h = STRALLOC_ZERO ;
  char b[400] ;
  memset(b, 'b', sizeof b) ;
  onepart(&m, b, 255, "Content-Type: x/y; name=evil.exe") ;
  UWALKSA(m, "N evil.exe\n", "boundary of 255 bytes walked") ;
  onepart(&m, b, 256, "Content-Type: x/y; name=evil.exe") ;
  UWALKSA(m, "U MimeBoundary\n", "boundary of 256 bytes: MimeBoundary") ;
  onepart(&m, b, 300, "Content-Type: x/y; name=evil.exe") ;
  CHECK(walkb(m.s, m.len, &namesonly) == 1 && !got.len, "without the callback the walk still goes on") ;

  for (int n = 127 ; n <= 128 ; n++)
  {
    h.len = 0 ;
    if (!stralloc_cats(&h, "Content-Disposition: attachment")) abort() ;
    for (int i = 0 ; i < n ; i++) if (!stralloc_cats(&h, "; x=1")) abort() ;
    if (!stralloc_cats(&h, "; filename=\"evil.exe\"") || !stralloc_0(&h)) abort() ;
    onepart(&m, 0, 0, h.s) ;
    if (n == 127) UWALKSA(m, "N evil.exe\n", "128 parameters, the name the last") ;
    else UWALKSA(m, "U MimeParams\n", "129 parameters: MimeParams") ;
  }

  onepart(&m, 0, 0, "Content-Disposition: attachment; filename*0=\"evil\"; filename*2=\".exe\"") ;
  UWALKSA(m, "U MimeRfc2231Gap\nN evil\n", "name*0, name*2: MimeRfc2231Gap") ;
  onepart(&m, 0, 0, "Content-Disposition: attachment; filename*0=\"ev\"; filename*0=\"il\"; filename*1=\".exe\"") ;
  UWALKSA(m, "U MimeRfc2231Gap\nN ev.exe\n", "a section twice: MimeRfc2231Gap") ;
  onepart(&m, 0, 0, "Content-Disposition: attachment; filename*1=\".exe\"; filename*0=\"evil\"") ;
  UWALKSA(m, "N evil.exe\n", "sections complete, out of order") ;

  h.len = 0 ;
  if (!stralloc_cats(&h, "Content-Type: x/y; name=\"")) abort() ;
  for (int i = 0 ; i < 1100 ; i++) if (!stralloc_cats(&h, "x")) abort() ;
  if (!stralloc_cats(&h, ".exe\"") || !stralloc_0(&h)) abort() ;
  onepart(&m, 0, 0, h.s) ;
  CHECK(walkb(m.s, m.len, &limits) == 1 && got.len == 11 + 2 + 1024 + 1 && !memcmp(got.s, "U MimeName\nN xxx", 16),
    "a name over 1024 bytes: MimeName, and its head") ;

  h.len = 0 ;
  if (!stralloc_cats(&h, "Content-Type: x/y; q=\"")) abort() ;
  for (int i = 0 ; i < 70000 ; i++) if (!stralloc_cats(&h, "q")) abort() ;
  if (!stralloc_cats(&h, "\"; name=evil.exe") || !stralloc_0(&h)) abort() ;
  onepart(&m, 0, 0, h.s) ;
  UWALKSA(m, "U MimeField\n", "a field over 64 KB: MimeField") ;
  h.len = 0 ;
  if (!stralloc_cats(&h, "Content-Type: x/y; q=\"")) abort() ;
  for (int i = 0 ; i < 65000 ; i++) if (!stralloc_cats(&h, "q")) abort() ;
  if (!stralloc_cats(&h, "\";\n\t\t\t\t\t\t\t\t\t\t\t\t\t\t name=evil.exe") || !stralloc_0(&h)) abort() ;
  onepart(&m, 0, 0, h.s) ;
  UWALKSA(m, "N evil.exe\n", "a folded field under 64 KB unfolded") ;
  h.len = 0 ;
  if (!stralloc_cats(&h, "To: ")) abort() ;
  for (int i = 0 ; i < 5000 ; i++) if (!stralloc_cats(&h, "rcpt@example.org, ")) abort() ;
  if (!stralloc_cats(&h, "\nContent-Type: x/y; name=evil.exe\n\n")) abort() ;
  UWALKSA(h, "N evil.exe\n", "a To: field over 64 KB is only cut") ;

  onepart(&m, 0, 0, "Content-Type: multipart/mixedmixedmixedmixedmixedmixedmixedmixedmixedmixedmixedmixedmixedmixedmixedmixedmixedmixedmixedmixedmixedmixedmixedmixedmixed; boundary=c") ;
  UWALKSA(m, "U MimeType\n", "a type of 128 bytes: MimeType") ;

  m.len = 0 ;
  if (!stralloc_cats(&m, "Content-Type: application/zip\n\nPK\3\4") || !stralloc_ready(&m, m.len + MIME_MAXZIP)) abort() ;
  memset(m.s + m.len, 'z', MIME_MAXZIP) ;
  m.len += MIME_MAXZIP ;
  UWALKSA(m, "U MimeZip\n", "a zip over 50 MB: MimeZip") ;
  m.len -= 5 ;
  UWALKSA(m, "", "a zip of 50 MB: read whole") ;

  {
    int ok = stralloc_copys(&m, "Content-Type: multipart/mixed; boundary=q\n\n") ;
    for (int i = 0 ; i < 9999 && ok ; i++) ok = stralloc_cats(&m, "--q\nContent-Type: a/b\n\n") ;
    CHECK(ok && walkb(m.s, m.len, &limits) == 1 && !got.len, "10000 entities, no more") ;
    ok = stralloc_cats(&m, "--q\nContent-Type: a/b; name=evil.exe\n\n--q\n\n") ;
    UWALKSA(m, "U MimeParts\n", "10001 entities: MimeParts, told once") ;
    m.len = 0 ;
    for (int i = 0 ; i < 33 && ok ; i++)
    {
      char l[96] ;
      int n = snprintf(l, sizeof l, "Content-Type: multipart/mixed; boundary=q%dx\n\n--q%dx\n", i, i) ;
      ok = stralloc_catb(&m, l, (size_t)n) ;
    }
    ok = ok && stralloc_cats(&m, "Content-Type: a/b; name=evil.exe\n\n") ;
    UWALKSA(m, "U MimeDepth\n", "33 levels: MimeDepth") ;
    stopafter = 1 ;
    m.len = 0 ;
    ok = ok && stralloc_cats(&m, "Content-Type: multipart/mixed; boundary=a\n\n--a junk\n--a\nContent-Type: a/b; name=e.exe\n\n") ;
    UWALKSA(m, "U MimeAmbiguousBoundary\n", "the unchecked callback stops the walk") ;
    stopafter = 0 ;
    CHECK(ok, "built") ;
  }
  stralloc_free(&m) ; stralloc_free(&h) ;
}

/* structures that reformime splits otherwise than the walk */
static void test_ambiguous (void)
{
  static char const *const amb[] =
  {
    "--a junk\n", "--a--junk\n", "--A\n", "--ab\n", "--a\0\n", 0
  } ;
  static char const *const what[] =
  {
    "--a junk: MimeAmbiguousBoundary", "--a--junk", "--A for a", "--ab for a", "--a NUL"
  } ;
  stralloc m = STRALLOC_ZERO ;
  for (unsigned int i = 0 ; amb[i] ; i++)
  {
    if (!stralloc_copys(&m, "Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: a/b; name=one\n\n")
     || !stralloc_catb(&m, amb[i], strlen(amb[i]) + (amb[i][3] == 0 ? 2 : 0))
     || !stralloc_cats(&m, "Content-Type: a/b; name=evil.exe\n\nMZ\n--a--\n")) abort() ;
    CHECK(walkb(m.s, m.len, &limits) == 1 && got.len >= 24 && !memcmp(got.s, "U MimeAmbiguousBoundary\n", 24), what[i]) ;
  }
  UWALK("Content-Type: multipart/mixed; boundary=a\n\n--a \t\nContent-Type: a/b; name=one\n\n--a-- \n", "N one\n",
    "a delimiter with trailing blanks is no ambiguity") ;
  UWALK("Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: a/b; name=x\n\n--a--\n--a--\n",
    "N x\n", "the same boundary nested: split by the outer, as reformime does") ;
  UWALK("Content-Type: text/plain\nContent-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: a/b; name=evil.exe\n\n--a--\n",
    "U MimeAmbiguousHeader\n", "two Content-Type fields") ;
  UWALK("Content-Type: multipart/mixed; boundary=b; boundary=a\n\n--a\nContent-Type: a/b; name=evil.exe\n\n--a--\n",
    "U MimeAmbiguousHeader\n", "two boundary parameters") ;
  UWALK("Content-Type: a/b; name=e.exe\nContent-Transfer-Encoding: base64\nContent-Transfer-Encoding: 7bit\n\nTVo=\n",
    "N e.exe\nU MimeAmbiguousHeader\n", "two encodings") ;
  UWALK("Content-Type: a/b; name=e.exe\nContent-Transfer-Encoding: base64\nContent-Transfer-Encoding: BASE64\n\nTVo=\n",
    "N e.exe\n", "the same encoding twice") ;
  UWALK("Content-Type: multipart/mixed; boundary=a\n\n--a\n Content-Type: a/b; name=e.exe\n\nMZ\n--a--\n",
    "U MimeAmbiguousHeader\n", "a part's header starting with a blank") ;
  UWALK("Content-Type: multipart/mixed; boundary=a\n\n--a\nX-Junk line\n\tcontinued: x\nContent-Type: a/b; name=e.exe\n\nMZ\n--a--\n",
    "U MimeAmbiguousHeader\nN e.exe\n", "a continuation of a line that is no field") ;
  UWALK("Content-Type: multipart/mixed; boundary=a\n\n--a\nX-Junk line\n\tcontinued\nContent-Type: a/b;\n name=e.exe\n\nMZ\n--a--\n",
    "N e.exe\n", "folding and junk without a colon are no ambiguity") ;
  stralloc_free(&m) ;
}

static int readfile (char const *path, stralloc *sa)
{
  char buf[4096] ;
  ssize_t r ;
  int fd = open(path, O_RDONLY) ;
  if (fd < 0) return 0 ;
  sa->len = 0 ;
  while ((r = read(fd, buf, sizeof buf)) > 0) if (!stralloc_catb(sa, buf, (size_t)r)) break ;
  close(fd) ;
  return !r ;
}

static void le (stralloc *sa, uint32_t v, int n)
{
  for (int i = 0 ; i < n ; i++) { char c = (char)(v >> (8 * i)) ; if (!stralloc_catb(sa, &c, 1)) abort() ; }
}

/* a binary part holding a central directory of one entry called name, its
   name length field nl, the EOCD's directory offset cdoff */
static void lying (stralloc *m, char const *name, uint32_t nl, int32_t cdoffdelta)
{
  size_t start ;
  m->len = 0 ;
  if (!stralloc_cats(m, "Content-Type: application/zip\n\n")) abort() ;
  start = m->len ;
  if (!stralloc_catb(m, "PK\1\2", 4)) abort() ;
  le(m, 0, 4) ; le(m, 0, 4) ; le(m, 0, 4) ; le(m, 0, 4) ; le(m, 0, 4) ; le(m, 0, 4) ;
  le(m, nl, 2) ; le(m, 0, 2) ; le(m, 0, 2) ; le(m, 0, 2) ; le(m, 0, 2) ; le(m, 0, 4) ; le(m, 0, 4) ;
  if (!stralloc_cats(m, name)) abort() ;
  {
    uint32_t cdsize = (uint32_t)(m->len - start) ;
    if (!stralloc_catb(m, "PK\5\6", 4)) abort() ;
    le(m, 0, 4) ; le(m, 1, 2) ; le(m, 1, 2) ; le(m, cdsize, 4) ; le(m, (uint32_t)cdoffdelta, 4) ; le(m, 0, 2) ;
  }
}

static void test_zip (void)
{
  stralloc m = STRALLOC_ZERO ;
  CHECK(readfile("tests/fixtures/mime/zip.eml", &m), "read zip.eml") ;
  CHECK(walkb(m.s, m.len, &namesonly) == 1, "zip.eml walked") ;
  CHECKMEM(got.s, got.len, "N data.bin\nZ a.txt\nZ evil.exe\n", 30, "base64 zip found by its bytes") ;
  CHECK(readfile("tests/fixtures/mime/zipnames.eml", &m), "read zipnames.eml") ;
  CHECK(walkb(m.s, m.len, &namesonly) == 1, "zipnames.eml walked") ;
  CHECKMEM(got.s, got.len, "Z \xe2\x82\xac.exe\nN c.ZIP\nZ \xc3\x87.exe\n", 27, "UTF-8 flag, CP437, .ZIP name, application/zip") ;
  CHECK(readfile("tests/fixtures/mime/plain.zip", &m), "read plain.zip") ;
  {
    stralloc t = STRALLOC_ZERO ;
    CHECK(stralloc_cats(&t, "Content-Type: application/octet-stream\nContent-Transfer-Encoding: binary\n\n")
      && stralloc_catb(&t, m.s, m.len), "binary zip built") ;
    CHECK(walkb(t.s, t.len, &namesonly) == 1 && got.len == 19, "binary zip body") ;
    for (size_t cut = 1 ; cut < m.len ; cut++)
    {
      /* every truncation: never a name beyond the bytes (ASan watches) */
      char *z = malloc(m.len - cut) ;
      if (!z) abort() ;
      memcpy(z, m.s, m.len - cut) ;
      t.len = 0 ;
      if (!stralloc_cats(&t, "Content-Type: application/zip\n\n") || !stralloc_catb(&t, z, m.len - cut)) abort() ;
      free(z) ;
      if (walkb(t.s, t.len, &namesonly) != 1 || got.len) break ;
      if (cut == m.len - 1) CHECK(1, "every truncated zip: no names") ;
    }
    CHECK(!got.len, "truncated zips report nothing") ;
    stralloc_free(&t) ;
  }
  lying(&m, "ok.exe", 6, 0) ;
  CHECK(walkb(m.s, m.len, &namesonly) == 1, "hand-made zip walked") ;
  CHECKMEM(got.s, got.len, "Z ok.exe\n", 9, "hand-made zip") ;
  lying(&m, "ok.exe", 6, 1000) ;
  CHECK(walkb(m.s, m.len, &namesonly) == 1 && !got.len, "directory offset beyond the end") ;
  lying(&m, "ok.exe", 6, -1) ;
  CHECK(walkb(m.s, m.len, &namesonly) == 1 && !got.len, "directory offset wraps") ;
  lying(&m, "ok.exe", 65535, 0) ;
  CHECK(walkb(m.s, m.len, &namesonly) == 1 && !got.len, "entry name longer than the directory") ;
  lying(&m, "ok.exe", 6, 0) ;
  memcpy(m.s + m.len - 22 + 12, "\xff\xff\xff\xff", 4) ;
  CHECK(walkb(m.s, m.len, &namesonly) == 1 && !got.len, "directory size beyond the end") ;
  stralloc_free(&m) ;
}

/* uuencoded blocks and MS-TNEF streams: "UU name" from uuencode, "T name"
   from TNEF. The uuencoded lines are python's binascii.b2a_uu; the TNEF
   streams are built below, after MS-OXTNEF, attribute by attribute. */

static void test_uuencode (void)
{
  UWALK("Subject: x\n\nhi\nbegin 644 evil.exe\n\"35H \n`\nend\nbye\n", "UU evil.exe\n", "a body without MIME") ;
  UWALK("Subject: x\r\n\r\nbegin 644 evil.exe\r\n\"35H \r\n`\r\nend\r\n", "UU evil.exe\n", "CRLF") ;
  UWALK("Subject: x\n\nbegin 644 evil.exe\n\"35H\n\nend\n", "UU evil.exe\n", "trailing blanks stripped by a mailer") ;
  UWALK("\nbegin 0644   a b.exe\nend\nbegin 600 two.exe\nend\n", "UU a b.exe\nUU two.exe\n", "two blocks, a name with a blank") ;
  UWALK("\nbegin-base64 644 evil.exe\nTVo=\n====\n", "UU evil.exe\n", "begin-base64") ;
  UWALK("\nbegin 644\nbegin 8 x.exe\n begin 644 y.exe\nbeginning 644 z.exe\nbegin 12345 w.exe\nbegin 644 \n", "",
    "no name, no octal mode, indented, 'beginning', a mode of 5 digits: no block") ;
  UWALK("Content-Type: text/html\n\nbegin 644 evil.exe\nend\n", "UU evil.exe\n", "a text/html body") ;
  UWALK("Content-Type: application/octet-stream\n\nbegin 644 evil.exe\nend\n", "", "not in a body that is not text") ;
  UWALK("Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\nYmVnaW4gNjQ0IGV2aWwuZXhlCmVuZAo=\n", "UU evil.exe\n", "a base64 text part") ;
  UWALK("Content-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\n=62egin 644 evil.exe\nend\n", "UU evil.exe\n", "quoted-printable") ;
  UWALK("Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: text/plain\n\nbegin 644 evil.exe\nend\n--a--\n",
    "UU evil.exe\n", "a text part of a multipart") ;
  UWALK("\nbegin 644 evil.exe\n\"35H \n", "UU evil.exe\nU MimeUuencode\n", "no end line: MimeUuencode") ;
  UWALK("\nbegin 644 evil.exe\n\"35H \nsome prose\nend\n", "UU evil.exe\nU MimeUuencode\n", "a line that is not uuencode") ;
  UWALK("\nbegin 644 a.txt\nbegin 644 evil.exe\nend\n", "UU a.txt\nU MimeUuencode\nUU evil.exe\n", "a block that begins another is read too") ;
  UWALK("\nbegin-base64 644 evil.exe\nTVo=\nend\n", "UU evil.exe\nU MimeUuencode\n", "begin-base64 ends with ====") ;
}

/* an attribute: level, id, length, data, checksum */
static void att (stralloc *sa, unsigned int level, uint32_t id, char const *d, size_t n)
{
  uint32_t sum = 0 ;
  for (size_t i = 0 ; i < n ; i++) sum += (unsigned char)d[i] ;
  le(sa, level, 1) ; le(sa, id, 4) ; le(sa, (uint32_t)n, 4) ;
  if (!stralloc_catb(sa, d, n)) abort() ;
  le(sa, sum & 0xffff, 2) ;
}

static void head (stralloc *sa)
{
  le(sa, 0x223e9f78, 4) ; le(sa, 0, 2) ;
  att(sa, 1, 0x00089006, "\0\0\1\0", 4) ;
}

/* a MAPI property of type, id, one value (PT_STRING8, PT_UNICODE: s) */
static void prop (stralloc *sa, uint32_t type, uint32_t id, char const *s, size_t n)
{
  le(sa, type, 2) ; le(sa, id, 2) ; le(sa, 1, 4) ; le(sa, (uint32_t)n, 4) ;
  if (!stralloc_catb(sa, s, n) || !stralloc_catb(sa, "\0\0\0", (4 - n % 4) % 4)) abort() ;
}

/* a message whose only part is the stream */
static void msg (stralloc *m, stralloc const *t)
{
  m->len = 0 ;
  if (!stralloc_cats(m, "Content-Type: application/ms-tnef\n\n") || !stralloc_catb(m, t->s, t->len)) abort() ;
}

#define RENDDATA "\1\0\0\0\377\377\377\377\0\0\0\0\0\0"

static void test_tnef (void)
{
  stralloc t = STRALLOC_ZERO, m = STRALLOC_ZERO, p = STRALLOC_ZERO, z = STRALLOC_ZERO, e = STRALLOC_ZERO ;

  head(&t) ;
  att(&t, 2, 0x00069002, RENDDATA, 14) ;
  att(&t, 2, 0x0006800f, "MZ", 2) ;
  att(&t, 2, 0x00018010, "evil.exe\0junk", 14) ;
  att(&t, 2, 0x00069002, RENDDATA, 14) ;
  att(&t, 2, 0x00018010, "caf\xe9.txt", 8) ;
  msg(&m, &t) ;
  UWALKSA(m, "T evil.exe\nT caf\xc3\xa9.txt\n", "titles, to the NUL, cp1252 by default") ;
  {
    /* every cut of the stream inside an attribute is MimeTnef; a cut
       between two (TNEF has no end mark) reads as a shorter stream */
    int bad = 0 ;
    size_t next = 6 ;
    for (size_t cut = 6 ; cut < t.len ; cut++)
    {
      int between = cut == next ;
      if (between) next += 11 + ((unsigned char)t.s[cut+5] | (unsigned char)t.s[cut+6] << 8) ;
      walkb(m.s, m.len - t.len + cut, &limits) ;
      if (between != (got.len < 11 || memcmp(got.s + got.len - 11, "U MimeTnef\n", 11))) { bad = 1 ; break ; }
    }
    CHECK(!bad, "every cut of a stream inside an attribute is MimeTnef, between two not") ;
  }

  t.len = 0 ; head(&t) ;
  att(&t, 1, 0x00069007, "\xe3\x04\0\0\0\0\0\0", 8) ;  /* code page 1251 */
  att(&t, 2, 0x00018010, "\xcf\xf0\xe8.exe", 8) ;
  msg(&m, &t) ;
  UWALKSA(m, "T \xd0\x9f\xd1\x80\xd0\xb8.exe\n", "attOemCodepage 1251, no attAttachRendData first") ;

  /* attAttachment: a long, a named property with a name, PT_STRING8 file
     name, PT_UNICODE long file name with a pair and a lone surrogate, a
     multi-valued string (not a name) */
  p.len = 0 ; le(&p, 5, 4) ;
  le(&p, 3, 2) ; le(&p, 0x0e20, 2) ; le(&p, 42, 4) ;
  le(&p, 0x1f, 2) ; le(&p, 0x8001, 2) ;
  if (!stralloc_catb(&p, "0123456789abcdef", 16)) abort() ;
  le(&p, 1, 4) ; le(&p, 6, 4) ; if (!stralloc_catb(&p, "x\0y\0\0\0\0\0", 8)) abort() ;
  le(&p, 1, 4) ; le(&p, 2, 4) ; if (!stralloc_catb(&p, "z\0\0\0", 4)) abort() ;
  prop(&p, 0x1e, 0x3704, "EVIL~1.EXE", 11) ;
  prop(&p, 0x1f, 0x3707, "e\0\x3d\xd8\x00\xde\0\xd8.\0e\0x\0e\0\0\0", 18) ;
  le(&p, 0x101e, 2) ; le(&p, 0x3707, 2) ; le(&p, 2, 4) ; le(&p, 1, 4) ; le(&p, 'a', 4) ; le(&p, 1, 4) ; le(&p, 'b', 4) ;
  t.len = 0 ; head(&t) ;
  att(&t, 2, 0x00069002, RENDDATA, 14) ;
  att(&t, 2, 0x00069005, p.s, p.len) ;
  msg(&m, &t) ;
  UWALKSA(m, "T EVIL~1.EXE\nT e\xf0\x9f\x98\x80\xef\xbf\xbd.exe\n", "MAPI properties: file names, UTF-16 to UTF-8") ;
  p.s[p.len - 24] = 0x77 ;  /* a type nobody knows */
  t.len = 0 ; head(&t) ;
  att(&t, 2, 0x00069005, p.s, p.len) ;
  msg(&m, &t) ;
  UWALKSA(m, "T EVIL~1.EXE\nT e\xf0\x9f\x98\x80\xef\xbf\xbd.exe\nU MimeTnef\n", "an unknown property type: MimeTnef") ;
  p.len = 0 ; le(&p, 0xffffffff, 4) ;
  t.len = 0 ; head(&t) ;
  att(&t, 2, 0x00069005, p.s, p.len) ;
  msg(&m, &t) ;
  UWALKSA(m, "U MimeTnef\n", "2^32-1 properties in 4 bytes: MimeTnef") ;

  /* a zip as attAttachData, found by its bytes; one as PR_ATTACH_DATA_BIN */
  CHECK(readfile("tests/fixtures/mime/plain.zip", &z), "read plain.zip") ;
  t.len = 0 ; head(&t) ;
  att(&t, 2, 0x00069002, RENDDATA, 14) ;
  att(&t, 2, 0x0006800f, z.s, z.len) ;
  att(&t, 2, 0x00018010, "files.dat", 10) ;
  att(&t, 2, 0x00069002, RENDDATA, 14) ;
  p.len = 0 ; le(&p, 1, 4) ; prop(&p, 0x102, 0x3701, z.s, z.len) ;
  att(&t, 2, 0x00069005, p.s, p.len) ;
  msg(&m, &t) ;
  UWALKSA(m, "T files.dat\nZ a.txt\nZ evil.exe\nZ a.txt\nZ evil.exe\n", "zips in attAttachData and PR_ATTACH_DATA_BIN") ;

  /* an embedded message: PR_ATTACH_DATA_OBJ, an IID, then TNEF; nested deeper than MIME_MAXDEPTH */
  e.len = 0 ; head(&e) ;
  att(&e, 2, 0x00018010, "deep.exe", 9) ;
  for (unsigned int d = 0 ; d < 40 ; d++)
  {
    p.len = 0 ; le(&p, 1, 4) ;
    t.len = 0 ;
    if (!stralloc_catb(&t, "0123456789abcdef", 16) || !stralloc_catb(&t, e.s, e.len)) abort() ;
    prop(&p, 0x0d, 0x3701, t.s, t.len) ;
    e.len = 0 ; head(&e) ;
    att(&e, 2, 0x00069005, p.s, p.len) ;
    if (!d)
    {
      msg(&m, &e) ;
      UWALKSA(m, "T deep.exe\n", "an embedded message's attachment") ;
    }
  }
  msg(&m, &e) ;
  UWALKSA(m, "U MimeDepth\n", "embedded 41 deep: MimeDepth") ;

  /* 17 titles of one attachment; a level byte of 3 */
  t.len = 0 ; head(&t) ;
  for (unsigned int i = 0 ; i < 17 ; i++) att(&t, 2, 0x00018010, "a.txt", 6) ;
  msg(&m, &t) ;
  walkb(m.s, m.len, &limits) ;
  CHECK(got.len == 16 * 8 + 11 && !memcmp(got.s + got.len - 11, "U MimeTnef\n", 11), "17 names of an attachment: 16, then MimeTnef") ;
  t.len = 0 ; head(&t) ;
  att(&t, 3, 0x00018010, "evil.exe", 9) ;
  msg(&m, &t) ;
  UWALKSA(m, "U MimeTnef\n", "a level of 3: MimeTnef") ;

  /* uuencoded winmail.dat in a text body */
  t.len = 0 ; head(&t) ;
  att(&t, 2, 0x00018010, "evil.exe", 9) ;
  m.len = 0 ;
  if (!stralloc_cats(&m, "\nbegin 644 winmail.dat\n")) abort() ;
  for (size_t i = 0 ; i < t.len ; i += 45)
  { /* binascii.b2a_uu, written out */
    size_t n = t.len - i < 45 ? t.len - i : 45 ;
    le(&m, 0x20 + (uint32_t)n, 1) ;
    for (size_t k = 0 ; k < n ; k += 3)
    {
      unsigned char b[3] = { (unsigned char)t.s[i+k], k + 1 < n ? (unsigned char)t.s[i+k+1] : 0, k + 2 < n ? (unsigned char)t.s[i+k+2] : 0 } ;
      uint32_t v = (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2] ;
      for (int j = 3 ; j >= 0 ; j--) { uint32_t c = v >> (6 * j) & 63 ; le(&m, c ? 0x20 + c : 0x60, 1) ; }
    }
    le(&m, '\n', 1) ;
  }
  if (!stralloc_cats(&m, "`\nend\n")) abort() ;
  UWALKSA(m, "UU winmail.dat\nT evil.exe\n", "a uuencoded TNEF stream") ;

  /* a callback that says stop is the last */
  t.len = 0 ; head(&t) ;
  for (unsigned int i = 0 ; i < 3 ; i++) { att(&t, 2, 0x00069002, RENDDATA, 14) ; att(&t, 2, 0x00018010, "a.exe", 6) ; }
  msg(&m, &t) ;
  stopafter = 2 ;
  UWALKSA(m, "T a.exe\nT a.exe\n", "stopped after two names") ;
  stopafter = 0 ;

  stralloc_free(&t) ; stralloc_free(&m) ; stralloc_free(&p) ; stralloc_free(&z) ; stralloc_free(&e) ;
}

static void test_uuparts (void)
{
  stralloc m = STRALLOC_ZERO ;
  if (!stralloc_cats(&m, "\n")) abort() ;
  for (unsigned int i = 0 ; i < MIME_MAXPARTS ; i++) if (!stralloc_cats(&m, "begin 644 a\nend\n")) abort() ;
  walkb(m.s, m.len, &limits) ;
  CHECK(got.len == (MIME_MAXPARTS - 1) * 5 + 12 && !memcmp(got.s + got.len - 12, "U MimeParts\n", 12),
    "each block is a part: MimeParts") ;
  stralloc_free(&m) ;
}

/* mime_b64 against a decoder written another way (below), on
   random text of digits, line ends, '=' and bytes of every kind, strict
   and not, with room for all of it or a little */
static int refval (unsigned char c)
{
  if (c >= 'A' && c <= 'Z') return c - 'A' ;
  if (c >= 'a' && c <= 'z') return c - 'a' + 26 ;
  if (c >= '0' && c <= '9') return c - '0' + 52 ;
  return c == '+' ? 62 : c == '/' ? 63 : -1 ;
}

/* the same contract, worked out another way: the digits' bits as one
   string, the bytes read off it; strict input ends where the room is
   full or at the first '=', and only '=' may follow */
static int refb64 (stralloc *sa, char const *s, size_t len, size_t max, int strict)
{
  unsigned char bit[8 * 600] ;
  size_t room = len / 4 * 3 + 3, nbits = 0, stop = len, want ;
  if (room > max) room = max ;
  want = 8 * room ;
  for (size_t i = 0 ; i < len ; i++)
  {
    int v = refval((unsigned char)s[i]) ;
    if (nbits >= want) { stop = i ; break ; }
    if (v < 0 && !strict) continue ;
    if (v < 0) { stop = i ; if (s[i] != '=') return 0 ; break ; }
    for (int k = 5 ; k >= 0 ; k--) bit[nbits++] = v >> k & 1 ;
  }
  if (strict) for (size_t i = stop ; i < len ; i++) if (s[i] != '=') return 0 ;
  if (nbits > want) nbits = want ;
  for (size_t j = 0 ; j + 8 <= nbits ; j += 8)
  {
    unsigned char c = 0 ;
    for (int k = 0 ; k < 8 ; k++) c = c << 1 | bit[j + k] ;
    if (!stralloc_append(sa, (char)c)) return -1 ;
  }
  return 1 ;
}

static void test_b64 (void)
{
  static char const digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" ;
  stralloc a = STRALLOC_ZERO, b = STRALLOC_ZERO ;
  char in[600] ;
  unsigned int bad = 0 ;
  srand(22) ;
  for (unsigned int t = 0 ; t < 20000 ; t++)
  {
    size_t len = rand() % sizeof in, max = rand() % 3 ? SIZE_MAX : (size_t)rand() % 400 ;
    int strict = rand() % 4 == 0, ra, rb ;
    for (size_t i = 0 ; i < len ; i++)
    {
      int k = rand() % 100 ;
      in[i] = k < 90 ? digits[rand() % 64] : k < 94 ? '\n' : k < 96 ? '=' : k < 97 ? '\r' : (char)(rand() % 256) ;
    }
    /* strict inputs are mostly digits with padding at the end */
    if (strict && rand() % 2) for (size_t i = 0 ; i < len ; i++) if (refval((unsigned char)in[i]) < 0) in[i] = i + 3 > len ? '=' : 'Q' ;
    a.len = b.len = 0 ;
    ra = mime_b64(&a, in, len, max, strict) ;
    rb = refb64(&b, in, len, max, strict) ;
    if (ra != rb || a.len != b.len || memcmp(a.s, b.s, a.len)) bad++ ;
  }
  CHECK(!bad, "base64: the same bytes as a decoder bit by bit, 20000 random inputs") ;
  stralloc_free(&a) ;
  stralloc_free(&b) ;
}

int main (void)
{
  test_b64() ;
  test_decode() ;
  test_header() ;
  test_names() ;
  test_nesting() ;
  test_zip() ;
  test_limits() ;
  test_ambiguous() ;
  test_uuencode() ;
  test_tnef() ;
  test_uuparts() ;
  stralloc_free(&got) ;
  return UNIT_END() ;
}
