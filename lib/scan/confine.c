/* confine.c: PID namespaces around scanners, and the subreaper fallback
   (confine.h). */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <skalibs/types.h>

#include "scan/confine.h"

int volatile confine_reaping = 0 ;

int confine_flags (void)
{
  /* root may make a PID namespace as it is; anyone else needs a user
     namespace of its own to hold one */
  return CLONE_NEWPID | (geteuid() ? CLONE_NEWUSER : 0) ;
}

int confine_unavailable (int e)
{
  /* EPERM: no privilege, or a seccomp filter; EINVAL: no such namespaces
     in this kernel; ENOSPC, EUSERS: the nesting or count limit (a site
     may set user.max_user_namespaces to 0) */
  return e == EPERM || e == EINVAL || e == ENOSPC || e == EUSERS || e == ENOSYS ;
}

int confine_fallback (void)
{
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) return 0 ;
  confine_reaping = 1 ;
  return 1 ;
}

static int writemap (char const *file, unsigned int id)
{
  char s[2 * UINT_FMT + 4] ;
  size_t n = uint_fmt(s, id) ;
  ssize_t w ;
  int fd ;
  s[n++] = ' ' ;
  n += uint_fmt(s + n, id) ;
  memcpy(s + n, " 1", 2) ;
  n += 2 ;
  fd = open(file, O_WRONLY | O_CLOEXEC) ;
  if (fd < 0) return 0 ;
  w = write(fd, s, n) ;
  close(fd) ;
  return w == (ssize_t)n ;
}

int confine_enter (uid_t euid, gid_t egid)
{
  int fd ;
  ssize_t w ;
  /* our own maps are only ours to write while /proc/self is ours, and a
     set-id program's is root's (this is a copy: the parent's stays so) */
  if (prctl(PR_SET_DUMPABLE, 1) < 0 || !writemap("/proc/self/uid_map", euid)) return 0 ;
  /* the kernel takes a gid map from an unprivileged writer only so */
  fd = open("/proc/self/setgroups", O_WRONLY | O_CLOEXEC) ;
  if (fd < 0) return 0 ;
  w = write(fd, "deny", 4) ;
  close(fd) ;
  if (w != 4 || !writemap("/proc/self/gid_map", egid)) return 0 ;
  /* and no longer anyone's to inspect: a copy of qmail-queue or the
     helper holds what they hold */
  return !prctl(PR_SET_DUMPABLE, 0) ;
}

int confine_dropcaps (void)
{
  struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 } ;
  struct __user_cap_data_struct d[2] ;
  memset(d, 0, sizeof d) ;
  return !syscall(SYS_capset, &h, d) ;
}

/* the pids of our children, read from /proc; -1 if unreadable */
static int children (pid_t *pids, int max)
{
  char fn[48] = "/proc/self/task/" ;
  char buf[4096] ;
  size_t n = 16 ;
  ssize_t got ;
  int fd, count = 0 ;
  n += uint_fmt(fn + n, getpid()) ;
  memcpy(fn + n, "/children", 10) ;
  fd = open(fn, O_RDONLY | O_CLOEXEC) ;
  if (fd < 0) return -1 ;
  got = read(fd, buf, sizeof buf - 1) ;
  close(fd) ;
  if (got < 0) return -1 ;
  buf[got] = 0 ;
  for (char *s = buf ; *s && count < max ;)
  {
    unsigned int pid ;
    size_t len = uint_scan(s, &pid) ;
    if (!len) { s++ ; continue ; }
    pids[count++] = pid ;
    s += len ;
  }
  return count ;
}

void confine_reap (void)
{
  pid_t pids[256] ;
  int saved = errno ;
  /* each round kills what is there; what those leave comes back to us
     for the next one. Bounded: a fork bomb is not what this is for. */
  for (unsigned int round = 0 ; round < 1000 ; round++)
  {
    int n = children(pids, 256) ;
    if (n <= 0)
    {
      /* no /proc: whatever is still ours, as far as wait can tell */
      if (n < 0) while (waitpid(-1, 0, WNOHANG | __WALL) > 0) ;
      break ;
    }
    int killed = 0 ;
    /* a set-id child (the helper) is not ours to kill, nor to wait for */
    for (int i = 0 ; i < n ; i++) if (!kill(pids[i], SIGKILL)) pids[killed++] = pids[i] ;
    for (int i = 0 ; i < killed ; i++) waitpid(pids[i], 0, __WALL) ;
    if (!killed) break ;
  }
  errno = saved ;
}
