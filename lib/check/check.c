/* check.c: the caller's side of qhpsi-check: the environment qmail-smtpd's
   tcpserver would give qmail-queue, and the policy qmail-queue makes of it. */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>

#include <skalibs/cdb.h>
#include <skalibs/stralloc.h>

#include "check/check.h"
#include "policy/tcprules.h"
#include "policy/spampolicy.h"
#include "queue/paths.h"
#include "queue/qqexit.h"

void check_problem (check *c, char const *fix, char const *fmt, ...)
{
  va_list ap ;
  fputs("  problem: ", c->out) ;
  va_start(ap, fmt) ;
  vfprintf(c->out, fmt, ap) ;
  va_end(ap) ;
  fputc('\n', c->out) ;
  if (fix) fprintf(c->out, "    fix: %s\n", fix) ;
  c->problems++ ;
}

/* one envdir file: the first line, trailing blanks cut, NUL as newline;
   an empty file removes the variable */
static int envfile (int dirfd, char const *name)
{
  char buf[4096] ;
  ssize_t r ;
  size_t n = 0 ;
  int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC) ;
  if (fd < 0) return 0 ;
  r = read(fd, buf, sizeof buf - 1) ;
  close(fd) ;
  if (r < 0) return 0 ;
  if (!r) return unsetenv(name) == 0 ;
  while (n < (size_t)r && buf[n] != '\n') { if (!buf[n]) buf[n] = '\n' ; n++ ; }
  while (n && (buf[n-1] == ' ' || buf[n-1] == '\t')) n-- ;
  buf[n] = 0 ;
  return setenv(name, buf, 1) == 0 ;
}

static int envdir (check *c, char const *dir)
{
  struct dirent *d ;
  DIR *dp = opendir(dir) ;
  if (!dp)
  {
    check_problem(c, "give -e the variables/ directory of the SMTP service (its run says envdir ./variables)",
      "unable to open %s: %s", dir, strerror(errno)) ;
    return 1 ;
  }
  while ((d = readdir(dp)))
  {
    if (d->d_name[0] == '.') continue ;
    if (!envfile(dirfd(dp), d->d_name))
    {
      check_problem(c, "make it a readable file", "unable to read %s/%s", dir, d->d_name) ;
    }
  }
  closedir(dp) ;
  return 1 ;
}

static int rulevars (check *c, char const *rules, char const *ip, stralloc *ruled)
{
  cdb db = CDB_ZERO ;
  cdb_data rule ;
  uint32_t pos = 0 ;
  char const *name, *value ;
  size_t namelen, valuelen ;
  int r, fd = open(rules, O_RDONLY | O_CLOEXEC) ;
  if (fd < 0 || !cdb_init_fromfd(&db, fd))
  {
    check_problem(c, "compile it: tcprules FILE.cdb FILE.tmp < FILE (tcpserver drops every connection without it)",
      "unable to read the rules %s: %s", rules, strerror(errno)) ;
    if (fd >= 0) close(fd) ;
    return 1 ;
  }
  close(fd) ;
  r = tcprules_match(&db, ip, &rule) ;
  if (r < 0) check_problem(c, "compile it again with tcprules", "%s is not a tcprules cdb", rules) ;
  else if (!r) fprintf(c->out, "  tcp.smtp: no rule matches %s\n", ip) ;
  else if (!tcprules_allows(&rule))
    check_problem(c, "allow it in the rules, or this client cannot send mail at all", "the rules %s deny %s", rules, ip) ;
  else
  {
    while ((r = tcprules_nextvar(&rule, &pos, &name, &namelen, &value, &valuelen)) == 1)
    {
      char *n = strndup(name, namelen), *v = strndup(value, valuelen) ;
      if (!n || !v || setenv(n, v, 1) < 0 || !stralloc_catb(ruled, n, namelen + 1)) { free(n) ; free(v) ; cdb_free(&db) ; return 0 ; }
      free(n) ; free(v) ;
    }
    if (r < 0) check_problem(c, "compile it again with tcprules", "a malformed rule for %s in %s", ip, rules) ;
  }
  cdb_free(&db) ;
  return 1 ;
}

int check_smtpenv (check *c, char const *vardir, char const *rules, char const *ip, stralloc *ruled)
{
  char const *home = getenv("QMAILHOME") ;
  char *keep = home ? strdup(home) : 0 ;
  if (home && !keep) return 0 ;
  /* tcpserver's environment: envdir's, then the rule's */
  if (clearenv() < 0 || (keep && setenv("QMAILHOME", keep, 1) < 0)) { free(keep) ; return 0 ; }
  free(keep) ;
  if (vardir && !envdir(c, vardir)) return 0 ;
  if (rules && !rulevars(c, rules, ip, ruled)) return 0 ;
  return setenv("TCPREMOTEIP", ip, 1) == 0 ;
}

static int named (char const *list, size_t len, char const *name)
{
  for (size_t i = 0 ; i < len ; i += strlen(list + i) + 1)
    if (!strcmp(list + i, name)) return 1 ;
  return 0 ;
}

/* the fix for a refused setting, by what was wrong */
static char const *fixfor (char const *why)
{
  if (why && (strstr(why, "owned") || strstr(why, "writable") || strstr(why, "regular") || strstr(why, "symbolic")))
    return "root must own it and be the only one who may write it (chown root; chmod go-w)" ;
  return "correct the value where it is set (the file named, or variables/, tcp.smtp, control/qhpsi.cdb), as qmail-queue(8) lists them; until then every message of this caller gets exit 55 (451)" ;
}

/* a score in thousandths as the log writes it: 7.50, -0.25 */
static char const *score (int32_t t, char *buf, size_t len)
{
  int64_t a = t < 0 ? -(int64_t)t : t ;
  snprintf(buf, len, "%s%lld.%02lld", t < 0 ? "-" : "", (long long)(a / 1000), (long long)(a % 1000 / 10)) ;
  return buf ;
}

/* the spam policy's defaults for this caller, and whether its mail is outbound */
static void spam (check *c, policy const *p)
{
  char t[32], r[32] ;
  fprintf(c->out, "  spam: %s; tag: %s%s; refuse: %s%s; a spam engine's error: %s\n",
    p->spamoff ? "not scored (QHPSISPAM=0) unless a recipient's rule says so" : "scored when a spam engine is in QHPSI",
    p->spamhastag ? "from " : "as the engine says", p->spamhastag ? score(p->spamtag, t, sizeof t) : "",
    p->spamhasrefuse ? "from " : p->spamhastag ? "never by score" : "as the engine says", p->spamhasrefuse ? score(p->spamrefuse, r, sizeof r) : "",
    p->spamfailaccept ? "queued, marked not scored" : "temporary failure (451)") ;
  fprintf(c->out, "  mail from this caller: %s, settings %s\n",
    !p->outbound ? "inbound" : p->authuser ? "outbound (an SMTP AUTH user)" : p->remoteip ? "outbound (a relay client)" : "outbound (a local sender)",
    p->outbound && p->spamoutsettings ? p->spamoutsettings : p->spamsettings ? p->spamsettings : "the engine's default") ;
  if (p->authuser) fprintf(c->out, "  SMTP AUTH user: %s\n", p->authuser) ;
}

int check_spamrcpt (check *c, policy const *p, char const *rcpt)
{
  envelope e = ENVELOPE_ZERO ;
  spampolicy sp ;
  char t[32], r[32] ;
  if (!stralloc_catb(&e.sa, "F", 2) || !stralloc_catb(&e.sa, "T", 1) || !stralloc_cats(&e.sa, rcpt) || !stralloc_0(&e.sa)) return 0 ;
  e.rcptpos = 2 ;
  e.nrcpt = 1 ;
  if (!spampolicy_resolve(p, &e, &sp))
  {
    stralloc_free(&e.sa) ;
    if (errno != EPROTO) return 0 ;
    check_problem(c, "make it again with qhpsi-spamrules, as root, mode 644 (INSTALL, Spam and DKIM)",
      "%s: qmail-queue refuses every message a plugin chain scans (exit 55)", sp.why) ;
    return 1 ;
  }
  if (!sp.score) fprintf(c->out, "  spam rule for %s: not scored\n", rcpt) ;
  else fprintf(c->out, "  spam rule for %s: scored; tag: %s%s; refuse: %s%s; settings %s; user %s\n", rcpt,
    sp.rules[0].hastag ? "from " : "as the engine says", sp.rules[0].hastag ? score(sp.rules[0].tag, t, sizeof t) : "",
    sp.rules[0].hasrefuse ? "from " : sp.rules[0].hastag ? "never by score" : "as the engine says",
    sp.rules[0].hasrefuse ? score(sp.rules[0].refuse, r, sizeof r) : "",
    sp.settings ? sp.settings : "the engine's default", sp.user ? sp.user : "none") ;
  spampolicy_free(&sp) ;
  stralloc_free(&e.sa) ;
  return 1 ;
}

int check_policy (check *c, uid_t uid, char const *ruled, size_t ruledlen, policy *p)
{
  char const *name, *value, *source ;
  int r = policy_load(p, uid) ;
  if (r == QQ_CONFIG)
  {
    check_problem(c, fixfor(p->why), "bad %s%s%s: qmail-queue refuses every message (exit 55)",
      p->bad ? p->bad : "setting", p->why ? ": " : "", p->why ? p->why : "") ;
    return 0 ;
  }
  if (r) return -1 ;
  fprintf(c->out, "  trusted: %s\n", p->trusted ? "yes (its environment and control/qhpsi.cdb count)" : "no (control/qhpsi/ alone counts)") ;
  for (unsigned int i = 0 ; policy_var(i, &name, &value, &source) ; i++)
  {
    if (!value) continue ;
    if (!strcmp(source, "environment")) source = named(ruled, ruledlen, name) ? "tcp.smtp rule" : "variables/" ;
    fprintf(c->out, "  %s=%s  (%s)\n", name, value, source) ;
  }
  if (!p->qhpsi)
    check_problem(c, p->skipempty ? "remove QHPSI=\"\" where it is set, unless this caller's mail is meant to go unscanned"
        : p->trusted ? "set QHPSI in variables/ or control/qhpsi/QHPSI (plugin:clamd.so)" : "echo plugin:clamd.so > control/qhpsi/QHPSI",
      "this caller's mail is not scanned: %s", p->skipempty ? "QHPSI is set empty (each message logs skip=QHPSI-empty)" : "QHPSI is unset") ;
  else
    fprintf(c->out, "  scan: %s, %s; a virus: %s; a scanner error: %s\n", p->qhpsi,
      p->helper ? "through the helper as " USER_QSCAND : "inside qmail-queue as " USER_QMAILQ,
      p->rejectvirus == 1 ? "refused (554)" : p->rejectvirus == 2 ? "dropped" : p->virusforward ? "forwarded" : "tagged and queued",
      p->failaccept ? "queued, tagged not scanned" : "temporary failure (451)") ;
  spam(c, p) ;
  return 1 ;
}
