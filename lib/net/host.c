/* host.c: parses scanner host lists: unix socket paths, IPv4, IPv6. */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include "net/host.h"

static int inval (void)
{
  errno = EINVAL ;
  return 0 ;
}

/* a path goes into logs and replies as it is: printable and blank-free only */
static int parse_unix (char const *s, size_t len, net_host *h)
{
  struct sockaddr_un *sun = (struct sockaddr_un *)&h->sa ;
  if (len >= sizeof sun->sun_path || len >= NET_LABELLEN) return inval() ;
  for (size_t i = 0 ; i < len ; i++)
    if (s[i] <= ' ' || s[i] > '~') return inval() ;
  memset(&h->sa, 0, sizeof h->sa) ;
  sun->sun_family = AF_UNIX ;
  memcpy(sun->sun_path, s, len) ;
  h->salen = sizeof *sun ;
  memcpy(h->label, s, len) ;
  h->label[len] = 0 ;
  return 1 ;
}

static int parse_port (char const *s, size_t len, unsigned long *p)
{
  if (!len || len > 5) return 0 ;
  *p = 0 ;
  for (size_t i = 0 ; i < len ; i++)
  {
    if (s[i] < '0' || s[i] > '9') return 0 ;
    *p = *p * 10 + (unsigned long)(s[i] - '0') ;
  }
  return *p && *p <= 65535 ;
}

int net_host_parse (char const *s, size_t len, uint16_t defport, net_host *h)
{
  char addr[INET6_ADDRSTRLEN] ;
  char const *a = s, *port = 0 ;
  size_t alen = len ;
  unsigned long p = defport ;
  int v6 = 0 ;

  if (!len) return inval() ;
  if (s[0] == '/') return parse_unix(s, len, h) ;
  if (s[0] == '[')
  {
    char const *e = memchr(s, ']', len) ;
    if (!e) return inval() ;
    a = s + 1 ; alen = (size_t)(e - a) ; v6 = 1 ;
    if (e + 1 < s + len)
    {
      if (e[1] != ':') return inval() ;
      port = e + 2 ;
    }
  }
  else
  {
    char const *c = memchr(s, ':', len) ;
    if (c && memchr(c + 1, ':', len - (size_t)(c + 1 - s))) v6 = 1 ;
    else if (c) { alen = (size_t)(c - s) ; port = c + 1 ; }
  }
  if (!alen || alen >= sizeof addr) return inval() ;
  memcpy(addr, a, alen) ;
  addr[alen] = 0 ;
  if (port && !parse_port(port, (size_t)(s + len - port), &p)) return inval() ;
  if (!p) return inval() ;
  memset(&h->sa, 0, sizeof h->sa) ;
  if (v6)
  {
    struct sockaddr_in6 *sa = (struct sockaddr_in6 *)&h->sa ;
    if (inet_pton(AF_INET6, addr, &sa->sin6_addr) != 1) return inval() ;
    sa->sin6_family = AF_INET6 ;
    sa->sin6_port = htons((uint16_t)p) ;
    h->salen = sizeof *sa ;
    /* the label is the canonical form, so one host has one name in logs */
    inet_ntop(AF_INET6, &sa->sin6_addr, addr, sizeof addr) ;
    snprintf(h->label, sizeof h->label, "[%s]:%lu", addr, p) ;
  }
  else
  {
    struct sockaddr_in *sa = (struct sockaddr_in *)&h->sa ;
    if (inet_pton(AF_INET, addr, &sa->sin_addr) != 1) return inval() ;
    sa->sin_family = AF_INET ;
    sa->sin_port = htons((uint16_t)p) ;
    h->salen = sizeof *sa ;
    snprintf(h->label, sizeof h->label, "%s:%lu", addr, p) ;
  }
  return 1 ;
}

int net_host_list (char const *list, uint16_t defport, net_host *hosts, unsigned int *n, char const **bad, size_t *badlen)
{
  *n = 0 ;
  *bad = list ;
  *badlen = 0 ;
  while (*list)
  {
    size_t len = strcspn(list, ", \t\n") ;
    if (!len) { list++ ; continue ; }
    if (*n == NET_MAXHOSTS) return inval() ;
    if (!net_host_parse(list, len, defport, hosts + *n))
    {
      *bad = list ;
      *badlen = len ;
      return 0 ;
    }
    ++*n ;
    list += len ;
  }
  return *n ? 1 : inval() ;
}

int net_host_isunix (net_host const *h)
{
  return h->sa.ss_family == AF_UNIX ;
}
