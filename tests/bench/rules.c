/* rules.c: benchmark of the rules plugin's work per message against PCRE2.
   rules load QRC MSG N: N times in this process, open+map+deserialize+scratch
     (the load) and the match, timed apart; prints their medians in µs
   rules once QRC MSG: one load and match, for the process-per-message run
   rules spawn QRC MSG N: N processes of "rules once", each timed
   rules pcre SRC MSG N: N times, every qmfilt regex of SRC compiled with
     PCRE2 and run over the message (what a filter compiling per message does) */

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "bench.h"
#include "rules/rules.h"

extern char **environ ;

static char *mapfile (char const *fn, size_t *len)
{
  struct stat st ;
  char *p ;
  int fd = open(fn, O_RDONLY | O_CLOEXEC) ;
  if (fd < 0 || fstat(fd, &st) < 0) { perror(fn) ; exit(111) ; }
  *len = st.st_size ;
  p = mmap(0, *len, PROT_READ, MAP_PRIVATE, fd, 0) ;
  if (p == MAP_FAILED) { perror(fn) ; exit(111) ; }
  close(fd) ;
  return p ;
}

/* one message as the plugin handles it: 1 matched, 0 clean */
static int once (char const *qrc, char const *msgfn, double *tload, double *tmatch, double *twarm)
{
  char err[256] ;
  double t0 = bench_now(), t1 ;
  uint32_t hit ;
  char const *why ;
  int allowed, r, fd = open(qrc, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) ;
  struct rules *rs ;
  size_t len ;
  char *msg ;
  if (fd < 0) { perror(qrc) ; exit(111) ; }
  rs = rules_load(fd, err, sizeof err) ;
  close(fd) ;
  if (!rs) { fprintf(stderr, "rules: %s\n", err) ; exit(111) ; }
  t1 = bench_now() ;
  msg = mapfile(msgfn, &len) ;
  r = rules_match(rs, msg, len, "a@example.org", &hit, &allowed, &why, 0, 0, err, sizeof err) ;
  if (r < 0) { fprintf(stderr, "rules: %s\n", err) ; exit(111) ; }
  if (tmatch) *tmatch = bench_now() - t1 ;
  if (twarm)
  { /* the same match again: what the scan costs once its memory is in place */
    double t2 = bench_now() ;
    rules_match(rs, msg, len, "a@example.org", &hit, &allowed, &why, 0, 0, err, sizeof err) ;
    *twarm = bench_now() - t2 ;
  }
  munmap(msg, len) ;
  rules_free(rs) ;
  if (tload) *tload = t1 - t0 ;
  return r ;
}

/* the regex of every qmfilt line of src */
static char **qmfiltpats (char const *src, int *n)
{
  FILE *f = fopen(src, "r") ;
  char *line = 0, **v = 0 ;
  size_t a = 0 ;
  *n = 0 ;
  if (!f) { perror(src) ; exit(111) ; }
  while (getline(&line, &a, f) > 0)
  {
    char *p = strstr(line, "::"), *q ;
    if (!p || *line == '#' || !(p = strstr(p + 2, "::"))) continue ;
    p += 2 ;
    q = strstr(p, "::") ;   /* the bench rules hold no "::" of their own */
    if (!q) continue ;
    v = realloc(v, (*n + 1) * sizeof *v) ;
    v[(*n)++] = strndup(p, q - p) ;
  }
  free(line) ; fclose(f) ;
  return v ;
}

int main (int argc, char **argv)
{
  int n = argc > 4 ? atoi(argv[4]) : 1 ;
  double *a, *b ;
  if (argc < 4 || n < 1) { fprintf(stderr, "usage: rules load|once|spawn|pcre FILE MSG [N]\n") ; return 100 ; }
  a = calloc(n, sizeof *a) ; b = calloc(n, sizeof *b) ;
  if (!strcmp(argv[1], "once")) return once(argv[2], argv[3], 0, 0, 0) ;
  if (!strcmp(argv[1], "load"))
  {
    double *c = calloc(n, sizeof *c), *w = calloc(n, sizeof *w) ;
    int r = 0 ;
    for (int i = 0 ; i < n ; i++) { r = once(argv[2], argv[3], a + i, b + i, w + i) ; c[i] = a[i] + b[i] ; }
    printf("load %.1f match %.1f total %.1f warm-match %.1f matched %d\n", bench_median(a, n), bench_median(b, n), bench_median(c, n), bench_median(w, n), r) ;
    return 0 ;
  }
  if (!strcmp(argv[1], "spawn"))
  {
    char *args[] = { argv[0], "once", argv[2], argv[3], 0 } ;
    for (int i = 0 ; i < n ; i++)
    {
      pid_t pid ; int w ;
      double t0 = bench_now() ;
      if (posix_spawn(&pid, argv[0], 0, 0, args, environ)) { perror("posix_spawn") ; return 111 ; }
      if (waitpid(pid, &w, 0) < 0 || !WIFEXITED(w) || WEXITSTATUS(w) > 1) { fprintf(stderr, "rules once failed\n") ; return 111 ; }
      a[i] = bench_now() - t0 ;
    }
    printf("total %.1f\n", bench_median(a, n)) ;
    return 0 ;
  }
  if (!strcmp(argv[1], "pcre"))
  {
    int np, hits = 0 ;
    char **pats = qmfiltpats(argv[2], &np) ;
    size_t len ;
    char *msg = mapfile(argv[3], &len) ;
    pcre2_match_data *md = pcre2_match_data_create(1, 0) ;
    for (int i = 0 ; i < n ; i++)
    {
      double t0 = bench_now() ;
      hits = 0 ;
      for (int k = 0 ; k < np ; k++)
      {
        int e ; PCRE2_SIZE eo ;
        pcre2_code *re = pcre2_compile((PCRE2_SPTR)pats[k], PCRE2_ZERO_TERMINATED, PCRE2_MULTILINE | PCRE2_CASELESS, &e, &eo, 0) ;
        if (!re) { fprintf(stderr, "pcre2: bad pattern %s\n", pats[k]) ; return 111 ; }
        hits += pcre2_match(re, (PCRE2_SPTR)msg, len, 0, 0, md, 0) >= 0 ;
        pcre2_code_free(re) ;
      }
      a[i] = bench_now() - t0 ;
    }
    printf("total %.1f matched %d\n", bench_median(a, n), hits) ;
    return 0 ;
  }
  return 100 ;
}
