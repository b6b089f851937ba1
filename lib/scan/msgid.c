/* msgid.c: finds the Message-ID field in a message's header. Only the
   top-level header counts: a Message-ID line in the body or in a MIME part
   is the sender's text, not the message's. */

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "scan/msgid.h"

static size_t linelen (char const *s, size_t len)
{
  char const *nl = memchr(s, '\n', len) ;
  return nl ? (size_t)(nl - s) + 1 : len ;
}

/* a field line: a name of printable non-colon bytes, blanks, then ':';
   returns the offset past the colon, or 0 */
static size_t fieldname (char const *s, size_t n, size_t *namelen)
{
  size_t i = 0 ;
  while (i < n && s[i] > ' ' && s[i] <= '~' && s[i] != ':') i++ ;
  *namelen = i ;
  if (!i) return 0 ;
  while (i < n && (s[i] == ' ' || s[i] == '\t')) i++ ;
  return i < n && s[i] == ':' ? i + 1 : 0 ;
}

static int blank (char c) { return c == ' ' || c == '\t' ; }

int msgid_find (char const *s, size_t len, char *out)
{
  size_t pos = 0, o = 0 ;
  int in = 0 ;
  while (pos < len)
  {
    size_t n = linelen(s + pos, len - pos), end = n, namelen, start ;
    char const *line = s + pos ;
    pos += n ;
    /* the line without its LF or CR LF */
    if (end && line[end-1] == '\n') end-- ;
    if (end && line[end-1] == '\r') end-- ;
    if (!end) break ;
    if (blank(line[0]))
    {
      /* unfolding takes the line break away and keeps the blanks */
      if (in) { start = 0 ; goto take ; }
      continue ;
    }
    if (in) break ;
    start = fieldname(line, end, &namelen) ;
    if (!start) break ;
    if (namelen != 10 || strncasecmp(line, "Message-ID", 10)) continue ;
    in = 1 ;
   take:
    for (size_t i = start ; i < end && o < MSGID_MAX ; i++)
      /* a NUL would end the string: made the '_' the log makes of controls */
      if (o || !blank(line[i])) out[o++] = line[i] ? line[i] : '_' ;
  }
  if (!in) return 0 ;
  while (o && blank(out[o-1])) o-- ;
  out[o] = 0 ;
  return 1 ;
}

int msgid_read (int fd, char *out)
{
  char *buf = malloc(MSGID_HEADMAX) ;
  size_t len = 0 ;
  int r = 0 ;
  if (!buf) return 0 ;
  while (len < MSGID_HEADMAX)
  {
    ssize_t got = pread(fd, buf + len, MSGID_HEADMAX - len, len) ;
    if (got <= 0) break ;
    len += got ;
    /* the header is over once an empty line has been read */
    if (memmem(buf, len, "\n\n", 2) || memmem(buf, len, "\n\r\n", 3)) break ;
  }
  r = msgid_find(buf, len, out) ;
  free(buf) ;
  return r ;
}
