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
#include "policy/policy.h"
#include "policy/spamscore.h"
#include "queue/qqexit.h"
#include "quarantine/store.h"
#include "policy/tcprules.h"


/* the file a configuration error names, and why it is refused */
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
  for (unsigned int i = 0 ; i < policy_nvars ; i++)
  {
    size_t n ;
    int r = readtrusted(dirfd, policy_vars[i], &sa) ;
    if (r < 0)
    {
      snprintf(policy_badfile, sizeof policy_badfile, "control/qhpsi/%s", policy_vars[i]) ;
      close(dirfd) ;
      stralloc_free(&sa) ;
      return 0 ;
    }
    if (!r || !sa.len) continue ;
    for (n = 0 ; n < sa.len && sa.s[n] != '\n' ; n++) if (!sa.s[n]) sa.s[n] = '\n' ;
    while (n && (sa.s[n-1] == ' ' || sa.s[n-1] == '\t')) n-- ;
    policy_val[i] = strndup(sa.s, n) ;
    policy_from[i] = "control/qhpsi" ;
    if (!policy_val[i]) { why = "out of memory" ; close(dirfd) ; stralloc_free(&sa) ; return 0 ; }
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
        int i = policy_find(name, namelen) ;
        if (i < 0) continue ;
        if (!value) { policy_val[i] = 0 ; continue ; }
        policy_val[i] = strndup(value, valuelen) ;
        policy_from[i] = "control/qhpsi.cdb" ;
        if (!policy_val[i]) { cdb_free(&c) ; return 0 ; }
      }
      cdb_free(&c) ;
      return r == 0 ;
    }
    case 0 : cdb_free(&c) ; return 1 ;
    default : cdb_free(&c) ; return 0 ;
  }
}

/* the process environment becomes the resolved variables and nothing else */
static int setenvironment (policy const *p)
{
  if (clearenv() < 0) return 0 ;
  for (unsigned int i = 0 ; i < policy_nvars ; i++)
    if (policy_val[i] && setenv(policy_vars[i], policy_val[i], 1) < 0) return 0 ;
  /* a run that may move the qmail home passes it on to the helper */
  if (!paths_privileged() && setenv("QMAILHOME", paths_home, 1) < 0) return 0 ;
  /* the C library drops TMPDIR on entry to a set-id program: the helper
     gets it again from here */
  if (getenv("TMPDIR") && setenv("QHPSITMPDIR", getenv("TMPDIR"), 1) < 0) return 0 ;
  /* set here only, from a trusted caller's TCPREMOTEIP: for the helper's plugins */
  if (policy_ipok(p->remoteip) && setenv("QHPSIREMOTEIP", p->remoteip, 1) < 0) return 0 ;
  return 1 ;
}

/* Outbound mail: a relay client (RELAYCLIENT, from tcp.smtp or an SMTP
   AUTH patch), an authenticated user, or a local sender (no TCPREMOTEIP:
   qmail-inject, qmail-send's bounces and forwards). Only a trusted
   caller's environment counts; an untrusted caller is a local sender. The
   SMTP AUTH user is what the qmail-smtpd AUTH patches export (SMTPAUTHUSER,
   or SMTP_AUTH_USER); never TCPREMOTEINFO, which ident answers set. */
static void outbound (policy *p)
{
  char const *u = 0 ;
  if (p->trusted)
  {
    u = getenv("SMTPAUTHUSER") ;
    if (!u || !*u) u = getenv("SMTP_AUTH_USER") ;
    if (u && !spamscore_userok(u, strlen(u))) u = 0 ;
  }
  p->authuser = u ;
  p->outbound = !p->remoteip || u || (p->trusted && getenv("RELAYCLIENT")) ;
}

int policy_load (policy *p, uid_t uid)
{
  char const *ip ;
  int t ;
  memset(p, 0, sizeof *p) ;
  memset(policy_val, 0, policy_nvars * sizeof *policy_val) ;
  memset(policy_from, 0, policy_nvars * sizeof *policy_from) ;
  policy_badfile[0] = 0 ;
  p->rc = 1 ;
  p->rn = 0 ;
  p->timeout = 120 ;
  p->helper = 1 ;
  p->symb = "virusscan" ;
  policy_val[policy_find("PATH", 4)] = "/usr/local/bin:/usr/bin:/bin" ;
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
    if (policy_badfile[0]) p->bad = policy_badfile ;
    p->why = why ;
    return QQ_CONFIG ;
  }
  if (t)
  {
    for (unsigned int i = 0 ; i < policy_nvars ; i++)
    {
      char const *s = getenv(policy_vars[i]) ;
      if (s) { policy_val[i] = s ; policy_from[i] = "environment" ; }
    }
    if (p->remoteip)
    {
      p->bad = "control/qhpsi.cdb" ;
      if (!clientrules(p->remoteip)) { p->why = why ; return QQ_CONFIG ; }
    }
  }
  if (!policy_interpret(p)) return QQ_CONFIG ;
  outbound(p) ;
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
