/* scanstep.c: scans the message as it will be queued and carries out the
   verdict table of qmail-queue(8). */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <skalibs/stralloc.h>

#include "queue/paths.h"
#include "queue/qqexit.h"
#include "scan/scan.h"
#include "scan/scanstep.h"
#include "scan/chain.h"
#include "scan/child.h"
#include "scan/confine.h"
#include "scan/msgid.h"
#include "quarantine/notice.h"
#include "quarantine/store.h"
#include "scan/seal.h"
#include "scan/keep.h"
#include "scan/spamstep.h"
#include "scan/verdict.h"

/* The backstop of the in-process route (the scan itself is cut off at its
   deadline, a little before): the alarm ends the whole run, the scan
   killed, the message gone (unlink is safe in a handler), the caller told
   of a scanner error. The handler may only write, so its log line is made
   before the scan. */
static char const *hungmess ;
static char hungcopy[QUEUE_FNMAX], hungintd[QUEUE_FNMAX] ;
static char hungline[VERDICT_LINEMAX] ;
static size_t hunglen ;
static void hung (void)
{
  confine_reap() ;
  if (hungmess) unlink(hungmess) ;
  /* and what the caller wrote beside the scan (qhpsi_queuedas): the
     message as it would be queued, and its intd, if there yet */
  if (hungcopy[0] && (!hungmess || strcmp(hungcopy, hungmess))) unlink(hungcopy) ;
  if (hungintd[0]) unlink(hungintd) ;
  if (write(2, hungline, hunglen) < 0) { }
  _exit(QQ_SCANERROR) ;
}
static void sighung (int sig) { (void)sig ; hung() ; }

static void hunglog (verdict_logline const *base, char const *route, unsigned int timeout)
{
  struct qhpsi_result r = { .verdict = QHPSI_ERROR } ;
  verdict_logline l = *base ;
  snprintf(r.text, sizeof r.text, "%s timed out", route) ;
  l.route = route ;
  l.verdict = "error" ;
  l.r = &r ;
  l.action = "tempfail" ;
  l.ms = (uint64_t)(timeout + 1) * 1000 ;
  hunglen = verdict_fmtlog(hungline, &l) ;
}

static int inprocess (scanconf const *c, queue const *q, verdict_logline const *base, char const *route,
  char const *path, int fd, uint64_t size, struct qhpsi_result *r)
{
  struct sigaction sa = { .sa_handler = sighung }, old ;
  unsigned int left, spent ;
  uint64_t t0 = spawn_now() ;
  int done ;
  hungmess = q->messfn ;
  queue_fnnum(hungcopy, "mess/", q->messnum, 1) ;
  queue_fnnum(hungintd, "intd/", q->messnum, 0) ;
  hunglog(base, route, c->timeout) ;
  sigaction(SIGALRM, &sa, &old) ;
  left = alarm(c->timeout + 1) ;
  chain_hung = &hung ;
  done = scan_local(c, path, fd, size, 1, r) ;
  chain_hung = 0 ;
  alarm(0) ;
  sigaction(SIGALRM, &old, 0) ;
  spent = (spawn_now() - t0) / 1000 ;
  alarm(left > spent ? left - spent : 1) ;
  return done ;
}

/* Opened again through our own descriptor, which may be an anonymous copy
   of the file named (qhpsi_scansfd); by the name only where that is the
   same file (no /proc). */
static int reopen (queue const *q)
{
  char fn[32] ;
  struct stat a, b ;
  int fd ;
  snprintf(fn, sizeof fn, "/proc/self/fd/%d", q->messfd) ;
  fd = open(fn, O_RDONLY | O_CLOEXEC) ;
  if (fd >= 0) return fd ;
  fd = open(q->messfn, O_RDONLY | O_CLOEXEC) ;
  if (fd < 0) return -1 ;
  if (fstat(fd, &a) < 0 || fstat(q->messfd, &b) < 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev) { close(fd) ; return -1 ; }
  return fd ;
}

static char const *verdictname (struct qhpsi_result const *r)
{
  return r->verdict == QHPSI_CLEAN ? "clean" : r->verdict == QHPSI_INFECTED ? "infected" : "error" ;
}

/* the ABI 2 view of the envelope: pointers into e */
static int scanstep_envelope (envelope const *e, scanconf *c, char const ***rcpts)
{
  size_t i = e->rcptpos, n = 0 ;
  *rcpts = malloc((e->nrcpt + 1) * sizeof **rcpts) ;
  if (!*rcpts) return 0 ;
  while (i < e->sa.len && n < e->nrcpt)
  {
    (*rcpts)[n++] = e->sa.s + i + 1 ;
    i += strlen(e->sa.s + i) + 1 ;
  }
  (*rcpts)[n] = 0 ;
  c->sender = envelope_sender(e) ;
  c->rcpts = *rcpts ;
  c->nrcpts = n ;
  return 1 ;
}

/* The verdict of a valid seal, taken again without a scan: the sealed
   X-QHPSI line (so a tagged message stays tagged above the new Received
   line), sealed anew with its first time, so that passing it on cannot
   keep a verdict alive past SEAL_MAXAGE; logged with route=seal, which
   the report does not count as a new message. The seal stands for the
   scan, not for the policy: what this caller's REJECTVIRUS and
   VIRUSFORWARD do with an infected message, they do here too, without a
   second quarantine copy or notice. */
static int reuse (queue *q, policy const *p, envelope *e, seal_key const *k, seal_found const *f, verdict_logline *l, struct qhpsi_result *r)
{
  stralloc hdr = STRALLOC_ZERO, ignored = STRALLOC_ZERO ;
  char const *open = strrchr(f->line, '('), *close = strrchr(f->line, ')') ;
  enum verdict_action a = ACTION_QUEUE ;
  int ret ;
  if (!strcmp(f->verdict, "infected")) r->verdict = QHPSI_INFECTED ;
  if (!strncmp(f->line, "X-QHPSI: rule matched", 21)) r->flags |= QHPSI_RESULT_RULE ;
  if (open && close > open + 1 && (size_t)(close - open) <= sizeof r->text)
  {
    open++ ;
    memcpy(r->text, open, close - open) ;
    r->text[close - open] = 0 ;
    verdict_cleanname(r->text) ;
  }
  l->route = "seal" ; l->verdict = f->verdict ;
  l->r = r->verdict == QHPSI_INFECTED ? r : 0 ;
  if (!strcmp(f->verdict, "released")) l->qid = r->text ;
  if (r->verdict == QHPSI_INFECTED)
  {
    a = verdict_decide(p, r, e, &ignored) ;
    stralloc_free(&ignored) ;
    if (a == ACTION_REFUSE || a == ACTION_BLACKHOLE || a == ACTION_TRAP)
    {
      l->action = a == ACTION_REFUSE ? "refuse" : "blackhole" ;
      verdict_log(l) ;
      return a == ACTION_REFUSE ? QQ_VIRUS : QQ_OK ;
    }
    if (a == ACTION_FORWARD && !verdict_forward(e, p->virusforward)) return QQ_NOMEM ;
  }
  if (!stralloc_catb(&hdr, f->line, f->linelen) || !seal_make(k, &hdr, f->verdict, f->when, q->messfd, q->messlen))
  {
    stralloc_free(&hdr) ;
    return QQ_NOMEM ;
  }
  l->action = a == ACTION_FORWARD ? "forward" : "queue" ;
  verdict_log(l) ;
  ret = queue_prefix(q, hdr.s, hdr.len) ;
  stralloc_free(&hdr) ;
  return ret ? ret : -1 ;
}

/* control/qhpsikey; without it, nothing is sealed */
static int loadkey (seal_key *k)
{
  char *fn = paths_join(paths_home, "control/qhpsikey") ;
  int ok = fn && seal_loadkey(fn, k, 0) ;
  free(fn) ;
  return ok ;
}

/* what a verdict is sealed as, or 0: only what was judged whole */
static char const *sealverdict (enum verdict_action a, struct qhpsi_result const *r)
{
  if (a == ACTION_ACCEPT || a == ACTION_TEMPFAIL || a == ACTION_SELFTEST) return 0 ;
  return r->verdict == QHPSI_CLEAN ? "clean" : r->verdict == QHPSI_INFECTED ? "infected" : 0 ;
}

int scanstep (queue *q, policy const *p, envelope *e, unsigned long qp, struct qhpsi_result *r)
{
  seal_key key ;
  seal_found found ;
  char const *sv ;
  int sealing, probe = 0 ;
  char qid[STORE_IDMAX] = "", qerr[128] = "", nerr[64] = "", msgid[MSGID_MAX + 1], sig[QHPSI_TEXTLEN + 5] ;
  scanconf c = { .qhpsi = p->qhpsi, .plugindir = p->plugindir, .symb = p->symb, .rc = p->rc, .rn = p->rn, .timeout = p->timeout } ;
  stralloc hdr = STRALLOC_ZERO ;
  char const **rcpts = 0 ;
  char *path ;
  char const *route ;
  enum verdict_action a ;
  uint64_t start = spawn_now(), size = q->messlen ;
  int fd, ret ;
  verdict_logline l = { .qp = qp, .ip = p->remoteip, .env = e, .size = size, .route = "none" } ;
  spamstep ss ;
  memset(&ss, 0, sizeof ss) ;

  r->verdict = QHPSI_CLEAN ;
  r->text[0] = 0 ;
  r->flags = 0 ;
  sealing = loadkey(&key) ;
  /* this server's own verdict on these very bytes: judged once, whoever
     passes them on, scanning or not */
  if (!p->release && sealing && seal_check(&key, q->messfd, q->messlen, q->start, &found))
  {
    if (msgid_read(q->messfd, msgid)) l.msgid = msgid ;
    return reuse(q, p, e, &key, &found, &l, r) ;
  }
  if (!p->release && !p->qhpsi && !p->skipempty) return -1 ;
  /* the header as received: qmail's Received line first, no X-QHPSI yet */
  if (msgid_read(q->messfd, msgid)) l.msgid = msgid ;
  if (!p->release && !p->qhpsi)
  {
    /* QHPSI="" (a trusted relay's rule, say): not scanned, on purpose,
       and the log says so */
    l.verdict = "skipped" ; l.action = "queue" ; l.skip = "QHPSI-empty" ;
    verdict_log(&l) ;
    return -1 ;
  }
  if (p->release)
  {
    /* root re-queues a quarantined message: not scanned again, and it
       says so above the Received line, where only this server writes;
       sealed, so that its forwards are not caught again */
    if (!stralloc_cats(&hdr, "X-QHPSI: released (") || !stralloc_cats(&hdr, p->release) || !stralloc_cats(&hdr, ")\n"))
      return QQ_NOMEM ;
    if (sealing && !seal_make(&key, &hdr, "released", q->start, q->messfd, q->messlen)) return QQ_NOMEM ;
    l.verdict = "released" ; l.action = "queue" ; l.qid = p->release ;
    verdict_log(&l) ;
    ret = queue_prefix(q, hdr.s, hdr.len) ;
    stralloc_free(&hdr) ;
    return ret ? ret : -1 ;
  }
  if ((p->minsize && size < p->minsize) || (p->maxsize && size > p->maxsize))
  {
    /* never left looking scanned: a sender's own X-QHPSI line would be
       the only one */
    static char const tag[] = "X-QHPSI: not scanned (size)\n" ;
    if (p->oversizerefuse && p->maxsize && size > p->maxsize)
    {
      l.verdict = "skipped" ; l.action = "refuse" ;
      verdict_log(&l) ;
      return QQ_REFUSED ;
    }
    l.verdict = "skipped" ; l.action = "queue" ;
    verdict_log(&l) ;
    ret = queue_prefix(q, tag, sizeof tag - 1) ;
    return ret ? ret : -1 ;
  }
  if (!scanstep_envelope(e, &c, &rcpts)) return QQ_NOMEM ;
  c.remoteip = policy_ipok(p->remoteip) ? p->remoteip : 0 ;
  /* spam engines are plugins: the spam policy is theirs */
  if (scan_isplugin(p->qhpsi) && (ret = spamstep_prepare(&ss, p, e, q, &c, &l)))
  {
    free(rcpts) ;
    return ret ;
  }
  route = scan_isplugin(p->qhpsi) ? "plugin" : "command" ;
  path = paths_join(paths_queue, q->messfn) ;
  /* a fresh read-only descriptor: a scanner can neither write the message
     nor move our offset */
  fd = path ? reopen(q) : -1 ;
  if (fd < 0)
  {
    r->verdict = QHPSI_ERROR ;
    strcpy(r->text, "unable to open the message") ;
  }
  else if (p->helper || !inprocess(&c, q, &l, route, path, fd, size, r))
  {
    char *helper = paths_join(paths_home, "bin/qhpsi") ;
    route = scan_isplugin(p->qhpsi) ? "helper-plugin" : "helper-command" ;
    if (helper) scan_helper(&c, helper, p->pluginsub, path, fd, r) ;
    else { r->verdict = QHPSI_ERROR ; strcpy(r->text, "out of memory") ; }
    free(helper) ;
  }
  if (fd >= 0) close(fd) ;
  free(path) ;
  free(rcpts) ;
  if (r->verdict == QHPSI_INFECTED) verdict_cleanname(r->text) ;
  verdict_limits(p, r) ;

  a = verdict_decide(p, r, e, &hdr) ;
  /* a probe of qhpsi-selftest: judged, and the verdict is the answer,
     whatever the policy: infected refused, an error deferred, clean
     accepted; and never delivered, kept nor notified */
  if (sealing && seal_selftest(&key, q->messfd, q->messlen, q->start))
  {
    probe = 1 ;
    a = r->verdict == QHPSI_INFECTED ? ACTION_REFUSE : r->verdict == QHPSI_CLEAN ? ACTION_SELFTEST : ACTION_TEMPFAIL ;
  }
  l.route = route ;
  l.verdict = verdictname(r) ;
  l.r = r ;
  if (scan_spamran(&ss.r)) { l.spam = spamstep_word(&ss.r) ; l.spamr = &ss.r ; }
  /* a virus verdict wins: the spam answer counts only for clean mail */
  if (!probe && a == ACTION_QUEUE && r->verdict == QHPSI_CLEAN && l.spam)
  {
    l.ms = spawn_now() - start ;
    ret = spamstep_finish(&ss, q, p, e, sealing ? &key : 0, &l, &hdr, r) ;
    spamstep_free(&ss) ;
    stralloc_free(&hdr) ;
    return ret ;
  }
  spamstep_free(&ss) ;
  if (!probe && verdict_keep(p, r, a)
   && !keep_copy(q, p, e, r, "infected", verdict_signature(r, sig, sizeof sig), verdict_actionname(a),
       a == ACTION_FORWARD ? p->virusforward : 0, &hdr, qid, qerr, sizeof qerr))
  {
    l.action = "tempfail" ; l.ms = spawn_now() - start ; l.qerr = qerr ;
    verdict_log(&l) ;
    stralloc_free(&hdr) ;
    /* what qmail-smtpd already answers as "qq write error or disk full" (451) */
    return QQ_WRITE ;
  }
  /* the notice once the message's fate is known; it is best effort: the
     kept copy and the log line are what count */
  if (!probe && p->notify && r->verdict == QHPSI_INFECTED && a != ACTION_TEMPFAIL)
  {
    notice n = { .to = p->notify, .ip = p->remoteip, .env = e, .signature = r->text, .rule = !!(r->flags & QHPSI_RESULT_RULE),
      .action = verdict_actionname(a), .qid = qid[0] ? qid : 0, .size = size, .when = q->start } ;
    int nr = notice_queue(&n, qp, q->start, getuid()) ;
    if (nr) snprintf(nerr, sizeof nerr, "unable to queue it: exit %d", nr) ;
  }
  l.action = probe && a == ACTION_REFUSE ? "selftest-refuse" : verdict_actionname(a) ;
  l.ms = spawn_now() - start ;
  l.qid = qid[0] ? qid : 0 ;
  l.nerr = nerr[0] ? nerr : 0 ;
  verdict_log(&l) ;
  switch (a)
  {
    case ACTION_REFUSE : ret = QQ_VIRUS ; break ;
    case ACTION_BLACKHOLE : case ACTION_TRAP : case ACTION_SELFTEST : ret = QQ_OK ; break ;
    case ACTION_TEMPFAIL : ret = QQ_SCANERROR ; break ;
    case ACTION_FORWARD :
      if (!verdict_forward(e, p->virusforward)) { ret = QQ_NOMEM ; break ; }
      /* fall through */
    default :
      sv = sealing ? sealverdict(a, r) : 0 ;
      if (sv && !seal_make(&key, &hdr, sv, q->start, q->messfd, q->messlen)) { ret = QQ_NOMEM ; break ; }
      ret = hdr.len ? queue_prefix(q, hdr.s, hdr.len) : 0 ;
      if (!ret) ret = -1 ;
  }
  stralloc_free(&hdr) ;
  return ret ;
}
