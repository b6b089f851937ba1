/* seal.h: this server's own verdict, recognised when the same bytes come
   back (a .qmail forward, an alias, a release delivered on): an
   "X-QHPSI-Seal:" line under the X-QHPSI lines, an HMAC-SHA256 over those
   lines and the message below them, keyed with control/qhpsikey, which
   only the queue user (and root) can read. A sender cannot make one, and
   a seal that does not verify is only a header: the message is scanned. */

#ifndef SEAL_H
#define SEAL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <skalibs/stralloc.h>

#define SEAL_KEYMIN 16
#define SEAL_KEYMAX 64
/* seconds a seal is honoured, from the first judgment (a reused seal keeps
   its time): long enough for qmail-send to make the deliveries that pass
   it on, short enough that a signature update soon judges it again */
#define SEAL_MAXAGE 3600
#define SEAL_HEADMAX 65536  /* bytes of the header looked at */
#define SEAL_LINEMAX 1024   /* bytes of the sealed X-QHPSI line kept */

typedef struct seal_key_s seal_key ;
struct seal_key_s
{
  unsigned char k[SEAL_KEYMAX] ;
  size_t len ;
} ;

/* Reads the key file fn: a regular file, no symbolic link, owned by the
   effective uid (any owner with anyowner: root reading the queue user's
   key), no access for group or others, SEAL_KEYMIN to SEAL_KEYMAX bytes.
   1 loaded; 0 with errno: ENOENT none, EPERM owner or mode wrong, EINVAL
   wrong size. Without a key nothing is sealed or recognised. */
extern int seal_loadkey (char const *fn, seal_key *k, int anyowner) ;

/* HMAC-SHA256 of s (len bytes) under k, into mac (32 bytes). */
extern void seal_hmac (seal_key const *k, char const *s, size_t len, unsigned char *mac) ;

/* Appends to hdr (the lines going in front of the message, the X-QHPSI
   line first) the seal line for verdict ("clean", "infected" or
   "released") made at now, over hdr and the len bytes of fd from offset
   0: the message as it is before hdr goes in front. 1, or 0 with errno. */
extern int seal_make (seal_key const *k, stralloc *hdr, char const *verdict, time_t now, int fd, uint64_t len) ;

/* What a valid seal said. */
typedef struct seal_found_s seal_found ;
struct seal_found_s
{
  char verdict[16] ;          /* clean, infected, released */
  char line[SEAL_LINEMAX] ;   /* the sealed X-QHPSI line, newline included */
  time_t when ;               /* when it was first judged */
  size_t linelen ;
} ;

/* Looks at the message on fd (len bytes) as qmail-queue has it: its own
   Received line, then only Delivered-To lines (what qmail-local, forward
   and condredirect put in front of a delivered message), then a sealed
   block. 1 if the seal verifies and is at most SEAL_MAXAGE old (or up
   to five minutes ahead of now: a clock set back); 0
   otherwise (errno 0: no valid seal; else a read or memory error). */
extern int seal_check (seal_key const *k, int fd, uint64_t len, time_t now, seal_found *f) ;

/* A self-test probe's token, "TIME.NONCE HEX": 1 if the header of the
   message on fd (len bytes, qmail-queue's Received line first) has an
   "X-QHPSI-Selftest:" field whose token verifies and is at most an hour
   from now. */
extern int seal_selftest (seal_key const *k, int fd, uint64_t len, time_t now) ;

/* The token itself, for TIME.NONCE (digits, dots, letters): "TIME.NONCE
   HEX" into out (at least 100 bytes). 1, or 0 if id is not fit. */
extern int seal_selftest_token (seal_key const *k, char const *id, char *out, size_t max) ;

#endif
