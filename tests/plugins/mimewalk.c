/* tests/plugins/mimewalk.c: what the MIME walker sees of a message, for
   t-mimecheck to hold against another reader. mimewalk MSG DIR writes every
   leaf body, decoded, to DIR/1, DIR/2, ... and prints "name NAME" for each
   attachment name ("zipname", "uuname", "tnefname" for those of zips,
   uuencoded blocks, TNEF) and "unchecked WHY" for each finding. Exit 0, or 111. */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "mime/mime.h"

static char const *dir ;
static unsigned int nparts ;

static int onpart (void *ctx, char const *type, char const *body, size_t len)
{
  char fn[4096] ;
  FILE *f ;
  (void)ctx ; (void)type ;
  snprintf(fn, sizeof fn, "%s/%u", dir, ++nparts) ;
  f = fopen(fn, "w") ;
  if (!f || fwrite(body, 1, len, f) != len || fclose(f)) { perror(fn) ; exit(111) ; }
  return 1 ;
}

static int onname (void *ctx, char const *name, size_t len, enum mime_origin from)
{
  (void)ctx ;
  /* NUL bytes and all: a reader may show them as blanks */
  static char const *const tag[MIME_FROM_N] = { "name", "zipname", "uuname", "tnefname" } ;
  printf("%s ", tag[from]) ;
  fwrite(name, 1, len, stdout) ;
  putchar('\n') ;
  return 1 ;
}

static int onunchecked (void *ctx, char const *why)
{
  (void)ctx ;
  printf("unchecked %s\n", why) ;
  return 1 ;
}

int main (int argc, char **argv)
{
  struct mime_sink sink = { .ctx = 0, .name = &onname, .part = &onpart, .unchecked = &onunchecked } ;
  struct stat st ;
  char *m = 0 ;
  int fd ;
  if (argc != 3) { fprintf(stderr, "usage: mimewalk MSG DIR\n") ; return 100 ; }
  dir = argv[2] ;
  fd = open(argv[1], O_RDONLY) ;
  if (fd < 0 || fstat(fd, &st) < 0) { perror(argv[1]) ; return 111 ; }
  if (st.st_size && (m = mmap(0, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) { perror("mmap") ; return 111 ; }
  if (!mime_walk(m ? m : "", st.st_size, &sink)) { perror("mime_walk") ; return 111 ; }
  return fflush(stdout) ? 111 : 0 ;
}
