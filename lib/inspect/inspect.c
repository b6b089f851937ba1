/* inspect.c: the message walked with the MIME walker, every leaf's body
   handed to the archive check, every limit of the walk a finding. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <skalibs/types.h>

#include "inspect/inspect.h"
#include "mime/mime.h"

int inspect_setting (char const *name, char const *s, uint64_t *u)
{
  size_t n = uint64_scan(s, u) ;
  int size = !strcmp(name, "QHPSIMAXFILESIZE") || !strcmp(name, "QHPSIMAXSCANSIZE") ;
  unsigned int shift = 0 ;
  if (!n) return 0 ;
  if (size && s[n] && !s[n+1])
    switch (s[n])
    {
      case 'k' : case 'K' : shift = 10 ; n++ ; break ;
      case 'm' : case 'M' : shift = 20 ; n++ ; break ;
      case 'g' : case 'G' : shift = 30 ; n++ ; break ;
    }
  if (s[n] || *u > UINT64_MAX >> shift) return 0 ;
  *u <<= shift ;
  /* nesting is recursion here: bounded as the engines bound it */
  if (!strcmp(name, "QHPSIMAXRECURSION")) return *u <= 255 ;
  return size || *u <= 1000000 ;
}

void inspect_conf_env (inspect_conf *c)
{
  static char const *const names[] = { INSPECT_VARS } ;
  struct archive_limits const def = ARCHIVE_LIMITS_DEFAULT ;
  uint64_t u[4] = { def.maxfilesize, def.maxscansize, def.maxfiles, def.maxrecursion } ;
  for (unsigned int i = 0 ; i < 4 ; i++)
  {
    char const *s = getenv(names[i]) ;
    uint64_t v ;
    if (s && inspect_setting(names[i], s, &v)) u[i] = v ;
  }
  c->on = 1 ;
  c->lim.maxfilesize = u[0] ; c->lim.maxscansize = u[1] ;
  c->lim.maxfiles = u[2] ; c->lim.maxrecursion = u[3] ;
}

struct found
{
  struct archive_state a ;
  char const *why ;  /* the first finding, a constant */
  int nomem ;
  stralloc uu ;
} ;

static int unchecked (void *ctx, char const *why)
{
  struct found *f = ctx ;
  if (!f->why) f->why = why ;
  return 0 ;
}

static int part (void *ctx, char const *type, char const *body, size_t len)
{
  struct found *f = ctx ;
  size_t pos = 0 ;
  int r = 0 ;
  (void)type ;
  if (!archive_check(&f->a, (unsigned char const *)body, len)) { f->nomem = 1 ; return 0 ; }
  /* and every uuencoded file in it, which the engine decodes */
  while (!f->a.why && (r = inspect_uudecode(body, len, &pos, &f->uu)) > 0)
    if (!archive_check(&f->a, (unsigned char const *)f->uu.s, f->uu.len)) { f->nomem = 1 ; return 0 ; }
  if (r < 0) { f->nomem = 1 ; return 0 ; }
  return f->a.why ? unchecked(ctx, f->a.why) : 1 ;
}

int inspect_message (inspect_conf const *c, int fd, uint64_t size, struct qhpsi_result *r)
{
  struct found f = { .a = { .lim = &c->lim }, .why = 0, .nomem = 0, .uu = STRALLOC_ZERO } ;
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
  stralloc_free(&f.uu) ;
  if (f.nomem) { errno = ENOMEM ; return 0 ; }
  if (!ok) return 0 ;
  if (f.why)
  {
    r->verdict = QHPSI_INFECTED ;
    snprintf(r->text, sizeof r->text, "%s%s", INSPECT_PREFIX, f.why) ;
  }
  return 1 ;
}
