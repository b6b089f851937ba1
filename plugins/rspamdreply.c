/* rspamdreply.c: rspamd's JSON reply to a plugin result (rspamdreply.h).
   json-c parses it (strict, with a depth limit; the body is already capped
   by the HTTP reader); here only the members we use are looked at, and
   every string that goes on is checked and bounded. */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <json-c/json.h>

#include "scan/spamhdr.h"
#include "rspamdreply.h"

static int no (char *why, size_t n, char const *s)
{
  snprintf(why, n, "%s", s) ;
  return 0 ;
}

static struct { char const *name ; enum qhpsi_verdict v ; uint32_t action ; } const actions[] =
{
  { "no action", QHPSI_CLEAN, QHPSI_ACTION_DEFAULT },
  { "reject", QHPSI_SPAM, QHPSI_ACTION_REFUSE },
  { "soft reject", QHPSI_SPAM, QHPSI_ACTION_TEMPFAIL },
  { "greylist", QHPSI_SPAM, QHPSI_ACTION_TEMPFAIL },
  { "add header", QHPSI_SPAM, QHPSI_ACTION_TAG },
  { "rewrite subject", QHPSI_SPAM, QHPSI_ACTION_TAG },  /* the subject stays: tagged only */
  { "discard", QHPSI_SPAM, QHPSI_ACTION_BLACKHOLE },
  { "quarantine", QHPSI_SPAM, QHPSI_ACTION_TRAP }
} ;

/* a score in thousandths; scores past a million are no scores */
static int thousandths (json_object *o, int32_t *out)
{
  double d ;
  if (!json_object_is_type(o, json_type_double) && !json_object_is_type(o, json_type_int)) return 0 ;
  d = json_object_get_double(o) ;
  if (!isfinite(d) || d > 1e6 || d < -1e6) return 0 ;
  d *= 1000 ;
  *out = (int32_t)(d < 0 ? d - 0.5 : d + 0.5) ;
  return 1 ;
}

static int symbol_name (char const *s)
{
  size_t n = strlen(s) ;
  if (!n || n > RSPAMD_NAME_MAX) return 0 ;
  return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n ;
}

static int bystring (void const *a, void const *b)
{
  return strcmp(*(char const *const *)a, *(char const *const *)b) ;
}

/* the names of the symbols, sorted, as many as fit; odd names are left out */
static int tests (json_object *syms, struct qhpsi_result *r, char *why, size_t whylen)
{
  char const *names[RSPAMD_SYMBOLS_MAX] ;
  size_t n = 0, used = 0 ;
  if (!json_object_is_type(syms, json_type_object)) return no(why, whylen, "symbols is no object") ;
  {
    json_object_object_foreach(syms, key, val)
    {
      (void)val ;
      if (n == RSPAMD_SYMBOLS_MAX) break ;
      if (symbol_name(key)) names[n++] = key ;
    }
  }
  qsort(names, n, sizeof *names, &bystring) ;
  for (size_t i = 0 ; i < n ; i++)
  {
    size_t k = strlen(names[i]) ;
    if (used + !!used + k > QHPSI_TESTSLEN - 1) break ;
    if (used) r->tests[used++] = ',' ;
    memcpy(r->tests + used, names[i], k) ;
    used += k ;
  }
  r->tests[used] = 0 ;
  return 1 ;
}

static int field_name (char const *s)
{
  size_t n = strlen(s) ;
  return n && n <= RSPAMD_NAME_MAX
      && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") == n ;
}

/* Appends "name: value\n" to r->headers, the value unfolded (a CR LF or
   LF before a blank is dropped), as qmail-queue takes fields (spamhdr.h).
   -1: the value holds a CR, LF or control byte of its own (the reply is
   refused); -2: a byte past ASCII; 0: it does not fit; 1: done. */
static int field (struct qhpsi_result *r, size_t *used, char const *name, json_object *o)
{
  char const *v = json_object_get_string(o) ;
  size_t vn = (size_t)json_object_get_string_len(o), k = strlen(name), w = *used, n = 0 ;
  for (size_t i = 0 ; i < *used ; i++) n += r->headers[i] == '\n' ;
  if (n >= SPAMHDR_FIELDS) return 0 ;
  while (vn && (*v == ' ' || *v == '\t')) { v++ ; vn-- ; }
  if (w + k + 2 >= QHPSI_HEADERSLEN) return 0 ;
  memcpy(r->headers + w, name, k) ; w += k ;
  r->headers[w++] = ':' ; r->headers[w++] = ' ' ;
  for (size_t i = 0 ; i < vn ; i++)
  {
    unsigned char c = (unsigned char)v[i] ;
    if (c == '\r' && i + 2 < vn && v[i+1] == '\n' && (v[i+2] == ' ' || v[i+2] == '\t')) { i++ ; continue ; }
    if (c == '\n' && i + 1 < vn && (v[i+1] == ' ' || v[i+1] == '\t')) continue ;
    if ((c < 0x20 && c != '\t') || c == 0x7f) return -1 ;
    if (c > '~') return -2 ;
    if (w + 2 >= QHPSI_HEADERSLEN || w + 1 - *used >= SPAMHDR_FIELDMAX) return 0 ;
    r->headers[w++] = (char)c ;
  }
  r->headers[w++] = '\n' ;
  r->headers[w] = 0 ;
  *used = w ;
  return 1 ;
}

/* a string, or an array of them: each a field; must: all must fit and be
   ASCII, else those that do not are left out */
static int fields (struct qhpsi_result *r, size_t *used, char const *name, json_object *o, int must, char *why, size_t whylen)
{
  size_t n = 1 ;
  int isarray = json_object_is_type(o, json_type_array) ;
  if (isarray) n = json_object_array_length(o) ;
  if (n > 16) return no(why, whylen, "too many header values") ;
  for (size_t i = 0 ; i < n ; i++)
  {
    json_object *v = isarray ? json_object_array_get_idx(o, i) : o, *inner ;
    int f ;
    /* milter's form: { "value": "...", "order": N } */
    if (json_object_is_type(v, json_type_object) && json_object_object_get_ex(v, "value", &inner)) v = inner ;
    if (!json_object_is_type(v, json_type_string)) return no(why, whylen, "a header value is no string") ;
    f = field(r, used, name, v) ;
    if (f == -1) return no(why, whylen, "a header value holds a control byte") ;
    if (f == -2 && must) return no(why, whylen, "a header value holds a byte past ASCII") ;
    if (!f && must) return no(why, whylen, "header fields too long") ;
    r->headers[*used] = 0 ;
  }
  return 1 ;
}

static int smtp_message (json_object *root, struct qhpsi_result *r, char *why, size_t whylen)
{
  json_object *msgs, *m ;
  char const *s ;
  size_t n, w = 0 ;
  if (!json_object_object_get_ex(root, "messages", &msgs) || !json_object_object_get_ex(msgs, "smtp_message", &m)) return 1 ;
  if (!json_object_is_type(m, json_type_string)) return no(why, whylen, "smtp_message is no string") ;
  s = json_object_get_string(m) ;
  n = (size_t)json_object_get_string_len(m) ;
  for (size_t i = 0 ; i < n ; i++)
  {
    unsigned char c = (unsigned char)s[i] ;
    if (c < 0x20 || c == 0x7f) return no(why, whylen, "smtp_message holds a control byte") ;
    if (w < QHPSI_REPLYLEN - 1) r->reply[w++] = c < 0x80 ? (char)c : '?' ;
  }
  r->reply[w] = 0 ;
  return 1 ;
}

static int fill (json_object *root, struct qhpsi_result *r, char *why, size_t whylen)
{
  json_object *o, *milter, *add ;
  char const *act ;
  size_t i, used = 0 ;
  if (!json_object_is_type(root, json_type_object)) return no(why, whylen, "reply is no object") ;
  if (!json_object_object_get_ex(root, "action", &o) || !json_object_is_type(o, json_type_string))
    return no(why, whylen, json_object_object_get_ex(root, "error", &o) ? "rspamd says error" : "no action in the reply") ;
  act = json_object_get_string(o) ;
  for (i = 0 ; i < sizeof actions / sizeof *actions ; i++) if (!strcmp(act, actions[i].name)) break ;
  if (i == sizeof actions / sizeof *actions) return no(why, whylen, "unknown action") ;
  r->verdict = actions[i].v ;
  r->action = actions[i].action ;
  if (!json_object_object_get_ex(root, "score", &o) || !thousandths(o, &r->score)) return no(why, whylen, "no score in the reply") ;
  if (json_object_object_get_ex(root, "required_score", &o) && !thousandths(o, &r->required)) return no(why, whylen, "bad required_score") ;
  r->flags |= QHPSI_RESULT_SCORED ;
  if (json_object_object_get_ex(root, "symbols", &o) && !tests(o, r, why, whylen)) return 0 ;
  if ((r->action == QHPSI_ACTION_REFUSE || r->action == QHPSI_ACTION_TEMPFAIL) && !smtp_message(root, r, why, whylen)) return 0 ;
  /* the signature first: it must fit; then what milter_headers asks, as fits */
  if (json_object_object_get_ex(root, "dkim-signature", &o)
   && !fields(r, &used, "DKIM-Signature", o, 1, why, whylen)) return 0 ;
  if (json_object_object_get_ex(root, "milter", &milter) && json_object_is_type(milter, json_type_object)
   && json_object_object_get_ex(milter, "add_headers", &add))
  {
    if (!json_object_is_type(add, json_type_object)) return no(why, whylen, "add_headers is no object") ;
    json_object_object_foreach(add, key, val)
      if (field_name(key) && spamhdr_allowed(key, strlen(key)) && !fields(r, &used, key, val, 0, why, whylen)) return 0 ;
  }
  return 1 ;
}

int rspamd_reply (char const *body, size_t len, struct qhpsi_result *r, char *why, size_t whylen)
{
  struct json_tokener *tok = json_tokener_new_ex(RSPAMD_JSON_DEPTH) ;
  json_object *root ;
  int ok ;
  if (!tok) return no(why, whylen, "out of memory") ;
  json_tokener_set_flags(tok, JSON_TOKENER_STRICT) ;
  root = json_tokener_parse_ex(tok, body, (int)len) ;
  if (!root || json_tokener_get_error(tok) != json_tokener_success || json_tokener_get_parse_end(tok) != len)
  {
    enum json_tokener_error e = json_tokener_get_error(tok) ;
    snprintf(why, whylen, "bad JSON: %s", root ? "bytes after the reply"
             : e == json_tokener_continue ? "cut short" : json_tokener_error_desc(e)) ;
    json_object_put(root) ;
    json_tokener_free(tok) ;
    return 0 ;
  }
  ok = fill(root, r, why, whylen) ;
  json_object_put(root) ;
  json_tokener_free(tok) ;
  return ok ;
}
