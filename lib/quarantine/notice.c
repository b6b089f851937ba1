/* notice.c: the administrator's notice. It goes straight into the queue
   with the functions that queue every message, so no scan sees it and no
   notice is ever made of it; from the null sender, so nothing bounces
   back to a sender who may be forged. */

#include <string.h>
#include <unistd.h>
#include <skalibs/stralloc.h>
#include <skalibs/types.h>

#include "queue/xtext.h"
#include "quarantine/notice.h"
#include "queue/qqexit.h"
#include "queue/queue.h"
#include "queue/received.h"

static int item (stralloc *sa, char const *key, char const *value)
{
  return stralloc_cats(sa, key) && stralloc_cats(sa, ": ")
    && (value && *value ? xtext_cat(sa, value) : stralloc_cats(sa, "-")) && stralloc_cats(sa, "\n") ;
}

int notice_fmt (stralloc *sa, notice const *n)
{
  envelope const *e = n->env ;
  char num[UINT64_FMT] ;
  char date[64] ;
  size_t dl = date822_fmt(date, n->when) ;
  char const *sender = envelope_sender(e) ;
  /* the headers: the signature name is already cleaned (printable, no
     blanks or parentheses); the address was checked by the policy */
  if (!stralloc_cats(sa, "X-QHPSI: notice\nDate: ") || !stralloc_catb(sa, date, dl)
   || !stralloc_cats(sa, "From: MAILER-DAEMON\nTo: ") || !xtext_cat(sa, n->to)
   || !stralloc_cats(sa, n->rule ? "\nSubject: qhpsi: rule matched" : "\nSubject: qhpsi: virus found")) return 0 ;
  if (n->signature && *n->signature && !(stralloc_cats(sa, " (") && stralloc_cats(sa, n->signature) && stralloc_cats(sa, ")")))
    return 0 ;
  if (!stralloc_cats(sa, "\nAuto-Submitted: auto-generated\nMIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=us-ascii\n\n"
    "qmail-queue caught a message. Addresses are xtext (+XX is byte XX).\n\n")) return 0 ;
  if (!item(sa, n->rule ? "rule" : "signature", n->signature) || !item(sa, "client", n->ip)) return 0 ;
  if (!(*sender ? item(sa, "sender", sender) : stralloc_cats(sa, "sender: <>\n"))) return 0 ;
  num[uint64_fmt(num, e->nrcpt)] = 0 ;
  if (!item(sa, "recipients", num)) return 0 ;
  for (size_t i = e->rcptpos ; i < e->sa.len ; i += strlen(e->sa.s + i) + 1)
    if (!item(sa, "recipient", e->sa.s + i + 1)) return 0 ;
  num[uint64_fmt(num, n->size)] = 0 ;
  if (!item(sa, "size", num) || !item(sa, "action", n->action)) return 0 ;
  return n->qid ? item(sa, "quarantine", n->qid) : stralloc_cats(sa, "quarantine: not kept\n") ;
}

int notice_queuetext (stralloc const *text, char const *to, unsigned long pid, time_t start, uid_t uid)
{
  stralloc env = STRALLOC_ZERO ;
  char received[RECEIVED_MAX] ;
  qusers users ;
  queue q = { .messfd = -1 } ;
  int r = 0 ;
  qusers_init(&users, uid) ;
  if (!stralloc_catb(&env, "F\0T", 3) || !stralloc_cats(&env, to) || !stralloc_0(&env))
  {
    stralloc_free(&env) ;
    return QQ_NOMEM ;
  }
  r = queue_openmess(&q, pid, start) ;
  if (!r) r = queue_put(&q, received, received_fmt(received, pid, uid, &users, start)) ;
  if (!r) r = queue_put(&q, text->s, text->len) ;
  if (!r) r = queue_syncmess(&q) ;
  if (!r) r = queue_writeintd(&q, uid, env.s, env.len) ;
  if (!r) r = queue_publish(&q) ;
  if (r) queue_cleanup(&q) ;
  if (q.messfd >= 0) close(q.messfd) ;
  stralloc_free(&env) ;
  return r ;
}

int notice_queue (notice const *n, unsigned long pid, time_t start, uid_t uid)
{
  stralloc sa = STRALLOC_ZERO ;
  int r ;
  if (!notice_fmt(&sa, n)) { stralloc_free(&sa) ; return QQ_NOMEM ; }
  r = notice_queuetext(&sa, n->to, pid, start, uid) ;
  stralloc_free(&sa) ;
  return r ;
}
