/* keep.h: a copy of the message in the central quarantine, as the verdict
   table of qmail-queue(8) keeps it (infected, or spam to TRAP). */

#ifndef KEEP_H
#define KEEP_H

#include <stddef.h>
#include <skalibs/stralloc.h>

#include "queue/envelope.h"
#include "queue/queue.h"
#include "policy/policy.h"
#include "qhpsi-plugin.h"

/* Puts the message into the store before its action is carried out, with
   verdict, signature and action (a name) as its record says: hdr becomes
   the lines it is kept (and, if queued, queued) with, id (STORE_IDMAX
   bytes) its ID. forward is VIRUSFORWARD when the action forwards, else
   0. 1 done, 0 with qerr saying why not: the caller then defers it, so
   that nothing is lost. */
extern int keep_copy (queue const *q, policy const *p, envelope const *e, struct qhpsi_result const *r,
  char const *verdict, char const *signature, char const *action, char const *forward,
  stralloc *hdr, char *id, char *qerr, size_t qerrlen) ;

#endif
