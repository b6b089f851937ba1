/* legacy.c: test plugin with IndiMail's one-function ABI: returns 1 when the
   message holds FAKE-VIRUS, 0 when not, 2 when it cannot be read. Exported
   as virusscan and as altscan (for QUEUE_PLUGIN_SYMB); each call appends
   its name to $TMPDIR/legacyplugin.log, so a test sees which one ran. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int virusscan (char *messfn) ;
int altscan (char *messfn) ;

static void record (char const *name)
{
  char const *dir = getenv("TMPDIR") ;
  char fn[4096] ;
  FILE *f ;
  if (!dir || snprintf(fn, sizeof fn, "%s/legacyplugin.log", dir) >= (int)sizeof fn) return ;
  f = fopen(fn, "a") ;
  if (!f) return ;
  fprintf(f, "%s\n", name) ;
  fclose(f) ;
}

static int scan (char const *messfn)
{
  char buf[65536 + 16] ;
  size_t keep = 0, n ;
  int found = 0 ;
  FILE *f = fopen(messfn, "r") ;
  if (!f) return 2 ;
  /* the last 9 bytes of a block go in front of the next: a marker may straddle */
  while (!found && (n = fread(buf + keep, 1, sizeof buf - keep, f)) > 0)
  {
    n += keep ;
    found = !!memmem(buf, n, "FAKE-VIRUS", 10) ;
    keep = n < 9 ? n : 9 ;
    memmove(buf, buf + n - keep, keep) ;
  }
  if (ferror(f)) found = 2 ;
  fclose(f) ;
  return found ;
}

int virusscan (char *messfn)
{
  record("virusscan") ;
  return scan(messfn) ;
}

int altscan (char *messfn)
{
  record("altscan") ;
  return scan(messfn) ;
}
