/* route.c: qhpsi-check's scan route: the plugins loaded as qmail-queue
   loads them, the clamd servers asked, and an EICAR test scan run as the
   user the real scan runs as. */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <skalibs/stralloc.h>

#include "check/check.h"
#include "policy/template.h"
#include "queue/paths.h"
#include "scan/child.h"
#include "scan/plugin.h"
#include "scan/scan.h"

#define ASKMS 5000 /* a clamd that takes longer to say PONG is as good as down */

/* the EICAR test file, in two halves so that no scanner flags this source */
static char const eicar1[] = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR" ;
static char const eicar2[] = "-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*" ;

static char const *pluginfix (char const *err)
{
  if (strstr(err, "directory not owned")) return "chown root PLUGINDIR && chmod go-w PLUGINDIR (qmail-queue loads nothing from a directory others may change)" ;
  if (strstr(err, "not owned")) return "chown root PLUGIN && chmod 644 PLUGIN" ;
  if (strstr(err, "unable to open the plugin directory")) return "make install creates plugins/; PLUGINDIR must name a subdirectory of it" ;
  if (strstr(err, "unable to open")) return "a typo in QHPSI? make install puts clamd.so, clamav.so and rules.so in plugins/" ;
  if (strstr(err, "ABI")) return "rebuild the plugin against this qhpsi-plugin.h" ;
  return "rebuild or reinstall the plugin (make install)" ;
}

/* loads each plugin; *clamd set if clamd.so is among them, *unsafe if one
   may not run inside qmail-queue */
static void plugins (check *c, policy const *p, int *clamd, int *unsafe)
{
  char const *s = p->qhpsi + 7 ;
  while (*s)
  {
    size_t n = strcspn(s, " \t") ;
    char name[64] ;
    plugin pl ;
    char const *err ;
    if (!n) { s++ ; continue ; }
    snprintf(name, sizeof name, "%.*s", (int)n, s) ;
    s += n ;
    if (!plugin_load(&pl, p->plugindir, name, p->symb, 1, &err))
    {
      check_problem(c, pluginfix(err), "plugin %s in %s: %s (%s)", name, p->plugindir, err, strerror(errno)) ;
      continue ;
    }
    fprintf(c->out, "  plugin %s: loads (%s)\n", name,
      pl.p ? plugin_inprocess_safe(&pl) ? "may run inside qmail-queue" : "runs through the helper" : "legacy virusscan(), through the helper") ;
    if (!plugin_inprocess_safe(&pl)) *unsafe = 1 ;
    if (!strcmp(name, "clamd.so")) *clamd = 1 ;
    if (!strcmp(name, "rules.so"))
    {
      struct stat st ;
      if (stat(p->rules, &st) < 0)
        check_problem(c, "compile it: qhpsi-rules -o FILE ... (qhpsi-rules(8)), or set QHPSIRULES", "no rules file %s: %s", p->rules, strerror(errno)) ;
      else if (!policy_owner_ok(&st))
        check_problem(c, "chown root FILE && chmod go-w FILE", "the rules file %s is not root's or writable by others", p->rules) ;
    }
    plugin_unload(&pl) ;
  }
}

static void command (check *c, policy const *p)
{
  stralloc words = STRALLOC_ZERO, file = STRALLOC_ZERO ;
  char const *argv[TEMPLATE_MAXWORDS + 2] ;
  if (template_split(p->qhpsi, "MESSAGE", &words, argv) < 0)
    check_problem(c, "balance the quotes; at most 64 words", "QHPSI: not a command template") ;
  else if (!spawn_path(argv[0], &file))
    check_problem(c, "install it, or name it by its full path (PATH is /usr/local/bin:/usr/bin:/bin)", "QHPSI: command %s not found", argv[0]) ;
  else fprintf(c->out, "  command: %s\n", file.s) ;
  stralloc_free(&words) ;
  stralloc_free(&file) ;
}

/* every clamd of CLAMD_HOSTS, or the one of CLAMD_SOCKET */
static void servers (check *c)
{
  char const *hosts = getenv("CLAMD_HOSTS"), *sock = getenv("CLAMD_SOCKET") ;
  char const *s = hosts && *hosts ? hosts : sock && *sock ? sock : "/var/run/clamav/clamd.ctl" ;
  int list = hosts && *hosts ;
  while (*s)
  {
    char where[300], reply[256] ;
    size_t n = list ? strcspn(s, ",") : strlen(s) ;
    snprintf(where, sizeof where, "%.*s", (int)n, s) ;
    s += n ;
    if (*s == ',') s++ ;
    if (!n) continue ;
    if (!check_clamd(where, "PING", reply, sizeof reply, ASKMS) || strcmp(reply, "PONG"))
    {
      check_problem(c, "start clamd (svc -u on its service; svstat; its log/main/current says why it stopped), or correct CLAMD_SOCKET / CLAMD_HOSTS",
        "clamd %s does not answer PING: %s", where, reply) ;
      continue ;
    }
    if (check_clamd(where, "VERSION", reply, sizeof reply, ASKMS)) fprintf(c->out, "  clamd %s: PONG, %s\n", where, reply) ;
  }
}

/* the scan in a child that runs as user; the result through a pipe */
static int scanas (scanconf const *sc, char const *user, char const *path, struct qhpsi_result *r)
{
  struct passwd *pw = geteuid() ? 0 : getpwnam(user) ;
  stralloc out = STRALLOC_ZERO ;
  int p[2], wstat, fd ;
  pid_t pid ;
  if (!geteuid() && !pw) { snprintf(r->text, sizeof r->text, "no user %s", user) ; return 0 ; }
  if (pipe(p) < 0) return 0 ;
  pid = fork() ;
  if (pid < 0) { close(p[0]) ; close(p[1]) ; return 0 ; }
  if (!pid)
  {
    struct qhpsi_result res = { .verdict = QHPSI_ERROR } ;
    close(p[0]) ;
    if (pw && (setgroups(0, 0) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)) _exit(111) ;
    fd = open(path, O_RDONLY | O_CLOEXEC) ;
    if (fd < 0) strcpy(res.text, "unable to open the test file") ;
    else scan_local(sc, path, fd, sizeof eicar1 + sizeof eicar2 - 2, 0, &res) ;
    if (write(p[1], &res, sizeof res) != sizeof res) _exit(111) ;
    _exit(0) ;
  }
  close(p[1]) ;
  if (spawn_wait(pid, p[0], &out, sizeof *r, spawn_now() + (uint64_t)(sc->timeout + 5) * 1000, 0, &wstat) != 1)
  {
    close(p[0]) ;
    stralloc_free(&out) ;
    snprintf(r->text, sizeof r->text, "the test scan did not end within QHPSITIMEOUT") ;
    return 0 ;
  }
  close(p[0]) ;
  if (out.len != sizeof *r) { stralloc_free(&out) ; snprintf(r->text, sizeof r->text, "the test scan died") ; return 0 ; }
  memcpy(r, out.s, sizeof *r) ;
  r->text[sizeof r->text - 1] = 0 ;
  stralloc_free(&out) ;
  return 1 ;
}

static void testscan (check *c, policy const *p, int unsafe)
{
  char dir[] = "/tmp/qhpsi-check.XXXXXX", path[64] ;
  char const *user = p->helper || unsafe ? USER_QSCAND : USER_QMAILQ ;
  scanconf sc = { .qhpsi = p->qhpsi, .plugindir = p->plugindir, .symb = p->symb, .rc = p->rc, .rn = p->rn, .timeout = p->timeout, .sender = "" } ;
  struct qhpsi_result r = { .verdict = QHPSI_ERROR } ;
  int fd ;
  if (!mkdtemp(dir)) { check_problem(c, "make /tmp writable", "unable to make a test directory: %s", strerror(errno)) ; return ; }
  snprintf(path, sizeof path, "%s/eicar.com", dir) ;
  fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644) ;
  if (fd < 0 || chmod(dir, 0711) < 0 || write(fd, eicar1, sizeof eicar1 - 1) != sizeof eicar1 - 1
   || write(fd, eicar2, sizeof eicar2 - 1) != sizeof eicar2 - 1 || close(fd) < 0)
    check_problem(c, "make /tmp writable", "unable to write the test file: %s", strerror(errno)) ;
  else if (!scanas(&sc, user, path, &r))
    check_problem(c, "see above; a scan that cannot run is a 451 for every message", "test scan as %s: %s", user, r.text) ;
  else if (r.verdict == QHPSI_INFECTED)
    fprintf(c->out, "  test scan (EICAR, as %s): infected (%s): the scanner sees viruses\n", user, r.text) ;
  else if (r.verdict == QHPSI_CLEAN)
    check_problem(c, "a clamd that cannot write its TemporaryDirectory, or has no signatures, answers OK to everything: check clamd.conf and its log",
      "test scan (EICAR, as %s): clean: the scanner is broken", user) ;
  else
    check_problem(c, "until it scans, every message of this caller gets a temporary failure (451)",
      "test scan (EICAR, as %s): scanner error: %s", user, r.text) ;
  unlink(path) ;
  rmdir(dir) ;
}

void check_route (check *c, policy const *p)
{
  int clamd = 0, unsafe = 0 ;
  if (!p->qhpsi) return ;
  if (scan_isplugin(p->qhpsi)) plugins(c, p, &clamd, &unsafe) ;
  else command(c, p) ; /* clamdscan finds its clamd in clamd.conf: the test scan asks it */
  if (clamd) servers(c) ;
  testscan(c, p, unsafe) ;
}
