/* pool.h: a pool of scanner hosts, for every plugin that talks to a server
   (clamd now; rspamd, spamd, ICAP the same way). For one request: hosts in
   back-off (state.h) go last, the others start at a random one; each
   connect has its own short timeout, and a host that fails is remembered
   for the next processes. A pool never decides a verdict: when every host
   has failed, the caller has a scanner error. */

#ifndef NET_POOL_H
#define NET_POOL_H

#include <stdint.h>
#include <skalibs/stralloc.h>
#include "net/host.h"
#include "net/state.h"

#define NET_CONNECT_ENV "QHPSICONNECTMS"  /* the connect timeout, milliseconds */
#define NET_CONNECT_DEFAULT 1000
#define NET_CONNECT_MAX 600000
#define NET_ERRLEN 128

typedef struct net_pool_s net_pool ;
struct net_pool_s
{
  net_host host[NET_MAXHOSTS] ;
  net_hoststate st[NET_MAXHOSTS] ;
  unsigned char order[NET_MAXHOSTS] ; /* the order of trying */
  unsigned int n ;
  unsigned int next ;                 /* how many of order were tried */
  unsigned int connect_ms ;
  char dir[256] ;                     /* the state directory; "" for none */
  char err[NET_ERRLEN] ;              /* why the last host failed, or what is wrong with the list */
} ;

/* Sets p up for one request to the hosts of list (host.h), defport where
   an entry names none, the connect timeout from QHPSICONNECTMS. 1, or 0
   with errno EINVAL and p->err saying what is wrong with the list. */
extern int net_pool_init (net_pool *p, char const *list, uint16_t defport) ;

/* A connected socket to the next host, never waiting past deadline nor
   longer than the connect timeout for one host; a host that does not
   connect is marked failed and the next one tried. Returns the fd and its
   host's index in p->host in *i; -1 when no host is left or the deadline
   has passed (p->err names the last failure). */
extern int net_pool_connect (net_pool *p, uint64_t deadline, unsigned int *i) ;

/* What a request after the connect may take: half of what is left before
   deadline while other hosts remain (a host that accepts and then hangs
   costs half the time, not all of it), else all of it. */
extern uint64_t net_pool_deadline (net_pool const *p, uint64_t deadline) ;

/* After a connection to host i: it failed (closed, hung, spoke no sense:
   the next host may do better), or it answered. */
extern void net_pool_failed (net_pool *p, unsigned int i, char const *why) ;
extern void net_pool_answered (net_pool *p, unsigned int i) ;

/* The request loop of a pooled client: connects to each host in the
   pool's order and calls ask with the socket, the host, the deadline for
   it (net_pool_deadline) and ctx. ask closes nothing and returns
   NET_ANSWERED (final: the host answered, even with an error), NET_FAILED
   (the next host may do better; why, NET_ERRLEN bytes, says what went
   wrong, without the host's name) or NET_LOCAL (final: this side failed).
   The socket is closed, the host's state kept, and *i set to the host
   that answered. Returns the last ask's value, or NET_FAILED when no host
   is left or the deadline passed (p->err names the last failure). */
enum net_asked { NET_ANSWERED, NET_FAILED, NET_LOCAL } ;
typedef enum net_asked net_ask_fn (int fd, net_host const *h, uint64_t deadline, char *why, void *ctx) ;
extern enum net_asked net_pool_run (net_pool *p, uint64_t deadline, net_ask_fn *ask, void *ctx, unsigned int *i) ;

/* For qhpsi-check: appends what net_state_show says of list's hosts, after
   a first line "pool: N hosts, connect timeout MS ms". 1, or 0 with errno
   (EINVAL: the list is wrong, say p->err; ENOMEM). */
extern int net_pool_show (char const *list, uint16_t defport, stralloc *out) ;

#endif
