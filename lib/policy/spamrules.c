/* spamrules.c: the compiler of control/qhpsispam (spamrules.h). */

#include <errno.h>
#include <string.h>

#include <skalibs/cdbmake.h>
#include <skalibs/stralloc.h>

#include "policy/spamrules.h"
#include "policy/spamscore.h"

/* a key: "", an address, a domain or ".domain"; lowercased in place */
static char const *key (char *s, size_t n)
{
  char *at ;
  if (n > 1002) return "a key over 1002 bytes" ;
  for (size_t i = 0 ; i < n ; i++)
  {
    if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f) return "a key holding a blank, a control or a non-ASCII byte" ;
    if (s[i] >= 'A' && s[i] <= 'Z') s[i] += 32 ;
  }
  at = memchr(s, '@', n) ;
  if (at && (at == s || at == s + n - 1 || memchr(at + 1, '@', s + n - at - 1)))
    return "an address key that is not local@domain" ;
  if (!at && n && s[n-1] == '.') return "a domain ending in a dot" ;
  return 0 ;
}

/* the instructions after the colon into data: "allow" is allowed (as
   tcprules writes it), then VAR=value or VAR="value" */
static char const *instructions (char const *s, size_t n, stralloc *data)
{
  size_t i = 0 ;
  data->len = 0 ;
  while (i < n)
  {
    size_t st = i, eq, vs, ve ;
    while (i < n && s[i] != ',' && s[i] != '=') i++ ;
    if (i - st == 5 && !memcmp(s + st, "allow", 5) && (i == n || s[i] == ',')) { i++ ; continue ; }
    if (i == n || s[i] != '=') return "an instruction that is neither allow nor VAR=value" ;
    eq = i++ ;
    if (i < n && s[i] == '"')
    {
      vs = ++i ;
      while (i < n && s[i] != '"') i++ ;
      if (i == n) return "a value whose quote does not end" ;
      ve = i++ ;
    }
    else
    {
      vs = i ;
      while (i < n && s[i] != ',') i++ ;
      ve = i ;
    }
    if (i < n && s[i++] != ',') return "something after a quoted value" ;
    {
      char const *why = spamscore_rulevar(s + st, eq - st, s + vs, ve - vs) ;
      if (why) return why ;
    }
    if (!stralloc_catb(data, "+", 1) || !stralloc_catb(data, s + st, eq - st + 1)
     || !stralloc_catb(data, s + vs, ve - vs) || !stralloc_0(data)) return "out of memory" ;
  }
  return 0 ;
}

int spamrules_make (char const *text, size_t len, int fd, unsigned int *line, char const **why)
{
  cdbmaker cm = CDBMAKER_ZERO ;
  stralloc l = STRALLOC_ZERO, data = STRALLOC_ZERO ;
  size_t pos = 0 ;
  *line = 0 ;
  *why = 0 ;
  if (!cdbmake_start(&cm, fd)) return 0 ;
  while (pos < len)
  {
    char const *nl = memchr(text + pos, '\n', len - pos) ;
    size_t n = nl ? (size_t)(nl - text - pos) : len - pos ;
    char *colon ;
    ++*line ;
    l.len = 0 ;
    if (!stralloc_catb(&l, text + pos, n)) goto err ;
    pos += n + 1 ;
    while (l.len && (l.s[l.len-1] == ' ' || l.s[l.len-1] == '\t' || l.s[l.len-1] == '\r')) l.len-- ;
    if (!l.len || l.s[0] == '#') continue ;
    colon = memchr(l.s, ':', l.len) ;
    if (!colon) { *why = "no colon (key:instructions)" ; goto bad ; }
    if ((*why = key(l.s, colon - l.s))) goto bad ;
    if ((*why = instructions(colon + 1, l.s + l.len - colon - 1, &data))) goto bad ;
    if (!data.len && !stralloc_catb(&data, "", 0)) goto err ;
    if (!cdbmake_add(&cm, l.s, colon - l.s, data.s ? data.s : "", data.len)) goto err ;
  }
  *line = 0 ;
  stralloc_free(&l) ; stralloc_free(&data) ;
  if (!cdbmake_finish(&cm)) { genalloc_free(diuint32, &cm.hplist) ; return 0 ; }
  genalloc_free(diuint32, &cm.hplist) ;
  return 1 ;
 bad:
  errno = EINVAL ;
 err:
  if (!*why) *line = 0 ;
  stralloc_free(&l) ; stralloc_free(&data) ;
  genalloc_free(diuint32, &cm.hplist) ;
  return 0 ;
}
