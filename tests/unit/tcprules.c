/* tests/unit/tcprules.c: tcprules_match/nextvar/allows against cdbs built
   by ucspi-tcp's own tcprules, and against hand-made damaged ones. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/cdb.h>
#include <skalibs/cdbmake.h>
#include "policy/tcprules.h"
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

/* copies dir/from.cdb to dir/to.cdb, keeping only its first keep bytes
   (all of it if keep is -1) */
static int copycdb (char const *from, char const *to, long keep)
{
  char cmd[512] ;
  if (keep < 0) snprintf(cmd, sizeof cmd, "cp %s/%s.cdb %s/%s.cdb", dir, from, dir, to) ;
  else snprintf(cmd, sizeof cmd, "head -c %ld %s/%s.cdb > %s/%s.cdb", keep, dir, from, dir, to) ;
  return !system(cmd) ;
}

/* writes the 4 little-endian bytes of u at off in dir/name.cdb */
static int patch32 (char const *name, long off, uint32_t u)
{
  char path[128], b[4] = { (char)(u & 0xff), (char)(u >> 8 & 0xff), (char)(u >> 16 & 0xff), (char)(u >> 24) } ;
  int fd, ok ;
  snprintf(path, sizeof path, "%s/%s.cdb", dir, name) ;
  fd = open(path, O_WRONLY) ;
  if (fd < 0) return 0 ;
  ok = pwrite(fd, b, 4, off) == 4 ;
  return (close(fd) == 0) && ok ;
}

/* a damaged cdb: every lookup is -1 with EPROTO or a rule that lies
   wholly inside the file; want_error: the lookup of ip must be an error */
static void damaged (char const *name, char const *ip, int want_error)
{
  cdb c = CDB_ZERO ;
  cdb_data rule ;
  char what[160] ;
  int r ;
  snprintf(what, sizeof what, "%s: %s", name, *ip ? ip : "empty address") ;
  if (!open_cdb(&c, name)) { CHECK(!want_error || errno != 0, what) ; return ; }
  errno = 0 ;
  r = tcprules_match(&c, ip, &rule) ;
  if (want_error) CHECK(r == -1 && errno == EPROTO, what) ;
  else CHECK(r == -1 ? errno == EPROTO : r == 0 || (rule.s >= c.map && rule.s - c.map <= (long)c.size && rule.len <= c.size - (rule.s - c.map)), what) ;
  cdb_free(&c) ;
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

  /* truncated and corrupted copies of a real tcprules cdb */
  {
    struct stat st ;
    char path[128] ;
    long size, dataoff ;
    static char const *const ips[] = { "127.0.0.1", "127.0.0.5", "127.1.2.3", "192.168.1.5", "1.2.3.4", "::1", "" } ;
    snprintf(path, sizeof path, "%s/rules.cdb", dir) ;
    CHECK(!stat(path, &st), "stat rules.cdb") ;
    size = (long)st.st_size ;
    CHECK(open_cdb(&c, "rules"), "cdb_init rules again") ;
    CHECK(tcprules_match(&c, "1.2.3.4", &rule) == 1, "the default rule") ;
    dataoff = rule.s - c.map ;  /* the empty key: the data follows the 8-byte record head */
    cdb_free(&c) ;

    {
      long bad = -1 ;
      for (long keep = 0 ; keep < size && bad < 0 ; keep += keep < 2048 ? 512 : 1)
      {
        char name[32] ;
        snprintf(name, sizeof name, "trunc%ld", keep) ;
        if (!copycdb("rules", name, keep)) { bad = keep ; break ; }
        for (unsigned int i = 0 ; i < sizeof ips / sizeof *ips ; i++)
        {
          cdb t = CDB_ZERO ;
          errno = 0 ;
          if (!open_cdb(&t, name)) continue ;  /* an empty file cannot be mapped */
          if (tcprules_match(&t, ips[i], &rule) != -1 || errno != EPROTO) bad = keep ;
          cdb_free(&t) ;
        }
      }
      if (bad >= 0) printf("# first bad truncation: %ld of %ld bytes\n", bad, size) ;
      CHECK(bad < 0, "every truncated copy is an error for every address") ;
    }

    /* a data length one byte past the end, and one of 4 GiB */
    CHECK(copycdb("rules", "pastend", -1) && patch32("pastend", dataoff - 4, (uint32_t)(size - dataoff + 1)), "corrupt a data length") ;
    damaged("pastend", "1.2.3.4", 1) ;
    damaged("pastend", "127.0.0.1", 0) ;
    CHECK(copycdb("rules", "huge", -1) && patch32("huge", dataoff - 4, 0xffffffffU), "corrupt a data length to 2^32-1") ;
    damaged("huge", "1.2.3.4", 1) ;
    damaged("huge", "::1", 1) ;
    /* a key length past the end */
    CHECK(copycdb("rules", "keylen", -1) && patch32("keylen", dataoff - 8, 0x7fffffffU), "corrupt a key length") ;
    damaged("keylen", "1.2.3.4", 0) ;
    /* hash tables bigger than the file: a slot count of 2^29+1 wraps the
       table to one slot, which a probe would circle 2^29 times */
    CHECK(copycdb("rules", "slots", -1), "copy for slots") ;
    for (unsigned int i = 0 ; i < 256 ; i++) patch32("slots", 8 * i + 4, 0x20000001U) ;
    damaged("slots", "1.2.3.4", 1) ;
    damaged("slots", "127.0.0.1", 1) ;
    /* a table starting past the end */
    CHECK(copycdb("rules", "tablepos", -1), "copy for tablepos") ;
    for (unsigned int i = 0 ; i < 256 ; i++) patch32("tablepos", 8 * i, 0xfffffff8U) ;
    damaged("tablepos", "1.2.3.4", 1) ;
    /* the intact one still answers */
    CHECK(copycdb("rules", "intact", -1), "copy intact") ;
    CHECK(open_cdb(&c, "intact"), "cdb_init intact") ;
    LOOKUP(&c, "1.2.3.4", "REJECTVIRUS=1;") ;
    cdb_free(&c) ;
  }

  {
    char cmd[160] ;
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir) ;
    if (system(cmd)) perror("rm") ;
  }
  return UNIT_END() ;
}
