/* unit tests of the public API (qhpsi.h): its refusals, and a scan through
   a scanner script in a throw-away queue, both entry points */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "qhpsi.h"
#include "unit.h"

static char home[] = "/tmp/qhpsi-unit-api.XXXXXX" ;
static char path[512] ;

static char const *at (char const *rel)
{
  snprintf(path, sizeof path, "%s/%s", home, rel) ;
  return path ;
}

static void put (char const *rel, char const *s, size_t len)
{
  int fd = open(at(rel), O_WRONLY | O_CREAT | O_TRUNC, 0644) ;
  if (fd < 0 || write(fd, s, len) != (ssize_t)len) { perror(rel) ; exit(111) ; }
  close(fd) ;
}

static size_t get (char const *rel, char *s, size_t max)
{
  int fd = open(at(rel), O_RDONLY) ;
  ssize_t n = fd < 0 ? -1 : read(fd, s, max) ;
  if (fd >= 0) close(fd) ;
  return n < 0 ? 0 : (size_t)n ;
}

#define MSG "Received: (qmail 1 invoked by uid 0); now\nSubject: t\n\nhi\n"
#define ENV "Fs@x\0Ta@y\0Tb@z\0"
#define INTD "u0\0p1\0" ENV

int main (void)
{
  char buf[4096], scanner[600] ;
  char const *e = ENV ;
  size_t elen = sizeof ENV - 1, n ;
  int fd ;

  CHECK(qhpsi_scan(-1, "mess/0/1", 1, &e, &elen) == 55, "no scan before qhpsi_init");
  CHECK(qhpsi_scanqueued("mess/0/1", "intd/1", 1) == 55, "no queued scan before qhpsi_init");
  CHECK(qhpsi_init("relative/home", 0, getuid()) == 61, "a relative home is refused");
  if (!mkdtemp(home)) return 111 ;
  chmod(home, 0755) ;
  if (mkdir(at("queue"), 0755) || mkdir(at("queue/mess"), 0755) || mkdir(at("queue/mess/0"), 0755)
   || mkdir(at("queue/intd"), 0755) || mkdir(at("control"), 0755) || mkdir(at("control/qhpsi"), 0755)) return 111 ;
  /* the policy from control/qhpsi/, which counts for every caller */
  snprintf(scanner, sizeof scanner, "%s/scanner", home) ;
  {
    static char const sh[] = "#!/bin/sh\ngrep -q VIRUS \"$1\" || exit 0\necho \"$1: Unit-Sig FOUND\"\nexit 1\n" ;
    put("scanner", sh, sizeof sh - 1) ;
  }
  chmod(scanner, 0755) ;
  put("control/qhpsi/QHPSI", scanner, strlen(scanner)) ;
  put("control/qhpsi/QHPSIHELPER", "0\n", 2) ;
  put("control/qhpsi/VIRUSFORWARD", "q@quarantine\n", 13) ;
  CHECK(qhpsi_init(home, 0, getuid()) == QHPSI_GOON, "qhpsi_init with control/qhpsi/");
  if (chdir(at("queue")) < 0) return 111 ;

  /* qhpsi_scan: clean, the envelope unchanged */
  put("queue/mess/0/1", MSG, sizeof MSG - 1) ;
  fd = open("mess/0/1", O_RDWR) ;
  CHECK(qhpsi_scan(fd, "mess/0/1", 1, &e, &elen) == QHPSI_GOON, "clean: go on");
  close(fd) ;
  CHECKMEM(e, elen, ENV, sizeof ENV - 1, "clean: envelope as it was");
  n = get("queue/mess/0/1", buf, sizeof buf) ;
  CHECKMEM(buf, n, "X-QHPSI: clean\n" MSG, sizeof "X-QHPSI: clean\n" MSG - 1, "clean: tag in front");

  /* a bad envelope is refused, not scanned */
  e = "Ts@x" ; elen = 5 ;
  fd = open("mess/0/1", O_RDWR) ;
  CHECK(qhpsi_scan(fd, "mess/0/1", 1, &e, &elen) == 91, "an envelope without F is 91");
  close(fd) ;

  /* qhpsi_scanqueued: infected, forwarded, intd rewritten */
  put("queue/mess/0/1", MSG "VIRUS\n", sizeof MSG + 5) ;
  put("queue/intd/1", INTD, sizeof INTD - 1) ;
  CHECK(qhpsi_scanqueued("mess/0/1", "intd/1", 1) == QHPSI_GOON, "forward: go on");
  n = get("queue/intd/1", buf, sizeof buf) ;
#define NEWINTD "u0\0p1\0Fs@x\0Tq@quarantine\0"
  CHECKMEM(buf, n, NEWINTD, sizeof NEWINTD - 1, "forward: intd has the one new recipient");
  n = get("queue/mess/0/1", buf, sizeof buf) ;
#define FWD "X-QHPSI: virus found (Unit-Sig)\nX-Quarantine-ID: <a@y>,\n\t<b@z>\n" MSG "VIRUS\n"
  CHECKMEM(buf, n, FWD, sizeof FWD - 1, "forward: tag and X-Quarantine-ID in front");

  /* clean through intd: intd untouched */
  put("queue/mess/0/1", MSG, sizeof MSG - 1) ;
  put("queue/intd/1", INTD, sizeof INTD - 1) ;
  CHECK(qhpsi_scanqueued("mess/0/1", "intd/1", 1) == QHPSI_GOON, "queued clean: go on");
  n = get("queue/intd/1", buf, sizeof buf) ;
  CHECKMEM(buf, n, INTD, sizeof INTD - 1, "queued clean: intd as it was");
  put("queue/intd/1", "p1\0", 3) ;
  CHECK(qhpsi_scanqueued("mess/0/1", "intd/1", 1) == 65, "an intd without u is 65");
  CHECK(qhpsi_scanqueued("mess/0/2", "intd/1", 1) == 64, "a missing message is 64");

  /* qhpsi_ahead: the lines a clean scan will put in front, guessed before
     it; with the seal key, the seal too. A second may end between guess
     and scan (the seal's time), so a wrong pair is tried once more. */
  CHECK(qhpsi_ahead(-1, 0, 0) == 0, "ahead: no guess for no file");
  put("queue/mess/0/1", MSG, sizeof MSG - 1) ;
  fd = open("mess/0/1", O_RDWR) ;
  CHECK(qhpsi_ahead(fd, 0, 0) > 0, "ahead: a scan will run: a guess to make");
  n = qhpsi_ahead(fd, buf, sizeof buf) ;
  CHECKMEM(buf, n, "X-QHPSI: clean\n", 15, "ahead: the clean line");
  CHECK(qhpsi_ahead(fd, buf, 14) == 0, "ahead: no room, no guess");
  close(fd) ;
  put("control/qhpsikey", "0123456789abcdef0123456789abcdef", 32) ;
  chmod(at("control/qhpsikey"), 0600) ;
  for (int tries = 0 ; tries < 2 ; tries++)
  {
    char guess[2048] ;
    size_t gn ;
    put("queue/mess/0/1", MSG, sizeof MSG - 1) ;
    fd = open("mess/0/1", O_RDWR) ;
    gn = qhpsi_ahead(fd, guess, sizeof guess) ;
    e = ENV ; elen = sizeof ENV - 1 ;
    if (qhpsi_scan(fd, "mess/0/1", 1, &e, &elen) != QHPSI_GOON) gn = 0 ;
    close(fd) ;
    n = get("queue/mess/0/1", buf, sizeof buf) ;
    if (tries || (gn > 15 && n == gn + sizeof MSG - 1 && !memcmp(buf, guess, gn)))
    {
      CHECK(gn > 15 && !memcmp(guess, "X-QHPSI: clean\nX-QHPSI-Seal: ", 29), "ahead, sealed: the clean line and a seal");
      CHECKMEM(buf, n < gn ? n : gn, guess, gn, "ahead, sealed: what the scan put in front");
      break ;
    }
  }

  snprintf(buf, sizeof buf, "rm -rf '%s'", home) ;
  if (system(buf)) { }
  return UNIT_END() ;
}
