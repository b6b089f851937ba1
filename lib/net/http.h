/* http.h: a small HTTP/1.0 client for scanners that speak HTTP (rspamd's
   /checkv2 now): a request head whose every header value is checked, the
   body streamed from a descriptor in chunks, and a bounded reply (status
   line, headers, Content-Length, chunked or up to the close). */

#ifndef NET_HTTP_H
#define NET_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <skalibs/stralloc.h>
#include "net/pool.h"

#define NET_HTTP_HEADMAX 16384        /* a reply's status line and headers */
#define NET_HTTP_LINEMAX 4096         /* one line of them, or a chunk size line */
#define NET_HTTP_BODYMAX (1u << 20)   /* the default cap on a reply's body */

/* Starts head with the request line "METHOD PATH HTTP/1.0". 1, or 0 (ENOMEM). */
extern int net_http_start (stralloc *head, char const *method, char const *path) ;

/* Appends "Name: value" to head. 1, or 0 with errno EINVAL when value
   holds a control byte (CR, LF, NUL, any below 0x20, DEL): nothing from an
   envelope may add a header of its own; or ENOMEM. */
extern int net_http_header (stralloc *head, char const *name, char const *value) ;

/* how an exchange ended */
enum net_http_end
{
  NET_HTTP_OK,      /* a whole reply: status and body */
  NET_HTTP_FAILED,  /* the connection failed (closed, reset, timeout): another host may do better */
  NET_HTTP_BAD,     /* the server answered something that is no bounded HTTP reply */
  NET_HTTP_LOCAL    /* this side failed (reading the message, memory) */
} ;

typedef struct net_http_reply_s net_http_reply ;
struct net_http_reply_s
{
  unsigned int status ;   /* 200 ... */
  stralloc body ;         /* the body, decoded from chunks; the caller frees it */
  char err[NET_ERRLEN] ;  /* why, when not NET_HTTP_OK: printable, no host name */
} ;
#define NET_HTTP_REPLY_ZERO { .status = 0, .body = STRALLOC_ZERO, .err = "" }

/* On the connected socket sock: sends head, Content-Length: size and the
   empty line, then size bytes of fd from offset 0; then reads the reply,
   whose body may have at most bodymax bytes. Nothing waits past deadline. */
extern enum net_http_end net_http_exchange (int sock, stralloc const *head, int fd, uint64_t size,
                                            uint64_t deadline, size_t bodymax, net_http_reply *rep) ;

#endif
