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
  int intdfd ;            /* read-write, on intd/messnum while it is written; else -1 */
  size_t intdenv ;        /* where the envelope starts in intd */
  uint64_t messlen ;      /* bytes written to mess */
  char pidfn[QUEUE_FNMAX] ;
  char messfn[QUEUE_FNMAX] ;
  char intdfn[QUEUE_FNMAX] ;
  char todofn[QUEUE_FNMAX] ;
  unsigned int mademess : 1 ;
  unsigned int madeintd : 1 ;
} ;

/* s (QUEUE_FNMAX) = "dir/[N/]num" as qmail's fmtqfn, N = num % split */
extern void queue_fnnum (char *s, char const *dir, unsigned long num, int split) ;

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

/* Starts writing mess back to the disk now and returns at once: its fsync
   later finds less to wait for. Best effort; the fsync is what counts. */
extern void queue_writeback (queue *q) ;

/* intd: "u<uid>\0p<pid>\0" then the envelope entries, not synced; intdfd
   stays open for queue_syncintd or queue_rewriteintd */
extern int queue_makeintd (queue *q, uid_t uid, char const *env, size_t envlen) ;

/* fsync intd and close it */
extern int queue_syncintd (queue *q) ;

/* queue_makeintd then queue_syncintd */
extern int queue_writeintd (queue *q, uid_t uid, char const *env, size_t envlen) ;

/* intd's envelope replaced (VIRUSFORWARD after intd was written), then
   synced and closed */
extern int queue_rewriteintd (queue *q, char const *env, size_t envlen) ;

/* links intd to todo and pulls the trigger: the message is queued */
extern int queue_publish (queue *q) ;

/* removes what this run made, as qmail's cleanup does: truncate, unlink;
   closes intd if open */
extern void queue_cleanup (queue *q) ;

#endif
