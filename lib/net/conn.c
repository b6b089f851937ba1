/* conn.c: deadlines, poll, and connect with a deadline of its own. */

#include <errno.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "net/conn.h"

uint64_t net_now_ms (void)
{
  struct timespec ts ;
  clock_gettime(CLOCK_MONOTONIC, &ts) ;
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000 ;
}

int net_wait (int fd, short events, uint64_t deadline)
{
  for (;;)
  {
    struct pollfd p = { .fd = fd, .events = events, .revents = 0 } ;
    uint64_t now = net_now_ms() ;
    int r ;
    if (now >= deadline) { errno = ETIMEDOUT ; return 0 ; }
    r = poll(&p, 1, deadline - now > INT32_MAX ? INT32_MAX : (int)(deadline - now)) ;
    if (r > 0) return p.revents ;
    if (r < 0 && errno != EINTR) return 0 ;
  }
}

int net_connect (struct sockaddr const *sa, socklen_t salen, uint64_t deadline)
{
  int e = 0 ;
  socklen_t elen = sizeof e ;
  int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) ;
  if (fd < 0) return -1 ;
  if (!connect(fd, sa, salen)) return fd ;
  /* a unix socket whose backlog is full says EAGAIN: as good as a timeout */
  if (errno != EINPROGRESS && errno != EINTR) goto err ;
  if (!net_wait(fd, POLLOUT, deadline)) goto err ;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0) goto err ;
  if (e) { errno = e ; goto err ; }
  return fd ;
 err:
  e = errno ;
  close(fd) ;
  errno = e ;
  return -1 ;
}
