/* inspect.h: what the scanners may not have seen whole. The message is
   walked as a mail reader would walk it, and every archive in it is
   measured against the engine's limits; a finding is the verdict
   "unchecked", never clean (qmail-queue(8), QHPSILIMITS). */

#ifndef INSPECT_H
#define INSPECT_H

#include <stdint.h>
#include "qhpsi-plugin.h"
#include "inspect/archive.h"

/* every name an inspection gives starts with this; verdict_limits treats
   it as it treats the engines' own Heuristics.Limits.Exceeded */
#define INSPECT_PREFIX "Unchecked."

typedef struct inspect_conf_s inspect_conf ;
struct inspect_conf_s
{
  unsigned int on : 1 ;
  struct archive_limits lim ;  /* the engine's, for the archive check */
} ;

/* the settings, read by inspect_conf_env, checked by the policy */
#define INSPECT_VARS "QHPSIMAXFILESIZE", "QHPSIMAXSCANSIZE", "QHPSIMAXFILES", "QHPSIMAXRECURSION"

/* Reads the value of the inspection's setting name into *u: a number,
   with K, M or G (1024-fold, as clamd.conf writes them) for the sizes;
   1 if it is one, 0 if not. */
extern int inspect_setting (char const *name, char const *s, uint64_t *u) ;

/* Reads the inspection's settings from the environment, where the policy
   put them (in qmail-queue, and in the helper, which keeps them); an
   unset or bad one (the policy refuses those) is the shipped clamd.conf's. */
extern void inspect_conf_env (inspect_conf *c) ;

/* lib/inspect/uudecode.c: decodes into out the first uuencoded file of
   s[*pos..len) ("begin 644 name" to "end", or to the first line that is
   none of it) and moves *pos past it. 1 found, 0 none left, -1 ENOMEM. */
#include <skalibs/stralloc.h>
extern int inspect_uudecode (char const *s, size_t len, size_t *pos, stralloc *out) ;

/* Inspects the message on fd (size bytes, seekable). Returns 1 with
   r->verdict QHPSI_CLEAN, or QHPSI_INFECTED and r->text
   "Unchecked.<Reason>" for the first finding; 0 with errno set when it
   could not look (the caller makes that a scanner error). */
extern int inspect_message (inspect_conf const *c, int fd, uint64_t size, struct qhpsi_result *r) ;

#endif
