/* clamd.c: qhpsi plugin that asks a running clamd, or a pool of them
   (lib/net/: connect timeout, failover, back-off shared between processes).
   Over a unix socket the message fd itself is passed (FILDES); over TCP the
   bytes are streamed (INSTREAM). See qhpsi-clamd(8). */

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "qhpsi-plugin.h"
#include "net/conn.h"
#include "net/pool.h"
#include "net/stream.h"

#define CLAMD_SOCKET_DEFAULT "/var/run/clamav/clamd.ctl"
#define CLAMD_PORT_DEFAULT 3310
#define TIMEOUT_DEFAULT 120000 /* when the caller gives none; QHPSITIMEOUT's default */
#define CHUNK 65536
#define REPLYMAX 1024 /* a verdict line is far shorter; more is garbage */

/* how one attempt at one host ended: it answered (the verdict is final,
   every host would say the same), it failed (the next may not), or this
   side failed (final; no fault of the host's) */
enum attempt { ATTEMPT_ANSWERED, ATTEMPT_FAILED, ATTEMPT_LOCAL } ;

static void say (struct qhpsi_result *r, enum qhpsi_verdict v, char const *fmt, ...)
{
  va_list ap ;
  r->verdict = v ;
  va_start(ap, fmt) ;
  vsnprintf(r->text, sizeof r->text, fmt, ap) ;
  va_end(ap) ;
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
    if (!net_wait(fd, POLLIN, deadline))
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
  net_printable(quoted, sizeof quoted, s, len) ;
  say(r, QHPSI_ERROR, "clamd %s said: %s", label, quoted) ;
}

/* Turns what read_reply got into a verdict. Returns 1 when that is final,
   0 for a transport failure another host may not have (a timeout too: the
   pool gave this host only part of the time while others remain). early: clamd spoke
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
      net_printable(quoted, sizeof quoted, buf, len) ;
      say(r, QHPSI_ERROR, "clamd %s: bad reply: %s", label, quoted) ;
      return 1 ;
    case GOT_TIMEOUT :
      say(r, QHPSI_ERROR, "clamd %s: timeout", label) ;
      return 0 ;
    case GOT_EOF :
      say(r, QHPSI_ERROR, "clamd %s closed without a reply", label) ;
      return 0 ;
    default :
      say(r, QHPSI_ERROR, "clamd %s: read: %s", label, strerror(errno)) ;
      return 0 ;
  }
}

/* unix socket: pass the fd, clamd reads the file itself (no copy) */
static enum attempt fildes (struct qhpsi_message const *m, int fd, char const *label, uint64_t deadline, struct qhpsi_result *r)
{
  char buf[REPLYMAX] ;
  char dummy = 0 ;
  union { struct cmsghdr h ; char space[CMSG_SPACE(sizeof(int))] ; } ctl ;
  struct iovec iov = { .iov_base = &dummy, .iov_len = 1 } ;
  struct msghdr msg ;
  struct cmsghdr *c ;
  size_t len ;
  enum got g ;
  /* clamd wants the command first, then the fd on a later byte */
  enum net_sent s = net_send(fd, "zFILDES", sizeof "zFILDES", deadline) ;
  if (s == NET_SENT_ALL)
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
      int ev = net_wait(fd, POLLOUT | POLLIN, deadline) ;
      if (!ev) { s = NET_SENT_FAIL ; break ; }
      if (ev & POLLIN) { s = NET_SENT_EARLY ; break ; }
      n = sendmsg(fd, &msg, MSG_NOSIGNAL) ;
      if (n == 1) break ;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue ;
      if (n >= 0) errno = EPROTO ;
      s = NET_SENT_FAIL ;
      break ;
    }
  }
  if (s == NET_SENT_FAIL)
  {
    say(r, QHPSI_ERROR, "clamd %s: write: %s", label, errno == ETIMEDOUT ? "timeout" : strerror(errno)) ;
    return ATTEMPT_FAILED ;
  }
  g = read_reply(fd, buf, &len, deadline) ;
  return judge(g, buf, len, s == NET_SENT_EARLY, label, r) ? ATTEMPT_ANSWERED : ATTEMPT_FAILED ;
}

/* TCP: the message in chunks. A refusal (clamd closes after it) may cut
   the writing short: then its reply, already here, decides. */
static enum attempt instream (struct qhpsi_message const *m, int fd, char const *label, char *chunk, uint64_t deadline, struct qhpsi_result *r)
{
  char buf[REPLYMAX] ;
  uint64_t off = 0 ;
  size_t len ;
  enum got g ;
  enum net_sent s = net_send(fd, "zINSTREAM", sizeof "zINSTREAM", deadline) ;
  while (s == NET_SENT_ALL)
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
        return ATTEMPT_LOCAL ;
      }
      got += (size_t)n ;
    }
    memcpy(chunk, &nlen, 4) ;
    s = net_send(fd, chunk, 4 + want, deadline) ;
    if (!want) break ; /* that was the terminating empty chunk */
    off += want ;
  }
  if (s == NET_SENT_FAIL)
  {
    int e = errno ;
    uint64_t soon = net_now_ms() + 100 ;
    if (e == ETIMEDOUT)
    {
      say(r, QHPSI_ERROR, "clamd %s: timeout", label) ;
      return ATTEMPT_FAILED ;
    }
    g = read_reply(fd, buf, &len, soon < deadline ? soon : deadline) ;
    if (g == GOT_REPLY || g == GOT_GARBAGE) return judge(g, buf, len, 1, label, r) ? ATTEMPT_ANSWERED : ATTEMPT_FAILED ;
    say(r, QHPSI_ERROR, "clamd %s: write: %s", label, strerror(e)) ;
    return ATTEMPT_FAILED ;
  }
  g = read_reply(fd, buf, &len, deadline) ;
  return judge(g, buf, len, s == NET_SENT_EARLY, label, r) ? ATTEMPT_ANSWERED : ATTEMPT_FAILED ;
}

/* text without its "clamd LABEL: ", which the pool puts back */
static char const *why (char const *text, char const *label)
{
  size_t n = strlen(label) ;
  if (!strncmp(text, "clamd ", 6) && !strncmp(text + 6, label, n) && !strncmp(text + 6 + n, ": ", 2)) return text + 8 + n ;
  return text ;
}

/* Asks the hosts of list in the pool's order until one answers. */
static void ask (struct qhpsi_message const *m, char const *var, char const *list, uint64_t deadline, struct qhpsi_result *r)
{
  net_pool *p = malloc(sizeof *p) ;
  char *chunk = malloc(4 + CHUNK) ;
  unsigned int i ;
  int fd ;
  if (!p || !chunk) { say(r, QHPSI_ERROR, "out of memory") ; goto end ; }
  if (!net_pool_init(p, list, CLAMD_PORT_DEFAULT))
  {
    say(r, QHPSI_ERROR, "%s: %s", var, p->err) ;
    goto end ;
  }
  while ((fd = net_pool_connect(p, deadline, &i)) >= 0)
  {
    net_host const *h = p->host + i ;
    uint64_t d = net_pool_deadline(p, deadline) ;
    enum attempt a = net_host_isunix(h) ? fildes(m, fd, h->label, d, r) : instream(m, fd, h->label, chunk, d, r) ;
    close(fd) ;
    if (a == ATTEMPT_LOCAL) goto end ;
    if (a == ATTEMPT_ANSWERED)
    {
      net_pool_answered(p, i) ;
      /* the log's host= (qmail-queue(8), LOG) */
      r->flags |= QHPSI_RESULT_SERVER ;
      snprintf(r->reply, sizeof r->reply, "%s", h->label) ;
      goto end ;
    }
    net_pool_failed(p, i, why(r->text, h->label)) ;
  }
  if (p->n == 1) say(r, QHPSI_ERROR, "clamd %s", p->err) ;
  else say(r, QHPSI_ERROR, "all %u clamd hosts failed, last: %s", p->n, p->err) ;
 end:
  free(chunk) ;
  free(p) ;
}

static void scan (struct qhpsi_message const *m, struct qhpsi_result *r)
{
  char const *hosts = getenv("CLAMD_HOSTS") ;
  char const *path = getenv("CLAMD_SOCKET") ;
  uint64_t deadline = net_now_ms() + (m->timeout_ms ? m->timeout_ms : TIMEOUT_DEFAULT) ;
  say(r, QHPSI_ERROR, "clamd: no verdict") ;
  if (hosts && *hosts) ask(m, "CLAMD_HOSTS", hosts, deadline, r) ;
  else ask(m, "CLAMD_SOCKET", path && *path ? path : CLAMD_SOCKET_DEFAULT, deadline, r) ;
}

const struct qhpsi_plugin qhpsi_plugin =
{
  .abi = QHPSI_PLUGIN_ABI,
  .name = "clamd",
  .flags = QHPSI_INPROCESS_SAFE | QHPSI_SELF_CONTAINED,
  .scan = &scan
} ;
