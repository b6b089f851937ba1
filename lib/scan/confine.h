/* confine.h: every descendant of a scan ends with the scan. A confined
   child is the first process (the init) of a PID namespace of its own,
   inside a user namespace of its own unless we are root: when it ends,
   however it ends, the kernel kills everything left in the namespace,
   whatever that did with sessions, process groups and signals. Where the
   kernel refuses namespaces, the parent becomes a child subreaper instead
   and kills what it inherits. */

#ifndef CONFINE_H
#define CONFINE_H

#include <sys/types.h>

/* Set once a confined spawn fell back to the subreaper: confine_reap must
   then run after every scan. */
extern int volatile confine_reaping ;

/* The clone flags of a confined child: CLONE_NEWPID, with CLONE_NEWUSER
   unless the effective uid is 0. */
extern int confine_flags (void) ;

/* 1 if a clone with those flags failed because this system has no
   namespaces for us (errno says so): fall back, do not fail. */
extern int confine_unavailable (int e) ;

/* The fallback: makes this process a child subreaper. 1, or 0. */
extern int confine_fallback (void) ;

/* In the child, first thing in a new user namespace: maps uid and gid (the
   ones it had outside, euid and egid) to themselves, so that the scanner
   is who it was. 1, or 0 with errno set. */
extern int confine_enter (uid_t euid, gid_t egid) ;

/* In a child that runs our code without exec in a new user namespace:
   drops the capabilities a new user namespace gives. 1, or 0. */
extern int confine_dropcaps (void) ;

/* Kills (SIGKILL) and reaps every child of this process, again and again
   until there is none: what a killed child leaves comes back to a
   subreaper. Safe in a signal handler. */
extern void confine_reap (void) ;

#endif
