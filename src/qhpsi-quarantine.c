/* qhpsi-quarantine: a .qmail delivery filter. Mail that qmail-queue tagged
   "X-QHPSI: virus found" goes into a Maildir folder (exit 99), the rest on.
   With -t it only tells (exit 99 tagged, 0 not), for maildrop recipes. */

#include <stdlib.h>
#include <string.h>
#include <skalibs/strerr.h>
#include <skalibs/stralloc.h>
#include "quarantine/maildir.h"

#define USAGE "qhpsi-quarantine maildir-folder/ | qhpsi-quarantine -t"

int main (int argc, char const *const *argv)
{
  stralloc head = STRALLOC_ZERO ;
  char const *prefix[3] ;
  unsigned int n = 0 ;
  int tagged ;
  PROG = "qhpsi-quarantine" ;
  if (argc != 2 || !argv[1][0]) strerr_dieusage(100, USAGE) ;

  if (!message_tagged_virus(0, &head, &tagged)) strerr_diefusys(111, "read the message") ;
  if (!strcmp(argv[1], "-t")) return tagged ? 99 : 0 ;
  if (!tagged) { stralloc_free(&head) ; return 0 ; }

  if (!maildir_check(argv[1]))
    strerr_diefusys(111, "use ", argv[1], " as a Maildir folder (it needs tmp/, new/ and cur/)") ;
  /* the two lines qmail-local's own maildir delivery writes first */
  prefix[n] = getenv("RPLINE") ; if (prefix[n]) n++ ;
  prefix[n] = getenv("DTLINE") ; if (prefix[n]) n++ ;
  prefix[n] = 0 ;
  if (!maildir_deliver(argv[1], prefix, head.s, head.len, 0, 0))
    strerr_diefusys(111, "deliver to ", argv[1]) ;
  stralloc_free(&head) ;
  /* delivered: qmail-local ignores the rest of the .qmail file */
  return 99 ;
}
