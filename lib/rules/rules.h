/* rules.h: content rules. The compiler turns rule sources into one compiled
   file (.qrc: a rule table and serialized Hyperscan databases); the matcher
   loads such a file and runs it over a message. See qhpsi-rules(8). */

#ifndef QHPSI_RULES_H
#define QHPSI_RULES_H

#include <stddef.h>
#include <stdint.h>

#define RULES_MAGIC "QHPSIRC\n"
#define RULES_VERSION 2
#define RULES_HSVERLEN 96

/* what a rule's pattern is matched against */
enum rules_scope
{
  RS_RAW = 0,       /* the whole raw message, multi-line */
  RS_FILENAME,      /* "filename=NAME" for every attachment and zip member name */
  RS_BARENAME,      /* the bare attachment name (quarantine-attachments.txt) */
  RS_SENDER,        /* the envelope sender */
  RS_FROM, RS_TO, RS_CC, RS_SUBJECT, RS_XMAILER, RS_MESSAGEID, RS_REPLYTO,
  RS_N
} ;

extern char const *const rules_scopename[RS_N] ;

/* rule flags */
#define RF_ALLOW 1u     /* whitelist: a match makes the message clean for every rule */
#define RF_PCRE 2u      /* Hyperscan only prefilters it: confirm with PCRE2 */
#define RF_MIN 4u       /* minsize is a bound */
#define RF_MAX 8u       /* maxsize is a bound */

/* rule actions, as in the files; rules_qhpsiaction maps them on the ABI's */
enum rules_action { RA_NONE = 0, RA_DROP, RA_BLOCK, RA_TRAP, RA_BACK, RA_ALLOW } ;
extern char const *const rules_actionname[] ;

/* on disk, native byte order (the Hyperscan part is for this platform anyway):
   header, nrules records, the string table (padded to 8), then RS_N
   databases, each a uint64_t length (0: none) and a uint64_t rules_sum of
   the database, padded to 64, then the database itself, padded to 8; then
   the probe: a uint64_t length and a small serialized Hyperscan database.
   Version 2: each database is stored as Hyperscan holds it in memory, at
   an offset that keeps its alignment, so a loader maps it and scans with
   it where it lies (no copy, no allocation); the probe, compiled with the
   same platform, is what Hyperscan's own version and platform checks run
   on. Version 1 stored them serialized. */
struct rules_header
{
  char magic[8] ;
  uint32_t version ;
  uint32_t nrules ;
  uint32_t strlen ;
  uint32_t pad ;
  char hsversion[RULES_HSVERLEN] ;
} ;

struct rules_rec
{
  uint32_t scope, action, flags, line ;
  uint64_t minsize, maxsize ;
  uint32_t name, namelen, reply, replylen, src, srclen, file, filelen ;
} ;

/* ---- compiling (rulesc.c) */
enum rules_kind { RK_QMFILT, RK_ATTACH, RK_NAMES, RK_HEADERS } ;
/* a line of a source that is not taken, and why */
typedef void rules_refused_fn (void *ctx, char const *file, unsigned int line, char const *why) ;
struct rules_compileopt
{
  int keep ;                  /* refused lines left out, the rest compiled */
  rules_refused_fn *refused ; /* told of every refused line; may be 0 */
  void *ctx ;
  unsigned int nrefused ;     /* out: lines refused */
  uint32_t nrules ;           /* out: rules written */
} ;
/* compiles the files into out (temporary name, fsync, rename). Every line
   that is not taken goes to o->refused (o may be 0); unless o->keep, one
   is enough for nothing to be written. 1 written; 0 with err filled and
   errno 0 (refused lines, or a rule set Hyperscan cannot build), or a
   system error with errno set */
extern int rules_compile (char const *out, unsigned int n, enum rules_kind const *kinds, char const *const *files, struct rules_compileopt *o, char *err, size_t errlen) ;

/* the Hyperscan flags of a rule of scope with flags RF_* */
extern unsigned int rules_hsflags (unsigned int scope, unsigned int rflags) ;

/* ---- loading and matching (rules.c) */
/* the checksum of a stored database: against a damaged file, not an
   attacker (the file is root's, checked as such) */
extern uint64_t rules_sum (char const *s, size_t len) ;
struct rules ;
/* loads a compiled file from an open fd; 0 with err filled */
extern struct rules *rules_load (int fd, char *err, size_t errlen) ;
extern void rules_free (struct rules *) ;
/* no rule confirmed past until (CLOCK_MONOTONIC, ms): the match fails "timed out" */
extern void rules_deadline (struct rules *, uint64_t until) ;
extern uint32_t rules_count (struct rules const *) ;
extern struct rules_rec const *rules_rule (struct rules const *, uint32_t i) ;
extern char const *rules_str (struct rules const *, uint32_t off) ;

/* what qhpsi-rules -t is told: a rule matched (RULES_MATCH), or matched
   but the message size is outside its window (RULES_SKIP): what is the
   matched text, or the attachment name, or the header value; or the walk
   found an attachment name (RULES_NAME; rule unused): from says where
   (mime.h, mime_originname) */
#define RULES_SKIP 0
#define RULES_MATCH 1
#define RULES_NAME 2
typedef void rules_explain_fn (void *ctx, uint32_t rule, char const *what, size_t len, int counted, char const *from) ;

/* 1 and *hit the winning rule, 0 clean (or whitelisted: *allowed set),
   2 no rule matched what could be read, but the MIME walk could not read
   it all (*unchecked: why, a MIME_UNCHECKED_* of mime.h), -1 error (err
   filled). Attachment names are matched as the recipient's system will
   open them (rules_namelen), then as written when that differs. */
extern int rules_match (struct rules *, char const *msg, size_t len, char const *sender, uint32_t *hit, int *allowed, char const **unchecked, rules_explain_fn *explain, void *ctx, char *err, size_t errlen) ;

/* how much of the name (len bytes) a system opens: to the first NUL, less
   trailing dots, spaces and tabs */
extern size_t rules_namelen (char const *name, size_t len) ;

#endif
