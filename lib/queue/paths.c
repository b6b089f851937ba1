/* paths.c: the compiled-in qmail home and the overrides a non-setuid run may use. */

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "queue/paths.h"

char const *paths_home = QHPSI_HOME ;
char const *paths_queue = QHPSI_HOME "/queue" ;

/* decided at the first call, before any change of ids, and kept: the
   helper stays "privileged" after it has become qscand for good */
int paths_privileged (void)
{
  static int p = -1 ;
  if (p < 0) p = getuid() != geteuid() || getgid() != getegid() ;
  return p ;
}

char *paths_join (char const *a, char const *b)
{
  size_t al = strlen(a), bl = strlen(b) ;
  char *s = malloc(al + bl + 2) ;
  if (!s) return 0 ;
  memcpy(s, a, al) ;
  s[al] = '/' ;
  memcpy(s + al + 1, b, bl + 1) ;
  return s ;
}

/* Relative overrides are taken from the starting directory, since the
   programs chdir into the queue. */
static char const *absolute (char const *p)
{
  char *cwd ;
  char const *r ;
  if (p[0] == '/') return p ;
  cwd = getcwd(0, 0) ;
  if (!cwd) return 0 ;
  r = paths_join(cwd, p) ;
  free(cwd) ;
  return r ;
}

int paths_init (void)
{
  char const *home = 0, *queue = 0 ;
  if (!paths_privileged())
  {
    home = getenv("QMAILHOME") ;
    queue = getenv("QUEUEDIR") ;
  }
  if (home && *home)
  {
    paths_home = absolute(home) ;
    if (!paths_home) return 0 ;
  }
  if (queue && *queue) paths_queue = absolute(queue) ;
  else paths_queue = paths_join(paths_home, "queue") ;
  return !!paths_queue ;
}

uid_t paths_uid (char const *name)
{
  struct passwd *pw = getpwnam(name) ;
  return pw ? pw->pw_uid : (uid_t)-1 ;
}

char const *paths_username (uid_t uid)
{
  static uid_t cached = (uid_t)-1 ;
  static char *name = 0 ;
  if (uid != cached || !name)
  {
    struct passwd *pw = getpwuid(uid) ;
    free(name) ;
    name = pw ? strdup(pw->pw_name) : 0 ;
    cached = uid ;
  }
  return name ;
}
