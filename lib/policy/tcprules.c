/* tcprules.c: reads tcprules-compiled cdbs. A rule's data is a sequence of
   NUL-terminated entries: "D" for deny, "+VAR=value" per variable. */

#include <errno.h>
#include <string.h>
#include <skalibs/cdb.h>
#include <skalibs/uint32.h>
#include "policy/tcprules.h"

/* skalibs checks the offsets cdb_find reads through, but not the length of
   the data it returns, nor that a hash table fits in the file (its slot
   count bounds the probe loop, and a count whose table wraps the 32-bit
   offsets would be circled 2^29 times). Every table of the header must fit,
   so a truncated file is damaged for every key, not only for some. */
int tcprules_sane (cdb const *c)
{
  if (c->size < 2048) return 0 ;
  for (unsigned int i = 0 ; i < 256 ; i++)
  {
    uint32_t pos, slots ;
    uint32_unpack(c->map + 8 * i, &pos) ;
    uint32_unpack(c->map + 8 * i + 4, &slots) ;
    if ((uint64_t)pos + 8 * (uint64_t)slots > c->size) return 0 ;
  }
  return 1 ;
}

int tcprules_find (cdb const *c, char const *key, size_t len, cdb_data *rule)
{
  uint64_t off ;
  int r ;
  r = cdb_find(c, rule, key, (uint32_t)len) ;
  if (r < 0) return (errno = EPROTO, -1) ;
  if (!r) return 0 ;
  if (rule->s < c->map) return (errno = EPROTO, -1) ;
  off = (uint64_t)(rule->s - c->map) ;
  if (off + rule->len > c->size) return (errno = EPROTO, -1) ;
  return 1 ;
}

int tcprules_match (cdb const *c, char const *ip, cdb_data *rule)
{
  size_t len = strlen(ip) ;
  int r ;
  if (!tcprules_sane(c)) return (errno = EPROTO, -1) ;
  /* no tcprules key is this long; treat it as a miss, not a truncated key */
  if (len > 0xffffU) return tcprules_find(c, "", 0, rule) ;
  r = tcprules_find(c, ip, len, rule) ;
  if (r) return r ;
  /* tcpserver tries every prefix that ends in a dot, longest first; an
     address without dots (IPv6) goes straight to the default */
  for (; len ; len--)
    if (ip[len-1] == '.')
    {
      r = tcprules_find(c, ip, len, rule) ;
      if (r) return r ;
    }
  return tcprules_find(c, "", 0, rule) ;
}

/* the entry at *pos, its length in *n; advances *pos past its NUL */
static int nextentry (cdb_data const *rule, uint32_t *pos, char const **s, size_t *n)
{
  char const *z ;
  if (*pos >= rule->len) return 0 ;
  *s = rule->s + *pos ;
  z = memchr(*s, 0, rule->len - *pos) ;
  /* tcprules terminates every entry; a fragment means a damaged cdb */
  if (!z) return (errno = EPROTO, -1) ;
  *n = z - *s ;
  *pos += *n + 1 ;
  return 1 ;
}

int tcprules_nextvar (cdb_data const *rule, uint32_t *pos, char const **name, size_t *namelen, char const **value, size_t *valuelen)
{
  char const *s ;
  size_t n ;
  int r ;
  while ((r = nextentry(rule, pos, &s, &n)) > 0)
  {
    char const *eq ;
    if (n < 2 || s[0] != '+') continue ;  /* "D", or something tcpserver skips */
    eq = memchr(s + 1, '=', n - 1) ;
    /* tcpserver ignores "+VAR" without '='; an empty name names nothing */
    if (!eq || eq == s + 1) continue ;
    *name = s + 1 ; *namelen = eq - (s + 1) ;
    *value = eq + 1 ; *valuelen = n - (eq + 1 - s) ;
    return 1 ;
  }
  return r ;
}

int tcprules_allows (cdb_data const *rule)
{
  uint32_t pos = 0 ;
  char const *s ;
  size_t n ;
  int r ;
  /* tcpserver denies if any entry starts with 'D' */
  while ((r = nextentry(rule, &pos, &s, &n)) > 0)
    if (n && s[0] == 'D') return 0 ;
  return !r ;
}
