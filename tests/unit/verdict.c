/* unit tests of the verdict table: headers, actions, VIRUSFORWARD, names */

#include <string.h>
#include "verdict.h"
#include "unit.h"

static envelope env = ENVELOPE_ZERO ;

static void mkenv (void)
{
  static char const e[] = "Fs@x\0Ta@y\0Tb@z\0" ;
  env.sa.len = 0 ;
  stralloc_catb(&env.sa, e, sizeof e - 1) ;
  env.rcptpos = 5 ;
  env.nrcpt = 2 ;
}

static enum verdict_action run (policy *p, enum qhpsi_verdict v, char const *text, stralloc *hdr)
{
  struct qhpsi_result r = { .verdict = v } ;
  strcpy(r.text, text) ;
  hdr->len = 0 ;
  mkenv() ;
  return verdict_decide(p, &r, &env, hdr) ;
}

#define HDR(want, name) CHECKMEM(hdr.s, hdr.len, want, sizeof want - 1, name)

int main (void)
{
  policy p = { .rc = 1, .rn = 0 } ;
  stralloc hdr = STRALLOC_ZERO ;
  char name[] = "Bad (Name) with\tspaces\x7f" ;

  CHECK(run(&p, QHPSI_CLEAN, "", &hdr) == ACTION_QUEUE, "clean is queued") ;
  HDR("X-QHPSI: clean\n", "clean header") ;
  CHECK(run(&p, QHPSI_INFECTED, "Eicar", &hdr) == ACTION_QUEUE, "REJECTVIRUS=0 queues infected") ;
  HDR("X-QHPSI: virus found (Eicar)\n", "infected header with name") ;
  run(&p, QHPSI_INFECTED, "", &hdr) ;
  HDR("X-QHPSI: virus found\n", "infected header without name") ;
  p.rejectvirus = 1 ;
  CHECK(run(&p, QHPSI_INFECTED, "Eicar", &hdr) == ACTION_REFUSE && !hdr.len, "REJECTVIRUS=1 refuses") ;
  CHECK(run(&p, QHPSI_CLEAN, "", &hdr) == ACTION_QUEUE, "REJECTVIRUS=1 queues clean") ;
  p.rejectvirus = 2 ;
  CHECK(run(&p, QHPSI_INFECTED, "Eicar", &hdr) == ACTION_BLACKHOLE, "REJECTVIRUS=2 blackholes") ;
  p.virusforward = "q@x" ;
  CHECK(run(&p, QHPSI_INFECTED, "Eicar", &hdr) == ACTION_FORWARD, "REJECTVIRUS=2 with VIRUSFORWARD forwards") ;
  HDR("X-QHPSI: virus found (Eicar)\nX-Quarantine-ID: <a@y>,\n\t<b@z>\n", "quarantine header lists the recipients") ;
  CHECK(verdict_forward(&env, "q@x"), "forward") ;
  CHECKMEM(env.sa.s, env.sa.len, "Fs@x\0Tq@x\0", 10, "forward envelope") ;
  CHECK(env.nrcpt == 1, "one recipient left") ;
  p.rejectvirus = 0 ;
  CHECK(run(&p, QHPSI_INFECTED, "Eicar", &hdr) == ACTION_FORWARD, "REJECTVIRUS=0 with VIRUSFORWARD forwards") ;
  p.rejectvirus = 1 ;
  CHECK(run(&p, QHPSI_INFECTED, "Eicar", &hdr) == ACTION_REFUSE, "REJECTVIRUS=1 refuses despite VIRUSFORWARD") ;
  p.virusforward = 0 ;
  CHECK(run(&p, QHPSI_ERROR, "boom", &hdr) == ACTION_TEMPFAIL && !hdr.len, "scanner error tempfails") ;
  p.failaccept = 1 ;
  CHECK(run(&p, QHPSI_ERROR, "boom", &hdr) == ACTION_ACCEPT, "QHPSIFAIL=accept queues") ;
  HDR("X-QHPSI: not scanned\n", "not scanned header") ;
  verdict_cleanname(name) ;
  CHECKMEM(name, strlen(name), "Bad__Name__with_spaces_", 23, "signature names are cleaned") ;
  CHECK(!strcmp(verdict_actionname(ACTION_BLACKHOLE), "blackhole"), "action names") ;
  {
    stralloc out = STRALLOC_ZERO ;
    struct qhpsi_result r = { .verdict = QHPSI_INFECTED } ;
    strcpy(r.text, "Eicar") ;
    hdr.len = 0 ;
    CHECK(verdict_quarantinehdr(&r, "1.2.3.4", &hdr, &out), "quarantine header, refused") ;
#define OUT(want, name) CHECKMEM(out.s, out.len, want, sizeof want - 1, name)
    OUT("X-QHPSI: virus found (Eicar)\nX-QHPSI-Quarantine: 1.2.3.4\n",
      "a refused message is kept with the lines REJECTVIRUS=0 gives") ;
    hdr.len = 0 ;
    stralloc_cats(&hdr, "X-QHPSI: virus found (Eicar)\nX-Quarantine-ID: <a@y>\n") ;
    CHECK(verdict_quarantinehdr(&r, "9", &hdr, &out), "quarantine header, forwarded") ;
    HDR("X-QHPSI: virus found (Eicar)\nX-Quarantine-ID: <a@y>\n", "hdr left alone") ;
    OUT("X-QHPSI: virus found (Eicar)\nX-QHPSI-Quarantine: 9\nX-Quarantine-ID: <a@y>\n",
      "the ID line goes after the X-QHPSI line") ;
    stralloc_free(&out) ;
  }
  {
    /* ABI 2: a plugin's action overrides REJECTVIRUS and VIRUSFORWARD */
    policy q = { .rc = 1, .rn = 0, .rejectvirus = 1, .virusforward = "q@x", .quarantine = 1 } ;
    struct qhpsi_result r = { .verdict = QHPSI_INFECTED, .flags = QHPSI_RESULT_RULE } ;
    char sig[QHPSI_TEXTLEN + 5] ;
    strcpy(r.text, "Klez") ;
    mkenv() ;
#define ACT(a, want, h, name) do { r.action = (a) ; hdr.len = 0 ; \
    CHECK(verdict_decide(&q, &r, &env, &hdr) == (want), name) ; HDR(h, name ": header") ; } while (0)
    ACT(QHPSI_ACTION_DEFAULT, ACTION_REFUSE, "", "DEFAULT follows REJECTVIRUS=1") ;
    q.rejectvirus = 0 ;
    ACT(QHPSI_ACTION_REFUSE, ACTION_REFUSE, "", "REFUSE over REJECTVIRUS=0") ;
    ACT(QHPSI_ACTION_BLACKHOLE, ACTION_BLACKHOLE, "", "BLACKHOLE over VIRUSFORWARD") ;
    ACT(QHPSI_ACTION_TRAP, ACTION_TRAP, "", "TRAP") ;
    ACT(QHPSI_ACTION_BACK, ACTION_BACK, "X-QHPSI: virus found (rule Klez)\n", "BACK") ;
    ACT(QHPSI_ACTION_TAG, ACTION_TAG, "X-QHPSI: virus found (rule Klez)\n", "TAG, not forwarded") ;
    CHECK(!strcmp(verdict_actionname(ACTION_TRAP), "trap") && !strcmp(verdict_actionname(ACTION_BACK), "back")
      && !strcmp(verdict_actionname(ACTION_TAG), "tag"), "action names") ;
    CHECK(verdict_keep(&q, &r, ACTION_REFUSE) && !verdict_keep(&q, &r, ACTION_TAG), "QHPSIQUARANTINE=1 keeps, but not TAG") ;
    q.quarantine = 0 ;
    CHECK(verdict_keep(&q, &r, ACTION_TRAP) && verdict_keep(&q, &r, ACTION_BACK) && !verdict_keep(&q, &r, ACTION_BLACKHOLE),
      "QHPSIQUARANTINE=0: TRAP and BACK keep all the same") ;
    CHECK(!verdict_keep(&q, &r, ACTION_TEMPFAIL), "nothing kept for a tempfail") ;
    CHECK(!strcmp(verdict_signature(&r, sig, sizeof sig), "rule:Klez"), "a rule's signature") ;
    r.flags = 0 ;
    CHECK(!strcmp(verdict_signature(&r, sig, sizeof sig), "Klez"), "a virus's signature") ;
  }
  return UNIT_END() ;
}
