/* spampolicy.c: the spam policy of one message (spampolicy.h). For now
   one rule for every recipient: score, and do what the engine says. */

#include <stdlib.h>

#include "policy/spampolicy.h"

int spampolicy_resolve (policy const *p, envelope const *e, spampolicy *sp)
{
  static spamrule one = { .score = 1 } ;
  (void)p ; (void)e ;
  sp->score = 1 ;
  sp->failaccept = 1 ;
  sp->outbound = 0 ;
  sp->settings = sp->user = sp->authuser = 0 ;
  sp->rules = &one ;
  sp->nrules = 1 ;
  return 1 ;
}

enum spam_do spampolicy_decide (spampolicy const *sp, struct qhpsi_result const *r)
{
  (void)sp ;
  if (r->verdict != QHPSI_SPAM) return SPAM_HAM ;
  switch (r->action)
  {
    case QHPSI_ACTION_REFUSE : return SPAM_REFUSE ;
    case QHPSI_ACTION_TEMPFAIL : return SPAM_TEMPFAIL ;
    case QHPSI_ACTION_BLACKHOLE : return SPAM_BLACKHOLE ;
    case QHPSI_ACTION_TRAP : return SPAM_TRAP ;
    default : return SPAM_TAG ;
  }
}

void spampolicy_free (spampolicy *sp)
{
  sp->rules = 0 ;
  sp->nrules = 0 ;
}
