/* metrics.c: the counters, how a log line moves them, the state file. */

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/stralloc.h>
#include <skalibs/types.h>
#include "metrics/metrics.h"
#include "report/logdir.h"

char const *const metrics_verdicts[METRICS_NVERDICT] = { "clean", "infected", "error", "skipped", "released", "other" } ;
char const *const metrics_actions[METRICS_NACTION] =
  { "queue", "refuse", "blackhole", "forward", "tempfail", "accept", "config", "trap", "back", "tag", "other" } ;
char const *const metrics_routes[METRICS_NROUTE] = { "command", "plugin", "helper-command", "helper-plugin", "none", "other" } ;
char const *const metrics_reasons[METRICS_NREASON] = { "timeout", "connect", "limits", "memory", "config", "other" } ;
char const *const metrics_spams[METRICS_NSPAM] = { "ham", "spam", "error", "other" } ;
uint64_t const metrics_msbounds[METRICS_NMS - 1] = { 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 120000 } ;
uint64_t const metrics_sizebounds[METRICS_NSIZE - 1] =
  { 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864 } ;

void metrics_init (metrics *m)
{
  memset(m, 0, sizeof *m) ;
}

void metrics_free (metrics *m)
{
  for (unsigned int i = 0 ; i < m->ndirs ; i++) free(m->dirs[i].path) ;
  m->ndirs = 0 ;
}

/* the index of f in names, or the last ("other") */
static unsigned int which (lfield const *f, char const *const *names, unsigned int n)
{
  for (unsigned int i = 0 ; i + 1 < n ; i++) if (lfield_is(f, names[i])) return i ;
  return n - 1 ;
}

static int has (lfield const *f, char const *w)
{
  size_t n = strlen(w) ;
  for (size_t j = 0 ; j + n <= f->len ; j++) if (!memcmp(f->s + j, w, n)) return 1 ;
  return 0 ;
}

/* a scanner's error text, cleaned (no blanks), into a bounded set */
static unsigned int reason (logline const *l)
{
  if (lfield_is(&l->action, "config")) return 4 ;
  if (has(&l->error, "timed_out") || has(&l->error, "timeout")) return 0 ;
  if (has(&l->error, "connect") || has(&l->error, "refused") || has(&l->error, "No_such_file")
   || has(&l->error, "unreachable") || has(&l->error, "reset")) return 1 ;
  if (has(&l->error, "limits") || has(&l->error, "Limits")) return 2 ;
  if (has(&l->error, "memory")) return 3 ;
  return 5 ;
}

static unsigned int bucket (uint64_t v, uint64_t const *bounds, unsigned int n)
{
  unsigned int k = 0 ;
  while (k < n - 1 && v > bounds[k]) k++ ;
  return k ;
}

/* a host name as a label value: letters, digits, . - _ : [ ] only */
static int hostok (lfield const *h)
{
  if (!h->len || h->len >= METRICS_HOSTLEN || lfield_is(h, "-")) return 0 ;
  for (size_t i = 0 ; i < h->len ; i++)
  {
    char c = h->s[i] ;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
      || c == '.' || c == '-' || c == '_' || c == ':' || c == '[' || c == ']')) return 0 ;
  }
  return 1 ;
}

static void counthost (metrics *m, lfield const *h, int err)
{
  unsigned int i ;
  if (!h->s) return ;
  /* by length first: a field may be longer than any name, and hold a NUL */
  for (i = 0 ; i < m->nhosts ; i++)
    if (strlen(m->hosts[i].name) == h->len && !memcmp(m->hosts[i].name, h->s, h->len)) break ;
  if (i == m->nhosts)
  {
    /* the last slot is "other": for the names past the cap, and bad ones */
    char const *name = "other" ;
    size_t len = 5 ;
    if (hostok(h) && m->nhosts < METRICS_MAXHOSTS - 1) { name = h->s ; len = h->len ; }
    for (i = 0 ; i < m->nhosts ; i++)
      if (strlen(m->hosts[i].name) == len && !memcmp(m->hosts[i].name, name, len)) break ;
    if (i == m->nhosts)
    {
      memcpy(m->hosts[i].name, name, len) ; m->hosts[i].name[len] = 0 ;
      m->hosts[i].scans = m->hosts[i].errors = 0 ;
      m->nhosts++ ;
    }
  }
  m->hosts[i].scans++ ;
  if (err) m->hosts[i].errors++ ;
}

void metrics_count (metrics *m, logline const *l)
{
  unsigned int v = which(&l->verdict, metrics_verdicts, METRICS_NVERDICT) ;
  /* a verdict taken again from this server's seal (a forward) and a
     qhpsi-selftest probe are no new messages, as in qhpsi-report; a
     probe's scanner error still tells the notice that scanning fails */
  if (lfield_is(&l->route, "seal")) { m->sealed++ ; return ; }
  if (l->action.len >= 8 && !memcmp(l->action.s, "selftest", 8))
  {
    m->selftests++ ;
    if (v == 2) alarm_see(&m->alarm, l, metrics_reasons[reason(l)]) ;
    return ;
  }
  m->verdict[v]++ ;
  m->action[which(&l->action, metrics_actions, METRICS_NACTION)]++ ;
  m->route[which(&l->route, metrics_routes, METRICS_NROUTE)]++ ;
  if (v == 2) m->reason[reason(l)]++ ;
  if (v == 1)
  {
    if (l->signature.len > 5 && !memcmp(l->signature.s, "rule:", 5)) m->rulehits++ ;
    else m->signatures++ ;
  }
  if (l->qid.len && !lfield_is(&l->qid, "-")) m->quarantined++ ;
  if (v <= 2)  /* a scan took place */
  {
    m->ms[bucket(l->ms, metrics_msbounds, METRICS_NMS)]++ ;
    m->mssum += l->ms ;
    m->size[bucket(l->size, metrics_sizebounds, METRICS_NSIZE)]++ ;
    m->sizesum += l->size ;
    if (l->t.sec > m->lastscan) m->lastscan = l->t.sec ;
  }
  if (l->spam.s)
  {
    unsigned int k = which(&l->spam, metrics_spams, METRICS_NSPAM) ;
    m->spam[k]++ ;
    if (k == 1) m->spamaction[which(&l->action, metrics_actions, METRICS_NACTION)]++ ;
  }
  counthost(m, &l->host, v == 2) ;
  alarm_see(&m->alarm, l, metrics_reasons[v == 2 ? reason(l) : METRICS_NREASON - 1]) ;
}

typedef struct dirread_s dirread ;
struct dirread_s { metrics *m ; metrics_dir *d ; } ;

/* lines at or before the last stamp counted were counted; of those
   stamped exactly the same (one write of several lines), the first
   d->same were */
static int oneline (void *data, char const *s, size_t len)
{
  dirread *r = data ;
  metrics_dir *d = r->d ;
  logline l ;
  int k = logline_parse(s, len, &l) ;
  int c ;
  if (k == LOGLINE_MALFORMED && !logline_stamp(s, len, &l.t)) { r->m->malformed++ ; return 1 ; }
  c = logstamp_cmp(&l.t, &d->last) ;
  if (c < 0) return 1 ;
  if (!c) { if (++d->eq <= d->same) return 1 ; d->same = d->eq ; }
  else { d->last = l.t ; d->same = d->eq = 1 ; }
  if (k == LOGLINE_QHPSI) metrics_count(r->m, &l) ;
  else if (k == LOGLINE_MALFORMED) r->m->malformed++ ;
  return 1 ;
}

static metrics_dir *finddir (metrics *m, char const *path)
{
  for (unsigned int i = 0 ; i < m->ndirs ; i++) if (!strcmp(m->dirs[i].path, path)) return m->dirs + i ;
  if (m->ndirs >= METRICS_MAXDIRS) { errno = ENFILE ; return 0 ; }
  metrics_dir *d = m->dirs + m->ndirs ;
  memset(d, 0, sizeof *d) ;
  if (!(d->path = strdup(path))) return 0 ;
  m->ndirs++ ;
  return d ;
}

int metrics_readdir (metrics *m, char const *dir)
{
  dirread r = { .m = m } ;
  if (!(r.d = finddir(m, dir))) return 0 ;
  r.d->eq = 0 ;
  return logdir_read(dir, r.d->last.sec ? &r.d->last : 0, &oneline, &r, 0) ;
}

/* ---- the state file: "qhpsi-metrics 1", then one "name value..." a line */

typedef struct field_s field ;
struct field_s { char const *name ; size_t off ; unsigned int n ; } ;
#define F(name, member, n) { name, offsetof(metrics, member), n }
static field const fields[] =
{
  F("verdict", verdict, METRICS_NVERDICT), F("action", action, METRICS_NACTION),
  F("route", route, METRICS_NROUTE), F("reason", reason, METRICS_NREASON),
  F("ms", ms, METRICS_NMS), F("mssum", mssum, 1), F("size", size, METRICS_NSIZE), F("sizesum", sizesum, 1),
  F("signatures", signatures, 1), F("rulehits", rulehits, 1), F("quarantined", quarantined, 1),
  F("malformed", malformed, 1), F("lastscan", lastscan, 1), F("sealed", sealed, 1), F("selftests", selftests, 1),
  F("spam", spam, METRICS_NSPAM), F("spamaction", spamaction, METRICS_NACTION),
  /* the uint64_t members of metrics_alarm, in order, before what */
  F("alarm", alarm, offsetof(metrics_alarm, what) / sizeof(uint64_t)),
} ;
#define NFIELDS (sizeof fields / sizeof *fields)

static int catu (stralloc *sa, uint64_t u)
{
  char fmt[UINT64_FMT + 1] ;
  fmt[0] = ' ' ;
  return stralloc_catb(sa, fmt, 1 + uint64_fmt(fmt + 1, u)) ;
}

int metrics_save (metrics const *m, char const *fn)
{
  stralloc sa = STRALLOC_ZERO ;
  int ok = stralloc_cats(&sa, "qhpsi-metrics 1\n") ;
  for (unsigned int i = 0 ; ok && i < NFIELDS ; i++)
  {
    uint64_t const *v = (uint64_t const *)((char const *)m + fields[i].off) ;
    ok = stralloc_cats(&sa, fields[i].name) ;
    for (unsigned int k = 0 ; ok && k < fields[i].n ; k++) ok = catu(&sa, v[k]) ;
    ok = ok && stralloc_cats(&sa, "\n") ;
  }
  ok = ok && stralloc_cats(&sa, "what ") && stralloc_cats(&sa, m->alarm.what) && stralloc_cats(&sa, "\n") ;
  for (unsigned int i = 0 ; ok && i < m->nhosts ; i++)
    ok = stralloc_cats(&sa, "host") && catu(&sa, m->hosts[i].scans) && catu(&sa, m->hosts[i].errors)
      && stralloc_cats(&sa, " ") && stralloc_cats(&sa, m->hosts[i].name) && stralloc_cats(&sa, "\n") ;
  /* a directory's name is last on its line: it may hold blanks */
  for (unsigned int i = 0 ; ok && i < m->ndirs ; i++)
    ok = stralloc_cats(&sa, "dir") && catu(&sa, m->dirs[i].last.sec) && catu(&sa, m->dirs[i].last.nano)
      && catu(&sa, m->dirs[i].same) && stralloc_cats(&sa, " ") && stralloc_cats(&sa, m->dirs[i].path) && stralloc_cats(&sa, "\n") ;
  ok = ok && metrics_publish(fn, sa.s, sa.len) ;
  stralloc_free(&sa) ;
  return ok ;
}

/* n numbers after the name, then *rest the remainder past one blank */
static int nums (char const *s, uint64_t *v, unsigned int n, char const **rest)
{
  for (unsigned int k = 0 ; k < n ; k++)
  {
    size_t len ;
    if (*s++ != ' ' || !(len = uint64_scan(s, v + k))) return 0 ;
    s += len ;
  }
  if (rest) { if (*s++ != ' ') return 0 ; *rest = s ; }
  else if (*s) return 0 ;
  return 1 ;
}

static int loadline (metrics *m, char *s)
{
  char const *rest ;
  uint64_t v[3] ;
  for (unsigned int i = 0 ; i < NFIELDS ; i++)
  {
    size_t n = strlen(fields[i].name) ;
    if (!strncmp(s, fields[i].name, n) && s[n] == ' ')
      return nums(s + n, (uint64_t *)((char *)m + fields[i].off), fields[i].n, 0) ;
  }
  if (!strncmp(s, "what ", 5))
  {
    strncpy(m->alarm.what, s + 5, ALARM_WHATLEN - 1) ;
    return 1 ;
  }
  if (!strncmp(s, "host ", 5))
  {
    if (!nums(s + 4, v, 2, &rest) || m->nhosts >= METRICS_MAXHOSTS || strlen(rest) >= METRICS_HOSTLEN) return 0 ;
    strcpy(m->hosts[m->nhosts].name, rest) ;
    m->hosts[m->nhosts].scans = v[0] ; m->hosts[m->nhosts++].errors = v[1] ;
    return 1 ;
  }
  if (!strncmp(s, "dir ", 4))
  {
    metrics_dir *d ;
    if (!nums(s + 3, v, 3, &rest) || v[1] > 999999999) return 0 ;
    if (!(d = finddir(m, rest))) return 0 ;
    d->last.sec = v[0] ; d->last.nano = (uint32_t)v[1] ; d->same = v[2] ;
    return 1 ;
  }
  return 1 ;  /* a line of a later version */
}

int metrics_load (metrics *m, char const *fn)
{
  stralloc sa = STRALLOC_ZERO ;
  char buf[4096] ;
  size_t st = 0 ;
  int fd = open(fn, O_RDONLY) ;
  if (fd < 0) return errno == ENOENT ;
  for (;;)
  {
    ssize_t r = read(fd, buf, sizeof buf) ;
    if (r < 0) { if (errno == EINTR) continue ; int e = errno ; close(fd) ; stralloc_free(&sa) ; errno = e ; return 0 ; }
    if (!r) break ;
    if (!stralloc_catb(&sa, buf, r)) { close(fd) ; stralloc_free(&sa) ; return 0 ; }
  }
  close(fd) ;
  if (!stralloc_0(&sa) || strncmp(sa.s, "qhpsi-metrics 1\n", 16)) { stralloc_free(&sa) ; errno = EPROTO ; return 0 ; }
  st = 16 ;
  while (st < sa.len - 1)
  {
    char *nl = strchr(sa.s + st, '\n') ;
    if (!nl) break ;
    *nl = 0 ;
    if (!loadline(m, sa.s + st)) { stralloc_free(&sa) ; errno = EPROTO ; return 0 ; }
    st = nl + 1 - sa.s ;
  }
  stralloc_free(&sa) ;
  return 1 ;
}
