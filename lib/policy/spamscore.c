/* spamscore.c: the values of the spam policy variables (spamscore.h). */

#include <string.h>

#include "policy/spamscore.h"

int spamscore_scan (char const *s, size_t len, int32_t *t)
{
  int64_t v = 0 ;
  size_t i = 0, digits = 0, decimals = 0 ;
  int neg = 0 ;
  if (i < len && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-' ;
  for (; i < len && s[i] >= '0' && s[i] <= '9' ; i++, digits++)
  {
    v = v * 10 + (s[i] - '0') * 1000 ;
    if (v > 100000000) return 0 ;
  }
  if (i < len && s[i] == '.')
    for (i++ ; i < len && s[i] >= '0' && s[i] <= '9' ; i++)
    {
      static int32_t const place[3] = { 100, 10, 1 } ;
      if (decimals == 3) return 0 ;
      v += (s[i] - '0') * place[decimals++] ;
    }
  if (i != len || !(digits + decimals)) return 0 ;
  *t = (int32_t)(neg ? -v : v) ;
  return 1 ;
}

int spamscore_settingsok (char const *s, size_t len)
{
  static char const ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-" ;
  if (!len || len > SPAMSCORE_SETTINGSMAX) return 0 ;
  for (size_t i = 0 ; i < len ; i++) if (!s[i] || !strchr(ok, s[i])) return 0 ;
  return 1 ;
}

int spamscore_userok (char const *s, size_t len)
{
  if (!len || len > SPAMSCORE_USERMAX) return 0 ;
  for (size_t i = 0 ; i < len ; i++)
    if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == '%') return 0 ;
  return 1 ;
}

int spamscore_userspecok (char const *s, size_t len)
{
  if (len == 2 && s[0] == '%' && (s[1] == 'l' || s[1] == 'a')) return 1 ;
  return spamscore_userok(s, len) ;
}

static int is (char const *name, size_t namelen, char const *lit)
{
  return namelen == strlen(lit) && !memcmp(name, lit, namelen) ;
}

char const *spamscore_rulevar (char const *name, size_t namelen, char const *value, size_t len)
{
  int32_t t ;
  if (is(name, namelen, "QHPSISPAM"))
    return len == 1 && (*value == '0' || *value == '1') ? 0 : "neither 0 nor 1" ;
  if (is(name, namelen, "QHPSISPAMTAG") || is(name, namelen, "QHPSISPAMREFUSE"))
    return spamscore_scan(value, len, &t) ? 0 : "not a score (5, 7.5, -1; at most 3 decimals)" ;
  if (is(name, namelen, "QHPSISPAMSETTINGS"))
    return spamscore_settingsok(value, len) ? 0 : "not a Settings-ID (1 to 64 of A-Z a-z 0-9 _ . -)" ;
  if (is(name, namelen, "QHPSISPAMUSER"))
    return spamscore_userspecok(value, len) ? 0 : "neither %l, %a nor a user name (1 to 255 printable bytes, no blank, no %)" ;
  return "not a per-recipient spam variable (QHPSISPAM, QHPSISPAMTAG, QHPSISPAMREFUSE, QHPSISPAMSETTINGS, QHPSISPAMUSER)" ;
}
