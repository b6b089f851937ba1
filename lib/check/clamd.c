/* clamd.c: asks one clamd a control question (PING, VERSION), over its
   unix socket or TCP. All of qhpsi-check's clamd talk is here, in one
   function, to move to the network module as it grows. */

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "check/check.h"

static long long nowms (void)
{
  struct timespec ts ;
  clock_gettime(CLOCK_MONOTONIC, &ts) ;
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 ;
}

/* waits for fd to be ready for ev until deadline; 1, or 0 (timed out or failed) */
static int ready (int fd, short ev, long long deadline)
{
  struct pollfd p = { .fd = fd, .events = ev } ;
  long long left ;
  int r ;
  do
  {
    left = deadline - nowms() ;
    if (left <= 0) { errno = ETIMEDOUT ; return 0 ; }
    r = poll(&p, 1, (int)left) ;
  } while (r < 0 && errno == EINTR) ;
  if (!r) errno = ETIMEDOUT ;
  return r > 0 ;
}

int check_clamd (char const *where, char const *cmd, char *reply, size_t len, unsigned int timeout)
{
  struct sockaddr_un un = { .sun_family = AF_UNIX } ;
  struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = 0 ;
  struct sockaddr const *sa ;
  socklen_t salen ;
  long long deadline = nowms() + timeout ;
  char msg[64], host[256] ;
  char const *port = "3310" ;
  size_t got = 0, n ;
  int fd = -1, e = 0 ;
  char const *step = "connect" ;
  if (strchr(where, '/'))
  {
    if (strlen(where) >= sizeof un.sun_path) { snprintf(reply, len, "socket path too long") ; return 0 ; }
    strcpy(un.sun_path, where) ;
    sa = (struct sockaddr const *)&un ; salen = sizeof un ;
  }
  else
  {
    /* host, host:port, [v6]:port, or a bare v6 address */
    char const *colon = strrchr(where, ':') ;
    n = strlen(where) ;
    if (where[0] == '[')
    {
      char const *end = strchr(where, ']') ;
      if (!end) { snprintf(reply, len, "bad host %s", where) ; return 0 ; }
      n = end - where - 1 ; where++ ;
      if (end[1] == ':') port = end + 2 ;
    }
    else if (colon && colon == strchr(where, ':')) { n = colon - where ; port = colon + 1 ; }
    if (n >= sizeof host) { snprintf(reply, len, "host name too long") ; return 0 ; }
    memcpy(host, where, n) ; host[n] = 0 ;
    if ((e = getaddrinfo(host, port, &hints, &ai)))
    {
      snprintf(reply, len, "unable to resolve %s: %s", host, gai_strerror(e)) ;
      return 0 ;
    }
    sa = ai->ai_addr ; salen = ai->ai_addrlen ;
  }
  fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) ;
  if (fd < 0) goto err ;
  if (connect(fd, sa, salen) < 0)
  {
    socklen_t el = sizeof e ;
    if (errno != EINPROGRESS || !ready(fd, POLLOUT, deadline)) goto err ;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0) goto err ;
    if (e) { errno = e ; goto err ; }
  }
  n = snprintf(msg, sizeof msg, "z%s", cmd) + 1 ;
  step = "send" ;
  if (!ready(fd, POLLOUT, deadline) || write(fd, msg, n) != (ssize_t)n) goto err ;
  step = "read the reply" ;
  while (got < len - 1)
  {
    ssize_t r ;
    if (!ready(fd, POLLIN, deadline)) goto err ;
    r = read(fd, reply + got, len - 1 - got) ;
    if (r < 0 && errno == EINTR) continue ;
    if (r < 0) goto err ;
    if (!r) break ;
    got += r ;
    if (memchr(reply, 0, got)) break ;
  }
  reply[got] = 0 ;
  close(fd) ;
  if (ai) freeaddrinfo(ai) ;
  if (!got) { snprintf(reply, len, "no reply to %s", cmd) ; return 0 ; }
  return 1 ;
 err:
  e = errno ;
  if (fd >= 0) close(fd) ;
  if (ai) freeaddrinfo(ai) ;
  snprintf(reply, len, "unable to %s: %s", step, strerror(e)) ;
  return 0 ;
}
