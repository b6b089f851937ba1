/* tests/unit/spampolicy.c: each recipient's spam rule from a
   control/qhpsispam.cdb made by qhpsi-spamrules' compiler (and one made by
   tcprules), the rule for several recipients, 10,000 recipients, and the
   cdbs that must stop the message (EPROTO): not root's, writable, a
   symbolic link, not a cdb, damaged, a bad value. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/cdbmake.h>
#include "queue/paths.h"
#include "policy/spampolicy.h"
#include "policy/spamrules.h"
#include "policy/spamscore.h"
#include "unit.h"

static char dir[] = "/tmp/qhpsi-spampolicy.XXXXXX" ;

static char const rules[] =
  "# the hoster's rules\n"
  "Joe@Example.com:allow,QHPSISPAMREFUSE=\"7.5\",QHPSISPAMUSER=%a\n"
  "example.com:QHPSISPAMTAG=5,QHPSISPAMREFUSE=10,QHPSISPAMSETTINGS=\"inbound\",QHPSISPAMUSER=%l\n"
  ".example.com:allow,QHPSISPAM=\"0\"\n"
  "my-domain.org:QHPSISPAMTAG=3,QHPSISPAMREFUSE=6,QHPSISPAMSETTINGS=strict\n"
  "sub.my-domain.org:QHPSISPAMTAG=4\n"
  "tagonly.net:QHPSISPAMTAG=2\n"
  "off.net:QHPSISPAM=0\n"
  ":allow,QHPSISPAMTAG=\"6\",QHPSISPAMREFUSE=\"15\"\n" ;

static int writecdb (char const *text)
{
  unsigned int line ;
  char const *why ;
  int ok, fd = open("control/qhpsispam.cdb", O_WRONLY | O_CREAT | O_TRUNC, 0644) ;
  if (fd < 0) return 0 ;
  ok = spamrules_make(text, strlen(text), fd, &line, &why) ;
  return !close(fd) && ok ;
}

/* an envelope of sender and the recipients, NULL-terminated */
static void mkenv (envelope *e, char const *const *rcpts)
{
  e->sa.len = 0 ;
  stralloc_catb(&e->sa, "Fsender@example.org", 20) ;
  e->rcptpos = e->sa.len ;
  e->nrcpt = 0 ;
  for (; *rcpts ; rcpts++, e->nrcpt++)
  {
    stralloc_catb(&e->sa, "T", 1) ;
    stralloc_catb(&e->sa, *rcpts, strlen(*rcpts) + 1) ;
  }
}

static policy P ;
static envelope E = ENVELOPE_ZERO ;

/* resolves rcpts, then decides for a scored result of score (thousandths) */
static int run (spampolicy *sp, char const *const *rcpts)
{
  mkenv(&E, rcpts) ;
  return spampolicy_resolve(&P, &E, sp) ;
}

static enum spam_do decide (spampolicy const *sp, int verdict, int32_t score, uint32_t action)
{
  struct qhpsi_result r ;
  memset(&r, 0, sizeof r) ;
  r.verdict = verdict ;
  r.flags = QHPSI_RESULT_SCORED ;
  r.score = score ;
  r.action = action ;
  return spampolicy_decide(sp, &r) ;
}

static void one (char const *rcpt, int score, int32_t tag, int32_t refuse, char const *settings, char const *user, char const *what)
{
  spampolicy sp ;
  char const *r[] = { rcpt, 0 } ;
  int ok = run(&sp, r) ;
  CHECK(ok, what) ;
  if (!ok) return ;
  CHECK(sp.nrules == 1 && sp.score == score, what) ;
  CHECK(!score || (sp.rules[0].hastag ? sp.rules[0].tag : -1) == tag, what) ;
  CHECK(!score || (sp.rules[0].hasrefuse ? sp.rules[0].refuse : -1) == refuse, what) ;
  CHECK(settings ? sp.settings && !strcmp(sp.settings, settings) : !sp.settings, what) ;
  CHECK(user ? sp.user && !strcmp(sp.user, user) : !sp.user, what) ;
  spampolicy_free(&sp) ;
}

static void badcdb (char const *what)
{
  spampolicy sp ;
  char const *r[] = { "joe@example.com", 0 } ;
  errno = 0 ;
  CHECK(!run(&sp, r) && errno == EPROTO, what) ;
  CHECK(sp.why && !strncmp(sp.why, "control/qhpsispam.cdb: ", 23), what) ;
}

int main (void)
{
  spampolicy sp ;
  if (!mkdtemp(dir) || chdir(dir) < 0 || mkdir("control", 0755) < 0) { perror("setup") ; return 1 ; }
  paths_home = dir ;  /* as QMAILHOME would */
  memset(&P, 0, sizeof P) ;
  P.spamfailaccept = 1 ;
  P.spamsettings = "global" ;
  {
    int32_t t ;
    CHECK(spamscore_scan("7.5", 3, &t) && t == 7500, "7.5 is 7500") ;
    CHECK(spamscore_scan("-0.25", 5, &t) && t == -250, "-0.25") ;
    CHECK(!spamscore_scan("1.2345", 6, &t) && !spamscore_scan("", 0, &t) && !spamscore_scan(".", 1, &t) && !spamscore_scan("5x", 2, &t), "bad scores refused") ;
    CHECK(!spamscore_scan("100001", 6, &t) && spamscore_scan("100000", 6, &t), "scores bounded") ;
    CHECK(!spamscore_settingsok("a b", 3) && !spamscore_settingsok("a\nb", 3) && spamscore_settingsok("dkim_out-1.x", 12), "Settings-ID characters") ;
    CHECK(!spamscore_userok("jo e", 4) && !spamscore_userok("jo\re", 4) && spamscore_userok("joe@example.com", 15), "user names") ;
  }
  /* no cdb: the defaults for everyone */
  one("joe@example.com", 1, -1, -1, "global", 0, "no cdb: p's defaults") ;
  P.spamoff = 1 ;
  one("joe@example.com", 0, -1, -1, "global", 0, "no cdb, QHPSISPAM=0: not scored") ;
  P.spamoff = 0 ;
  CHECK(writecdb(rules), "qhpsi-spamrules' compiler") ;
  one("joe@example.com", 1, -1, 7500, "global", "joe@example.com", "the address (lowercased key): its rule alone, over the defaults") ;
  one("JOE@EXAMPLE.COM", 1, -1, 7500, "global", "joe@example.com", "the address, whatever its case") ;
  one("ann@Example.com", 1, 5000, 10000, "inbound", "ann", "the domain; %l is the local part") ;
  one("ann@mail.example.com", 0, -1, -1, "global", 0, ".example.com: subdomains") ;
  one("ann@a.b.example.com", 0, -1, -1, "global", 0, ".example.com: deeper subdomains") ;
  one("ann@my-domain.org", 1, 3000, 6000, "strict", 0, "a domain with a hyphen") ;
  one("ann@sub.my-domain.org", 1, 4000, -1, "global", 0, "a subdomain's own rule, not the default's") ;
  one("ann@x.sub.my-domain.org", 1, 6000, 15000, "global", 0, "no parent rule but the default") ;
  one("ann@elsewhere.test", 1, 6000, 15000, "global", 0, "the default rule") ;
  one("postmaster", 1, 6000, 15000, "global", 0, "an address without a domain: the default") ;

  /* several recipients */
  {
    char const *r[] = { "ann@example.com", "bob@my-domain.org", "joe@example.com", "x@off.net", 0 } ;
    CHECK(run(&sp, r) && sp.score && sp.nrules == 4, "four recipients, four rules") ;
    CHECK(sp.settings && !strcmp(sp.settings, "global"), "settings disagree: the default") ;
    CHECK(!sp.user, "users disagree: none") ;
    CHECK(decide(&sp, QHPSI_SPAM, 20000, 0) == SPAM_REFUSE, "20: every scored rule refuses") ;
    CHECK(decide(&sp, QHPSI_SPAM, 9000, 0) == SPAM_TAG, "9: example.com's rule only tags: tagged") ;
    CHECK(decide(&sp, QHPSI_CLEAN, 5500, 0) == SPAM_TAG, "5.5: some rule tags") ;
    CHECK(decide(&sp, QHPSI_CLEAN, 2000, 0) == SPAM_HAM, "2: no rule tags") ;
    CHECK(decide(&sp, QHPSI_SPAM, 2000, QHPSI_ACTION_TEMPFAIL) == SPAM_TAG, "thresholds set: the engine's soft reject is a tag (joe's rule has no tag threshold)") ;
    CHECK(decide(&sp, QHPSI_CLEAN, 2000, 0) == SPAM_HAM, "and no spam verdict, no tag") ;
    spampolicy_free(&sp) ;
  }
  {
    char const *r[] = { "bob@my-domain.org", "x@off.net", "y@mail.example.com", 0 } ;
    CHECK(run(&sp, r) && sp.score, "one scored among unscored") ;
    CHECK(sp.settings && !strcmp(sp.settings, "strict"), "one scored rule: its settings") ;
    CHECK(decide(&sp, QHPSI_SPAM, 6000, 0) == SPAM_REFUSE, "the unscored recipients do not hold a refusal back") ;
    spampolicy_free(&sp) ;
  }
  {
    char const *r[] = { "x@off.net", "y@mail.example.com", 0 } ;
    CHECK(run(&sp, r) && !sp.score, "no recipient scored: no scan") ;
    spampolicy_free(&sp) ;
  }
  {
    char const *r[] = { "a@tagonly.net", "b@my-domain.org", 0 } ;
    CHECK(run(&sp, r) && decide(&sp, QHPSI_SPAM, 50000, QHPSI_ACTION_REFUSE) == SPAM_TAG, "a rule without QHPSISPAMREFUSE never refuses by score: tagged") ;
    spampolicy_free(&sp) ;
  }
  {
    char const *r[] = { "ann@example.com", "ann@EXAMPLE.com", 0 } ;
    CHECK(run(&sp, r) && sp.user && !strcmp(sp.user, "ann") && sp.nrules == 1 && sp.rules[0].nrcpt == 2, "users agree: theirs") ;
    spampolicy_free(&sp) ;
  }
  /* no thresholds anywhere: the engine decides */
  CHECK(writecdb("example.com:QHPSISPAMSETTINGS=a\n:QHPSISPAMSETTINGS=b\n"), "rules without thresholds") ;
  {
    char const *r[] = { "joe@example.com", "kim@other.test", 0 } ;
    CHECK(run(&sp, r) && sp.nrules == 2, "two rules") ;
    CHECK(decide(&sp, QHPSI_SPAM, 3000, QHPSI_ACTION_TEMPFAIL) == SPAM_TEMPFAIL, "soft reject: 71") ;
    CHECK(decide(&sp, QHPSI_SPAM, 3000, QHPSI_ACTION_BLACKHOLE) == SPAM_BLACKHOLE, "discard") ;
    CHECK(decide(&sp, QHPSI_SPAM, 3000, QHPSI_ACTION_TRAP) == SPAM_TRAP, "quarantine") ;
    CHECK(decide(&sp, QHPSI_SPAM, 3000, QHPSI_ACTION_REFUSE) == SPAM_REFUSE, "reject") ;
    CHECK(decide(&sp, QHPSI_SPAM, 3000, QHPSI_ACTION_TAG) == SPAM_TAG, "add header") ;
    CHECK(decide(&sp, QHPSI_CLEAN, 3000, 0) == SPAM_HAM, "no action") ;
    spampolicy_free(&sp) ;
  }
  /* outbound: its own settings */
  P.outbound = 1 ; P.spamoutsettings = "dkim_out" ;
  one("joe@example.com", 1, -1, -1, "dkim_out", 0, "outbound: QHPSISPAMOUTSETTINGS") ;
  P.outbound = 0 ;
  one("joe@example.com", 1, -1, -1, "a", 0, "inbound: the rule's") ;

  /* 10,000 recipients in 2,500 domains */
  {
    static char addr[10000][40] ;
    static char const *r[10001] ;
    struct timespec a, b ;
    double ms ;
    char text[200000] ;
    size_t n = 0 ;
    for (unsigned int d = 0 ; d < 2500 ; d += 2)
      n += snprintf(text + n, sizeof text - n, "d%u.example-hoster.net:QHPSISPAMTAG=%u\n", d, d % 10) ;
    snprintf(text + n, sizeof text - n, ".example-hoster.net:QHPSISPAM=0\n") ;
    CHECK(writecdb(text), "1,251 rules") ;
    for (unsigned int i = 0 ; i < 10000 ; i++)
    {
      snprintf(addr[i], sizeof addr[i], "u%u@D%u.example-hoster.net", i, i % 2500) ;
      r[i] = addr[i] ;
    }
    r[10000] = 0 ;
    clock_gettime(CLOCK_MONOTONIC, &a) ;
    CHECK(run(&sp, r), "10,000 recipients") ;
    clock_gettime(CLOCK_MONOTONIC, &b) ;
    ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6 ;
    printf("# 10,000 recipients, 2,500 domains: %.2f ms\n", ms) ;
    CHECK(sp.nrules == 1251, "one rule per distinct entry") ;
    {
      uint32_t scored = 0, off = 0 ;
      for (uint32_t i = 0 ; i < sp.nrules ; i++) *(sp.rules[i].score ? &scored : &off) += sp.rules[i].nrcpt ;
      CHECK(scored == 5000 && off == 5000, "half the recipients scored, half not") ;
    }
    CHECK(decide(&sp, QHPSI_CLEAN, 9000, 0) == SPAM_TAG && decide(&sp, QHPSI_CLEAN, 0, 0) == SPAM_TAG, "tagged (threshold 0 in d0)") ;
    CHECK(ms < 200, "in under 200 ms") ;
    spampolicy_free(&sp) ;
  }

  /* tcprules' own cdbs read the same, where tcprules can write the keys */
  if (system("printf 'example.com:allow,QHPSISPAMTAG=\"4\"\\n:allow,QHPSISPAM=\"0\"\\n' | tcprules control/qhpsispam.cdb control/t.tmp") == 0)
  {
    one("x@example.com", 1, 4000, -1, "global", 0, "a cdb made by tcprules") ;
    one("x@example.net", 0, -1, -1, "global", 0, "a cdb made by tcprules: its default") ;
  }
  else CHECK(0, "tcprules") ;

  /* unusable cdbs: never "no policy" */
  CHECK(writecdb(rules) && chmod("control/qhpsispam.cdb", 0664) == 0, "group-writable") ;
  badcdb("a group-writable cdb") ;
  chmod("control/qhpsispam.cdb", 0644) ;
  if (!getuid())
  {
    CHECK(chown("control/qhpsispam.cdb", 65534, 65534) == 0, "chown") ;
    badcdb("a cdb owned by nobody") ;
    CHECK(chown("control/qhpsispam.cdb", 0, 0) == 0, "chown back") ;
  }
  CHECK(rename("control/qhpsispam.cdb", "control/real.cdb") == 0 && symlink("real.cdb", "control/qhpsispam.cdb") == 0, "symlink") ;
  badcdb("a symbolic link") ;
  unlink("control/qhpsispam.cdb") ;
  CHECK(mkdir("control/qhpsispam.cdb", 0755) == 0, "directory") ;
  badcdb("a directory") ;
  rmdir("control/qhpsispam.cdb") ;
  CHECK(system("head -c 100 control/real.cdb > control/qhpsispam.cdb") == 0, "truncated") ;
  badcdb("a truncated cdb") ;
  CHECK(system("printf 'garbage' > control/qhpsispam.cdb") == 0, "garbage") ;
  badcdb("not a cdb") ;
  CHECK(system("head -c 4096 /dev/zero > control/qhpsispam.cdb") == 0, "zeros") ;
  {
    /* zeros make a cdb with no keys: fine, and nothing matches */
    one("joe@example.com", 1, -1, -1, "global", 0, "an empty cdb: the defaults") ;
  }
  {
    cdbmaker cm = CDBMAKER_ZERO ;
    int fd = open("control/qhpsispam.cdb", O_WRONLY | O_TRUNC) ;
    static char const data[] = "+QHPSISPAMTAG=lots" ;
    CHECK(fd >= 0 && cdbmake_start(&cm, fd) && cdbmake_add(&cm, "example.com", 11, data, sizeof data) && cdbmake_finish(&cm) && !close(fd), "craft") ;
    badcdb("a bad value in the cdb") ;
    fd = open("control/qhpsispam.cdb", O_WRONLY | O_TRUNC) ;
    static char const data2[] = "+QHPSISPAMSETTINGS=a\nb" ;
    CHECK(fd >= 0 && cdbmake_start(&cm, fd) && cdbmake_add(&cm, "", 0, data2, sizeof data2) && cdbmake_finish(&cm) && !close(fd), "craft") ;
    badcdb("a newline in a Settings-ID") ;
    fd = open("control/qhpsispam.cdb", O_WRONLY | O_TRUNC) ;
    static char const data3[] = "+QHPSISPAMTAG=5" ;  /* no final NUL */
    CHECK(fd >= 0 && cdbmake_start(&cm, fd) && cdbmake_add(&cm, "", 0, data3, sizeof data3 - 1) && cdbmake_finish(&cm) && !close(fd), "craft") ;
    badcdb("an entry without its NUL") ;
  }
  /* the compiler's refusals */
  {
    unsigned int line ;
    char const *why ;
    int fd = open("/dev/null", O_WRONLY) ;
    CHECK(!spamrules_make("a.com:QHPSISPAMTAG=5\nb.com:QHPSIFAIL=accept\n", 42, fd, &line, &why) && line == 2 && why, "a variable that is no rule's: line 2") ;
    CHECK(!spamrules_make("a b.com:QHPSISPAM=1\n", 20, fd, &line, &why) && line == 1, "a blank in a key") ;
    CHECK(!spamrules_make("a.com:QHPSISPAMUSER=\"x y\"\n", 26, fd, &line, &why) && line == 1, "a blank in a user") ;
    CHECK(!spamrules_make("a.com:deny\n", 11, fd, &line, &why) && line == 1, "deny means nothing here") ;
    CHECK(!spamrules_make("a@b@c:QHPSISPAM=1\n", 18, fd, &line, &why) && line == 1, "two @") ;
    close(fd) ;
  }
  CHECK(system("rm -rf control") == 0 && chdir("/") == 0 && rmdir(dir) == 0, "cleaned up") ;
  return UNIT_END() ;
}
