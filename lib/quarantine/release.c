/* release.c: qhpsi-release's work: an entry of the quarantine re-queued
   through qmail-queue, and removed once it is queued. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/stralloc.h>

#include "quarantine/store.h"
#include "quarantine/storetool.h"

extern char **environ ;

/* qmail-queue with the message on fd 0 (at its offset), the envelope
   through a pipe on fd 1; its exit code, or -1 with errno */
static int requeue (char const *qq, char const *id, int fd, stralloc const *env)
{
  posix_spawn_file_actions_t fa ;
  stralloc var = STRALLOC_ZERO ;
  char **envp ;
  char *argv[2] = { (char *)qq, 0 } ;
  size_t n = 0 ;
  pid_t pid ;
  int p[2], status, r, e ;
  struct sigaction sa = { .sa_handler = SIG_IGN }, old ;

  for (char **v = environ ; *v ; v++) n++ ;
  envp = malloc((n + 2) * sizeof *envp) ;
  if (!envp) return -1 ;
  n = 0 ;
  for (char **v = environ ; *v ; v++)
    if (strncmp(*v, "QHPSIRELEASE=", 13)) envp[n++] = *v ;
  if (!stralloc_cats(&var, "QHPSIRELEASE=") || !stralloc_cats(&var, id) || !stralloc_0(&var)) { free(envp) ; return -1 ; }
  envp[n++] = var.s ;
  envp[n] = 0 ;
  if (pipe2(p, O_CLOEXEC) < 0) { free(envp) ; stralloc_free(&var) ; return -1 ; }
  posix_spawn_file_actions_init(&fa) ;
  posix_spawn_file_actions_adddup2(&fa, fd, 0) ;
  posix_spawn_file_actions_adddup2(&fa, p[0], 1) ;
  r = posix_spawn(&pid, qq, &fa, 0, argv, envp) ;
  posix_spawn_file_actions_destroy(&fa) ;
  free(envp) ;
  stralloc_free(&var) ;
  close(p[0]) ;
  if (r) { close(p[1]) ; errno = r ; return -1 ; }
  /* a qmail-queue that stops reading early must not kill us */
  sigaction(SIGPIPE, &sa, &old) ;
  if (allwrite(p[1], env->s, env->len) < env->len) { }
  e = errno ;
  close(p[1]) ;
  sigaction(SIGPIPE, &old, 0) ;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1 ;
  errno = e ;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 81 ;
}

int storetool_release (int storefd, char const *id, char const *to, char const *qq, int *qqexit, size_t *nrcpt)
{
  store_entry e = STORE_ENTRY_ZERO ;
  stralloc env = STRALLOC_ZERO ;
  int newfd, fd, r, e2, ok = 0 ;
  *qqexit = 0 ;
  fd = storetool_entry(storefd, id, 1, &e, &newfd) ;
  if (fd < 0) { e2 = errno ; store_entry_free(&e) ; errno = e2 ; return 0 ; }
  if (!stralloc_catb(&env, "F", 1) || !stralloc_cats(&env, store_str(&e, sender)) || !stralloc_0(&env)) goto end ;
  if (to)
  {
    if (!stralloc_catb(&env, "T", 1) || !stralloc_cats(&env, to) || !stralloc_0(&env)) goto end ;
  }
  else
    for (size_t i = 0 ; i < e.rcpts.len ; i += strlen(e.rcpts.s + i) + 1)
      if (!stralloc_catb(&env, "T", 1) || !stralloc_cats(&env, e.rcpts.s + i) || !stralloc_0(&env)) goto end ;
  if (!stralloc_0(&env)) goto end ;
  *nrcpt = to ? 1 : e.nrcpt ;
  r = requeue(qq, id, fd, &env) ;
  if (r < 0) goto end ;
  if (r) { *qqexit = r ; errno = EIO ; goto end ; }
  /* queued: only now may the entry go; the lock keeps a second release
     out until it has */
  if (unlinkat(newfd, id, 0) < 0) goto end ;
  if (fsync(newfd) < 0 && errno != EINVAL) goto end ;
  ok = 1 ;
 end:
  e2 = errno ;
  close(fd) ;
  close(newfd) ;
  store_entry_free(&e) ;
  stralloc_free(&env) ;
  errno = e2 ;
  return ok ;
}
