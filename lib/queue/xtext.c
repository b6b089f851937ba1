/* xtext.c: RFC 3461 xtext, for addresses and names that reach a header
   or a line of a record. */

#include <skalibs/stralloc.h>

#include "queue/xtext.h"

int xtext_cat (stralloc *sa, char const *s)
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
