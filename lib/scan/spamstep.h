/* spamstep.h: the spam part of the QHPSI step: the spam policy resolved
   before the scan, and what the spam engines' answer does to a message
   the virus scan found clean (the spam rows of qmail-queue(8)'s verdict
   table). */

#ifndef SPAMSTEP_H
#define SPAMSTEP_H

#include <skalibs/stralloc.h>
#include <skalibs/types.h>

#include "queue/envelope.h"
#include "queue/queue.h"
#include "policy/policy.h"
#include "policy/spampolicy.h"
#include "scan/scan.h"
#include "scan/seal.h"
#include "scan/verdict.h"
#include "qhpsi-plugin.h"

typedef struct spamstep_s spamstep ;
struct spamstep_s
{
  spampolicy sp ;
  struct qhpsi_result r ;   /* the spam engines' answer */
  char qid[UINT64_FMT] ;    /* the queue's name of the message: its inode */
} ;

/* Resolves the spam policy of e and fills c's ABI 3 fields for it (a
   value that is not printable ASCII, or longer than WIRE_FIELDMAX, is
   left out); c's spam answer goes to s. 0, or the exit code (QQ_CONFIG for an unusable
   policy file, logged; QQ_NOMEM). */
extern int spamstep_prepare (spamstep *s, policy const *p, envelope const *e, queue const *q, scanconf *c, verdict_logline *l) ;

/* The log's spam= for an engine's answer alone: ham, spam or error */
extern char const *spamstep_word (struct qhpsi_result const *r) ;

/* Carries out the spam engines' answer for a message the virus scan
   found clean, hdr holding its X-QHPSI line: the decision of the spam
   policy, the sender's copies of the spam fields renamed, our fields
   written, the copy in the quarantine for TRAP, the seal (key, or 0), the
   log line l, the message prefixed. Returns as scanstep does, r the
   spam answer (verdict QHPSI_SPAM) when the exit is the engines'. */
extern int spamstep_finish (spamstep *s, queue *q, policy const *p, envelope const *e, seal_key const *key,
  verdict_logline *l, stralloc *hdr, struct qhpsi_result *r) ;

extern void spamstep_free (spamstep *s) ;

#endif
