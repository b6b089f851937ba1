/* helper.h: what the setuid qhpsi helper does: check who started it,
   become qscand for good, keep only the scanner's environment, and scan so
   that no scanner can outlive its deadline or qmail-queue. */

#ifndef HELPER_H
#define HELPER_H

#include <stdint.h>
#include "qhpsi-plugin.h"
#include "scan.h"

/* When privileged: refuses (0, errno EPERM) unless the real uid is the
   queue user, then sets real, effective and saved ids to the effective
   ones. Unprivileged: nothing to do. Returns 1, or 0 with errno set. */
extern int helper_become (void) ;

/* Asks for signal sig when the parent dies; 0 if it is gone already. For
   any sig but SIGKILL, sig and SIGALRM get a handler that kills the
   process group of the scan under way (spawn_group), then exits 111: the
   scanner's own children go too. */
extern int helper_diewithparent (int sig) ;

/* Drops every environment variable but those in policy_scannervars. */
extern int helper_cleanenv (void) ;

/* Scans the message on fd 0. A command is run and waited for with a
   deadline; plugins run in a child process (its own process group), so
   that a plugin that blocks or ignores signals is still killed at the
   deadline: the verdict is then an error saying so. */
extern void helper_scan (scanconf const *c, char const *path, uint64_t size, struct qhpsi_result *r) ;

#include <skalibs/stralloc.h>

/* the longest answer: letter, action digit, flags digit, text, NUL, reply, NUL */
#define HELPER_ANSWERMAX (3 + QHPSI_TEXTLEN + QHPSI_REPLYLEN)
/* the most of an envelope the helper takes on its fd 3 */
#define HELPER_ENVMAX (4U << 20)

/* Writes r to fd as the helper's answer: C, I or E, the action as a digit
   0-5, the flags as a digit 0-1, the text, a NUL, the reply (control bytes
   blanked), a NUL. 1, or 0 with errno set. */
extern int helper_report (int fd, struct qhpsi_result const *r) ;

/* Reads such an answer from s (len bytes) into r; 1, or 0 if malformed
   (bad letter or digit, a text or reply too long, a reply with a byte
   outside ' '..'~', anything but exactly two NULs). */
extern int helper_parse (char const *s, size_t len, struct qhpsi_result *r) ;

/* Reads the envelope from fd (qmail-queue's format, at most HELPER_ENVMAX
   bytes, checked as untrusted) into sa, with rcpts pointing into it.
   1, or 0 with errno set (EPROTO: malformed). */
extern int helper_readenvelope (int fd, stralloc *sa, char const ***rcpts, uint32_t *nrcpts) ;

/* A sealed-off copy of the envelope for the helper's fd 3: a memfd at
   offset 0, holding as many whole recipients as fit in HELPER_ENVMAX.
   The fd, or -1 with errno set. */
extern int helper_writeenvelope (char const *sender, char const *const *rcpts, uint32_t nrcpts) ;

#endif
