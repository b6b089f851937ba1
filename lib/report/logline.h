/* logline.h: one line of a multilog directory: its TAI64N stamp and, for
   qmail-queue's "qhpsi:" line (qmail-queue(8), LOG), its fields. The one
   parser that the report, the metrics and the live view share. */
#ifndef LOGLINE_H
#define LOGLINE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* a TAI64N label: seconds since 1970 (Unix, as multilog's 2^62 + 10
   offset removes them) and nanoseconds */
typedef struct tain_s logstamp ;
struct tain_s { uint64_t sec ; uint32_t nano ; } ;

typedef struct lfield_s lfield ;
struct lfield_s { char const *s ; size_t len ; } ;

typedef struct logline_s logline ;
struct logline_s
{
  logstamp t ;
  lfield ip, from, route, verdict, signature, error, action, qid, host ;
  lfield spam ;            /* ham, spam or error, when a spam engine ran; else empty */
  uint64_t size, ms ;
  int64_t score ;          /* the spam score in hundredths, when scored */
  unsigned int scored : 1 ;
} ;

enum { LOGLINE_QHPSI, LOGLINE_OTHER, LOGLINE_MALFORMED } ;

/* "@" and 24 hex digits at s; 1, or 0 if it is no stamp */
extern int logline_stamp (char const *s, size_t len, logstamp *t) ;
extern int logstamp_cmp (logstamp const *a, logstamp const *b) ;

/* A line without its newline: LOGLINE_QHPSI with *l filled in (its
   fields point into s), LOGLINE_OTHER for a stamped line of another
   program (l->t set), LOGLINE_MALFORMED for an unstamped line or a
   qhpsi line that lacks a key or has a bad number. Keys are found by
   name, so a key added to the line (host=, ...) breaks nothing. A
   score= that is not a number with at most two decimals is malformed. */
extern int logline_parse (char const *s, size_t len, logline *l) ;

/* field equals the literal */
extern int lfield_is (lfield const *f, char const *lit) ;

#endif
