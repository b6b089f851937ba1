/* linkcheck: a stand-in for a patched qmail-queue, linked with qmail's
   names (qmailnames.c) and the library a qmail tree links. In the queue
   directory: linkcheck HOME MESSFN INTDFN; prints the API's answer and how
   often qmail's names ran, before and during the scan. */

#include <stdio.h>
#include <unistd.h>

#include "qhpsi.h"
#include "qmailnames.h"

int main (int argc, char **argv)
{
  stralloc sa = { 0, 0, 0 } ;
  char num[40] ;
  unsigned long u ;
  unsigned int mine ;
  int r ;
  if (argc != 4) return 100 ;
  /* the program's own calls reach qmail's functions, with qmail's types */
  if (!stralloc_copys(&sa, "qmail") || !stralloc_cats(&sa, "-queue") || sa.len != 11) return 1 ;
  num[fmt_ulong(num, 1234567)] = 0 ;
  if (scan_ulong(num, &u) != 7 || u != 1234567 || str_len(num) != 7) return 1 ;
  mine = qmailnames_calls ;
  r = qhpsi_init(argv[1], 0, getuid()) ;
  if (r == QHPSI_GOON) r = qhpsi_scanqueued(argv[2], argv[3], getpid()) ;
  printf("%d %u %u\n", r, mine > 0, qmailnames_calls - mine) ;
  stralloc_free(&sa) ;
  return 0 ;
}
