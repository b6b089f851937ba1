/* vars.c: the variables of the QHPSI policy and what their values mean;
   policy.c decides whose values count. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <skalibs/types.h>

#include "queue/paths.h"
#include "policy/names.h"
#include "policy/policy.h"
#include "policy/spamscore.h"
#include "inspect/inspect.h"

/* Every variable the policy knows. The first group is qmail-queue's own
   (the spam group configures the spam policy, spampolicy.h); the rest
   configure scanners and are passed to them. */
char const *const policy_vars[] =
{
  "QHPSI", "QHPSIMINSIZE", "QHPSIMAXSIZE", "QHPSIRC", "QHPSIRN", "REJECTVIRUS",
  "VIRUSFORWARD", "QHPSITIMEOUT", "QHPSIFAIL", "QHPSIHELPER", "PLUGINDIR",
  "QUEUE_PLUGIN_SYMB", "QUEUE_PLUGIN", "QHPSICUSTOMERR", "QHPSIOVERSIZE", "QHPSILIMITS",
  "QHPSIQUARANTINE", "QHPSINOTIFY",
  "QHPSISPAM", "QHPSISPAMFAIL", "QHPSISPAMTAG", "QHPSISPAMREFUSE", "QHPSISPAMSETTINGS",
  "QHPSISPAMOUTSETTINGS", "QHPSISPAMUSER",
  "QHPSIRULES", "PATH", "CLAMD_SOCKET", "CLAMD_HOSTS", "CLAMAV_DB", "TMPDIR", "QHPSICONNECTMS",
  "RSPAMD_HOSTS", "SPAMD_HOSTS", INSPECT_VARS,
  0
} ;
#define NVARS (sizeof policy_vars / sizeof *policy_vars - 1)
unsigned int const policy_nvars = NVARS ;
char const *const policy_scannervars[] =
{
  "PATH", "CLAMD_SOCKET", "CLAMD_HOSTS", "CLAMAV_DB", "TMPDIR", "QHPSIRULES", "QHPSIREMOTEIP",
  "QHPSICONNECTMS", "QMAILHOME", "RSPAMD_HOSTS", "SPAMD_HOSTS", INSPECT_VARS, 0
} ;

char const *policy_val[NVARS] ;
char const *policy_from[NVARS] ;
char policy_badfile[64] ;

int policy_find (char const *name, size_t len)
{
  for (unsigned int i = 0 ; i < NVARS ; i++)
    if (strlen(policy_vars[i]) == len && !memcmp(policy_vars[i], name, len)) return i ;
  return -1 ;
}

static int number (char const *s, uint64_t *u)
{
  size_t n = uint64_scan(s, u) ;
  return n && !s[n] ;
}

static char const *get (char const *name)
{
  int i = policy_find(name, strlen(name)) ;
  return i >= 0 ? policy_val[i] : 0 ;
}

/* no control bytes: an address goes into intd and log lines */
static int printable (char const *s)
{
  for (; *s ; s++) if ((unsigned char)*s < 0x20 || *s == 0x7f) return 0 ;
  return 1 ;
}

/* a refused value: p->bad names it, p->why says why */
static int no (policy *p, char const *reason)
{
  int i = policy_find(p->bad, strlen(p->bad)) ;
  char const *f = i >= 0 ? policy_from[i] : 0 ;
  /* say which file: the site edits that one */
  if (f && !strcmp(f, "control/qhpsi"))
    snprintf(policy_badfile, sizeof policy_badfile, "control/qhpsi/%s", p->bad), p->bad = policy_badfile ;
  else if (f && !strcmp(f, "control/qhpsi.cdb"))
    snprintf(policy_badfile, sizeof policy_badfile, "%s in control/qhpsi.cdb", p->bad), p->bad = policy_badfile ;
  p->why = reason ;
  return 0 ;
}

/* the spam policy's defaults: per recipient, control/qhpsispam.cdb
   overrides QHPSISPAM, the thresholds, the settings and the user */
static int spam (policy *p)
{
  char const *s, *r ;
  static char const *const rulevars[] = { "QHPSISPAM", "QHPSISPAMTAG", "QHPSISPAMREFUSE", "QHPSISPAMSETTINGS", "QHPSISPAMUSER" } ;
  for (unsigned int i = 0 ; i < sizeof rulevars / sizeof *rulevars ; i++)
    if ((s = get(p->bad = rulevars[i])) && (r = spamscore_rulevar(p->bad, strlen(p->bad), s, strlen(s)))) return no(p, r) ;
  p->spamoff = (s = get("QHPSISPAM")) && *s == '0' ;
  if ((s = get("QHPSISPAMTAG"))) p->spamhastag = spamscore_scan(s, strlen(s), &p->spamtag) ;
  if ((s = get("QHPSISPAMREFUSE"))) p->spamhasrefuse = spamscore_scan(s, strlen(s), &p->spamrefuse) ;
  p->spamsettings = get("QHPSISPAMSETTINGS") ;
  p->spamuser = get("QHPSISPAMUSER") ;
  p->bad = "QHPSISPAMOUTSETTINGS" ;
  s = get(p->bad) ;
  if (s && !spamscore_settingsok(s, strlen(s))) return no(p, spamscore_rulevar("QHPSISPAMSETTINGS", 17, s, strlen(s))) ;
  p->spamoutsettings = s ;
  /* the site's choice, from control/qhpsi/ for every caller: an untrusted
     caller's environment never counts, so it cannot pick either way */
  p->spamfailaccept = 1 ;
  p->bad = "QHPSISPAMFAIL" ;
  if ((s = get(p->bad)))
  {
    if (!strcmp(s, "tempfail")) p->spamfailaccept = 0 ;
    else if (strcmp(s, "accept")) return no(p, "neither accept nor tempfail") ;
  }
  return 1 ;
}

#define NOTNUM "not a number of bytes"
#define ZEROONE "neither 0 nor 1"
#define ADDRESS "empty, over 1002 bytes, or holding a control character"
int policy_interpret (policy *p)
{
  char const *s, *r ;
  uint64_t u ;
  p->bad = "QHPSI" ;
  s = get(p->bad) ;
  if (s && (r = names_qhpsi(s))) return no(p, r) ;
  p->qhpsi = s && *s ? s : 0 ;
  p->skipempty = s && !*s ;
  p->bad = "QHPSIMINSIZE" ;
  if ((s = get(p->bad)) && !number(s, &p->minsize)) return no(p, NOTNUM) ;
  p->bad = "QHPSIMAXSIZE" ;
  if ((s = get(p->bad)) && !number(s, &p->maxsize)) return no(p, NOTNUM) ;
  p->bad = "QHPSIRC" ;
  if ((s = get(p->bad))) { if (!number(s, &u) || u > 255) return no(p, "not an exit code (0 to 255)") ; p->rc = u ; }
  p->bad = "QHPSIRN" ;
  if ((s = get(p->bad))) { if (!number(s, &u) || u > 255) return no(p, "not an exit code (0 to 255)") ; p->rn = u ; }
  if (p->rc == p->rn) return no(p, "the same as QHPSIRC") ;
  p->bad = "REJECTVIRUS" ;
  if ((s = get(p->bad))) { if (!number(s, &u) || u > 2) return no(p, "not 0, 1 or 2") ; p->rejectvirus = u ; }
  p->bad = "QHPSITIMEOUT" ;
  if ((s = get(p->bad))) { if (!number(s, &u) || !u || u > 86400) return no(p, "not a number of seconds from 1 to 86400") ; p->timeout = u ; }
  p->bad = "QHPSIFAIL" ;
  if ((s = get(p->bad)))
  {
    if (!strcmp(s, "accept")) p->failaccept = 1 ;
    else if (strcmp(s, "tempfail")) return no(p, "neither tempfail nor accept") ;
  }
  /* an untrusted caller could make the scan fail on purpose (tight
     rlimits, say): a scanner error is never acceptance for it */
  if (!p->trusted) p->failaccept = 0 ;
  p->bad = "QHPSIOVERSIZE" ;
  if ((s = get(p->bad)))
  {
    if (!strcmp(s, "refuse")) p->oversizerefuse = 1 ;
    else if (strcmp(s, "tag")) return no(p, "neither tag nor refuse") ;
  }
  p->bad = "QHPSILIMITS" ;
  if ((s = get(p->bad)))
  {
    if (!strcmp(s, "error")) p->limitserror = 1 ;
    else if (strcmp(s, "infected")) return no(p, "neither infected nor error") ;
  }
  {
    static char const *const limits[] = { INSPECT_VARS } ;
    for (unsigned int i = 0 ; i < sizeof limits / sizeof *limits ; i++)
      if ((s = get(p->bad = limits[i])) && !inspect_setting(p->bad, s, &u)) return 0 ;
  }
  p->bad = "QHPSIHELPER" ;
  if ((s = get(p->bad))) { if (strcmp(s, "0") && strcmp(s, "1")) return no(p, ZEROONE) ; p->helper = *s == '1' ; }
  p->bad = "QHPSICUSTOMERR" ;
  if ((s = get(p->bad))) { if (strcmp(s, "0") && strcmp(s, "1")) return no(p, ZEROONE) ; p->customerr = *s == '1' ; }
  p->bad = "QHPSIQUARANTINE" ;
  if ((s = get(p->bad))) { if (strcmp(s, "0") && strcmp(s, "1")) return no(p, ZEROONE) ; p->quarantine = *s == '1' ; }
  p->bad = "QHPSINOTIFY" ;
  s = get(p->bad) ;
  if (s && (!*s || strlen(s) >= 1003 || !printable(s))) return no(p, ADDRESS) ;
  p->notify = s ;
  p->bad = "VIRUSFORWARD" ;
  s = get(p->bad) ;
  if (s && (!*s || strlen(s) >= 1003 || !printable(s))) return no(p, ADDRESS) ;
  p->virusforward = s ;
  /* IndiMail spells it QUEUE_PLUGIN too; two different names are an error */
  p->bad = "QUEUE_PLUGIN" ;
  s = get(p->bad) ;
  if (s && get("QUEUE_PLUGIN_SYMB") && strcmp(s, get("QUEUE_PLUGIN_SYMB"))) return no(p, "not the same as QUEUE_PLUGIN_SYMB") ;
  if (!s) s = get(p->bad = "QUEUE_PLUGIN_SYMB") ;
  if (s)
  {
    if (!*s || strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen(s))
      return no(p, "not a C symbol name") ;
    p->symb = s ;
  }
  /* a name, or its file under control/qhpsirules/: the rules plugin
     opens the file this resolves to */
  p->bad = "QHPSIRULES" ;
  s = get(p->bad) ;
  p->rules = names_rules(s ? s : "default", paths_home, &r) ;
  if (!p->rules) return no(p, r) ;
  policy_val[policy_find("QHPSIRULES", 10)] = p->rules ;
  p->bad = "PLUGINDIR" ;
  p->plugindir = paths_join(paths_home, "plugins") ;
  if (!p->plugindir) return no(p, "out of memory") ;
  p->pluginsub = "" ;
  if ((s = get(p->bad)) && !(s = names_pluginsub(s, p->plugindir, &r))) return no(p, r) ;
  if (s && *s)
  {
    p->pluginsub = s ;
    p->plugindir = paths_join(p->plugindir, s) ;
    if (!p->plugindir) return no(p, "out of memory") ;
  }
  if (!spam(p)) return 0 ;
  p->bad = 0 ;
  return 1 ;
}
int policy_var (unsigned int i, char const **name, char const **value, char const **source)
{
  if (i >= NVARS) return 0 ;
  *name = policy_vars[i] ;
  *value = policy_val[i] ;
  *source = policy_val[i] ? policy_from[i] ? policy_from[i] : "default" : 0 ;
  return 1 ;
}
