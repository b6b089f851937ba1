/* tests/fuzz/clamdreply.c: clamd's reply as the clamd plugin reads and
   judges it: read_reply over a socket that delivers the input in packets,
   judge, and parse_reply on the raw bytes. The plugin's parsers are static,
   so the plugin source is included whole. */

#include <fcntl.h>
#include <sys/socket.h>
#include "../../plugins/clamd.c"
#include "fuzz.h"

static void textok (struct qhpsi_result const *r)
{
  FUZZ_ASSERT(memchr(r->text, 0, sizeof r->text)) ;
  FUZZ_ASSERT(r->verdict == QHPSI_CLEAN || r->verdict == QHPSI_INFECTED || r->verdict == QHPSI_ERROR) ;
  /* a signature name or error text goes to logs and headers */
  for (char const *p = r->text ; *p ; p++) FUZZ_ASSERT(*p >= 0x20 && *p < 0x7f) ;
}

static void parsed (uint8_t const *data, size_t size)
{
  struct qhpsi_result r = { .verdict = QHPSI_ERROR } ;
  char const *s = (char const *)data ;
  parse_reply(s, size, "fuzz", &r) ;
  textok(&r) ;
  if (r.verdict == QHPSI_CLEAN) FUZZ_ASSERT(size >= 5 && !memcmp(s + size - 4, ": OK", 4)) ;
  if (r.verdict == QHPSI_INFECTED)
  {
    FUZZ_ASSERT(size > 8 && !memcmp(s + size - 6, " FOUND", 6)) ;
    FUZZ_ASSERT(r.text[0] && r.text[0] != ' ') ;
    FUZZ_ASSERT(!memchr(s, 0, size)) ;
  }
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  int sv[2] ;
  size_t chunk = 8 + size % 57, len = 0 ;
  char buf[REPLYMAX] ;
  uint8_t const *nul ;
  enum got g ;

  parsed(data, size) ;

  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) abort() ;
  if (fcntl(sv[1], F_SETFL, O_NONBLOCK) < 0) abort() ;
  for (size_t off = 0 ; off < size ; off += chunk)
  {
    size_t k = size - off < chunk ? size - off : chunk ;
    FUZZ_ASSERT(send(sv[1], data + off, k, MSG_NOSIGNAL) == (ssize_t)k) ;
  }
  close(sv[1]) ;
  g = read_reply(sv[0], buf, &len, net_now_ms() + 10000) ;
  close(sv[0]) ;

  FUZZ_ASSERT(len <= REPLYMAX) ;
  nul = memchr(data, 0, size < REPLYMAX ? size : REPLYMAX) ;
  switch (g)
  {
    case GOT_REPLY :
      /* the reply is the bytes before the first NUL, which ended a read */
      FUZZ_ASSERT(nul && (size_t)(nul - data) == len) ;
      break ;
    case GOT_GARBAGE :
      FUZZ_ASSERT(len == REPLYMAX || (nul && (size_t)(nul - data) == len)) ;
      break ;
    case GOT_EOF :
      FUZZ_ASSERT(!nul && size < REPLYMAX && len == size) ;
      break ;
    default :
      FUZZ_ASSERT(!"read_reply failed on a socket that had everything") ;
  }
  for (int early = 0 ; early < 2 ; early++)
  {
    struct qhpsi_result r = { .verdict = QHPSI_ERROR } ;
    int final = judge(g, buf, len, early, "fuzz", &r) ;
    textok(&r) ;
    FUZZ_ASSERT(final == (g != GOT_EOF)) ;
    /* only a complete reply, after the whole message, can be a verdict */
    if (r.verdict != QHPSI_ERROR) FUZZ_ASSERT(g == GOT_REPLY && !early) ;
  }
  return 0 ;
}
