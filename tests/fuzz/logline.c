/* tests/fuzz/logline.c: the log line's outside values. The input up to its
   first NUL is a header (what msgid_find reads), the rest a body and the
   sender. The Message-ID found must not depend on what follows the header,
   and the line made of it all is one line of tokens within PIPE_BUF. */

#include <string.h>
#include <skalibs/stralloc.h>
#include "scan/msgid.h"
#include "scan/verdict.h"
#include "fuzz.h"

static int blank (char c) { return c == ' ' || c == '\t' ; }

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  char const *nul = memchr(data, 0, size) ;
  size_t hlen = nul ? (size_t)(nul - (char const *)data) : size ;
  char const *rest = nul ? nul + 1 : (char const *)data + size ;
  size_t rlen = (char const *)data + size - rest ;
  char *whole = malloc(hlen + 2 + rlen + 1), *sender ;
  char a[MSGID_MAX + 1], b[MSGID_MAX + 1], line[VERDICT_LINEMAX] ;
  envelope e = ENVELOPE_ZERO ;
  verdict_logline l = { .qp = 1, .route = "command", .verdict = "clean", .action = "queue" } ;
  int fa, fb ;
  size_t n, spaces = 0 ;
  if (!whole) abort() ;
  memcpy(whole, data, hlen) ;
  memcpy(whole + hlen, "\n\n", 2) ;
  fa = msgid_find(whole, hlen + 2, a) ;
  memcpy(whole + hlen + 2, rest, rlen) ;
  fb = msgid_find(whole, hlen + 2 + rlen, b) ;
  /* the body never counts */
  FUZZ_ASSERT(fa == fb && (!fa || !strcmp(a, b))) ;
  if (fa)
  {
    n = strlen(a) ;
    FUZZ_ASSERT(n <= MSGID_MAX && !memchr(a, '\n', n)) ;
    FUZZ_ASSERT(!n || (!blank(a[0]) && !blank(a[n-1]))) ;
  }
  sender = fuzz_strdup((uint8_t const *)rest, rlen) ;
  if (!stralloc_catb(&e.sa, "F", 1) || !stralloc_cats(&e.sa, sender) || !stralloc_0(&e.sa)) abort() ;
  e.rcptpos = e.sa.len ;
  if (!stralloc_catb(&e.sa, "T", 1) || !stralloc_cats(&e.sa, sender) || !stralloc_0(&e.sa)) abort() ;
  e.nrcpt = 1 ;
  l.env = &e ;
  l.msgid = fa ? a : 0 ;
  l.ip = sender ;
  l.qid = sender ;
  n = verdict_fmtlog(line, &l) ;
  FUZZ_ASSERT(n >= 2 && n <= VERDICT_LINEMAX && line[n-1] == '\n') ;
  for (size_t i = 0 ; i + 1 < n ; i++)
  {
    unsigned char c = line[i] ;
    FUZZ_ASSERT(c >= ' ' && c <= '~') ;
    if (c == ' ') spaces++ ;
  }
  /* "qhpsi:" then one blank before each key: no value adds one */
  FUZZ_ASSERT(spaces <= 15) ;
  FUZZ_ASSERT(!memcmp(line, "qhpsi: qp=1 ip=", 15)) ;
  stralloc_free(&e.sa) ;
  free(sender) ;
  free(whole) ;
  return 0 ;
}
