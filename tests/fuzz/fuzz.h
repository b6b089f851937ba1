/* tests/fuzz/fuzz.h: what the libFuzzer harnesses share. An invariant that
   does not hold aborts, so libFuzzer keeps the input as a crash. */

#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_ASSERT(cond) do { \
  if (!(cond)) { fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond) ; abort() ; } \
} while (0)

/* a NUL-terminated copy of the input, for APIs that take C strings */
static inline char *fuzz_strdup (uint8_t const *data, size_t size)
{
  char *s = malloc(size + 1) ;
  if (!s) abort() ;
  for (size_t i = 0 ; i < size ; i++) s[i] = data[i] ? (char)data[i] : ' ' ;
  s[size] = 0 ;
  return s ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size) ;

#endif
