/* unit tests of lib/net/stream: a reply head found wherever the reads cut
   it, bounds, EOF and deadlines; a file sent whole, a short file, a server
   that speaks first; quoting */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "net/conn.h"
#include "net/stream.h"
#include "unit.h"

/* a nonblocking pair: s[0] is ours, s[1] the server's */
static void pair (int s[2])
{
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, s) < 0) exit(111) ;
  if (fcntl(s[0], F_SETFL, O_NONBLOCK) < 0) exit(111) ;
}

/* a child that writes text in pieces of piece bytes, 2 ms apart, then
   closes (or, with hold, keeps the socket open for a second) */
static pid_t server (int fd, char const *text, size_t piece, int hold)
{
  pid_t pid = fork() ;
  if (pid < 0) exit(111) ;
  if (!pid)
  {
    size_t len = strlen(text) ;
    for (size_t off = 0 ; off < len ; off += piece)
    {
      if (write(fd, text + off, len - off < piece ? len - off : piece) < 0) _exit(1) ;
      usleep(2000) ;
    }
    if (hold) sleep(1) ;
    _exit(0) ;
  }
  return pid ;
}

static void reap (pid_t pid) { int w ; waitpid(pid, &w, 0) ; }

static enum net_got head (char const *text, size_t piece, int hold, size_t cap, uint64_t ms, char *buf, size_t *len, size_t *headlen)
{
  int s[2] ;
  pid_t pid ;
  enum net_got g ;
  pair(s) ;
  pid = server(s[1], text, piece, hold) ;
  close(s[1]) ;
  g = net_read_head(s[0], buf, cap, len, headlen, net_now_ms() + ms) ;
  close(s[0]) ;
  reap(pid) ;
  return g ;
}

int main (void)
{
  char buf[4096] ;
  size_t len, hl ;
  char const *reply = "SPAMD/1.1 0 EX_OK\r\nContent-length: 5\r\n\r\nA,B,C" ;

  /* every cut of the reply, down to one byte a read */
  for (size_t piece = 1 ; piece <= 8 ; piece++)
  {
    enum net_got g = head(reply, piece, 0, sizeof buf, 5000, buf, &len, &hl) ;
    CHECK(g == NET_GOT_HEAD && hl == strlen(reply) - 5, "the head ends at its empty line, whatever the reads") ;
  }
  CHECK(head("HTTP/1.0 200 OK\n\nbody", 3, 0, sizeof buf, 5000, buf, &len, &hl) == NET_GOT_HEAD && hl == 17, "a bare LF LF ends a head too") ;
  CHECK(head("SPAMD/1.0 76 Bad header line: x\r\n", 64, 0, sizeof buf, 5000, buf, &len, &hl) == NET_GOT_EOF && len == 33, "EOF before an empty line: what came is there") ;
  CHECK(head("", 64, 0, sizeof buf, 5000, buf, &len, &hl) == NET_GOT_EOF && !len, "EOF at once") ;
  CHECK(head("0123456789abcdefghij\r\n\r\n", 64, 0, 16, 5000, buf, &len, &hl) == NET_GOT_FULL && len == 16, "no empty line within cap: full") ;
  {
    int s[2] ;
    pid_t pid ;
    uint64_t t0, el ;
    enum net_got g ;
    pair(s) ;
    pid = server(s[1], "SPAMD/1.1 0 EX_OK\r\n", 64, 1) ;
    close(s[1]) ;
    t0 = net_now_ms() ;
    g = net_read_head(s[0], buf, sizeof buf, &len, &hl, t0 + 200) ;
    el = net_now_ms() - t0 ;
    CHECK(g == NET_GOT_FAIL && errno == ETIMEDOUT && el >= 200 && el < 900, "a server that stops talking: a timeout at the deadline") ;
    close(s[0]) ;
    reap(pid) ;
  }

  /* the body after the head */
  {
    int s[2] ;
    pid_t pid ;
    pair(s) ;
    pid = server(s[1], reply, 7, 0) ;
    close(s[1]) ;
    CHECK(net_read_head(s[0], buf, sizeof buf, &len, &hl, net_now_ms() + 5000) == NET_GOT_HEAD, "head") ;
    CHECK(net_read_more(s[0], buf, hl + 5, &len, net_now_ms() + 5000) == NET_GOT_HEAD && len == hl + 5, "read on to the length") ;
    CHECKMEM(buf + hl, 5, "A,B,C", 5, "the body") ;
    close(s[0]) ;
    reap(pid) ;
    pair(s) ;
    pid = server(s[1], reply, 64, 0) ;
    close(s[1]) ;
    len = 0 ;
    CHECK(net_read_more(s[0], buf, 500, &len, net_now_ms() + 5000) == NET_GOT_EOF && len == strlen(reply), "a body shorter than said: EOF") ;
    close(s[0]) ;
    reap(pid) ;
  }

  /* a file sent whole; a file shorter than its size */
  {
    char tmpl[] = "/tmp/unit-stream.XXXXXX", got[300000], chunk[4096] ;
    int f = mkstemp(tmpl), s[2] ;
    pid_t pid ;
    for (size_t i = 0 ; i < sizeof got ; i++) got[i] = (char)('a' + i % 23) ;
    if (f < 0 || write(f, got, sizeof got) != (ssize_t)sizeof got) exit(111) ;
    unlink(tmpl) ;
    pair(s) ;
    pid = fork() ;
    if (!pid)
    {
      char in[65536] ;
      size_t total = 0 ;
      ssize_t r ;
      close(s[0]) ;
      while ((r = read(s[1], in, sizeof in)) > 0)
        for (ssize_t i = 0 ; i < r ; i++, total++) if (in[i] != (char)('a' + total % 23)) _exit(2) ;
      _exit(total == sizeof got ? 0 : 3) ;
    }
    close(s[1]) ;
    CHECK(net_send_file(s[0], f, sizeof got, chunk, sizeof chunk, net_now_ms() + 10000) == NET_SENT_ALL, "300 KB sent in 4 KB chunks") ;
    close(s[0]) ;
    {
      int w ;
      waitpid(pid, &w, 0) ;
      CHECK(WIFEXITED(w) && !WEXITSTATUS(w), "the server got every byte, in order") ;
    }
    {
      char small[] = "/tmp/unit-stream.XXXXXX" ;
      int g = mkstemp(small) ;
      if (g < 0 || write(g, "0123456789", 10) != 10) exit(111) ;
      unlink(small) ;
      pair(s) ;
      CHECK(net_send_file(s[0], g, 20, chunk, sizeof chunk, net_now_ms() + 10000) == NET_SENT_LOCAL && errno == ENODATA, "a file shorter than its size: a local failure") ;
      close(s[0]) ; close(s[1]) ; close(g) ;
    }
    /* a server that answers and reads nothing: the writer stops to read it */
    pair(s) ;
    pid = server(s[1], "refused\r\n", 64, 1) ;
    close(s[1]) ;
    usleep(50000) ;
    CHECK(net_send_file(s[0], f, sizeof got, chunk, sizeof chunk, net_now_ms() + 10000) == NET_SENT_EARLY, "the server spoke first: stop writing") ;
    close(s[0]) ;
    reap(pid) ;
    close(f) ;
  }

  net_printable(buf, 12, "a\r\nb\x1b[2Jcdefgh", 14) ;
  CHECKMEM(buf, strlen(buf), "a??b?[2Jcde", 11, "quoted: control bytes made ?, cut to fit") ;
  return UNIT_END() ;
}
