/* scan.c: runs the QHPSI route. Every way a scanner can fail (missing,
   crashing, hanging, babbling, answering nonsense) ends as QHPSI_ERROR. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <skalibs/stralloc.h>
#include <skalibs/types.h>

#include "queue/paths.h"
#include "scan/plugin.h"
#include "scan/scan.h"
#include "scan/child.h"
#include "scan/confine.h"
#include "scan/thread.h"
#include "scan/wire.h"
#include "policy/template.h"
#include "inspect/inspect.h"

#define OUTPUTMAX 65536 /* what is kept of a scanner's output; the rest is drained */
#define PLUGINMAX 16

static void settext (struct qhpsi_result *r, char const *a, char const *b)
{
  snprintf(r->text, sizeof r->text, "%s%s", a, b ? b : "") ;
}

int scan_isplugin (char const *qhpsi)
{
  return !strncmp(qhpsi, "plugin:", 7) ;
}

/* "...: NAME FOUND" anywhere in a scanner's output names the signature */
static void signature (stralloc const *out, struct qhpsi_result *r)
{
  size_t i = 0 ;
  while (i < out->len)
  {
    char const *line = out->s + i ;
    size_t n = 0 ;
    while (i + n < out->len && line[n] != '\n') n++ ;
    i += n + 1 ;
    if (n > 7 && !memcmp(line + n - 6, " FOUND", 6))
    {
      size_t start = n - 6 ;
      while (start > 1 && !(line[start-2] == ':' && line[start-1] == ' ')) start-- ;
      if (start <= 1) start = 0 ;
      n -= 6 ;
      if (n - start >= sizeof r->text) n = start + sizeof r->text - 1 ;
      memcpy(r->text, line + start, n - start) ;
      r->text[n - start] = 0 ;
      return ;
    }
  }
}

/* the first line of the output, for the log */
static void firstline (stralloc const *out, struct qhpsi_result *r, char const *what)
{
  size_t n = 0 ;
  while (n < out->len && out->s[n] != '\n' && n < 80) n++ ;
  snprintf(r->text, sizeof r->text, "%s%s%.*s", what, n ? ": " : "", (int)n, out->s) ;
}

static void command (scanconf const *c, char const *path, int fd, struct qhpsi_result *r)
{
  stralloc words = STRALLOC_ZERO, file = STRALLOC_ZERO, out = STRALLOC_ZERO ;
  char const *argv[TEMPLATE_MAXWORDS + 2] ;
  int p[2], fds[3], wstat ;
  pid_t pid ;
  uint64_t deadline = spawn_now() + (uint64_t)c->timeout * 1000 ;
  r->verdict = QHPSI_ERROR ;
  if (template_split(c->qhpsi, path, &words, argv) < 0) { settext(r, "bad QHPSI template", 0) ; goto end ; }
  if (!spawn_path(argv[0], &file)) { settext(r, "unable to find ", argv[0]) ; goto end ; }
  if (lseek(fd, 0, SEEK_SET) < 0 || pipe2(p, O_CLOEXEC) < 0) { settext(r, "unable to set up the scanner", 0) ; goto end ; }
  fds[0] = fd ; fds[1] = p[1] ; fds[2] = p[1] ;
  /* run by qmail-queue itself, the scanner's real uid becomes the queue
     user: the local user who submitted the message cannot signal it, and
     a scanner that drops to its real uid can still read the message */
  pid = spawn(file.s, argv, fds, SPAWN_NEWPGRP | SPAWN_REALTOEFF | SPAWN_CONFINE) ;
  close(p[1]) ;
  if (pid < 0) { close(p[0]) ; settext(r, "unable to run ", file.s) ; goto end ; }
  switch (spawn_wait(pid, p[0], &out, OUTPUTMAX, deadline, 1, &wstat))
  {
    case 1 :
      if (WIFSIGNALED(wstat))
      {
        char n[UINT_FMT] ;
        n[uint_fmt(n, WTERMSIG(wstat))] = 0 ;
        settext(r, "scanner killed by signal ", n) ;
      }
      else if (WEXITSTATUS(wstat) == c->rc) { r->verdict = QHPSI_INFECTED ; r->text[0] = 0 ; signature(&out, r) ; }
      else if (WEXITSTATUS(wstat) == c->rn) { r->verdict = QHPSI_CLEAN ; r->text[0] = 0 ; }
      else
      {
        char what[32] ;
        snprintf(what, sizeof what, "scanner exit %d", WEXITSTATUS(wstat)) ;
        firstline(&out, r, what) ;
      }
      break ;
    case 0 : settext(r, "scanner timed out", 0) ; break ;
    default : settext(r, "unable to wait for the scanner", 0) ; break ;
  }
  close(p[0]) ;
 end:
  stralloc_free(&words) ;
  stralloc_free(&file) ;
  stralloc_free(&out) ;
}

/* A spam engine runs in a child of the runner with a deadline of its own,
   short of the chain's by a quarter of the time left (at most SPAMRESERVE
   ms): one that hangs is its own error, under the spam failure policy,
   not the chain's timeout, which QHPSIFAIL decides. Its answer comes back
   through the helper's answer format, checked as qmail-queue checks it.
   A self-contained engine keeps to that deadline itself (spamdirect). */
#define SPAMRESERVE 1000
static uint64_t spamuntil (uint64_t deadline)
{
  uint64_t now = spawn_now(), left = deadline > now ? deadline - now : 0 ;
  return now + left - (left / 4 < SPAMRESERVE ? left / 4 : SPAMRESERVE) ;
}

static void spamengine (plugin const *pl, struct qhpsi_message const *msg, scanconf const *c, uint64_t deadline, struct qhpsi_result *r)
{
  stralloc out = STRALLOC_ZERO ;
  struct qhpsi_result none ;
  struct qhpsi_message m = *msg ;
  uint64_t now = spawn_now(), until = spamuntil(deadline) ;
  int p[2], wstat ;
  pid_t pid ;
  memset(r, 0, sizeof *r) ;
  r->verdict = QHPSI_ERROR ;
  if (pipe2(p, O_CLOEXEC) < 0 || (pid = fork()) < 0) { snprintf(r->text, sizeof r->text, "unable to run the spam engine") ; return ; }
  if (!pid)
  {
    struct qhpsi_result one, clean = { .verdict = QHPSI_CLEAN } ;
    close(p[0]) ;
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) _exit(111) ;
    m.timeout_ms = until > now ? until - now : 1 ;
    plugin_scan(pl, &m, c->rc, c->rn, &one) ;
    /* a virus it finds is a virus: the answer's virus part */
    _exit((one.verdict == QHPSI_INFECTED ? wire_report(p[1], &one, 0) : wire_report(p[1], &clean, &one)) ? 0 : 111) ;
  }
  close(p[1]) ;
  /* the child is in our process group: it alone is killed */
  switch (spawn_wait(pid, p[0], &out, WIRE_ANSWERMAX, until, 0, &wstat))
  {
    case 1 :
      if (WIFEXITED(wstat) && !WEXITSTATUS(wstat) && wire_parse(out.s, out.len, &none, r))
      {
        if (none.verdict == QHPSI_INFECTED) { *r = none ; break ; }
        if (none.verdict == QHPSI_CLEAN && scan_spamran(r)) break ;
      }
      memset(r, 0, sizeof *r) ;
      r->verdict = QHPSI_ERROR ;
      snprintf(r->text, sizeof r->text, "spam engine %s gave no answer", pl->name) ;
      break ;
    case 0 : snprintf(r->text, sizeof r->text, "spam engine %s timed out", pl->name) ; break ;
    default : snprintf(r->text, sizeof r->text, "unable to wait for the spam engine") ; break ;
  }
  close(p[0]) ;
  stralloc_free(&out) ;
}

/* the same answer from an engine run here: a virus, a score or an error */
static void spamdirect (plugin const *pl, struct qhpsi_message const *msg, scanconf const *c, uint64_t deadline, struct qhpsi_result *r)
{
  struct qhpsi_message m = *msg ;
  uint64_t now = spawn_now(), until = spamuntil(deadline) ;
  m.timeout_ms = until > now ? until - now : 1 ;
  plugin_scan(pl, &m, c->rc, c->rn, r) ;
  if (r->verdict == QHPSI_INFECTED || (r->verdict != QHPSI_CLEAN && r->verdict != QHPSI_SPAM) || scan_spamran(r)) return ;
  memset(r, 0, sizeof *r) ;
  r->verdict = QHPSI_ERROR ;
  snprintf(r->text, sizeof r->text, "spam engine %s gave no answer", pl->name) ;
}

/* Plugins may do anything with signals, alarms and children, and may
   check who owns their files (which a user namespace would hide): so the
   chain runs in a copy of this process (the runner) under another copy
   (the watcher), a child subreaper: everything the chain starts, whatever
   it does with sessions and groups, comes back to the watcher, which
   kills it all when the chain has answered, or when we go (SIGTERM at our
   death, which a plugin cannot block: it is not the plugin's process).
   The deadline kills both; what they leave comes back to us. In the
   helper (scan_selfwatch), the helper is the watcher: it is a subreaper
   already, and kills what it holds at its parent's death, its hangup and
   its alarm (helper.c); a copy less per message. */
int scan_selfwatch = 0 ;

static volatile sig_atomic_t ended = 0 ;
static void sigended (int sig) { (void)sig ; ended = 1 ; }

/* runs the chain: the virus part in r, the spam part in spam */
static void run (plugin const *pl, unsigned int n, scanconf const *c, char const *path, int fd, uint64_t size, uint64_t deadline, int direct, struct qhpsi_result *r, struct qhpsi_result *spam)
{
  char host[QHPSI_REPLYLEN] = "" ;
  struct qhpsi_result one ;
  memset(r, 0, sizeof *r) ;
  memset(spam, 0, sizeof *spam) ;
  for (unsigned int i = 0 ; i < n ; i++)
  {
    uint64_t now = spawn_now() ;
    int engine = plugin_spamengine(&pl[i]) ;
    struct qhpsi_message m = { .fd = fd, .size = size, .path = path, .timeout_ms = now < deadline ? deadline - now : 1,
      .sender = c->sender ? c->sender : "", .rcpts = c->rcpts, .nrcpts = c->nrcpts, .remoteip = c->remoteip,
      .qid = c->f.qid, .authuser = c->f.authuser, .settings = c->f.settings, .spamuser = c->f.spamuser, .mflags = c->f.mflags } ;
    /* a spam engine runs when the policy scores and none has scored yet */
    if (engine && (!c->spam || c->f.noscore || spam->flags & QHPSI_RESULT_SCORED)) continue ;
    lseek(fd, 0, SEEK_SET) ;
    if (engine) (direct ? spamdirect : spamengine)(&pl[i], &m, c, deadline, &one) ;
    else plugin_scan(&pl[i], &m, c->rc, c->rn, &one) ;
    /* a spam engine's answer is kept apart and the chain goes on; a
       virus it finds is a virus */
    if (engine && one.verdict != QHPSI_INFECTED) { *spam = one ; continue ; }
    *r = one ;
    if (r->flags & QHPSI_RESULT_SERVER) memcpy(host, r->reply, sizeof host) ;
    if (r->verdict != QHPSI_CLEAN) break ;
  }
  /* the log names the server that answered, even when a later plugin of
     the chain, which asked none, gave the result */
  if (host[0] && !r->reply[0]) { memcpy(r->reply, host, sizeof host) ; r->flags |= QHPSI_RESULT_SERVER ; }
}

/* runs the chain, answers on answer, and exits */
static void runner (plugin const *pl, unsigned int n, scanconf const *c, char const *path, int fd, uint64_t size, uint64_t deadline, int answer, struct qhpsi_result *r)
{
  struct qhpsi_result spam ;
  run(pl, n, c, path, fd, size, deadline, 0, r, &spam) ;
  _exit(wire_report(answer, r, c->spam ? &spam : 0) ? 0 : 111) ;
}

static void watcher (plugin const *pl, unsigned int n, scanconf const *c, char const *path, int fd, uint64_t size, uint64_t deadline, int answer, struct qhpsi_result *r)
{
  struct sigaction sa = { .sa_handler = sigended } ;
  sigset_t term, old ;
  pid_t parent = getppid(), me = getpid(), pid ;
  int w = 0, pidfd ;
  sigemptyset(&term) ;
  sigaddset(&term, SIGTERM) ;
  if (sigprocmask(SIG_BLOCK, &term, &old) < 0 || sigaction(SIGTERM, &sa, 0) < 0
   || prctl(PR_SET_CHILD_SUBREAPER, 1) < 0 || prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent) _exit(111) ;
  pid = fork() ;
  if (pid < 0) _exit(111) ;
  if (!pid)
  {
    sigprocmask(SIG_SETMASK, &old, 0) ;
    signal(SIGTERM, SIG_DFL) ;
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != me) _exit(111) ;
    runner(pl, n, c, path, fd, size, deadline, answer, r) ;
  }
  close(answer) ;
  pidfd = syscall(SYS_pidfd_open, pid, 0) ;
  for (;;)
  {
    struct pollfd p = { .fd = pidfd, .events = POLLIN } ;
    if (ended) break ;
    if (waitpid(pid, &w, WNOHANG) == pid) { pid = 0 ; break ; }
    /* SIGTERM only gets through while we sleep here */
    if (ppoll(&p, pidfd >= 0, pidfd >= 0 ? 0 : &(struct timespec){ 0, 10000000 }, &old) < 0 && errno != EINTR) break ;
  }
  if (pid) { kill(pid, SIGKILL) ; waitpid(pid, &w, 0) ; w = 111 << 8 ; }
  confine_reap() ;
  /* the runner's end is ours: a signal that killed it kills us */
  if (WIFSIGNALED(w))
  {
    signal(WTERMSIG(w), SIG_DFL) ;
    sigprocmask(SIG_UNBLOCK, &term, 0) ;
    raise(WTERMSIG(w)) ;
  }
  _exit(WIFEXITED(w) ? WEXITSTATUS(w) : 111) ;
}

/* A chain of self-contained plugins (QHPSI_SELF_CONTAINED) runs here,
   with no copy of this process around it: two forks were most of what a
   plugin scan cost past the scan (make bench). What the copies guarantee
   holds still: no process can be made while the chain runs (the soft
   limit on processes is 0; root's real id is not held to it, and for
   that, we are a subreaper and kill whatever is left when it is done);
   the deadline is the plugins' own, and a watchdog thread ends one that
   does not keep to it a second later, and the whole run with it, through
   scan_hung: a thread, because a plugin that blocks the signals would
   stop an alarm. */
static int selfcontained (plugin const *pl, unsigned int n)
{
  for (unsigned int i = 0 ; i < n ; i++)
    if (!pl[i].p || pl[i].p->abi < 3 || !(pl[i].p->flags & QHPSI_SELF_CONTAINED)) return 0 ;
  return 1 ;
}

void (*scan_hung)(void) = 0 ;

/* the watchdog: a thread, which no signal mask of a plugin's can stop */
struct watchdog { uint64_t until ; int fd ; pthread_t t ; } ;
static void *watch (void *arg)
{
  struct watchdog *w = arg ;
  for (;;)
  {
    /* and whoever waits for the answer: gone, so is the point of the scan */
    struct pollfd p[2] = { { .fd = w->fd, .events = POLLIN }, { .fd = spawn_hangupfd, .events = 0 } } ;
    uint64_t now = spawn_now() ;
    if (now >= w->until) break ;
    if (poll(p, 1 + (spawn_hangupfd >= 0), w->until - now > 60000 ? 60000 : (int)(w->until - now)) <= 0) continue ;
    if (p[0].revents) return 0 ;
    if (p[1].revents & (POLLERR | POLLHUP | POLLNVAL)) break ;
  }
  if (scan_hung) (*scan_hung)() ;
  _exit(111) ;
}

static int watchstart (struct watchdog *w, uint64_t until)
{
  w->until = until ;
  w->fd = eventfd(0, EFD_CLOEXEC) ;
  if (w->fd < 0) return 0 ;
  if (!thread_start(&w->t, &watch, w)) { close(w->fd) ; return 0 ; }
  return 1 ;
}

static void watchstop (struct watchdog *w)
{
  uint64_t one = 1 ;
  if (write(w->fd, &one, sizeof one) < 0) { }
  pthread_join(w->t, 0) ;
  close(w->fd) ;
}

/* 0 if it could not set up, having run nothing: the copies then */
static int direct (plugin const *pl, unsigned int n, scanconf const *c, char const *path, int fd, uint64_t size, struct qhpsi_result *r)
{
  struct qhpsi_result spam ;
  struct rlimit old, none ;
  struct watchdog w ;
  uint64_t deadline = spawn_now() + (uint64_t)c->timeout * 1000 ;
  int limited ;
  /* the watchdog first: with the limit, no thread could be made */
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0 || getrlimit(RLIMIT_NPROC, &old) < 0 || !watchstart(&w, deadline + 1000)) return 0 ;
  none = old ;
  none.rlim_cur = 0 ;
  limited = !setrlimit(RLIMIT_NPROC, &none) ;
  run(pl, n, c, path, fd, size, deadline, 1, r, &spam) ;
  if (limited && setrlimit(RLIMIT_NPROC, &old) < 0) { memset(r, 0, sizeof *r) ; r->verdict = QHPSI_ERROR ; settext(r, "unable to restore the process limit", 0) ; }
  watchstop(&w) ;
  if (c->spam) *c->spam = spam ;
  /* what was started all the same (by root, whom the limit does not
     hold) is ours now, or was: killed; no child at all, nothing to read */
  if (waitpid(-1, 0, WNOHANG | __WALL) >= 0 || errno != ECHILD) confine_reap() ;
  return 1 ;
}

static void chain (plugin const *pl, unsigned int n, scanconf const *c, char const *path, int fd, uint64_t size, struct qhpsi_result *r)
{
  stralloc out = STRALLOC_ZERO ;
  uint64_t deadline = spawn_now() + (uint64_t)c->timeout * 1000 ;
  int p[2], wstat ;
  pid_t pid ;
  if (pipe2(p, O_CLOEXEC) < 0 || prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) { settext(r, "unable to set up the scan", 0) ; return ; }
  /* the submitter of the message may not signal them: the ids of the
     queue user (or qscand), all of them */
  pid = spawn_fork(SPAWN_NEWPGRP | SPAWN_REALTOEFF) ;
  if (pid < 0) { close(p[0]) ; close(p[1]) ; settext(r, "unable to fork", 0) ; return ; }
  if (!pid)
  {
    close(p[0]) ;
    if (scan_selfwatch) runner(pl, n, c, path, fd, size, deadline, p[1], r) ;
    watcher(pl, n, c, path, fd, size, deadline, p[1], r) ;
  }
  close(p[1]) ;
  switch (spawn_wait(pid, p[0], &out, WIRE_ANSWERMAX, deadline, 1, &wstat))
  {
    case 1 :
      if (!WIFEXITED(wstat) || WEXITSTATUS(wstat) || !wire_parse(out.s, out.len, r, c->spam))
      {
        r->verdict = QHPSI_ERROR ;
        if (c->spam) memset(c->spam, 0, sizeof *c->spam) ;
        if (WIFSIGNALED(wstat)) snprintf(r->text, sizeof r->text, "plugin killed by signal %d", WTERMSIG(wstat)) ;
        else settext(r, "plugin gave no verdict", 0) ;
      }
      break ;
    case 0 : snprintf(r->text, sizeof r->text, "plugin timed out after %u s", c->timeout) ; break ;
    default : settext(r, "unable to wait for the plugin", 0) ; break ;
  }
  /* at the deadline, what the watcher could not end came back to us */
  confine_reap() ;
  close(p[0]) ;
  stralloc_free(&out) ;
}

/* loads every plugin first: an unsafe one sends the whole chain to the helper */
static int plugins (scanconf const *c, char const *path, int fd, uint64_t size, int inprocess, struct qhpsi_result *r)
{
  plugin pl[PLUGINMAX] ;
  char names[1024] ;
  char *name, *save ;
  unsigned int n = 0 ;
  int done = 1 ;
  r->verdict = QHPSI_ERROR ;
  r->text[0] = 0 ;
  if (strlen(c->qhpsi + 7) >= sizeof names) { settext(r, "QHPSI too long", 0) ; return 1 ; }
  strcpy(names, c->qhpsi + 7) ;
  for (name = strtok_r(names, " \t", &save) ; name ; name = strtok_r(0, " \t", &save))
  {
    char const *err ;
    if (n == PLUGINMAX) { settext(r, "too many plugins", 0) ; goto end ; }
    if (!plugin_load(&pl[n], c->plugindir, name, c->symb, 1, &err))
    {
      snprintf(r->text, sizeof r->text, "%s: %s: %s", name, err, strerror(errno)) ;
      goto end ;
    }
    n++ ;
    if (inprocess && !plugin_inprocess_safe(&pl[n-1])) { done = 0 ; goto end ; }
  }
  if (!n) { settext(r, "no plugin named", 0) ; goto end ; }
  if (!selfcontained(pl, n) || !direct(pl, n, c, path, fd, size, r)) chain(pl, n, c, path, fd, size, r) ;
 end:
  while (n--) plugin_unload(&pl[n]) ;
  return done ;
}

/* what the scanners found clean is inspected for what they could not see;
   here, so that it runs where they ran: in the helper as qscand, or here */
static void inspect (int fd, uint64_t size, struct qhpsi_result *r)
{
  inspect_conf ic ;
  if (r->verdict != QHPSI_CLEAN) return ;
  inspect_conf_env(&ic) ;
  if (!inspect_message(&ic, fd, size, r))
  {
    r->verdict = QHPSI_ERROR ;
    snprintf(r->text, sizeof r->text, "unable to inspect the message: %s", strerror(errno)) ;
  }
}

int scan_local (scanconf const *c, char const *path, int fd, uint64_t size, int inprocess, struct qhpsi_result *r)
{
  memset(r, 0, sizeof *r) ;
  if (c->spam) memset(c->spam, 0, sizeof *c->spam) ;
  if (scan_isplugin(c->qhpsi)) { if (!plugins(c, path, fd, size, inprocess, r)) return 0 ; }
  else command(c, path, fd, r) ;
  inspect(fd, size, r) ;
  return 1 ;
}

void scan_helper (scanconf const *c, char const *helper, char const *subdir, char const *path, int fd, struct qhpsi_result *r)
{
  stralloc out = STRALLOC_ZERO ;
  char timeout[UINT_FMT], rc[UINT_FMT], rn[UINT_FMT] ;
  char const *argv[] = { "qhpsi", c->qhpsi, path, timeout, rc, rn, subdir, c->symb, 0 } ;
  int p[2], fds[4], wstat, efd = -1 ;
  pid_t pid ;
  /* the helper enforces the timeout itself; this is the backstop */
  uint64_t deadline = spawn_now() + (uint64_t)c->timeout * 1000 + 3000 ;
  timeout[uint_fmt(timeout, c->timeout)] = 0 ;
  rc[uint_fmt(rc, c->rc)] = 0 ;
  rn[uint_fmt(rn, c->rn)] = 0 ;
  memset(r, 0, sizeof *r) ;
  r->verdict = QHPSI_ERROR ;
  if (c->spam) memset(c->spam, 0, sizeof *c->spam) ;
  /* the envelope goes on fd 3, above whatever spawnx moves first */
  if (c->sender)
  {
    int e = wire_writeenvelope(c->sender, c->rcpts, c->nrcpts, c->spam ? &c->f : 0) ;
    if (e >= 0) { efd = fcntl(e, F_DUPFD_CLOEXEC, 4) ; close(e) ; }
    if (efd < 0) { settext(r, "unable to pass the envelope", 0) ; return ; }
  }
  if (lseek(fd, 0, SEEK_SET) < 0 || pipe2(p, O_CLOEXEC) < 0)
  {
    if (efd >= 0) close(efd) ;
    settext(r, "unable to set up the helper", 0) ;
    return ;
  }
  fds[0] = fd ; fds[1] = p[1] ; fds[2] = 2 ; fds[3] = efd ;
  pid = spawnx(helper, argv, fds, efd >= 0 ? 4 : 3, SPAWN_NEWPGRP | SPAWN_REALTOEFF) ;
  close(p[1]) ;
  if (efd >= 0) close(efd) ;
  if (pid < 0) { close(p[0]) ; settext(r, "unable to run the helper ", helper) ; return ; }
  switch (spawn_wait(pid, p[0], &out, WIRE_ANSWERMAX, deadline, 1, &wstat))
  {
    case 1 :
      if (WIFEXITED(wstat) && !WEXITSTATUS(wstat) && wire_parse(out.s, out.len, r, c->spam)) break ;
      r->verdict = QHPSI_ERROR ;
      if (c->spam) memset(c->spam, 0, sizeof *c->spam) ;
      if (WIFSIGNALED(wstat)) settext(r, "helper killed", 0) ;
      else settext(r, "helper failed", 0) ;
      break ;
    case 0 : settext(r, "helper timed out", 0) ; break ;
    default : settext(r, "unable to wait for the helper", 0) ; break ;
  }
  close(p[0]) ;
  stralloc_free(&out) ;
}
