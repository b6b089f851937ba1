/* child.c: vfork+exec with error reporting, fork into namespaces, and a
   deadline-bound wait that watches the child through a pidfd while
   draining its output. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <skalibs/stralloc.h>

#include "scan/child.h"
#include "scan/confine.h"

extern char **environ ;

pid_t volatile spawn_group = 0 ;
int spawn_hangupfd = -1 ;

uint64_t spawn_now (void)
{
  struct timespec ts ;
  clock_gettime(CLOCK_MONOTONIC, &ts) ;
  return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 ;
}

int spawn_path (char const *name, stralloc *sa)
{
  char const *path = getenv("PATH") ;
  if (strchr(name, '/')) { sa->len = 0 ; return stralloc_cats(sa, name) && stralloc_0(sa) ; }
  if (!path) path = "/usr/bin:/bin" ;
  for (;;)
  {
    struct stat st ;
    size_t n = strcspn(path, ":") ;
    sa->len = 0 ;
    if (!stralloc_catb(sa, n ? path : ".", n ? n : 1) || !stralloc_catb(sa, "/", 1)
     || !stralloc_cats(sa, name) || !stralloc_0(sa)) return 0 ;
    if (!stat(sa->s, &st) && S_ISREG(st.st_mode) && !access(sa->s, X_OK)) return 1 ;
    if (!path[n]) break ;
    path += n + 1 ;
  }
  errno = ENOENT ;
  return 0 ;
}

pid_t spawn (char const *file, char const *const *argv, int const fds[3], unsigned int flags)
{
  return spawnx(file, argv, fds, 3, flags) ;
}

/* what a child needs to set itself up; the child of spawnx shares our
   memory until it execs, so it reports its errors here */
struct setup
{
  unsigned int flags ;
  int userns ;        /* the child is in a new user namespace */
  int nsfail ;        /* and could not set it up */
  pid_t parent ;      /* as we see it */
  int parentfd ;      /* a pidfd of ours, for a confined child, which cannot see us; or -1 */
  uid_t euid ;
  gid_t egid ;
  volatile int err ;
} ;

/* in the child: its group, namespace maps, identity, and the end it
   comes to with its parent */
static int setup (struct setup *a)
{
  struct pollfd p = { .fd = a->parentfd, .events = POLLIN } ;
  if (a->flags & SPAWN_NEWPGRP && setpgid(0, 0) < 0) return 0 ;
  if (a->userns && !confine_enter(a->euid, a->egid)) { a->nsfail = 1 ; return 0 ; }
  /* the system calls themselves: the C library's setreuid asks every
     other thread of the parent to follow and waits for them, which a
     vfork'ed or cloned child of a process with threads (qmail-queue's
     disk work) would wait for forever */
  if (a->flags & SPAWN_REALTOEFF)
    if (syscall(SYS_setregid, a->egid, a->egid) < 0 || syscall(SYS_setreuid, a->euid, a->euid) < 0) return 0 ;
  /* nothing started for a message outlives the process that started it */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) return 0 ;
  /* the parent may have gone just before the request; from a new PID
     namespace getppid() is 0, so its pidfd tells */
  if (a->parentfd >= 0 ? poll(&p, 1, 0) != 0 : getppid() != a->parent) { errno = ESRCH ; return 0 ; }
  if (a->parentfd >= 0) close(a->parentfd) ;
  return 1 ;
}

/* qmail-queue ignores some signals, and ignored signals survive exec; its
   handlers are for itself, not for a copy running a plugin */
static void defaultsignals (void)
{
  struct sigaction sa = { .sa_handler = SIG_DFL } ;
  sigset_t none ;
  for (int sig = 1 ; sig < NSIG ; sig++)
    if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &sa, 0) ;
  sigemptyset(&none) ;
  sigprocmask(SIG_SETMASK, &none, 0) ;
}

/* the init of a confined command's namespace (spawnx): its pid and the
   pipe on which it tells how the command ended */
static pid_t confined = 0 ;
static int confinedfd = -1 ;
struct ending { int ok ; int w ; } ; /* ok: w is a wait status; else an errno */

static pid_t confine (char const *file, char const *const *argv, int const *fds, unsigned int nfds, unsigned int flags)
{
  struct ending e ;
  struct pollfd p ;
  ssize_t got = -1 ;
  int sp[2] ;
  pid_t pid ;
  if (pipe2(sp, O_CLOEXEC) < 0) return -1 ;
  pid = spawn_fork(flags) ;
  if (!pid)
  {
    /* the init: the command is an ordinary process under it (an init
       ignores the signals its own namespace sends it), and when it is
       done, so is the namespace. It says once that the command runs (or
       why not), once how it ended. */
    pid_t cmd ;
    close(sp[0]) ;
    cmd = spawnx(file, argv, fds, nfds, 0) ;
    e.ok = cmd > 0 ;
    e.w = cmd > 0 ? 0 : errno ;
    if (write(sp[1], &e, sizeof e) != sizeof e || !e.ok) _exit(111) ;
    e.ok = 1 ;
    while (waitpid(cmd, &e.w, 0) < 0)
      if (errno != EINTR) { e.ok = 0 ; e.w = errno ; break ; }
    _exit(write(sp[1], &e, sizeof e) == sizeof e ? 0 : 111) ;
  }
  close(sp[1]) ;
  if (pid < 0) { close(sp[0]) ; return -1 ; }
  /* a vfork and an exec away */
  p.fd = sp[0] ;
  p.events = POLLIN ;
  if (poll(&p, 1, 10000) == 1) got = read(sp[0], &e, sizeof e) ;
  if (got != sizeof e || !e.ok)
  {
    int w, err = got == sizeof e ? e.w : EPIPE ;
    kill(pid, SIGKILL) ;
    waitpid(pid, &w, 0) ;
    close(sp[0]) ;
    spawn_group = 0 ;
    /* a kernel that makes the namespaces but will not let us use them
       (an LSM's policy, say): the subreaper does instead */
    if (!got && WIFEXITED(w) && WEXITSTATUS(w) == SPAWN_NSFAIL && confine_fallback())
      return spawnx(file, argv, fds, nfds, flags) ;
    errno = err ;
    return -1 ;
  }
  confined = pid ;
  confinedfd = sp[0] ;
  return pid ;
}

/* how the confined command ended, once its init is reaped: 1 with *w, or
   0 with errno */
static int confinedend (pid_t pid, int *w)
{
  struct ending e ;
  ssize_t got ;
  if (pid != confined) return 1 ;
  got = read(confinedfd, &e, sizeof e) ;
  close(confinedfd) ;
  confined = 0 ;
  confinedfd = -1 ;
  if (got != sizeof e) { errno = EPIPE ; return 0 ; }
  if (!e.ok) { errno = e.w ; return 0 ; }
  *w = e.w ;
  return 1 ;
}

pid_t spawnx (char const *file, char const *const *argv, int const *fds, unsigned int nfds, unsigned int flags)
{
  struct setup a = { .flags = flags, .parentfd = -1 } ;
  pid_t pid ;
  if (flags & SPAWN_CONFINE && !confine_reaping) return confine(file, argv, fds, nfds, flags) ;
  a.parent = getpid() ;
  a.euid = geteuid() ;
  a.egid = getegid() ;
  pid = vfork() ;
  if (pid < 0) return -1 ;
  if (!pid)
  {
    if (setup(&a))
    {
      for (int i = 0 ; i < (int)nfds ; i++)
      {
        if (fds[i] == i) { if (fcntl(i, F_SETFD, 0) < 0) goto fail ; }
        else if (dup2(fds[i], i) < 0) goto fail ;
      }
      /* the caller's other descriptors (qmail-smtpd's error pipe on fd 6,
         say) are not for a scanner running as another user */
      if (close_range(nfds, ~0U, 0) < 0)
        for (int fd = nfds ; fd < 1024 ; fd++) close(fd) ;
      defaultsignals() ;
      execve(file, (char *const *)argv, environ) ;
    }
   fail:
    a.err = errno ? errno : EINVAL ;
    _exit(127) ;
  }
  if (a.err)
  {
    int e = a.err, w ;
    waitpid(pid, &w, 0) ;
    errno = e ;
    return -1 ;
  }
  if (flags & SPAWN_NEWPGRP) spawn_group = pid ;
  return pid ;
}

pid_t spawn_fork (unsigned int flags)
{
  struct setup a = { .flags = flags, .parentfd = -1 } ;
  int cf = 0 ;
  pid_t pid = -1 ;
  a.parent = getpid() ;
  a.euid = geteuid() ;
  a.egid = getegid() ;
  if (flags & SPAWN_CONFINE && !confine_reaping)
  {
    cf = confine_flags() ;
    a.userns = !!(cf & CLONE_NEWUSER) ;
    a.parentfd = syscall(SYS_pidfd_open, a.parent, 0) ;
    /* fork(), but into the namespaces */
    if (a.parentfd >= 0) pid = syscall(SYS_clone, SIGCHLD | cf, 0, 0, 0, 0) ;
    if (pid < 0 && (a.parentfd >= 0 ? !confine_unavailable(errno) : errno != ENOSYS))
    {
      if (a.parentfd >= 0) close(a.parentfd) ;
      return -1 ;
    }
  }
  if (flags & SPAWN_CONFINE && pid < 0)
  {
    /* no namespaces for us here: the subreaper does instead */
    if (a.parentfd >= 0) close(a.parentfd) ;
    a.parentfd = -1 ;
    a.userns = 0 ;
    if (!confine_fallback()) return -1 ;
  }
  if (pid < 0) pid = fork() ;
  if (!pid)
  {
    if (!setup(&a)) _exit(a.nsfail ? SPAWN_NSFAIL : 111) ;
    if (a.userns && !confine_dropcaps()) _exit(SPAWN_NSFAIL) ;
    spawn_group = 0 ;
    if (confinedfd >= 0) close(confinedfd) ;
    confined = 0 ;
    confinedfd = -1 ;
    defaultsignals() ;
    return 0 ;
  }
  if (a.parentfd >= 0) close(a.parentfd) ;
  if (pid > 0 && flags & SPAWN_NEWPGRP)
  {
    setpgid(pid, pid) ;
    spawn_group = pid ;
  }
  return pid ;
}

static void killit (pid_t pid, int group)
{
  int w ;
  int gone = group && !kill(-pid, SIGKILL) ;
  if (!kill(pid, SIGKILL)) gone = 1 ;
  /* a set-id child (the helper) is not ours to kill: it ends by itself
     at its own deadline, or with us (it dies with its parent) */
  if (gone) waitpid(pid, &w, 0) ;
  spawn_group = 0 ;
  if (pid == confined) confinedend(pid, &w) ;
  if (confine_reaping) confine_reap() ;
}

int spawn_wait (pid_t pid, int fd, stralloc *out, size_t max, uint64_t deadline, int group, int *wstat)
{
  int pidfd = syscall(SYS_pidfd_open, pid, 0) ;
  for (;;)
  {
    struct pollfd p[3] ;
    unsigned int n = 0 ;
    uint64_t now = spawn_now() ;
    int timeout ;
    siginfo_t si ;
    si.si_pid = 0 ;
    /* look without reaping: the zombie keeps its group id ours to kill */
    if (waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0) { if (pidfd >= 0) close(pidfd) ; return -1 ; }
    if (si.si_pid == pid) break ;
    if (now >= deadline) { if (pidfd >= 0) close(pidfd) ; killit(pid, group) ; return 0 ; }
    timeout = deadline - now ;
    if (fd >= 0) { p[n].fd = fd ; p[n++].events = POLLIN ; }
    if (pidfd >= 0) { p[n].fd = pidfd ; p[n++].events = POLLIN ; }
    else if (timeout > 10) timeout = 10 ; /* no pidfd: look again soon */
    if (spawn_hangupfd >= 0) { p[n].fd = spawn_hangupfd ; p[n++].events = 0 ; }
    if (poll(p, n, timeout) < 0 && errno != EINTR) { if (pidfd >= 0) close(pidfd) ; killit(pid, group) ; return -1 ; }
    if (spawn_hangupfd >= 0 && p[n-1].revents & (POLLERR | POLLHUP | POLLNVAL))
    {
      /* whoever waits for our answer is gone: so is the point of the scan */
      if (pidfd >= 0) close(pidfd) ;
      killit(pid, group) ;
      errno = EPIPE ;
      return -1 ;
    }
    if (fd >= 0 && p[0].revents)
    {
      char buf[8192] ;
      ssize_t got = read(fd, buf, sizeof buf) ;
      if (got > 0 && out && out->len < max)
      {
        size_t keep = (size_t)got < max - out->len ? (size_t)got : max - out->len ;
        if (!stralloc_catb(out, buf, keep)) { if (pidfd >= 0) close(pidfd) ; killit(pid, group) ; return -1 ; }
      }
      if (got <= 0 && (got == 0 || errno != EINTR)) fd = -1 ; /* EOF: now only the exit matters */
    }
  }
  if (pidfd >= 0) close(pidfd) ;
  /* a group leader may leave children behind, still holding the message */
  if (group) kill(-pid, SIGKILL) ;
  if (waitpid(pid, wstat, 0) != pid) return -1 ;
  spawn_group = 0 ;
  /* without namespaces, what the child left behind came back to us */
  if (confine_reaping) confine_reap() ;
  if (!confinedend(pid, wstat)) return -1 ;
  if (fd >= 0 && out)
  {
    /* what the child wrote before it went is still in the pipe */
    char buf[8192] ;
    ssize_t got ;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) ;
    while (out->len < max && (got = read(fd, buf, sizeof buf)) > 0)
    {
      size_t keep = (size_t)got < max - out->len ? (size_t)got : max - out->len ;
      if (!stralloc_catb(out, buf, keep)) return -1 ;
    }
  }
  return 1 ;
}
