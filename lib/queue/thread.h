/* thread.h: the few threads qmail-queue and the helper start (fsyncs
   beside the scan, a chain's watchdog). */

#ifndef THREAD_H
#define THREAD_H

#include <pthread.h>

/* Starts f(arg) in a thread that takes no signal (they go to the main
   thread, whose handlers expect to run there) and has a small stack of
   its own: glibc's default is the stack limit, which softlimit -m (the
   service's SOFTLIMIT) sets as high as the whole address space allowed,
   so that no thread could start. 1, or 0 with errno. */
extern int thread_start (pthread_t *t, void *(*f)(void *), void *arg) ;

#endif
