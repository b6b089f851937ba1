/* spamstep.c: what a spam engine's answer does (spamstep.h). A virus
   verdict has been dealt with before: this runs only for a message the
   virus scan found clean. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <skalibs/stralloc.h>
#include <skalibs/types.h>

#include "queue/qqexit.h"
#include "quarantine/store.h"
#include "scan/keep.h"
#include "scan/spamhdr.h"
#include "scan/spamstep.h"
#include "scan/wire.h"

/* a field the helper's envelope takes (wire.h): printable ASCII, not
   empty, at most WIRE_FIELDMAX bytes; anything else is not passed on, in
   either route */
static char const *fieldok (char const *v)
{
  size_t n = 0 ;
  if (!v) return 0 ;
  for (; v[n] ; n++) if (n >= WIRE_FIELDMAX || v[n] < ' ' || v[n] > '~') return 0 ;
  return n ? v : 0 ;
}

int spamstep_prepare (spamstep *s, policy const *p, envelope const *e, queue const *q, scanconf *c, verdict_logline *l)
{
  memset(s, 0, sizeof *s) ;
  if (!spampolicy_resolve(p, e, &s->sp))
  {
    struct qhpsi_result bad = { .verdict = QHPSI_ERROR } ;
    if (errno != EPROTO) return QQ_NOMEM ;
    snprintf(bad.text, sizeof bad.text, "bad control/qhpsispam.cdb") ;
    l->verdict = "error" ; l->r = &bad ; l->action = "config" ;
    verdict_log(l) ;
    l->r = 0 ;
    return QQ_CONFIG ;
  }
  s->qid[uint64_fmt(s->qid, q->messnum)] = 0 ;
  c->f.qid = s->qid ;
  c->f.authuser = fieldok(s->sp.authuser) ;
  c->f.settings = fieldok(s->sp.settings) ;
  c->f.spamuser = fieldok(s->sp.user) ;
  c->f.mflags = s->sp.outbound ? QHPSI_MESSAGE_OUTBOUND : 0 ;
  c->f.noscore = !s->sp.score ;
  c->spam = &s->r ;
  return 0 ;
}

char const *spamstep_word (struct qhpsi_result const *r)
{
  return r->verdict == QHPSI_ERROR ? "error" : r->verdict == QHPSI_SPAM ? "spam" : "ham" ;
}

/* the threshold X-Spam-Status names: the engine's, else the one tag
   threshold of the policy, else none */
static int32_t required (spamstep const *s)
{
  if (s->r.required) return s->r.required ;
  if (s->sp.nrules == 1 && s->sp.rules[0].hastag) return s->sp.rules[0].tag ;
  return 0 ;
}

/* a failure of ours, after the scan: deferred, and the log says so */
static int defer (verdict_logline *l, int code)
{
  l->action = "tempfail" ;
  verdict_log(l) ;
  return code ;
}

/* the exit is the engines': r says so for the reply on fd 6 */
static int theirs (spamstep const *s, struct qhpsi_result *r, int code)
{
  *r = s->r ;
  r->verdict = QHPSI_SPAM ;
  return code ;
}

int spamstep_finish (spamstep *s, queue *q, policy const *p, envelope const *e, seal_key const *key,
  verdict_logline *l, stralloc *hdr, struct qhpsi_result *r)
{
  enum spam_do d = SPAM_HAM ;
  char id[STORE_IDMAX] = "", qerr[128] = "" ;
  int ret = -1, keep = 0 ;
  l->spamr = &s->r ;
  if (s->r.verdict == QHPSI_ERROR)
  {
    /* the engine's error text in error=; verdict= stays the virus scan's */
    l->spam = "error" ;
    l->r = &s->r ;
    if (!s->sp.failaccept)
    {
      l->action = "tempfail" ;
      verdict_log(l) ;
      return theirs(s, r, QQ_SCANERROR) ;
    }
    l->action = "accept" ;
    if (!spamhdr_notscored(hdr)) return defer(l, QQ_NOMEM) ;
  }
  else
  {
    d = spampolicy_decide(&s->sp, &s->r) ;
    l->spam = d == SPAM_HAM || (d == SPAM_TEMPFAIL && s->r.verdict != QHPSI_SPAM) ? "ham" : "spam" ;
    switch (d)
    {
      case SPAM_REFUSE : l->action = "refuse" ; ret = theirs(s, r, QQ_SPAM) ; break ;
      case SPAM_TEMPFAIL : l->action = "tempfail" ; ret = theirs(s, r, QQ_TEMPREFUSED) ; break ;
      case SPAM_BLACKHOLE : l->action = "blackhole" ; ret = QQ_OK ; break ;
      case SPAM_TRAP : l->action = "trap" ; keep = 1 ; break ;
      case SPAM_TAG : l->action = "tag" ; break ;
      default : l->action = "queue" ; break ;
    }
    if (ret >= 0)
    {
      verdict_log(l) ;
      return ret ;
    }
    if (!spamhdr_write(hdr, &s->r, d == SPAM_TAG || d == SPAM_TRAP, required(s))) return defer(l, QQ_NOMEM) ;
  }
  /* ours are the only ones a line-anchored match finds: the sender's are
     renamed in the file, which nobody else sees yet */
  if (spamhdr_rename(q->messfd, q->messlen) < 0) return defer(l, QQ_WRITE) ;
  if (keep)
  {
    char sig[32], sc[16] ;
    snprintf(sig, sizeof sig, "score:%s", spamhdr_score(sc, s->r.score)) ;
    if (!keep_copy(q, p, e, &s->r, "spam", sig, "trap", 0, hdr, id, qerr, sizeof qerr))
    {
      l->qerr = qerr ;
      return defer(l, QQ_WRITE) ;
    }
    l->qid = id ;
    verdict_log(l) ;
    return QQ_OK ;
  }
  /* the spam fields are in the sealed block: a message passed on keeps
     them as this server's */
  if (key && !seal_make(key, hdr, "clean", q->start, q->messfd, q->messlen)) return defer(l, QQ_NOMEM) ;
  verdict_log(l) ;
  ret = queue_prefix(q, hdr->s, hdr->len) ;
  return ret ? ret : -1 ;
}

void spamstep_free (spamstep *s)
{
  spampolicy_free(&s->sp) ;
}
