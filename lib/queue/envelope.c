/* envelope.c: parses qmail-queue's envelope with the limits and exit codes
   of qmail 1.03, keeping it in memory so the scan can come before intd. */

#include <skalibs/buffer.h>
#include <skalibs/stralloc.h>

#include "queue/envelope.h"
#include "queue/qqexit.h"

/* One address after its letter: up to ENVELOPE_ADDRMAX bytes including
   the NUL. qmail counts the NUL, so 1002 characters is the longest. */
static int address (buffer *b, stralloc *sa)
{
  size_t len ;
  char ch ;
  for (len = 0 ; len < ENVELOPE_ADDRMAX ; len++)
  {
    if (buffer_get(b, &ch, 1) < 1) return QQ_READ ;
    if (!stralloc_catb(sa, &ch, 1)) return QQ_NOMEM ;
    if (!ch) return 0 ;
  }
  return QQ_ADDRTOOLONG ;
}

int envelope_read (buffer *b, envelope *e)
{
  char ch ;
  int r ;
  e->sa.len = 0 ;
  e->nrcpt = 0 ;
  if (buffer_get(b, &ch, 1) < 1) return QQ_READ ;
  if (ch != 'F') return QQ_ENVELOPE ;
  if (!stralloc_catb(&e->sa, &ch, 1)) return QQ_NOMEM ;
  r = address(b, &e->sa) ;
  if (r) return r ;
  e->rcptpos = e->sa.len ;
  for (;;)
  {
    if (buffer_get(b, &ch, 1) < 1) return QQ_READ ;
    if (!ch) return 0 ;
    if (ch != 'T') return QQ_ENVELOPE ;
    if (!stralloc_catb(&e->sa, &ch, 1)) return QQ_NOMEM ;
    r = address(b, &e->sa) ;
    if (r) return r ;
    e->nrcpt++ ;
  }
}

void envelope_free (envelope *e)
{
  stralloc_free(&e->sa) ;
}
