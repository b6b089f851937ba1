/* api.c: the public QHPSI API of qhpsi.h, on top of policy_load and
   scanstep: what the project's qmail-queue and a patched qmail's call. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/stralloc.h>

#include "qhpsi.h"
#include "queue/envelope.h"
#include "scan/logdest.h"
#include "queue/paths.h"
#include "policy/policy.h"
#include "queue/qqexit.h"
#include "queue/queue.h"
#include "scan/msgid.h"
#include "scan/scan.h"
#include "scan/scanstep.h"
#include "scan/seal.h"
#include "scan/verdict.h"

static policy pol ;
static int ready ;
static unsigned long queuedas ;
static envelope env = ENVELOPE_ZERO ;

int qhpsi_init (char const *home, char const *queue, unsigned long uid)
{
  int here, r ;
  if (!home || home[0] != '/' || (queue && queue[0] != '/')) return QQ_HOME ;
  paths_home = home ;
  paths_queue = queue ? queue : paths_join(home, "queue") ;
  if (!paths_queue) return QQ_NOMEM ;
  /* policy_load reads control/ relative to the home */
  here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
  if (here < 0) return QQ_HOME ;
  if (chdir(home) < 0) { close(here) ; return QQ_HOME ; }
  r = policy_load(&pol, uid) ;
  if (fchdir(here) < 0 && !r) r = QQ_HOME ;
  close(here) ;
  /* before the first line, and before anything is started that could
     write on a local user's terminal */
  if (!logdest_set(&pol) && !r) r = QQ_NOMEM ;
  if (r)
  {
    struct qhpsi_result bad = { .verdict = QHPSI_ERROR } ;
    verdict_logline l = { .qp = getpid(), .ip = pol.remoteip, .route = "none", .verdict = "error",
      .r = &bad, .action = "config" } ;
    snprintf(bad.text, sizeof bad.text, "bad %s%s%s", pol.bad ? pol.bad : "setting",
      pol.why ? ": " : "", pol.why ? pol.why : "") ;
    verdict_log(&l) ;
    return r ;
  }
  ready = 1 ;
  return QHPSI_GOON ;
}

/* env gets the entries of s; they were checked when the envelope was read,
   but a short or odd one is still refused rather than trusted */
static int setenvelope (char const *s, size_t len)
{
  size_t i ;
  env.sa.len = 0 ;
  env.nrcpt = 0 ;
  if (!len || s[0] != 'F' || s[len - 1]) return QQ_ENVELOPE ;
  if (!stralloc_catb(&env.sa, s, len)) return QQ_NOMEM ;
  i = strlen(s) + 1 ;
  env.rcptpos = i ;
  while (i < len)
  {
    if (s[i] != 'T') return QQ_ENVELOPE ;
    i += strlen(s + i) + 1 ;
    env.nrcpt++ ;
  }
  return 0 ;
}

/* the core both entry points share; q describes the message */
static int step (queue *q, unsigned long qp)
{
  struct qhpsi_result result ;
  int r = scanstep(q, &pol, &env, qp, &result) ;
  return r >= 0 ? scanstep_customerr(&pol, r, &result) : QHPSI_GOON ;
}

static int fill (queue *q, int messfd, char const *messfn)
{
  struct stat st ;
  size_t n = strlen(messfn) ;
  if (n >= sizeof q->messfn) return QQ_MESS ;
  memset(q, 0, sizeof *q) ;
  if (fstat(messfd, &st) < 0) return QQ_MESS ;
  q->messfd = messfd ;
  q->intdfd = -1 ;
  q->messlen = st.st_size ;
  q->messnum = queuedas ? queuedas : st.st_ino ;
  q->pid = getpid() ;
  /* the quarantine dates its entries by it */
  q->start = time(0) ;
  memcpy(q->messfn, messfn, n + 1) ;
  return 0 ;
}

int qhpsi_scan (int messfd, char const *messfn, unsigned long qp, char const **e, size_t *elen)
{
  queue q ;
  int r ;
  if (!ready) return QQ_CONFIG ;
  r = fill(&q, messfd, messfn) ;
  if (!r) r = setenvelope(*e, *elen) ;
  if (r) return r ;
  r = step(&q, qp) ;
  if (r == QHPSI_GOON) { *e = env.sa.s ; *elen = env.sa.len ; }
  return r ;
}

/* What verdict_decide and scanstep put in front of a clean message: the
   X-QHPSI line, and the seal when there is a key. The guess is made only
   where scanstep scans; anything else it might write (a seal reused, a
   release, a self-test, a plugin's own lines) makes the guess wrong, and
   the caller then rewrites. Nothing here writes a static: it runs beside
   qhpsi_scan. */
size_t qhpsi_ahead (int messfd, char *buf, size_t max)
{
  static char const clean[] = "X-QHPSI: clean\n" ;
  stralloc hdr = STRALLOC_ZERO ;
  seal_key key ;
  struct stat st ;
  char *fn ;
  size_t n = 0 ;
  int sealing ;
  if (!ready || !pol.qhpsi || pol.release || fstat(messfd, &st) < 0) return 0 ;
  if ((pol.minsize && (uint64_t)st.st_size < pol.minsize) || (pol.maxsize && (uint64_t)st.st_size > pol.maxsize)) return 0 ;
  if (!buf) return sizeof clean - 1 ;
  fn = paths_join(paths_home, "control/qhpsikey") ;
  sealing = fn && seal_loadkey(fn, &key, 0) ;
  free(fn) ;
  /* the seal's time is scanstep's, the second qhpsi_scan starts in: the
     same but where a second ends in between, and then the guess is wrong */
  if (stralloc_catb(&hdr, clean, sizeof clean - 1)
   && (!sealing || seal_make(&key, &hdr, "clean", time(0), messfd, st.st_size))
   && hdr.len <= max)
  {
    memcpy(buf, hdr.s, hdr.len) ;
    n = hdr.len ;
  }
  stralloc_free(&hdr) ;
  return n ;
}

void qhpsi_queuedas (unsigned long messnum)
{
  queuedas = messnum ;
}

int qhpsi_scansfd (void)
{
  return ready && pol.qhpsi && scan_isplugin(pol.qhpsi) ;
}

int qhpsi_envelopeerror (int code, int messfd, unsigned long qp, char const *s, size_t len)
{
  struct qhpsi_result bad = { .verdict = QHPSI_ERROR } ;
  verdict_logline l = { .qp = qp, .ip = pol.remoteip, .env = &env, .route = "none", .verdict = "none",
    .r = &bad, .action = "envelope" } ;
  char msgid[MSGID_MAX + 1] ;
  struct stat st ;
  size_t i = 0, whole = 0 ;
  if (!ready || (!pol.qhpsi && !pol.skipempty)) return code ;
  /* the entries read whole: the sender first, then recipients */
  env.sa.len = 0 ; env.nrcpt = 0 ; env.rcptpos = 0 ;
  while (i < len)
  {
    char const *z = memchr(s + i, 0, len - i) ;
    if (!z || s[i] != (i ? 'T' : 'F')) break ;
    i = z - s + 1 ;
    if (whole) env.nrcpt++ ; else env.rcptpos = i ;
    whole = i ;
  }
  if (!whole || !stralloc_catb(&env.sa, s, whole)) { env.sa.len = 0 ; env.nrcpt = 0 ; }
  if (msgid_read(messfd, msgid)) l.msgid = msgid ;
  if (fstat(messfd, &st) == 0) l.size = st.st_size ;
  snprintf(bad.text, sizeof bad.text, "%s", code == QQ_ADDRTOOLONG ? "address too long" : code == QQ_ENVELOPE ? "envelope format error"
    : code == QQ_NOMEM ? "out of memory" : "unable to read the envelope") ;
  verdict_log(&l) ;
  return code ;
}

/* intd: "u<uid>\0p<pid>\0" then the envelope */
static int readintd (int fd, stralloc *sa, size_t *envpos)
{
  char buf[4096] ;
  size_t i = 0 ;
  ssize_t r ;
  while ((r = fd_read(fd, buf, sizeof buf)) > 0)
    if (!stralloc_catb(sa, buf, r)) return QQ_NOMEM ;
  if (r < 0) return QQ_READ ;
  for (int k = 0 ; k < 2 ; k++)
  {
    char const *z = i < sa->len ? memchr(sa->s + i, 0, sa->len - i) : 0 ;
    if (!z || sa->s[i] != "up"[k]) return QQ_INTD ;
    i = z - sa->s + 1 ;
  }
  *envpos = i ;
  return 0 ;
}

int qhpsi_scanqueued (char const *messfn, char const *intdfn, unsigned long qp)
{
  stralloc sa = STRALLOC_ZERO ;
  queue q ;
  size_t envpos ;
  uint64_t before ;
  int messfd, intdfd, r ;
  if (!ready) return QQ_CONFIG ;
  if (!pol.qhpsi && !pol.skipempty) return QHPSI_GOON ;
  messfd = open(messfn, O_RDWR | O_CLOEXEC) ;
  if (messfd < 0) return QQ_MESS ;
  intdfd = open(intdfn, O_RDWR | O_CLOEXEC) ;
  if (intdfd < 0) { close(messfd) ; return QQ_INTD ; }
  r = fill(&q, messfd, messfn) ;
  if (!r) r = readintd(intdfd, &sa, &envpos) ;
  if (!r) r = setenvelope(sa.s + envpos, sa.len - envpos) ;
  if (r) goto end ;
  before = q.messlen ;
  r = step(&q, qp) ;
  if (r != QHPSI_GOON) goto end ;
  if (q.messlen != before && fsync(messfd) < 0) { r = QQ_WRITE ; goto end ; }
  /* VIRUSFORWARD: the same u and p entries, the new envelope */
  if (env.sa.len != sa.len - envpos || memcmp(env.sa.s, sa.s + envpos, env.sa.len))
  {
    if (ftruncate(intdfd, envpos) < 0
     || pwrite(intdfd, env.sa.s, env.sa.len, envpos) != (ssize_t)env.sa.len
     || fsync(intdfd) < 0) r = QQ_WRITE ;
  }
 end:
  stralloc_free(&sa) ;
  close(intdfd) ;
  close(messfd) ;
  return r ;
}
