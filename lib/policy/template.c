/* template.c: splits QHPSI="clamdscan %s --fdpass" into words, never
   through a shell, so no message path or setting is ever interpreted. */

#include <string.h>

#include <skalibs/stralloc.h>

#include "policy/template.h"

int template_split (char const *tmpl, char const *path, stralloc *sa, char const **argv)
{
  size_t starts[TEMPLATE_MAXWORDS] ;
  int n = 0, withpath = 0 ;
  char const *s = tmpl ;
  sa->len = 0 ;
  for (;;)
  {
    while (*s == ' ' || *s == '\t' || *s == '\n') s++ ;
    if (!*s) break ;
    if (n == TEMPLATE_MAXWORDS) return -1 ;
    starts[n++] = sa->len ;
    while (*s && *s != ' ' && *s != '\t' && *s != '\n')
    {
      if (*s == '\'' || *s == '"')
      {
        char const *end = strchr(s + 1, *s) ;
        if (!end) return -1 ;
        if (!stralloc_catb(sa, s + 1, end - s - 1)) return -1 ;
        s = end + 1 ;
      }
      else if (!stralloc_catb(sa, s++, 1)) return -1 ;
    }
    if (!stralloc_0(sa)) return -1 ;
  }
  if (!n) return -1 ;
  for (int i = 0 ; i < n ; i++)
  {
    argv[i] = sa->s + starts[i] ;
    if (!strncmp(argv[i], "%s", 2)) { argv[i] = path ; withpath = 1 ; }
  }
  if (n == 1 && !withpath) argv[n++] = path ;
  argv[n] = 0 ;
  return n ;
}
