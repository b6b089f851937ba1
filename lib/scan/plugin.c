/* plugin.c: loads plugins only from a directory nobody but root can change,
   and loads exactly the file it checked (through its open descriptor). */

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "scan/plugin.h"
#include "policy/policy.h"
#include "scan/spamhdr.h"

static int fail (char const **err, char const *why, int e)
{
  *err = why ;
  errno = e ;
  return 0 ;
}

int plugin_load (plugin *pl, char const *dir, char const *file, char const *legacysym, int checkowner, char const **err)
{
  struct stat st ;
  char fdpath[32] ;
  int dirfd, fd ;
  memset(pl, 0, sizeof *pl) ;
  if (!*file || strchr(file, '/') || !strcmp(file, ".") || !strcmp(file, "..") || strlen(file) >= sizeof pl->name)
    return fail(err, "bad plugin name", EINVAL) ;
  dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
  if (dirfd < 0) return fail(err, "unable to open the plugin directory", errno) ;
  if (checkowner && (fstat(dirfd, &st) < 0 || !policy_owner_ok(&st)))
  {
    close(dirfd) ;
    return fail(err, "plugin directory not owned by root or writable by others", EPERM) ;
  }
  fd = openat(dirfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) ;
  close(dirfd) ;
  if (fd < 0) return fail(err, "unable to open the plugin", errno) ;
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (checkowner && !policy_owner_ok(&st)))
  {
    close(fd) ;
    return fail(err, "plugin not owned by root or writable by others", EPERM) ;
  }
  /* the loader knows objects by name: the descriptor stays open while the
     plugin is loaded, so the next plugin cannot get the same name */
  snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd) ;
  pl->handle = dlopen(fdpath, RTLD_NOW | RTLD_LOCAL) ;
  if (!pl->handle) { close(fd) ; return fail(err, "unable to load the plugin", ENOEXEC) ; }
  pl->fd = fd ;
  strcpy(pl->name, file) ;
  pl->p = dlsym(pl->handle, QHPSI_PLUGIN_SYMBOL) ;
  if (pl->p)
  {
    if (pl->p->abi < QHPSI_PLUGIN_ABI_MIN || pl->p->abi > QHPSI_PLUGIN_ABI || !pl->p->scan)
    {
      plugin_unload(pl) ;
      return fail(err, "plugin has another ABI version", ENOEXEC) ;
    }
    return 1 ;
  }
  *(void **)&pl->legacy = dlsym(pl->handle, legacysym) ;
  if (!pl->legacy)
  {
    plugin_unload(pl) ;
    return fail(err, "plugin exports neither qhpsi_plugin nor the legacy symbol", ENOEXEC) ;
  }
  return 1 ;
}

/* an error carries no score, tests or header fields */
static void unscored (struct qhpsi_result *r)
{
  r->flags &= ~QHPSI_RESULT_SCORED ;
  r->score = r->required = 0 ;
  r->tests[0] = r->headers[0] = 0 ;
}

static void error (struct qhpsi_result *r, char const *why)
{
  r->verdict = QHPSI_ERROR ;
  unscored(r) ;
  snprintf(r->text, sizeof r->text, "%s", why) ;
}

/* what a plugin answered, as far as its ABI goes; what does not hold
   together is an error of the plugin's */
static void checkresult (plugin const *pl, struct qhpsi_result *r)
{
  int engine = plugin_spamengine(pl) ;
  uint32_t abi = pl->p->abi ;
  char const *why ;
  r->text[QHPSI_TEXTLEN - 1] = 0 ;
  /* an ABI 1 plugin knows nothing past text, an ABI 2 one nothing past
     reply: whatever is there is not its answer */
  if (abi < 2) { r->action = 0 ; r->flags = 0 ; memset(r->reply, 0, sizeof r->reply) ; }
  if (abi < 3)
  {
    r->score = r->required = 0 ;
    memset(r->tests, 0, sizeof r->tests) ;
    memset(r->headers, 0, sizeof r->headers) ;
    if (r->action > QHPSI_ACTION_TAG) r->action = QHPSI_ACTION_DEFAULT ;
  }
  if (r->verdict != QHPSI_CLEAN && r->verdict != QHPSI_INFECTED && r->verdict != QHPSI_ERROR
   && (r->verdict != QHPSI_SPAM || abi < 3))
    error(r, "unknown verdict") ;
  r->reply[QHPSI_REPLYLEN - 1] = 0 ;
  r->tests[QHPSI_TESTSLEN - 1] = 0 ;
  r->headers[QHPSI_HEADERSLEN - 1] = 0 ;
  /* an action this loader does not know leaves it to the site */
  if (r->action > QHPSI_ACTION_TEMPFAIL) r->action = QHPSI_ACTION_DEFAULT ;
  r->flags &= QHPSI_RESULT_RULE | QHPSI_RESULT_SERVER | QHPSI_RESULT_SCORED ;
  if (!r->reply[0]) r->flags &= ~QHPSI_RESULT_SERVER ;
  if (!engine)
  {
    /* only a spam engine scores, and only its fields reach the message */
    if (r->verdict == QHPSI_SPAM) { error(r, "plugin answered spam but is no spam engine") ; return ; }
    unscored(r) ;
    return ;
  }
  if (r->verdict == QHPSI_ERROR) { unscored(r) ; return ; }
  if ((r->verdict == QHPSI_CLEAN || r->verdict == QHPSI_SPAM) && !(r->flags & QHPSI_RESULT_SCORED))
    error(r, "spam engine gave no score") ;
  else if (!spamhdr_testsok(r->tests)) error(r, "bad test names") ;
  else if (!spamhdr_check(r->headers, &why)) error(r, why) ;
}

void plugin_scan (plugin const *pl, struct qhpsi_message const *m, int rc, int rn, struct qhpsi_result *r)
{
  memset(r, 0, sizeof *r) ;
  r->verdict = QHPSI_ERROR ;
  if (pl->p)
  {
    pl->p->scan(m, r) ;
    checkresult(pl, r) ;
  }
  else
  {
    char path[4096] ;
    int x ;
    /* legacy plugins take a char *: give them a copy they may scribble on */
    if (strlen(m->path) >= sizeof path) { strcpy(r->text, "path too long") ; return ; }
    strcpy(path, m->path) ;
    x = pl->legacy(path) ;
    if (x == rc) r->verdict = QHPSI_INFECTED ;
    else if (x == rn) r->verdict = QHPSI_CLEAN ;
    else snprintf(r->text, sizeof r->text, "plugin returned %d", x) ;
  }
}

int plugin_spamengine (plugin const *pl)
{
  return pl->p && pl->p->abi >= 3 && pl->p->flags & QHPSI_SPAM_ENGINE ;
}

int plugin_inprocess_safe (plugin const *pl)
{
  /* a legacy plugin cannot say what it does: it is not let into qmail-queue */
  return pl->p && pl->p->flags & QHPSI_INPROCESS_SAFE ;
}

void plugin_unload (plugin *pl)
{
  if (pl->handle) dlclose(pl->handle) ;
  if (pl->handle) close(pl->fd) ;
  pl->handle = 0 ;
}
