/* tests/bench/pool.c: what the scanner pool (lib/net/) costs a message
   before any connect: reading the hosts' state tables and ordering the
   hosts (net_pool_init), with one host's record in them. Prints the
   median over runs, in microseconds. Usage: pool DIR LIST RUNS, with
   QMAILHOME=DIR holding qhpsi/hosts/. */

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench.h"
#include "net/pool.h"

int main (int argc, char **argv)
{
  static net_pool p ;
  unsigned long runs ;
  double *t ;
  if (argc != 4 || !(runs = strtoul(argv[3], 0, 10))) { fprintf(stderr, "usage: pool DIR LIST RUNS\n") ; return 100 ; }
  if (setenv("QMAILHOME", argv[1], 1) < 0 || !(t = malloc(runs * sizeof *t))) return 111 ;
  for (unsigned long i = 0 ; i < runs ; i++)
  {
    double a = bench_now() ;
    if (!net_pool_init(&p, argv[2], 3310)) { fprintf(stderr, "pool: %s\n", p.err) ; return 100 ; }
    t[i] = bench_now() - a ;
  }
  qsort(t, runs, sizeof *t, &bench_cmp) ;
  printf("%.1f\n", t[runs / 2]) ;
  return 0 ;
}
