/* overlap.h: the queue's disk work done beside the scan rather than after
   it. Nothing is published here: the caller links todo/ once the scan has
   ended and overlap_end has returned 0. Every function returns 0 or a
   qmail-queue exit code; none exits. */

#ifndef OVERLAP_H
#define OVERLAP_H

#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>

#include "queue/queue.h"

#define OVERLAP_HEADMAX 2048

typedef struct overlap_s overlap ;
struct overlap_s
{
  queue *scan ;        /* the message as written and scanned: Received line first */
  queue *to ;          /* with a guess: the message as it will be queued */
  queue copy ;         /* to, when it is a second mess file */
  queue mem ;          /* scan, when it is an anonymous copy (messfd a memfd) */
  char const *env ;    /* the envelope the copy's intd holds */
  size_t envlen ;
  char head[OVERLAP_HEADMAX] ; /* the guessed header (qhpsi_ahead), put there by the caller */
  size_t headlen ;
  int result ;
  int intdresult ;
  pthread_t thread ;
  pthread_t thread2 ;    /* the copy's intd */
  unsigned int running : 1 ;
  unsigned int running2 : 1 ;
  unsigned int copying : 1 ;
  unsigned int inmem : 1 ;
} ;

/* fsyncs the two files at once (a in a thread); 0 or QQ_WRITE */
extern int overlap_fsync2 (int a, int b) ;

/* Begins fsync'ing scan's mess in a thread: the plain order, where intd is
   written by the caller meanwhile. */
extern void overlap_syncbegin (overlap *o, queue *scan) ;

/* Writes the guessed header (headlen bytes of o->head), then scan's bytes,
   into a second mess file (its own inode, its own name), and its intd with
   env; then begins fsync'ing both in a thread, while the scanner reads
   scan. env must stay valid until overlap_settle. 0, or the exit code
   (the copy, if made, is removed by overlap_cleanup). */
extern int overlap_copybegin (overlap *o, queue *scan, size_t headlen, uid_t uid, char const *env, size_t envlen) ;

/* The same with the roles turned, for a scan that reads only its
   descriptor (qhpsi_scansfd): the message goes into an anonymous file
   (o->mem, which qhpsi_scan gets), and q itself becomes the copy, the
   guessed header put in front, with its intd: no second file in the
   queue, nothing of the copy on the disk. */
extern int overlap_membegin (overlap *o, queue *q, size_t headlen, uid_t uid, char const *env, size_t envlen) ;

/* Waits for the thread; its result. */
extern int overlap_wait (overlap *o) ;

/* After a scan that says "queue it", with what the scan left in scan's
   mess and the envelope to queue (after overlap_wait returned 0): the copy made right where the guess was
   wrong (rewritten from scan and synced again; intd rewritten and synced
   for a new envelope), then scan's mess removed. 0: the copy is ready to
   publish. */
extern int overlap_settle (overlap *o, char const *env, size_t envlen) ;

/* removes the copy and its intd, if made */
extern void overlap_cleanup (overlap *o) ;

#endif
