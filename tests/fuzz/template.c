/* tests/fuzz/template.c: template_split on the input (up to its first NUL;
   what follows is the message path). */

#include <string.h>
#include <skalibs/stralloc.h>
#include "policy/template.h"
#include "fuzz.h"

static int isblank_ (char c) { return c == ' ' || c == '\t' || c == '\n' ; }

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  char *s = malloc(size + 2) ;
  char const *argv[TEMPLATE_MAXWORDS + 2] ;
  stralloc sa = STRALLOC_ZERO ;
  char const *tmpl, *path ;
  int n ;
  if (!s) abort() ;
  memcpy(s, data, size) ;
  s[size] = 0 ; s[size + 1] = 0 ;
  tmpl = s ;
  path = s + strlen(s) + 1 ;
  if (path > s + size) path = s + size ;
  n = template_split(tmpl, path, &sa, argv) ;
  FUZZ_ASSERT(n == -1 || (n >= 1 && n <= TEMPLATE_MAXWORDS + 1)) ;
  if (n > 0)
  {
    FUZZ_ASSERT(!argv[n]) ;
    for (int i = 0 ; i < n ; i++)
    {
      FUZZ_ASSERT(argv[i]) ;
      if (argv[i] == path) continue ;
      /* every other word lies inside sa, NUL-terminated there */
      FUZZ_ASSERT(argv[i] >= sa.s && argv[i] < sa.s + sa.len) ;
      FUZZ_ASSERT(strlen(argv[i]) < (size_t)(sa.s + sa.len - argv[i])) ;
      FUZZ_ASSERT(strncmp(argv[i], "%s", 2)) ;
    }
    if (!strchr(tmpl, '\'') && !strchr(tmpl, '"'))
    {
      /* without quotes the words are the blank-separated tokens */
      char const *t = tmpl ;
      int k = 0 ;
      for (;;)
      {
        size_t len ;
        while (isblank_(*t)) t++ ;
        if (!*t) break ;
        for (len = 0 ; t[len] && !isblank_(t[len]) ; len++) ;
        FUZZ_ASSERT(k < n) ;
        if (!strncmp(t, "%s", 2)) FUZZ_ASSERT(argv[k] == path) ;
        else FUZZ_ASSERT(strlen(argv[k]) == len && !memcmp(argv[k], t, len)) ;
        k++ ; t += len ;
      }
      FUZZ_ASSERT(k == n || (k == 1 && n == 2 && argv[1] == path)) ;
    }
  }
  stralloc_free(&sa) ;
  free(s) ;
  return 0 ;
}
