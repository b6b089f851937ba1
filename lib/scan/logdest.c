/* logdest.c: chooses the log for fd 2 once, before anything is scanned. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>

#include "scan/logdest.h"
#include "queue/paths.h"
#include "policy/policy.h"

int logdest_openfifo (char const *path)
{
  struct stat st ;
  int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY) ;
  if (fd < 0) return -1 ;
  if (fstat(fd, &st) < 0) goto err ;
  /* whoever may write the log may forge lines in it */
  if (!S_ISFIFO(st.st_mode) || !(policy_owner_ok(&st) || (!(st.st_mode & 022) && st.st_uid == paths_uid(USER_QMAILQ))))
  {
    errno = EPERM ;
    goto err ;
  }
  return fd ;
 err:
  {
    int e = errno ;
    close(fd) ;
    errno = e ;
  }
  return -1 ;
}

/* fd onto fd 2, inherited by what qmail-queue starts */
static int onto2 (int fd)
{
  if (fd == 2) return fcntl(2, F_SETFD, 0) == 0 ;
  if (dup2(fd, 2) < 0) { close(fd) ; return 0 ; }
  close(fd) ;
  return 1 ;
}

int logdest_set (policy const *p)
{
  char *path ;
  int fd ;
  if (p->trusted && p->remoteip && fcntl(2, F_GETFD) >= 0) return 1 ;
  path = paths_join(paths_home, PATHS_LOGFIFO) ;
  fd = path ? logdest_openfifo(path) : -1 ;
  free(path) ;
  if (fd < 0) fd = open("/dev/null", O_WRONLY | O_CLOEXEC) ;
  return fd >= 0 && onto2(fd) ;
}
