/* store.h: the central quarantine, QMAILHOME/quarantine: one file per
   caught message, written the maildir way (tmp/, then new/), read back by
   the postmaster's programs. The entry format is in qhpsi-list(8). */

#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <skalibs/stralloc.h>

#include "queue/envelope.h"

#define STORE_IDMAX 64
#define STORE_MAGIC "format=qhpsi-quarantine-1\n"

/* What an entry says about its message, besides the message itself. */
typedef struct store_meta_s store_meta ;
struct store_meta_s
{
  char id[STORE_IDMAX] ;
  uint64_t time ;
  char const *ip ;        /* 0 or "": unknown */
  envelope const *env ;   /* the original envelope, every recipient */
  char const *verdict ;
  char const *signature ;
  char const *action ;
  char const *forward ;   /* VIRUSFORWARD, or 0 */
} ;

/* An ID unique in the store: SECONDS.MICROSECONDS.PID.INODE, digits and
   dots only, microseconds in six digits so that IDs sort by time, with the queue message's inode to tell apart two runs of one
   pid within a microsecond. */
extern void store_mkid (char *id, unsigned long pid, unsigned long messnum) ;

/* 1 if s can be an ID: 1 to STORE_IDMAX-1 bytes of [0-9A-Za-z._-], not
   starting with '.': never a path, never a dot file */
extern int store_idok (char const *s) ;

/* Writes one entry into the store dir (which has tmp/ and new/): m's
   header block, then hdrlen bytes of hdr, then len bytes of fd from
   offset 0 (pread: fd's offset is left alone), as tmp/ID; fsync, link
   into new/ID, unlink tmp/ID, fsync new/. Returns 1, or 0 with errno set
   and nothing left in tmp/ or new/. */
extern int store_put (char const *dir, store_meta const *m, char const *hdr, size_t hdrlen, int fd, uint64_t len) ;

/* ---- reading back */

/* Opens the store's dir/new (or dir itself when sub is 0) without
   following a symbolic link; the directory fd, or -1 with errno set. */
extern int store_opendir (char const *dir, char const *sub) ;

/* Opens entry id under the directory fd dirfd: a plain name checked with
   store_idok, O_NOFOLLOW, a regular file. The fd, or -1 with errno set. */
extern int store_openentry (int dirfd, char const *id, int flags) ;

/* One entry's header block, decoded. Strings are NUL-terminated in sa, at
   the offsets given; rcpts holds every recipient, each NUL-terminated. */
typedef struct store_entry_s store_entry ;
struct store_entry_s
{
  stralloc sa ;
  stralloc rcpts ;
  size_t nrcpt ;
  size_t id, ip, sender, verdict, signature, action, forward ; /* offsets in sa */
  uint64_t time ;
  uint64_t size ;     /* bytes of the message */
  uint64_t offset ;   /* where the message starts in the file */
} ;
#define STORE_ENTRY_ZERO { .sa = STRALLOC_ZERO, .rcpts = STRALLOC_ZERO }
#define store_str(e, f) ((e)->sa.s + (e)->f)

/* Reads and checks the header block of the entry open on fd, and that the
   file holds exactly size bytes of message after it. Returns 1, or 0 with
   errno set (EPROTO: not a complete entry). fd's offset is left at the
   message. */
extern int store_read (int fd, store_entry *e) ;

extern void store_entry_free (store_entry *e) ;

/* Appends the xtext-decoded s (len bytes) to sa; 1, or 0 with errno
   (EPROTO on a bad +XX). */
extern int store_xtextdecode (stralloc *sa, char const *s, size_t len) ;

#endif
