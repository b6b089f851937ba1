/* unit tests of the helper's answer and envelope: what qmail-queue takes
   from the helper, and what the helper takes from qmail-queue on fd 3 */

#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include "scan/wire.h"
#include "unit.h"

#define PARSE(s) wire_parse(s, sizeof s - 1, &r)

static int envfrom (char const *s, size_t len, stralloc *sa, char const ***rcpts, uint32_t *n)
{
  int p[2], ok ;
  if (pipe(p) < 0) return -1 ;
  if (write(p[1], s, len) != (ssize_t)len) return -1 ;
  close(p[1]) ;
  ok = wire_readenvelope(p[0], sa, rcpts, n) ;
  close(p[0]) ;
  return ok ;
}
#define ENV(s) envfrom(s, sizeof s - 1, &sa, &rcpts, &n)

int main (void)
{
  struct qhpsi_result r = { .verdict = QHPSI_INFECTED, .action = QHPSI_ACTION_TRAP, .flags = QHPSI_RESULT_RULE } ;
  struct qhpsi_result got ;
  int p[2] ;
  char buf[WIRE_ANSWERMAX + 1] ;
  ssize_t len ;
  stralloc sa = STRALLOC_ZERO ;
  char const **rcpts = 0 ;
  uint32_t n ;
  int fd ;

  strcpy(r.text, "Rule.Name") ;
  strcpy(r.reply, "553 a\nb") ;
  CHECK(pipe(p) == 0 && wire_report(p[1], &r), "report") ;
  len = read(p[0], buf, sizeof buf) ;
  CHECKMEM(buf, len, "I31Rule.Name\000553 a b\000", 21, "report: letter, digits, text, reply with its newline blanked") ;
  memset(&got, 0, sizeof got) ;
  CHECK(wire_parse(buf, len, &got) && got.verdict == QHPSI_INFECTED && got.action == 3 && got.flags == 1
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
    CHECK(!wire_parse(big, sizeof big, &r), "text of QHPSI_TEXTLEN bytes refused") ;
  }
  {
    char big[4 + QHPSI_REPLYLEN + 1] ;
    memset(big, 'a', sizeof big) ;
    memcpy(big, "I00\0", 4) ;
    big[sizeof big - 1] = 0 ;
    CHECK(!wire_parse(big, sizeof big, &r), "reply of QHPSI_REPLYLEN bytes refused") ;
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
  {
    char const *rc[] = { "a@y", "b@z" } ;
    fd = wire_writeenvelope("s@x", rc, 2) ;
    CHECK(fd >= 0, "envelope written") ;
    CHECK(wire_readenvelope(fd, &sa, &rcpts, &n) && n == 2 && !strcmp(rcpts[1], "b@z"), "and read back") ;
    free(rcpts) ; rcpts = 0 ;
    close(fd) ;
  }
  stralloc_free(&sa) ;
  return UNIT_END() ;
}
