/* unit tests of the verdict table: headers, actions, VIRUSFORWARD, names */

#include <string.h>
#include "scan/verdict.h"
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
#define LINE(l, want, name) do { char b_[VERDICT_LINEMAX] ; size_t n_ = verdict_fmtlog(b_, l) ; \
  CHECKMEM(b_, n_, want, sizeof want - 1, name) ; } while (0)

/* the log line: every key in its place, values one token, cut to fit */
static void logline (void)
{
  static char const nullenv[] = "F\0Tfirst@x\0Tsecond@y\0Tthird@z\0" ;
  static char const hostile[] = "Fa b\r\n\x80@x\0" ;
  envelope e = ENVELOPE_ZERO ;
  struct qhpsi_result inf = { .verdict = QHPSI_INFECTED, .text = "Eicar" } ;
  struct qhpsi_result err = { .verdict = QHPSI_ERROR, .text = "clamd down" } ;
  verdict_logline l = { .qp = 42, .ip = "192.0.2.1", .env = &env, .msgid = "<m@x>", .size = 1234,
    .route = "plugin", .verdict = "clean", .action = "queue", .ms = 7 } ;
  char buf[VERDICT_LINEMAX], big[3000] ;
  size_t n ;
  mkenv() ;
  LINE(&l, "qhpsi: qp=42 ip=192.0.2.1 from=s@x rcpts=2 rcpt=a@y msgid=<m@x> size=1234 route=plugin verdict=clean signature=- action=queue ms=7\n", "log: clean") ;
  l.verdict = "infected" ; l.r = &inf ; l.action = "refuse" ; l.qid = "1.2.3.4" ; l.nerr = "no notice" ;
  LINE(&l, "qhpsi: qp=42 ip=192.0.2.1 from=s@x rcpts=2 rcpt=a@y msgid=<m@x> size=1234 route=plugin verdict=infected signature=Eicar action=refuse ms=7 qid=1.2.3.4 notice=no_notice\n", "log: infected, qid, notice") ;
  l.verdict = "error" ; l.r = &err ; l.action = "tempfail" ; l.qid = 0 ; l.nerr = 0 ; l.qerr = "disk full" ;
  LINE(&l, "qhpsi: qp=42 ip=192.0.2.1 from=s@x rcpts=2 rcpt=a@y msgid=<m@x> size=1234 route=plugin verdict=error error=clamd_down action=tempfail ms=7 quarantine=disk_full\n", "log: error, quarantine") ;
  stralloc_catb(&e.sa, nullenv, sizeof nullenv - 1) ;
  e.rcptpos = 2 ; e.nrcpt = 3 ;
  l = (verdict_logline){ .qp = 1, .env = &e, .route = "none", .verdict = "skipped", .action = "queue" } ;
  LINE(&l, "qhpsi: qp=1 ip=- from=<> rcpts=3 rcpt=first@x msgid=- size=0 route=none verdict=skipped signature=- action=queue ms=0\n", "log: null sender, no msgid, no ip") ;
  e.sa.len = 0 ;
  stralloc_catb(&e.sa, hostile, sizeof hostile - 1) ;
  e.rcptpos = e.sa.len ; e.nrcpt = 0 ;
  l.msgid = "<a\tb\x7f\xff>" ;
  LINE(&l, "qhpsi: qp=1 ip=- from=a_b___@x rcpts=0 rcpt=- msgid=<a_b__> size=0 route=none verdict=skipped signature=- action=queue ms=0\n", "log: blanks, controls, 8-bit: '_'; no recipient") ;
  l.env = 0 ; l.msgid = 0 ;
  LINE(&l, "qhpsi: qp=1 ip=- from=- rcpts=0 rcpt=- msgid=- size=0 route=none verdict=skipped signature=- action=queue ms=0\n", "log: no envelope yet") ;
  /* values are kept to VERDICT_VALUEMAX bytes; the line to one pipe write */
  memset(big, 'x', sizeof big - 1) ;
  big[sizeof big - 1] = 0 ;
  l.ip = big ;
  n = verdict_fmtlog(buf, &l) ;
  CHECK(n < VERDICT_LINEMAX && strstr(buf, " from=-") && buf[n-1] == '\n', "log: a long value is cut, the line goes on") ;
  {
    char const *ip = strstr(buf, " ip=") ;
    char const *end = ip ? strchr(ip + 4, ' ') : 0 ;
    CHECK(end && end - (ip + 4) == VERDICT_VALUEMAX, "log: ip kept to VERDICT_VALUEMAX bytes") ;
  }
  l.ip = big ; l.msgid = big ; l.qid = big ; l.qerr = big ; l.nerr = big ;
  l.env = &env ;
  n = verdict_fmtlog(buf, &l) ;
  CHECK(n == VERDICT_LINEMAX && buf[n-1] == '\n' && !memchr(buf, '\n', n - 1), "log: a line too long for one pipe write is cut, newline kept") ;
  stralloc_free(&e.sa) ;
}

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
  logline() ;
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
    ACT(QHPSI_ACTION_BACK, ACTION_BACK, "X-QHPSI: rule matched (Klez)\n", "BACK") ;
    ACT(QHPSI_ACTION_TAG, ACTION_TAG, "X-QHPSI: rule matched (Klez)\n", "TAG, not forwarded") ;
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
