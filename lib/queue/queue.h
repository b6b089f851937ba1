/* queue.h: writing one message into qmail's queue the way qmail 1.03's
   qmail-queue does: pid file, mess, intd, todo, trigger. Every function
   returns 0 or a qmail-queue exit code; none exits. The caller is in the
   queue directory. */

#ifndef QUEUE_H
#define QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "queue/envelope.h"

#define QUEUE_FNMAX 64

typedef struct queue_s queue ;
struct queue_s
{
  unsigned long pid ;
  time_t start ;
  unsigned long messnum ; /* the inode that names the message */
  int messfd ;            /* read-write, on mess/N/messnum */
  uint64_t messlen ;      /* bytes written to mess */
  char pidfn[QUEUE_FNMAX] ;
  char messfn[QUEUE_FNMAX] ;
  char intdfn[QUEUE_FNMAX] ;
  char todofn[QUEUE_FNMAX] ;
  unsigned int mademess : 1 ;
  unsigned int madeintd : 1 ;
} ;

/* pid file, its inode for the name, link to mess/, unlink the pid file */
extern int queue_openmess (queue *q, unsigned long pid, time_t start) ;

/* appends s to mess */
extern int queue_put (queue *q, char const *s, size_t len) ;

/* appends everything readable from fd (the message on fd 0) to mess:
   QQ_READ on a read error, QQ_WRITE on a write error */
extern int queue_copyin (queue *q, int fd) ;

/* Puts prefix in front of what mess holds: how a header computed from the
   whole message gets before it. */
extern int queue_prefix (queue *q, char const *prefix, size_t len) ;

/* fsync mess */
extern int queue_syncmess (queue *q) ;

/* intd: "u<uid>\0p<pid>\0" then the envelope entries; fsync */
extern int queue_writeintd (queue *q, uid_t uid, char const *env, size_t envlen) ;

/* links intd to todo and pulls the trigger: the message is queued */
extern int queue_publish (queue *q) ;

/* removes what this run made, as qmail's cleanup does: truncate, unlink */
extern void queue_cleanup (queue *q) ;

#endif
