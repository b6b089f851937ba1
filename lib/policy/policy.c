/* policy.c: resolves the QHPSI variables. qmail-queue is setuid and any
   local user controls its environment, so the environment counts only for
   trusted real uids; everyone else gets control/qhpsi/ alone. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <skalibs/cdb.h>
#include <skalibs/stralloc.h>
#include <skalibs/types.h>

#include "queue/paths.h"
#include "policy/names.h"
#include "policy/policy.h"
#include "queue/qqexit.h"
#include "quarantine/store.h"
#include "policy/tcprules.h"
#include "inspect/inspect.h"

/* Every variable the policy knows. The first group is qmail-queue's own;
   the rest configure scanners and are passed to them. */
static char const *const vars[] =
{
  "QHPSI", "QHPSIMINSIZE", "QHPSIMAXSIZE", "QHPSIRC", "QHPSIRN", "REJECTVIRUS",
  "VIRUSFORWARD", "QHPSITIMEOUT", "QHPSIFAIL", "QHPSIHELPER", "PLUGINDIR",
  "QUEUE_PLUGIN_SYMB", "QUEUE_PLUGIN", "QHPSICUSTOMERR", "QHPSIOVERSIZE", "QHPSILIMITS",
  "QHPSIQUARANTINE", "QHPSINOTIFY",
  "QHPSIRULES", "PATH", "CLAMD_SOCKET", "CLAMD_HOSTS", "CLAMAV_DB", "TMPDIR", "QHPSICONNECTMS",
  "RSPAMD_HOSTS", "SPAMD_HOSTS", INSPECT_VARS,
  0
} ;
#define NVARS (sizeof vars / sizeof *vars - 1)
char const *const policy_scannervars[] =
{
  "PATH", "CLAMD_SOCKET", "CLAMD_HOSTS", "CLAMAV_DB", "TMPDIR", "QHPSIRULES", "QHPSIREMOTEIP",
  "QHPSICONNECTMS", "QMAILHOME", "RSPAMD_HOSTS", "SPAMD_HOSTS", INSPECT_VARS, 0
} ;

static char const *val[NVARS] ;
static char const *from[NVARS] ; /* where each value came from */

/* the file a configuration error names, and why it is refused */
static char badfile[64] ;
static char const *why ;
static char const *whyfile (struct stat const *st)
{
  if (!S_ISREG(st->st_mode)) return "not a regular file" ;
  if (st->st_mode & 022) return "writable by group or others (chmod go-w)" ;
  return "not owned by root (chown root)" ;
}

int policy_ipok (char const *ip)
{
  size_t n = ip ? strlen(ip) : 0 ;
  return n && n < 64 && strspn(ip, "0123456789abcdefABCDEF.:") == n ;
}

int policy_owner_ok (struct stat const *st)
{
  if (st->st_mode & 022) return 0 ;
  return st->st_uid == 0 || (!paths_privileged() && st->st_uid == geteuid()) ;
}

static int find (char const *name, size_t len)
{
  for (unsigned int i = 0 ; i < NVARS ; i++)
    if (strlen(vars[i]) == len && !memcmp(vars[i], name, len)) return i ;
  return -1 ;
}

/* reads a whole small file that must be trusted; 1, 0 absent, -1 error */
static int readtrusted (int dirfd, char const *fn, stralloc *sa)
{
  struct stat st ;
  char buf[4096] ;
  ssize_t r ;
  int fd = openat(dirfd, fn, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) ;
  why = "unreadable (or a symbolic link)" ;
  if (fd < 0) return errno == ENOENT ? 0 : -1 ;
  if (fstat(fd, &st) < 0) goto err ;
  if (!S_ISREG(st.st_mode) || !policy_owner_ok(&st)) { why = whyfile(&st) ; goto err ; }
  sa->len = 0 ;
  why = "unreadable" ;
  while ((r = read(fd, buf, sizeof buf)) > 0)
    if (!stralloc_catb(sa, buf, r)) goto err ;
  if (r < 0) goto err ;
  why = 0 ;
  close(fd) ;
  return 1 ;
 err:
  close(fd) ;
  return -1 ;
}

/* control/qhpsi/VAR, the envdir way: first line, trailing blanks cut, NUL
   as newline; an empty file leaves the variable unset */
static int controldir (void)
{
  struct stat st ;
  stralloc sa = STRALLOC_ZERO ;
  int dirfd = open("control/qhpsi", O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
  why = "not a readable directory" ;
  if (dirfd < 0) return errno == ENOENT ? 1 : 0 ;
  if (fstat(dirfd, &st) < 0) { close(dirfd) ; return 0 ; }
  if (!policy_owner_ok(&st))
  {
    why = st.st_mode & 022 ? "writable by group or others (chmod go-w)" : "not owned by root (chown root)" ;
    close(dirfd) ;
    return 0 ;
  }
  for (unsigned int i = 0 ; i < NVARS ; i++)
  {
    size_t n ;
    int r = readtrusted(dirfd, vars[i], &sa) ;
    if (r < 0)
    {
      snprintf(badfile, sizeof badfile, "control/qhpsi/%s", vars[i]) ;
      close(dirfd) ;
      stralloc_free(&sa) ;
      return 0 ;
    }
    if (!r || !sa.len) continue ;
    for (n = 0 ; n < sa.len && sa.s[n] != '\n' ; n++) if (!sa.s[n]) sa.s[n] = '\n' ;
    while (n && (sa.s[n-1] == ' ' || sa.s[n-1] == '\t')) n-- ;
    val[i] = strndup(sa.s, n) ;
    from[i] = "control/qhpsi" ;
    if (!val[i]) { why = "out of memory" ; close(dirfd) ; stralloc_free(&sa) ; return 0 ; }
  }
  close(dirfd) ;
  stralloc_free(&sa) ;
  return 1 ;
}

/* root and the users named in control/qhpsitrusted (default: the users
   qmail-smtpd, alias deliveries and qmail-send run as) */
static int trusted (uid_t uid)
{
  stralloc sa = STRALLOC_ZERO ;
  char const *name ;
  int r, ok = 0 ;
  if (!uid) return 1 ;
  r = readtrusted(AT_FDCWD, "control/qhpsitrusted", &sa) ;
  if (r < 0) return -1 ;
  name = paths_username(uid) ;
  if (!name) { stralloc_free(&sa) ; return 0 ; }
  if (!r) return !strcmp(name, USER_QMAILD) || !strcmp(name, USER_ALIAS) || !strcmp(name, USER_QMAILS) ;
  if (!stralloc_0(&sa)) return -1 ;
  for (char *line = sa.s, *next ; line && *line && !ok ; line = next)
  {
    next = strchr(line, '\n') ;
    if (next) *next++ = 0 ;
    line[strcspn(line, " \t#")] = 0 ;
    if (!strcmp(line, name)) ok = 1 ;
  }
  stralloc_free(&sa) ;
  return ok ;
}

/* the rule for the client address in control/qhpsi.cdb, if any */
static int clientrules (char const *ip)
{
  struct stat st ;
  cdb c = CDB_ZERO ;
  cdb_data rule ;
  int fd = open("control/qhpsi.cdb", O_RDONLY | O_CLOEXEC) ;
  why = "unreadable" ;
  if (fd < 0) return errno == ENOENT ? 1 : 0 ;
  if (fstat(fd, &st) < 0 || !policy_owner_ok(&st)) { why = whyfile(&st) ; close(fd) ; return 0 ; }
  why = "not a cdb (make it with tcprules)" ;
  if (!cdb_init_fromfd(&c, fd)) { close(fd) ; return 0 ; }
  close(fd) ;
  switch (tcprules_match(&c, ip, &rule))
  {
    case 1 :
    {
      uint32_t pos = 0 ;
      char const *name, *value ;
      size_t namelen, valuelen ;
      int r ;
      while ((r = tcprules_nextvar(&rule, &pos, &name, &namelen, &value, &valuelen)) == 1)
      {
        int i = find(name, namelen) ;
        if (i < 0) continue ;
        if (!value) { val[i] = 0 ; continue ; }
        val[i] = strndup(value, valuelen) ;
        from[i] = "control/qhpsi.cdb" ;
        if (!val[i]) { cdb_free(&c) ; return 0 ; }
      }
      cdb_free(&c) ;
      return r == 0 ;
    }
    case 0 : cdb_free(&c) ; return 1 ;
    default : cdb_free(&c) ; return 0 ;
  }
}

static int number (char const *s, uint64_t *u)
{
  size_t n = uint64_scan(s, u) ;
  return n && !s[n] ;
}

static char const *get (char const *name)
{
  int i = find(name, strlen(name)) ;
  return i >= 0 ? val[i] : 0 ;
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
  int i = find(p->bad, strlen(p->bad)) ;
  char const *f = i >= 0 ? from[i] : 0 ;
  /* say which file: the site edits that one */
  if (f && !strcmp(f, "control/qhpsi"))
    snprintf(badfile, sizeof badfile, "control/qhpsi/%s", p->bad), p->bad = badfile ;
  else if (f && !strcmp(f, "control/qhpsi.cdb"))
    snprintf(badfile, sizeof badfile, "%s in control/qhpsi.cdb", p->bad), p->bad = badfile ;
  p->why = reason ;
  return 0 ;
}

#define NOTNUM "not a number of bytes"
#define ZEROONE "neither 0 nor 1"
#define ADDRESS "empty, over 1002 bytes, or holding a control character"
static int interpret (policy *p)
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
  val[find("QHPSIRULES", 10)] = p->rules ;
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
  p->bad = 0 ;
  return 1 ;
}

/* the process environment becomes the resolved variables and nothing else */
static int setenvironment (policy const *p)
{
  if (clearenv() < 0) return 0 ;
  for (unsigned int i = 0 ; i < NVARS ; i++)
    if (val[i] && setenv(vars[i], val[i], 1) < 0) return 0 ;
  /* a run that may move the qmail home passes it on to the helper */
  if (!paths_privileged() && setenv("QMAILHOME", paths_home, 1) < 0) return 0 ;
  /* the C library drops TMPDIR on entry to a set-id program: the helper
     gets it again from here */
  if (getenv("TMPDIR") && setenv("QHPSITMPDIR", getenv("TMPDIR"), 1) < 0) return 0 ;
  /* set here only, from a trusted caller's TCPREMOTEIP: for the helper's plugins */
  if (policy_ipok(p->remoteip) && setenv("QHPSIREMOTEIP", p->remoteip, 1) < 0) return 0 ;
  return 1 ;
}

int policy_load (policy *p, uid_t uid)
{
  char const *ip ;
  int t ;
  memset(p, 0, sizeof *p) ;
  memset(val, 0, sizeof val) ;
  memset(from, 0, sizeof from) ;
  badfile[0] = 0 ;
  p->rc = 1 ;
  p->rn = 0 ;
  p->timeout = 120 ;
  p->helper = 1 ;
  p->symb = "virusscan" ;
  val[find("PATH", 4)] = "/usr/local/bin:/usr/bin:/bin" ;
  /* who is asking comes first: it says where even a configuration
     error's log line goes (logdest.h) */
  p->bad = "control/qhpsitrusted" ;
  t = trusted(uid) ;
  if (t < 0) { p->why = why ; return QQ_CONFIG ; }
  p->trusted = t ;
  ip = t ? getenv("TCPREMOTEIP") : 0 ;
  if (ip && *ip) p->remoteip = ip ;
  p->bad = "control/qhpsi" ;
  if (!controldir())
  {
    if (badfile[0]) p->bad = badfile ;
    p->why = why ;
    return QQ_CONFIG ;
  }
  if (t)
  {
    for (unsigned int i = 0 ; i < NVARS ; i++)
    {
      char const *s = getenv(vars[i]) ;
      if (s) { val[i] = s ; from[i] = "environment" ; }
    }
    if (p->remoteip)
    {
      p->bad = "control/qhpsi.cdb" ;
      if (!clientrules(p->remoteip)) { p->why = why ; return QQ_CONFIG ; }
    }
  }
  if (!interpret(p)) return QQ_CONFIG ;
  /* a release skips the scan: root only, never from a file or a rule, and
     only for a well-formed ID, which goes into a header */
  if (!uid && (ip = getenv("QHPSIRELEASE")))
  {
    p->bad = "QHPSIRELEASE" ;
    if (!store_idok(ip)) { p->why = "not a quarantine ID" ; return QQ_CONFIG ; }
    p->release = ip ;
  }
  p->bad = "environment" ;
  if (!setenvironment(p)) return QQ_NOMEM ;
  p->bad = 0 ;
  return 0 ;
}

int policy_var (unsigned int i, char const **name, char const **value, char const **source)
{
  if (i >= NVARS) return 0 ;
  *name = vars[i] ;
  *value = val[i] ;
  *source = val[i] ? from[i] ? from[i] : "default" : 0 ;
  return 1 ;
}
