/* qqbench: times qmail-queue runs, several configurations interleaved in one
   run so they see the same machine. Prints medians and 90th percentiles.
   Usage: qqbench [-n RUNS] [-p PARALLEL] QMAIL-QUEUE MESSAGE ENVELOPE CONF...
   where CONF is 'label|VAR=value|VAR=value' (variables set for that
   qmail-queue), 'label|@PLUGIN.so' to time a bare plugin scan of a copy
   of the message in this process, no queue, or 'label|#DIR' to time the
   disk work alone of queueing it in DIR (mess written and synced, then
   intd, as qmail). With -p, each qmail-queue
   configuration is also run by PARALLEL senders at once, RUNS messages each,
   and messages per second are printed. A 'QQ=path' word in a CONF runs
   that qmail-queue instead (another build, timed in the same run). */

#include <dlfcn.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "qhpsi-plugin.h"

#define MAXCONF 24
#define MAXENV 32

extern char **environ ;

struct conf
{
  char label[64] ;
  char *env[MAXENV] ;
  struct qhpsi_plugin const *plugin ; /* bare scan instead of qmail-queue */
  char const *disk ; /* the disk work alone, in this directory */
  double *ms ;
  char const *qq ; /* or 0: the one of the command line */
} ;

static double now (void)
{
  struct timespec ts ;
  clock_gettime(CLOCK_MONOTONIC, &ts) ;
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6 ;
}

static int cmp (void const *a, void const *b)
{
  double x = *(double const *)a, y = *(double const *)b ;
  return x < y ? -1 : x > y ;
}

/* the configuration's variables on top of our environment */
static void parse (struct conf *c, char const *spec)
{
  char *s = strdup(spec), *w, *save ;
  unsigned int n = 0 ;
  snprintf(c->label, sizeof c->label, "%s", strtok_r(s, "|", &save)) ;
  c->plugin = 0 ;
  c->disk = 0 ;
  c->qq = 0 ;
  for (char **e = environ ; *e && n < MAXENV - 8 ; e++) c->env[n++] = *e ;
  for (w = strtok_r(0, "|", &save) ; w && n < MAXENV - 1 ; w = strtok_r(0, "|", &save))
  {
    if (*w == '@')
    {
      void *h = dlopen(w + 1, RTLD_NOW) ;
      c->plugin = h ? dlsym(h, QHPSI_PLUGIN_SYMBOL) : 0 ;
      if (!c->plugin) { fprintf(stderr, "qqbench: cannot load %s\n", w + 1) ; exit(111) ; }
    }
    else if (*w == '#') c->disk = w + 1 ;
    else if (!strncmp(w, "QQ=", 3)) c->qq = w + 3 ;
    else c->env[n++] = w ;
  }
  c->env[n] = 0 ;
}

/* A bare plugin scan of a fresh copy of the message: each copy differs by
   its first line, as queued messages differ by their Received lines, so
   clamd's cache of known files cannot answer for it. Only the scan is
   timed; returns its milliseconds. */
static double bare (struct conf const *c, char const *msg)
{
  static unsigned long serial ;
  static char copy[] = "/tmp/qqbench.XXXXXX" ;
  char buf[65536], line[128] ;
  struct qhpsi_result r ;
  struct qhpsi_message m = { .path = copy, .timeout_ms = 10000 } ;
  ssize_t n ;
  double t ;
  int in = open(msg, O_RDONLY), fd ;
  strcpy(copy, "/tmp/qqbench.XXXXXX") ;
  fd = mkstemp(copy) ;
  if (in < 0 || fd < 0) { perror("qqbench: message") ; exit(111) ; }
  /* as qmail-queue gives it: a Received line first, its own each time
     (clamd takes the file for mail by that line, and caches what it found
     clean by content: its own in every run of this program too) */
  n = snprintf(line, sizeof line, "Received: (qmail %lu invoked by uid 0); 3 Dec 2026 19:00:00 -0000\n", (unsigned long)getpid() * 100000 + ++serial) ;
  if (write(fd, line, n) != n) exit(111) ;
  m.size = n ;
  while ((n = read(in, buf, sizeof buf)) > 0)
  {
    if (write(fd, buf, n) != n) exit(111) ;
    m.size += n ;
  }
  close(in) ;
  m.fd = fd ;
  t = now() ;
  c->plugin->scan(&m, &r) ;
  t = now() - t ;
  close(fd) ;
  unlink(copy) ;
  if (r.verdict != QHPSI_CLEAN) { fprintf(stderr, "qqbench: bare scan: %d %s\n", r.verdict, r.text) ; exit(111) ; }
  return t ;
}

/* What the queue's disk work alone takes for this message, done as qmail
   does it: mess written and fsync'ed, then intd written and fsync'ed;
   both removed after. */
static double disk (struct conf const *c, char const *msg)
{
  static unsigned long serial ;
  static char buf[1 << 20] ;
  static char const env[] = "u0\0p1\0Fa@example.org\0Tb@example.org\0" ;
  char mess[4096], intd[4096] ;
  ssize_t n ;
  double t ;
  int in = open(msg, O_RDONLY), m, i ;
  n = in < 0 ? -1 : read(in, buf, sizeof buf) ;
  if (n < 0) { perror("qqbench: message") ; exit(111) ; }
  close(in) ;
  snprintf(mess, sizeof mess, "%s/mess.%lu", c->disk, ++serial) ;
  snprintf(intd, sizeof intd, "%s/intd.%lu", c->disk, serial) ;
  t = now() ;
  m = open(mess, O_RDWR | O_CREAT | O_EXCL, 0644) ;
  if (m < 0 || write(m, buf, n) != n || fsync(m) < 0) { perror("qqbench: disk") ; exit(111) ; }
  i = open(intd, O_RDWR | O_CREAT | O_EXCL, 0644) ;
  if (i < 0 || write(i, env, sizeof env - 1) != (ssize_t)sizeof env - 1 || fsync(i) < 0) { perror("qqbench: disk") ; exit(111) ; }
  t = now() - t ;
  close(m) ; close(i) ;
  unlink(mess) ; unlink(intd) ;
  return t ;
}

static int once (char const *qq, char const *msg, char const *env, char *const *envp)
{
  posix_spawn_file_actions_t fa ;
  char *argv[] = { (char *)qq, 0 } ;
  pid_t pid ;
  int w ;
  posix_spawn_file_actions_init(&fa) ;
  posix_spawn_file_actions_addopen(&fa, 0, msg, O_RDONLY, 0) ;
  posix_spawn_file_actions_addopen(&fa, 1, env, O_RDONLY, 0) ;
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0) ; /* the log lines */
  if (posix_spawn(&pid, qq, &fa, 0, argv, envp)) { perror("qqbench: spawn") ; exit(111) ; }
  posix_spawn_file_actions_destroy(&fa) ;
  if (waitpid(pid, &w, 0) != pid || !WIFEXITED(w) || WEXITSTATUS(w))
  {
    fprintf(stderr, "qqbench: qmail-queue failed: status %d\n", w) ;
    exit(111) ;
  }
  return 0 ;
}

int main (int argc, char **argv)
{
  struct conf conf[MAXCONF] ;
  unsigned int runs = 200, par = 0, nconf = 0 ;
  int opt ;
  while ((opt = getopt(argc, argv, "n:p:")) != -1)
    switch (opt)
    {
      case 'n' : runs = atoi(optarg) ; break ;
      case 'p' : par = atoi(optarg) ; break ;
      default : return 100 ;
    }
  if (argc - optind < 4 || argc - optind - 3 > MAXCONF || !runs) { fprintf(stderr, "usage: qqbench [-n runs] [-p parallel] qmail-queue message envelope label:VARS...\n") ; return 100 ; }
  char const *qq = argv[optind], *msg = argv[optind+1], *env = argv[optind+2] ;
  for (int i = optind + 3 ; i < argc ; i++)
  {
    parse(&conf[nconf], argv[i]) ;
    conf[nconf].ms = calloc(runs, sizeof(double)) ;
    nconf++ ;
  }
  for (unsigned int r = 0 ; r <= runs ; r++) /* run 0 warms up */
    for (unsigned int c = 0 ; c < nconf ; c++)
    {
      double t = now() ;
      if (conf[c].plugin) t = bare(&conf[c], msg) ;
      else if (conf[c].disk) t = disk(&conf[c], msg) ;
      else { once(conf[c].qq ? conf[c].qq : qq, msg, env, conf[c].env) ; t = now() - t ; }
      if (r) conf[c].ms[r-1] = t ;
    }
  printf("%-28s %10s %10s %10s\n", "configuration", "median ms", "p90 ms", "runs") ;
  for (unsigned int c = 0 ; c < nconf ; c++)
  {
    qsort(conf[c].ms, runs, sizeof(double), cmp) ;
    printf("%-28s %10.3f %10.3f %10u\n", conf[c].label, conf[c].ms[runs / 2], conf[c].ms[runs * 9 / 10], runs) ;
  }
  if (par)
    for (unsigned int c = 0 ; c < nconf ; c++)
    {
      if (conf[c].plugin || conf[c].disk) continue ;
      double t = now() ;
      for (unsigned int p = 0 ; p < par ; p++)
        if (!fork())
        {
          for (unsigned int r = 0 ; r < runs ; r++) once(conf[c].qq ? conf[c].qq : qq, msg, env, conf[c].env) ;
          _exit(0) ;
        }
      for (unsigned int p = 0 ; p < par ; p++)
      {
        int w ;
        wait(&w) ;
        if (!WIFEXITED(w) || WEXITSTATUS(w)) { fprintf(stderr, "qqbench: a sender failed\n") ; return 111 ; }
      }
      t = now() - t ;
      printf("%-28s %10.0f msg/s with %u senders\n", conf[c].label, par * runs / (t / 1e3), par) ;
    }
  return 0 ;
}
