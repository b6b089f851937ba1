/* fake.c: test plugin whose verdict comes from marker lines in the message:
   FAKE-VIRUS infected (Fake-Test-Sig), FAKE-ERROR error, FAKE-HANG never
   answers (it ignores timeout_ms on purpose: the caller must cut it off),
   FAKE-STDERR says so on fd 2, as libraries warn, and is clean.
   Each scan appends "pid uid gppid pcomm" (its grandparent, and the
   name of its parent's program) to $TMPDIR/fakeplugin.log, so a test can
   tell which process ran it: pids as /proc sees them. */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qhpsi-plugin.h"

#ifndef FAKE_FLAGS
#define FAKE_FLAGS QHPSI_INPROCESS_SAFE
#endif
#define FAKE_SIZEMAX (64u << 20)

/* field 4 of /proc/PID/stat, the parent's pid; 0 if unreadable */
static long procppid (long pid)
{
  char buf[512], fn[64] ;
  char *s ;
  long ppid = 0 ;
  int fd ;
  snprintf(fn, sizeof fn, "/proc/%ld/stat", pid) ;
  fd = open(fn, O_RDONLY | O_CLOEXEC) ;
  ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1 ;
  if (fd >= 0) close(fd) ;
  if (n <= 0) return 0 ;
  buf[n] = 0 ;
  s = strrchr(buf, ')') ;
  if (s) sscanf(s, ") %*c %ld", &ppid) ;
  return ppid ;
}

/* the name of the program pid runs (its comm), into name; "?" if unreadable */
static void proccomm (long pid, char *name, size_t len)
{
  char fn[64] ;
  int fd ;
  ssize_t n ;
  snprintf(fn, sizeof fn, "/proc/%ld/comm", pid) ;
  fd = open(fn, O_RDONLY | O_CLOEXEC) ;
  n = fd >= 0 ? read(fd, name, len - 1) : -1 ;
  if (fd >= 0) close(fd) ;
  if (n > 0 && name[n-1] == '\n') n-- ;
  if (n <= 0) { name[0] = '?' ; n = 1 ; }
  name[n] = 0 ;
}

/* TMPDIR is one of the few variables a plugin is given */
static void record (void)
{
  char const *dir = getenv("TMPDIR") ;
  char fn[4096], line[128], self[32], pcomm[20] ;
  int fd, n ;
  ssize_t len = readlink("/proc/self", self, sizeof self - 1) ;
  self[len > 0 ? len : 0] = 0 ;
  if (!dir || snprintf(fn, sizeof fn, "%s/fakeplugin.log", dir) >= (int)sizeof fn) return ;
  fd = open(fn, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644) ;
  if (fd < 0) return ;
  proccomm(procppid(atol(self)), pcomm, sizeof pcomm) ;
  n = snprintf(line, sizeof line, "%s %ld %ld %s\n", self, (long)getuid(), procppid(procppid(atol(self))), pcomm) ;
  if (write(fd, line, n) < 0) { }
  close(fd) ;
}

static void scan (struct qhpsi_message const *m, struct qhpsi_result *r)
{
  char *s ;
  size_t got = 0 ;
  record() ;
  r->verdict = QHPSI_ERROR ;
  if (m->size > FAKE_SIZEMAX) { strcpy(r->text, "Fake: too big") ; return ; }
  s = malloc(m->size + 1) ;
  if (!s) { strcpy(r->text, "Fake: out of memory") ; return ; }
  /* pread: the offset of the shared descriptor is not ours to move */
  while (got < m->size)
  {
    ssize_t n = pread(m->fd, s + got, m->size - got, got) ;
    if (n <= 0) break ;
    got += n ;
  }
  if (got < m->size) strcpy(r->text, "Fake: short read") ;
  else if (memmem(s, got, "FAKE-HANG", 9)) for (;;) pause() ;
  else if (memmem(s, got, "FAKE-ERROR", 10)) strcpy(r->text, "Fake-Error") ;
  else if (memmem(s, got, "FAKE-VIRUS", 10)) { r->verdict = QHPSI_INFECTED ; strcpy(r->text, "Fake-Test-Sig") ; }
  else
  {
    if (memmem(s, got, "FAKE-STDERR", 11) && write(2, "fake: warning on fd 2\n", 22) < 0) { }
    r->verdict = QHPSI_CLEAN ;
  }
  free(s) ;
}

struct qhpsi_plugin const qhpsi_plugin = { QHPSI_PLUGIN_ABI, "fake", FAKE_FLAGS, scan } ;
