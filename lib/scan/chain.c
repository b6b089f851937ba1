/* chain.c: runs a chain of loaded plugins: in copies of this process
   (fork) that can be killed, or, when every plugin is self-contained
   (QHPSI_SELF_CONTAINED), in this process itself. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <skalibs/stralloc.h>

#include "queue/thread.h"
#include "scan/chain.h"
#include "scan/child.h"
#include "scan/confine.h"
#include "scan/fields.h"
#include "scan/wire.h"

static void settext (struct qhpsi_result *r, char const *a, char const *b)
{
  snprintf(r->text, sizeof r->text, "%s%s", a, b ? b : "") ;
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
   helper (chain_selfwatch), the helper is the watcher: it is a subreaper
   already, and kills what it holds at its parent's death, its hangup and
   its alarm (helper.c); a copy less per message. */
int chain_selfwatch = 0 ;

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
   chain_hung: a thread, because a plugin that blocks the signals would
   stop an alarm. */
static int selfcontained (plugin const *pl, unsigned int n)
{
  for (unsigned int i = 0 ; i < n ; i++)
    if (!pl[i].p || pl[i].p->abi < 3 || !(pl[i].p->flags & QHPSI_SELF_CONTAINED)) return 0 ;
  return 1 ;
}

void (*chain_hung)(void) = 0 ;

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
  if (chain_hung) (*chain_hung)() ;
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

static void forked (plugin const *pl, unsigned int n, scanconf const *c, char const *path, int fd, uint64_t size, struct qhpsi_result *r)
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
    if (chain_selfwatch) runner(pl, n, c, path, fd, size, deadline, p[1], r) ;
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


void chain_run (plugin const *pl, unsigned int n, scanconf const *c, char const *path, int fd, uint64_t size, struct qhpsi_result *r)
{
  if (!selfcontained(pl, n) || !direct(pl, n, c, path, fd, size, r)) forked(pl, n, c, path, fd, size, r) ;
}
