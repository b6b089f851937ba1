/* spampolicy.h: what spam scoring does for one message: whether the spam
   engines run, with which settings, and what their score leads to. Per
   recipient from the root-owned control/qhpsispam.cdb, combined for the
   whole message by the rule qmail-queue(8) documents. */

#ifndef SPAMPOLICY_H
#define SPAMPOLICY_H

#include <stdint.h>
#include <skalibs/cdb.h>

#include "queue/envelope.h"
#include "policy/policy.h"
#include "qhpsi-plugin.h"

/* what a scored message gets, for the whole message */
enum spam_do
{
  SPAM_HAM,        /* not spam: queued with the score headers */
  SPAM_TAG,        /* queued, X-Spam-Flag: YES */
  SPAM_REFUSE,     /* exit 32 */
  SPAM_TEMPFAIL,   /* exit 71 (rspamd's soft reject, greylisting) */
  SPAM_BLACKHOLE,  /* exit 0, nothing queued */
  SPAM_TRAP        /* kept in the central quarantine only, exit 0 */
} ;

typedef struct spamrule_s spamrule ;
struct spamrule_s
{
  unsigned int score : 1 ;      /* run the spam engines for this recipient */
  unsigned int hastag : 1 ;     /* tag from this score on (else the engine decides) */
  unsigned int hasrefuse : 1 ;  /* refuse from this score on (else never by score) */
  int32_t tag ;                 /* thousandths */
  int32_t refuse ;              /* thousandths */
  char const *settings ;        /* QHPSISPAMSETTINGS of the rule, or 0 */
  char const *user ;            /* QHPSISPAMUSER of the rule: %l, %a, a name, or 0 */
  uint32_t nrcpt ;              /* how many recipients have this rule */
} ;

typedef struct spampolicy_s spampolicy ;
struct spampolicy_s
{
  unsigned int score : 1 ;      /* any recipient's rule scores: the spam engines run */
  unsigned int failaccept : 1 ; /* QHPSISPAMFAIL=accept: an engine's error queues the message marked not scored */
  unsigned int outbound : 1 ;   /* QHPSI_MESSAGE_OUTBOUND: relay client or local sender */
  char const *settings ;        /* Settings-ID for the engine, or 0 */
  char const *user ;            /* whose preferences (spamd's User:), or 0 */
  char const *authuser ;        /* the SMTP AUTH user a trusted front end exported, or 0 */
  spamrule *rules ;             /* one per distinct rule among the recipients */
  uint32_t nrules ;
  char *own ;                   /* the user when it is a recipient's address or local part */
  char const *why ;             /* on EPROTO: what is wrong with control/qhpsispam.cdb */
  cdb map ;                     /* the rules' strings point into it */
} ;
#define SPAMPOLICY_ZERO { .score = 0, .map = CDB_ZERO }

/* Fills sp for envelope e under policy p; the current directory is the
   qmail home. Each recipient's rule: control/qhpsispam.cdb's entry for
   the address (lowercased), else its domain, else each parent domain
   written ".example.com", else the entry "" (the default), each set over
   p's defaults; no entry, no cdb: p's defaults. Each distinct domain is
   looked up once. The message is scored when any rule scores; settings
   and user are the scored recipients' own when they all agree, else p's
   (outbound mail: QHPSISPAMOUTSETTINGS when set). 1, or 0 with errno set:
   ENOMEM, or EPROTO for an unusable control/qhpsispam.cdb (not root's,
   writable by others, a symbolic link, not a cdb, damaged, a bad value),
   which the caller turns into QQ_CONFIG; never "no policy". */
extern int spampolicy_resolve (policy const *p, envelope const *e, spampolicy *sp) ;

/* The action for the whole message, from a spam engine's result r
   (QHPSI_CLEAN or QHPSI_SPAM, QHPSI_RESULT_SCORED) and the rules of the
   scored recipients: when no rule sets a threshold, what the engine says
   (refuse, tempfail, blackhole, trap, tag). Else each rule alone: refuse
   when its QHPSISPAMREFUSE is set and reached; tag when its QHPSISPAMTAG
   is reached (without one: when the engine says spam); a rule without
   thresholds: refuse when the engine says reject, tag when it says spam.
   The message is refused only when every rule refuses; otherwise tagged
   when any rule tags or refuses; otherwise ham. */
extern enum spam_do spampolicy_decide (spampolicy const *sp, struct qhpsi_result const *r) ;

extern void spampolicy_free (spampolicy *sp) ;

#endif
