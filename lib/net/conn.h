/* conn.h: deadlines in monotonic milliseconds, waiting on a descriptor,
   and a nonblocking connect that gives up at its deadline. */

#ifndef NET_CONN_H
#define NET_CONN_H

#include <stdint.h>
#include <sys/socket.h>

extern uint64_t net_now_ms (void) ;

/* Waits for events on fd until deadline. Returns revents, or 0 with errno
   set (ETIMEDOUT when the deadline passed). */
extern int net_wait (int fd, short events, uint64_t deadline) ;

/* A nonblocking, close-on-exec stream socket connected to sa before
   deadline; -1 with errno set (ETIMEDOUT when the deadline passed). */
extern int net_connect (struct sockaddr const *sa, socklen_t salen, uint64_t deadline) ;

#endif
