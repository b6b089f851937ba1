/* helper.h: what the setuid qhpsi helper does: check who started it,
   become qscand for good, keep only the scanner's environment, and scan so
   that no scanner can outlive its deadline or qmail-queue. */

#ifndef HELPER_H
#define HELPER_H

#include <stdint.h>
#include "qhpsi-plugin.h"
#include "scan/scan.h"

/* When privileged: refuses (0, errno EPERM) unless the real uid is the
   queue user (not root: the owner of the compiled-in queue/pid), then sets real, effective and saved ids to the effective
   ones. Unprivileged: nothing to do. Returns 1, or 0 with errno set. */
extern int helper_become (void) ;

/* Asks for signal sig when the parent dies; 0 if it is gone already. For
   any sig but SIGKILL, sig and SIGALRM get a handler that kills the scan
   under way (the init of a command's PID namespace, with all it holds; a
   chain's runner, and all that comes back to the helper), then exits
   111. */
extern int helper_diewithparent (int sig) ;

/* Drops every environment variable but those in policy_scannervars. */
extern int helper_cleanenv (void) ;

/* Scans the message on fd 0. A command is run and waited for with a
   deadline; plugins are loaded here and run in a watched copy of the
   helper (scan.c), so that a plugin that blocks or ignores signals is
   still killed at the deadline, with everything it started: the verdict
   is then an error saying so. */
extern void helper_scan (scanconf const *c, char const *path, uint64_t size, struct qhpsi_result *r) ;

#endif
