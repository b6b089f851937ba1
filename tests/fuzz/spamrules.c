/* tests/fuzz/spamrules.c: the per-recipient spam rules. The first byte
   picks: even, the rest is a rules text for spamrules_make, and what it
   compiles must resolve (never EPROTO) for a few recipients; odd, the rest
   is control/qhpsispam.cdb as found, which resolves or is EPROTO. Either
   way every rule's strings are valid values, and decide answers. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "queue/paths.h"
#include "policy/spampolicy.h"
#include "policy/spamrules.h"
#include "policy/spamscore.h"
#include "fuzz.h"

static char const rcpts[] =
  "Fs@example.org\0Tjoe@example.com\0Tann@mail.example.com\0TX@My-Shop.NET\0Tpostmaster\0Tu@\0Tv@a.b.c.d.e.f\0" ;
static char home[] = "/tmp/qhpsi-fuzz-spam.XXXXXX" ;
static char fn[64] ;

static void check (void)
{
  policy p ;
  spampolicy sp ;
  envelope e = ENVELOPE_ZERO ;
  memset(&p, 0, sizeof p) ;
  p.spamsettings = "def" ;
  e.sa.s = (char *)rcpts ; e.sa.len = sizeof rcpts - 1 ; e.rcptpos = 15 ; e.nrcpt = 6 ;
  errno = 0 ;
  if (!spampolicy_resolve(&p, &e, &sp)) { FUZZ_ASSERT(errno == EPROTO && sp.why) ; return ; }
  FUZZ_ASSERT(sp.nrules >= 1 && sp.nrules <= 6) ;
  for (uint32_t i = 0 ; i < sp.nrules ; i++)
  {
    spamrule const *r = sp.rules + i ;
    FUZZ_ASSERT(!r->settings || !strcmp(r->settings, "def") || spamscore_settingsok(r->settings, strlen(r->settings))) ;
    FUZZ_ASSERT(!r->user || spamscore_userspecok(r->user, strlen(r->user))) ;
  }
  FUZZ_ASSERT(!sp.user || spamscore_userok(sp.user, strlen(sp.user))) ;
  for (int v = 0 ; v < 2 ; v++)
  {
    struct qhpsi_result res ;
    memset(&res, 0, sizeof res) ;
    res.verdict = v ? QHPSI_SPAM : QHPSI_CLEAN ;
    res.flags = QHPSI_RESULT_SCORED ;
    res.score = 7500 ;
    FUZZ_ASSERT(spampolicy_decide(&sp, &res) <= SPAM_TRAP) ;
  }
  spampolicy_free(&sp) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  int fd ;
  if (!fn[0])
  {
    if (!mkdtemp(home)) abort() ;
    snprintf(fn, sizeof fn, "%s/control", home) ;
    if (mkdir(fn, 0755) < 0) abort() ;
    snprintf(fn, sizeof fn, "%s/control/qhpsispam.cdb", home) ;
    paths_home = home ;
  }
  if (!size) return 0 ;
  fd = open(fn, O_WRONLY | O_CREAT | O_TRUNC, 0644) ;
  if (fd < 0) abort() ;
  if (data[0] & 1)
  {
    if (write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) abort() ;
    close(fd) ;
    check() ;
  }
  else
  {
    unsigned int line ;
    char const *why ;
    int ok = spamrules_make((char const *)data + 1, size - 1, fd, &line, &why) ;
    close(fd) ;
    if (!ok) { FUZZ_ASSERT(line && why) ; return 0 ; }
    {
      policy p ;
      spampolicy sp ;
      envelope e = ENVELOPE_ZERO ;
      memset(&p, 0, sizeof p) ;
      e.sa.s = (char *)rcpts ; e.sa.len = sizeof rcpts - 1 ; e.rcptpos = 15 ; e.nrcpt = 6 ;
      /* what the compiler wrote, qmail-queue reads */
      FUZZ_ASSERT(spampolicy_resolve(&p, &e, &sp)) ;
      spampolicy_free(&sp) ;
    }
    check() ;
  }
  return 0 ;
}
