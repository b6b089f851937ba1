/* keep.c: the quarantine copy of a message (keep.h). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <skalibs/stralloc.h>

#include "queue/paths.h"
#include "quarantine/store.h"
#include "scan/keep.h"
#include "scan/verdict.h"

int keep_copy (queue const *q, policy const *p, envelope const *e, struct qhpsi_result const *r,
  char const *verdict, char const *signature, char const *action, char const *forward,
  stralloc *hdr, char *id, char *qerr, size_t qerrlen)
{
  stralloc out = STRALLOC_ZERO ;
  store_meta m = { .ip = p->remoteip, .env = e, .verdict = verdict, .signature = signature,
    .action = action, .forward = forward } ;
  char *dir = paths_join(paths_home, "quarantine") ;
  int ok = 0 ;
  store_mkid(m.id, q->pid, q->messnum) ;
  m.time = (uint64_t)q->start ;
  if (dir && verdict_quarantinehdr(r, m.id, hdr, &out)
   && store_put(dir, &m, out.s, out.len, q->messfd, q->messlen))
  {
    stralloc tmp = *hdr ;
    *hdr = out ; out = tmp ;
    strcpy(id, m.id) ;
    ok = 1 ;
  }
  else snprintf(qerr, qerrlen, "unable to keep a copy: %s", strerror(errno)) ;
  stralloc_free(&out) ;
  free(dir) ;
  return ok ;
}
