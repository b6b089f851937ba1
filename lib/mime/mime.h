/* mime.h: the message walker for content rules: the top-level header's
   fields, decoded, and every attachment name at any depth, zip members too. */

#ifndef MIME_H
#define MIME_H

#include <stddef.h>
#include <skalibs/stralloc.h>

#define MIME_MAXDEPTH 32          /* entities nested deeper are not looked at */
#define MIME_MAXPARTS 10000       /* entities looked at per message */
#define MIME_MAXNAME 1024         /* a longer name is cut, at a UTF-8 boundary */
#define MIME_MAXFIELD 65536       /* an unfolded field is cut here */
#define MIME_MAXZIP (50 << 20)    /* a zip body is decoded up to this size */
#define MIME_MAXBOUNDARY 256      /* RFC 2046 allows 70 */
#define MIME_MAXTYPE 128          /* type/subtype */
#define MIME_MAXPARAMS 128        /* parameters of one field */
#define MIME_MAXTNEF (50 << 20)   /* an MS-TNEF body is decoded up to this size */
#define MIME_MAXTNEFNAMES 16      /* names and data attributes of one TNEF attachment */

/* what reaches the unchecked callback: a limit of the walk reached ... */
#define MIME_UNCHECKED_DEPTH "MimeDepth"    /* nested deeper than MIME_MAXDEPTH */
#define MIME_UNCHECKED_PARTS "MimeParts"    /* more than MIME_MAXPARTS entities */
#define MIME_UNCHECKED_BOUNDARY "MimeBoundary"  /* a boundary of MIME_MAXBOUNDARY bytes or more */
#define MIME_UNCHECKED_PARAMS "MimeParams"  /* a field of more than MIME_MAXPARAMS parameters */
#define MIME_UNCHECKED_FIELD "MimeField"    /* a field cut at MIME_MAXFIELD */
#define MIME_UNCHECKED_NAME "MimeName"      /* a name cut at MIME_MAXNAME */
#define MIME_UNCHECKED_TYPE "MimeType"      /* a media type of MIME_MAXTYPE bytes or more */
#define MIME_UNCHECKED_ZIP "MimeZip"        /* a zip body decoded only up to MIME_MAXZIP */
#define MIME_UNCHECKED_RFC2231 "MimeRfc2231Gap" /* name*0, name*2: a section missing or twice */
/* a uuencoded block without its end line, or with a line that is not uuencode */
#define MIME_UNCHECKED_UUENCODE "MimeUuencode"
/* a TNEF stream cut at MIME_MAXTNEF, that does not parse to its end, or
   with an attachment of more than MIME_MAXTNEFNAMES names and data */
#define MIME_UNCHECKED_TNEF "MimeTnef"
/* ... or a structure that a common reader (Courier's reformime, maildrop)
   splits otherwise than the walk, so that it may show a part not walked */
#define MIME_UNCHECKED_AMBIGUOUS_BOUNDARY "MimeAmbiguousBoundary"  /* "--B junk", "--b" for B, "--BX" */
/* two types, boundaries or encodings; a field line that starts with a blank */
#define MIME_UNCHECKED_AMBIGUOUS_HEADER "MimeAmbiguousHeader"

/* where a name was found */
enum mime_origin
{
  MIME_FROM_PARAM = 0,  /* Content-Type's name=, Content-Disposition's filename= */
  MIME_FROM_ZIP,        /* the central directory of a zip */
  MIME_FROM_UUENCODE,   /* the "begin MODE NAME" line of a uuencoded block */
  MIME_FROM_TNEF,       /* an attachment of an MS-TNEF stream (winmail.dat) */
  MIME_FROM_N
} ;
/* "MIME parameter", "zip", "uuencode", "TNEF" */
extern char const *const mime_originname[MIME_FROM_N] ;

struct mime_sink
{
  void *ctx ;
  /* a field of the message's top-level header: name as written (no colon),
     value unfolded (CRLF/LF + blanks → one space), leading/trailing blanks
     trimmed, RFC 2047 encoded-words decoded to UTF-8. Return 0 to stop the walk. */
  int (*header) (void *ctx, char const *name, size_t namelen, char const *value, size_t valuelen) ;
  /* an attachment name, and where it was found (from). Return 0 to stop. */
  int (*name) (void *ctx, char const *name, size_t len, enum mime_origin from) ;
  /* a leaf entity's whole body, decoded (base64, quoted-printable, else as
     it is), with its type, lowercased ("" when it has none). Only walks
     whose sink sets it decode every body. Return 0 to stop. */
  int (*part) (void *ctx, char const *type, char const *body, size_t len) ;
  /* something the walker could not read whole, or that a common mail
     reader splits otherwise than the walk: why, a short constant string
     (mime.h, MIME_UNCHECKED_*). The walk goes on unless it returns 0. */
  int (*unchecked) (void *ctx, char const *why) ;
} ;

/* Walks the message s (len bytes, as queued: LF line ends, possibly CRLF;
   qmail-queue's own Received line first). Calls header for each top-level
   field and name for every attachment name in every MIME part at any depth
   (multipart/..., message/rfc822), up to MIME_MAXDEPTH levels and
   MIME_MAXPARTS parts. Either callback may be 0.
   Names come from Content-Type's name= and Content-Disposition's filename=,
   plain (RFC 2047 words inside are decoded, as mailers send them), RFC 2231
   (name*=, name*0=, name*0*=) or both; equal names of one part are reported
   once. A name whose charset iconv does not know is reported as its bytes.
   A part is taken for a zip when its decoded body starts with PK\3\4, a name
   of it ends in .zip or its type is application/zip, x-zip-compressed or
   x-zip; its central directory's names are reported as they are with flag
   bit 11 (UTF-8), else converted from CP437 (as they are if that fails).
   A text body (text/..., or none: a message without MIME) is read for
   uuencoded blocks ("begin MODE NAME" or "begin-base64 MODE NAME" to "end"
   or "===="): NAME as it is. A leaf whose decoded body starts with the
   TNEF signature 78 9F 3E 22 is read as MS-TNEF: each attachment's title
   (attAttachTitle) and file names (PR_ATTACH_LONG_FILENAME, _FILENAME,
   _LONG_PATHNAME, _PATHNAME), 8-bit ones converted from the stream's
   code page, and the embedded messages' attachments. A uuencoded block or
   TNEF attachment that is a zip (by its name or bytes) has its members'
   names read; TNEF and zip in them too. Each block and TNEF attachment
   counts as a part.
   Returns 1 when walked (or stopped by a callback), 0 on ENOMEM. Never
   reads outside s; never allocates without bound. */
extern int mime_walk (char const *s, size_t len, struct mime_sink const *sink) ;

/* Appends to sa the header value s (len bytes) with RFC 2047 encoded-words
   (=?charset?B?...?= and ?Q?, any case, charset converted with iconv to
   UTF-8; whitespace between adjacent encoded-words dropped, as RFC 2047 says;
   an unknown charset or bad encoding leaves the word as it was). 1, or 0 on ENOMEM. */
extern int mime_decodeheader (stralloc *sa, char const *s, size_t len) ;

#endif
