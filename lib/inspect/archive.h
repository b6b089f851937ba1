/* archive.h: the archive check. Every member of a zip (and every gzip
   stream) in a message is measured against the engine's limits, by the
   size it declares and by the size it really inflates to; what the engine
   would not scan whole, or cannot open, is a finding. */

#ifndef ARCHIVE_H
#define ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

/* the findings, after "Unchecked." */
#define ARCHIVE_MAXFILESIZE "MaxFileSize"    /* a member over the engine's MaxFileSize */
#define ARCHIVE_MAXSCANSIZE "MaxScanSize"    /* all members together over MaxScanSize */
#define ARCHIVE_MAXFILES "MaxFiles"          /* more members than MaxFiles */
#define ARCHIVE_MAXRECURSION "MaxRecursion"  /* archives nested deeper than MaxRecursion */
#define ARCHIVE_ZIP64 "Zip64"                /* ZIP64 records: the engine does not read them */
#define ARCHIVE_ENCRYPTED "Encrypted"        /* an encrypted member (flag bit 0, 6 or 13, AES) */
#define ARCHIVE_METHOD "ZipMethod"           /* a compression method other than stored and deflate */
#define ARCHIVE_STRUCTURE "ArchiveStructure" /* headers that disagree, hidden or overlapping members, bad data */
#define ARCHIVE_MEMORY "ArchiveMemory"       /* nested archives beyond ARCHIVE_MAXNESTED bytes */

/* bytes of nested archives held in memory at once, per message */
#define ARCHIVE_MAXNESTED (64u << 20)

struct archive_limits
{
  uint64_t maxfilesize ;   /* a member may inflate to this many bytes */
  uint64_t maxscansize ;   /* all members together */
  unsigned int maxfiles ;  /* members, all archives of the message together */
  unsigned int maxrecursion ;  /* archives nested in archives */
} ;

/* the engine's limits as the shipped clamd.conf sets them */
#define ARCHIVE_LIMITS_DEFAULT { (uint64_t)60 << 20, (uint64_t)200 << 20, 10000, 16 }

/* one message's account, across all its archives */
struct archive_state
{
  struct archive_limits const *lim ;
  uint64_t scanned ;     /* bytes inflated so far */
  size_t nested ;        /* bytes of nested archives held now */
  unsigned int files ;   /* members seen */
  char const *why ;      /* the first finding, one of the constants above, or 0 */
} ;

/* Checks the body b (n bytes) when it is a zip (starts with PK\3\4) or a
   gzip stream (\37\213); anything else passes. Sets st->why on the first
   finding. Returns 1, or 0 with errno set (ENOMEM). Never reads outside
   b; inflates into a small scratch buffer, except nested archives, which
   are held within ARCHIVE_MAXNESTED bytes. */
extern int archive_check (struct archive_state *st, unsigned char const *b, size_t n) ;

/* lib/inspect/inflate.c */
/* Inflates src (len bytes; raw deflate, or gzip members when gzip is 1)
   into nowhere, counting: stops once more than max bytes came out.
   *out: bytes out; *ended: the stream(s) ended exactly at the end of src;
   head: the first 4 bytes out (zero-filled). When keep is not 0 the output
   goes there too (at most max bytes). Returns 1, 0 with errno (ENOMEM). */
extern int archive_inflate (unsigned char const *src, size_t len, int gzip, uint64_t max,
  uint64_t *out, int *ended, unsigned char head[4], unsigned char *keep) ;

#endif
