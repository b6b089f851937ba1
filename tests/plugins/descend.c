/* descend.c: test plugin that leaves a process behind: its child calls
   setsid(), blocks every signal and forks "sleep N" (N from the message's
   "DESCEND N" line), then goes, so that the sleep is nobody's child. Then
   it answers as the message says: DESCEND-VIRUS infected (Descend-Test),
   DESCEND-HANG never (every signal blocked), else clean. Safe in
   qmail-queue, so that both routes run it. */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "qhpsi-plugin.h"

static void leave (char const *secs)
{
  sigset_t all ;
  pid_t pid = fork() ;
  if (pid < 0) return ;
  if (pid) { waitpid(pid, 0, 0) ; return ; }
  if (setsid() < 0) _exit(111) ;
  sigfillset(&all) ;
  sigprocmask(SIG_BLOCK, &all, 0) ;
  if (fork()) _exit(0) ;
  execl("/bin/sleep", "sleep", secs, (char *)0) ;
  _exit(127) ;
}

static void scan (struct qhpsi_message const *m, struct qhpsi_result *r)
{
  char buf[4096], secs[16] ;
  ssize_t n = pread(m->fd, buf, sizeof buf - 1, 0) ;
  char const *s ;
  r->verdict = QHPSI_ERROR ;
  if (n <= 0) { strcpy(r->text, "Descend: unreadable") ; return ; }
  buf[n] = 0 ;
  s = strstr(buf, "\nDESCEND ") ;
  if (!s || sscanf(s + 9, "%15[0-9]", secs) != 1) { strcpy(r->text, "Descend: no DESCEND line") ; return ; }
  leave(secs) ;
  if (strstr(buf, "DESCEND-HANG"))
  {
    struct timespec ts = { .tv_sec = 3600, .tv_nsec = 0 } ;
    sigset_t all ;
    sigfillset(&all) ;
    sigprocmask(SIG_BLOCK, &all, 0) ;
    for (;;) nanosleep(&ts, 0) ;
  }
  if (strstr(buf, "DESCEND-VIRUS")) { r->verdict = QHPSI_INFECTED ; strcpy(r->text, "Descend-Test") ; }
  else r->verdict = QHPSI_CLEAN ;
}

#ifndef DESCEND_FLAGS
#define DESCEND_FLAGS QHPSI_INPROCESS_SAFE
#endif
struct qhpsi_plugin const qhpsi_plugin = { QHPSI_PLUGIN_ABI, "descend", DESCEND_FLAGS, scan } ;
