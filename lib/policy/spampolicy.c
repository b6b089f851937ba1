/* spampolicy.c: the spam policy of one message (spampolicy.h): each
   recipient's rule from control/qhpsispam.cdb, and the rule for the
   whole message that qmail-queue(8) documents under SPAM. */

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "queue/paths.h"
#include "policy/spampolicy.h"
#include "policy/spamscore.h"
#include "policy/tcprules.h"

#define SPAMCDB "control/qhpsispam.cdb"
#define GLOBAL 0xffffffffU  /* the rule key of p's defaults alone */

typedef struct dslot_s dslot ;  /* a domain looked up */
struct dslot_s { char const *dom ; uint32_t rule ; } ;
typedef struct rslot_s rslot ;  /* a rule made: its cdb data offset + 1, or GLOBAL */
struct rslot_s { uint32_t key ; uint32_t rule ; } ;

typedef struct resolver_s resolver ;
struct resolver_s
{
  policy const *p ;
  spampolicy *sp ;
  int havecdb ;
  dslot *d ;
  rslot *r ;
  uint32_t mask ;  /* both tables have mask + 1 slots */
  uint32_t cap ;   /* room in sp->rules */
} ;

static int bad (spampolicy *sp, char const *why)
{
  sp->why = why ;
  errno = EPROTO ;
  return 0 ;
}

/* 1 and sp->map, 0 without a cdb, -1 unusable */
static int opencdb (spampolicy *sp)
{
  struct stat st ;
  char fn[4096] ;
  int fd ;
  /* qmail-queue has left the qmail home by now; tests call it from one */
  if (paths_home) snprintf(fn, sizeof fn, "%s/" SPAMCDB, paths_home) ;
  else snprintf(fn, sizeof fn, SPAMCDB) ;
  fd = open(fn, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK) ;
  if (fd < 0)
  {
    if (errno == ENOENT) return 0 ;
    sp->why = errno == ELOOP ? SPAMCDB ": a symbolic link" : SPAMCDB ": unreadable" ;
    return -1 ;
  }
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !policy_owner_ok(&st))
  {
    sp->why = !S_ISREG(st.st_mode) ? SPAMCDB ": not a regular file"
      : st.st_mode & 022 ? SPAMCDB ": writable by group or others (chmod go-w)" : SPAMCDB ": not owned by root (chown root)" ;
    close(fd) ;
    return -1 ;
  }
  if (!cdb_init_fromfd(&sp->map, fd))
  {
    close(fd) ;
    sp->why = SPAMCDB ": not a cdb (make it with qhpsi-spamrules)" ;
    return -1 ;
  }
  close(fd) ;
  if (!tcprules_sane(&sp->map)) { sp->why = SPAMCDB ": damaged (make it again)" ; return -1 ; }
  return 1 ;
}

static uint32_t hash (char const *s)
{
  uint32_t h = 2166136261U ;
  for (; *s ; s++) h = (h ^ (unsigned char)*s) * 16777619U ;
  return h ;
}

/* the index in sp->rules of the rule with cdb data d (0: p's defaults) */
static int rule (resolver *z, cdb_data const *d, uint32_t *idx)
{
  spampolicy *sp = z->sp ;
  policy const *p = z->p ;
  uint32_t key = d ? (uint32_t)(d->s - sp->map.map) + 1 : GLOBAL ;
  uint32_t i = key * 2654435761U ;
  spamrule *n ;
  for (;; i++)
  {
    rslot *s = &z->r[i & z->mask] ;
    if (s->key == key) { *idx = s->rule ; return 1 ; }
    if (!s->key) break ;
  }
  if (sp->nrules == z->cap)
  {
    uint32_t cap = z->cap ? 2 * z->cap : 8 ;
    spamrule *m = realloc(sp->rules, cap * sizeof *m) ;
    if (!m) return 0 ;
    sp->rules = m ; z->cap = cap ;
  }
  n = &sp->rules[sp->nrules] ;
  memset(n, 0, sizeof *n) ;
  n->score = !p->spamoff ;
  n->hastag = p->spamhastag ; n->tag = p->spamtag ;
  n->hasrefuse = p->spamhasrefuse ; n->refuse = p->spamrefuse ;
  n->settings = p->spamsettings ;
  n->user = p->spamuser ;
  if (d)
  {
    uint32_t pos = 0 ;
    char const *name, *value ;
    size_t namelen, len ;
    int r ;
    while ((r = tcprules_nextvar(d, &pos, &name, &namelen, &value, &len)) == 1)
    {
      if (spamscore_rulevar(name, namelen, value, len))
        return bad(sp, SPAMCDB ": a rule with a bad variable or value (qhpsi-spamrules names it)") ;
      /* tcprules ends every entry with a NUL: value is a C string */
      switch (namelen)
      {
        case 9 : n->score = *value == '1' ; break ;
        case 12 : n->hastag = spamscore_scan(value, len, &n->tag) ; break ;
        case 15 : n->hasrefuse = spamscore_scan(value, len, &n->refuse) ; break ;
        case 17 : n->settings = value ; break ;
        default : n->user = value ; break ;  /* QHPSISPAMUSER, 13 */
      }
    }
    if (r < 0) return bad(sp, SPAMCDB ": damaged (make it again)") ;
  }
  for (;; i++)
    if (!z->r[i & z->mask].key) break ;
  z->r[i & z->mask].key = key ;
  z->r[i & z->mask].rule = *idx = sp->nrules++ ;
  return 1 ;
}

/* the first of the keys that has an entry: 1 and *d, 0 none, -1 damaged */
static int first (resolver *z, char const *key, size_t len, cdb_data *d)
{
  int r = tcprules_find(&z->sp->map, key, len, d) ;
  if (r < 0) z->sp->why = SPAMCDB ": damaged (make it again)" ;
  return r ;
}

/* the rule of domain dom: itself, its parents ".b.c", ".c", then "" */
static int domainrule (resolver *z, char const *dom, uint32_t *idx)
{
  cdb_data d ;
  uint32_t i = hash(dom) ;
  size_t len = strlen(dom) ;
  int r = 0 ;
  for (;; i++)
  {
    dslot *s = &z->d[i & z->mask] ;
    if (!s->dom) break ;
    if (!strcmp(s->dom, dom)) { *idx = s->rule ; return 1 ; }
  }
  if (z->havecdb)
  {
    if (len) r = first(z, dom, len, &d) ;
    for (size_t k = 1 ; !r && k < len ; k++)
      if (dom[k] == '.') r = first(z, dom + k, len - k, &d) ;
    if (!r) r = first(z, "", 0, &d) ;
    if (r < 0) return 0 ;
  }
  if (!rule(z, r ? &d : 0, idx)) return 0 ;
  z->d[i & z->mask].dom = dom ;
  z->d[i & z->mask].rule = *idx ;
  return 1 ;
}

/* the user a rule gives for addr: *u and *ulen, or *u = 0 */
static void userof (char const *spec, char const *addr, size_t len, char const **u, size_t *ulen)
{
  char const *at = strrchr(addr, '@') ;
  *u = 0 ;
  if (!spec) return ;
  if (!strcmp(spec, "%a")) *u = addr, *ulen = len ;
  else if (!strcmp(spec, "%l")) *u = addr, *ulen = at ? (size_t)(at - addr) : len ;
  else *u = spec, *ulen = strlen(spec) ;
  if (!spamscore_userok(*u, *ulen)) *u = 0 ;
}

static int same (char const *a, char const *b)
{
  return a == b || (a && b && !strcmp(a, b)) ;
}

/* walks the lowercased recipients: each one's rule, and what they agree on */
static int walk (resolver *z, char *rcpts, size_t n, size_t nrcpt)
{
  spampolicy *sp = z->sp ;
  char const *set0 = 0, *u0 = 0 ;
  size_t u0len = 0, nscored = 0 ;
  int setagree = 1, useragree = 1 ;
  for (size_t pos = 0 ; pos < n && nrcpt ; nrcpt--)
  {
    char *addr = rcpts + pos + 1 ;  /* past the 'T' */
    size_t len = strlen(addr) ;
    char *at = strrchr(addr, '@') ;
    uint32_t idx ;
    spamrule *ru ;
    char const *u ;
    size_t ulen = 0 ;
    cdb_data d ;
    int r = 0 ;
    pos += len + 2 ;
    if (at && z->havecdb && (r = first(z, addr, len, &d)) < 0) return 0 ;
    if (r ? !rule(z, &d, &idx) : !domainrule(z, at ? at + 1 : addr + len, &idx)) return 0 ;
    ru = &sp->rules[idx] ;
    ru->nrcpt++ ;
    if (!ru->score) continue ;
    userof(ru->user, addr, len, &u, &ulen) ;
    if (!nscored++) { set0 = ru->settings ; u0 = u ; u0len = ulen ; continue ; }
    if (!same(set0, ru->settings)) setagree = 0 ;
    if (!u || !u0 || ulen != u0len || memcmp(u, u0, ulen)) useragree = 0 ;
  }
  sp->score = nscored > 0 ;
  sp->settings = nscored && setagree ? set0 : z->p->spamsettings ;
  if (sp->outbound && z->p->spamoutsettings) sp->settings = z->p->spamoutsettings ;
  if (nscored && useragree && u0)
  {
    sp->own = strndup(u0, u0len) ;
    if (!sp->own) return 0 ;
    sp->user = sp->own ;
  }
  else if (z->p->spamuser && z->p->spamuser[0] != '%') sp->user = z->p->spamuser ;
  return 1 ;
}

int spampolicy_resolve (policy const *p, envelope const *e, spampolicy *sp)
{
  resolver z = { .p = p, .sp = sp } ;
  size_t n = e->sa.len > e->rcptpos ? e->sa.len - e->rcptpos : 0 ;
  uint32_t slots = 16 ;
  char *rcpts = 0 ;
  int r ;
  memset(sp, 0, sizeof *sp) ;
  sp->failaccept = p->spamfailaccept ;
  sp->outbound = p->outbound ;
  sp->authuser = p->authuser ;
  r = opencdb(sp) ;
  if (r < 0) { errno = EPROTO ; return 0 ; }
  z.havecdb = r ;
  while (slots < 2 * e->nrcpt + 2) slots <<= 1 ;
  z.mask = slots - 1 ;
  z.d = calloc(slots, sizeof *z.d) ;
  z.r = calloc(slots, sizeof *z.r) ;
  rcpts = malloc(n + 1) ;
  if (!z.d || !z.r || !rcpts) goto nomem ;
  /* addresses match lowercased, as the compiler writes the keys */
  for (size_t i = 0 ; i < n ; i++)
  {
    char c = e->sa.s[e->rcptpos + i] ;
    rcpts[i] = c >= 'A' && c <= 'Z' ? c + 32 : c ;
  }
  rcpts[n] = 0 ;
  r = walk(&z, rcpts, n, e->nrcpt) ;
  if (!r && errno != EPROTO) goto nomem ;
  free(z.d) ; free(z.r) ; free(rcpts) ;
  if (!r) { spampolicy_free(sp) ; errno = EPROTO ; }
  return r ;
 nomem:
  free(z.d) ; free(z.r) ; free(rcpts) ;
  spampolicy_free(sp) ;
  errno = ENOMEM ;
  return 0 ;
}

/* one rule's word on score s: 2 refuse, 1 tag, 0 ham */
static int ruling (spamrule const *ru, struct qhpsi_result const *r)
{
  int spam = r->verdict == QHPSI_SPAM ;
  if (!(ru->hastag || ru->hasrefuse) || !(r->flags & QHPSI_RESULT_SCORED))
    return spam ? 1 + (r->action == QHPSI_ACTION_REFUSE) : 0 ;
  if (ru->hasrefuse && r->score >= ru->refuse) return 2 ;
  return ru->hastag ? r->score >= ru->tag : spam ;
}

enum spam_do spampolicy_decide (spampolicy const *sp, struct qhpsi_result const *r)
{
  int thresholds = 0, all = 1, any = 0 ;
  if (r->verdict != QHPSI_SPAM && r->verdict != QHPSI_CLEAN) return SPAM_HAM ;
  for (uint32_t i = 0 ; i < sp->nrules ; i++)
    if (sp->rules[i].score && sp->rules[i].nrcpt && (sp->rules[i].hastag || sp->rules[i].hasrefuse)) thresholds = 1 ;
  if (!thresholds || !(r->flags & QHPSI_RESULT_SCORED))
  {
    if (r->verdict != QHPSI_SPAM) return SPAM_HAM ;
    switch (r->action)
    {
      case QHPSI_ACTION_REFUSE : return SPAM_REFUSE ;
      case QHPSI_ACTION_TEMPFAIL : return SPAM_TEMPFAIL ;
      case QHPSI_ACTION_BLACKHOLE : return SPAM_BLACKHOLE ;
      case QHPSI_ACTION_TRAP : return SPAM_TRAP ;
      default : return SPAM_TAG ;
    }
  }
  for (uint32_t i = 0 ; i < sp->nrules ; i++)
  {
    int w ;
    if (!sp->rules[i].score || !sp->rules[i].nrcpt) continue ;
    w = ruling(&sp->rules[i], r) ;
    if (w != 2) all = 0 ;
    if (w) any = 1 ;
  }
  return all ? SPAM_REFUSE : any ? SPAM_TAG : SPAM_HAM ;
}

void spampolicy_free (spampolicy *sp)
{
  cdb_free(&sp->map) ;
  free(sp->rules) ;
  free(sp->own) ;
  sp->rules = 0 ;
  sp->own = 0 ;
  sp->nrules = 0 ;
  sp->settings = sp->user = 0 ;
}
