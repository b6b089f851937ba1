/* received.c: formats qmail's Received line and its date, byte for byte. */

#include <string.h>
#include <time.h>

#include <skalibs/types.h>

#include "paths.h"
#include "received.h"

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

size_t date822_fmt (char *s, time_t t)
{
  struct tm tm ;
  size_t n = 0 ;
  if (!gmtime_r(&t, &tm)) memset(&tm, 0, sizeof tm) ;
  n += uint_fmt(s + n, tm.tm_mday) ;
  s[n++] = ' ' ;
  memcpy(s + n, months[tm.tm_mon], 3) ; n += 3 ;
  s[n++] = ' ' ;
  n += uint_fmt(s + n, tm.tm_year + 1900) ;
  s[n++] = ' ' ;
  n += two(s + n, tm.tm_hour) ; s[n++] = ':' ;
  n += two(s + n, tm.tm_min) ; s[n++] = ':' ;
  n += two(s + n, tm.tm_sec) ;
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

void qusers_init (qusers *u)
{
  u->alias = paths_uid(USER_ALIAS) ;
  u->qmaild = paths_uid(USER_QMAILD) ;
  u->qmails = paths_uid(USER_QMAILS) ;
}
