/* unit tests of the Message-ID reader: only the top-level header counts */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "scan/msgid.h"
#include "unit.h"

static char out[MSGID_MAX + 1] ;

#define FIND(s, want, name) do { \
  int r_ = msgid_find(s, sizeof s - 1, out) ; \
  if (want) CHECK(r_ && !strcmp(out, want ? want : ""), name) ; \
  else CHECK(!r_, name) ; \
} while (0)

int main (void)
{
  static char const received[] = "Received: (qmail 1 invoked by uid 0); 1 Jan 2026 00:00:00 -0000\nMessage-ID: <a@b>\n\n" ;
  static char const lower[] = "subject: x\nmessage-id:<a@b>\n\n" ;
  static char const spaced[] = "Message-ID \t: \t <a@b> \t\n\n" ;
  static char const crlf[] = "Message-ID: <a@b>\r\n\r\n" ;
  static char const folded[] = "Message-ID:\n\t<a\n b@c>\nSubject: x\n\n" ;
  static char const body[] = "Subject: x\n\nMessage-ID: <no@body>\n" ;
  static char const mime[] = "Content-Type: multipart/mixed; boundary=b\n\n--b\nMessage-ID: <no@part>\n\n--b--\n" ;
  static char const notfield[] = "Subject: x\n>From me\nMessage-ID: <no@x>\n\n" ;
  static char const cont[] = " <no@x>\nMessage-ID: <yes@x>\n\n" ;
  static char const similar[] = "Message-IDx: <no@x>\nResent-Message-ID: <no@y>\n\n" ;
  static char const first[] = "Message-ID: <1@x>\nMessage-ID: <2@x>\n\n" ;
  static char const nul[] = "Message-ID: <a\0b@x>\n\n" ;
  static char const empty[] = "Message-ID:   \n\n" ;
  static char const unended[] = "Message-ID: <cut" ;
  char big[MSGID_MAX + 100] ;
  char path[] = "/tmp/msgid.XXXXXX" ;
  int fd ;

  FIND(received, "<a@b>", "after qmail's Received line") ;
  FIND(lower, "<a@b>", "any case, no blank after the colon") ;
  FIND(spaced, "<a@b>", "blanks around the colon and the value") ;
  FIND(crlf, "<a@b>", "CR LF line ends") ;
  FIND(folded, "<a b@c>", "folded: the line breaks go, the blanks stay") ;
  FIND(body, 0, "not in the body") ;
  FIND(mime, 0, "not in a MIME part") ;
  FIND(notfield, 0, "a line that is no field ends the header") ;
  FIND(cont, "<yes@x>", "a continuation line of nothing is skipped") ;
  FIND(similar, 0, "only the field of that name") ;
  FIND(first, "<1@x>", "the first of two") ;
  FIND(nul, "<a_b@x>", "a NUL does not end the value") ;
  FIND(empty, "", "an empty field is found, empty") ;
  FIND(unended, "<cut", "a header cut short") ;

  memcpy(big, "Message-ID: ", 12) ;
  memset(big + 12, 'x', sizeof big - 12) ;
  CHECK(msgid_find(big, sizeof big, out) && strlen(out) == MSGID_MAX, "kept to MSGID_MAX bytes") ;

  /* from a file, as qmail-queue has the message: pread, offset untouched */
  fd = mkstemp(path) ;
  CHECK(fd >= 0, "temporary file") ;
  if (fd < 0) return UNIT_END() ;
  unlink(path) ;
  if (write(fd, received, sizeof received - 1) != sizeof received - 1) return 1 ;
  CHECK(msgid_read(fd, out) && !strcmp(out, "<a@b>"), "msgid_read") ;
  CHECK(lseek(fd, 0, SEEK_CUR) == sizeof received - 1, "msgid_read leaves the offset alone") ;
  {
    char *huge = malloc(MSGID_HEADMAX + 64) ;
    size_t n = MSGID_HEADMAX - 8 ;
    if (!huge) return 1 ;
    memcpy(huge, "X: ", 3) ;
    memset(huge + 3, 'y', n - 3) ;
    memcpy(huge + n, "\nMessage-ID: <far@x>\n\n", 22) ;
    if (ftruncate(fd, 0) < 0 || pwrite(fd, huge, n + 22, 0) != (ssize_t)(n + 22)) return 1 ;
    CHECK(!msgid_read(fd, out), "past MSGID_HEADMAX: not looked for") ;
    free(huge) ;
  }
  close(fd) ;
  return UNIT_END() ;
}
