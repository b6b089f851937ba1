/* tests/fuzz/tcprules.c: whole rules cdbs, as control/qhpsi.cdb may be
   found: the input becomes a file opened with cdb_init_fromfd, and an
   exact-size heap copy (where ASan sees a read past the end to the byte).
   Each is looked up for a few clients and walked as policy.c does. */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <skalibs/cdb.h>
#include "policy/tcprules.h"
#include "fuzz.h"

static char const *const clients[] =
{
  "127.0.0.1", "127.0.0.2", "127.0.0.5", "127.1.2.3", "10.1.2.3",
  "192.168.1.5", "192.0.2.1", "::1", "::ffff:127.0.0.1", "1.2.3.4", ""
} ;

static volatile unsigned char sink ;

static void inside (cdb const *c, char const *s, size_t len)
{
  FUZZ_ASSERT(s >= c->map && (size_t)(s - c->map) <= c->size && len <= c->size - (size_t)(s - c->map)) ;
}

static void probe (cdb const *c)
{
  for (size_t i = 0 ; i < sizeof clients / sizeof *clients ; i++)
  {
    cdb_data rule ;
    uint32_t pos = 0 ;
    char const *name, *value ;
    size_t namelen, valuelen ;
    int r ;
    errno = 0 ;
    r = tcprules_match(c, clients[i], &rule) ;
    FUZZ_ASSERT(r >= -1 && r <= 1) ;
    if (r < 0) { FUZZ_ASSERT(errno == EPROTO) ; continue ; }
    if (!r) continue ;
    inside(c, rule.s, rule.len) ;
    for (uint32_t k = 0 ; k < rule.len ; k++) sink ^= (unsigned char)rule.s[k] ;
    while ((r = tcprules_nextvar(&rule, &pos, &name, &namelen, &value, &valuelen)) == 1)
    {
      FUZZ_ASSERT(value && namelen) ;
      FUZZ_ASSERT(name > rule.s && name + namelen < value && value + valuelen < rule.s + rule.len + 1) ;
      FUZZ_ASSERT(pos <= rule.len) ;
      FUZZ_ASSERT(!memchr(name, '=', namelen) && !memchr(name, 0, namelen) && !memchr(value, 0, valuelen)) ;
      inside(c, value, valuelen) ;
      for (size_t k = 0 ; k < valuelen ; k++) sink ^= (unsigned char)value[k] ;
    }
    FUZZ_ASSERT(r == 0 || (r == -1 && errno == EPROTO)) ;
    /* damage is never an allow */
    if (tcprules_allows(&rule))
    {
      pos = 0 ;
      while ((r = tcprules_nextvar(&rule, &pos, &name, &namelen, &value, &valuelen)) == 1) ;
      FUZZ_ASSERT(!r) ;
    }
  }
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  static int fd = -1 ;
  cdb c = CDB_ZERO ;
  char *copy ;
  if (fd < 0) fd = memfd_create("fuzz-cdb", MFD_CLOEXEC) ;
  /* overwrite, then cut: the file's pages are reused from one input to the next */
  if (fd < 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size) || ftruncate(fd, (off_t)size) < 0) abort() ;
  if (cdb_init_fromfd(&c, fd))
  {
    probe(&c) ;
    cdb_free(&c) ;
  }
  else FUZZ_ASSERT(!size) ;
  copy = malloc(size ? size : 1) ;
  if (!copy) abort() ;
  memcpy(copy, data, size) ;
  c.map = copy ; c.size = (uint32_t)size ;
  probe(&c) ;
  free(copy) ;
  return 0 ;
}
