/* tests/fuzz/rspamdreply.c: rspamd's reply as rspamd.so reads it: the
   input as the HTTP reply to a request (lib/net/http.c, over a socket that
   holds it whole), its body, if whole and 200, and the input itself as the
   JSON body (plugins/rspamdreply.c, included whole). A result taken is
   clean or spam, and everything in it is what qmail-queue accepts. */

#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include "../../plugins/rspamdreply.c"
#include "net/conn.h"
#include "net/http.h"
#include "fuzz.h"

static void judged (char const *body, size_t len)
{
  struct qhpsi_result r ;
  char why[NET_ERRLEN] ;
  char const *bad ;
  memset(&r, 0, sizeof r) ;
  if (!rspamd_reply(body, len, &r, why, sizeof why))
  {
    FUZZ_ASSERT(memchr(why, 0, sizeof why)) ;
    return ;
  }
  FUZZ_ASSERT(r.verdict == QHPSI_CLEAN || r.verdict == QHPSI_SPAM) ;
  FUZZ_ASSERT(r.verdict == QHPSI_SPAM ? r.action >= QHPSI_ACTION_REFUSE && r.action <= QHPSI_ACTION_TEMPFAIL : !r.action) ;
  FUZZ_ASSERT(r.flags == QHPSI_RESULT_SCORED) ;
  FUZZ_ASSERT(memchr(r.reply, 0, sizeof r.reply) && memchr(r.tests, 0, sizeof r.tests) && memchr(r.headers, 0, sizeof r.headers)) ;
  for (char const *p = r.reply ; *p ; p++) FUZZ_ASSERT(*p >= 0x20 && *p < 0x7f) ;
  FUZZ_ASSERT(spamhdr_testsok(r.tests)) ;
  FUZZ_ASSERT(spamhdr_check(r.headers, &bad)) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  static char const msg[] = "Subject: fuzz\n\nbody\n" ;
  stralloc head = STRALLOC_ZERO ;
  net_http_reply rep = NET_HTTP_REPLY_ZERO ;
  enum net_http_end e ;
  int sv[2], fd ;

  judged((char const *)data, size) ;

  fd = memfd_create("msg", MFD_CLOEXEC) ;
  if (fd < 0 || write(fd, msg, sizeof msg - 1) != (ssize_t)(sizeof msg - 1)) abort() ;
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) abort() ;
  if (size && send(sv[1], data, size, MSG_NOSIGNAL) != (ssize_t)size) abort() ;
  shutdown(sv[1], SHUT_WR) ;
  if (!net_http_start(&head, "POST", "/checkv2") || !net_http_header(&head, "Rcpt", "a@example.org")) abort() ;
  e = net_http_exchange(sv[0], &head, fd, sizeof msg - 1, net_now_ms() + 10000, 4096, &rep) ;
  close(sv[0]) ; close(sv[1]) ; close(fd) ;
  FUZZ_ASSERT(e != NET_HTTP_LOCAL) ;
  FUZZ_ASSERT(rep.body.len <= 4096 && rep.body.len <= size) ;
  FUZZ_ASSERT(memchr(rep.err, 0, sizeof rep.err)) ;
  if (e == NET_HTTP_OK)
  {
    FUZZ_ASSERT(rep.status >= 100 && rep.status <= 999 && size >= 12 && !memcmp(data, "HTTP/1.", 7)) ;
    if (rep.status == 200) judged(rep.body.s, rep.body.len) ;
  }
  stralloc_free(&rep.body) ;
  stralloc_free(&head) ;
  return 0 ;
}
