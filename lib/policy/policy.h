/* policy.h: the QHPSI settings for one message, and whom to believe for them.
   Defaults, then the root-owned control/qhpsi/ directory, then the
   environment of a trusted caller, then the per-client rule in
   control/qhpsi.cdb for a trusted TCPREMOTEIP. */

#ifndef POLICY_H
#define POLICY_H

#include <stddef.h>
#include <stdint.h>

typedef struct policy_s policy ;
struct policy_s
{
  char const *qhpsi ;       /* command template or "plugin:..."; 0: no scan */
  uint64_t minsize ;        /* 0: no bound */
  uint64_t maxsize ;
  int rc ;                  /* command exit code meaning infected */
  int rn ;                  /* ... meaning clean */
  unsigned int rejectvirus ; /* 0 tag, 1 refuse, 2 blackhole */
  char const *virusforward ;
  unsigned int timeout ;    /* seconds */
  unsigned int failaccept : 1 ; /* QHPSIFAIL=accept; never for untrusted callers */
  unsigned int oversizerefuse : 1 ; /* QHPSIOVERSIZE=refuse: exit 31 over maxsize */
  unsigned int limitserror : 1 ;  /* QHPSILIMITS=error: limits exceeded is a scanner error */
  unsigned int helper : 1 ;
  unsigned int customerr : 1 ; /* notqmail's custom error channel on fd 6 */
  unsigned int trusted : 1 ;
  unsigned int quarantine : 1 ; /* QHPSIQUARANTINE=1: keep a copy of infected mail */
  char const *notify ;      /* QHPSINOTIFY: the address told of every caught message, or 0 */
  char const *release ;     /* QHPSIRELEASE: ID of a quarantined message re-queued by root, unscanned */
  char const *plugindir ;   /* absolute */
  char const *pluginsub ;   /* PLUGINDIR, the subdirectory name, or "" */
  char const *symb ;        /* legacy plugin symbol */
  char const *rules ;       /* QHPSIRULES resolved: <home>/control/qhpsirules/NAME.qrc */
  char const *remoteip ;    /* 0 unless a trusted caller gave it */
  char const *bad ;         /* which variable or file was bad, on failure */
  char const *why ;         /* ... and why, or 0 */
  unsigned int skipempty : 1 ; /* QHPSI set but empty: no scan, and a log line says so */
  /* spam scoring (qmail-queue(8), SPAM); per recipient, control/qhpsispam.cdb
     overrides the defaults below (spampolicy.h) */
  unsigned int spamoff : 1 ;     /* QHPSISPAM=0: no recipient is scored unless its rule says so */
  unsigned int spamfailaccept : 1 ; /* QHPSISPAMFAIL=accept (the default): a spam engine's error queues the message */
  unsigned int spamhastag : 1 ;  /* QHPSISPAMTAG set */
  unsigned int spamhasrefuse : 1 ; /* QHPSISPAMREFUSE set */
  unsigned int outbound : 1 ;    /* a relay client (RELAYCLIENT), an SMTP AUTH user, or a local sender */
  int32_t spamtag, spamrefuse ;  /* thousandths */
  char const *spamsettings ;     /* QHPSISPAMSETTINGS: inbound Settings-ID, or 0 */
  char const *spamoutsettings ;  /* QHPSISPAMOUTSETTINGS: outbound Settings-ID, or 0 */
  char const *spamuser ;         /* QHPSISPAMUSER: %l, %a or a user name, or 0 */
  char const *authuser ;         /* SMTPAUTHUSER (or SMTP_AUTH_USER) of a trusted caller, or 0 */
} ;

/* Fills p for a caller with real uid uid. Must run with the qmail home as
   the current directory. Also leaves the process environment holding only
   the resolved variables, so that plugins and scanners see the policy and
   nothing else. Returns 0, or QQ_CONFIG / QQ_NOMEM (p->bad says what). */
extern int policy_load (policy *p, uid_t uid) ;

/* After policy_load: the i-th variable the policy knows, its resolved
   value (0 if unset) and where that came from ("default", "control/qhpsi",
   "environment", "control/qhpsi.cdb"); 0 past the last. */
extern int policy_var (unsigned int i, char const **name, char const **value, char const **source) ;

/* The variables a scanner may see, 0-terminated; the helper keeps these. */
extern char const *const policy_scannervars[] ;

/* 1 if st is owned by root (or by us when not privileged) and not group- or
   world-writable: the test for every configuration file and plugin. */
struct stat ;
extern int policy_owner_ok (struct stat const *st) ;

/* 1 if ip looks like an IPv4 or IPv6 address (hex digits, dots, colons,
   under 64 bytes): only such a client address is handed to plugins */
extern int policy_ipok (char const *ip) ;

/* Between policy.c, which decides whose values count, and vars.c, which
   knows the variables and what their values mean; nothing else uses these. */
extern char const *const policy_vars[] ;  /* 0-terminated */
extern unsigned int const policy_nvars ;
extern char const *policy_val[] ;         /* the value of each, or 0 */
extern char const *policy_from[] ;        /* where it came from, or 0 for the default */
extern char policy_badfile[64] ;          /* the file an error names */
extern int policy_find (char const *name, size_t len) ; /* the index of a variable, or -1 */
extern int policy_interpret (policy *p) ; /* p from the values; 1, or 0 with p->bad, p->why */

#endif
