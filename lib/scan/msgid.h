/* msgid.h: the Message-ID of a message's own header, for the log line. */

#ifndef MSGID_H
#define MSGID_H

#include <stddef.h>

#define MSGID_MAX 200        /* bytes of the value kept */
#define MSGID_HEADMAX 65536  /* bytes of the header looked at */

/* The value of the first Message-ID field of the header in s (len bytes,
   up to the first empty line), unfolded, surrounding blanks cut, at most
   MSGID_MAX bytes, a NUL byte made '_', into out (MSGID_MAX + 1 bytes). A line that is neither
   a field nor its continuation ends the header. 1 found, 0 not. */
extern int msgid_find (char const *s, size_t len, char *out) ;

/* The same for the message in the file fd, read with pread from its start
   (at most MSGID_HEADMAX bytes; the offset is left alone). */
extern int msgid_read (int fd, char *out) ;

#endif
