/* received.h: qmail-queue's own first line,
   "Received: (qmail PID invoked by uid UID); 26 Sep 1995 04:46:54 -0000\n". */

#ifndef RECEIVED_H
#define RECEIVED_H

#include <stddef.h>
#include <time.h>
#include <sys/types.h>

/* The uids that get a name instead of "by uid N"; (uid_t)-1 where the user does not exist. */
typedef struct qusers_s qusers ;
struct qusers_s
{
  uid_t alias ;  /* "by alias" */
  uid_t qmaild ; /* "from network" */
  uid_t qmails ; /* "for bounce" */
} ;

#define RECEIVED_MAX 128 /* longer than any line received_fmt writes */

/* RFC 822 date in UTC as qmail writes it, newline included: "2 Jan 2026 03:04:05 -0000\n" */
extern size_t date822_fmt (char *s, time_t t) ;

/* The whole Received line into s (RECEIVED_MAX bytes); returns its length. */
extern size_t received_fmt (char *s, unsigned long pid, uid_t uid, qusers const *u, time_t t) ;

/* The length of the Received line received_fmt writes, when s (len bytes)
   starts with one; else 0. What follows it is the message as qmail-queue
   received it. */
extern size_t received_len (char const *s, size_t len) ;

/* Fills u for a caller with real uid uid: one lookup of uid's name. */
extern void qusers_init (qusers *u, uid_t uid) ;

#endif
