/* tests/fuzz/spamdreply.c: spamd's reply as the spamd plugin reads and
   judges it: answer() over a socket that delivers the input in packets,
   as if the whole message had been sent, and as if spamd had spoken
   early. The plugin's parsers are static, so the plugin source is
   included whole. */

#include <fcntl.h>
#include <sys/socket.h>
#include "../../plugins/spamd.c"
#include "fuzz.h"

static int rulebyte (char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-' ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  size_t chunk = 8 + size % 57 ;
  for (int early = 0 ; early < 2 ; early++)
  {
    struct qhpsi_result r ;
    char buf[REPLYMAX], why[NET_ERRLEN] = "" ;
    int sv[2] ;
    enum net_asked a ;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) abort() ;
    if (fcntl(sv[0], F_SETFL, O_NONBLOCK) < 0 || fcntl(sv[1], F_SETFL, O_NONBLOCK) < 0) abort() ;
    for (size_t off = 0 ; off < size ; off += chunk)
    {
      size_t k = size - off < chunk ? size - off : chunk ;
      FUZZ_ASSERT(send(sv[1], data + off, k, MSG_NOSIGNAL) == (ssize_t)k) ;
    }
    close(sv[1]) ;
    memset(&r, 0, sizeof r) ;
    say(&r, "spamd: no verdict") ;
    a = answer(sv[0], buf, "fuzz", early, net_now_ms() + 10000, why, &r) ;
    close(sv[0]) ;
    FUZZ_ASSERT(memchr(r.text, 0, sizeof r.text) && memchr(r.tests, 0, sizeof r.tests)) ;
    for (char const *p = r.text ; *p ; p++) FUZZ_ASSERT(*p >= 0x20 && *p < 0x7f) ;
    if (a == NET_FAILED)
    {
      /* only nothing at all fails the host; the socket had everything */
      FUZZ_ASSERT(!size && memchr(why, 0, sizeof why) && r.verdict == QHPSI_ERROR) ;
      continue ;
    }
    FUZZ_ASSERT(a == NET_ANSWERED) ;
    FUZZ_ASSERT(r.verdict == QHPSI_CLEAN || r.verdict == QHPSI_SPAM || r.verdict == QHPSI_ERROR) ;
    if (r.verdict == QHPSI_ERROR)
    {
      FUZZ_ASSERT(!(r.flags & QHPSI_RESULT_SCORED) && !r.score && !r.required && !r.tests[0]) ;
      continue ;
    }
    /* a score only from a whole reply after the whole message */
    FUZZ_ASSERT(!early && size > 8 && !memcmp(data, "SPAMD/1.", 8)) ;
    FUZZ_ASSERT(r.flags & QHPSI_RESULT_SCORED) ;
    FUZZ_ASSERT(r.score >= -(int32_t)SCOREMAX * 1000 && r.score <= (int32_t)SCOREMAX * 1000) ;
    FUZZ_ASSERT(r.required >= -(int32_t)SCOREMAX * 1000 && r.required <= (int32_t)SCOREMAX * 1000) ;
    /* the tests: whole rule names between single commas */
    FUZZ_ASSERT(strlen(r.tests) < QHPSI_TESTSLEN && r.tests[0] != ',') ;
    for (char const *p = r.tests ; *p ; p++)
      FUZZ_ASSERT(rulebyte(*p) || (*p == ',' && rulebyte(p[1]) && rulebyte(p[-1]))) ;
  }
  return 0 ;
}
