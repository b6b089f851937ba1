/* tests/fuzz/store.c: store_read, the reader of quarantine entries, on the
   input as a whole entry file (a memfd). */

#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "quarantine/store.h"
#include "fuzz.h"

static int fd = -1 ;

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  store_entry e = STORE_ENTRY_ZERO ;
  if (fd < 0 && (fd = memfd_create("entry", 0)) < 0) abort() ;
  if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size || lseek(fd, 0, SEEK_SET) < 0) abort() ;
  if (store_read(fd, &e))
  {
    /* a complete entry: its message is exactly the rest of the file, and
       every string lies inside what was decoded */
    FUZZ_ASSERT(e.offset <= size && e.size == size - e.offset) ;
    FUZZ_ASSERT(lseek(fd, 0, SEEK_CUR) == (off_t)e.offset) ;
    FUZZ_ASSERT(!memcmp(data, STORE_MAGIC, sizeof STORE_MAGIC - 1)) ;
    FUZZ_ASSERT(e.id < e.sa.len && e.sender < e.sa.len && e.verdict < e.sa.len) ;
    FUZZ_ASSERT(store_idok(store_str(&e, id))) ;
    {
      size_t n = 0 ;
      for (size_t i = 0 ; i < e.rcpts.len ; i++) if (!e.rcpts.s[i]) n++ ;
      FUZZ_ASSERT(n == e.nrcpt) ;
    }
  }
  store_entry_free(&e) ;
  return 0 ;
}
