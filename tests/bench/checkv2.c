/* checkv2: the floor under rspamd.so, a bare /checkv2 round trip: connect
   to ADDR (a unix socket path or a.b.c.d:port, as RSPAMD_HOSTS names it),
   send a request whose head and message are ready in memory, read the
   reply up to the close, check its status line; nothing parsed.
   Usage: checkv2 ADDR MESSAGE RUNS; prints the median in milliseconds. */

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "net/conn.h"
#include "net/host.h"
#include "bench.h"

static int all (int s, char const *b, size_t n)
{
  while (n)
  {
    ssize_t w = send(s, b, n, MSG_NOSIGNAL) ;
    if (w < 0) { if (net_wait(s, POLLOUT, net_now_ms() + 10000)) continue ; return 0 ; }
    b += w ; n -= (size_t)w ;
  }
  return 1 ;
}

int main (int argc, char **argv)
{
  static char reply[1 << 16] ;
  net_host h ;
  struct stat st ;
  char *req ;
  double *ms ;
  int fd, runs, hl ;
  if (argc != 4 || (runs = atoi(argv[3])) < 1) { fprintf(stderr, "usage: checkv2 ADDR MESSAGE RUNS\n") ; return 100 ; }
  if (!net_host_parse(argv[1], strlen(argv[1]), 11333, &h)) { fprintf(stderr, "checkv2: bad address\n") ; return 100 ; }
  fd = open(argv[2], O_RDONLY) ;
  if (fd < 0 || fstat(fd, &st) < 0) { perror("checkv2: open") ; return 111 ; }
  req = malloc(512 + (size_t)st.st_size) ;
  ms = malloc(sizeof *ms * (size_t)runs) ;
  if (!req || !ms) return 111 ;
  hl = snprintf(req, 512, "POST /checkv2 HTTP/1.0\r\nConnection: close\r\nFrom: a@example.org\r\nRcpt: b@example.org\r\n"
                "Content-Length: %lld\r\n\r\n", (long long)st.st_size) ;
  if (read(fd, req + hl, (size_t)st.st_size) != st.st_size) { perror("checkv2: read") ; return 111 ; }
  for (int i = 0 ; i < runs ; i++)
  {
    double t0 = bench_now() ;
    size_t got = 0 ;
    int s = net_connect((struct sockaddr const *)&h.sa, h.salen, net_now_ms() + 10000) ;
    if (s < 0 || !all(s, req, (size_t)hl + (size_t)st.st_size)) { perror("checkv2: send") ; return 111 ; }
    for (;;)
    {
      ssize_t n ;
      if (!net_wait(s, POLLIN, net_now_ms() + 10000)) { perror("checkv2: wait") ; return 111 ; }
      n = recv(s, reply + got, sizeof reply - got, 0) ;
      if (n <= 0) break ;
      got += (size_t)n ;
      if (got == sizeof reply) got = 0 ;
    }
    close(s) ;
    ms[i] = (bench_now() - t0) / 1000 ;
    if (i == 0 && (got < 12 || memcmp(reply + 8, " 200", 4))) { fprintf(stderr, "checkv2: no 200 reply\n") ; return 111 ; }
  }
  printf("%.3f\n", bench_median(ms, runs)) ;
  return 0 ;
}
