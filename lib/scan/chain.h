/* chain.h: a chain of loaded plugins run, with every guarantee of
   qmail-queue(8)'s QHPSI section: nothing it starts outlives it, its
   deadline holds whatever it does with signals. */

#ifndef CHAIN_H
#define CHAIN_H

#include <stdint.h>

#include "scan/fields.h"
#include "scan/plugin.h"

/* Set (by the helper) when the caller of chain_run is itself a fit
   watcher of a plugin chain: a child subreaper that kills all it holds
   at its deadline, its parent's death and its answer pipe's hangup. The
   chain then runs in one copy of the caller, not two. */
extern int chain_selfwatch ;

/* Called (from a thread, so only what a signal handler may do) when a
   chain of self-contained plugins run in this process overruns its
   deadline by a second; it must not return (when 0: exit 111). */
extern void (*chain_hung)(void) ;

/* the verdict in r; the spam engines' answer in c->spam, when set */
extern void chain_run (plugin const *pl, unsigned int n, scanconf const *c, char const *path, int fd, uint64_t size, struct qhpsi_result *r) ;

#endif
