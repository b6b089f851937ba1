/* verdict.c: the verdict table of qmail-queue(8), in one place. */

#include <string.h>
#include <unistd.h>

#include <skalibs/stralloc.h>
#include <skalibs/types.h>

#include "queue/xtext.h"
#include "scan/verdict.h"
#include "inspect/inspect.h"

void verdict_cleanname (char *s)
{
  for (; *s ; s++)
    if (*s <= ' ' || *s > '~' || *s == '(' || *s == ')') *s = '_' ;
}

/* X-Quarantine-ID: the original recipients, one per folded line. They
   come from the sender: xtext keeps CR, LF and every other byte that could
   end the field or the header out of it. */
static int quarantineid (envelope const *e, stralloc *hdr)
{
  size_t i = e->rcptpos ;
  if (!stralloc_cats(hdr, "X-Quarantine-ID:")) return 0 ;
  while (i < e->sa.len)
  {
    char const *rcpt = e->sa.s + i + 1 ;
    if (i > e->rcptpos && !stralloc_catb(hdr, ",\n\t", 3)) return 0 ;
    if (i == e->rcptpos && !stralloc_catb(hdr, " ", 1)) return 0 ;
    if (!stralloc_catb(hdr, "<", 1) || !xtext_cat(hdr, rcpt) || !stralloc_catb(hdr, ">", 1)) return 0 ;
    i += strlen(rcpt) + 2 ;
  }
  return stralloc_catb(hdr, "\n", 1) ;
}

int verdict_islimits (struct qhpsi_result const *r)
{
  static char const engine[] = "Heuristics.Limits.Exceeded", ours[] = INSPECT_PREFIX ;
  return r->verdict == QHPSI_INFECTED
    && (!strncmp(r->text, engine, sizeof engine - 1) || !strncmp(r->text, ours, sizeof ours - 1)) ;
}

void verdict_limits (policy const *p, struct qhpsi_result *r)
{
  char name[QHPSI_TEXTLEN] ;
  if (!p->limitserror || !verdict_islimits(r)) return ;
  memcpy(name, r->text, sizeof name) ;
  r->verdict = QHPSI_ERROR ;
  /* the text must fit: the name was at most QHPSI_TEXTLEN - 1 bytes */
  memcpy(r->text, "limits: ", 8) ;
  memcpy(r->text + 8, name, QHPSI_TEXTLEN - 9) ;
  r->text[QHPSI_TEXTLEN - 1] = 0 ;
}

/* a scanner's find reads as a virus, a content rule's as a rule */
static int virusline (stralloc *hdr, struct qhpsi_result const *r)
{
  if (!stralloc_cats(hdr, r->flags & QHPSI_RESULT_RULE ? "X-QHPSI: rule matched" : "X-QHPSI: virus found")) return 0 ;
  if (r->text[0] && !(stralloc_cats(hdr, " (") && stralloc_cats(hdr, r->text) && stralloc_cats(hdr, ")")))
    return 0 ;
  return stralloc_cats(hdr, "\n") ;
}

int verdict_quarantinehdr (struct qhpsi_result const *r, char const *id, stralloc const *hdr, stralloc *out)
{
  size_t first = 0 ;
  out->len = 0 ;
  if (hdr->len)
  {
    char const *nl = memchr(hdr->s, '\n', hdr->len) ;
    first = nl ? (size_t)(nl - hdr->s) + 1 : hdr->len ;
    if (!stralloc_catb(out, hdr->s, first)) return 0 ;
  }
  else if (!virusline(out, r)) return 0 ;
  return stralloc_cats(out, "X-QHPSI-Quarantine: ") && stralloc_cats(out, id) && stralloc_cats(out, "\n")
    && stralloc_catb(out, hdr->s + first, hdr->len - first) ;
}

enum verdict_action verdict_decide (policy const *p, struct qhpsi_result const *r, envelope const *e, stralloc *hdr)
{
  switch (r->verdict)
  {
    case QHPSI_CLEAN :
      return stralloc_cats(hdr, "X-QHPSI: clean\n") ? ACTION_QUEUE : ACTION_TEMPFAIL ;
    case QHPSI_INFECTED :
      switch (r->action)
      {
        case QHPSI_ACTION_REFUSE : return ACTION_REFUSE ;
        case QHPSI_ACTION_BLACKHOLE : return ACTION_BLACKHOLE ;
        /* the quarantine copy gets its X-QHPSI line from verdict_quarantinehdr */
        case QHPSI_ACTION_TRAP : return ACTION_TRAP ;
        case QHPSI_ACTION_BACK : return virusline(hdr, r) ? ACTION_BACK : ACTION_TEMPFAIL ;
        case QHPSI_ACTION_TAG : return virusline(hdr, r) ? ACTION_TAG : ACTION_TEMPFAIL ;
        default : break ;
      }
      if (p->rejectvirus == 1) return ACTION_REFUSE ;
      if (!p->virusforward && p->rejectvirus == 2) return ACTION_BLACKHOLE ;
      if (!virusline(hdr, r)) return ACTION_TEMPFAIL ;
      if (!p->virusforward) return ACTION_QUEUE ;
      return quarantineid(e, hdr) ? ACTION_FORWARD : ACTION_TEMPFAIL ;
    default :
      if (!p->failaccept) return ACTION_TEMPFAIL ;
      return stralloc_cats(hdr, "X-QHPSI: not scanned\n") ? ACTION_ACCEPT : ACTION_TEMPFAIL ;
  }
}

int verdict_forward (envelope *e, char const *to)
{
  e->sa.len = e->rcptpos ;
  e->nrcpt = 1 ;
  return stralloc_catb(&e->sa, "T", 1) && stralloc_cats(&e->sa, to) && stralloc_0(&e->sa) ;
}

char const *verdict_actionname (enum verdict_action a)
{
  static char const *const names[] = { "queue", "refuse", "blackhole", "forward", "tempfail", "accept", "trap", "back", "tag", "selftest" } ;
  return names[a] ;
}

int verdict_keep (policy const *p, struct qhpsi_result const *r, enum verdict_action a)
{
  if (r->verdict != QHPSI_INFECTED || a == ACTION_TEMPFAIL || a == ACTION_TAG || a == ACTION_SELFTEST) return 0 ;
  return a == ACTION_TRAP || a == ACTION_BACK || p->quarantine ;
}

char const *verdict_signature (struct qhpsi_result const *r, char *buf, size_t len)
{
  if (!(r->flags & QHPSI_RESULT_RULE) || !r->text[0] || len < 6) return r->text ;
  memcpy(buf, "rule:", 5) ;
  strncpy(buf + 5, r->text, len - 6) ;
  buf[len - 1] = 0 ;
  return buf ;
}

static int put (char *buf, size_t *len, size_t max, char c)
{
  if (*len >= max) return 0 ;
  buf[(*len)++] = c ;
  return 1 ;
}

/* appends " key=value", the value as one token, within max (the room
   left for the newline); 1 if it all fitted */
static int cat (char *buf, size_t *len, size_t max, char const *key, char const *value)
{
  size_t n = 0 ;
  if (!value || !*value) value = "-" ;
  if (!put(buf, len, max, ' ')) return 0 ;
  for (; *key ; key++) if (!put(buf, len, max, *key)) return 0 ;
  if (!put(buf, len, max, '=')) return 0 ;
  for (; *value && n < VERDICT_VALUEMAX ; value++, n++)
  {
    unsigned char c = *value ;
    if (!put(buf, len, max, c <= ' ' || c > '~' ? '_' : c)) return 0 ;
  }
  return 1 ;
}

/* a score in thousandths with two decimals, rounded half away from 0 */
static char const *score (char *buf, int32_t t)
{
  int64_t a = t < 0 ? -(int64_t)t : t, h = (a + 5) / 10 ;
  size_t n = 0 ;
  if (t < 0 && h) buf[n++] = '-' ;
  n += uint64_fmt(buf + n, h / 100) ;
  buf[n++] = '.' ;
  buf[n++] = '0' + h / 10 % 10 ;
  buf[n++] = '0' + h % 10 ;
  buf[n] = 0 ;
  return buf ;
}

size_t verdict_fmtlog (char *buf, verdict_logline const *l)
{
  static char const head[] = "qhpsi:" ;
  size_t len = sizeof head - 1, max = VERDICT_LINEMAX - 1 ;
  char n[UINT64_FMT], nr[UINT64_FMT], sz[UINT64_FMT], ms[UINT64_FMT] ;
  char const *from = 0, *rcpt = 0 ;
  char sig[QHPSI_TEXTLEN + 5], sc[16] ;
  memcpy(buf, head, len) ;
  n[ulong_fmt(n, l->qp)] = 0 ;
  nr[uint64_fmt(nr, l->env ? l->env->nrcpt : 0)] = 0 ;
  sz[uint64_fmt(sz, l->size)] = 0 ;
  ms[uint64_fmt(ms, l->ms)] = 0 ;
  if (l->env && l->env->sa.len)
  {
    from = envelope_sender(l->env) ;
    if (!*from) from = "<>" ;
    if (l->env->nrcpt) rcpt = l->env->sa.s + l->env->rcptpos + 1 ;
  }
  /* stops at the first value that does not fit: the line is cut there */
  (void)(cat(buf, &len, max, "qp", n) && cat(buf, &len, max, "ip", l->ip)
   && cat(buf, &len, max, "from", from) && cat(buf, &len, max, "rcpts", nr)
   && cat(buf, &len, max, "rcpt", rcpt) && cat(buf, &len, max, "msgid", l->msgid)
   && cat(buf, &len, max, "size", sz) && cat(buf, &len, max, "route", l->route)
   && cat(buf, &len, max, "verdict", l->verdict)
   && cat(buf, &len, max, l->r && l->r->verdict == QHPSI_ERROR ? "error" : "signature",
       l->r ? l->r->verdict == QHPSI_ERROR ? l->r->text : verdict_signature(l->r, sig, sizeof sig) : 0)
   && cat(buf, &len, max, "action", l->action) && cat(buf, &len, max, "ms", ms)
   && (!l->spam || cat(buf, &len, max, "spam", l->spam))
   && (!l->spamr || !(l->spamr->flags & QHPSI_RESULT_SCORED) || cat(buf, &len, max, "score", score(sc, l->spamr->score)))
   && (!l->r || !(l->r->flags & QHPSI_RESULT_SERVER) || cat(buf, &len, max, "host", l->r->reply))
   && (!l->qid || cat(buf, &len, max, "qid", l->qid))
   && (!l->qerr || cat(buf, &len, max, "quarantine", l->qerr))
   && (!l->nerr || cat(buf, &len, max, "notice", l->nerr))
   && (!l->skip || cat(buf, &len, max, "skip", l->skip))) ;
  buf[len++] = '\n' ;
  return len ;
}

void verdict_log (verdict_logline const *l)
{
  char buf[VERDICT_LINEMAX] ;
  size_t len = verdict_fmtlog(buf, l) ;
  /* best effort: a full log pipe must not lose the mail */
  if (write(2, buf, len) < 0) { }
}
