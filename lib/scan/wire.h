/* wire.h: what qmail-queue and the qhpsi helper say to each other: the
   helper's verdict answer on its stdout and the envelope on its fd 3. Both
   sides use it; neither trusts what the other wrote. */

#ifndef WIRE_H
#define WIRE_H

#include <stddef.h>
#include <stdint.h>
#include "qhpsi-plugin.h"
#include "scan/fields.h"
#include <skalibs/stralloc.h>

/* the longest spam part: S, letter, action and flags digits, score, NUL,
   required, NUL, text, NUL, reply, NUL, tests, NUL, headers, NUL */
#define WIRE_SPAMMAX (4 + 2 * 12 + QHPSI_TEXTLEN + QHPSI_REPLYLEN + QHPSI_TESTSLEN + QHPSI_HEADERSLEN)
/* the longest answer: letter, action digit, flags digit, text, NUL, reply,
   NUL, and a spam part */
#define WIRE_ANSWERMAX (3 + QHPSI_TEXTLEN + QHPSI_REPLYLEN + WIRE_SPAMMAX)
/* the most bytes of one message field (qid, user, settings) on fd 3 */
#define WIRE_FIELDMAX 256
/* the most of an envelope the helper takes on its fd 3 */
#define WIRE_ENVMAX (4U << 20)

/* Writes r to fd as the helper's answer: C, I or E, the action as a digit
   0-5, the flags as a digit 0-3, the text, a NUL, the reply (control bytes
   blanked), a NUL. Then, when spam is given and a spam engine answered
   (scan_spamran), the spam part: S, C, S or E, the action as a digit 0-6,
   the flags as a digit 0-7, the score, NUL, required, NUL, text, NUL,
   reply, NUL, tests, NUL, header fields, NUL. 1, or 0 with errno set. */
extern int wire_report (int fd, struct qhpsi_result const *r, struct qhpsi_result const *spam) ;

/* Reads such an answer from s (len bytes) into r and spam (zeroed when
   the answer has no spam part; with spam 0, a spam part is malformed);
   1, or 0 if malformed (bad letter or digit, a text or reply too long, a
   reply with a byte outside ' '..'~', a NUL too many or too few, the
   server flag with no server in the reply, a spam part whose score,
   tests or header fields a plugin could not have given: spamhdr_check). */
extern int wire_parse (char const *s, size_t len, struct qhpsi_result *r, struct qhpsi_result *spam) ;

/* Reads the envelope from fd (qmail-queue's format, at most WIRE_ENVMAX
   bytes, checked as untrusted) into sa, with rcpts pointing into it, and
   the message fields after the recipients into f (pointers into sa), if
   f is not 0: Q qid (digits), A authuser, S settings, U spamuser
   (printable, at most WIRE_FIELDMAX bytes), M mflags (digits, known
   flags only), N (noscore), each at most once, M always when any is
   there. *fields is 1 when they were. 1, or 0 with errno set (EPROTO:
   malformed). */
extern int wire_readenvelope (int fd, stralloc *sa, char const ***rcpts, uint32_t *nrcpts, scanfields *f, int *fields) ;

/* A sealed-off copy of the envelope for the helper's fd 3: a memfd at
   offset 0, holding as many whole recipients as fit in WIRE_ENVMAX, then
   the fields of f, when given. The fd, or -1 with errno set (EINVAL: a
   field the reader would refuse). */
extern int wire_writeenvelope (char const *sender, char const *const *rcpts, uint32_t nrcpts, scanfields const *f) ;

#endif
