/* wire.c: the helper's verdict answer and the envelope it is given, both
   written by one side and parsed, as untrusted, by the other. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/stralloc.h>

#include "queue/envelope.h"
#include "scan/wire.h"

/* the answer: verdict letter, action digit, flags digit, text, NUL, reply, NUL */
int wire_report (int fd, struct qhpsi_result const *r)
{
  char out[WIRE_ANSWERMAX] ;
  size_t n = strnlen(r->text, QHPSI_TEXTLEN - 1), m = strnlen(r->reply, QHPSI_REPLYLEN - 1), len ;
  out[0] = r->verdict == QHPSI_CLEAN ? 'C' : r->verdict == QHPSI_INFECTED ? 'I' : 'E' ;
  out[1] = '0' + (r->action <= QHPSI_ACTION_TAG ? r->action : 0) ;
  out[2] = '0' + (r->flags & (QHPSI_RESULT_RULE | QHPSI_RESULT_SERVER)) ;
  memcpy(out + 3, r->text, n) ;
  out[3 + n] = 0 ;
  memcpy(out + 4 + n, r->reply, m) ;
  /* a plugin's stray control byte is not the protocol's business: blanked */
  for (size_t i = 4 + n ; i < 4 + n + m ; i++)
    if ((unsigned char)out[i] < ' ' || (unsigned char)out[i] > '~') out[i] = ' ' ;
  out[4 + n + m] = 0 ;
  len = n + m + 5 ;
  return allwrite(fd, out, len) == len ;
}

int wire_parse (char const *s, size_t len, struct qhpsi_result *r)
{
  char const *nul ;
  size_t n, m ;
  if (len < 5 || len > WIRE_ANSWERMAX || s[len - 1]) return 0 ;
  nul = memchr(s + 3, 0, len - 3) ;
  n = nul - (s + 3) ;
  m = len - 5 - n ;
  if (n >= QHPSI_TEXTLEN || m >= QHPSI_REPLYLEN || memchr(s + 4 + n, 0, m)) return 0 ;
  if (s[1] < '0' || s[1] > '0' + QHPSI_ACTION_TAG || s[2] < '0' || s[2] > '3') return 0 ;
  /* a server flag names its server */
  if ((s[2] - '0') & QHPSI_RESULT_SERVER && !m) return 0 ;
  for (size_t i = 0 ; i < m ; i++)
    if ((unsigned char)s[4 + n + i] < ' ' || (unsigned char)s[4 + n + i] > '~') return 0 ;
  switch (s[0])
  {
    case 'C' : r->verdict = QHPSI_CLEAN ; break ;
    case 'I' : r->verdict = QHPSI_INFECTED ; break ;
    case 'E' : r->verdict = QHPSI_ERROR ; break ;
    default : return 0 ;
  }
  r->action = s[1] - '0' ;
  r->flags = s[2] - '0' ;
  memcpy(r->text, s + 3, n + 1) ;
  memcpy(r->reply, s + 4 + n, m + 1) ;
  return 1 ;
}

int wire_readenvelope (int fd, stralloc *sa, char const ***rcpts, uint32_t *nrcpts)
{
  size_t i, n = 0, k ;
  sa->len = 0 ;
  for (;;)
  {
    ssize_t r ;
    if (!stralloc_readyplus(sa, 65536)) return 0 ;
    r = read(fd, sa->s + sa->len, 65536) ;
    if (r < 0) { if (errno == EINTR) continue ; return 0 ; }
    if (!r) break ;
    sa->len += r ;
    if (sa->len > WIRE_ENVMAX) { errno = EPROTO ; return 0 ; }
  }
  /* F<sender>\0, T<rcpt>\0 ..., \0: from qmail-queue, and checked all the same */
  if (sa->len < 3 || sa->s[0] != 'F' || sa->s[sa->len - 1] || sa->s[sa->len - 2]) { errno = EPROTO ; return 0 ; }
  for (i = 0 ; i < sa->len - 1 ; i += k + 1)
  {
    k = strlen(sa->s + i) ;
    if ((i ? sa->s[i] != 'T' : 0) || k < 1 || k > ENVELOPE_ADDRMAX) { errno = EPROTO ; return 0 ; }
    if (i) n++ ;
  }
  *rcpts = malloc((n + 1) * sizeof **rcpts) ;
  if (!*rcpts) return 0 ;
  n = 0 ;
  i = strlen(sa->s) + 1 ;
  while (i < sa->len - 1)
  {
    (*rcpts)[n++] = sa->s + i + 1 ;
    i += strlen(sa->s + i) + 1 ;
  }
  (*rcpts)[n] = 0 ;
  *nrcpts = n ;
  return 1 ;
}

int wire_writeenvelope (char const *sender, char const *const *rcpts, uint32_t nrcpts)
{
  stralloc sa = STRALLOC_ZERO ;
  int fd = -1 ;
  /* as many whole recipients as the bound lets through */
  if (!stralloc_catb(&sa, "F", 1) || !stralloc_cats(&sa, sender) || !stralloc_0(&sa)) goto err ;
  for (uint32_t i = 0 ; i < nrcpts ; i++)
  {
    size_t k = strlen(rcpts[i]) ;
    if (sa.len + k + 3 > WIRE_ENVMAX) break ;
    if (!stralloc_catb(&sa, "T", 1) || !stralloc_catb(&sa, rcpts[i], k) || !stralloc_0(&sa)) goto err ;
  }
  if (!stralloc_0(&sa)) goto err ;
  fd = memfd_create("qhpsi-envelope", MFD_CLOEXEC) ;
  if (fd < 0) goto err ;
  if (allwrite(fd, sa.s, sa.len) != sa.len || lseek(fd, 0, SEEK_SET) < 0) { close(fd) ; fd = -1 ; }
 err:
  stralloc_free(&sa) ;
  return fd ;
}

