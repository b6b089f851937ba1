/* logline.c: the parser of multilog lines and of qmail-queue's log line. */

#include <string.h>
#include "report/logline.h"

static int hexval (char c)
{
  if (c >= '0' && c <= '9') return c - '0' ;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10 ;
  return -1 ;
}

/* the TAI64 label of 1970 is 2^62 + 10 */
int logline_stamp (char const *s, size_t len, logstamp *t)
{
  uint64_t a = 0 ; uint32_t b = 0 ;
  if (len < 25 || s[0] != '@') return 0 ;
  for (unsigned int i = 1 ; i < 25 ; i++)
  {
    int v = hexval(s[i]) ;
    if (v < 0) return 0 ;
    if (i <= 16) a = (a << 4) | v ; else b = (b << 4) | v ;
  }
  if (a < 4611686018427387914ULL || b > 999999999) return 0 ;
  t->sec = a - 4611686018427387914ULL ;
  t->nano = b ;
  return 1 ;
}

int logstamp_cmp (logstamp const *a, logstamp const *b)
{
  if (a->sec != b->sec) return a->sec < b->sec ? -1 : 1 ;
  if (a->nano != b->nano) return a->nano < b->nano ? -1 : 1 ;
  return 0 ;
}

int lfield_is (lfield const *f, char const *lit)
{
  size_t n = strlen(lit) ;
  return f->len == n && !memcmp(f->s, lit, n) ;
}

static int number (lfield const *f, uint64_t *u)
{
  uint64_t n = 0 ;
  if (!f->s || !f->len || f->len > 19) return 0 ;
  for (size_t i = 0 ; i < f->len ; i++)
  {
    if (f->s[i] < '0' || f->s[i] > '9') return 0 ;
    n = n * 10 + (f->s[i] - '0') ;
  }
  *u = n ;
  return 1 ;
}

static char const *const keys[] =
  { "qp", "ip", "from", "rcpts", "rcpt", "msgid", "size", "route", "verdict", "signature", "error", "action", "ms", "qid", "host",
    "spam", "score" } ;
#define NKEYS (sizeof keys / sizeof *keys)
enum { K_QP, K_IP, K_FROM, K_RCPTS, K_RCPT, K_MSGID, K_SIZE, K_ROUTE, K_VERDICT, K_SIG, K_ERROR, K_ACTION, K_MS, K_QID, K_HOST,
  K_SPAM, K_SCORE } ;

/* "-0.10", "1000.00", "7": hundredths */
static int score (lfield const *f, int64_t *v)
{
  int neg = f->len && f->s[0] == '-' ;
  size_t i = neg, dec = 0 ;
  int64_t n = 0 ;
  if (i >= f->len || f->len > 16) return 0 ;
  for (; i < f->len && f->s[i] >= '0' && f->s[i] <= '9' ; i++) n = n * 10 + (f->s[i] - '0') ;
  if (i == (size_t)neg) return 0 ;
  n *= 100 ;
  if (i < f->len && f->s[i] == '.')
    for (i++ ; i < f->len && f->s[i] >= '0' && f->s[i] <= '9' && dec < 2 ; i++, dec++)
      n += (f->s[i] - '0') * (dec ? 1 : 10) ;
  if (i != f->len) return 0 ;
  *v = neg ? -n : n ;
  return 1 ;
}

int logline_parse (char const *s, size_t len, logline *l)
{
  lfield f[NKEYS] ;
  uint64_t u ;
  size_t i = 0 ;
  memset(l, 0, sizeof *l) ;
  memset(f, 0, sizeof f) ;
  if (!logline_stamp(s, len, &l->t) || len < 26 || s[25] != ' ') return LOGLINE_MALFORMED ;
  s += 26 ; len -= 26 ;
  if (len < 7 || memcmp(s, "qhpsi: ", 7)) return LOGLINE_OTHER ;
  s += 7 ; len -= 7 ;
  while (i < len)
  {
    size_t st = i, eq ;
    while (i < len && s[i] != ' ') i++ ;
    for (eq = st ; eq < i && s[eq] != '=' ; eq++) ;
    if (eq == i || eq == st) return LOGLINE_MALFORMED ;
    for (unsigned int k = 0 ; k < NKEYS ; k++)
      if (eq - st == strlen(keys[k]) && !memcmp(s + st, keys[k], eq - st))
      {
        if (f[k].s) return LOGLINE_MALFORMED ;  /* a key twice: not ours */
        f[k].s = s + eq + 1 ; f[k].len = i - eq - 1 ;
        break ;
      }
    if (i < len) i++ ;
  }
  for (unsigned int k = K_QP ; k <= K_MS ; k++)
    if (k != K_SIG && k != K_ERROR && !f[k].s) return LOGLINE_MALFORMED ;
  if (!f[K_SIG].s == !f[K_ERROR].s) return LOGLINE_MALFORMED ;
  if (!number(&f[K_QP], &u) || !number(&f[K_RCPTS], &u)
   || !number(&f[K_SIZE], &l->size) || !number(&f[K_MS], &l->ms)) return LOGLINE_MALFORMED ;
  l->ip = f[K_IP] ; l->from = f[K_FROM] ; l->route = f[K_ROUTE] ; l->verdict = f[K_VERDICT] ;
  l->signature = f[K_SIG] ; l->error = f[K_ERROR] ; l->action = f[K_ACTION] ;
  l->qid = f[K_QID] ; l->host = f[K_HOST] ; l->spam = f[K_SPAM] ;
  if (f[K_SCORE].s) { if (!score(&f[K_SCORE], &l->score)) return LOGLINE_MALFORMED ; l->scored = 1 ; }
  return LOGLINE_QHPSI ;
}
