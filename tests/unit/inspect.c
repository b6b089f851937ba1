/* tests/unit/inspect.c: the inspection of what scanners may not have seen
   whole: a clean message, the walker's limits as findings, the verdict
   they give (verdict_islimits). */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <skalibs/stralloc.h>
#include "inspect/inspect.h"
#include "scan/verdict.h"
#include "unit.h"

static int inspect (char const *s, size_t len, struct qhpsi_result *r)
{
  inspect_conf c ;
  int fd = memfd_create("msg", 0), ok ;
  if (fd < 0 || write(fd, s, len) != (ssize_t)len) abort() ;
  inspect_conf_env(&c) ;
  ok = inspect_message(&c, fd, len, r) ;
  close(fd) ;
  return ok ;
}

/* depth multiparts, each holding the next */
static void nested (stralloc *sa, unsigned int depth)
{
  sa->len = 0 ;
  for (unsigned int i = 0 ; i < depth ; i++)
  {
    char b[128] ;
    snprintf(b, sizeof b, "%sContent-Type: multipart/mixed; boundary=\"b%ux\"\n\n--b%ux\n", i ? "" : "Subject: x\n", i, i) ;
    if (!stralloc_cats(sa, b)) abort() ;
  }
  if (!stralloc_cats(sa, "Content-Type: text/plain\n\nhello\n")) abort() ;
}

int main (void)
{
  struct qhpsi_result r ;
  stralloc sa = STRALLOC_ZERO ;
  static char const plain[] = "Subject: hi\nContent-Type: text/plain\n\nhello\n" ;

  CHECK(inspect(plain, sizeof plain - 1, &r) && r.verdict == QHPSI_CLEAN && !r.text[0], "a plain message is clean") ;
  CHECK(!verdict_islimits(&r), "clean is no limits verdict") ;

  nested(&sa, 20) ;
  CHECK(inspect(sa.s, sa.len, &r) && r.verdict == QHPSI_CLEAN, "20 levels deep is walked whole") ;
  nested(&sa, 40) ;
  CHECK(inspect(sa.s, sa.len, &r) && r.verdict == QHPSI_INFECTED, "40 levels deep is unchecked") ;
  CHECKMEM(r.text, strlen(r.text), "Unchecked.MimeDepth", 19, "and says why") ;
  CHECK(verdict_islimits(&r), "a limits verdict, as QHPSILIMITS handles") ;

  {
    static char const uu[] = "text\nbegin 644 cat.txt\r\n#0V%T\r\n`\r\nend\r\nmore\nbegin 0644 b\n#9&]G\n" ;
    size_t pos = 0 ;
    stralloc out = STRALLOC_ZERO ;
    CHECK(inspect_uudecode(uu, sizeof uu - 1, &pos, &out) == 1, "a uuencoded file is found") ;
    CHECKMEM(out.s, out.len, "Cat", 3, "and decoded") ;
    CHECK(inspect_uudecode(uu, sizeof uu - 1, &pos, &out) == 1, "the next one too, without its end") ;
    CHECKMEM(out.s, out.len, "dog", 3, "and decoded") ;
    CHECK(inspect_uudecode(uu, sizeof uu - 1, &pos, &out) == 0 && pos == sizeof uu - 1, "then none is left") ;
    pos = 0 ;
    CHECK(inspect_uudecode("begin here\n#0V%T\n", 17, &pos, &out) == 0, "a line that only starts with begin is none") ;
    stralloc_free(&out) ;
  }

  r.verdict = QHPSI_INFECTED ; strcpy(r.text, "Heuristics.Limits.Exceeded.MaxFileSize") ;
  CHECK(verdict_islimits(&r), "the engine's limits verdict too") ;
  r.verdict = QHPSI_INFECTED ; strcpy(r.text, "Eicar-Signature") ;
  CHECK(!verdict_islimits(&r), "a virus is not a limits verdict") ;
  stralloc_free(&sa) ;
  return UNIT_END() ;
}
