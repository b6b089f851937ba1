/* helper.c: the qhpsi helper's privilege handling and its watched scan,
   kept apart so that the whole of what the setuid program does fits on
   one screen. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/stralloc.h>

#include "child.h"
#include "envelope.h"
#include "helper.h"
#include "paths.h"
#include "policy.h"

int helper_become (void)
{
  uid_t euid = geteuid() ;
  gid_t egid = getegid() ;
  uid_t qmailq ;
  if (!paths_privileged()) return 1 ;
  qmailq = paths_uid(USER_QMAILQ) ;
  if (qmailq == (uid_t)-1 || getuid() != qmailq) { errno = EPERM ; return 0 ; }
  if (setresgid(egid, egid, egid) < 0 || setresuid(euid, euid, euid) < 0) return 0 ;
  /* make sure there is no way back */
  if (getuid() != euid || getgid() != egid || (euid && !setuid(0))) { errno = EPERM ; return 0 ; }
  return 1 ;
}

int helper_cleanenv (void)
{
  char const *keep[16] ;
  char const *tmpdir = getenv("QHPSITMPDIR") ;
  unsigned int n = 0 ;
  for (unsigned int i = 0 ; policy_scannervars[i] && n < 16 ; i++)
  {
    char const *v = getenv(policy_scannervars[i]) ;
    keep[i] = v ;
    n = i + 1 ;
  }
  if (clearenv() < 0) return 0 ;
  for (unsigned int i = 0 ; i < n ; i++)
    if (keep[i] && setenv(policy_scannervars[i], keep[i], 1) < 0) return 0 ;
  if (tmpdir && setenv("TMPDIR", tmpdir, 1) < 0) return 0 ;
  return 1 ;
}

/* the helper's own ending: what it started goes first */
static void sigend (int sig)
{
  (void)sig ;
  if (spawn_group > 0) kill(-spawn_group, SIGKILL) ;
  _exit(111) ;
}

int helper_diewithparent (int sig)
{
  pid_t parent = getppid() ;
  if (sig != SIGKILL)
  {
    struct sigaction sa = { .sa_handler = sigend } ;
    sigfillset(&sa.sa_mask) ;
    if (sigaction(sig, &sa, 0) < 0 || sigaction(SIGALRM, &sa, 0) < 0) return 0 ;
  }
  if (parent == 1 || prctl(PR_SET_PDEATHSIG, sig) < 0) return 0 ;
  /* the parent may have gone just before the request */
  return getppid() == parent ;
}

/* the answer: verdict letter, action digit, flags digit, text, NUL, reply, NUL */
int helper_report (int fd, struct qhpsi_result const *r)
{
  char out[HELPER_ANSWERMAX] ;
  size_t n = strnlen(r->text, QHPSI_TEXTLEN - 1), m = strnlen(r->reply, QHPSI_REPLYLEN - 1), len ;
  out[0] = r->verdict == QHPSI_CLEAN ? 'C' : r->verdict == QHPSI_INFECTED ? 'I' : 'E' ;
  out[1] = '0' + (r->action <= QHPSI_ACTION_TAG ? r->action : 0) ;
  out[2] = '0' + (r->flags & QHPSI_RESULT_RULE) ;
  memcpy(out + 3, r->text, n) ;
  out[3 + n] = 0 ;
  memcpy(out + 4 + n, r->reply, m) ;
  /* a plugin's stray control byte is not the protocol's business: blanked */
  for (size_t i = 4 + n ; i < 4 + n + m ; i++)
    if ((unsigned char)out[i] < ' ' || (unsigned char)out[i] > '~') out[i] = ' ' ;
  out[4 + n + m] = 0 ;
  len = n + m + 5 ;
  return allwrite(fd, out, len) == len ;
}

int helper_parse (char const *s, size_t len, struct qhpsi_result *r)
{
  char const *nul ;
  size_t n, m ;
  if (len < 5 || len > HELPER_ANSWERMAX || s[len - 1]) return 0 ;
  nul = memchr(s + 3, 0, len - 3) ;
  n = nul - (s + 3) ;
  m = len - 5 - n ;
  if (n >= QHPSI_TEXTLEN || m >= QHPSI_REPLYLEN || memchr(s + 4 + n, 0, m)) return 0 ;
  if (s[1] < '0' || s[1] > '0' + QHPSI_ACTION_TAG || (s[2] != '0' && s[2] != '1')) return 0 ;
  for (size_t i = 0 ; i < m ; i++)
    if ((unsigned char)s[4 + n + i] < ' ' || (unsigned char)s[4 + n + i] > '~') return 0 ;
  switch (s[0])
  {
    case 'C' : r->verdict = QHPSI_CLEAN ; break ;
    case 'I' : r->verdict = QHPSI_INFECTED ; break ;
    case 'E' : r->verdict = QHPSI_ERROR ; break ;
    default : return 0 ;
  }
  r->action = s[1] - '0' ;
  r->flags = s[2] - '0' ;
  memcpy(r->text, s + 3, n + 1) ;
  memcpy(r->reply, s + 4 + n, m + 1) ;
  return 1 ;
}

int helper_readenvelope (int fd, stralloc *sa, char const ***rcpts, uint32_t *nrcpts)
{
  size_t i, n = 0, k ;
  sa->len = 0 ;
  for (;;)
  {
    ssize_t r ;
    if (!stralloc_readyplus(sa, 65536)) return 0 ;
    r = read(fd, sa->s + sa->len, 65536) ;
    if (r < 0) { if (errno == EINTR) continue ; return 0 ; }
    if (!r) break ;
    sa->len += r ;
    if (sa->len > HELPER_ENVMAX) { errno = EPROTO ; return 0 ; }
  }
  /* F<sender>\0, T<rcpt>\0 ..., \0: from qmail-queue, and checked all the same */
  if (sa->len < 3 || sa->s[0] != 'F' || sa->s[sa->len - 1] || sa->s[sa->len - 2]) { errno = EPROTO ; return 0 ; }
  for (i = 0 ; i < sa->len - 1 ; i += k + 1)
  {
    k = strlen(sa->s + i) ;
    if ((i ? sa->s[i] != 'T' : 0) || k < 1 || k > ENVELOPE_ADDRMAX) { errno = EPROTO ; return 0 ; }
    if (i) n++ ;
  }
  *rcpts = malloc((n + 1) * sizeof **rcpts) ;
  if (!*rcpts) return 0 ;
  n = 0 ;
  i = strlen(sa->s) + 1 ;
  while (i < sa->len - 1)
  {
    (*rcpts)[n++] = sa->s + i + 1 ;
    i += strlen(sa->s + i) + 1 ;
  }
  (*rcpts)[n] = 0 ;
  *nrcpts = n ;
  return 1 ;
}

int helper_writeenvelope (char const *sender, char const *const *rcpts, uint32_t nrcpts)
{
  stralloc sa = STRALLOC_ZERO ;
  int fd = -1 ;
  /* as many whole recipients as the bound lets through */
  if (!stralloc_catb(&sa, "F", 1) || !stralloc_cats(&sa, sender) || !stralloc_0(&sa)) goto err ;
  for (uint32_t i = 0 ; i < nrcpts ; i++)
  {
    size_t k = strlen(rcpts[i]) ;
    if (sa.len + k + 3 > HELPER_ENVMAX) break ;
    if (!stralloc_catb(&sa, "T", 1) || !stralloc_catb(&sa, rcpts[i], k) || !stralloc_0(&sa)) goto err ;
  }
  if (!stralloc_0(&sa)) goto err ;
  fd = memfd_create("qhpsi-envelope", MFD_CLOEXEC) ;
  if (fd < 0) goto err ;
  if (allwrite(fd, sa.s, sa.len) != sa.len || lseek(fd, 0, SEEK_SET) < 0) { close(fd) ; fd = -1 ; }
 err:
  stralloc_free(&sa) ;
  return fd ;
}

/* plugins run here, in the helper's own address space, and may do
   anything with signals and alarms: so they run in a child, and the
   helper itself only waits */
static void watched (scanconf const *c, char const *path, uint64_t size, struct qhpsi_result *r)
{
  stralloc out = STRALLOC_ZERO ;
  uint64_t deadline = spawn_now() + (uint64_t)c->timeout * 1000 ;
  int p[2], wstat ;
  pid_t pid ;
  r->verdict = QHPSI_ERROR ;
  if (pipe2(p, O_CLOEXEC) < 0) { strcpy(r->text, "unable to set up the scan") ; return ; }
  pid = fork() ;
  if (pid < 0) { close(p[0]) ; close(p[1]) ; strcpy(r->text, "unable to fork") ; return ; }
  if (!pid)
  {
    close(p[0]) ;
    /* a group of its own, so that what a plugin starts goes with it */
    setpgid(0, 0) ;
    if (!helper_diewithparent(SIGKILL)) _exit(111) ;
    scan_local(c, path, 0, size, 0, r) ;
    _exit(helper_report(p[1], r) ? 0 : 111) ;
  }
  setpgid(pid, pid) ;
  spawn_group = pid ;
  close(p[1]) ;
  switch (spawn_wait(pid, p[0], &out, HELPER_ANSWERMAX, deadline, 1, &wstat))
  {
    case 1 :
      if (!WIFEXITED(wstat) || WEXITSTATUS(wstat) || !helper_parse(out.s, out.len, r))
      {
        r->verdict = QHPSI_ERROR ;
        if (WIFSIGNALED(wstat)) snprintf(r->text, sizeof r->text, "plugin killed by signal %d", WTERMSIG(wstat)) ;
        else strcpy(r->text, "plugin gave no verdict") ;
      }
      break ;
    case 0 : snprintf(r->text, sizeof r->text, "plugin timed out after %u s", c->timeout) ; break ;
    default : strcpy(r->text, "unable to wait for the plugin") ; break ;
  }
  close(p[0]) ;
  stralloc_free(&out) ;
}

void helper_scan (scanconf const *c, char const *path, uint64_t size, struct qhpsi_result *r)
{
  if (scan_isplugin(c->qhpsi)) watched(c, path, size, r) ;
  /* a command runs as a process already, waited for with a deadline */
  else scan_local(c, path, 0, size, 0, r) ;
}
