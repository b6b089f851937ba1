/* spamrules.h: compiles the per-recipient spam rules (control/qhpsispam)
   into control/qhpsispam.cdb, for qhpsi-spamrules(8). The lines are
   tcprules' (key:instructions), the cdb holds what tcprules writes
   ("+VAR=value\0" per variable); only the keys differ: a recipient address,
   a domain, ".domain" for its subdomains, "" for the default. tcprules
   reads "a-b" as a range of numbers, so it cannot name most domains. */

#ifndef SPAMRULES_H
#define SPAMRULES_H

#include <stddef.h>

/* Compiles text (len bytes) into a cdb written on fd. 1, or 0: with
   *line (from 1) and *why for a bad line, else errno (*line 0). */
extern int spamrules_make (char const *text, size_t len, int fd, unsigned int *line, char const **why) ;

#endif
