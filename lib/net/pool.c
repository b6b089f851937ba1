/* pool.c: the order in which a request tries its hosts, connects with
   their own timeout, and what the state file learns from each (pool.h). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

#include "net/conn.h"
#include "net/pool.h"

static unsigned int connect_ms (void)
{
  char const *s = getenv(NET_CONNECT_ENV) ;
  unsigned long v = 0 ;
  if (!s || !*s || strlen(s) > 6 || strspn(s, "0123456789") != strlen(s)) return NET_CONNECT_DEFAULT ;
  v = strtoul(s, 0, 10) ;
  return v && v <= NET_CONNECT_MAX ? (unsigned int)v : NET_CONNECT_DEFAULT ;
}

static uint32_t wallclock (void)
{
  return (uint32_t)time(0) ;
}

static unsigned int randomly (void)
{
  unsigned int r ;
  if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r)
    r = (unsigned int)getpid() ^ (unsigned int)net_now_ms() ;
  return r ;
}

/* healthy hosts first, in list order from a random one of them; then the
   hosts in back-off, the one that comes back soonest first */
static void order (net_pool *p, uint32_t now)
{
  unsigned char sick[NET_MAXHOSTS] ;
  unsigned int nh = 0, ns = 0, start ;
  for (unsigned int i = 0 ; i < p->n ; i++)
    if (net_state_sick(p->st + i, now)) sick[ns++] = (unsigned char)i ;
    else p->order[nh++] = (unsigned char)i ;
  if (nh > 1)
  {
    unsigned char rot[NET_MAXHOSTS] ;
    start = randomly() % nh ;
    for (unsigned int j = 0 ; j < nh ; j++) rot[j] = p->order[(start + j) % nh] ;
    memcpy(p->order, rot, nh) ;
  }
  for (unsigned int j = 1 ; j < ns ; j++)
    for (unsigned int k = j ; k && p->st[sick[k-1]].when + (uint64_t)net_state_backoff(p->st[sick[k-1]].fails)
                                 > p->st[sick[k]].when + (uint64_t)net_state_backoff(p->st[sick[k]].fails) ; k--)
    {
      unsigned char t = sick[k] ; sick[k] = sick[k-1] ; sick[k-1] = t ;
    }
  memcpy(p->order + nh, sick, ns) ;
}

int net_pool_init (net_pool *p, char const *list, uint16_t defport)
{
  char const *bad ;
  size_t badlen ;
  p->next = 0 ;
  p->err[0] = 0 ;
  p->connect_ms = connect_ms() ;
  if (!net_host_list(list, defport, p->host, &p->n, &bad, &badlen))
  {
    if (badlen) snprintf(p->err, sizeof p->err, "bad entry %.*s", (int)(badlen > 64 ? 64 : badlen), bad) ;
    else if (p->n == NET_MAXHOSTS) snprintf(p->err, sizeof p->err, "more than %d hosts", NET_MAXHOSTS) ;
    else snprintf(p->err, sizeof p->err, "no host") ;
    /* the entry is quoted into logs: nothing but printable bytes */
    for (char *c = p->err ; *c ; c++) if (*c < ' ' || *c > '~') *c = '?' ;
    errno = EINVAL ;
    return 0 ;
  }
  if (!net_state_dir(p->dir, sizeof p->dir)) p->dir[0] = 0 ;
  if (p->dir[0]) net_state_read(p->dir, p->host, p->n, p->st, wallclock()) ;
  else memset(p->st, 0, sizeof p->st) ;
  order(p, wallclock()) ;
  return 1 ;
}

int net_pool_connect (net_pool *p, uint64_t deadline, unsigned int *i)
{
  while (p->next < p->n)
  {
    uint64_t now = net_now_ms(), cd = now + p->connect_ms ;
    unsigned int h = p->order[p->next] ;
    int fd ;
    if (now >= deadline) break ;
    p->next++ ;
    fd = net_connect((struct sockaddr const *)&p->host[h].sa, p->host[h].salen, cd < deadline ? cd : deadline) ;
    if (fd >= 0) { *i = h ; return fd ; }
    {
      char why[80] ;
      snprintf(why, sizeof why, "connect: %s", errno == ETIMEDOUT ? "timeout" : strerror(errno)) ;
      net_pool_failed(p, h, why) ;
    }
  }
  if (!p->err[0]) snprintf(p->err, sizeof p->err, "timeout before a host was tried") ;
  errno = ETIMEDOUT ;
  return -1 ;
}

uint64_t net_pool_deadline (net_pool const *p, uint64_t deadline)
{
  uint64_t now = net_now_ms() ;
  if (p->next >= p->n || now >= deadline) return deadline ;
  return now + (deadline - now) / 2 ;
}

void net_pool_failed (net_pool *p, unsigned int i, char const *why)
{
  snprintf(p->err, sizeof p->err, "%s: %s", p->host[i].label, why) ;
  if (p->dir[0]) net_state_mark(p->dir, p->host + i, 1, wallclock()) ;
}

void net_pool_answered (net_pool *p, unsigned int i)
{
  /* only a record of our own file can be cleared; the common case, no
     record at all, writes nothing */
  if (p->dir[0] && p->st[i].fails && p->st[i].mine) net_state_mark(p->dir, p->host + i, 0, wallclock()) ;
}

enum net_asked net_pool_run (net_pool *p, uint64_t deadline, net_ask_fn *ask, void *ctx, unsigned int *i)
{
  int fd ;
  while ((fd = net_pool_connect(p, deadline, i)) >= 0)
  {
    char why[NET_ERRLEN] = "failed" ;
    enum net_asked a = ask(fd, p->host + *i, net_pool_deadline(p, deadline), why, ctx) ;
    close(fd) ;
    if (a == NET_LOCAL) return a ;
    if (a == NET_ANSWERED) { net_pool_answered(p, *i) ; return a ; }
    why[NET_ERRLEN - 1] = 0 ;
    net_pool_failed(p, *i, why) ;
  }
  return NET_FAILED ;
}

int net_pool_show (char const *list, uint16_t defport, stralloc *out)
{
  net_pool *p = malloc(sizeof *p) ;
  char head[96] ;
  int ok ;
  if (!p) return 0 ;
  if (!net_pool_init(p, list, defport))
  {
    ok = stralloc_cats(out, "pool: ") && stralloc_cats(out, p->err) && stralloc_catb(out, "\n", 1) ;
    free(p) ;
    errno = ok ? EINVAL : ENOMEM ;
    return 0 ;
  }
  snprintf(head, sizeof head, "pool: %u host%s, connect timeout %u ms\n", p->n, p->n == 1 ? "" : "s", p->connect_ms) ;
  ok = stralloc_cats(out, head) && net_state_show(p->dir[0] ? p->dir : "/nonexistent", p->host, p->n, wallclock(), out) ;
  free(p) ;
  return ok ;
}
