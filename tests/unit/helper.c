/* unit tests of the helper's answer and envelope: what qmail-queue takes
   from the helper, and what the helper takes from qmail-queue on fd 3 */

#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include "scan/wire.h"
#include "unit.h"

#define PARSE(s) wire_parse(s, sizeof s - 1, &r, 0)
#define SPARSE(s) wire_parse(s, sizeof s - 1, &r, &spam)

static scanfields fields ;
static int hasfields ;

static int envfrom (char const *s, size_t len, stralloc *sa, char const ***rcpts, uint32_t *n)
{
  int p[2], ok ;
  if (pipe(p) < 0) return -1 ;
  if (write(p[1], s, len) != (ssize_t)len) return -1 ;
  close(p[1]) ;
  ok = wire_readenvelope(p[0], sa, rcpts, n, &fields, &hasfields) ;
  close(p[0]) ;
  return ok ;
}
#define ENV(s) envfrom(s, sizeof s - 1, &sa, &rcpts, &n)

int main (void)
{
  struct qhpsi_result r = { .verdict = QHPSI_INFECTED, .action = QHPSI_ACTION_TRAP, .flags = QHPSI_RESULT_RULE } ;
  struct qhpsi_result got, spam, gotspam ;
  int p[2] ;
  char buf[WIRE_ANSWERMAX + 1] ;
  ssize_t len ;
  stralloc sa = STRALLOC_ZERO ;
  char const **rcpts = 0 ;
  uint32_t n ;
  int fd ;

  strcpy(r.text, "Rule.Name") ;
  strcpy(r.reply, "553 a\nb") ;
  CHECK(pipe(p) == 0 && wire_report(p[1], &r, 0), "report") ;
  len = read(p[0], buf, sizeof buf) ;
  CHECKMEM(buf, len, "I31Rule.Name\000553 a b\000", 21, "report: letter, digits, text, reply with its newline blanked") ;
  memset(&got, 0, sizeof got) ;
  CHECK(wire_parse(buf, len, &got, 0) && got.verdict == QHPSI_INFECTED && got.action == 3 && got.flags == 1
    && !strcmp(got.text, "Rule.Name") && !strcmp(got.reply, "553 a b"), "parse what report wrote") ;

  CHECK(PARSE("C00\0\0") && r.verdict == QHPSI_CLEAN && !r.text[0] && !r.reply[0], "clean, empty text and reply") ;
  CHECK(!PARSE("I61x\0\0"), "action digit 6 refused") ;
  CHECK(!PARSE("I/1x\0\0"), "action not a digit refused") ;
  CHECK(!PARSE("I04x\0\0"), "flags digit 4 refused") ;
  CHECK(PARSE("C02\0" "127.0.0.1:3310\0") && r.flags == QHPSI_RESULT_SERVER && !strcmp(r.reply, "127.0.0.1:3310"), "flags digit 2: the server in reply") ;
  CHECK(!PARSE("C02\0\0"), "flags digit 2 with no server named refused") ;
  CHECK(!PARSE("I01x\0a\nb\0"), "reply with a newline refused") ;
  CHECK(!PARSE("I01x\0a\rb\0"), "reply with a CR refused") ;
  CHECK(!PARSE("I01x\0a\377\0"), "reply with a byte over ~ refused") ;
  CHECK(!PARSE("I01x\0a\0b\0"), "three NULs refused") ;
  CHECK(!PARSE("I01x\0"), "the old answer (one NUL) refused") ;
  CHECK(!PARSE("I01x\0ab"), "no final NUL refused") ;
  CHECK(!PARSE("X01x\0\0"), "bad letter refused") ;
  {
    char big[3 + QHPSI_TEXTLEN + 2] ;
    memset(big, 'a', sizeof big) ;
    memcpy(big, "I00", 3) ;
    big[3 + QHPSI_TEXTLEN] = 0 ; big[sizeof big - 1] = 0 ;
    CHECK(!wire_parse(big, sizeof big, &r, 0), "text of QHPSI_TEXTLEN bytes refused") ;
  }
  {
    char big[4 + QHPSI_REPLYLEN + 1] ;
    memset(big, 'a', sizeof big) ;
    memcpy(big, "I00\0", 4) ;
    big[sizeof big - 1] = 0 ;
    CHECK(!wire_parse(big, sizeof big, &r, 0), "reply of QHPSI_REPLYLEN bytes refused") ;
  }

  CHECK(ENV("Fs@x\0Ta@y\0Tb@z\0\0") == 1 && n == 2 && !strcmp(sa.s + 1, "s@x") && !strcmp(rcpts[0], "a@y")
    && !strcmp(rcpts[1], "b@z") && !rcpts[2], "envelope read") ;
  free(rcpts) ; rcpts = 0 ;
  CHECK(ENV("F\0\0") == 1 && n == 0 && !sa.s[1], "null sender, no recipient") ;
  free(rcpts) ; rcpts = 0 ;
  CHECK(!ENV("Fs@x\0Ta@y\0"), "no final NUL refused") ;
  CHECK(!ENV("Fs@x\0Xa@y\0\0"), "entry not T refused") ;
  CHECK(!ENV("Ts@x\0\0"), "no F first refused") ;
  CHECK(!ENV("Fs@x\0\0\0"), "empty entry refused") ;
  CHECK(!ENV(""), "nothing refused") ;
  CHECK(ENV("Fs@x\0Ta@y\0Q12\0Ajoe\0Soutbound\0Ua@y\0M1\0N\0\0") == 1 && hasfields && n == 1 && !rcpts[1]
    && !strcmp(fields.qid, "12") && !strcmp(fields.authuser, "joe") && fields.mflags == 1 && fields.noscore, "fields read") ;
  free(rcpts) ; rcpts = 0 ;
  memset(&fields, 0, sizeof fields) ;
  CHECK(ENV("Fs@x\0Ta@y\0M0\0\0") == 1 && hasfields && !fields.qid && !fields.noscore, "M alone: fields, none set") ;
  free(rcpts) ; rcpts = 0 ;
  CHECK(ENV("Fs@x\0Ta@y\0\0") == 1 && !hasfields, "no fields: none") ;
  free(rcpts) ; rcpts = 0 ;
  CHECK(!ENV("Fs@x\0Ta@y\0Q12\0\0"), "fields without M refused") ;
  CHECK(!ENV("Fs@x\0M0\0Ta@y\0\0"), "a recipient after the fields refused") ;
  CHECK(!ENV("Fs@x\0M0\0M0\0\0"), "a field twice refused") ;
  CHECK(!ENV("Fs@x\0M2\0\0"), "an unknown message flag refused") ;
  CHECK(!ENV("Fs@x\0M0\0Q1x\0\0"), "a qid not digits refused") ;
  CHECK(!ENV("Fs@x\0M0\0Aa\tb\0\0"), "a field with a control byte refused") ;
  CHECK(!ENV("Fs@x\0M0\0A\0\0"), "an empty field refused") ;
  CHECK(!ENV("Fs@x\0M0\0Nx\0\0"), "N with a value refused") ;
  CHECK(!ENV("Fs@x\0M0\0Zx\0\0"), "an unknown field refused") ;

  /* the spam part */
  memset(&spam, 0, sizeof spam) ;
  spam.verdict = QHPSI_SPAM ; spam.action = QHPSI_ACTION_TEMPFAIL ; spam.flags = QHPSI_RESULT_SCORED ;
  spam.score = -1500 ; spam.required = 5000 ;
  strcpy(spam.tests, "A_1,B.2") ;
  strcpy(spam.reply, "451 later\r") ;
  strcpy(spam.headers, "X-Rspamd-Queue-Id: 12\nDKIM-Signature: v=1;\tb=x\n") ;
  r.verdict = QHPSI_CLEAN ; r.action = 0 ; r.flags = 0 ; r.text[0] = r.reply[0] = 0 ;
  CHECK(pipe(p) == 0 && wire_report(p[1], &r, &spam), "report with a spam part") ;
  len = read(p[0], buf, sizeof buf) ;
  close(p[0]) ; close(p[1]) ;
  CHECKMEM(buf, len, "C00\0\0SS64-1500\0" "5000\0\0" "451 later \0A_1,B.2\0X-Rspamd-Queue-Id: 12\nDKIM-Signature: v=1;\tb=x\n\0", 88, "the spam part's bytes") ;
  CHECK(wire_parse(buf, len, &got, &gotspam) && got.verdict == QHPSI_CLEAN && gotspam.verdict == QHPSI_SPAM
    && gotspam.action == QHPSI_ACTION_TEMPFAIL && gotspam.score == -1500 && gotspam.required == 5000
    && !strcmp(gotspam.tests, spam.tests) && !strcmp(gotspam.headers, spam.headers) && !strcmp(gotspam.reply, "451 later "), "and parsed back") ;
  CHECK(!wire_parse(buf, len, &got, 0), "a spam part where none is wanted refused") ;
  CHECK(pipe(p) == 0 && wire_report(p[1], &r, &got) && read(p[0], buf, sizeof buf) == 5, "no spam part when no engine ran") ;
  close(p[0]) ; close(p[1]) ;
  CHECK(SPARSE("C00\0\0SE000\0" "0\0down\0\0\0\0") && spam.verdict == QHPSI_ERROR && !strcmp(spam.text, "down"), "an engine's error") ;
  CHECK(SPARSE("C00\0\0SC040\0" "0\0\0\0\0\0") && spam.verdict == QHPSI_CLEAN && !spam.score, "score 0") ;
  CHECK(!SPARSE("C00\0\0SE040\0" "0\0down\0\0\0\0"), "an error with a score refused") ;
  CHECK(!SPARSE("C00\0\0SC000\0" "0\0\0\0\0\0"), "a clean spam answer without a score refused") ;
  CHECK(!SPARSE("C00\0\0SC0407\0" "0\0\0\0\0\0"), "a score with a leading zero refused") ;
  CHECK(!SPARSE("C00\0\0SC04-0\0" "0\0\0\0\0\0"), "-0 refused") ;
  CHECK(!SPARSE("C00\0\0SC0499999999999\0" "0\0\0\0\0\0"), "a score past int32 refused") ;
  CHECK(!SPARSE("C00\0\0SC041\0" "0\0\0\0a b\0\0"), "tests with a blank refused") ;
  CHECK(!SPARSE("C00\0\0SC041\0" "0\0\0\0\0Received: x\n\0"), "a header field not allowed refused") ;
  CHECK(!SPARSE("C00\0\0SC041\0" "0\0\0\0\0X-Rspamd-A: x\rb\n\0"), "a header field with a CR refused") ;
  CHECK(!SPARSE("C00\0\0SC041\0" "0\0\0\0\0X-Rspamd-A: x\0"), "a header field without a newline refused") ;
  CHECK(!SPARSE("C00\0\0SC741\0" "0\0\0\0\0\0"), "an action past TEMPFAIL refused") ;
  CHECK(!SPARSE("C00\0\0SC060\0" "0\0\0\0\0\0"), "the server flag without a server refused") ;
  CHECK(!SPARSE("C00\0\0SI040\0" "0\0\0\0\0\0"), "an infected spam part refused") ;
  CHECK(!SPARSE("C00\0\0SC041\0" "0\0\0\0\0\0x"), "bytes after the spam part refused") ;
  CHECK(!SPARSE("C00\0\0SC041\0" "0\0\0\0\0"), "a spam part short of a NUL refused") ;
  {
    char const *rc[] = { "a@y", "b@z" } ;
    scanfields f = { .qid = "1234", .authuser = "joe", .settings = "outbound", .spamuser = "a@y", .mflags = 1, .noscore = 1 } ;
    int has ;
    fd = wire_writeenvelope("s@x", rc, 2, 0) ;
    CHECK(fd >= 0, "envelope written") ;
    CHECK(wire_readenvelope(fd, &sa, &rcpts, &n, 0, 0) && n == 2 && !strcmp(rcpts[1], "b@z"), "and read back") ;
    free(rcpts) ; rcpts = 0 ;
    close(fd) ;
    fd = wire_writeenvelope("s@x", rc, 2, &f) ;
    memset(&fields, 0, sizeof fields) ;
    CHECK(fd >= 0 && wire_readenvelope(fd, &sa, &rcpts, &n, &fields, &has) && has && n == 2 && !strcmp(rcpts[1], "b@z") && !rcpts[2]
      && !strcmp(fields.qid, "1234") && !strcmp(fields.authuser, "joe") && !strcmp(fields.settings, "outbound")
      && !strcmp(fields.spamuser, "a@y") && fields.mflags == 1 && fields.noscore, "ABI 3 fields written and read back") ;
    free(rcpts) ; rcpts = 0 ;
    close(fd) ;
    f.authuser = "a\nb" ; f.authuser = "a\001b" ;
    CHECK(wire_writeenvelope("s@x", rc, 2, &f) < 0, "a field with a control byte is not written") ;
    f.authuser = "joe" ; f.qid = "12a" ;
    CHECK(wire_writeenvelope("s@x", rc, 2, &f) < 0, "a qid not digits is not written") ;
  }
  stralloc_free(&sa) ;
  return UNIT_END() ;
}
