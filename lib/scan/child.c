/* child.c: vfork+exec with error reporting, and a deadline-bound wait that
   watches the child through a pidfd while draining its output. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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

pid_t spawnx (char const *file, char const *const *argv, int const *fds, unsigned int nfds, unsigned int flags)
{
  volatile int err = 0 ;
  pid_t parent = getpid() ;
  pid_t pid = vfork() ;
  if (pid < 0) return -1 ;
  if (!pid)
  {
    struct sigaction sa = { .sa_handler = SIG_DFL } ;
    sigset_t none ;
    if (flags & SPAWN_NEWPGRP && setpgid(0, 0) < 0) goto fail ;
    if (flags & SPAWN_REALTOEFF)
      if (setregid(getegid(), getegid()) < 0 || setreuid(geteuid(), geteuid()) < 0) goto fail ;
    /* nothing started for a message outlives the process that started it */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent) goto fail ;
    for (int i = 0 ; i < (int)nfds ; i++)
    {
      if (fds[i] == i) { if (fcntl(i, F_SETFD, 0) < 0) goto fail ; }
      else if (dup2(fds[i], i) < 0) goto fail ;
    }
    /* the caller's other descriptors (qmail-smtpd's error pipe on fd 6, say)
       are not for a scanner running as another user */
    if (close_range(nfds, ~0U, 0) < 0)
      for (int fd = nfds ; fd < 1024 ; fd++) close(fd) ;
    /* qmail-queue ignores some signals, and ignored signals survive exec */
    for (int sig = 1 ; sig < NSIG ; sig++)
      if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &sa, 0) ;
    sigemptyset(&none) ;
    sigprocmask(SIG_SETMASK, &none, 0) ;
    execve(file, (char *const *)argv, environ) ;
   fail:
    err = errno ;
    _exit(127) ;
  }
  if (err)
  {
    int e = err, w ;
    waitpid(pid, &w, 0) ;
    errno = e ;
    return -1 ;
  }
  if (flags & SPAWN_NEWPGRP) spawn_group = pid ;
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
