/* http.c: the HTTP/1.0 request writer and the bounded reply reader (http.h). */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/socket.h>

#include "net/conn.h"
#include "net/http.h"

#define CHUNK 65536

int net_http_start (stralloc *head, char const *method, char const *path)
{
  head->len = 0 ;
  return stralloc_cats(head, method) && stralloc_catb(head, " ", 1) && stralloc_cats(head, path)
      && stralloc_cats(head, " HTTP/1.0\r\n") ;
}

int net_http_header (stralloc *head, char const *name, char const *value)
{
  for (char const *c = value ; *c ; c++)
    if ((unsigned char)*c < 0x20 || *c == 0x7f) { errno = EINVAL ; return 0 ; }
  return stralloc_cats(head, name) && stralloc_catb(head, ": ", 2) && stralloc_cats(head, value)
      && stralloc_catb(head, "\r\n", 2) ;
}

static void why (net_http_reply *rep, char const *s, int e)
{
  if (e) snprintf(rep->err, sizeof rep->err, "%s: %s", s, e == ETIMEDOUT ? "timeout" : strerror(e)) ;
  else snprintf(rep->err, sizeof rep->err, "%s", s) ;
}

/* 1: all sent; 2: the server spoke first (it only does to refuse); 0:
   failed, errno set. The socket is only waited for when it is full. */
static int send_all (int s, char const *b, size_t n, uint64_t deadline)
{
  while (n)
  {
    ssize_t w = send(s, b, n, MSG_NOSIGNAL | MSG_DONTWAIT) ;
    if (w < 0)
    {
      int ev ;
      if (errno == EINTR) continue ;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return 0 ;
      ev = net_wait(s, POLLOUT | POLLIN, deadline) ;
      if (!ev) return 0 ;
      if (ev & POLLIN) return 2 ;
      continue ;
    }
    b += w ; n -= (size_t)w ;
  }
  return 1 ;
}

/* the reply, through a window of CHUNK bytes */
typedef struct rd_s rd ;
struct rd_s
{
  int s ;
  uint64_t deadline ;
  char *buf ;
  size_t pos, len ;
  net_http_reply *rep ;
} ;

enum { RD_BAD = -1, RD_FAIL = 0, RD_OK = 1, RD_EOF = 2 } ;

/* reads more into the window: RD_OK, RD_EOF, or RD_FAIL */
static int fill (rd *r)
{
  if (r->pos)
  {
    memmove(r->buf, r->buf + r->pos, r->len - r->pos) ;
    r->len -= r->pos ; r->pos = 0 ;
  }
  for (;;)
  {
    ssize_t n ;
    if (!net_wait(r->s, POLLIN, r->deadline)) { why(r->rep, "read", errno) ; return RD_FAIL ; }
    n = recv(r->s, r->buf + r->len, CHUNK - r->len, 0) ;
    if (n > 0) { r->len += (size_t)n ; return RD_OK ; }
    if (!n) return RD_EOF ;
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) { why(r->rep, "read", errno) ; return RD_FAIL ; }
  }
}

/* one line, without its CR LF (a bare LF is taken too) */
static int line (rd *r, char const **s, size_t *n)
{
  for (;;)
  {
    char *lf = memchr(r->buf + r->pos, '\n', r->len - r->pos) ;
    int f ;
    if (lf)
    {
      *s = r->buf + r->pos ;
      *n = (size_t)(lf - *s) ;
      r->pos += *n + 1 ;
      if (*n && (*s)[*n - 1] == '\r') (*n)-- ;
      return RD_OK ;
    }
    if (r->len - r->pos > NET_HTTP_LINEMAX) { why(r->rep, "reply line too long", 0) ; return RD_BAD ; }
    f = fill(r) ;
    if (f == RD_EOF) { why(r->rep, "closed in the middle of the reply", 0) ; return RD_FAIL ; }
    if (f != RD_OK) return f ;
  }
}

/* n bytes of body; with n == SIZE_MAX, up to the close */
static int take (rd *r, size_t n, size_t bodymax)
{
  while (n)
  {
    size_t k = r->len - r->pos ;
    if (!k)
    {
      int f = fill(r) ;
      if (f == RD_EOF && n == SIZE_MAX) return RD_OK ;
      if (f == RD_EOF) { why(r->rep, "closed in the middle of the body", 0) ; return RD_FAIL ; }
      if (f != RD_OK) return f ;
      continue ;
    }
    if (k > n) k = n ;
    if (r->rep->body.len + k > bodymax) { why(r->rep, "reply body too big", 0) ; return RD_BAD ; }
    if (!stralloc_catb(&r->rep->body, r->buf + r->pos, k)) { why(r->rep, "memory", errno) ; return RD_BAD ; }
    r->pos += k ;
    if (n != SIZE_MAX) n -= k ;
  }
  return RD_OK ;
}

/* a decimal (base 10) or hex (16) number of the whole field, at most max */
static int number (char const *s, size_t n, unsigned int base, size_t max, size_t *v)
{
  size_t x = 0 ;
  if (!n || n > 16) return 0 ;
  for (size_t i = 0 ; i < n ; i++)
  {
    unsigned int d ;
    if (s[i] >= '0' && s[i] <= '9') d = (unsigned int)(s[i] - '0') ;
    else if (base == 16 && s[i] >= 'a' && s[i] <= 'f') d = (unsigned int)(s[i] - 'a' + 10) ;
    else if (base == 16 && s[i] >= 'A' && s[i] <= 'F') d = (unsigned int)(s[i] - 'A' + 10) ;
    else return 0 ;
    x = x * base + d ;
    if (x > max) return 0 ;
  }
  *v = x ;
  return 1 ;
}

static int chunked (rd *r, size_t bodymax)
{
  for (;;)
  {
    char const *s ;
    size_t n, size ;
    int f = line(r, &s, &n) ;
    if (f != RD_OK) return f ;
    for (size_t i = 0 ; i < n ; i++) if (s[i] == ';' || s[i] == ' ' || s[i] == '\t') { n = i ; break ; }
    if (!number(s, n, 16, bodymax, &size)) { why(r->rep, "bad chunk size", 0) ; return RD_BAD ; }
    if (!size) break ;
    f = take(r, size, bodymax) ;
    if (f != RD_OK) return f ;
    f = line(r, &s, &n) ;
    if (f != RD_OK) return f ;
    if (n) { why(r->rep, "bad chunk end", 0) ; return RD_BAD ; }
  }
  /* trailer fields, up to the empty line */
  for (size_t total = 0 ;;)
  {
    char const *s ;
    size_t n ;
    int f = line(r, &s, &n) ;
    if (f != RD_OK) return f ;
    if (!n) return RD_OK ;
    total += n ;
    if (total > NET_HTTP_HEADMAX) { why(r->rep, "trailer too long", 0) ; return RD_BAD ; }
  }
}

static int is_field (char const *s, size_t n, char const *name, char const **v, size_t *vn)
{
  size_t k = strlen(name) ;
  if (n <= k || s[k] != ':' || strncasecmp(s, name, k)) return 0 ;
  s += k + 1 ; n -= k + 1 ;
  while (n && (*s == ' ' || *s == '\t')) { s++ ; n-- ; }
  while (n && (s[n-1] == ' ' || s[n-1] == '\t')) n-- ;
  *v = s ; *vn = n ;
  return 1 ;
}

static int reply (rd *r, size_t bodymax)
{
  char const *s, *v ;
  size_t n, vn, total = 0, clen = 0 ;
  int f, haslen = 0, ischunked = 0 ;
  f = line(r, &s, &n) ;
  if (f != RD_OK) return f ;
  /* "HTTP/1.x NNN reason" */
  if (n < 12 || memcmp(s, "HTTP/1.", 7) || (s[7] != '0' && s[7] != '1') || s[8] != ' '
   || !number(s + 9, 3, 10, 999, &vn) || (n > 12 && s[12] != ' ') || vn < 100)
  {
    why(r->rep, "no HTTP status line", 0) ;
    return RD_BAD ;
  }
  r->rep->status = (unsigned int)vn ;
  for (;;)
  {
    f = line(r, &s, &n) ;
    if (f != RD_OK) return f ;
    if (!n) break ;
    total += n + 2 ;
    if (total > NET_HTTP_HEADMAX) { why(r->rep, "reply head too long", 0) ; return RD_BAD ; }
    if (is_field(s, n, "Content-Length", &v, &vn))
    {
      size_t x ;
      if (!number(v, vn, 10, bodymax, &x)) { why(r->rep, "reply body too big or bad Content-Length", 0) ; return RD_BAD ; }
      if (haslen && x != clen) { why(r->rep, "two Content-Lengths", 0) ; return RD_BAD ; }
      haslen = 1 ; clen = x ;
    }
    else if (is_field(s, n, "Transfer-Encoding", &v, &vn))
    {
      if (vn != 7 || strncasecmp(v, "chunked", 7)) { why(r->rep, "unknown Transfer-Encoding", 0) ; return RD_BAD ; }
      ischunked = 1 ;
    }
  }
  if (haslen && ischunked) { why(r->rep, "both Content-Length and chunked", 0) ; return RD_BAD ; }
  if (ischunked) return chunked(r, bodymax) ;
  return take(r, haslen ? clen : SIZE_MAX, bodymax) ;
}

/* the head (pre, n bytes, already in chunk) and the message from offset
   0, in chunks: a small message goes in one write with its head */
static int stream (int s, size_t pre, int fd, uint64_t size, char *chunk, uint64_t deadline, net_http_reply *rep)
{
  uint64_t off = 0 ;
  do
  {
    size_t want = size - off > CHUNK - pre ? CHUNK - pre : (size_t)(size - off), got = 0 ;
    int w ;
    while (got < want)
    {
      ssize_t n = pread(fd, chunk + pre + got, want - got, (off_t)(off + got)) ;
      if (n < 0 && errno == EINTR) continue ;
      if (n <= 0)
      {
        why(rep, n < 0 ? "read message" : "read message: shorter than its size", n < 0 ? errno : 0) ;
        return -1 ;
      }
      got += (size_t)n ;
    }
    w = send_all(s, chunk, pre + want, deadline) ;
    if (w != 1) return w ;
    off += want ;
    pre = 0 ;
  } while (off < size) ;
  return 1 ;
}

enum net_http_end net_http_exchange (int sock, stralloc const *head, int fd, uint64_t size,
                                     uint64_t deadline, size_t bodymax, net_http_reply *rep)
{
  char line[64] ;
  rd r = { .s = sock, .deadline = deadline, .pos = 0, .len = 0, .rep = rep } ;
  int w, f ;
  rep->status = 0 ;
  rep->body.len = 0 ;
  rep->err[0] = 0 ;
  r.buf = malloc(CHUNK) ;
  if (!r.buf) { why(rep, "memory", errno) ; return NET_HTTP_LOCAL ; }
  snprintf(line, sizeof line, "Content-Length: %llu\r\n\r\n", (unsigned long long)size) ;
  if (head->len + strlen(line) <= CHUNK / 4)
  {
    memcpy(r.buf, head->s, head->len) ;
    memcpy(r.buf + head->len, line, strlen(line)) ;
    w = stream(sock, head->len + strlen(line), fd, size, r.buf, deadline, rep) ;
  }
  else
  {
    w = send_all(sock, head->s, head->len, deadline) ;
    if (w == 1) w = send_all(sock, line, strlen(line), deadline) ;
    if (w == 1) w = stream(sock, 0, fd, size, r.buf, deadline, rep) ;
  }
  if (w < 0) { free(r.buf) ; return NET_HTTP_LOCAL ; }
  if (!w)
  {
    /* a server that refuses may close before it has read everything:
       what it said, if anything, is here already */
    int e = errno ;
    uint64_t soon = net_now_ms() + 100 ;
    if (e == ETIMEDOUT) { why(rep, "write", e) ; free(r.buf) ; return NET_HTTP_FAILED ; }
    r.deadline = soon < deadline ? soon : deadline ;
    f = reply(&r, bodymax) ;
    if (f != RD_OK) why(rep, "write", e) ;
  }
  else f = reply(&r, bodymax) ;
  free(r.buf) ;
  return f == RD_OK ? NET_HTTP_OK : f == RD_BAD ? NET_HTTP_BAD : NET_HTTP_FAILED ;
}
