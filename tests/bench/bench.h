/* bench.h: what the benchmark programs share: a monotonic clock in
   microseconds and the median of a sample. */

#ifndef BENCH_H
#define BENCH_H

#include <stdlib.h>
#include <time.h>

static inline double bench_now (void)
{
  struct timespec t ;
  clock_gettime(CLOCK_MONOTONIC, &t) ;
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3 ;
}

static inline int bench_cmp (void const *a, void const *b)
{
  double x = *(double const *)a, y = *(double const *)b ;
  return x < y ? -1 : x > y ;
}

/* sorts v */
static inline double bench_median (double *v, int n)
{
  qsort(v, n, sizeof *v, &bench_cmp) ;
  return v[n / 2] ;
}

#endif
