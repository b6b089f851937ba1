/* stream.c: requests written and replies read with deadlines (stream.h). */

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "net/conn.h"
#include "net/stream.h"

static int again (void)
{
  return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ;
}

enum net_sent net_send (int fd, char const *buf, size_t len, uint64_t deadline)
{
  while (len)
  {
    ssize_t n ;
    int ev = net_wait(fd, POLLOUT | POLLIN, deadline) ;
    if (!ev) return NET_SENT_FAIL ;
    /* a server speaks first only to refuse, and then closes: its reply
       must be read rather than written over */
    if (ev & POLLIN) return NET_SENT_EARLY ;
    n = send(fd, buf, len, MSG_NOSIGNAL) ;
    if (n < 0)
    {
      if (again()) continue ;
      return NET_SENT_FAIL ;
    }
    buf += n ; len -= (size_t)n ;
  }
  return NET_SENT_ALL ;
}

enum net_sent net_send_file (int fd, int file, uint64_t size, char *buf, size_t buflen, uint64_t deadline)
{
  uint64_t off = 0 ;
  while (off < size)
  {
    size_t want = size - off > buflen ? buflen : (size_t)(size - off), got = 0 ;
    enum net_sent s ;
    while (got < want)
    {
      ssize_t n = pread(file, buf + got, want - got, (off_t)(off + got)) ;
      if (n < 0 && errno == EINTR) continue ;
      if (n <= 0)
      {
        if (!n) errno = ENODATA ;
        return NET_SENT_LOCAL ;
      }
      got += (size_t)n ;
    }
    s = net_send(fd, buf, want, deadline) ;
    if (s != NET_SENT_ALL) return s ;
    off += want ;
  }
  return NET_SENT_ALL ;
}

/* one read of what is there, waiting for it until deadline: the count,
   0 at EOF, -1 with errno */
static ssize_t some (int fd, char *buf, size_t room, uint64_t deadline)
{
  for (;;)
  {
    ssize_t n ;
    if (!net_wait(fd, POLLIN, deadline)) return -1 ;
    n = recv(fd, buf, room, 0) ;
    if (n >= 0 || !again()) return n ;
  }
}

/* where the body starts if buf[0..len) holds an empty line, else 0; from
   from on (an empty line ending before it was looked for already) */
static size_t blank (char const *buf, size_t len, size_t from)
{
  for (size_t i = from ; i < len ; i++)
  {
    if (buf[i] != '\n') continue ;
    if (i >= 1 && buf[i-1] == '\n') return i + 1 ;
    if (i >= 3 && buf[i-1] == '\r' && buf[i-2] == '\n' && buf[i-3] == '\r') return i + 1 ;
  }
  return 0 ;
}

enum net_got net_read_head (int fd, char *buf, size_t cap, size_t *len, size_t *headlen, uint64_t deadline)
{
  *len = 0 ;
  while (*len < cap)
  {
    size_t end ;
    ssize_t n = some(fd, buf + *len, cap - *len, deadline) ;
    if (n < 0) return NET_GOT_FAIL ;
    if (!n) return NET_GOT_EOF ;
    end = blank(buf, *len + (size_t)n, *len) ;
    *len += (size_t)n ;
    if (end) { *headlen = end ; return NET_GOT_HEAD ; }
  }
  return NET_GOT_FULL ;
}

enum net_got net_read_more (int fd, char *buf, size_t want, size_t *len, uint64_t deadline)
{
  while (*len < want)
  {
    ssize_t n = some(fd, buf + *len, want - *len, deadline) ;
    if (n < 0) return NET_GOT_FAIL ;
    if (!n) return NET_GOT_EOF ;
    *len += (size_t)n ;
  }
  return NET_GOT_HEAD ;
}

void net_printable (char *dst, size_t dstlen, char const *s, size_t len)
{
  size_t i = 0 ;
  if (!dstlen) return ;
  for (; i < len && i + 1 < dstlen ; i++)
    dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?' ;
  dst[i] = 0 ;
}
