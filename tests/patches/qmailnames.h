/* qmailnames.h: the names qmail's objects define, with qmail's types, for
   the link test of the library a qmail tree links (tests/t-patches). */

#ifndef QMAILNAMES_H
#define QMAILNAMES_H

/* qmail's stralloc: unsigned int fields, where skalibs has size_t */
typedef struct stralloc { char *s ; unsigned int len ; unsigned int a ; } stralloc ;

extern unsigned int qmailnames_calls ; /* how often any of them ran */

extern int stralloc_ready (stralloc *, unsigned int) ;
extern int stralloc_readyplus (stralloc *, unsigned int) ;
extern int stralloc_copyb (stralloc *, char const *, unsigned int) ;
extern int stralloc_catb (stralloc *, char const *, unsigned int) ;
extern int stralloc_copys (stralloc *, char const *) ;
extern int stralloc_cats (stralloc *, char const *) ;
extern int stralloc_append (stralloc *, char const *) ;
extern void stralloc_free (stralloc *) ;
extern char *env_get (char const *) ;
extern unsigned int str_len (char const *) ;
extern unsigned int str_chr (char const *, int) ;
extern unsigned int str_rchr (char const *, int) ;
extern int str_start (char const *, char const *) ;
extern int str_diff (char const *, char const *) ;
extern void byte_copy (char *, unsigned int, char const *) ;
extern unsigned int byte_chr (char const *, unsigned int, int) ;
extern unsigned int fmt_ulong (char *, unsigned long) ;
extern unsigned int scan_ulong (char const *, unsigned long *) ;
extern char *error_str (int) ;
extern int error_temp (int) ;
extern int fd_copy (int, int) ;
extern int fd_move (int, int) ;
extern int wait_pid (int *, int) ;
extern void sig_catch (int, void (*)(int)) ;
extern void sig_block (int) ;
extern void sig_unblock (int) ;
extern void sig_pipeignore (void) ;
extern int open_read (char const *) ;
extern int open_write (char const *) ;
extern int open_append (char const *) ;
extern int open_trunc (char const *) ;
extern int open_excl (char const *) ;
extern int coe (int) ;
extern int ndelay_on (int) ;
extern int ndelay_off (int) ;
extern char *alloc (unsigned int) ;
extern void alloc_free (char *) ;
extern int buffer_put (void *, char const *, unsigned int) ;
extern int buffer_get (void *, char *, unsigned int) ;

#endif
