/* clamd.c: qhpsi plugin that asks a running clamd. Over its unix socket the
   message fd itself is passed (FILDES); over TCP the bytes are streamed
   (INSTREAM) to a list of hosts with failover. See qhpsi-clamd(8). */

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "qhpsi-plugin.h"

#define CLAMD_SOCKET_DEFAULT "/var/run/clamav/clamd.ctl"
#define CLAMD_PORT_DEFAULT 3310
#define TIMEOUT_DEFAULT 120000 /* when the caller gives none; QHPSITIMEOUT's default */
#define MAXHOSTS 32
#define CHUNK 65536
#define REPLYMAX 1024 /* a verdict line is far shorter; more is garbage */

struct host
{
  struct sockaddr_storage sa ;
  socklen_t salen ;
  char label[64] ;
} ;

/* how one attempt ended: with a verdict, or with a transport failure that
   another host may not have */
enum attempt { ATTEMPT_DONE, ATTEMPT_RETRY } ;

static uint64_t now_ms (void)
{
  struct timespec ts ;
  clock_gettime(CLOCK_MONOTONIC, &ts) ;
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000 ;
}

static void say (struct qhpsi_result *r, enum qhpsi_verdict v, char const *fmt, ...)
{
  va_list ap ;
  r->verdict = v ;
  va_start(ap, fmt) ;
  vsnprintf(r->text, sizeof r->text, fmt, ap) ;
  va_end(ap) ;
}

/* A reply quoted in an error text must not carry control bytes into logs. */
static void printable (char *dst, size_t dstlen, char const *s, size_t len)
{
  size_t i = 0 ;
  if (!dstlen) return ;
  for (; i < len && i + 1 < dstlen ; i++)
    dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?' ;
  dst[i] = 0 ;
}

/* Waits for events on fd until deadline. Returns revents, or 0 with errno set
   (ETIMEDOUT when the deadline passed). */
static int wait_fd (int fd, short events, uint64_t deadline)
{
  for (;;)
  {
    struct pollfd p = { .fd = fd, .events = events, .revents = 0 } ;
    uint64_t now = now_ms() ;
    int r ;
    if (now >= deadline) { errno = ETIMEDOUT ; return 0 ; }
    r = poll(&p, 1, deadline - now > INT32_MAX ? INT32_MAX : (int)(deadline - now)) ;
    if (r > 0) return p.revents ;
    if (r < 0 && errno != EINTR) return 0 ;
  }
}

/* A nonblocking stream socket connected to sa before deadline, or -1. */
static int connect_by (struct sockaddr const *sa, socklen_t salen, uint64_t deadline)
{
  int e = 0 ;
  socklen_t elen = sizeof e ;
  int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) ;
  if (fd < 0) return -1 ;
  if (!connect(fd, sa, salen)) return fd ;
  if (errno != EINPROGRESS && errno != EINTR) goto err ;
  if (!wait_fd(fd, POLLOUT, deadline)) goto err ;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0) goto err ;
  if (e) { errno = e ; goto err ; }
  return fd ;
 err:
  e = errno ;
  close(fd) ;
  errno = e ;
  return -1 ;
}

enum sent { SENT_ALL, SENT_EARLY, SENT_FAIL } ;

/* Writes all of buf before deadline. Stops early (SENT_EARLY) when clamd has
   something to say: it only speaks first to refuse, e.g. past StreamMaxLength,
   and then closes, so its reply must be read rather than written over. */
static enum sent send_all (int fd, char const *buf, size_t len, uint64_t deadline)
{
  while (len)
  {
    ssize_t n ;
    int ev = wait_fd(fd, POLLOUT | POLLIN, deadline) ;
    if (!ev) return SENT_FAIL ;
    if (ev & POLLIN) return SENT_EARLY ;
    n = send(fd, buf, len, MSG_NOSIGNAL) ;
    if (n < 0)
    {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue ;
      return SENT_FAIL ;
    }
    buf += n ; len -= (size_t)n ;
  }
  return SENT_ALL ;
}

enum got { GOT_REPLY, GOT_EOF, GOT_FAIL, GOT_TIMEOUT, GOT_GARBAGE } ;

/* Reads one NUL-terminated reply into buf (REPLYMAX bytes). On GOT_REPLY,
   *len is its length without the NUL; bytes after the NUL are garbage, since
   clamd sends one reply and closes. *len is set on every outcome. */
static enum got read_reply (int fd, char *buf, size_t *len, uint64_t deadline)
{
  size_t w = 0 ;
  *len = 0 ;
  for (;;)
  {
    char *nul ;
    ssize_t n ;
    if (!wait_fd(fd, POLLIN, deadline))
      return errno == ETIMEDOUT ? GOT_TIMEOUT : GOT_FAIL ;
    n = recv(fd, buf + w, REPLYMAX - w, 0) ;
    if (n < 0)
    {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue ;
      return GOT_FAIL ;
    }
    if (!n) return GOT_EOF ;
    nul = memchr(buf + w, 0, (size_t)n) ;
    w += (size_t)n ;
    *len = w ;
    if (nul)
    {
      *len = (size_t)(nul - buf) ;
      return (size_t)(nul - buf) + 1 == w ? GOT_REPLY : GOT_GARBAGE ;
    }
    if (w == REPLYMAX) return GOT_GARBAGE ;
  }
}

/* Strict: "<tag>: OK" is clean, "<tag>: NAME FOUND" infected, anything
   else (ERROR replies, size limits, noise) an error quoting the reply. */
static void parse_reply (char const *s, size_t len, char const *label, struct qhpsi_result *r)
{
  char quoted[QHPSI_TEXTLEN] ;
  char const *colon = 0 ;
  size_t i = 0 ;

  for (; i + 1 < len ; i++)
    if (s[i] == ':' && s[i+1] == ' ') { colon = s + i ; break ; }
  if (colon && colon > s)
  {
    char const *body = colon + 2 ;
    size_t blen = len - (size_t)(body - s) ;
    int ok = 1 ;
    for (i = 0 ; i < (size_t)(colon - s) ; i++)
      if (s[i] <= 0x20 || s[i] >= 0x7f) ok = 0 ;
    for (i = 0 ; i < blen ; i++)
      if (body[i] < 0x20 || body[i] >= 0x7f) ok = 0 ;
    if (ok && blen == 2 && !memcmp(body, "OK", 2))
    {
      r->verdict = QHPSI_CLEAN ;
      r->text[0] = 0 ;
      return ;
    }
    if (ok && blen > 6 && body[0] != ' ' && !memcmp(body + blen - 6, " FOUND", 6))
    {
      size_t nlen = blen - 6 ;
      if (nlen > QHPSI_TEXTLEN - 1) nlen = QHPSI_TEXTLEN - 1 ;
      memcpy(r->text, body, nlen) ;
      r->text[nlen] = 0 ;
      r->verdict = QHPSI_INFECTED ;
      return ;
    }
  }
  printable(quoted, sizeof quoted, s, len) ;
  say(r, QHPSI_ERROR, "clamd %s said: %s", label, quoted) ;
}

/* Turns what read_reply got into a verdict. Returns 1 when that is final,
   0 for a transport failure another host may not have. early: clamd spoke
   before it had everything, which it does only to refuse. */
static int judge (enum got g, char const *buf, size_t len, int early, char const *label, struct qhpsi_result *r)
{
  char quoted[QHPSI_TEXTLEN] ;
  switch (g)
  {
    case GOT_REPLY :
      parse_reply(buf, len, label, r) ;
      if (early && r->verdict != QHPSI_ERROR)
        say(r, QHPSI_ERROR, "clamd %s answered too early", label) ;
      return 1 ;
    case GOT_GARBAGE :
      printable(quoted, sizeof quoted, buf, len) ;
      say(r, QHPSI_ERROR, "clamd %s: bad reply: %s", label, quoted) ;
      return 1 ;
    case GOT_TIMEOUT :
      say(r, QHPSI_ERROR, "clamd %s: timeout", label) ;
      return 1 ;
    case GOT_EOF :
      say(r, QHPSI_ERROR, "clamd %s closed without a reply", label) ;
      return 0 ;
    default :
      say(r, QHPSI_ERROR, "clamd %s: read: %s", label, strerror(errno)) ;
      return 0 ;
  }
}

/* unix socket: pass the fd, clamd reads the file itself (no copy) */
static void scan_unix (struct qhpsi_message const *m, char const *path, uint64_t deadline, struct qhpsi_result *r)
{
  struct sockaddr_un sun ;
  char buf[REPLYMAX] ;
  char dummy = 0 ;
  union { struct cmsghdr h ; char space[CMSG_SPACE(sizeof(int))] ; } ctl ;
  struct iovec iov = { .iov_base = &dummy, .iov_len = 1 } ;
  struct msghdr msg ;
  struct cmsghdr *c ;
  enum sent s ;
  size_t len ;
  int fd ;

  if (strlen(path) >= sizeof sun.sun_path)
  {
    say(r, QHPSI_ERROR, "clamd socket path too long") ;
    return ;
  }
  memset(&sun, 0, sizeof sun) ;
  sun.sun_family = AF_UNIX ;
  memcpy(sun.sun_path, path, strlen(path) + 1) ;
  fd = connect_by((struct sockaddr *)&sun, sizeof sun, deadline) ;
  if (fd < 0)
  {
    say(r, QHPSI_ERROR, "clamd %s: connect: %s", path, errno == ETIMEDOUT ? "timeout" : strerror(errno)) ;
    return ;
  }

  /* clamd wants the command first, then the fd on a later byte */
  s = send_all(fd, "zFILDES", sizeof "zFILDES", deadline) ;
  if (s == SENT_ALL)
  {
    memset(&msg, 0, sizeof msg) ;
    memset(&ctl, 0, sizeof ctl) ;
    msg.msg_iov = &iov ;
    msg.msg_iovlen = 1 ;
    msg.msg_control = ctl.space ;
    msg.msg_controllen = sizeof ctl.space ;
    c = CMSG_FIRSTHDR(&msg) ;
    c->cmsg_level = SOL_SOCKET ;
    c->cmsg_type = SCM_RIGHTS ;
    c->cmsg_len = CMSG_LEN(sizeof(int)) ;
    memcpy(CMSG_DATA(c), &m->fd, sizeof(int)) ;
    for (;;)
    {
      ssize_t n ;
      int ev = wait_fd(fd, POLLOUT | POLLIN, deadline) ;
      if (!ev) { s = SENT_FAIL ; break ; }
      if (ev & POLLIN) { s = SENT_EARLY ; break ; }
      n = sendmsg(fd, &msg, MSG_NOSIGNAL) ;
      if (n == 1) break ;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue ;
      if (n >= 0) errno = EPROTO ;
      s = SENT_FAIL ;
      break ;
    }
  }
  if (s == SENT_FAIL)
    say(r, QHPSI_ERROR, "clamd %s: write: %s", path, errno == ETIMEDOUT ? "timeout" : strerror(errno)) ;
  else
  {
    enum got g = read_reply(fd, buf, &len, deadline) ;
    judge(g, buf, len, s == SENT_EARLY, path, r) ;
  }
  close(fd) ;
}

/* One INSTREAM attempt at one host. Transport failures ask for the next
   host; a reply, even an error, is final (every host would say the same). */
static enum attempt instream (struct qhpsi_message const *m, struct host const *h, char *chunk, uint64_t condeadline, uint64_t deadline, struct qhpsi_result *r)
{
  char buf[REPLYMAX] ;
  uint64_t off = 0 ;
  size_t len ;
  enum sent s ;
  enum got g ;
  int final ;
  int fd = connect_by((struct sockaddr const *)&h->sa, h->salen, condeadline) ;
  if (fd < 0)
  {
    say(r, QHPSI_ERROR, "clamd %s: connect: %s", h->label, errno == ETIMEDOUT ? "timeout" : strerror(errno)) ;
    return ATTEMPT_RETRY ;
  }
  s = send_all(fd, "zINSTREAM", sizeof "zINSTREAM", deadline) ;
  while (s == SENT_ALL)
  {
    uint64_t want = m->size - off > CHUNK ? CHUNK : m->size - off ;
    uint32_t nlen = htonl((uint32_t)want) ;
    size_t got = 0 ;
    while (got < want)
    {
      ssize_t n = pread(m->fd, chunk + 4 + got, want - got, (off_t)(off + got)) ;
      if (n < 0 && errno == EINTR) continue ;
      if (n <= 0)
      {
        say(r, QHPSI_ERROR, "read message: %s", n < 0 ? strerror(errno) : "shorter than its size") ;
        close(fd) ;
        return ATTEMPT_DONE ;
      }
      got += (size_t)n ;
    }
    memcpy(chunk, &nlen, 4) ;
    s = send_all(fd, chunk, 4 + want, deadline) ;
    if (!want) break ; /* that was the terminating empty chunk */
    off += want ;
  }
  if (s == SENT_FAIL)
  {
    int e = errno ;
    if (e == ETIMEDOUT)
    {
      say(r, QHPSI_ERROR, "clamd %s: timeout", h->label) ;
      close(fd) ;
      return ATTEMPT_DONE ;
    }
    /* the write may have failed because clamd refused and closed: then its
       reply is already here, and decides */
    {
      uint64_t soon = now_ms() + 100 ;
      g = read_reply(fd, buf, &len, soon < deadline ? soon : deadline) ;
    }
    if (g == GOT_REPLY || g == GOT_GARBAGE) final = judge(g, buf, len, 1, h->label, r) ;
    else
    {
      say(r, QHPSI_ERROR, "clamd %s: write: %s", h->label, strerror(e)) ;
      final = 0 ;
    }
  }
  else
  {
    g = read_reply(fd, buf, &len, deadline) ;
    final = judge(g, buf, len, s == SENT_EARLY, h->label, r) ;
  }
  close(fd) ;
  return final ? ATTEMPT_DONE : ATTEMPT_RETRY ;
}

/* One CLAMD_HOSTS entry: a.b.c.d[:port], [v6addr][:port] or a bare v6addr.
   Numeric only: a name lookup would have no deadline. */
static int parse_host (char const *s, size_t len, struct host *h)
{
  char addr[INET6_ADDRSTRLEN] ;
  char const *a = s, *port = 0 ;
  size_t alen = len, plen = 0 ;
  unsigned long p = CLAMD_PORT_DEFAULT ;
  int v6 = 0 ;

  if (s[0] == '[')
  {
    char const *e = memchr(s, ']', len) ;
    if (!e) return 0 ;
    a = s + 1 ; alen = (size_t)(e - a) ; v6 = 1 ;
    if (e + 1 < s + len)
    {
      if (e[1] != ':') return 0 ;
      port = e + 2 ;
    }
  }
  else
  {
    char const *c = memchr(s, ':', len) ;
    if (c && memchr(c + 1, ':', len - (size_t)(c + 1 - s))) v6 = 1 ;
    else if (c) { alen = (size_t)(c - s) ; port = c + 1 ; }
  }
  if (!alen || alen >= sizeof addr) return 0 ;
  memcpy(addr, a, alen) ;
  addr[alen] = 0 ;
  if (port)
  {
    plen = (size_t)(s + len - port) ;
    if (!plen || plen > 5) return 0 ;
    p = 0 ;
    for (size_t i = 0 ; i < plen ; i++)
    {
      if (port[i] < '0' || port[i] > '9') return 0 ;
      p = p * 10 + (unsigned long)(port[i] - '0') ;
    }
    if (!p || p > 65535) return 0 ;
  }
  memset(&h->sa, 0, sizeof h->sa) ;
  if (v6)
  {
    struct sockaddr_in6 *sa = (struct sockaddr_in6 *)&h->sa ;
    if (inet_pton(AF_INET6, addr, &sa->sin6_addr) != 1) return 0 ;
    sa->sin6_family = AF_INET6 ;
    sa->sin6_port = htons((uint16_t)p) ;
    h->salen = sizeof *sa ;
    snprintf(h->label, sizeof h->label, "[%s]:%lu", addr, p) ;
  }
  else
  {
    struct sockaddr_in *sa = (struct sockaddr_in *)&h->sa ;
    if (inet_pton(AF_INET, addr, &sa->sin_addr) != 1) return 0 ;
    sa->sin_family = AF_INET ;
    sa->sin_port = htons((uint16_t)p) ;
    h->salen = sizeof *sa ;
    snprintf(h->label, sizeof h->label, "%s:%lu", addr, p) ;
  }
  return 1 ;
}

static void scan_tcp (struct qhpsi_message const *m, char const *list, uint64_t deadline, struct qhpsi_result *r)
{
  struct host hosts[MAXHOSTS] ;
  unsigned int n = 0, start, i ;
  char *chunk ;

  while (*list)
  {
    size_t len = strcspn(list, ", \t\n") ;
    if (len)
    {
      if (n == MAXHOSTS)
      {
        say(r, QHPSI_ERROR, "CLAMD_HOSTS: more than %d hosts", MAXHOSTS) ;
        return ;
      }
      if (!parse_host(list, len, hosts + n))
      {
        say(r, QHPSI_ERROR, "CLAMD_HOSTS: bad entry %.*s", (int)(len > 64 ? 64 : len), list) ;
        return ;
      }
      n++ ;
      list += len ;
    }
    else list++ ;
  }
  if (!n)
  {
    say(r, QHPSI_ERROR, "CLAMD_HOSTS: no host") ;
    return ;
  }
  chunk = malloc(4 + CHUNK) ;
  if (!chunk)
  {
    say(r, QHPSI_ERROR, "out of memory") ;
    return ;
  }
  /* spread the load: each message starts at a random host */
  if (getrandom(&start, sizeof start, GRND_NONBLOCK) != (ssize_t)sizeof start)
    start = (unsigned int)getpid() ^ (unsigned int)now_ms() ;
  start %= n ;
  for (i = 0 ; i < n ; i++)
  {
    uint64_t now = now_ms() ;
    /* an unreachable host must not eat the time the others need */
    uint64_t condeadline = now >= deadline ? now : now + (deadline - now) / (n - i) ;
    if (instream(m, hosts + (start + i) % n, chunk, condeadline, deadline, r) == ATTEMPT_DONE) break ;
    if (now_ms() >= deadline) break ;
  }
  free(chunk) ;
  if (i == n)
  {
    char last[QHPSI_TEXTLEN] ;
    memcpy(last, r->text, sizeof last) ;
    say(r, QHPSI_ERROR, "all %u clamd hosts failed, last: %s", n, last) ;
  }
}

static void scan (struct qhpsi_message const *m, struct qhpsi_result *r)
{
  char const *hosts = getenv("CLAMD_HOSTS") ;
  char const *path = getenv("CLAMD_SOCKET") ;
  uint64_t deadline = now_ms() + (m->timeout_ms ? m->timeout_ms : TIMEOUT_DEFAULT) ;
  say(r, QHPSI_ERROR, "clamd: no verdict") ;
  if (hosts && *hosts) scan_tcp(m, hosts, deadline, r) ;
  else scan_unix(m, path && *path ? path : CLAMD_SOCKET_DEFAULT, deadline, r) ;
}

const struct qhpsi_plugin qhpsi_plugin =
{
  .abi = QHPSI_PLUGIN_ABI,
  .name = "clamd",
  .flags = QHPSI_INPROCESS_SAFE,
  .scan = &scan
} ;
