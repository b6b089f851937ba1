/* xtext.h: envelope addresses and other outside bytes made safe for a
   header or a record line, as RFC 3461's xtext. */

#ifndef XTEXT_H
#define XTEXT_H

#include <skalibs/stralloc.h>

/* Appends s as xtext (RFC 3461): every byte outside '!'..'~', and '+' and
   '=', becomes +XX. 1, or 0 on ENOMEM. */
extern int xtext_cat (stralloc *sa, char const *s) ;

#endif
