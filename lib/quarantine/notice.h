/* notice.h: the administrator's notice of a caught message (QHPSINOTIFY):
   a second, short message that qmail-queue writes into the queue itself,
   from the null sender to that one address, never scanned. */

#ifndef NOTICE_H
#define NOTICE_H

#include <stdint.h>
#include <time.h>
#include <sys/types.h>
#include <skalibs/stralloc.h>

#include "queue/envelope.h"
#include "qhpsi-plugin.h"

/* What a notice says: nothing of the caught message but its envelope,
   size and verdict. */
typedef struct notice_s notice ;
struct notice_s
{
  char const *to ;
  char const *ip ;
  envelope const *env ;     /* the original envelope */
  char const *signature ;
  int rule ;                /* the signature is a content rule's name */
  char const *action ;
  char const *qid ;         /* 0: not kept */
  uint64_t size ;
  time_t when ;
} ;

/* The notice's text, Received line excluded, into sa. 1, or 0 on ENOMEM. */
extern int notice_fmt (stralloc *sa, notice const *n) ;

/* Queues the notice as message pid/start of uid: mess (a Received line,
   then notice_fmt), intd "F\0T<to>\0", todo. 0, or a qmail-queue exit
   code, with nothing of it left in the queue. The caller is in the queue
   directory. */
extern int notice_queue (notice const *n, unsigned long pid, time_t start, uid_t uid) ;

/* The same for any text (headers, blank line, body): how qhpsi-metrics
   queues its notice of failing scanners, which no scan may hold up. */
extern int notice_queuetext (stralloc const *text, char const *to, unsigned long pid, time_t start, uid_t uid) ;

#endif
