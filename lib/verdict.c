/* verdict.c: the verdict table of qmail-queue(8), in one place. */

#include <string.h>
#include <unistd.h>

#include <skalibs/stralloc.h>
#include <skalibs/types.h>

#include "verdict.h"

void verdict_cleanname (char *s)
{
  for (; *s ; s++)
    if (*s <= ' ' || *s > '~' || *s == '(' || *s == ')') *s = '_' ;
}

int verdict_xtext (stralloc *sa, char const *s)
{
  static char const hex[] = "0123456789ABCDEF" ;
  for (; *s ; s++)
  {
    unsigned char c = *s ;
    if (c > ' ' && c <= '~' && c != '+' && c != '=')
    {
      if (!stralloc_catb(sa, s, 1)) return 0 ;
    }
    else
    {
      char x[3] = { '+', hex[c >> 4], hex[c & 15] } ;
      if (!stralloc_catb(sa, x, 3)) return 0 ;
    }
  }
  return 1 ;
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
    if (!stralloc_catb(hdr, "<", 1) || !verdict_xtext(hdr, rcpt) || !stralloc_catb(hdr, ">", 1)) return 0 ;
    i += strlen(rcpt) + 2 ;
  }
  return stralloc_catb(hdr, "\n", 1) ;
}

void verdict_limits (policy const *p, struct qhpsi_result *r)
{
  static char const prefix[] = "Heuristics.Limits.Exceeded" ;
  char name[QHPSI_TEXTLEN] ;
  if (!p->limitserror || r->verdict != QHPSI_INFECTED || strncmp(r->text, prefix, sizeof prefix - 1)) return ;
  memcpy(name, r->text, sizeof name) ;
  r->verdict = QHPSI_ERROR ;
  /* the text must fit: the name was at most QHPSI_TEXTLEN - 1 bytes */
  memcpy(r->text, "limits: ", 8) ;
  memcpy(r->text + 8, name, QHPSI_TEXTLEN - 9) ;
  r->text[QHPSI_TEXTLEN - 1] = 0 ;
}

static int virusline (stralloc *hdr, struct qhpsi_result const *r)
{
  if (!stralloc_cats(hdr, "X-QHPSI: virus found")) return 0 ;
  if (r->text[0] && !(stralloc_cats(hdr, r->flags & QHPSI_RESULT_RULE ? " (rule " : " (")
    && stralloc_cats(hdr, r->text) && stralloc_cats(hdr, ")")))
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
  static char const *const names[] = { "queue", "refuse", "blackhole", "forward", "tempfail", "accept", "trap", "back", "tag" } ;
  return names[a] ;
}

int verdict_keep (policy const *p, struct qhpsi_result const *r, enum verdict_action a)
{
  if (r->verdict != QHPSI_INFECTED || a == ACTION_TEMPFAIL || a == ACTION_TAG) return 0 ;
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

/* values go in as one token: blanks and controls become '_' */
static int cat (stralloc *sa, char const *key, char const *value)
{
  size_t start ;
  if (!stralloc_cats(sa, " ") || !stralloc_cats(sa, key) || !stralloc_cats(sa, "=")) return 0 ;
  start = sa->len ;
  if (!stralloc_cats(sa, value && *value ? value : "-")) return 0 ;
  for (size_t i = start ; i < sa->len ; i++)
    if (sa->s[i] <= ' ' || sa->s[i] > '~') sa->s[i] = '_' ;
  return 1 ;
}

void verdict_log (unsigned long qp, policy const *p, uint64_t size, char const *route,
  char const *verdict, struct qhpsi_result const *r, char const *action, uint64_t ms)
{
  verdict_logq(qp, p, size, route, verdict, r, action, ms, 0, 0, 0) ;
}

void verdict_logq (unsigned long qp, policy const *p, uint64_t size, char const *route,
  char const *verdict, struct qhpsi_result const *r, char const *action, uint64_t ms,
  char const *qid, char const *qerr, char const *nerr)
{
  stralloc sa = STRALLOC_ZERO ;
  char n[UINT64_FMT] ;
  int ok = stralloc_cats(&sa, "qhpsi:") ;
  n[ulong_fmt(n, qp)] = 0 ;
  ok = ok && cat(&sa, "qp", n) && cat(&sa, "ip", p->remoteip) ;
  n[uint64_fmt(n, size)] = 0 ;
  ok = ok && cat(&sa, "size", n) && cat(&sa, "route", route) && cat(&sa, "verdict", verdict) ;
  {
    char sig[QHPSI_TEXTLEN + 5] ;
    ok = ok && cat(&sa, r && r->verdict == QHPSI_ERROR ? "error" : "signature",
      r ? r->verdict == QHPSI_ERROR ? r->text : verdict_signature(r, sig, sizeof sig) : 0) ;
  }
  n[uint64_fmt(n, ms)] = 0 ;
  ok = ok && cat(&sa, "action", action) && cat(&sa, "ms", n) ;
  if (qid) ok = ok && cat(&sa, "qid", qid) ;
  if (qerr) ok = ok && cat(&sa, "quarantine", qerr) ;
  if (nerr) ok = ok && cat(&sa, "notice", nerr) ;
  ok = ok && stralloc_cats(&sa, "\n") ;
  /* the log is best effort: a full log pipe must not lose the mail */
  if (ok && write(2, sa.s, sa.len) < 0) { }
  stralloc_free(&sa) ;
}
