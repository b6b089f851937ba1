/* unit tests of the spam header fields (lib/scan/spamhdr.c): what a
   plugin may give, how ours are written and folded, how a sender's copies
   are renamed */

#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "scan/spamhdr.h"
#include "unit.h"

static char const *why ;
#define OK(s) spamhdr_check(s, &why)
#define BAD(s, w) (!spamhdr_check(s, &why) && !strcmp(why, w))

static int folds (char const *in, char const *want)
{
  stralloc sa = STRALLOC_ZERO ;
  int ok = spamhdr_fold(&sa, in, strlen(in)) && sa.len == strlen(want) && !memcmp(sa.s, want, sa.len) ;
  stralloc_free(&sa) ;
  return ok ;
}

static int written (struct qhpsi_result const *r, int flag, int32_t req, char const *want)
{
  stralloc sa = STRALLOC_ZERO ;
  int ok = spamhdr_write(&sa, r, flag, req) && sa.len == strlen(want) && !memcmp(sa.s, want, sa.len) ;
  stralloc_free(&sa) ;
  return ok ;
}

/* renamed IN: the message after spamhdr_rename, and how many */
static int renamed (char const *in, char const *want, int64_t n)
{
  char buf[512] ;
  size_t len = strlen(in) ;
  int fd = memfd_create("t", 0), ok ;
  if (fd < 0 || write(fd, in, len) != (ssize_t)len) return 0 ;
  ok = spamhdr_rename(fd, len) == n && pread(fd, buf, len, 0) == (ssize_t)len && !memcmp(buf, want, len) ;
  close(fd) ;
  return ok ;
}

int main (void)
{
  struct qhpsi_result r ;
  char b[16], big[SPAMHDR_FIELDMAX + 2], many[40 * 16 + 1] = "" ;

  CHECK(OK("") && OK("X-Rspamd-Queue-Id: 1\nDKIM-Signature: v=1;\tb=x\nx-rspamd-a: b\nARC-Seal: i=1\n"), "allowed fields") ;
  CHECK(OK("Authentication-Results: a\nARC-Message-Signature: b\nARC-Authentication-Results: c\nX-Spam-Report: d\n"), "the others") ;
  CHECK(BAD("X-Rspamd-A: b", "header field without a newline"), "no newline") ;
  CHECK(BAD("X-Rspamd-A: a\rb\n", "CR in a header field"), "CR") ;
  CHECK(BAD("X-Rspamd-A\r: b\n", "CR in a header field"), "CR in the name") ;
  CHECK(BAD("X-Rspamd-A: a\n b\n", "LF inside a header field"), "LF then a blank") ;
  CHECK(BAD("X-Rspamd-A: a\001\n", "control byte in a header field"), "control byte") ;
  CHECK(BAD("X-Rspamd-A: a\177\n", "control byte in a header field"), "DEL") ;
  CHECK(BAD("X-Rspamd-A: \303\251\n", "control byte in a header field"), "8-bit") ;
  CHECK(BAD("Received: x\n", "header field not allowed"), "Received") ;
  CHECK(BAD("X-QHPSI: clean\n", "header field not allowed"), "X-QHPSI") ;
  CHECK(BAD("X-Spam-Flag: NO\n", "header field not allowed"), "X-Spam-Flag is ours") ;
  CHECK(BAD("X-Rspamd-: x\n", "header field not allowed"), "the bare prefix") ;
  CHECK(BAD("DKIM-Signature-X: x\n", "header field not allowed"), "a longer name") ;
  CHECK(BAD("X-Rspamd-A b: x\n", "bad header field name"), "a blank in the name") ;
  CHECK(BAD(": x\n", "header field without a name"), "no name") ;
  CHECK(BAD("X-Rspamd-A\n", "header field without a name"), "no colon") ;
  for (int i = 0 ; i < 33 ; i++) strcat(many, "X-Rspamd-A: a\n") ;
  CHECK(BAD(many, "too many header fields"), "33 fields") ;
  many[32 * 14] = 0 ;
  CHECK(OK(many), "32 fields") ;
  memset(big, 'x', sizeof big) ;
  memcpy(big, "X-Rspamd-L: ", 12) ;
  big[SPAMHDR_FIELDMAX - 1] = '\n' ; big[SPAMHDR_FIELDMAX] = 0 ;
  CHECK(OK(big), "a field of 4000 bytes") ;
  big[SPAMHDR_FIELDMAX - 1] = 'x' ; big[SPAMHDR_FIELDMAX] = '\n' ; big[SPAMHDR_FIELDMAX + 1] = 0 ;
  CHECK(BAD(big, "header field too long"), "4001 bytes") ;
  CHECK(spamhdr_testsok("") && spamhdr_testsok("A_1,b.2,C-3") && !spamhdr_testsok("A B") && !spamhdr_testsok("A;B"), "test names") ;

  CHECK(!strcmp(spamhdr_score(b, 7500), "7.5") && !strcmp(spamhdr_score(b, 7450), "7.5") && !strcmp(spamhdr_score(b, 7449), "7.4")
    && !strcmp(spamhdr_score(b, -49), "0.0") && !strcmp(spamhdr_score(b, -50), "-0.1") && !strcmp(spamhdr_score(b, 0), "0.0")
    && !strcmp(spamhdr_score(b, INT32_MIN), "-2147483.6"), "scores with one decimal") ;

  CHECK(folds("X-Rspamd-A: short", "X-Rspamd-A: short\n"), "a short field as it is") ;
  CHECK(folds("X-Rspamd-A: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
    "X-Rspamd-A: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n"), "folded at its blank") ;
  CHECK(folds("X-Rspamd-A: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b",
    "X-Rspamd-A: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n b\n"), "a long word: the next blank") ;
  CHECK(folds("X-Rspamd-A: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa   ",
    "X-Rspamd-A: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa   \n"), "no line of blanks alone") ;
  CHECK(folds("X-Rspamd-A:    aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "X-Rspamd-A:    aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"), "never right after the colon") ;
  CHECK(folds("X-Rspamd-A: a\tbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
    "X-Rspamd-A: a\n\tbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n"), "at a tab") ;

  memset(&r, 0, sizeof r) ;
  r.flags = QHPSI_RESULT_SCORED ; r.score = 3200 ;
  strcpy(r.tests, "A,B") ;
  strcpy(r.headers, "X-Rspamd-Server: s\n") ;
  CHECK(written(&r, 0, 5000, "X-Spam-Flag: NO\nX-Spam-Score: 3.2\nX-Spam-Level: ***\nX-Spam-Status: No, score=3.2 required=5.0 tests=A,B\nX-Rspamd-Server: s\n"), "ham") ;
  r.score = 99000 ; r.tests[0] = r.headers[0] = 0 ;
  CHECK(written(&r, 1, 0, "X-Spam-Flag: YES\nX-Spam-Score: 99.0\nX-Spam-Level: **************************************************\nX-Spam-Status: Yes, score=99.0 tests=none\n"), "spam, 50 stars") ;

  CHECK(renamed("Received: x\nX-Spam-Flag: YES\nx-rspamd-bar: +\n X-Spam-Flag: cont\nX-Spam-Flagged: y\nX-Spamd: z\n\nX-Spam-Flag: body\n",
    "Received: x\nX_Spam-Flag: YES\nx_rspamd-bar: +\n X-Spam-Flag: cont\nX_Spam-Flagged: y\nX-Spamd: z\n\nX-Spam-Flag: body\n", 3), "renamed in the top-level header only") ;
  CHECK(renamed("Received: x\r\n\r\nX-Spam-Flag: body\n", "Received: x\r\n\r\nX-Spam-Flag: body\n", 0), "CRLF: the header ends too") ;
  CHECK(renamed("A: b\nX-Spam-Level", "A: b\nX_Spam-Level", 1), "a last line without a newline") ;
  CHECK(renamed("", "", 0), "nothing") ;
  return UNIT_END() ;
}
