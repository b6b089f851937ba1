/* verdict.h: what a scan verdict does to a message: the headers put in
   front of it, the envelope for VIRUSFORWARD, the exit, the log line. */

#ifndef VERDICT_H
#define VERDICT_H

#include <stdint.h>
#include <skalibs/stralloc.h>

#include "queue/envelope.h"
#include "policy/policy.h"
#include "qhpsi-plugin.h"

enum verdict_action
{
  ACTION_QUEUE,     /* queued (tagged, or unscanned by size) */
  ACTION_REFUSE,    /* exit 33 */
  ACTION_BLACKHOLE, /* exit 0, nothing queued */
  ACTION_FORWARD,   /* queued for VIRUSFORWARD only */
  ACTION_TEMPFAIL,  /* exit 77 */
  ACTION_ACCEPT,    /* scanner error, queued as not scanned */
  ACTION_TRAP,      /* a plugin's TRAP: kept in the quarantine only, exit 0 */
  ACTION_BACK,      /* a plugin's BACK: queued tagged, a copy in the quarantine */
  ACTION_TAG,       /* a plugin's TAG: queued tagged to the original recipients */
  ACTION_SELFTEST   /* a qhpsi-selftest probe, judged: exit 0, nothing queued or kept */
} ;

/* Decides the action and appends the header lines to hdr (may stay empty).
   An infected result's action (ABI 2) overrides REJECTVIRUS and VIRUSFORWARD. */
extern enum verdict_action verdict_decide (policy const *p, struct qhpsi_result const *r, envelope const *e, stralloc *hdr) ;

/* 1 if r says the message could not be looked at whole: an engine's
   "Heuristics.Limits.Exceeded..." or the inspection's "Unchecked..." */
extern int verdict_islimits (struct qhpsi_result const *r) ;

/* With QHPSILIMITS=error, turns such a verdict into a scanner error. */
extern void verdict_limits (policy const *p, struct qhpsi_result *r) ;

/* Makes VIRUSFORWARD the only recipient. 1, or 0 on ENOMEM. */
extern int verdict_forward (envelope *e, char const *to) ;

/* Cleans a scanner-given signature name for headers and replies: printable
   ASCII with no blanks or parentheses. */
extern void verdict_cleanname (char *s) ;

/* The one log line of a message, documented in qmail-queue(8) (LOG):
   qhpsi: qp= ip= from= rcpts= rcpt= msgid= size= route= verdict=
   signature=|error= action= ms= [spam=] [score=] [host=] [qid=]
   [quarantine=] [notice=] [skip=]. A pointer left 0 is written "-" (spam,
   score, qid, qerr, nerr and skip are left out). */
typedef struct verdict_logline_s verdict_logline ;
struct verdict_logline_s
{
  unsigned long qp ;
  char const *ip ;
  envelope const *env ;  /* the envelope as received (before VIRUSFORWARD) */
  char const *msgid ;
  uint64_t size ;
  char const *route ;
  char const *verdict ;
  struct qhpsi_result const *r ;
  char const *action ;
  uint64_t ms ;
  char const *qid ;      /* the quarantine's ID */
  char const *qerr ;     /* why no copy could be kept */
  char const *nerr ;     /* why the QHPSINOTIFY notice could not be queued */
  char const *skip ;     /* why a message was not scanned, when not its size */
  char const *spam ;     /* ham, spam or error, when a spam engine ran */
  struct qhpsi_result const *spamr ; /* its answer: score= when scored */
} ;

/* a line fits one atomic write to a pipe (PIPE_BUF on Linux) */
#define VERDICT_LINEMAX 4096
#define VERDICT_VALUEMAX 1024 /* bytes of one value kept */

/* Formats l into buf (VERDICT_LINEMAX bytes): every value one token, its
   blanks, controls and bytes above '~' made '_'; cut to fit, the newline
   kept. Returns the length, newline included. */
extern size_t verdict_fmtlog (char *buf, verdict_logline const *l) ;

/* Writes the line on fd 2 in one write(), which qhpsi_init has pointed at
   the right log (logdest.h); a full log loses the line, never the mail. */
extern void verdict_log (verdict_logline const *l) ;

/* The header lines of a message kept in the quarantine, in out: those of
   hdr (from verdict_decide) with "X-QHPSI-Quarantine: id" after the first,
   the X-QHPSI line; for a refused or blackholed message, whose hdr is
   empty, the X-QHPSI line REJECTVIRUS=0 would have given. 1, or 0 on ENOMEM. */
extern int verdict_quarantinehdr (struct qhpsi_result const *r, char const *id, stralloc const *hdr, stralloc *out) ;

extern char const *verdict_actionname (enum verdict_action a) ;

/* 1 if an infected message must be kept in the quarantine: always for
   TRAP and BACK, never for TAG, otherwise as QHPSIQUARANTINE says. */
extern int verdict_keep (policy const *p, struct qhpsi_result const *r, enum verdict_action a) ;

/* The signature as the log and the quarantine record it: NAME, or
   rule:NAME for a rule's match; "" when there is none. */
extern char const *verdict_signature (struct qhpsi_result const *r, char *buf, size_t len) ;

#endif
