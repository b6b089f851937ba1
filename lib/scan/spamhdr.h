/* spamhdr.h: the spam header fields of a message: checking those a spam
   engine asks for, writing them and ours (SpamAssassin's X-Spam-* form),
   folded without changing their unfolded bytes, and renaming a sender's
   own copies so that only ours match. */

#ifndef SPAMHDR_H
#define SPAMHDR_H

#include <stddef.h>
#include <stdint.h>
#include <skalibs/stralloc.h>

#include "qhpsi-plugin.h"

#define SPAMHDR_FIELDS 32     /* fields a plugin may ask for */
#define SPAMHDR_FIELDMAX 4000 /* bytes of one field, its newline included */
#define SPAMHDR_LINE 78       /* a written line is folded past this, where it has a blank */
#define SPAMHDR_STARS 50      /* X-Spam-Level's most stars */

/* 1 if name (len bytes) is a field a plugin may set (qhpsi-plugin.h) */
extern int spamhdr_allowed (char const *name, size_t len) ;

/* Checks a plugin's header fields s (NUL-terminated): each "Name: value\n",
   the name allowed, no CR, no LF inside, no control byte but tab and no
   byte above '~', at most SPAMHDR_FIELDS fields of at most SPAMHDR_FIELDMAX
   bytes. 1, or 0 with why (a short text) set. */
extern int spamhdr_check (char const *s, char const **why) ;

/* 1 if tests (NUL-terminated) holds only [A-Za-z0-9_.-] and commas */
extern int spamhdr_testsok (char const *tests) ;

/* Appends one field (len bytes, without its newline) to out, folded at its
   own blanks past SPAMHDR_LINE bytes a line: a newline goes in front of a
   blank already there, so that unfolding gives the same bytes; then the
   newline. 1, or 0 on ENOMEM. */
extern int spamhdr_fold (stralloc *out, char const *field, size_t len) ;

/* The score in thousandths as SpamAssassin writes it: one decimal, into
   buf (at least 16 bytes) */
extern char *spamhdr_score (char *buf, int32_t t) ;

/* Appends to hdr what a scored result r says: X-Spam-Flag (YES when flag),
   X-Spam-Score, X-Spam-Level, X-Spam-Status ("Yes, score=7.5
   required=5.0 tests=A,B"; required is left out when not known, 0), then
   the plugin's own fields, folded. 1, or 0 on ENOMEM. */
extern int spamhdr_write (stralloc *hdr, struct qhpsi_result const *r, int flag, int32_t required) ;

/* Appends the mark of a message the spam engine could not score. */
extern int spamhdr_notscored (stralloc *hdr) ;

/* Renames, in the top-level header of the message on fd (len bytes, from
   offset 0), every field named X-Spam-Flag, -Score, -Level, -Status,
   -Report or X-Rspamd-anything (case-insensitive): its first '-' becomes
   '_', in place, every other byte kept. The number renamed, or -1 with
   errno set. */
extern int64_t spamhdr_rename (int fd, uint64_t len) ;

#endif
