/* logdest.h: where qmail-queue's fd 2, and so its log line and whatever a
   scanner or plugin writes there, goes. qmail's qmail-queue prints
   nothing: only an SMTP front end's fd 2 is a log. */

#ifndef LOGDEST_H
#define LOGDEST_H

#include "policy/policy.h"

/* Opens path for writing if it is a FIFO that someone reads, owned by
   root or the queue user (or by us, when not privileged) and not group- or
   world-writable; non-blocking, so a full pipe loses a line, never the
   mail. Returns the descriptor, or -1 with errno set (ENXIO: no reader). */
extern int logdest_openfifo (char const *path) ;

/* Leaves fd 2 alone for a trusted caller that gave TCPREMOTEIP; else
   points it at the FIFO home/PATHS_LOGFIFO, or at /dev/null when that
   cannot be written. A closed fd 2 gets /dev/null in any case, so that no
   file opened later can take its place. 1, or 0 with errno set. */
extern int logdest_set (policy const *p) ;

#endif
