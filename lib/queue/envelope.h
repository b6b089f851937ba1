/* envelope.h: reading the envelope qmail-queue gets on fd 1. */

#ifndef ENVELOPE_H
#define ENVELOPE_H

#include <stddef.h>
#include <skalibs/buffer.h>
#include <skalibs/stralloc.h>

#define ENVELOPE_ADDRMAX 1003 /* qmail's ADDR: an address and its NUL */

/* The envelope as intd stores it: "F<sender>\0" then "T<rcpt>\0" per
   recipient; the terminating empty entry is not kept. */
typedef struct envelope_s envelope ;
struct envelope_s
{
  stralloc sa ;
  size_t rcptpos ; /* where the first "T" entry starts */
  size_t nrcpt ;
} ;
#define ENVELOPE_ZERO { .sa = STRALLOC_ZERO, .rcptpos = 0, .nrcpt = 0 }

/* Reads "F<sender>\0", "T<rcpt>\0"..., "\0" from b with qmail 1.03's rules.
   Returns 0, or the qmail-queue exit code: QQ_READ (read error or EOF),
   QQ_ENVELOPE (format), QQ_ADDRTOOLONG, QQ_NOMEM. */
extern int envelope_read (buffer *b, envelope *e) ;

/* The sender, NUL-terminated, inside e->sa */
#define envelope_sender(e) ((e)->sa.s + 1)

extern void envelope_free (envelope *e) ;

#endif
