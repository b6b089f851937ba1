/* stream.h: a request and its reply over a connected nonblocking socket,
   every wait bounded by a deadline: writes that stop when the server speaks
   first, a message sent from its descriptor in chunks (never whole in
   memory), a reply head read up to its empty line. For the text protocols
   of scanners (spamd's SPAMC, HTTP). */

#ifndef NET_STREAM_H
#define NET_STREAM_H

#include <stddef.h>
#include <stdint.h>

enum net_sent
{
  NET_SENT_ALL,    /* everything was written */
  NET_SENT_EARLY,  /* the server spoke before it had everything: read its reply */
  NET_SENT_FAIL,   /* the socket failed, errno set (ETIMEDOUT at the deadline) */
  NET_SENT_LOCAL   /* the file could not be read, or is shorter than its size: errno set */
} ;

/* Writes len bytes of buf to the socket fd. */
extern enum net_sent net_send (int fd, char const *buf, size_t len, uint64_t deadline) ;

/* Writes size bytes of the file file (from offset 0, with pread) to the
   socket fd, buflen bytes at a time through buf. */
extern enum net_sent net_send_file (int fd, int file, uint64_t size, char *buf, size_t buflen, uint64_t deadline) ;

enum net_got
{
  NET_GOT_HEAD,    /* an empty line ended the head */
  NET_GOT_EOF,     /* the server closed first; what it sent is in buf */
  NET_GOT_FULL,    /* cap bytes and no empty line: no reply of the kind expected */
  NET_GOT_FAIL     /* errno set (ETIMEDOUT at the deadline) */
} ;

/* Reads into buf (cap bytes) until it holds an empty line ("\r\n\r\n", or
   "\n\n" from a sloppy server). *len is what buf holds on every outcome
   (past the head too: the start of the body); on NET_GOT_HEAD *headlen is
   where the body starts. */
extern enum net_got net_read_head (int fd, char *buf, size_t cap, size_t *len, size_t *headlen, uint64_t deadline) ;

/* Reads on until buf holds want bytes (*len counts them); NET_GOT_HEAD
   when it does, NET_GOT_EOF when the server closed first, NET_GOT_FAIL. */
extern enum net_got net_read_more (int fd, char *buf, size_t want, size_t *len, uint64_t deadline) ;

/* Copies len bytes of s into dst (dstlen bytes, NUL included) with every
   byte but printable ASCII made '?': a reply quoted in an error text must
   carry no control byte into a log. */
extern void net_printable (char *dst, size_t dstlen, char const *s, size_t len) ;

#endif
