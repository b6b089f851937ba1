/* thread.c: see thread.h */

#include <errno.h>
#include <signal.h>

#include "queue/thread.h"

#define THREADSTACK 65536 /* what a thread that makes a few system calls needs, and to spare */

int thread_start (pthread_t *t, void *(*f)(void *), void *arg)
{
  pthread_attr_t a ;
  sigset_t all, old ;
  int e ;
  if ((e = pthread_attr_init(&a))) { errno = e ; return 0 ; }
  e = pthread_attr_setstacksize(&a, THREADSTACK) ;
  sigfillset(&all) ;
  if (!e) e = pthread_sigmask(SIG_SETMASK, &all, &old) ;
  if (!e)
  {
    e = pthread_create(t, &a, f, arg) ;
    pthread_sigmask(SIG_SETMASK, &old, 0) ;
  }
  pthread_attr_destroy(&a) ;
  if (e) errno = e ;
  return !e ;
}
