/* unit.h: the few macros the C unit tests share. Each CHECK prints one
   "ok - ..." or "FAIL - ..." line; tests/run counts them. */

#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failed ;

#define CHECK(cond, name) do { \
  if (cond) printf("ok - %s: %s\n", __FILE__, (name)) ; \
  else { printf("FAIL - %s:%d: %s (%s)\n", __FILE__, __LINE__, (name), #cond) ; unit_failed = 1 ; } \
} while (0)

/* compare len bytes; shows both sides on failure */
#define CHECKMEM(got, gotlen, want, wantlen, name) do { \
  size_t gl_ = (gotlen), wl_ = (wantlen) ; \
  if (gl_ == wl_ && !memcmp((got), (want), gl_)) printf("ok - %s: %s\n", __FILE__, (name)) ; \
  else { printf("FAIL - %s:%d: %s: got [%.*s] want [%.*s]\n", __FILE__, __LINE__, (name), \
    (int)gl_, (char const *)(got), (int)wl_, (char const *)(want)) ; unit_failed = 1 ; } \
} while (0)

#define UNIT_END() (fflush(stdout), unit_failed)

#endif
