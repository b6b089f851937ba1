/* qhpsi-rules: compiles content rule files into one compiled rules file for
   the rules plugin, and (-t) shows what a compiled file holds and which rule
   a message matches. See qhpsi-rules(8). */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>

#include "queue/received.h"
#include "inspect/inspect.h"
#include "rules/rules.h"

#define USAGE "qhpsi-rules [-k] -o out.qrc [-q qmfilt] [-a quarantine-attachments.txt] [-n names] [-h header-rules] ... | qhpsi-rules -t compiled.qrc [-f sender] [-Q] [message|-] | qhpsi-rules -T [-k] [-q ...] [-a ...] [-n ...] [-h ...] [-f sender] [-Q] [message|-]"

static struct rules *R ;

/* UTF-8 as it is, control characters as ?, at most 200 bytes */
static void show (char const *what, size_t len)
{
  size_t n = len > 200 ? 200 : len ;
  for (size_t k = 0 ; k < n ; k++)
  {
    unsigned char c = what[k] ;
    putchar(c >= 32 && c != 127 ? c : c == '\t' ? ' ' : '?') ;
  }
  printf("%s\n", n < len ? "..." : "") ;
}

static void explain (void *ctx, uint32_t i, char const *what, size_t len, int counted, char const *from)
{
  struct rules_rec const *x ;
  (void)ctx ;
  if (counted == RULES_NAME) { printf("name (%s): ", from) ; show(what, len) ; return ; }
  x = rules_rule(R, i) ;
  if (counted == RULES_MATCH) printf("match %s (rule %u, %s:%u) in %s: ", rules_str(R, x->name), i + 1, rules_str(R, x->file), x->line, rules_scopename[x->scope]) ;
  else printf("skip %s (rule %u): message size %s the size window: ", rules_str(R, x->name), i + 1, "outside") ;
  show(what, len) ;
}

/* -Q: a queued message (queue/mess, a quarantined copy): the lines this
   server put above qmail-queue's Received line, and that line, are not
   part of what was received */
static size_t queuedhead (char const *s, size_t len)
{
  size_t i = 0 ;
  while (i < len)
  {
    size_t n = received_len(s + i, len - i) ;
    char const *nl ;
    if (n) return i + n ;
    if (!(len - i > 7 && !strncasecmp(s + i, "X-QHPSI", 7)) && !(len - i > 16 && !strncasecmp(s + i, "X-Quarantine-ID:", 16))
     && (!i || (s[i] != ' ' && s[i] != '\t'))) break ;
    nl = memchr(s + i, '\n', len - i) ;
    if (!nl) break ;
    i = nl - s + 1 ;
  }
  strerr_dief1x(100, "-Q: not a queued message: no qmail-queue Received line at its head") ;
}

static int test (char const *file, int temporary, char const *sender, char const *msgfile, int queued)
{
  size_t skip = 0 ;
  char err[256] ;
  uint32_t hit ;
  char const *why ;
  int allowed, fd, r ;
  struct stat st ;
  char *msg = 0 ;
  size_t len = 0 ;
  fd = open(file, O_RDONLY | O_CLOEXEC) ;
  if (fd < 0) strerr_diefu2sys(111, "open ", file) ;
  if (temporary) unlink(file) ;
  R = rules_load(fd, err, sizeof err) ;
  if (!R) strerr_dief3x(100, file, ": ", err) ;
  close(fd) ;
  for (uint32_t i = 0 ; i < rules_count(R) ; i++)
  {
    struct rules_rec const *x = rules_rule(R, i) ;
    printf("rule %u: %s: %s", i + 1, rules_str(R, x->name), rules_scopename[x->scope]) ;
    printf(" action %s", x->flags & RF_ALLOW ? "allow" : x->action ? rules_actionname[x->action] : "default") ;
    if (x->flags & (RF_MIN | RF_MAX))
    {
      printf(" size ") ;
      if (x->flags & RF_MIN) printf("%llu", (unsigned long long)x->minsize) ;
      printf("-") ;
      if (x->flags & RF_MAX) printf("%llu", (unsigned long long)x->maxsize) ;
    }
    if (x->flags & RF_PCRE) printf(" pcre2-confirmed") ;
    if (x->replylen) printf(" reply \"%s\"", rules_str(R, x->reply)) ;
    printf(" (%s:%u) /%s/\n", rules_str(R, x->file), x->line, rules_str(R, x->src)) ;
  }
  if (!msgfile) { fflush(stdout) ; return 0 ; }
  fd = strcmp(msgfile, "-") ? open(msgfile, O_RDONLY | O_CLOEXEC) : 0 ;
  if (fd < 0) strerr_diefu2sys(111, "open ", msgfile) ;
  if (fstat(fd, &st) < 0) strerr_diefu2sys(111, "stat ", msgfile) ;
  if (S_ISREG(st.st_mode))
  {
    len = st.st_size ;
    if (len && (msg = mmap(0, len, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) strerr_diefu2sys(111, "map ", msgfile) ;
  }
  else
  {
    size_t a = 0 ; ssize_t n ;
    for (;;)
    {
      if (len == a && !(msg = realloc(msg, a = a ? 2 * a : 65536))) strerr_diefu1sys(111, "allocate") ;
      n = read(fd, msg + len, a - len) ;
      if (n < 0) strerr_diefu2sys(111, "read ", msgfile) ;
      if (!n) break ;
      len += n ;
    }
  }
  if (queued) skip = queuedhead(msg, len) ;
  if (skip) printf("message: %zu bytes as received (%zu bytes of queue header before it not counted)\n", len - skip, skip) ;
  else printf("message: %zu bytes\n", len) ;
  r = rules_match(R, msg ? msg + skip : "", len - skip, sender, &hit, &allowed, &why, &explain, 0, err, sizeof err) ;
  if (r < 0) { fflush(stdout) ; strerr_dief1x(111, err) ; }
  if (allowed) printf("verdict: clean (whitelisted)\n") ;
  else if (!r) printf("verdict: clean\n") ;
  else if (r == 2) { printf("verdict: unchecked (%s%s)\n", INSPECT_PREFIX, why) ; r = 1 ; }
  else
  {
    struct rules_rec const *x = rules_rule(R, hit) ;
    printf("verdict: rule %s (rule %u) action %s%s%s\n", rules_str(R, x->name), hit + 1,
      x->action ? rules_actionname[x->action] : "default", x->replylen ? " reply " : "", rules_str(R, x->reply)) ;
  }
  if (fflush(stdout)) strerr_diefu1sys(111, "write to stdout") ;
  return r ;
}

/* every line not taken, named: fatal without -k, a warning with it */
static void refused (void *ctx, char const *file, unsigned int line, char const *why)
{
  char n[UINT_FMT] ;
  n[uint_fmt(n, line)] = 0 ;
  if (*(int const *)ctx) strerr_warnw(file, ":", n, ": line skipped: ", why) ;
  else strerr_warn(PROG, ": fatal: ", file, ":", n, ": ", why) ;
}

/* compiles, or dies: 100 for refused lines (without -k) or a rule set
   Hyperscan cannot build, 111 for a system error; returns the number of
   lines -k skipped */
static unsigned int compile (char const *out, unsigned int n, enum rules_kind const *kinds, char const *const *files, int keep)
{
  struct rules_compileopt o = { .keep = keep, .refused = &refused, .ctx = &keep } ;
  char err[512] ;
  if (!rules_compile(out, n, kinds, files, &o, err, sizeof err)) strerr_dief1x(errno ? 111 : 100, err) ;
  if (o.nrefused)
  {
    char a[UINT_FMT], b[UINT32_FMT] ;
    a[uint_fmt(a, o.nrefused)] = 0 ;
    b[uint32_fmt(b, o.nrules)] = 0 ;
    strerr_warnw(a, o.nrefused > 1 ? " lines" : " line", " skipped (-k); ", b, " rules compiled") ;
  }
  return o.nrefused ;
}

int main (int argc, char const *const *argv)
{
  subgetopt l = SUBGETOPT_ZERO ;
  char const *out = 0, *tfile = 0, *sender = 0 ;
  enum rules_kind *kinds = calloc(argc, sizeof *kinds) ;
  char const **files = calloc(argc, sizeof *files) ;
  unsigned int n = 0 ;
  int opt, srctest = 0, queued = 0, keep = 0 ;
  PROG = "qhpsi-rules" ;
  if (!kinds || !files) strerr_diefu1sys(111, "allocate") ;
  while ((opt = subgetopt_r(argc, argv, "o:q:a:n:h:t:f:TQk", &l)) != -1)
  {
    switch (opt)
    {
      case 'o' : out = l.arg ; break ;
      case 'q' : kinds[n] = RK_QMFILT ; files[n++] = l.arg ; break ;
      case 'a' : kinds[n] = RK_ATTACH ; files[n++] = l.arg ; break ;
      case 'n' : kinds[n] = RK_NAMES ; files[n++] = l.arg ; break ;
      case 'h' : kinds[n] = RK_HEADERS ; files[n++] = l.arg ; break ;
      case 't' : tfile = l.arg ; break ;
      case 'f' : sender = l.arg ; break ;
      case 'T' : srctest = 1 ; break ;
      case 'Q' : queued = 1 ; break ;
      case 'k' : keep = 1 ; break ;
      default : strerr_dieusage(100, USAGE) ;
    }
  }
  argc -= l.ind ; argv += l.ind ;
  if (srctest)
  { /* the sources compiled to a private temporary file, then tested */
    char const *dir = getenv("TMPDIR") ;
    char tmp[4096] ;
    if (out || tfile || argc > 1) strerr_dieusage(100, USAGE) ;
    if (snprintf(tmp, sizeof tmp, "%s/qhpsi-rules.%ld.qrc", dir && *dir ? dir : "/tmp", (long)getpid()) >= (int)sizeof tmp)
      strerr_dief1x(100, "TMPDIR too long") ;
    compile(tmp, n, kinds, files, keep) ;
    return test(tmp, 1, sender, argc ? argv[0] : 0, queued) ;
  }
  if (tfile)
  {
    if (out || n || keep || argc > 1) strerr_dieusage(100, USAGE) ;
    return test(tfile, 0, sender, argc ? argv[0] : 0, queued) ;
  }
  if (!out || argc || sender || queued) strerr_dieusage(100, USAGE) ;
  /* written, but not all of it: a script must not take it for the whole */
  return compile(out, n, kinds, files, keep) ? 2 : 0 ;
}
