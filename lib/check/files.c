/* files.c: qhpsi-check's modes and owners: the set-id programs, the
   control files, the seal key, the plugin directory, the log FIFO and the
   quarantine. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "check/check.h"
#include "queue/paths.h"
#include "scan/logdest.h"
#include "scan/seal.h"

/* the uid a file of user must have: the user's, or ours when the check
   does not run as root (a test home) */
static uid_t owner (char const *user)
{
  return geteuid() ? geteuid() : paths_uid(user) ;
}

/* name (under the home) must be a regular file of mode mode owned by user */
static void program (check *c, char const *name, unsigned int mode, char const *user, char const *group)
{
  struct stat st ;
  char fix[200] ;
  snprintf(fix, sizeof fix, "chown %s:%s %s/%s && chmod %o %s/%s", user, group, paths_home, name, mode, paths_home, name) ;
  if (stat(name, &st) < 0) { check_problem(c, "make install", "%s/%s: %s", paths_home, name, strerror(errno)) ; return ; }
  if (!S_ISREG(st.st_mode) || (st.st_mode & 07777) != mode || st.st_uid != owner(user))
    check_problem(c, fix, "%s/%s is mode %o, uid %u: not %o %s", paths_home, name,
      (unsigned int)(st.st_mode & 07777), (unsigned int)st.st_uid, mode, user) ;
  else fprintf(c->out, "  %s: %o %s\n", name, mode, user) ;
}

/* a control file or directory: root's, writable by no one else */
static void control (check *c, char const *name, int must)
{
  struct stat st ;
  if (lstat(name, &st) < 0)
  {
    if (errno != ENOENT || must) check_problem(c, "make install; see INSTALL", "%s/%s: %s", paths_home, name, strerror(errno)) ;
    return ;
  }
  if (!policy_owner_ok(&st) || S_ISLNK(st.st_mode))
  {
    char fix[200] ;
    snprintf(fix, sizeof fix, "chown root %s/%s && chmod go-w %s/%s", paths_home, name, paths_home, name) ;
    check_problem(c, fix, "%s/%s %s: qmail-queue refuses it (exit 55, 451 for SMTP)", paths_home, name,
      S_ISLNK(st.st_mode) ? "is a symbolic link" : st.st_mode & 022 ? "is writable by group or others" : "is not root's") ;
  }
}

static void controldir (check *c, char const *name, int must)
{
  DIR *d ;
  struct dirent *e ;
  char path[300] ;
  control(c, name, must) ;
  d = opendir(name) ;
  if (!d) return ;
  while ((e = readdir(d)))
  {
    if (e->d_name[0] == '.') continue ;
    snprintf(path, sizeof path, "%s/%s", name, e->d_name) ;
    control(c, path, 1) ;
  }
  closedir(d) ;
}

/* control/qhpsikey: qmail-queue uses it only as seal_loadkey takes it,
   and says nothing when it does not: a key it refuses is named here */
static void sealkey (check *c)
{
  static char const fn[] = "control/qhpsikey" ;
  struct stat st ;
  char fix[400] ;
  char const *why = 0 ;
  snprintf(fix, sizeof fix, "(umask 077; head -c 32 /dev/urandom > %s/%s.new) && chown qmailq:qmail %s/%s.new && mv %s/%s.new %s/%s",
    paths_home, fn, paths_home, fn, paths_home, fn, paths_home, fn) ;
  if (lstat(fn, &st) < 0)
  {
    if (errno == ENOENT)
      fprintf(c->out, "  %s: none: nothing is sealed (forwards are scanned again), self-test probes are not marked\n", fn) ;
    else check_problem(c, fix, "%s/%s: %s", paths_home, fn, strerror(errno)) ;
    return ;
  }
  if (!S_ISREG(st.st_mode)) why = "is not a regular file" ;
  else if (st.st_mode & 077) why = "may be read by group or others (a key that may have been read: make a new one)" ;
  else if (st.st_size < SEAL_KEYMIN || st.st_size > SEAL_KEYMAX) why = "is not 16 to 64 bytes long" ;
  else if (st.st_uid != owner(USER_QMAILQ))
  {
    why = "is not qmailq's" ;
    snprintf(fix, sizeof fix, "chown qmailq:qmail %s/%s", paths_home, fn) ;
  }
  if (why)
    check_problem(c, fix, "%s/%s %s: qmail-queue seals nothing and knows no self-test probe", paths_home, fn, why) ;
  else fprintf(c->out, "  %s: %o qmailq\n", fn, (unsigned int)(st.st_mode & 07777)) ;
}

static void fifo (check *c)
{
  struct stat st ;
  int fd ;
  if (lstat(PATHS_LOGFIFO, &st) < 0 || !S_ISFIFO(st.st_mode))
  {
    check_problem(c, "make install makes it; or start the qhpsi-log service, whose run makes it",
      "%s/%s is missing or not a FIFO: local mail's log lines are lost", paths_home, PATHS_LOGFIFO) ;
    return ;
  }
  fd = logdest_openfifo(PATHS_LOGFIFO) ;
  if (fd >= 0) { close(fd) ; fprintf(c->out, "  %s: a FIFO, read\n", PATHS_LOGFIFO) ; return ; }
  if (errno == ENXIO)
    check_problem(c, "start the qhpsi-log service (update-service --add, or svc -u)",
      "nobody reads %s/%s: local mail's log lines are lost", paths_home, PATHS_LOGFIFO) ;
  else
    check_problem(c, "chown qmailq:qmail FIFO && chmod 600 FIFO",
      "%s/%s: %s: qmail-queue will not write a log others may write", paths_home, PATHS_LOGFIFO, strerror(errno)) ;
}

static void quarantine (check *c, policy const *p)
{
  static char const *const dirs[] = { "quarantine", "quarantine/tmp", "quarantine/new" } ;
  for (unsigned int i = 0 ; i < 3 ; i++)
  {
    struct stat st ;
    if (lstat(dirs[i], &st) < 0 || !S_ISDIR(st.st_mode))
    {
      if ((p && p->quarantine) || i)
        check_problem(c, "make install makes it (tmp/ and new/, qmailq, 0700)", "%s/%s is missing%s", paths_home, dirs[i],
          p && p->quarantine ? ": with QHPSIQUARANTINE=1 every infected message is deferred" : "") ;
      return ;
    }
    if ((st.st_mode & 07777) != 0700 || st.st_uid != owner(USER_QMAILQ))
    {
      char fix[200] ;
      snprintf(fix, sizeof fix, "chown qmailq:qmail %s/%s && chmod 700 %s/%s", paths_home, dirs[i], paths_home, dirs[i]) ;
      check_problem(c, fix, "%s/%s is mode %o, uid %u: not 700 qmailq", paths_home, dirs[i],
        (unsigned int)(st.st_mode & 07777), (unsigned int)st.st_uid) ;
    }
  }
}

void check_files (check *c, policy const *p)
{
  struct stat st ;
  program(c, "bin/qmail-queue", 04711, USER_QMAILQ, "qmail") ;
  program(c, "bin/qhpsi", 06711, USER_QSCAND, "qmail") ;
  /* a set-id MTA qmail-queue that anyone may run is a way around the scan */
  if (!stat("bin/qmail-queue.orig", &st) && st.st_mode & 06000 && st.st_mode & 01)
    check_problem(c, "chmod 400 bin/qmail-queue.orig", "%s/bin/qmail-queue.orig is set-id and runnable by all: local users can queue unscanned mail through it", paths_home) ;
  controldir(c, "control/qhpsi", 0) ;
  control(c, "control/qhpsitrusted", 0) ;
  control(c, "control/qhpsi.cdb", 0) ;
  sealkey(c) ;
  controldir(c, "plugins", 1) ;
  fifo(c) ;
  quarantine(c, p) ;
}
