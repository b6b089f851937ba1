/* stubborn.c: test plugin that will not be stopped: it blocks every signal
   it can, ignores SIGALRM, leaves a child behind in its process group and
   never answers. Each scan appends "pid uid" of the plugin and its child
   (pids as /proc sees them, not as the scan's PID namespace does) to
   $TMPDIR/stubborn.log, so a test can tell both are gone. Not safe in
   qmail-queue: it always runs in the helper. */

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "qhpsi-plugin.h"

/* records the calling process */
static void record (void)
{
  char const *dir = getenv("TMPDIR") ;
  char fn[4096], line[64], self[32] ;
  int fd, n ;
  ssize_t len = readlink("/proc/self", self, sizeof self - 1) ;
  self[len > 0 ? len : 0] = 0 ;
  if (!dir || snprintf(fn, sizeof fn, "%s/stubborn.log", dir) >= (int)sizeof fn) return ;
  fd = open(fn, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644) ;
  if (fd < 0) return ;
  n = snprintf(line, sizeof line, "%s %ld\n", self, (long)getuid()) ;
  if (write(fd, line, n) < 0) { }
  close(fd) ;
}

static void forever (void)
{
  struct timespec ts = { .tv_sec = 3600, .tv_nsec = 0 } ;
  for (;;) nanosleep(&ts, 0) ;
}

static void scan (struct qhpsi_message const *m, struct qhpsi_result *r)
{
  sigset_t all ;
  pid_t child ;
  (void)m ; (void)r ;
  signal(SIGALRM, SIG_IGN) ;
  sigfillset(&all) ;
  sigprocmask(SIG_BLOCK, &all, 0) ;
  child = fork() ;
  if (!child) { record() ; forever() ; }
  record() ;
  forever() ;
}

struct qhpsi_plugin const qhpsi_plugin = { QHPSI_PLUGIN_ABI, "stubborn", 0, scan } ;
