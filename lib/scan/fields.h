/* fields.h: what a scan is run with (scanconf), and what it carries for
   ABI 3 besides the envelope, shared by the scan (scan.h, chain.h) and
   the helper's wire (wire.h). */

#ifndef FIELDS_H
#define FIELDS_H

#include <stdint.h>
#include "qhpsi-plugin.h"

/* what an ABI 3 plugin is told besides the envelope; every pointer 0
   when unknown */
typedef struct scanfields_s scanfields ;
struct scanfields_s
{
  char const *qid ;
  char const *authuser ;
  char const *settings ;
  char const *spamuser ;
  uint32_t mflags ;
  unsigned int noscore : 1 ; /* the spam policy does not score: spam engines are skipped */
} ;

typedef struct scanconf_s scanconf ;
struct scanconf_s
{
  char const *qhpsi ;     /* "clamdscan %s ..." or "plugin:a.so b.so" */
  char const *plugindir ; /* absolute */
  char const *symb ;      /* legacy plugin symbol */
  int rc ;
  int rn ;
  unsigned int timeout ;  /* seconds */
  /* for ABI 2 plugins: the envelope and the client */
  char const *sender ;
  char const *const *rcpts ;
  uint32_t nrcpts ;
  char const *remoteip ;  /* or 0 */
  /* for ABI 3 plugins: the message's fields, from the trusted policy */
  scanfields f ;
  /* where the spam engines' answer goes (scan_spamran tells whether one
     ran); 0: spam engines are not run */
  struct qhpsi_result *spam ;
} ;

/* 1 if a spam engine's answer is in r: scored (QHPSI_RESULT_SCORED) or
   an error. A chain's spam engines answer apart from its virus scanners:
   the first engine to score ends the spam part (later ones are its
   fallbacks), an engine's error is kept and the chain goes on, and
   neither ends the virus part. */
static inline int scan_spamran (struct qhpsi_result const *r)
{
  return r->verdict == QHPSI_ERROR || r->flags & QHPSI_RESULT_SCORED ;
}

#endif
