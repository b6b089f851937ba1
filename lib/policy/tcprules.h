/* tcprules.h: per-client rules in ucspi-tcp's tcprules cdb format, looked
   up the way tcpserver -x does, through skalibs' cdb. */

#ifndef TCPRULES_H
#define TCPRULES_H

#include <stddef.h>
#include <stdint.h>
#include <skalibs/cdb.h>

/* Looks ip up the way tcpserver -x does: the exact address, then shorter
   dotted prefixes ("10.1.2.", "10.1.", "10."), then the default rule "".
   Returns 1 and sets *rule to the matching rule's data (pointing into the
   cdb map, valid until cdb_free), 0 if no rule matches, -1 (errno EPROTO)
   if the cdb is malformed: shorter than its header, a hash table or the
   rule not inside the file. */
extern int tcprules_match (cdb const *c, char const *ip, cdb_data *rule) ;

/* 1 if every hash table of c's header lies inside the file: a cdb that
   fails this is damaged for every key. tcprules_match checks it itself. */
extern int tcprules_sane (cdb const *c) ;

/* One key, exactly: 1 and *rule (checked to lie inside the file), 0 if
   absent, -1 (errno EPROTO) if the cdb is damaged. Check tcprules_sane
   first. */
extern int tcprules_find (cdb const *c, char const *key, size_t len, cdb_data *rule) ;

/* Walks the environment entries of a rule: returns 1 and points name/value
   at the next "+VAR=value" entry (from *pos, which it advances; start at 0),
   0 at the end, -1 (errno EPROTO) if malformed. The format has no entries
   that unset a variable, so *value is never 0. */
extern int tcprules_nextvar (cdb_data const *rule, uint32_t *pos, char const **name, size_t *namelen, char const **value, size_t *valuelen) ;

/* 1 if the rule allows (A), 0 if it denies (D) or is malformed */
extern int tcprules_allows (cdb_data const *rule) ;

#endif
