/* host.h: scanner hosts as a list names them: a unix socket path, an IPv4
   address a.b.c.d[:port], or an IPv6 one [addr][:port] (or bare addr).
   Numeric only: a name lookup would have no deadline. */

#ifndef NET_HOST_H
#define NET_HOST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define NET_MAXHOSTS 32
#define NET_LABELLEN 112 /* a unix path (sun_path) or "[v6addr]:port", NUL included */

typedef struct net_host_s net_host ;
struct net_host_s
{
  struct sockaddr_storage sa ;
  socklen_t salen ;
  char label[NET_LABELLEN] ; /* printable, no blanks: fit for a log token */
} ;

/* Parses one entry of len bytes (not NUL-terminated); defport when it names
   none. 1, or 0 with errno EINVAL. */
extern int net_host_parse (char const *s, size_t len, uint16_t defport, net_host *h) ;

/* Parses a list separated by commas or blanks into hosts (room for
   NET_MAXHOSTS) and sets *n. 1, or 0 with errno EINVAL and *bad pointing at
   the entry refused (*badlen bytes; 0 for "too many" or "none"). */
extern int net_host_list (char const *list, uint16_t defport, net_host *hosts, unsigned int *n, char const **bad, size_t *badlen) ;

/* 1 if h is a unix socket */
extern int net_host_isunix (net_host const *h) ;

#endif
