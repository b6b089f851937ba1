/* check.h: qhpsi-check's findings: what a site's configuration means for
   one caller and whether it works. Every problem is printed with its fix
   and counted; nothing is changed. */

#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>
#include <sys/types.h>
#include <skalibs/stralloc.h>

#include "policy/policy.h"

typedef struct check_s check ;
struct check_s
{
  FILE *out ;
  unsigned int problems ;
} ;

/* Prints "  problem: WHAT\n    fix: FIX" (printf-style WHAT; FIX may be 0)
   and counts it. */
extern void check_problem (check *c, char const *fix, char const *fmt, ...)
  __attribute__ ((format (printf, 3, 4))) ;

/* Makes the process environment what qmail-smtpd's tcpserver gives
   qmail-queue for client ip: the envdir vardir (or none), then the
   variables of ip's rule in the tcprules cdb rules (or none), then
   TCPREMOTEIP. ruled gets the names the rule set, NUL-separated. A rule
   that denies the client, or an unreadable file, is a problem. 1, or 0 on
   a system error (errno). */
extern int check_smtpenv (check *c, char const *vardir, char const *rules, char const *ip, stralloc *ruled) ;

/* policy_load as qmail-queue would for a caller with real uid uid, from
   the current environment; prints every variable set and where it comes
   from (ruled: the names a tcp.smtp rule set). A refused configuration is
   a problem. Returns 1 with p loaded, 0 when the policy is refused,
   -1 on a system error. Must run in the qmail home. */
extern int check_policy (check *c, uid_t uid, char const *ruled, size_t ruledlen, policy *p) ;

/* The spam rule of control/qhpsispam.cdb that recipient rcpt gets, under
   p's defaults; an unusable cdb is a problem. 1, or 0 on a system error. */
extern int check_spamrcpt (check *c, policy const *p, char const *rcpt) ;

/* Loads each plugin of p the way qmail-queue would, asks each scanner
   server (clamd), then scans the EICAR test string the way the message
   would be scanned, as the user that scan runs as: a clean verdict for
   it means a broken scanner. */
extern void check_route (check *c, policy const *p) ;

/* Modes and owners of qmail-queue, the helper, control files, the plugin
   directory, the log FIFO and the quarantine. */
extern void check_files (check *c, policy const *p) ;

/* Asks one clamd: a unix socket path (with a '/') or host:port, the
   command cmd ("PING", "VERSION") in z-form; the reply, without its NUL,
   in reply. Within timeout milliseconds. 1, or 0 with reply saying why. */
extern int check_clamd (char const *where, char const *cmd, char *reply, size_t len, unsigned int timeout) ;

#endif
