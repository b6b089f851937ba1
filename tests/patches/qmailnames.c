/* qmailnames.c: qmail's names, defined the qmail way, each counting its
   calls: the library must reach none of them, the program all it calls. */

#include <stdlib.h>
#include <string.h>

#include "qmailnames.h"

unsigned int qmailnames_calls ;
#define CALLED (qmailnames_calls++)

int stralloc_ready (stralloc *sa, unsigned int n)
{
  char *s ;
  CALLED ;
  if (sa->s && sa->a >= n) return 1 ;
  s = realloc(sa->s, n + 1) ;
  if (!s) return 0 ;
  sa->s = s ; sa->a = n + 1 ;
  return 1 ;
}
int stralloc_readyplus (stralloc *sa, unsigned int n) { CALLED ; return stralloc_ready(sa, sa->len + n) ; }
int stralloc_catb (stralloc *sa, char const *s, unsigned int n)
{
  CALLED ;
  if (!stralloc_readyplus(sa, n)) return 0 ;
  memcpy(sa->s + sa->len, s, n) ;
  sa->len += n ;
  return 1 ;
}
int stralloc_copyb (stralloc *sa, char const *s, unsigned int n) { CALLED ; sa->len = 0 ; return stralloc_catb(sa, s, n) ; }
int stralloc_copys (stralloc *sa, char const *s) { CALLED ; return stralloc_copyb(sa, s, str_len(s)) ; }
int stralloc_cats (stralloc *sa, char const *s) { CALLED ; return stralloc_catb(sa, s, str_len(s)) ; }
int stralloc_append (stralloc *sa, char const *c) { CALLED ; return stralloc_catb(sa, c, 1) ; }
void stralloc_free (stralloc *sa) { CALLED ; free(sa->s) ; sa->s = 0 ; sa->len = sa->a = 0 ; }
char *env_get (char const *name) { CALLED ; return getenv(name) ; }
unsigned int str_len (char const *s) { CALLED ; return strlen(s) ; }
unsigned int str_chr (char const *s, int c) { char const *t = strchr(s, c) ; CALLED ; return t ? (unsigned int)(t - s) : strlen(s) ; }
unsigned int str_rchr (char const *s, int c) { char const *t = strrchr(s, c) ; CALLED ; return t ? (unsigned int)(t - s) : strlen(s) ; }
int str_start (char const *s, char const *t) { CALLED ; return !strncmp(s, t, strlen(t)) ; }
int str_diff (char const *s, char const *t) { CALLED ; return strcmp(s, t) ; }
void byte_copy (char *to, unsigned int n, char const *from) { CALLED ; memmove(to, from, n) ; }
unsigned int byte_chr (char const *s, unsigned int n, int c) { char const *t = memchr(s, c, n) ; CALLED ; return t ? (unsigned int)(t - s) : n ; }
unsigned int fmt_ulong (char *s, unsigned long u)
{
  unsigned int len = 1 ;
  unsigned long q = u ;
  CALLED ;
  while (q > 9) { len++ ; q /= 10 ; }
  if (s) { s += len ; do { *--s = '0' + u % 10 ; u /= 10 ; } while (u) ; }
  return len ;
}
unsigned int scan_ulong (char const *s, unsigned long *u)
{
  unsigned int pos = 0 ;
  unsigned long r = 0 ;
  CALLED ;
  while (s[pos] >= '0' && s[pos] <= '9') r = r * 10 + (s[pos++] - '0') ;
  *u = r ;
  return pos ;
}
char *error_str (int e) { static char s[] = "qmail's error_str" ; CALLED ; (void)e ; return s ; }
int error_temp (int e) { CALLED ; (void)e ; return 1 ; }
/* the rest would misbehave if the library took them for skalibs': they fail */
int fd_copy (int to, int from) { CALLED ; (void)to ; (void)from ; return -1 ; }
int fd_move (int to, int from) { CALLED ; (void)to ; (void)from ; return -1 ; }
int wait_pid (int *w, int pid) { CALLED ; (void)w ; (void)pid ; return -1 ; }
void sig_catch (int s, void (*f)(int)) { CALLED ; (void)s ; (void)f ; }
void sig_block (int s) { CALLED ; (void)s ; }
void sig_unblock (int s) { CALLED ; (void)s ; }
void sig_pipeignore (void) { CALLED ; }
int open_read (char const *fn) { CALLED ; (void)fn ; return -1 ; }
int open_write (char const *fn) { CALLED ; (void)fn ; return -1 ; }
int open_append (char const *fn) { CALLED ; (void)fn ; return -1 ; }
int open_trunc (char const *fn) { CALLED ; (void)fn ; return -1 ; }
int open_excl (char const *fn) { CALLED ; (void)fn ; return -1 ; }
int coe (int fd) { CALLED ; (void)fd ; return -1 ; }
int ndelay_on (int fd) { CALLED ; (void)fd ; return -1 ; }
int ndelay_off (int fd) { CALLED ; (void)fd ; return -1 ; }
char *alloc (unsigned int n) { CALLED ; (void)n ; return 0 ; }
void alloc_free (char *s) { CALLED ; (void)s ; }
int buffer_put (void *b, char const *s, unsigned int n) { CALLED ; (void)b ; (void)s ; (void)n ; return -1 ; }
int buffer_get (void *b, char *s, unsigned int n) { CALLED ; (void)b ; (void)s ; (void)n ; return -1 ; }
