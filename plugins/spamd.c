/* spamd.c: qhpsi spam engine plugin that asks SpamAssassin's spamd, or a
   pool of them (lib/net/), with the SPAMC/1.5 protocol: SYMBOLS, the
   message streamed from its descriptor, User: from the spam policy. The
   score, spamd's threshold and the rules that hit come back; the caller
   writes the X-Spam-* fields and decides. See qhpsi-spamd(8). */

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/socket.h>

#include "qhpsi-plugin.h"
#include "net/conn.h"
#include "net/pool.h"
#include "net/stream.h"

#define SPAMD_DEFAULT "127.0.0.1:783" /* where spamc looks */
#define SPAMD_PORT_DEFAULT 783
#define TIMEOUT_DEFAULT 120000 /* when the caller gives none; QHPSITIMEOUT's default */
#define CHUNK 65536
#define REPLYMAX 16384 /* head and symbol list; a long list is a few hundred bytes */
#define USERMAX 256
#define MARGINMAX 2000 /* ms left to the caller at the end of the deadline */
#define SCOREMAX 2000000 /* points: thousandths of it still fit an int32 */

/* an error: whatever was parsed before it is no answer */
static void say (struct qhpsi_result *r, char const *fmt, ...)
{
  va_list ap ;
  r->verdict = QHPSI_ERROR ;
  r->flags &= ~QHPSI_RESULT_SCORED ;
  r->score = r->required = 0 ;
  r->tests[0] = 0 ;
  va_start(ap, fmt) ;
  vsnprintf(r->text, sizeof r->text, fmt, ap) ;
  va_end(ap) ;
}

/* A value for a request line: printable ASCII and no blank, so that no
   address can end the line and start another. */
static int fit_for_line (char const *s)
{
  size_t n = strlen(s) ;
  if (!n || n >= USERMAX) return 0 ;
  for (; *s ; s++) if (*s <= 0x20 || *s >= 0x7f) return 0 ;
  return 1 ;
}

/* "-12.345" (at most 7 digits before the point) into thousandths, rounded
   at the fourth decimal; *end past it. 0 when it is no such number. */
static int thousandths (char const *s, char const **end, int32_t *v)
{
  int neg = *s == '-' ;
  int64_t x = 0 ;
  unsigned int d = 0, f = 0 ;
  if (neg) s++ ;
  for (; *s >= '0' && *s <= '9' ; s++, d++)
  {
    if (d == 7) return 0 ;
    x = x * 10 + (*s - '0') ;
  }
  if (!d) return 0 ;
  x *= 1000 ;
  if (*s == '.')
  {
    int64_t scale = 100 ;
    for (s++ ; *s >= '0' && *s <= '9' ; s++, f++)
    {
      if (f == 9) return 0 ;
      if (f < 3) { x += (*s - '0') * scale ; scale /= 10 ; }
      else if (f == 3 && *s >= '5') x++ ;
    }
    if (!f) return 0 ;
  }
  if (x > (int64_t)SCOREMAX * 1000) return 0 ;
  *v = (int32_t)(neg ? -x : x) ;
  *end = s ;
  return 1 ;
}

static char const *blanks (char const *s) { while (*s == ' ') s++ ; return s ; }

/* "True ; 1003.3 / 5.0" (or Yes/No, spamd before 1.1) */
static int spamline (char const *s, int *spam, int32_t *score, int32_t *required)
{
  size_t n = strcspn(s, " ;") ;
  if (n == 4 && !strncasecmp(s, "True", 4)) *spam = 1 ;
  else if (n == 3 && !strncasecmp(s, "Yes", 3)) *spam = 1 ;
  else if (n == 5 && !strncasecmp(s, "False", 5)) *spam = 0 ;
  else if (n == 2 && !strncasecmp(s, "No", 2)) *spam = 0 ;
  else return 0 ;
  s = blanks(s + n) ;
  if (*s++ != ';') return 0 ;
  if (!thousandths(blanks(s), &s, score)) return 0 ;
  s = blanks(s) ;
  if (*s++ != '/') return 0 ;
  if (!thousandths(blanks(s), &s, required)) return 0 ;
  return !*blanks(s) ;
}

/* The symbol list: names of [A-Za-z0-9_.-] between commas, one line end
   allowed at the end. Copied into tests whole names at a time, as many as
   fit, in order. 0 for anything else (a CR or LF inside is an injection attempt). */
static int symbols (char const *s, size_t len, char *tests)
{
  size_t w = 0, start = 0 ;
  int full = 0 ;
  if (len && s[len-1] == '\n') len-- ;
  if (len && s[len-1] == '\r') len-- ;
  for (size_t i = 0 ; i <= len ; i++)
  {
    if (i < len && s[i] != ',')
    {
      char c = s[i] ;
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')) return 0 ;
      continue ;
    }
    if (i == start) { if (len) return 0 ; break ; } /* an empty name */
    if (full || w + (w ? 1 : 0) + (i - start) >= QHPSI_TESTSLEN) full = 1 ;
    else
    {
      if (w) tests[w++] = ',' ;
      memcpy(tests + w, s + start, i - start) ;
      w += i - start ;
    }
    start = i + 1 ;
  }
  tests[w] = 0 ;
  return 1 ;
}

/* The reply's head: "SPAMD/1.x 0 EX_OK", then "Content-length: N" and
   "Spam: ..." among other lines. 0 and why in r->text when it is none. */
static int parse_head (char *head, size_t len, char const *label, size_t *clen, struct qhpsi_result *r)
{
  char quoted[64] ;
  char *line = head, *end = head + len ;
  int spam = -1, haveclen = 0 ;
  for (size_t i = 0 ; i < len ; i++)
    if ((head[i] < 0x20 && head[i] != '\r' && head[i] != '\n') || head[i] == 0x7f)
    {
      say(r, "spamd %s: control byte in reply", label) ;
      return 0 ;
    }
  while (line < end)
  {
    char *nl = memchr(line, '\n', (size_t)(end - line)) ;
    char *next = nl ? nl + 1 : end ;
    if (!nl) nl = end ;
    if (nl > line && nl[-1] == '\r') nl-- ;
    *nl = 0 ;
    if (line == head)
    {
      char *p, *q ;
      unsigned long code ;
      if (strncmp(line, "SPAMD/1.", 8) || !(p = strchr(line, ' ')) || p[1] < '0' || p[1] > '9')
      {
        net_printable(quoted, sizeof quoted, line, strlen(line)) ;
        say(r, "spamd %s: bad reply: %s", label, quoted) ;
        return 0 ;
      }
      code = strtoul(p + 1, &q, 10) ;
      if (q == p + 1 || (*q && *q != ' '))
      {
        net_printable(quoted, sizeof quoted, line, strlen(line)) ;
        say(r, "spamd %s: bad reply: %s", label, quoted) ;
        return 0 ;
      }
      if (code)
      {
        net_printable(quoted, sizeof quoted, *q ? q + 1 : "", *q ? strlen(q + 1) : 0) ;
        say(r, "spamd %s: error %lu %s", label, code > 999 ? 999 : code, quoted) ;
        return 0 ;
      }
    }
    else if (!*line) break ;
    else if (!strncasecmp(line, "Content-length:", 15))
    {
      char const *v = blanks(line + 15) ;
      char *q ;
      unsigned long long n = strtoull(v, &q, 10) ;
      if (haveclen || *v < '0' || *v > '9' || *blanks(q) || n >= REPLYMAX)
      {
        say(r, "spamd %s: bad Content-length", label) ;
        return 0 ;
      }
      *clen = (size_t)n ;
      haveclen = 1 ;
    }
    else if (!strncasecmp(line, "Spam:", 5))
    {
      if (spam >= 0 || !spamline(blanks(line + 5), &spam, &r->score, &r->required))
      {
        say(r, "spamd %s: bad Spam line", label) ;
        return 0 ;
      }
    }
    line = next ;
  }
  if (spam < 0 || !haveclen)
  {
    say(r, "spamd %s: reply without %s", label, spam < 0 ? "a Spam line" : "Content-length") ;
    return 0 ;
  }
  r->verdict = spam ? QHPSI_SPAM : QHPSI_CLEAN ;
  return 1 ;
}

/* A transport failure, which another host may not have: why, for the
   pool, which names the host itself. */
static enum net_asked failed (char *why, char const *what, int e)
{
  snprintf(why, NET_ERRLEN, "%s%s", what, !e ? "" : e == ETIMEDOUT ? "timeout" : strerror(e)) ;
  return NET_FAILED ;
}

struct request
{
  struct qhpsi_message const *m ;
  struct qhpsi_result *r ;
  char *buf ;
} ;

/* The reply on fd, read into buf (REPLYMAX bytes): the result in r
   and NET_ANSWERED, or NET_FAILED with why. early: spamd spoke before it
   had the whole message. */
static enum net_asked answer (int fd, char *buf, char const *label, int early, uint64_t deadline, char *why, struct qhpsi_result *r)
{
  size_t len, headlen = 0, clen = 0 ;
  enum net_got g = net_read_head(fd, buf, REPLYMAX, &len, &headlen, deadline) ;
  if (g == NET_GOT_FAIL) return failed(why, "", errno) ;
  if (g == NET_GOT_EOF && !len) return failed(why, "closed without a reply", 0) ;
  if (g == NET_GOT_FULL) say(r, "spamd %s: reply too long", label) ;
  else if (g == NET_GOT_EOF)
  {
    /* spamd refuses with one status line and closes: say its error */
    buf[len] = 0 ;
    if (parse_head(buf, len, label, &clen, r)) say(r, "spamd %s: reply cut short", label) ;
  }
  else if (!parse_head(buf, headlen, label, &clen, r)) ;
  else if (early) say(r, "spamd %s: answered before it had the message", label) ;
  else if (headlen + clen > REPLYMAX) say(r, "spamd %s: reply too long", label) ;
  else if (len > headlen + clen) say(r, "spamd %s: more than Content-length", label) ;
  else if ((g = net_read_more(fd, buf, headlen + clen, &len, deadline)) == NET_GOT_FAIL) return failed(why, "", errno) ;
  else if (g == NET_GOT_EOF) say(r, "spamd %s: reply shorter than its Content-length", label) ;
  else if (!symbols(buf + headlen, clen, r->tests)) say(r, "spamd %s: bad symbol list", label) ;
  else
  {
    r->flags |= QHPSI_RESULT_SCORED ;
    r->action = QHPSI_ACTION_DEFAULT ;
    r->text[0] = 0 ;
  }
  return NET_ANSWERED ;
}

/* One request to one host: the head, the message, the reply. A reply,
   even a bad one, is final (every host would be asked the same). */
static enum net_asked ask (int fd, net_host const *h, uint64_t deadline, char *why, void *ctx)
{
  struct request const *q = ctx ;
  struct qhpsi_message const *m = q->m ;
  char head[96 + USERMAX] ;
  int n ;
  enum net_sent s ;
  if (m->spamuser)
    n = snprintf(head, sizeof head, "SYMBOLS SPAMC/1.5\r\nContent-length: %llu\r\nUser: %s\r\n\r\n", (unsigned long long)m->size, m->spamuser) ;
  else
    n = snprintf(head, sizeof head, "SYMBOLS SPAMC/1.5\r\nContent-length: %llu\r\n\r\n", (unsigned long long)m->size) ;
  s = net_send(fd, head, (size_t)n, deadline) ;
  if (s == NET_SENT_ALL) s = net_send_file(fd, m->fd, m->size, q->buf, CHUNK, deadline) ;
  if (s == NET_SENT_LOCAL)
  {
    say(q->r, "read message: %s", errno == ENODATA ? "shorter than its size" : strerror(errno)) ;
    return NET_LOCAL ;
  }
  if (s == NET_SENT_FAIL) return failed(why, "write: ", errno) ;
  if (s == NET_SENT_ALL) shutdown(fd, SHUT_WR) ; /* as spamc does: nothing more comes */
  return answer(fd, q->buf, h->label, s == NET_SENT_EARLY, deadline, why, q->r) ;
}

/* Asks the hosts of list in the pool's order until one answers. */
static void pool (struct qhpsi_message const *m, char const *list, uint64_t deadline, struct qhpsi_result *r)
{
  net_pool *p = malloc(sizeof *p) ;
  struct request q = { .m = m, .r = r, .buf = malloc(CHUNK > REPLYMAX ? CHUNK : REPLYMAX) } ;
  unsigned int i ;
  if (!p || !q.buf) say(r, "out of memory") ;
  else if (!net_pool_init(p, list, SPAMD_PORT_DEFAULT)) say(r, "SPAMD_HOSTS: %s", p->err) ;
  else switch (net_pool_run(p, deadline, &ask, &q, &i))
  {
    case NET_ANSWERED :
      /* the log's host= (qmail-queue(8), LOG) */
      r->flags |= QHPSI_RESULT_SERVER ;
      snprintf(r->reply, sizeof r->reply, "%s", p->host[i].label) ;
      break ;
    case NET_FAILED :
      if (p->n == 1) say(r, "spamd %s", p->err) ;
      else say(r, "all %u spamd hosts failed, last: %s", p->n, p->err) ;
      break ;
    default : break ;
  }
  free(q.buf) ;
  free(p) ;
}

static void scan (struct qhpsi_message const *m, struct qhpsi_result *r)
{
  char const *hosts = getenv("SPAMD_HOSTS") ;
  uint64_t t = m->timeout_ms ? m->timeout_ms : TIMEOUT_DEFAULT ;
  /* answer before the caller's own deadline ends the scan: a timeout of
     ours is the spam engine's error, under the spam failure policy */
  uint64_t deadline = net_now_ms() + t - (t / 10 > MARGINMAX ? MARGINMAX : t / 10) ;
  say(r, "spamd: no verdict") ;
  if (m->spamuser && !fit_for_line(m->spamuser)) { say(r, "spamd: unusable user for User:") ; return ; }
  pool(m, hosts && *hosts ? hosts : SPAMD_DEFAULT, deadline, r) ;
}

const struct qhpsi_plugin qhpsi_plugin =
{
  .abi = QHPSI_PLUGIN_ABI,
  .name = "spamd",
  .flags = QHPSI_INPROCESS_SAFE | QHPSI_SPAM_ENGINE | QHPSI_SELF_CONTAINED,
  .scan = &scan
} ;
