/* logdir.c: the files of a multilog directory, oldest first. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>
#include "report/logdir.h"

/* reads fd to its end and closes it */
static int readfd (int fd, int partial, logdir_func *f, void *data)
{
  static char buf[1 << 20] ;
  size_t have = 0 ;
  for (;;)
  {
    ssize_t n = read(fd, buf + have, sizeof buf - have) ;
    if (n < 0) { int e = errno ; if (e == EINTR) continue ; close(fd) ; errno = e ; return 0 ; }
    if (!n) break ;
    have += n ;
    size_t st = 0 ;
    for (;;)
    {
      char *nl = memchr(buf + st, '\n', have - st) ;
      if (!nl) break ;
      if (!(*f)(data, buf + st, nl - (buf + st))) { int e = errno ; close(fd) ; errno = e ; return 0 ; }
      st = nl + 1 - buf ;
    }
    /* a line longer than the buffer: its start is given as a line of its own */
    if (!st && have == sizeof buf) st = have ;
    memmove(buf, buf + st, have - st) ; have -= st ;
  }
  close(fd) ;
  if (have && partial && !(*f)(data, buf, have)) return 0 ;
  return 1 ;
}

static int cmpname (void const *a, void const *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b) ;
}

static int openat_ro (char const *dir, char const *name)
{
  size_t dl = strlen(dir) ;
  char fn[dl + strlen(name) + 2] ;
  memcpy(fn, dir, dl) ; fn[dl] = '/' ; strcpy(fn + dl + 1, name) ;
  return open(fn, O_RDONLY | O_NONBLOCK) ;
}

int logdir_read (char const *dir, logstamp const *since, logdir_func *f, void *data, unsigned int *files)
{
  size_t n = 0, a = 0 ;
  char **names = 0 ;
  int ok = 0, e = 0, cur ;
  struct stat cst ;
  DIR *d ;
  /* current first: if multilog rotates it while the others are read, this
     descriptor still reads all of it, and the rotated name of the same
     file is left out below, so no line is read twice or missed */
  cur = openat_ro(dir, "current") ;
  if (cur < 0 ? errno != ENOENT : fstat(cur, &cst) < 0) { e = errno ; if (cur >= 0) close(cur) ; errno = e ; return 0 ; }
  d = opendir(dir) ;
  if (!d) { e = errno ; if (cur >= 0) close(cur) ; errno = e ; return 0 ; }
  for (;;)
  {
    struct dirent *de ;
    errno = 0 ;
    de = readdir(d) ;
    if (!de) { e = errno ; break ; }
    size_t nl = strlen(de->d_name) ;
    {
      logstamp t ;
      if (nl != 27 || (de->d_name[26] != 's' && de->d_name[26] != 'u') || de->d_name[25] != '.') continue ;
      if (!logline_stamp(de->d_name, 25, &t)) continue ;
      if (since && logstamp_cmp(&t, since) < 0) continue ;
      if (cur >= 0 && de->d_ino == cst.st_ino) continue ;
    }
    if (n == a)
    {
      char **w = realloc(names, (a = a ? 2 * a : 32) * sizeof *names) ;
      if (!w) { e = errno ; break ; }
      names = w ;
    }
    if (!(names[n] = strdup(de->d_name))) { e = errno ; break ; }
    n++ ;
  }
  closedir(d) ;
  if (!e && n) qsort(names, n, sizeof *names, &cmpname) ;
  for (size_t i = 0 ; !e && i < n ; i++)
  {
    int fd = openat_ro(dir, names[i]) ;
    /* deleted (multilog keeps n files) between the listing and the open */
    if (fd < 0) { if (errno != ENOENT) e = errno ; continue ; }
    if (!readfd(fd, 1, f, data)) e = errno ;
    else if (files) (*files)++ ;
  }
  if (cur >= 0)
  {
    if (e) close(cur) ;
    else if (!readfd(cur, 0, f, data)) e = errno ;
    else if (files) (*files)++ ;
  }
  ok = !e ;
  for (size_t i = 0 ; i < n ; i++) free(names[i]) ;
  free(names) ;
  errno = e ;
  return ok ;
}
