/* helper.h: what the setuid qhpsi helper does before it scans: check who
   started it, become qscand for good, keep only the scanner's environment. */

#ifndef HELPER_H
#define HELPER_H

/* When privileged: refuses (0, errno EPERM) unless the real uid is the
   queue user, then sets real, effective and saved ids to the effective
   ones. Unprivileged: nothing to do. Returns 1, or 0 with errno set. */
extern int helper_become (void) ;

/* Drops every environment variable but those in policy_scannervars. */
extern int helper_cleanenv (void) ;

#endif
