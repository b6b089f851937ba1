/* qhpsi-check: what the site's QHPSI configuration means for a client
   address and/or a local user, and whether it works; names every problem
   with its fix. 0 no problem, 1 problems, 100 usage, 111 system error. */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>

#include "check/check.h"
#include "queue/paths.h"

#define USAGE "qhpsi-check [ -i ip ] [ -e variables ] [ -x tcp.smtp.cdb ] [ -s smtpuser ] [ -u user ] [ -r recipient ]"

static check c ;
static policy pol ;
static int loaded ;
static char const *rcpt ;

/* one caller: its policy, then its scan route */
static void caller (uid_t uid, char const *ruled, size_t ruledlen)
{
  int r ;
  if (uid == (uid_t)-1) return ;
  r = check_policy(&c, uid, ruled, ruledlen, &pol) ;
  if (r < 0) strerr_diefusys(111, "load the policy") ;
  if (r && rcpt && !check_spamrcpt(&c, &pol, rcpt)) strerr_diefusys(111, "resolve the spam rule") ;
  if (r) { loaded = 1 ; check_route(&c, &pol) ; }
}

static uid_t user (char const *name)
{
  uint64_t u ;
  uid_t uid = paths_uid(name) ;
  if (uid == (uid_t)-1 && uint64_scan(name, &u) == strlen(name) && *name) uid = u ;
  if (uid == (uid_t)-1) check_problem(&c, "create it (INSTALL, step 1), or give another", "no user %s", name) ;
  return uid ;
}

static char const *absolute (char const *s)
{
  char *a = realpath(s, 0) ;
  if (!a) strerr_warnwu2sys("find ", s) ;
  return a ;
}

int main (int argc, char const *const *argv)
{
  subgetopt l = SUBGETOPT_ZERO ;
  char const *ip = 0, *vardir = 0, *rules = 0, *smtpuser = USER_QMAILD, *local = 0 ;
  int opt ;
  PROG = "qhpsi-check" ;
  while ((opt = subgetopt_r(argc, argv, "i:e:x:s:u:r:", &l)) != -1)
    switch (opt)
    {
      case 'i' : ip = l.arg ; break ;
      case 'e' : vardir = l.arg ; break ;
      case 'x' : rules = l.arg ; break ;
      case 's' : smtpuser = l.arg ; break ;
      case 'u' : local = l.arg ; break ;
      case 'r' : rcpt = l.arg ; break ;
      default : strerr_dieusage(100, USAGE) ;
    }
  if (l.ind != argc || (ip && !policy_ipok(ip)) || ((vardir || rules) && !ip)) strerr_dieusage(100, USAGE) ;
  /* -e and -x name files relative to where we were started */
  if (vardir && !(vardir = absolute(vardir))) return 111 ;
  if (rules && !(rules = absolute(rules))) return 111 ;
  if (!paths_init()) strerr_diefusys(111, "find the qmail home") ;
  if (chdir(paths_home) < 0) strerr_diefu2sys(111, "chdir to ", paths_home) ;
  c.out = stdout ;
  printf("qmail home %s\n", paths_home) ;
  if (ip)
  {
    stralloc ruled = STRALLOC_ZERO ;
    if (!rules && !access("/etc/tcp.smtp.cdb", F_OK)) rules = "/etc/tcp.smtp.cdb" ;
    printf("client %s, through qmail-smtpd as %s (variables: %s; rules: %s)\n", ip, smtpuser,
      vardir ? vardir : "none, give -e", rules ? rules : "none, give -x") ;
    if (!check_smtpenv(&c, vardir, rules, ip, &ruled)) strerr_diefusys(111, "set up the environment") ;
    caller(user(smtpuser), ruled.s, ruled.len) ;
    stralloc_free(&ruled) ;
  }
  if (local || !ip)
  {
    char const *home = getenv("QMAILHOME") ;
    /* a local sender's environment counts for nothing unless trusted */
    char *keep = home ? strdup(home) : 0 ;
    if (clearenv() < 0 || (keep && setenv("QMAILHOME", keep, 1) < 0)) strerr_diefusys(111, "set up the environment") ;
    free(keep) ;
    printf("local sender %s (sendmail, qmail-inject)\n", local ? local : "nobody, give -u") ;
    caller(user(local ? local : "nobody"), 0, 0) ;
  }
  printf("files\n") ;
  check_files(&c, loaded ? &pol : 0) ;
  if (c.problems) printf("%u problem%s\n", c.problems, c.problems > 1 ? "s" : "") ;
  else printf("no problems\n") ;
  if (fflush(stdout) || ferror(stdout)) strerr_diefusys(111, "write to stdout") ;
  return !!c.problems ;
}
