/* unit tests of template_split: words, quotes, %s, the one-word rule */

#include <string.h>
#include "policy/template.h"
#include "unit.h"

static char const *argv[TEMPLATE_MAXWORDS + 2] ;
static stralloc sa = STRALLOC_ZERO ;

/* the words joined with '|' */
static char const *split (char const *t)
{
  static char out[4096] ;
  int n = template_split(t, "/q/mess/1/2", &sa, argv) ;
  if (n < 0) return "ERROR" ;
  out[0] = 0 ;
  for (int i = 0 ; i < n ; i++)
  {
    if (i) strcat(out, "|") ;
    strcat(out, argv[i]) ;
  }
  if (argv[n]) return "NOT TERMINATED" ;
  return out ;
}

#define T(tmpl, want) CHECKMEM(split(tmpl), strlen(split(tmpl)), want, strlen(want), tmpl)

int main (void)
{
  char many[TEMPLATE_MAXWORDS * 2 + 8] ;
  T("clamdscan %s --fdpass --quiet --no-summary", "clamdscan|/q/mess/1/2|--fdpass|--quiet|--no-summary") ;
  T("scanner", "scanner|/q/mess/1/2") ;
  T("  scanner\t ", "scanner|/q/mess/1/2") ;
  T("scan -v", "scan|-v") ;
  T("scan %sfoo", "scan|/q/mess/1/2") ;
  T("scan x%s", "scan|x%s") ;
  T("scan %s %s", "scan|/q/mess/1/2|/q/mess/1/2") ;
  T("'my scanner' \"a b\" c'd e'f", "my scanner|a b|cd ef") ;
  T("scan ';' '$(rm -rf /)' `x`", "scan|;|$(rm -rf /)|`x`") ;
  T("scan ''", "scan|") ;
  T("scan 'open", "ERROR") ;
  T("scan \"open", "ERROR") ;
  T("", "ERROR") ;
  T(" \t\n", "ERROR") ;
  memset(many, 0, sizeof many) ;
  for (int i = 0 ; i < TEMPLATE_MAXWORDS ; i++) strcat(many, "a ") ;
  T(many, "a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a") ;
  strcat(many, "a") ;
  T(many, "ERROR") ;
  return UNIT_END() ;
}
