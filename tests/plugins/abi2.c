/* abi2.c: ABI 2 test plugin. A line "X-Test-Action: N" (N the action as a
   digit) in the message makes it answer infected with that action, the
   rule flag, the name Test.Rule and the reply of a line "X-Test-Reply: ...";
   otherwise clean. Each scan writes what it was given (sender, the number
   of recipients, the first and the last, the client IP, QHPSIRULES) to
   $TMPDIR/abi2.seen, so a test can check that it got the envelope. */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qhpsi-plugin.h"

static void seen (struct qhpsi_message const *m)
{
  char const *dir = getenv("TMPDIR"), *rules = getenv("QHPSIRULES") ;
  char fn[4096] ;
  FILE *f ;
  if (!dir || snprintf(fn, sizeof fn, "%s/abi2.seen", dir) >= (int)sizeof fn) return ;
  f = fopen(fn, "w") ;
  if (!f) return ;
  fprintf(f, "sender=%s\nnrcpts=%u\nfirst=%s\nlast=%s\nremoteip=%s\nrules=%s\n", m->sender, m->nrcpts,
    m->nrcpts ? m->rcpts[0] : "-", m->nrcpts ? m->rcpts[m->nrcpts - 1] : "-",
    m->remoteip ? m->remoteip : "-", rules ? rules : "-") ;
  fclose(f) ;
}

/* the value of the header line "name: " in s, up to its newline, into out */
static int field (char const *s, size_t len, char const *name, char *out, size_t max)
{
  char const *p = memmem(s, len, name, strlen(name)), *e ;
  size_t n ;
  if (!p) return 0 ;
  p += strlen(name) ;
  e = memchr(p, '\n', s + len - p) ;
  n = e ? (size_t)(e - p) : (size_t)(s + len - p) ;
  if (n >= max) n = max - 1 ;
  memcpy(out, p, n) ;
  out[n] = 0 ;
  return 1 ;
}

static void scan (struct qhpsi_message const *m, struct qhpsi_result *r)
{
  char buf[8192], act[8] ;
  ssize_t got = pread(m->fd, buf, sizeof buf, 0) ;
  seen(m) ;
  r->verdict = QHPSI_ERROR ;
  if (got < 0) { strcpy(r->text, "abi2: read error") ; return ; }
  if (!field(buf, got, "X-Test-Action: ", act, sizeof act)) { r->verdict = QHPSI_CLEAN ; return ; }
  r->verdict = QHPSI_INFECTED ;
  r->action = atoi(act) ;
  r->flags = QHPSI_RESULT_RULE ;
  strcpy(r->text, "Test.Rule") ;
  field(buf, got, "X-Test-Reply: ", r->reply, sizeof r->reply) ;
}

struct qhpsi_plugin const qhpsi_plugin = { QHPSI_PLUGIN_ABI, "abi2", QHPSI_INPROCESS_SAFE, scan } ;
