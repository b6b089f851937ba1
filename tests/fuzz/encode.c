/* tests/fuzz/encode.c: the encodings between programs and into headers:
   the helper's verdict answer (wire_parse, and wire_report back), and
   the xtext of recipients in X-Quarantine-ID (xtext_cat). */

#include <string.h>
#include <unistd.h>
#include <skalibs/stralloc.h>
#include "queue/xtext.h"
#include "scan/wire.h"
#include "scan/spamhdr.h"
#include "scan/verdict.h"
#include "fuzz.h"

static int unhex (char c)
{
  return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1 ;
}

static void xtext (uint8_t const *data, size_t size)
{
  stralloc sa = STRALLOC_ZERO ;
  char *s = fuzz_strdup(data, size) ;
  size_t i, j = 0 ;
  FUZZ_ASSERT(xtext_cat(&sa, s)) ;
  /* nothing that could end a header field, and it decodes back exactly */
  for (i = 0 ; i < sa.len ; i++) FUZZ_ASSERT(sa.s[i] > ' ' && sa.s[i] <= '~' && sa.s[i] != '=') ;
  for (i = 0 ; i < sa.len ; j++)
  {
    char c = sa.s[i] ;
    if (c == '+')
    {
      FUZZ_ASSERT(i + 2 < sa.len) ;
      FUZZ_ASSERT(unhex(sa.s[i+1]) >= 0 && unhex(sa.s[i+2]) >= 0) ;
      c = (char)(unhex(sa.s[i+1]) << 4 | unhex(sa.s[i+2])) ;
      i += 3 ;
    }
    else i++ ;
    FUZZ_ASSERT(s[j] == c) ;
  }
  FUZZ_ASSERT(!s[j]) ;
  stralloc_free(&sa) ;
  free(s) ;
}

static void answer (uint8_t const *data, size_t size)
{
  struct qhpsi_result r, back, spam, backspam ;
  int p[2] ;
  char buf[WIRE_ANSWERMAX] ;
  size_t tl ;
  ssize_t n ;
  memset(&r, 0x55, sizeof r) ;
  if (!wire_parse((char const *)data, size, &r, &spam)) return ;
  /* a good answer: letter, two digits, text, NUL, printable reply, NUL, a
     spam part when an engine answered, and it fits */
  FUZZ_ASSERT(size >= 5 && size <= WIRE_ANSWERMAX && !data[size - 1]) ;
  tl = strlen(r.text) ;
  FUZZ_ASSERT(tl < QHPSI_TEXTLEN && strlen(r.reply) < QHPSI_REPLYLEN) ;
  if (!scan_spamran(&spam)) FUZZ_ASSERT(strlen(r.reply) == size - 5 - tl) ;
  else
  {
    char const *why ;
    FUZZ_ASSERT(spamhdr_check(spam.headers, &why) && spamhdr_testsok(spam.tests) && spam.action <= QHPSI_ACTION_TEMPFAIL) ;
    for (char const *c = spam.reply ; *c ; c++) FUZZ_ASSERT(*c >= ' ' && *c <= '~') ;
  }
  for (char const *c = r.reply ; *c ; c++) FUZZ_ASSERT(*c >= ' ' && *c <= '~') ;
  FUZZ_ASSERT(r.verdict == QHPSI_CLEAN || r.verdict == QHPSI_INFECTED || r.verdict == QHPSI_ERROR) ;
  FUZZ_ASSERT(r.action <= QHPSI_ACTION_TAG && r.flags <= (QHPSI_RESULT_RULE | QHPSI_RESULT_SERVER)) ;
  if (r.flags & QHPSI_RESULT_SERVER) FUZZ_ASSERT(r.reply[0]) ;
  /* and what the helper writes for it is the same bytes */
  if (pipe(p) < 0) abort() ;
  FUZZ_ASSERT(wire_report(p[1], &r, &spam)) ;
  close(p[1]) ;
  n = read(p[0], buf, sizeof buf) ;
  close(p[0]) ;
  FUZZ_ASSERT(n == (ssize_t)size && !memcmp(buf, data, size)) ;
  FUZZ_ASSERT(wire_parse(buf, n, &back, &backspam) && back.verdict == r.verdict && !strcmp(back.text, r.text)
    && back.action == r.action && back.flags == r.flags && !strcmp(back.reply, r.reply)
    && !memcmp(&spam, &backspam, sizeof spam)) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  if (!size) return 0 ;
  if (data[0] & 1) xtext(data + 1, size - 1) ;
  else answer(data + 1, size - 1) ;
  return 0 ;
}
