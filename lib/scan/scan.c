/* scan.c: runs the QHPSI route. Every way a scanner can fail (missing,
   crashing, hanging, babbling, answering nonsense) ends as QHPSI_ERROR. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <skalibs/stralloc.h>
#include <skalibs/types.h>

#include "queue/paths.h"
#include "scan/plugin.h"
#include "scan/scan.h"
#include "scan/chain.h"
#include "scan/child.h"
#include "scan/confine.h"
#include "scan/wire.h"
#include "policy/template.h"
#include "inspect/inspect.h"

#define OUTPUTMAX 65536 /* what is kept of a scanner's output; the rest is drained */
#define PLUGINMAX 16

static void settext (struct qhpsi_result *r, char const *a, char const *b)
{
  snprintf(r->text, sizeof r->text, "%s%s", a, b ? b : "") ;
}

int scan_isplugin (char const *qhpsi)
{
  return !strncmp(qhpsi, "plugin:", 7) ;
}

/* "...: NAME FOUND" anywhere in a scanner's output names the signature */
static void signature (stralloc const *out, struct qhpsi_result *r)
{
  size_t i = 0 ;
  while (i < out->len)
  {
    char const *line = out->s + i ;
    size_t n = 0 ;
    while (i + n < out->len && line[n] != '\n') n++ ;
    i += n + 1 ;
    if (n > 7 && !memcmp(line + n - 6, " FOUND", 6))
    {
      size_t start = n - 6 ;
      while (start > 1 && !(line[start-2] == ':' && line[start-1] == ' ')) start-- ;
      if (start <= 1) start = 0 ;
      n -= 6 ;
      if (n - start >= sizeof r->text) n = start + sizeof r->text - 1 ;
      memcpy(r->text, line + start, n - start) ;
      r->text[n - start] = 0 ;
      return ;
    }
  }
}

/* the first line of the output, for the log */
static void firstline (stralloc const *out, struct qhpsi_result *r, char const *what)
{
  size_t n = 0 ;
  while (n < out->len && out->s[n] != '\n' && n < 80) n++ ;
  snprintf(r->text, sizeof r->text, "%s%s%.*s", what, n ? ": " : "", (int)n, out->s) ;
}

static void command (scanconf const *c, char const *path, int fd, struct qhpsi_result *r)
{
  stralloc words = STRALLOC_ZERO, file = STRALLOC_ZERO, out = STRALLOC_ZERO ;
  char const *argv[TEMPLATE_MAXWORDS + 2] ;
  int p[2], fds[3], wstat ;
  pid_t pid ;
  uint64_t deadline = spawn_now() + (uint64_t)c->timeout * 1000 ;
  r->verdict = QHPSI_ERROR ;
  if (template_split(c->qhpsi, path, &words, argv) < 0) { settext(r, "bad QHPSI template", 0) ; goto end ; }
  if (!spawn_path(argv[0], &file)) { settext(r, "unable to find ", argv[0]) ; goto end ; }
  if (lseek(fd, 0, SEEK_SET) < 0 || pipe2(p, O_CLOEXEC) < 0) { settext(r, "unable to set up the scanner", 0) ; goto end ; }
  fds[0] = fd ; fds[1] = p[1] ; fds[2] = p[1] ;
  /* run by qmail-queue itself, the scanner's real uid becomes the queue
     user: the local user who submitted the message cannot signal it, and
     a scanner that drops to its real uid can still read the message */
  pid = spawn(file.s, argv, fds, SPAWN_NEWPGRP | SPAWN_REALTOEFF | SPAWN_CONFINE) ;
  close(p[1]) ;
  if (pid < 0) { close(p[0]) ; settext(r, "unable to run ", file.s) ; goto end ; }
  switch (spawn_wait(pid, p[0], &out, OUTPUTMAX, deadline, 1, &wstat))
  {
    case 1 :
      if (WIFSIGNALED(wstat))
      {
        char n[UINT_FMT] ;
        n[uint_fmt(n, WTERMSIG(wstat))] = 0 ;
        settext(r, "scanner killed by signal ", n) ;
      }
      else if (WEXITSTATUS(wstat) == c->rc) { r->verdict = QHPSI_INFECTED ; r->text[0] = 0 ; signature(&out, r) ; }
      else if (WEXITSTATUS(wstat) == c->rn) { r->verdict = QHPSI_CLEAN ; r->text[0] = 0 ; }
      else
      {
        char what[32] ;
        snprintf(what, sizeof what, "scanner exit %d", WEXITSTATUS(wstat)) ;
        firstline(&out, r, what) ;
      }
      break ;
    case 0 : settext(r, "scanner timed out", 0) ; break ;
    default : settext(r, "unable to wait for the scanner", 0) ; break ;
  }
  close(p[0]) ;
 end:
  stralloc_free(&words) ;
  stralloc_free(&file) ;
  stralloc_free(&out) ;
}

/* loads every plugin first: an unsafe one sends the whole chain to the helper */
static int plugins (scanconf const *c, char const *path, int fd, uint64_t size, int inprocess, struct qhpsi_result *r)
{
  plugin pl[PLUGINMAX] ;
  char names[1024] ;
  char *name, *save ;
  unsigned int n = 0 ;
  int done = 1 ;
  r->verdict = QHPSI_ERROR ;
  r->text[0] = 0 ;
  if (strlen(c->qhpsi + 7) >= sizeof names) { settext(r, "QHPSI too long", 0) ; return 1 ; }
  strcpy(names, c->qhpsi + 7) ;
  for (name = strtok_r(names, " \t", &save) ; name ; name = strtok_r(0, " \t", &save))
  {
    char const *err ;
    if (n == PLUGINMAX) { settext(r, "too many plugins", 0) ; goto end ; }
    if (!plugin_load(&pl[n], c->plugindir, name, c->symb, 1, &err))
    {
      snprintf(r->text, sizeof r->text, "%s: %s: %s", name, err, strerror(errno)) ;
      goto end ;
    }
    n++ ;
    if (inprocess && !plugin_inprocess_safe(&pl[n-1])) { done = 0 ; goto end ; }
  }
  if (!n) { settext(r, "no plugin named", 0) ; goto end ; }
  chain_run(pl, n, c, path, fd, size, r) ;
 end:
  while (n--) plugin_unload(&pl[n]) ;
  return done ;
}

/* what the scanners found clean is inspected for what they could not see;
   here, so that it runs where they ran: in the helper as qscand, or here */
static void inspect (int fd, uint64_t size, struct qhpsi_result *r)
{
  inspect_conf ic ;
  if (r->verdict != QHPSI_CLEAN) return ;
  inspect_conf_env(&ic) ;
  if (!inspect_message(&ic, fd, size, r))
  {
    r->verdict = QHPSI_ERROR ;
    snprintf(r->text, sizeof r->text, "unable to inspect the message: %s", strerror(errno)) ;
  }
}

int scan_local (scanconf const *c, char const *path, int fd, uint64_t size, int inprocess, struct qhpsi_result *r)
{
  memset(r, 0, sizeof *r) ;
  if (c->spam) memset(c->spam, 0, sizeof *c->spam) ;
  if (scan_isplugin(c->qhpsi)) { if (!plugins(c, path, fd, size, inprocess, r)) return 0 ; }
  else command(c, path, fd, r) ;
  inspect(fd, size, r) ;
  return 1 ;
}

void scan_helper (scanconf const *c, char const *helper, char const *subdir, char const *path, int fd, struct qhpsi_result *r)
{
  stralloc out = STRALLOC_ZERO ;
  char timeout[UINT_FMT], rc[UINT_FMT], rn[UINT_FMT] ;
  char const *argv[] = { "qhpsi", c->qhpsi, path, timeout, rc, rn, subdir, c->symb, 0 } ;
  int p[2], fds[4], wstat, efd = -1 ;
  pid_t pid ;
  /* the helper enforces the timeout itself; this is the backstop */
  uint64_t deadline = spawn_now() + (uint64_t)c->timeout * 1000 + 3000 ;
  timeout[uint_fmt(timeout, c->timeout)] = 0 ;
  rc[uint_fmt(rc, c->rc)] = 0 ;
  rn[uint_fmt(rn, c->rn)] = 0 ;
  memset(r, 0, sizeof *r) ;
  r->verdict = QHPSI_ERROR ;
  if (c->spam) memset(c->spam, 0, sizeof *c->spam) ;
  /* the envelope goes on fd 3, above whatever spawnx moves first */
  if (c->sender)
  {
    int e = wire_writeenvelope(c->sender, c->rcpts, c->nrcpts, c->spam ? &c->f : 0) ;
    if (e >= 0) { efd = fcntl(e, F_DUPFD_CLOEXEC, 4) ; close(e) ; }
    if (efd < 0) { settext(r, "unable to pass the envelope", 0) ; return ; }
  }
  if (lseek(fd, 0, SEEK_SET) < 0 || pipe2(p, O_CLOEXEC) < 0)
  {
    if (efd >= 0) close(efd) ;
    settext(r, "unable to set up the helper", 0) ;
    return ;
  }
  fds[0] = fd ; fds[1] = p[1] ; fds[2] = 2 ; fds[3] = efd ;
  pid = spawnx(helper, argv, fds, efd >= 0 ? 4 : 3, SPAWN_NEWPGRP | SPAWN_REALTOEFF) ;
  close(p[1]) ;
  if (efd >= 0) close(efd) ;
  if (pid < 0) { close(p[0]) ; settext(r, "unable to run the helper ", helper) ; return ; }
  switch (spawn_wait(pid, p[0], &out, WIRE_ANSWERMAX, deadline, 1, &wstat))
  {
    case 1 :
      if (WIFEXITED(wstat) && !WEXITSTATUS(wstat) && wire_parse(out.s, out.len, r, c->spam)) break ;
      r->verdict = QHPSI_ERROR ;
      if (c->spam) memset(c->spam, 0, sizeof *c->spam) ;
      if (WIFSIGNALED(wstat)) settext(r, "helper killed", 0) ;
      else settext(r, "helper failed", 0) ;
      break ;
    case 0 : settext(r, "helper timed out", 0) ; break ;
    default : settext(r, "unable to wait for the helper", 0) ; break ;
  }
  close(p[0]) ;
  stralloc_free(&out) ;
}
