/* unsafe.c: the fake test plugin, but not declared safe in-process, so
   qmail-queue must run it in the helper even with QHPSIHELPER=0. */

#define FAKE_FLAGS 0
#include "fake.c"
