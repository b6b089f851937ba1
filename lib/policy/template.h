/* template.h: turning a QHPSI command template into an argv, with no shell. */

#ifndef TEMPLATE_H
#define TEMPLATE_H

#include <stddef.h>
#include <skalibs/stralloc.h>

#define TEMPLATE_MAXWORDS 64

/* Splits tmpl into words at blanks; single and double quotes group (no
   escapes). A word that is exactly, or starts with, %s becomes path; a
   template of one word gets path appended. argv (TEMPLATE_MAXWORDS + 2
   entries) is 0-terminated and points into sa and path.
   Returns the word count, or -1 on an unbalanced quote, an empty template
   or too many words. */
extern int template_split (char const *tmpl, char const *path, stralloc *sa, char const **argv) ;

#endif
