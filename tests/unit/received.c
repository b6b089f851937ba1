/* tests/unit/received.c: qmail's date and Received line, byte for byte:
   fixed times, a sweep against gmtime_r, and each "invoked" variant. */

#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include "queue/paths.h"
#include "queue/received.h"
#include "unit.h"

#define DATE(t, want) do { \
  char s_[RECEIVED_MAX] ; \
  CHECKMEM(s_, date822_fmt(s_, (t)), want, sizeof(want) - 1, "date822_fmt(" #t ")") ; \
} while (0)

static void test_date (void)
{
  DATE(0, "1 Jan 1970 00:00:00 -0000\n") ;
  DATE(59, "1 Jan 1970 00:00:59 -0000\n") ;
  DATE(3600, "1 Jan 1970 01:00:00 -0000\n") ;
  DATE(86399, "1 Jan 1970 23:59:59 -0000\n") ;
  DATE(812090814, "26 Sep 1995 04:46:54 -0000\n") ;
  DATE(946684799, "31 Dec 1999 23:59:59 -0000\n") ;
  DATE(951782400, "29 Feb 2000 00:00:00 -0000\n") ;
  DATE(951868799, "29 Feb 2000 23:59:59 -0000\n") ;
  DATE(1000000000, "9 Sep 2001 01:46:40 -0000\n") ;
  DATE(1709251199, "29 Feb 2024 23:59:59 -0000\n") ;
  DATE(1735689599, "31 Dec 2024 23:59:59 -0000\n") ;
  DATE(2147483647, "19 Jan 2038 03:14:07 -0000\n") ;
  DATE(2147483648LL, "19 Jan 2038 03:14:08 -0000\n") ;
  DATE(4102444799LL, "31 Dec 2099 23:59:59 -0000\n") ;
  DATE(4107542399LL, "28 Feb 2100 23:59:59 -0000\n") ;
  DATE(4107542400LL, "1 Mar 2100 00:00:00 -0000\n") ;
  DATE(253402300799LL, "31 Dec 9999 23:59:59 -0000\n") ;
  DATE(-1, "31 Dec 1969 23:59:59 -0000\n") ;
}

/* the same line built from gmtime_r, as qmail's date822fmt lays it out */
static size_t reference (char *s, time_t t)
{
  static char const months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" } ;
  struct tm tm ;
  if (!gmtime_r(&t, &tm)) return 0 ;
  return (size_t)snprintf(s, RECEIVED_MAX, "%d %s %d %02d:%02d:%02d -0000\n",
    tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec) ;
}

static void test_sweep (void)
{
  unsigned long n = 0, bad = 0 ;
  char got[RECEIVED_MAX], want[RECEIVED_MAX] ;
  size_t gl = 0, wl = 0 ;
  time_t first = 0 ;
  /* every day from 1900 to 2400 at a moving time of day, then random moments */
  for (int64_t t = -2208988800LL ; t < 13569465600LL ; t += 86400 + 7, n++)
  {
    size_t g = date822_fmt(got, (time_t)t), w = reference(want, (time_t)t) ;
    if (g != w || memcmp(got, want, g)) { if (!bad++) { first = t ; gl = g ; wl = w ; } }
  }
  srandom(1995) ;
  for (int i = 0 ; i < 200000 ; i++, n++)
  {
    time_t t = (time_t)(((uint64_t)random() << 31 | (uint64_t)random()) % 8000000000ULL) ;
    size_t g = date822_fmt(got, t), w = reference(want, t) ;
    if (g != w || memcmp(got, want, g)) { if (!bad++) { first = t ; gl = g ; wl = w ; } }
  }
  if (bad)
  {
    gl = date822_fmt(got, first) ; wl = reference(want, first) ;
    printf("# %lu of %lu differ from gmtime_r; first at %lld: [%.*s] want [%.*s]\n",
      bad, n, (long long)first, (int)gl, got, (int)wl, want) ;
  }
  CHECK(!bad && n > 380000, "date822_fmt agrees with gmtime_r from 1900 to 2400") ;
}

/* each line is also read back by received_len, with a message after it */
#define LINE(pid, uid, u, t, want, name) do { \
  char s_[RECEIVED_MAX + 16] ; \
  size_t n_ = received_fmt(s_, (pid), (uid), (u), (t)) ; \
  CHECKMEM(s_, n_, want, sizeof(want) - 1, name) ; \
  memcpy(s_ + n_, "Subject: x\n\n", 13) ; \
  CHECK(received_len(s_, n_ + 13) == n_ && received_len(s_, n_) == n_ && !received_len(s_, n_ - 1), "received_len: " name) ; \
} while (0)

static void test_received (void)
{
  qusers u = { .alias = 7003, .qmaild = 7002, .qmails = 7007 } ;
  qusers same = { .alias = 50, .qmaild = 50, .qmails = 50 } ;
  qusers none = { .alias = (uid_t)-1, .qmaild = (uid_t)-1, .qmails = (uid_t)-1 } ;

  LINE(123, 7003, &u, 0, "Received: (qmail 123 invoked by alias); 1 Jan 1970 00:00:00 -0000\n", "by alias") ;
  LINE(4567, 7002, &u, 812090814, "Received: (qmail 4567 invoked from network); 26 Sep 1995 04:46:54 -0000\n", "from network") ;
  LINE(1, 7007, &u, 946684799, "Received: (qmail 1 invoked for bounce); 31 Dec 1999 23:59:59 -0000\n", "for bounce") ;
  LINE(99, 0, &u, 1000000000, "Received: (qmail 99 invoked by uid 0); 9 Sep 2001 01:46:40 -0000\n", "by uid 0") ;
  LINE(4194304, 65534, &u, 1709251199, "Received: (qmail 4194304 invoked by uid 65534); 29 Feb 2024 23:59:59 -0000\n", "by uid 65534") ;
  LINE(42, 7004, &u, 0, "Received: (qmail 42 invoked by uid 7004); 1 Jan 1970 00:00:00 -0000\n", "a neighbour of the named uids") ;
  LINE(42, 1000, &none, 0, "Received: (qmail 42 invoked by uid 1000); 1 Jan 1970 00:00:00 -0000\n", "no qmail users on the system") ;
  LINE(0, 4294967294U, &none, 0, "Received: (qmail 0 invoked by uid 4294967294); 1 Jan 1970 00:00:00 -0000\n", "largest uid, pid 0") ;
  /* qmail's order of comparison: alias, then qmaild, then qmails */
  LINE(5, 50, &same, 0, "Received: (qmail 5 invoked by alias); 1 Jan 1970 00:00:00 -0000\n", "alias wins over qmaild and qmails") ;
  same.alias = 51 ;
  LINE(5, 50, &same, 0, "Received: (qmail 5 invoked from network); 1 Jan 1970 00:00:00 -0000\n", "qmaild wins over qmails") ;

  {
    char s[RECEIVED_MAX + 16] ;
    size_t n ;
    memset(s, 'x', sizeof s) ;
    n = received_fmt(s, (unsigned long)-1, 4294967294U, &none, (time_t)253402300799LL) ;
    CHECKMEM(s, n, "Received: (qmail 18446744073709551615 invoked by uid 4294967294); 31 Dec 9999 23:59:59 -0000\n",
      sizeof "Received: (qmail 18446744073709551615 invoked by uid 4294967294); 31 Dec 9999 23:59:59 -0000\n" - 1,
      "longest line: largest pid, uid and year") ;
    CHECK(n <= RECEIVED_MAX && s[RECEIVED_MAX] == 'x', "longest line fits in RECEIVED_MAX") ;
  }
}

/* what is not qmail-queue's own line is not skipped */
static void test_len (void)
{
  static char const *const no[] =
  {
    "Received: (qmail 12 invoked by uid 0); 9 Sep 2001 01:46:40 +0000\n",
    "Received: (qmail 12 invoked by uid 0); 9 Sep 2001 01:46:40 -0000\r\n",
    "Received: (qmail 12 invoked by uid ); 9 Sep 2001 01:46:40 -0000\n",
    "Received: (qmail invoked by uid 0); 9 Sep 2001 01:46:40 -0000\n",
    "Received: (qmail 12 invoked from nowhere); 9 Sep 2001 01:46:40 -0000\n",
    "Received: (qmail 12 invoked by uid 0); 9 Sep 2001 1:46:40 -0000\n",
    "Received: (qmail 12 invoked by uid 0); 9 Sept 2001 01:46:40 -0000\n",
    "Received: (qmail 12 invoked by uid 0); 123 Sep 2001 01:46:40 -0000\n",
    "Received: (qmail 12 invoked by uid 0);  9 Sep 2001 01:46:40 -0000\n",
    "Received: (qmail 12 invoked by uid 0); 9 Sep 2001 01:46:40 -0000",
    "received: (qmail 12 invoked by uid 0); 9 Sep 2001 01:46:40 -0000\n",
    "Received: from example.org by mx; 9 Sep 2001 01:46:40 -0000\n",
    "Received: (qmail 123456789012345678901 invoked by uid 0); 9 Sep 2001 01:46:40 -0000\n",
    "",
  } ;
  for (size_t i = 0 ; i < sizeof no / sizeof *no ; i++)
  {
    char name[160] ;
    snprintf(name, sizeof name, "received_len: not qmail-queue's line [%.*s]", (int)strcspn(no[i], "\r\n"), no[i]) ;
    CHECK(!received_len(no[i], strlen(no[i])), name) ;
  }
}

static void test_qusers (void)
{
  static char const *const names[3] = { USER_ALIAS, USER_QMAILD, USER_QMAILS } ;
  qusers u ;
  qusers_init(&u, 0) ;
  CHECK(u.alias == (uid_t)-1 && u.qmaild == (uid_t)-1 && u.qmails == (uid_t)-1, "qusers_init for root: no qmail user") ;
  for (int i = 0 ; i < 3 ; i++)
  {
    char name[80] ;
    uid_t uid = paths_uid(names[i]) ;
    if (uid == (uid_t)-1) { printf("# skip: no user %s\n", names[i]) ; continue ; }
    qusers_init(&u, uid) ;
    snprintf(name, sizeof name, "qusers_init for %s: only its own field set", names[i]) ;
    CHECK(u.alias == (i == 0 ? uid : (uid_t)-1) && u.qmaild == (i == 1 ? uid : (uid_t)-1)
      && u.qmails == (i == 2 ? uid : (uid_t)-1), name) ;
  }
}

int main (void)
{
  test_date() ;
  test_sweep() ;
  test_received() ;
  test_len() ;
  test_qusers() ;
  return UNIT_END() ;
}
