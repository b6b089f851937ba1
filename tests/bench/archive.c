/* archive.c: what the archive check costs. archive N MSG...: for each
   message, N inspections (inspect_message: the MIME walk, every body
   decoded, every archive checked) and N walks that decode the bodies and
   check nothing; prints their medians and the verdict. */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "bench.h"
#include "inspect/inspect.h"
#include "mime/mime.h"

static int nopart (void *ctx, char const *type, char const *body, size_t len)
{
  (void)ctx ; (void)type ; (void)body ; (void)len ;
  return 1 ;
}

int main (int argc, char **argv)
{
  int n = argc > 2 ? atoi(argv[1]) : 0 ;
  inspect_conf c ;
  if (n <= 0) { fprintf(stderr, "usage: archive N MSG...\n") ; return 100 ; }
  inspect_conf_env(&c) ;
  printf("%-24s %10s %10s %10s  %s\n", "message", "bytes", "inspect", "walk only", "verdict (medians in ms)") ;
  for (int a = 2 ; a < argc ; a++)
  {
    struct stat st ;
    struct qhpsi_result r ;
    struct mime_sink sink = { .part = &nopart } ;
    double *ti = malloc(n * sizeof *ti), *tw = malloc(n * sizeof *tw) ;
    int fd = open(argv[a], O_RDONLY) ;
    void *m ;
    if (!ti || !tw || fd < 0 || fstat(fd, &st) < 0) { perror(argv[a]) ; return 111 ; }
    m = mmap(0, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0) ;
    if (m == MAP_FAILED) { perror("mmap") ; return 111 ; }
    for (int i = 0 ; i < n ; i++)
    {
      double t0 = bench_now() ;
      if (!inspect_message(&c, fd, st.st_size, &r)) { perror("inspect_message") ; return 111 ; }
      ti[i] = bench_now() - t0 ;
      t0 = bench_now() ;
      if (!mime_walk(m, st.st_size, &sink)) { perror("mime_walk") ; return 111 ; }
      tw[i] = bench_now() - t0 ;
    }
    {
      char const *b = argv[a] ;
      for (char const *p = b ; *p ; p++) if (*p == '/') b = p + 1 ;
      printf("%-24s %10lld %10.3f %10.3f  %s\n", b, (long long)st.st_size, bench_median(ti, n) / 1e3, bench_median(tw, n) / 1e3,
        r.verdict == QHPSI_CLEAN ? "clean" : r.text) ;
    }
    munmap(m, st.st_size) ;
    close(fd) ;
    free(ti) ; free(tw) ;
  }
  return 0 ;
}
