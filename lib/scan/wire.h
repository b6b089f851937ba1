/* wire.h: what qmail-queue and the qhpsi helper say to each other: the
   helper's verdict answer on its stdout and the envelope on its fd 3. Both
   sides use it; neither trusts what the other wrote. */

#ifndef WIRE_H
#define WIRE_H

#include <stddef.h>
#include <stdint.h>
#include "qhpsi-plugin.h"
#include <skalibs/stralloc.h>

/* the longest answer: letter, action digit, flags digit, text, NUL, reply, NUL */
#define WIRE_ANSWERMAX (3 + QHPSI_TEXTLEN + QHPSI_REPLYLEN)
/* the most of an envelope the helper takes on its fd 3 */
#define WIRE_ENVMAX (4U << 20)

/* Writes r to fd as the helper's answer: C, I or E, the action as a digit
   0-5, the flags as a digit 0-3, the text, a NUL, the reply (control bytes
   blanked), a NUL. 1, or 0 with errno set. */
extern int wire_report (int fd, struct qhpsi_result const *r) ;

/* Reads such an answer from s (len bytes) into r; 1, or 0 if malformed
   (bad letter or digit, a text or reply too long, a reply with a byte
   outside ' '..'~', anything but exactly two NULs, the server flag with
   no server in the reply). */
extern int wire_parse (char const *s, size_t len, struct qhpsi_result *r) ;

/* Reads the envelope from fd (qmail-queue's format, at most WIRE_ENVMAX
   bytes, checked as untrusted) into sa, with rcpts pointing into it.
   1, or 0 with errno set (EPROTO: malformed). */
extern int wire_readenvelope (int fd, stralloc *sa, char const ***rcpts, uint32_t *nrcpts) ;

/* A sealed-off copy of the envelope for the helper's fd 3: a memfd at
   offset 0, holding as many whole recipients as fit in WIRE_ENVMAX.
   The fd, or -1 with errno set. */
extern int wire_writeenvelope (char const *sender, char const *const *rcpts, uint32_t nrcpts) ;

#endif
