/* received.c: formats qmail's Received line and its date, byte for byte. */

#include <stdint.h>
#include <string.h>
#include <time.h>

#include <skalibs/types.h>

#include "queue/paths.h"
#include "queue/received.h"

static char const months[12][4] =
{
  "Jan", "Feb", "Mar", "Apr", "May", "Jun",
  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
} ;

static size_t two (char *s, unsigned int n)
{
  s[0] = '0' + n / 10 ;
  s[1] = '0' + n % 10 ;
  return 2 ;
}

/* days since 1970-01-01 to a civil date (proleptic Gregorian): done here
   because gmtime would read the time zone file for every message */
static void civil (int64_t days, unsigned int *y, unsigned int *m, unsigned int *d)
{
  int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097 ;
  unsigned int doe = z - era * 146097 ;
  unsigned int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365 ;
  unsigned int doy = doe - (365 * yoe + yoe / 4 - yoe / 100) ;
  unsigned int mp = (5 * doy + 2) / 153 ;
  *d = doy - (153 * mp + 2) / 5 + 1 ;
  *m = mp < 10 ? mp + 3 : mp - 9 ;
  *y = yoe + era * 400 + (*m <= 2) ;
}

size_t date822_fmt (char *s, time_t t)
{
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400 ;
  unsigned int secs = t - days * 86400, y, m, d ;
  size_t n = 0 ;
  civil(days, &y, &m, &d) ;
  n += uint_fmt(s + n, d) ;
  s[n++] = ' ' ;
  memcpy(s + n, months[m - 1], 3) ; n += 3 ;
  s[n++] = ' ' ;
  n += uint_fmt(s + n, y) ;
  s[n++] = ' ' ;
  n += two(s + n, secs / 3600) ; s[n++] = ':' ;
  n += two(s + n, secs / 60 % 60) ; s[n++] = ':' ;
  n += two(s + n, secs % 60) ;
  memcpy(s + n, " -0000\n", 7) ;
  return n + 7 ;
}

static size_t put (char *s, char const *t)
{
  size_t n = strlen(t) ;
  memcpy(s, t, n) ;
  return n ;
}

size_t received_fmt (char *s, unsigned long pid, uid_t uid, qusers const *u, time_t t)
{
  size_t n = put(s, "Received: (qmail ") ;
  n += ulong_fmt(s + n, pid) ;
  n += put(s + n, " invoked ") ;
  if (uid == u->alias) n += put(s + n, "by alias") ;
  else if (uid == u->qmaild) n += put(s + n, "from network") ;
  else if (uid == u->qmails) n += put(s + n, "for bounce") ;
  else
  {
    n += put(s + n, "by uid ") ;
    n += ulong_fmt(s + n, uid) ;
  }
  n += put(s + n, "); ") ;
  return n + date822_fmt(s + n, t) ;
}

/* the parsing side of received_fmt: each step moves *i past what it
   wants, or returns 0 */
static int lit (char const *s, size_t len, size_t *i, char const *t)
{
  size_t n = strlen(t) ;
  if (len - *i < n || memcmp(s + *i, t, n)) return 0 ;
  *i += n ;
  return 1 ;
}

static int digits (char const *s, size_t len, size_t *i, size_t min, size_t max)
{
  size_t n = 0 ;
  while (*i + n < len && n <= max && s[*i + n] >= '0' && s[*i + n] <= '9') n++ ;
  if (n < min || n > max) return 0 ;
  *i += n ;
  return 1 ;
}

static int month (char const *s, size_t len, size_t *i)
{
  if (len - *i < 3) return 0 ;
  for (unsigned int m = 0 ; m < 12 ; m++)
    if (!memcmp(s + *i, months[m], 3)) { *i += 3 ; return 1 ; }
  return 0 ;
}

size_t received_len (char const *s, size_t len)
{
  size_t i = 0 ;
  if (!lit(s, len, &i, "Received: (qmail ") || !digits(s, len, &i, 1, 20) || !lit(s, len, &i, " invoked ")) return 0 ;
  if (!lit(s, len, &i, "by alias") && !lit(s, len, &i, "from network") && !lit(s, len, &i, "for bounce")
   && !(lit(s, len, &i, "by uid ") && digits(s, len, &i, 1, 20))) return 0 ;
  if (!lit(s, len, &i, "); ") || !digits(s, len, &i, 1, 2) || !lit(s, len, &i, " ") || !month(s, len, &i)
   || !lit(s, len, &i, " ") || !digits(s, len, &i, 1, 11) || !lit(s, len, &i, " ")
   || !digits(s, len, &i, 2, 2) || !lit(s, len, &i, ":") || !digits(s, len, &i, 2, 2) || !lit(s, len, &i, ":")
   || !digits(s, len, &i, 2, 2) || !lit(s, len, &i, " -0000\n")) return 0 ;
  return i ;
}

void qusers_init (qusers *u, uid_t uid)
{
  char const *name = paths_username(uid) ;
  u->alias = name && !strcmp(name, USER_ALIAS) ? uid : (uid_t)-1 ;
  u->qmaild = name && !strcmp(name, USER_QMAILD) ? uid : (uid_t)-1 ;
  u->qmails = name && !strcmp(name, USER_QMAILS) ? uid : (uid_t)-1 ;
}
