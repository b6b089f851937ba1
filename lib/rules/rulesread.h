/* rulesread.h: the readers of the rule files the compiler takes (qmfilt,
   quarantine-attachments.txt, name lists, header rules), and the rule set
   they fill; rulesc.c compiles and writes it. */

#ifndef RULESREAD_H
#define RULESREAD_H

#include <stddef.h>
#include <skalibs/stralloc.h>

#include "rules/rules.h"

struct crule
{
  struct rules_rec r ;
  char *pattern ;   /* NUL-terminated, for Hyperscan and PCRE2 */
} ;

struct cstate
{
  struct crule *v ;
  size_t n, a ;
  stralloc str ;
  char *err ;
  size_t errlen ;
  struct rules_compileopt *o ;   /* never 0 here */
} ;

/* Names a line that is not taken (through o->refused) and counts it;
   returns 1: the caller goes on with the next line. why is a printf
   format. */
extern int rulesread_refuse (struct cstate *c, char const *file, unsigned int line, char const *why, ...)
  __attribute__((format(printf, 4, 5))) ;

/* Reads one source file into c: 1, its bad lines named and left out; 0 on
   a system error (err filled, errno set). */
extern int rulesread_file (struct cstate *c, enum rules_kind kind, char const *file) ;

#endif
