/* tests/unit/tcprules.c: tcprules_match/nextvar/allows against cdbs built
   by ucspi-tcp's own tcprules, and against hand-made damaged ones. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/cdb.h>
#include <skalibs/cdbmake.h>
#include "tcprules.h"
#include "unit.h"

static char dir[] = "/tmp/qhpsi-tcprules.XXXXXX" ;

static char const rules[] =
  "# comment\n"
  "127.0.0.1:allow,RELAYCLIENT=\"\",REJECTVIRUS=\"0\"\n"
  "127.0.0.2-4:allow,R=\"range\"\n"
  "127.0.0.:deny\n"
  "127.0.:allow,R=/slash/,V=\"a=b,c\"\n"
  "127.:allow,R=xx\n"
  "192.168.1.5:allow,QHPSI=\"\"\n"
  "joe@10.1.1.1:allow,R=\"info\"\n"
  "=host.example:allow,R=\"host\"\n"
  ":allow,REJECTVIRUS=\"1\"\n" ;

/* compiles text with tcprules into dir/name.cdb */
static int compile (char const *name, char const *text)
{
  char path[128], cmd[512] ;
  FILE *f ;
  snprintf(path, sizeof path, "%s/%s", dir, name) ;
  f = fopen(path, "w") ;
  if (!f) return 0 ;
  if (fputs(text, f) == EOF) { fclose(f) ; return 0 ; }
  if (fclose(f)) return 0 ;
  snprintf(cmd, sizeof cmd, "tcprules %s/%s.cdb %s/%s.tmp < %s", dir, name, dir, name, path) ;
  return !system(cmd) ;
}

/* writes a cdb of one key with raw data, as tcprules never would */
static int craft (char const *name, char const *key, char const *data, unsigned int datalen)
{
  char path[128] ;
  cdbmaker cm = CDBMAKER_ZERO ;
  int fd, ok ;
  snprintf(path, sizeof path, "%s/%s.cdb", dir, name) ;
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644) ;
  if (fd < 0) return 0 ;
  ok = cdbmake_start(&cm, fd) && cdbmake_add(&cm, key, strlen(key), data, datalen) && cdbmake_finish(&cm) ;
  return (close(fd) == 0) && ok ;
}

static int open_cdb (cdb *c, char const *name)
{
  char path[128] ;
  snprintf(path, sizeof path, "%s/%s.cdb", dir, name) ;
  return cdb_init(c, path) ;
}

/* all variables of the rule for ip, as "A=x;B=y;", or "deny:..." / "none" / "error" */
static char const *lookup (cdb const *c, char const *ip)
{
  static char out[512] ;
  cdb_data rule ;
  uint32_t pos = 0 ;
  char const *n, *v ;
  size_t nl, vl, len ;
  int r = tcprules_match(c, ip, &rule) ;
  if (r < 0) return "error" ;
  if (!r) return "none" ;
  strcpy(out, tcprules_allows(&rule) ? "" : "deny:") ;
  len = strlen(out) ;
  while ((r = tcprules_nextvar(&rule, &pos, &n, &nl, &v, &vl)) > 0)
    len += snprintf(out + len, sizeof out - len, "%.*s=%.*s;", (int)nl, n, (int)vl, v) ;
  return r < 0 ? "error" : out ;
}

#define LOOKUP(c, ip, want) do { \
  char const *got_ = lookup((c), (ip)) ; \
  CHECKMEM(got_, strlen(got_), (want), strlen(want), *(ip) ? (ip) : "empty address") ; \
} while (0)

int main (void)
{
  cdb c = CDB_ZERO ;
  cdb_data rule ;
  uint32_t pos ;
  char const *n, *v ;
  size_t nl, vl ;

  if (!mkdtemp(dir)) { perror("mkdtemp") ; return 111 ; }

  CHECK(compile("rules", rules), "tcprules compiles the fixture") ;
  CHECK(open_cdb(&c, "rules"), "cdb_init") ;
  LOOKUP(&c, "127.0.0.1", "RELAYCLIENT=;REJECTVIRUS=0;") ;
  LOOKUP(&c, "127.0.0.2", "R=range;") ;
  LOOKUP(&c, "127.0.0.4", "R=range;") ;
  LOOKUP(&c, "127.0.0.5", "deny:") ;
  LOOKUP(&c, "127.0.0.10", "deny:") ;
  LOOKUP(&c, "127.0.1.1", "R=slash;V=a=b,c;") ;
  LOOKUP(&c, "127.1.0.1", "R=;") ;
  LOOKUP(&c, "192.168.1.5", "QHPSI=;") ;
  LOOKUP(&c, "192.168.1.50", "REJECTVIRUS=1;") ;
  LOOKUP(&c, "10.1.1.1", "REJECTVIRUS=1;") ;  /* joe@ needs TCPREMOTEINFO */
  LOOKUP(&c, "host.example", "REJECTVIRUS=1;") ;  /* so does =host */
  LOOKUP(&c, "1270.0.0.1", "REJECTVIRUS=1;") ;  /* "127." is not a prefix of it */
  LOOKUP(&c, "::1", "REJECTVIRUS=1;") ;
  LOOKUP(&c, "::ffff:127.0.0.1", "REJECTVIRUS=1;") ;
  LOOKUP(&c, "", "REJECTVIRUS=1;") ;
  cdb_free(&c) ;

  CHECK(compile("nodefault", "10.:allow,A=\"1\"\n10.0.0.1:deny\n"), "tcprules compiles a set without default") ;
  CHECK(open_cdb(&c, "nodefault"), "cdb_init nodefault") ;
  LOOKUP(&c, "10.0.0.1", "deny:") ;
  LOOKUP(&c, "10.9.9.9", "A=1;") ;
  LOOKUP(&c, "11.0.0.1", "none") ;
  LOOKUP(&c, "::1", "none") ;
  cdb_free(&c) ;

  CHECK(compile("empty", "# nothing\n"), "tcprules compiles an empty set") ;
  CHECK(open_cdb(&c, "empty"), "cdb_init empty") ;
  LOOKUP(&c, "127.0.0.1", "none") ;
  cdb_free(&c) ;

  /* entries tcpserver skips: "+X" without '=', "+=x" (no name), unknown tags */
  CHECK(craft("odd", "", "+NOEQ\0+=x\0Zzz\0+\0+A=1\0", 21), "craft odd") ;
  CHECK(open_cdb(&c, "odd"), "cdb_init odd") ;
  LOOKUP(&c, "1.2.3.4", "A=1;") ;
  cdb_free(&c) ;

  /* deny anywhere in the rule denies, as in tcpserver */
  CHECK(craft("latedeny", "", "+A=1\0D\0", 7), "craft latedeny") ;
  CHECK(open_cdb(&c, "latedeny"), "cdb_init latedeny") ;
  LOOKUP(&c, "1.2.3.4", "deny:A=1;") ;
  cdb_free(&c) ;

  /* an unterminated entry is damage: an error, and never an allow */
  CHECK(craft("unterm", "", "+A=1\0+B=2", 9), "craft unterm") ;
  CHECK(open_cdb(&c, "unterm"), "cdb_init unterm") ;
  CHECK(tcprules_match(&c, "1.2.3.4", &rule) == 1, "unterm: matched") ;
  pos = 0 ;
  CHECK(tcprules_nextvar(&rule, &pos, &n, &nl, &v, &vl) == 1 && nl == 1 && *n == 'A', "unterm: first var") ;
  errno = 0 ;
  CHECK(tcprules_nextvar(&rule, &pos, &n, &nl, &v, &vl) == -1 && errno == EPROTO, "unterm: -1 EPROTO") ;
  CHECK(!tcprules_allows(&rule), "unterm: not allowed") ;
  cdb_free(&c) ;

  /* the end stays the end */
  rule.s = "" ; rule.len = 0 ; pos = 0 ;
  CHECK(tcprules_nextvar(&rule, &pos, &n, &nl, &v, &vl) == 0, "empty rule: no vars") ;
  CHECK(tcprules_allows(&rule), "empty rule: allows") ;

  /* hash tables pointing past the end of the file: malformed */
  {
    char path[128], head[2048] ;
    int fd ;
    unsigned int i ;
    for (i = 0 ; i < 256 ; i++)
    {
      /* each slot: table at 4096 with 4 entries, in a 2048-byte file */
      head[8*i] = 0 ; head[8*i+1] = 16 ; head[8*i+2] = 0 ; head[8*i+3] = 0 ;
      head[8*i+4] = 4 ; head[8*i+5] = 0 ; head[8*i+6] = 0 ; head[8*i+7] = 0 ;
    }
    snprintf(path, sizeof path, "%s/bad.cdb", dir) ;
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644) ;
    CHECK(fd >= 0 && write(fd, head, sizeof head) == (ssize_t)sizeof head && !close(fd), "write bad.cdb") ;
    if (open_cdb(&c, "bad"))
    {
      errno = 0 ;
      CHECK(tcprules_match(&c, "1.2.3.4", &rule) == -1 && errno == EPROTO, "bad cdb: -1 EPROTO") ;
      cdb_free(&c) ;
    }
    else CHECK(1, "bad cdb refused by cdb_init") ;
  }

  {
    char cmd[160] ;
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir) ;
    if (system(cmd)) perror("rm") ;
  }
  return UNIT_END() ;
}
