/* tests/unit/alarm.c: the failure notice's state machine (metrics/alarm.c):
   one notice at the first error, none per further error, one repeat per
   period, one recovery after a success and a quiet period; and the state
   file keeps it across a restart. */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "metrics/alarm.h"
#include "metrics/metrics.h"
#include "unit.h"

/* a parsed line at time t */
static void feed (metrics *m, uint64_t t, char const *verdict, char const *action)
{
  char line[300] ;
  logline l ;
  int n = snprintf(line, sizeof line, "@%016llx%08x qhpsi: qp=1 ip=- from=a@x rcpts=1 rcpt=b@y msgid=- size=5 route=plugin verdict=%s %s action=%s ms=3",
    (unsigned long long)(t + 4611686018427387914ULL), 0, verdict, strcmp(verdict, "error") ? "signature=-" : "error=clamd:_connect:_refused", action) ;
  if (logline_parse(line, n, &l) != LOGLINE_QHPSI) { printf("FAIL - bad test line %s\n", line) ; exit(1) ; }
  metrics_count(m, &l) ;
}

int main (void)
{
  metrics m, back ;
  stralloc sa = STRALLOC_ZERO ;
  char fn[] = "/tmp/unit-alarm.XXXXXX" ;
  int fd, k, sends = 0 ;
  metrics_init(&m) ;
  feed(&m, 1000, "clean", "queue") ;
  CHECK(alarm_due(&m.alarm, 1001, 300, 3600) == ALARM_NONE, "clean: nothing to say") ;
  /* 500 errors in 50 s: one notice */
  for (unsigned int i = 0 ; i < 500 ; i++)
  {
    feed(&m, 1010 + i / 10, "error", i % 5 ? "tempfail" : "accept") ;
    if (i % 10 == 9 && alarm_due(&m.alarm, 1010 + i / 10, 300, 3600) != ALARM_NONE) sends++ ;
  }
  CHECK(sends == 1, "500 errors under load: one notice") ;
  CHECK(m.alarm.errors == 500 && m.alarm.tempfails == 400 && m.alarm.accepted == 100, "the failure's counts") ;
  CHECK(!strcmp(m.alarm.what, "connect (clamd:_connect:_refused) route plugin"), "what failed") ;
  CHECK(alarm_fmt(&sa, &m.alarm, ALARM_FAILING, "pm@example.org", 1060), "notice text") ;
  CHECK(sa.len && strstr(sa.s, "\nmessages refused for now (451): 400\n") && strstr(sa.s, "\nSubject: qhpsi: scanning fails\n"), "notice says the 451s") ;
  /* no success: no recovery, however quiet; one repeat an hour */
  CHECK(alarm_due(&m.alarm, 2000, 300, 3600) == ALARM_NONE, "quiet but no success: still failing") ;
  CHECK(alarm_due(&m.alarm, 1059 + 3600, 300, 3600) == ALARM_STILL, "an hour on: one repeat") ;
  CHECK(alarm_due(&m.alarm, 1059 + 3601, 300, 3600) == ALARM_NONE, "not two") ;
  /* a success, then the quiet period */
  feed(&m, 4700, "clean", "queue") ;
  CHECK(alarm_due(&m.alarm, 4700, 300, 3600) == ALARM_RECOVERED, "success long after the last error: recovered") ;
  CHECK(!m.alarm.failing, "not failing") ;
  /* flapping: an error, a success, an error within the quiet period */
  feed(&m, 5000, "error", "tempfail") ;
  CHECK(alarm_due(&m.alarm, 5000, 300, 3600) == ALARM_FAILING, "a new failure: one notice") ;
  feed(&m, 5001, "clean", "queue") ; feed(&m, 5002, "error", "tempfail") ; feed(&m, 5003, "clean", "queue") ;
  k = alarm_due(&m.alarm, 5100, 300, 3600) ;
  CHECK(k == ALARM_NONE, "flapping within the quiet period: nothing") ;
  /* a restart: the state file keeps the failure */
  fd = mkstemp(fn) ;
  if (fd >= 0) close(fd) ;
  CHECK(metrics_save(&m, fn), "save") ;
  metrics_init(&back) ;
  CHECK(metrics_load(&back, fn), "load") ;
  CHECK(!memcmp(&back.alarm, &m.alarm, sizeof m.alarm) && !memcmp(back.verdict, m.verdict, sizeof m.verdict), "restart: the same state") ;
  CHECK(alarm_due(&back.alarm, 5302, 300, 3600) == ALARM_RECOVERED, "after the restart: one recovery") ;
  CHECK(back.verdict[0] == 4 && back.verdict[2] == 502 && back.action[4] == 402, "counters") ;
  unlink(fn) ;
  stralloc_free(&sa) ;
  metrics_free(&m) ; metrics_free(&back) ;
  return UNIT_END() ;
}
