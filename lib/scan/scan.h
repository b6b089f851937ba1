/* scan.h: one QHPSI scan of a message, by a command or a plugin chain,
   either in this process or through the setuid qhpsi helper. A scan that
   cannot be completed is always QHPSI_ERROR, never clean. */

#ifndef SCAN_H
#define SCAN_H

#include <stdint.h>
#include "qhpsi-plugin.h"
#include "scan/fields.h"

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
