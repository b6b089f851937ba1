/* tests/fuzz/logparse.c: the reader of log lines and of the metrics state
   file. Input starting with "S" is a state file: it loads or is refused,
   and what loads saves and loads again the same. Anything else is log
   lines: each parsed field lies within its line, and the report's and the
   metrics' totals add up whatever the lines hold. */

#include <string.h>
#include <unistd.h>
#include "report/logline.h"
#include "report/report.h"
#include "metrics/metrics.h"
#include "fuzz.h"

static int within (lfield const *f, char const *s, size_t len)
{
  return !f->s || (f->s >= s && f->s + f->len <= s + len) ;
}

static void state (uint8_t const *data, size_t size)
{
  char fn[] = "/tmp/fuzz-logparse.XXXXXX" ;
  metrics m, n ;
  int fd = mkstemp(fn) ;
  if (fd < 0) abort() ;
  if (write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) abort() ;
  close(fd) ;
  metrics_init(&m) ;
  if (metrics_load(&m, fn))
  {
    FUZZ_ASSERT(m.nhosts <= METRICS_MAXHOSTS && m.ndirs <= METRICS_MAXDIRS) ;
    FUZZ_ASSERT(metrics_save(&m, fn)) ;
    metrics_init(&n) ;
    FUZZ_ASSERT(metrics_load(&n, fn)) ;
    FUZZ_ASSERT(!memcmp(m.verdict, n.verdict, sizeof m.verdict) && m.nhosts == n.nhosts && m.ndirs == n.ndirs) ;
    FUZZ_ASSERT(!memcmp(&m.alarm, &n.alarm, sizeof m.alarm)) ;
    metrics_free(&n) ;
  }
  metrics_free(&m) ;
  unlink(fn) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  char const *s = (char const *)data ;
  report r ;
  metrics m ;
  size_t st = 0 ;
  uint64_t lines = 0, inrange = 0 ;
  if (size && data[0] == 'S') { state(data, size) ; return 0 ; }
  report_init(&r, 0, (time_t)1 << 40) ;
  metrics_init(&m) ;
  while (st < size)
  {
    char const *nl = memchr(s + st, '\n', size - st) ;
    size_t len = nl ? (size_t)(nl - (s + st)) : size - st ;
    logline l ;
    if (logline_parse(s + st, len, &l) == LOGLINE_QHPSI)
    {
      FUZZ_ASSERT(within(&l.ip, s + st, len) && within(&l.from, s + st, len) && within(&l.route, s + st, len)
        && within(&l.verdict, s + st, len) && within(&l.signature, s + st, len) && within(&l.error, s + st, len)
        && within(&l.action, s + st, len) && within(&l.qid, s + st, len) && within(&l.host, s + st, len)) ;
      FUZZ_ASSERT(!l.signature.s != !l.error.s) ;
      metrics_count(&m, &l) ;
      /* forwards judged before and self-test probes are no messages */
      if (!lfield_is(&l.route, "seal") && !(l.action.len >= 8 && !memcmp(l.action.s, "selftest", 8)))
      {
        lines++ ;
        if (l.t.sec < (uint64_t)1 << 40) inrange++ ;
      }
    }
    if (!report_line(&r, s + st, len)) abort() ;
    st += len + 1 ;
  }
  {
    uint64_t v = 0, a = 0 ;
    for (unsigned int i = 0 ; i < METRICS_NVERDICT ; i++) v += m.verdict[i] ;
    for (unsigned int i = 0 ; i < METRICS_NACTION ; i++) a += m.action[i] ;
    FUZZ_ASSERT(v == lines && a == lines && m.nhosts <= METRICS_MAXHOSTS) ;
    FUZZ_ASSERT(r.scanned == inrange) ;
    FUZZ_ASSERT(r.clean + r.infected + r.rulehits + r.error + r.released + r.other == r.scanned) ;
    FUZZ_ASSERT(m.reason[0] + m.reason[1] + m.reason[2] + m.reason[3] + m.reason[4] + m.reason[5] == m.verdict[2]) ;
  }
  report_free(&r) ;
  metrics_free(&m) ;
  return 0 ;
}
