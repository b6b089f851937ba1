/* state.h: what the processes of one machine remember about scanner hosts
   that failed recently, as qmail-remote's queue/lock/tcpto does: under the
   qmail home, qhpsi/hosts/ (root's) holds one small fixed-size table per
   writer, "qmailq" (scans in qmail-queue) and "qscand" (scans in the
   helper), each written only by its owner, record by record, without a
   lock. Readers take what both say. Advisory only: a file that cannot be
   trusted (damaged, foreign-owned, a symlink, writable by others, the wrong
   size) is as good as none, and no state ever decides a verdict. */

#ifndef NET_STATE_H
#define NET_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <skalibs/stralloc.h>
#include "net/host.h"

#define NET_STATE_DIR "qhpsi/hosts"   /* under the qmail home */
#define NET_STATE_RECLEN 32
#define NET_STATE_RECORDS 64
#define NET_STATE_SIZE (NET_STATE_RECLEN * NET_STATE_RECORDS)
#define NET_BACKOFF_MIN 10    /* seconds a host is left alone after one failure */
#define NET_BACKOFF_MAX 256   /* ... doubling with each failed probe, up to this */

/* what is known of one host: fails 0 is nothing (healthy) */
typedef struct net_hoststate_s net_hoststate ;
struct net_hoststate_s
{
  uint32_t fails ;  /* failures in a row, counting failed probes */
  uint32_t when ;   /* the last one, in seconds of the wall clock */
  int mine ;        /* the record is in this process's own file */
} ;

/* The state directory, in buf: the compiled-in qmail home's, or QMAILHOME's
   when the process runs with no borrowed privilege. 0 if it does not fit. */
extern char const *net_state_dir (char *buf, size_t len) ;

/* Seconds a host that failed fails times in a row is left alone. */
extern uint32_t net_state_backoff (uint32_t fails) ;

/* 1 while the host is in its back-off at time now. */
extern int net_state_sick (net_hoststate const *st, uint32_t now) ;

/* Fills st[0..n) for hosts from the files under dir (zeros where nothing
   is known). Never fails: an unreadable or untrusted file counts for none. */
extern void net_state_read (char const *dir, net_host const *hosts, unsigned int n, net_hoststate *st, uint32_t now) ;

/* Merges what one file's bytes (len of them) say about hosts into st;
   mine marks them as this process's own. Returns how many records were
   valid, or -1 if the file as a whole is refused (the wrong size). */
extern int net_state_merge (unsigned char const *file, size_t len, net_host const *hosts, unsigned int n, net_hoststate *st, int mine, uint32_t now) ;

/* Records in this process's own file that h failed (failed 1) or answered
   (failed 0) at time now. 1, or 0 with errno set (the file is missing or
   untrusted: nothing is written). */
extern int net_state_mark (char const *dir, net_host const *h, int failed, uint32_t now) ;

/* Appends to out, one line each, what the files under dir say: the hosts
   of the list first (ok, or failing and for how long yet), then the other
   records, then each file's own condition. 1, or 0 on ENOMEM. */
extern int net_state_show (char const *dir, net_host const *hosts, unsigned int n, uint32_t now, stralloc *out) ;

#endif
