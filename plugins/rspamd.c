/* rspamd.c: qhpsi plugin (ABI 3) that has a message scored by rspamd's
   normal worker: POST /checkv2 over the host pool (lib/net/: unix sockets
   and TCP, connect timeout, failover, back-off shared between processes),
   the envelope in request headers, the message streamed from its
   descriptor, the JSON reply mapped by rspamdreply.c. See qhpsi-rspamd(8). */

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qhpsi-plugin.h"
#include "net/conn.h"
#include "net/http.h"
#include "net/pool.h"
#include "rspamdreply.h"

#define RSPAMD_HOSTS_DEFAULT "127.0.0.1:11333" /* where rspamc looks */
#define RSPAMD_PORT_DEFAULT 11333
#define TIMEOUT_DEFAULT 120000 /* when the caller gives none; QHPSITIMEOUT's default */

static void say (struct qhpsi_result *r, char const *fmt, ...)
{
  va_list ap ;
  r->verdict = QHPSI_ERROR ;
  va_start(ap, fmt) ;
  vsnprintf(r->text, sizeof r->text, fmt, ap) ;
  va_end(ap) ;
}

/* The request line and headers. Every value is checked by
   net_http_header: an envelope address with a CR, LF or other control
   byte refuses the request (EINVAL) rather than adding a header. */
static int request (struct qhpsi_message const *m, stralloc *head)
{
  if (!net_http_start(head, "POST", "/checkv2")
   || !net_http_header(head, "Connection", "close")
   || !net_http_header(head, "From", m->sender && *m->sender ? m->sender : "<>")) return 0 ;
  for (uint32_t i = 0 ; i < m->nrcpts ; i++)
    if (!net_http_header(head, "Rcpt", m->rcpts[i])) return 0 ;
  if (m->remoteip && *m->remoteip && !net_http_header(head, "IP", m->remoteip)) return 0 ;
  if (m->qid && *m->qid && !net_http_header(head, "Queue-Id", m->qid)) return 0 ;
  if (m->authuser && *m->authuser && !net_http_header(head, "User", m->authuser)) return 0 ;
  if (m->settings && *m->settings && !net_http_header(head, "Settings-ID", m->settings)) return 0 ;
  return 1 ;
}

/* how one attempt at one host ended (as in clamd.c) */
enum attempt { ATTEMPT_ANSWERED, ATTEMPT_FAILED, ATTEMPT_LOCAL } ;

static enum attempt exchange (struct qhpsi_message const *m, int fd, char const *label, stralloc const *head,
                              uint64_t deadline, net_http_reply *rep, struct qhpsi_result *r)
{
  char why[NET_ERRLEN] ;
  switch (net_http_exchange(fd, head, m->fd, m->size, deadline, NET_HTTP_BODYMAX, rep))
  {
    case NET_HTTP_LOCAL : say(r, "rspamd: %s", rep->err) ; return ATTEMPT_LOCAL ;
    case NET_HTTP_FAILED : say(r, "%s", rep->err) ; return ATTEMPT_FAILED ;
    case NET_HTTP_BAD : say(r, "rspamd %s: bad reply: %s", label, rep->err) ; return ATTEMPT_ANSWERED ;
    default : break ;
  }
  /* a server error may be this host's alone; anything else but 200 is final */
  if (rep->status >= 500) { say(r, "HTTP status %u", rep->status) ; return ATTEMPT_FAILED ; }
  if (rep->status != 200) { say(r, "rspamd %s: HTTP status %u", label, rep->status) ; return ATTEMPT_ANSWERED ; }
  if (!rspamd_reply(rep->body.s, rep->body.len, r, why, sizeof why))
  {
    /* nothing of a refused reply goes on */
    memset(r, 0, sizeof *r) ;
    say(r, "rspamd %s: %s", label, why) ;
    return ATTEMPT_ANSWERED ;
  }
  r->text[0] = 0 ;
  /* the log's host= where there is no SMTP reply (qmail-queue(8), LOG) */
  if (!r->reply[0])
  {
    r->flags |= QHPSI_RESULT_SERVER ;
    snprintf(r->reply, sizeof r->reply, "%s", label) ;
  }
  return ATTEMPT_ANSWERED ;
}

static void ask (struct qhpsi_message const *m, char const *list, uint64_t deadline, struct qhpsi_result *r)
{
  net_pool *p = malloc(sizeof *p) ;
  stralloc head = STRALLOC_ZERO ;
  net_http_reply rep = NET_HTTP_REPLY_ZERO ;
  unsigned int i ;
  int fd ;
  if (!p) { say(r, "rspamd: out of memory") ; return ; }
  if (!request(m, &head))
  {
    say(r, errno == EINVAL ? "rspamd: an envelope value holds a control byte" : "rspamd: out of memory") ;
    goto end ;
  }
  if (!net_pool_init(p, list, RSPAMD_PORT_DEFAULT))
  {
    say(r, "RSPAMD_HOSTS: %s", p->err) ;
    goto end ;
  }
  while ((fd = net_pool_connect(p, deadline, &i)) >= 0)
  {
    net_host const *h = p->host + i ;
    enum attempt a = exchange(m, fd, h->label, &head, net_pool_deadline(p, deadline), &rep, r) ;
    close(fd) ;
    if (a == ATTEMPT_LOCAL) goto end ;
    if (a == ATTEMPT_ANSWERED) { net_pool_answered(p, i) ; goto end ; }
    net_pool_failed(p, i, r->text) ;
  }
  if (p->n == 1) say(r, "rspamd %s", p->err) ;
  else say(r, "all %u rspamd hosts failed, last: %s", p->n, p->err) ;
 end:
  stralloc_free(&rep.body) ;
  stralloc_free(&head) ;
  free(p) ;
}

static void scan (struct qhpsi_message const *m, struct qhpsi_result *r)
{
  char const *hosts = getenv("RSPAMD_HOSTS") ;
  uint64_t deadline = net_now_ms() + (m->timeout_ms ? m->timeout_ms : TIMEOUT_DEFAULT) ;
  say(r, "rspamd: no verdict") ;
  ask(m, hosts && *hosts ? hosts : RSPAMD_HOSTS_DEFAULT, deadline, r) ;
}

const struct qhpsi_plugin qhpsi_plugin =
{
  .abi = QHPSI_PLUGIN_ABI,
  .name = "rspamd",
  .flags = QHPSI_INPROCESS_SAFE | QHPSI_SPAM_ENGINE | QHPSI_SELF_CONTAINED,
  .scan = &scan
} ;
