/* rulecheck CDB IP: prints the variables of the tcprules rule that matches
   IP, one NAME=value a line, then "allow" or "deny" ("no rule" first when
   nothing matches), so tests can compare our lookup with tcpserver's. */

#include <stdint.h>
#include <skalibs/buffer.h>
#include <skalibs/cdb.h>
#include <skalibs/strerr.h>
#include "policy/tcprules.h"

#define USAGE "rulecheck cdb ip"

static void put (char const *s, size_t len)
{
  if (buffer_put(buffer_1, s, len) < 0) strerr_diefu1sys(111, "write to stdout") ;
}

int main (int argc, char const *const *argv)
{
  cdb c = CDB_ZERO ;
  cdb_data rule ;
  uint32_t pos = 0 ;
  char const *name, *value ;
  size_t namelen, valuelen ;
  int r ;
  PROG = "rulecheck" ;
  if (argc != 3) strerr_dieusage(100, USAGE) ;
  if (!cdb_init(&c, argv[1])) strerr_diefu2sys(111, "open ", argv[1]) ;
  r = tcprules_match(&c, argv[2], &rule) ;
  if (r < 0) strerr_diefu2sys(111, "read ", argv[1]) ;
  if (!r)
  {
    /* tcpserver lets a client through when no rule matches */
    put("no rule\nallow\n", 14) ;
  }
  else
  {
    while ((r = tcprules_nextvar(&rule, &pos, &name, &namelen, &value, &valuelen)) > 0)
    {
      put(name, namelen) ; put("=", 1) ; put(value, valuelen) ; put("\n", 1) ;
    }
    if (r < 0) strerr_diefu2sys(111, "read ", argv[1]) ;
    if (tcprules_allows(&rule)) put("allow\n", 6) ; else put("deny\n", 5) ;
  }
  if (!buffer_flush(buffer_1)) strerr_diefu1sys(111, "write to stdout") ;
  cdb_free(&c) ;
  return 0 ;
}
