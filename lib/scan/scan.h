/* scan.h: one QHPSI scan of a message, by a command or a plugin chain,
   either in this process or through the setuid qhpsi helper. A scan that
   cannot be completed is always QHPSI_ERROR, never clean. */

#ifndef SCAN_H
#define SCAN_H

#include <stdint.h>
#include "qhpsi-plugin.h"
#include "scan/fields.h"

typedef struct scanconf_s scanconf ;
struct scanconf_s
{
  char const *qhpsi ;     /* "clamdscan %s ..." or "plugin:a.so b.so" */
  char const *plugindir ; /* absolute */
  char const *symb ;      /* legacy plugin symbol */
  int rc ;
  int rn ;
  unsigned int timeout ;  /* seconds */
  /* for ABI 2 plugins: the envelope and the client */
  char const *sender ;
  char const *const *rcpts ;
  uint32_t nrcpts ;
  char const *remoteip ;  /* or 0 */
  /* for ABI 3 plugins: the message's fields, from the trusted policy */
  scanfields f ;
  /* where the spam engines' answer goes (scan_spamran tells whether one
     ran); 0: spam engines are not run */
  struct qhpsi_result *spam ;
} ;

/* Set (by the helper) when the caller of scan_local is itself a fit
   watcher of a plugin chain: a child subreaper that kills all it holds
   at its deadline, its parent's death and its answer pipe's hangup. The
   chain then runs in one copy of the caller, not two. */
extern int scan_selfwatch ;

/* Called (from a thread, so only what a signal handler may do) when a
   chain of self-contained plugins run in this process overruns its
   deadline by a second; it must not return (when 0: exit 111). */
extern void (*scan_hung)(void) ;

/* 1 if qhpsi names plugins rather than a command */
extern int scan_isplugin (char const *qhpsi) ;

/* Scans here: a command is spawned, plugins are loaded into this process.
   fd is read-only and seekable, path names the same file. With inprocess
   set, a chain holding a plugin that is unsafe in-process is not run:
   returns 0 and the caller goes through the helper. Otherwise returns 1
   with r filled. */
extern int scan_local (scanconf const *c, char const *path, int fd, uint64_t size, int inprocess, struct qhpsi_result *r) ;

/* Scans through the helper program at helper; plugindir there is the
   PLUGINDIR subdirectory name, or "" */
extern void scan_helper (scanconf const *c, char const *helper, char const *subdir, char const *path, int fd, struct qhpsi_result *r) ;

#endif
