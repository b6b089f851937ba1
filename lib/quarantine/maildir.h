/* maildir.h: what the quarantine filter needs: the test for the
   "X-QHPSI: virus found" header and delivery into a Maildir folder. */

#ifndef MAILDIR_H
#define MAILDIR_H

#include <stddef.h>
#include <skalibs/stralloc.h>

/* Scans the fields of a message's header above its first Received: field
   (or up to the first empty line, or the end of input) for a field named
   X-QHPSI, any case, whose unfolded value starts with "virus found", any
   case, a run of blanks matching the space. Only there is the verdict this
   server's own: a sender's X-QHPSI lines always come after a Received line
   that qmail-queue wrote. */
typedef struct headerscan_s headerscan ;
struct headerscan_s
{
  unsigned char state ;
  unsigned char resume ;  /* value state a continuation line resumes, or 0 */
  unsigned char pos ;     /* bytes of the name or value pattern matched */
  unsigned char names ;   /* field names still matching, one bit each */
  unsigned char values ;  /* values still matching, one bit each */
} ;
#define HEADERSCAN_ZERO { .state = 0, .resume = 0, .pos = 0, .names = 0, .values = 0 }

/* Feeds the next len bytes. Returns 1 once the header is tagged, 0 once it
   ended untagged, -1 while undecided; at the end of input, -1 means untagged.
   After a decision, more bytes change nothing. */
extern int headerscan_feed (headerscan *, char const *, size_t) ;

/* 1 if the message s (len bytes, possibly only its start) is tagged */
extern int header_tagged_virus (char const *s, size_t len) ;

/* Reads fd until the header is decided and sets *tagged to 1 or 0. A regular
   file is read in place and put back at its starting offset; from anything
   else (a pipe) the bytes read are appended to head, for the delivery to
   write before the rest of fd. Returns 1, or 0 with errno set. */
extern int message_tagged_virus (int fd, stralloc *head, int *tagged) ;

/* 1 if dir (with or without a final '/') has tmp/, new/ and cur/
   directories, else 0 with errno set (ENOENT, ENOTDIR, ...) */
extern int maildir_check (char const *dir) ;

/* Delivers one message into the Maildir folder dir, which must exist: a
   unique file in tmp/ gets the strings of prefix (a null-terminated list,
   written as they are), then headlen bytes of head, then fdin to its end;
   it is fsynced, linked into new/ under the same name, and new/ is fsynced.
   If name is not null, the unique name is stored there, null-terminated.
   Returns 1, or 0 with errno set and nothing left in tmp/ or new/. */
extern int maildir_deliver (char const *dir, char const *const *prefix, char const *head, size_t headlen, int fdin, stralloc *name) ;

#endif
