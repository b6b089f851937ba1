/* child.h: starting a scanner or the helper cheaply (vfork, not fork), with
   exactly the fds, process group, identity and namespaces it should have,
   and waiting for it with a deadline. */

#ifndef CHILD_H
#define CHILD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <skalibs/stralloc.h>

#define SPAWN_NEWPGRP 1u   /* the child leads a new process group, killed whole on timeout */
#define SPAWN_REALTOEFF 2u /* the child's real ids become its effective ids, so a
                              setuid helper can tell it was started by the queue user */
#define SPAWN_CONFINE 4u   /* the child is the init of a PID namespace of its own: all
                              it starts ends when it ends (confine.h). Never for a
                              set-id program: in a user namespace it would lose its ids */

/* The process group of the child being waited for (set by spawn with
   SPAWN_NEWPGRP, cleared when spawn_wait has reaped it), 0 if none: what a
   signal handler kills when its process must go. */
extern pid_t volatile spawn_group ;

/* A descriptor whose hangup ends every spawn_wait at once, the child
   killed (-1, errno EPIPE); -1 for none. The helper watches its verdict
   pipe so: the kernel does not deliver a parent-death signal from an
   unprivileged qmail-queue to a set-id helper. */
extern int spawn_hangupfd ;

/* milliseconds on the monotonic clock */
extern uint64_t spawn_now (void) ;

/* Resolves name through PATH unless it has a '/'; 1, or 0 with errno. */
extern int spawn_path (char const *name, stralloc *sa) ;

/* Runs file with argv and the current environment; the child's fds 0, 1 and
   2 are fds[0..2], it gets SIGKILL when the caller dies (PR_SET_PDEATHSIG). Returns its pid, or -1 with errno set (also when the
   exec itself failed). With SPAWN_CONFINE where the kernel has no
   namespaces for us, the caller becomes a subreaper instead, and
   spawn_wait kills whatever comes back to it. */
extern pid_t spawn (char const *file, char const *const *argv, int const fds[3], unsigned int flags) ;

/* The same with the child's fds 0 to nfds-1 from fds[0..nfds-1]; each fds[i]
   must be i or above nfds-1. */
extern pid_t spawnx (char const *file, char const *const *argv, int const *fds, unsigned int nfds, unsigned int flags) ;

/* Waits for pid until deadline (spawn_now() scale). Meanwhile reads fd, if
   not -1, keeping the first max bytes in out and discarding the rest, so
   a chatty child never blocks. On timeout the child (its whole group if
   group is set) gets SIGKILL and is reaped; a child that may not be killed
   (a set-id helper) is left to end with us. Returns 1 with *wstat set, 0 on
   timeout, -1 on error. */
extern int spawn_wait (pid_t pid, int fd, stralloc *out, size_t max, uint64_t deadline, int group, int *wstat) ;

/* the exit code of a confined child that could not set up its namespaces */
#define SPAWN_NSFAIL 125

/* fork(), with the flags of spawn: returns 0 in the child, which runs our
   code on (a confined child in a user namespace without capabilities),
   its pid in the parent, -1 with errno. A confined child that cannot set
   up its namespaces exits SPAWN_NSFAIL: the caller may then run it again
   (confine_reaping is set by then, and it is not confined). Only from a
   single-threaded process. */
extern pid_t spawn_fork (unsigned int flags) ;

#endif
