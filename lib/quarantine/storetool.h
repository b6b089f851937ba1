/* storetool.h: what the postmaster's quarantine programs do: list, show,
   release, purge and delete entries of QMAILHOME/quarantine. Every name is
   opened under the store's directory fd, checked, never through a
   symbolic link. Functions return 1, or 0 with errno set. */

#ifndef STORETOOL_H
#define STORETOOL_H

#include <stdint.h>
#include <time.h>
#include <sys/types.h>
#include <skalibs/buffer.h>

#include "quarantine/store.h"

/* 1 if uid may use the programs: root and the queue user only */
extern int storetool_allowed (uid_t uid) ;

/* paths_init, then opens the store: a directory, no symbolic link, owned
   by root or the queue user, not writable by group or others. The fd. */
extern int storetool_open (void) ;

/* What storetool_list shows; 0 and null fields do not filter. Ages are in
   seconds and go by the entry file's modification time. Patterns are
   shell patterns (fnmatch), any case. */
typedef struct storetool_filter_s storetool_filter ;
struct storetool_filter_s
{
  time_t now ;
  uint64_t older ;          /* kept at least this long ago */
  uint64_t newer ;          /* kept at most this long ago */
  char const *signature ;
  char const *sender ;
  char const *rcpt ;        /* matches if any recipient does */
  unsigned int local : 1 ;  /* dates in local time, with the offset */
  unsigned int bare : 1 ;   /* no header row, no total: for scripts */
} ;

/* A header row, then one line per entry, oldest first: ID DATE IP SENDER
   NRCPT SIGNATURE SIZE ACTION RECIPIENTS, each value one token (xtext,
   "-" when empty, "<>" for the null sender, the recipients
   comma-separated), then "total: N entries, M bytes". Entries that cannot
   be read are counted in *bad. */
extern int storetool_list (int storefd, storetool_filter const *f, buffer *b, unsigned int *bad) ;

/* The header block of entry id as key: value lines, then the message's
   header; with whole, the whole message, as it is, instead. */
extern int storetool_show (int storefd, char const *id, int whole, buffer *b) ;

/* Re-queues entry id through the qmail-queue at qq, to its recipients or
   to the one address to, with QHPSIRELEASE=id; removes the entry once
   qmail-queue exited 0. When qmail-queue failed, *qqexit is its exit code
   (errno EIO); when the entry is locked by another release, errno is
   EBUSY; gone, ENOENT. *nrcpt is the number of recipients it went to. */
extern int storetool_release (int storefd, char const *id, char const *to, char const *qq, int *qqexit, size_t *nrcpt) ;

/* Removes the entries of new/ kept at least age seconds ago, and files of
   tmp/ older than a day and a half (copies a crash left half made);
   *removed counts the new/ ones, whose IDs go to b, one a line, unless b
   is 0. With dry, nothing is removed: b and *removed say what would be. */
extern int storetool_purge (int storefd, uint64_t age, time_t now, int dry, buffer *b, unsigned int *removed) ;

/* Opens entry id of new/ and reads its block into e, locked (flock, no
   wait: EBUSY) if lock; *newfd is new/ itself. The entry's fd, or -1. */
extern int storetool_entry (int storefd, char const *id, int lock, store_entry *e, int *newfd) ;

/* Removes entry id. */
extern int storetool_delete (int storefd, char const *id) ;

#endif
