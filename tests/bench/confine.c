/* confine: what keeping a scan's descendants in a PID namespace costs.
   Times, interleaved, a command spawned as qmail-queue spawns scanners
   (vfork+exec of /bin/true, waited for) without and with SPAWN_CONFINE
   (its init is a copy of this process in the namespaces), and a copy of
   this process that answers at once (spawn_fork) without and with it: a
   plugin chain costs two plain copies (its watcher and its runner).
   Prints medians in microseconds.
   Run as root it measures a PID namespace alone; as any other user, a
   user namespace with it. Usage: confine [RUNS] */

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "bench.h"
#include "scan/child.h"
#include "scan/confine.h"

static double command (unsigned int flags)
{
  char const *argv[] = { "true", 0 } ;
  int fds[3] = { 0, 1, 2 }, w ;
  double t = bench_now() ;
  pid_t pid = spawn("/bin/true", argv, fds, flags) ;
  if (pid < 0 || spawn_wait(pid, -1, 0, 0, spawn_now() + 10000, 1, &w) != 1 || w) { perror("confine: spawn") ; exit(111) ; }
  return bench_now() - t ;
}

static double copy (unsigned int flags)
{
  int w ;
  double t = bench_now() ;
  pid_t pid = spawn_fork(flags) ;
  if (!pid) _exit(0) ;
  if (pid < 0 || spawn_wait(pid, -1, 0, 0, spawn_now() + 10000, 1, &w) != 1 || w) { perror("confine: fork") ; exit(111) ; }
  return bench_now() - t ;
}

int main (int argc, char const *const *argv)
{
  unsigned int runs = argc > 1 ? atoi(argv[1]) : 300 ;
  char const *label[4] = { "command, plain", "command, confined", "copy, plain", "copy, confined" } ;
  double *t[4] ;
  if (!runs) return 100 ;
  for (int k = 0 ; k < 4 ; k++) if (!(t[k] = malloc(runs * sizeof(double)))) return 111 ;
  for (unsigned int i = 0 ; i < runs ; i++)
  {
    t[0][i] = command(SPAWN_NEWPGRP) ;
    t[1][i] = command(SPAWN_NEWPGRP | SPAWN_CONFINE) ;
    t[2][i] = copy(SPAWN_NEWPGRP) ;
    t[3][i] = copy(SPAWN_NEWPGRP | SPAWN_CONFINE) ;
  }
  if (confine_reaping) printf("no namespaces here: the subreaper did instead\n") ;
  for (int k = 0 ; k < 4 ; k++)
  {
    qsort(t[k], runs, sizeof(double), &bench_cmp) ;
    printf("%-20s %8.1f us median, %8.1f us 90%%\n", label[k], t[k][runs / 2], t[k][runs * 9 / 10]) ;
  }
  printf("confining adds %.1f us to a command; a copy costs %.1f us, %.1f us in the namespaces (uid %u)\n",
    t[1][runs / 2] - t[0][runs / 2], t[2][runs / 2], t[3][runs / 2], (unsigned int)geteuid()) ;
  return 0 ;
}
