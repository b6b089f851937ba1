/* names.c: what QHPSIRULES, PLUGINDIR and the form of QHPSI may say. */

#include <stdlib.h>
#include <string.h>

#include "policy/names.h"

static char const alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" ;

static int rulesname (char const *s, size_t n)
{
  if (!n || n > 64 || !strchr(alnum, *s)) return 0 ;
  for (size_t i = 0 ; i < n ; i++) if (!s[i] || (!strchr(alnum, s[i]) && !strchr("_.-", s[i]))) return 0 ;
  return 1 ;
}

char *names_rules (char const *s, char const *home, char const **why)
{
  static char const dir[] = "control/qhpsirules/" ;
  size_t h = strlen(home), n ;
  char *fn ;
  /* the file itself: home/control/qhpsirules/NAME.qrc, or relative to home */
  if (*s == '/')
  {
    if (strncmp(s, home, h) || s[h] != '/' || strncmp(s + h + 1, dir, sizeof dir - 1))
    {
      *why = "a path outside control/qhpsirules/" ;
      return 0 ;
    }
    s += h + sizeof dir ;
  }
  else if (!strncmp(s, dir, sizeof dir - 1)) s += sizeof dir - 1 ;
  else goto name ;
  n = strlen(s) ;
  if (n < 5 || strcmp(s + n - 4, ".qrc"))
  {
    *why = "a file in control/qhpsirules/ not named NAME.qrc" ;
    return 0 ;
  }
  n -= 4 ;
  goto check ;
 name:
  n = strlen(s) ;
 check:
  if (!rulesname(s, n))
  {
    *why = "neither a name (letters, digits, _ . -) nor a file in control/qhpsirules/" ;
    return 0 ;
  }
  fn = malloc(h + sizeof dir + n + 6) ;
  if (!fn) { *why = "out of memory" ; return 0 ; }
  memcpy(fn, home, h) ;
  fn[h] = '/' ;
  memcpy(fn + h + 1, dir, sizeof dir - 1) ;
  memcpy(fn + h + sizeof dir, s, n) ;
  memcpy(fn + h + sizeof dir + n, ".qrc", 5) ;
  return fn ;
}

/* a name under the plugin directory: no '/', not "." or ".." */
static int plainname (char const *s)
{
  return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..") ;
}

char const *names_pluginsub (char const *s, char const *dir, char const **why)
{
  size_t n = strlen(dir) ;
  *why = "not a subdirectory name of the plugin directory" ;
  if (!strncmp(s, "plugins", 7) && (!s[7] || s[7] == '/')) s += 7 ;
  else if (!strncmp(s, dir, n) && (!s[n] || s[n] == '/')) s += n ;
  else return plainname(s) ? s : 0 ;
  while (*s == '/') s++ ;
  if (!*s) return s ;
  {
    size_t len = strcspn(s, "/") ;
    /* one name, and at most trailing slashes after it */
    if (s[len + strspn(s + len, "/")]) return 0 ;
    if (s[len])
    {
      char *t = strndup(s, len) ;
      if (!t) { *why = "out of memory" ; return 0 ; }
      if (!plainname(t)) { free(t) ; return 0 ; }
      return t ;
    }
  }
  return plainname(s) ? s : 0 ;
}

char const *names_qhpsi (char const *s)
{
  char const *t = s + strspn(s, " \t") ;
  size_t n = strcspn(t, " \t/:") ;
  if (t[n] != ':') return 0 ;
  if (n != 6 || strncmp(t, "plugin", 6))
    return "unknown scheme before ':' (plugin: is the only one)" ;
  /* "plugin:" alone stays a scanner error (77), as it always was */
  return t == s ? 0 : "blanks before plugin:" ;
}
