/* wire.c: the helper's verdict answer and the envelope it is given, both
   written by one side and parsed, as untrusted, by the other. */

#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/stralloc.h>

#include "queue/envelope.h"
#include "scan/wire.h"
#include "scan/spamhdr.h"

static int blankctl (char *s, size_t n)
{
  for (size_t i = 0 ; i < n ; i++)
    if ((unsigned char)s[i] < ' ' || (unsigned char)s[i] > '~') s[i] = ' ' ;
  return 1 ;
}

static int printable (char const *s, size_t n)
{
  for (size_t i = 0 ; i < n ; i++)
    if ((unsigned char)s[i] < ' ' || (unsigned char)s[i] > '~') return 0 ;
  return 1 ;
}

/* s, at most max - 1 bytes, and its NUL */
static int catz (stralloc *sa, char const *s, size_t max)
{
  return stralloc_catb(sa, s, strnlen(s, max - 1)) && stralloc_0(sa) ;
}

static int spampart (stralloc *sa, struct qhpsi_result const *r)
{
  char head[4] = { 'S', r->verdict == QHPSI_SPAM ? 'S' : r->verdict == QHPSI_CLEAN ? 'C' : 'E',
    '0' + (r->action <= QHPSI_ACTION_TEMPFAIL ? r->action : 0), '0' + (r->flags & 7) } ;
  char n[2][16] ;
  size_t at ;
  snprintf(n[0], sizeof n[0], "%ld", (long)r->score) ;
  snprintf(n[1], sizeof n[1], "%ld", (long)r->required) ;
  if (!stralloc_catb(sa, head, 4) || !catz(sa, n[0], 16) || !catz(sa, n[1], 16) || !catz(sa, r->text, QHPSI_TEXTLEN)) return 0 ;
  at = sa->len ;
  return catz(sa, r->reply, QHPSI_REPLYLEN) && blankctl(sa->s + at, sa->len - at - 1)
    && catz(sa, r->tests, QHPSI_TESTSLEN) && catz(sa, r->headers, QHPSI_HEADERSLEN) ;
}

/* the answer: verdict letter, action digit, flags digit, text, NUL, reply,
   NUL; a spam part when an engine answered */
int wire_report (int fd, struct qhpsi_result const *r, struct qhpsi_result const *spam)
{
  stralloc sa = STRALLOC_ZERO ;
  char head[3] = { r->verdict == QHPSI_CLEAN ? 'C' : r->verdict == QHPSI_INFECTED ? 'I' : 'E',
    '0' + (r->action <= QHPSI_ACTION_TAG ? r->action : 0), '0' + (r->flags & (QHPSI_RESULT_RULE | QHPSI_RESULT_SERVER)) } ;
  size_t at ;
  int ok ;
  ok = stralloc_catb(&sa, head, 3) && catz(&sa, r->text, QHPSI_TEXTLEN) ;
  at = sa.len ;
  /* a plugin's stray control byte is not the protocol's business: blanked */
  ok = ok && catz(&sa, r->reply, QHPSI_REPLYLEN) && blankctl(sa.s + at, sa.len - at - 1) ;
  if (ok && spam && scan_spamran(spam)) ok = spampart(&sa, spam) ;
  if (ok) ok = allwrite(fd, sa.s, sa.len) == sa.len ;
  stralloc_free(&sa) ;
  return ok ;
}

/* the next NUL-terminated string at *pos, shorter than max, into out */
static int take (char const *s, size_t len, size_t *pos, size_t max, char *out)
{
  char const *nul = memchr(s + *pos, 0, len - *pos) ;
  size_t n ;
  if (!nul) return 0 ;
  n = nul - (s + *pos) ;
  if (n >= max) return 0 ;
  memcpy(out, s + *pos, n + 1) ;
  *pos += n + 1 ;
  return 1 ;
}

/* a score as wire_report writes it, and only so: -?[1-9][0-9]* or 0 */
static int number (char const *s, int32_t *v)
{
  char const *d = s + (*s == '-') ;
  long x ;
  if (!*d || strspn(d, "0123456789") != strlen(d) || strlen(d) > 10 || (d[0] == '0' && (d[1] || d != s))) return 0 ;
  x = strtol(s, 0, 10) ;
  if (x < INT32_MIN || x > INT32_MAX) return 0 ;
  *v = x ;
  return 1 ;
}

static int parsespam (char const *s, size_t len, struct qhpsi_result *r)
{
  char n[2][16] ;
  char const *why ;
  size_t pos = 4 ;
  if (len < 4 || s[0] != 'S' || s[2] < '0' || s[2] > '0' + QHPSI_ACTION_TEMPFAIL || s[3] < '0' || s[3] > '7') return 0 ;
  switch (s[1])
  {
    case 'C' : r->verdict = QHPSI_CLEAN ; break ;
    case 'S' : r->verdict = QHPSI_SPAM ; break ;
    case 'E' : r->verdict = QHPSI_ERROR ; break ;
    default : return 0 ;
  }
  r->action = s[2] - '0' ;
  r->flags = s[3] - '0' ;
  if (!take(s, len, &pos, 16, n[0]) || !take(s, len, &pos, 16, n[1]) || !number(n[0], &r->score) || !number(n[1], &r->required)
   || !take(s, len, &pos, QHPSI_TEXTLEN, r->text) || !take(s, len, &pos, QHPSI_REPLYLEN, r->reply)
   || !take(s, len, &pos, QHPSI_TESTSLEN, r->tests) || !take(s, len, &pos, QHPSI_HEADERSLEN, r->headers) || pos != len) return 0 ;
  /* what the loader lets through, and nothing else */
  if (!printable(r->reply, strlen(r->reply)) || (r->flags & QHPSI_RESULT_SERVER && !r->reply[0])) return 0 ;
  /* scored, or an error, which has no score */
  if ((r->verdict == QHPSI_ERROR) == !!(r->flags & QHPSI_RESULT_SCORED)) return 0 ;
  if (!spamhdr_testsok(r->tests) || !spamhdr_check(r->headers, &why)) return 0 ;
  return 1 ;
}

int wire_parse (char const *s, size_t len, struct qhpsi_result *r, struct qhpsi_result *spam)
{
  size_t pos = 3 ;
  if (spam) memset(spam, 0, sizeof *spam) ;
  if (len < 5 || len > WIRE_ANSWERMAX || s[len - 1]) return 0 ;
  if (s[1] < '0' || s[1] > '0' + QHPSI_ACTION_TAG || s[2] < '0' || s[2] > '3') return 0 ;
  if (!take(s, len, &pos, QHPSI_TEXTLEN, r->text) || !take(s, len, &pos, QHPSI_REPLYLEN, r->reply)) return 0 ;
  /* a server flag names its server */
  if ((s[2] - '0') & QHPSI_RESULT_SERVER && !r->reply[0]) return 0 ;
  if (!printable(r->reply, strlen(r->reply))) return 0 ;
  switch (s[0])
  {
    case 'C' : r->verdict = QHPSI_CLEAN ; break ;
    case 'I' : r->verdict = QHPSI_INFECTED ; break ;
    case 'E' : r->verdict = QHPSI_ERROR ; break ;
    default : return 0 ;
  }
  r->action = s[1] - '0' ;
  r->flags = s[2] - '0' ;
  if (pos == len) return 1 ;
  if (!spam || !parsespam(s + pos, len - pos, spam))
  {
    if (spam) memset(spam, 0, sizeof *spam) ;
    return 0 ;
  }
  return 1 ;
}

/* one field record at s (k bytes, its letter first) into f */
static int fieldrec (char const *s, size_t k, scanfields *f, unsigned int *seen)
{
  char const *v = s + 1 ;
  char const *const *slot = 0 ;
  unsigned int bit ;
  switch (s[0])
  {
    case 'Q' : bit = 1 ; slot = &f->qid ; break ;
    case 'A' : bit = 2 ; slot = &f->authuser ; break ;
    case 'S' : bit = 4 ; slot = &f->settings ; break ;
    case 'U' : bit = 8 ; slot = &f->spamuser ; break ;
    case 'M' : bit = 16 ; break ;
    case 'N' : bit = 32 ; break ;
    default : return 0 ;
  }
  if (*seen & bit || k - 1 > WIRE_FIELDMAX) return 0 ;
  *seen |= bit ;
  if (s[0] == 'N') { f->noscore = 1 ; return k == 1 ; }
  if (s[0] == 'M' || s[0] == 'Q')
  {
    unsigned long x ;
    char *end ;
    if (k < 2 || strspn(v, "0123456789") != k - 1 || k > 21) return 0 ;
    x = strtoul(v, &end, 10) ;
    if (s[0] == 'Q') { f->qid = v ; return 1 ; }
    if (x & ~(unsigned long)QHPSI_MESSAGE_OUTBOUND) return 0 ;
    f->mflags = x ;
    return 1 ;
  }
  if (k < 2 || !printable(v, k - 1)) return 0 ;
  *(char const **)slot = v ;
  return 1 ;
}

int wire_readenvelope (int fd, stralloc *sa, char const ***rcpts, uint32_t *nrcpts, scanfields *f, int *fields)
{
  size_t i, n = 0, k, end ;
  unsigned int seen = 0 ;
  sa->len = 0 ;
  if (fields) *fields = 0 ;
  for (;;)
  {
    ssize_t r ;
    if (!stralloc_readyplus(sa, 65536)) return 0 ;
    r = read(fd, sa->s + sa->len, 65536) ;
    if (r < 0) { if (errno == EINTR) continue ; return 0 ; }
    if (!r) break ;
    sa->len += r ;
    if (sa->len > WIRE_ENVMAX + 8 * (WIRE_FIELDMAX + 2)) { errno = EPROTO ; return 0 ; }
  }
  /* F<sender>\0, T<rcpt>\0 ..., the fields, \0: from qmail-queue, and checked all the same */
  if (sa->len < 3 || sa->s[0] != 'F' || sa->s[sa->len - 1] || sa->s[sa->len - 2]) { errno = EPROTO ; return 0 ; }
  for (i = 0 ; i < sa->len - 1 ; i += k + 1)
  {
    k = strlen(sa->s + i) ;
    if (!i || sa->s[i] == 'T')
    {
      if (seen || k < 1 || k > ENVELOPE_ADDRMAX) { errno = EPROTO ; return 0 ; }
      if (i) n++ ;
      continue ;
    }
    if (!f || !fieldrec(sa->s + i, k, f, &seen)) { errno = EPROTO ; return 0 ; }
  }
  /* the fields come with M, always */
  if (seen && !(seen & 16)) { errno = EPROTO ; return 0 ; }
  if (fields) *fields = !!seen ;
  *rcpts = malloc((n + 1) * sizeof **rcpts) ;
  if (!*rcpts) return 0 ;
  n = 0 ;
  i = strlen(sa->s) + 1 ;
  end = sa->len - 1 ;
  while (i < end && sa->s[i] == 'T')
  {
    (*rcpts)[n++] = sa->s + i + 1 ;
    i += strlen(sa->s + i) + 1 ;
  }
  (*rcpts)[n] = 0 ;
  *nrcpts = n ;
  return 1 ;
}

static int catfield (stralloc *sa, char letter, char const *v)
{
  size_t k ;
  if (!v) return 1 ;
  k = strlen(v) ;
  if (!k || k > WIRE_FIELDMAX || !printable(v, k)) { errno = EINVAL ; return 0 ; }
  return stralloc_catb(sa, &letter, 1) && stralloc_catb(sa, v, k) && stralloc_0(sa) ;
}

int wire_writeenvelope (char const *sender, char const *const *rcpts, uint32_t nrcpts, scanfields const *f)
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
  if (f)
  {
    char m[16] ;
    snprintf(m, sizeof m, "%lu", (unsigned long)f->mflags) ;
    if (f->qid && strspn(f->qid, "0123456789") != strlen(f->qid)) { errno = EINVAL ; goto err ; }
    if (!catfield(&sa, 'Q', f->qid)
     || !catfield(&sa, 'A', f->authuser) || !catfield(&sa, 'S', f->settings) || !catfield(&sa, 'U', f->spamuser)
     || !catfield(&sa, 'M', m) || (f->noscore && !stralloc_catb(&sa, "N", 2))) goto err ;
  }
  if (!stralloc_0(&sa)) goto err ;
  fd = memfd_create("qhpsi-envelope", MFD_CLOEXEC) ;
  if (fd < 0) goto err ;
  if (allwrite(fd, sa.s, sa.len) != sa.len || lseek(fd, 0, SEEK_SET) < 0) { close(fd) ; fd = -1 ; }
 err:
  stralloc_free(&sa) ;
  return fd ;
}
