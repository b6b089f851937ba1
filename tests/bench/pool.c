/* tests/bench/pool.c: what the scanner pool (lib/net/) costs a message
   before any connect: reading the hosts' state tables and ordering the
   hosts (net_pool_init), with one host's record in them. Prints the
   median over runs, in microseconds. Usage: pool DIR LIST RUNS, with
   QMAILHOME=DIR holding qhpsi/hosts/. */

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "net/pool.h"

static double now_us (void)
{
  struct timespec ts ;
  clock_gettime(CLOCK_MONOTONIC, &ts) ;
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3 ;
}

static int cmp (void const *a, void const *b)
{
  double x = *(double const *)a, y = *(double const *)b ;
  return x < y ? -1 : x > y ;
}

int main (int argc, char **argv)
{
  static net_pool p ;
  unsigned long runs ;
  double *t ;
  if (argc != 4 || !(runs = strtoul(argv[3], 0, 10))) { fprintf(stderr, "usage: pool DIR LIST RUNS\n") ; return 100 ; }
  if (setenv("QMAILHOME", argv[1], 1) < 0 || !(t = malloc(runs * sizeof *t))) return 111 ;
  for (unsigned long i = 0 ; i < runs ; i++)
  {
    double a = now_us() ;
    if (!net_pool_init(&p, argv[2], 3310)) { fprintf(stderr, "pool: %s\n", p.err) ; return 100 ; }
    t[i] = now_us() - a ;
  }
  qsort(t, runs, sizeof *t, &cmp) ;
  printf("%.1f\n", t[runs / 2]) ;
  return 0 ;
}
