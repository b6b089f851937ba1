/* tests/fuzz/spamhdr.c: the spam header fields (lib/scan/spamhdr.c). The
   input as a plugin's header fields: what spamhdr_check takes is folded by
   spamhdr_write into lines that unfold to the same bytes, none with a CR
   or a control byte, every field one of the allowed names. The input as
   a message: spamhdr_rename changes only the first '-' of the lines it
   names, and leaves no line of the top-level header that a line-anchored
   match on X-Spam-Flag, -Score, -Level, -Status, -Report or X-Rspamd-
   would find. */

#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/mman.h>

#include <skalibs/stralloc.h>

#include "qhpsi-plugin.h"
#include "scan/spamhdr.h"
#include "fuzz.h"

static char const *const names[] = { "X-Spam-Flag", "X-Spam-Score", "X-Spam-Level", "X-Spam-Status", "X-Spam-Report", "X-Rspamd-", 0 } ;

static int named (char const *s, size_t n)
{
  for (unsigned int i = 0 ; names[i] ; i++)
    if (n >= strlen(names[i]) && !strncasecmp(s, names[i], strlen(names[i]))) return 1 ;
  return 0 ;
}

/* the bytes of s with every LF before a blank taken out */
static size_t unfold (char const *s, size_t n, char *out)
{
  size_t k = 0 ;
  for (size_t i = 0 ; i < n ; i++)
    if (!(s[i] == '\n' && i + 1 < n && (s[i+1] == ' ' || s[i+1] == '\t'))) out[k++] = s[i] ;
  return k ;
}

static void fields (uint8_t const *data, size_t size)
{
  static struct qhpsi_result r ;
  stralloc out = STRALLOC_ZERO ;
  char const *why, *h ;
  char *un ;
  size_t n, skip = 0 ;
  if (size >= sizeof r.headers) return ;
  memset(&r, 0, sizeof r) ;
  memcpy(r.headers, data, size) ;
  if (memchr(data, 0, size)) return ;
  if (!spamhdr_check(r.headers, &why)) { FUZZ_ASSERT(why && *why) ; return ; }
  r.score = size * 97 - 20000 ;
  r.flags = QHPSI_RESULT_SCORED ;
  FUZZ_ASSERT(spamhdr_write(&out, &r, size & 1, size & 2 ? 5000 : 0)) ;
  /* our four first, then the plugin's, unfolded the same */
  for (unsigned int i = 0 ; i < 4 ; i++)
  {
    h = memchr(out.s + skip, '\n', out.len - skip) ;
    FUZZ_ASSERT(h) ;
    skip = h - out.s + 1 ;
    while (skip < out.len && out.s[skip] == '\t') { h = memchr(out.s + skip, '\n', out.len - skip) ; FUZZ_ASSERT(h) ; skip = h - out.s + 1 ; }
  }
  un = malloc(out.len + 1) ;
  if (!un) abort() ;
  n = unfold(out.s + skip, out.len - skip, un) ;
  FUZZ_ASSERT(n == size && !memcmp(un, data, size)) ;
  for (size_t i = 0 ; i < out.len ; i++)
  {
    unsigned char c = out.s[i] ;
    FUZZ_ASSERT(c != '\r' && (c >= ' ' || c == '\t' || c == '\n') && c <= '~') ;
  }
  free(un) ;
  stralloc_free(&out) ;
}

static void rename_ (uint8_t const *data, size_t size)
{
  int fd = memfd_create("fuzz", 0) ;
  char *after ;
  int64_t k ;
  size_t i = 0, changed = 0 ;
  if (fd < 0) abort() ;
  if (size && write(fd, data, size) != (ssize_t)size) abort() ;
  k = spamhdr_rename(fd, size) ;
  FUZZ_ASSERT(k >= 0) ;
  after = malloc(size + 1) ;
  if (!after) abort() ;
  FUZZ_ASSERT(pread(fd, after, size, 0) == (ssize_t)size) ;
  for (size_t j = 0 ; j < size ; j++)
    if (after[j] != (char)data[j]) { FUZZ_ASSERT(after[j] == '_' && data[j] == '-') ; changed++ ; }
  FUZZ_ASSERT((int64_t)changed == k) ;
  /* the top-level header: lines up to the first empty one */
  while (i < size && after[i] != '\n' && after[i] != '\r')
  {
    char const *nl = memchr(after + i, '\n', size - i) ;
    size_t end = nl ? (size_t)(nl - after) : size ;
    if (after[i] != ' ' && after[i] != '\t') FUZZ_ASSERT(!named(after + i, end - i)) ;
    i = end + 1 ;
  }
  free(after) ;
  close(fd) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  if (!size) return 0 ;
  if (data[0] & 1) fields(data + 1, size - 1) ;
  else rename_(data + 1, size - 1) ;
  return 0 ;
}
