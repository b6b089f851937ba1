/* example.c: the smallest useful qhpsi plugin, as a model for new ones (see
   qhpsi-plugin(3)). It reports a message as infected when it holds the
   start of the EICAR test string, which is how a scanner is tested.

   Build:   cc -shared -fPIC -I/path/to/qhpsi/include -o example.so example.c
   Install: owned by root, mode 0644, in /var/qmail/plugins/
   Use:     QHPSI="plugin:example.so" */

#include <string.h>
#include <unistd.h>

#include "qhpsi-plugin.h"

/* the backslash is part of the string */
static char const eicar[] = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR" ;
#define EICARLEN (sizeof eicar - 1)

static void scan (struct qhpsi_message const *m, struct qhpsi_result *r)
{
  char buf[65536] ;
  size_t keep = 0 ;
  uint64_t off = 0 ;
  /* Read with pread: the descriptor belongs to the caller, and its offset
     must not matter. Keep the last EICARLEN-1 bytes of each block in front
     of the next, so the string is found even across two blocks. */
  for (;;)
  {
    ssize_t n = pread(m->fd, buf + keep, sizeof buf - keep, off) ;
    if (n < 0)
    {
      /* never turn a failure into "clean": say error, with a reason */
      r->verdict = QHPSI_ERROR ;
      strcpy(r->text, "unable to read the message") ;
      return ;
    }
    if (!n) break ;
    off += n ;
    n += keep ;
    if (memmem(buf, n, eicar, EICARLEN))
    {
      r->verdict = QHPSI_INFECTED ;
      strcpy(r->text, "Eicar-Test-Signature") ; /* at most QHPSI_TEXTLEN-1 bytes */
      return ;
    }
    keep = (size_t)n < EICARLEN - 1 ? (size_t)n : EICARLEN - 1 ;
    memmove(buf, buf + n - keep, keep) ;
  }
  r->verdict = QHPSI_CLEAN ;
}

/* The one symbol qmail-queue looks for. QHPSI_INPROCESS_SAFE lets it run
   inside qmail-queue with QHPSIHELPER=0: fine here, since all it does is
   compare bytes; a plugin that parses the message (archives, MIME) must
   leave the flag out and run in the unprivileged helper.
   QHPSI_SELF_CONTAINED says it starts no process nor thread, keeps to
   timeout_ms (a read of the message is all it does) and leaves signals
   alone: it then runs with no copy of the process made around it. */
struct qhpsi_plugin const qhpsi_plugin = { QHPSI_PLUGIN_ABI, "example", QHPSI_INPROCESS_SAFE | QHPSI_SELF_CONTAINED, scan } ;
