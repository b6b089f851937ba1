/* scanstep.h: the QHPSI step of qmail-queue, between "message written" and
   "intd written": scan, decide, put the header in front, log. */

#ifndef SCANSTEP_H
#define SCANSTEP_H

#include "queue/envelope.h"
#include "policy/policy.h"
#include "queue/queue.h"
#include "qhpsi-plugin.h"

/* Returns -1 to go on queueing (e may now hold only VIRUSFORWARD), or the
   exit code to leave with, the message removed: QQ_VIRUS, QQ_SCANERROR,
   QQ_REFUSED (too big to scan, QHPSIOVERSIZE=refuse), QQ_SPAM,
   QQ_TEMPREFUSED, a queue error, or QQ_OK for a blackholed message. r
   tells what the scanner said; when the exit is the spam engines' (32,
   71, or 77 for an engine's error), r is their answer, its verdict made
   QHPSI_SPAM. */
extern int scanstep (queue *q, policy const *p, envelope *e, unsigned long qp, struct qhpsi_result *r) ;

/* With QHPSICUSTOMERR=1, tells a notqmail qmail-smtpd the reply text through
   its error channel on fd 6 and returns QQ_CUSTOMERR; when fd 6 is not a
   pipe, returns e unchanged. For the spam engines' exits: "D" and their
   reply text or "message refused as spam (#5.7.1)" for 32, "Z" and theirs
   or a default for 71 (customerr.c). */
extern int scanstep_customerr (policy const *p, int e, struct qhpsi_result const *r) ;

#endif
