/* customerr.c: the reply text qmail-queue gives notqmail's qmail-smtpd
   through its custom error channel (scanstep.h). */

#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>

#include "queue/qqexit.h"
#include "scan/scanstep.h"

/* A rule's reply text for fd 6: printable ASCII only, at most
   CUSTOMREPLYMAX bytes. qmail-smtpd puts its own code in front, so a
   leading "NNN " is dropped; a 4xx one makes the reply temporary (Z), a
   5xx one permanent (D), none leaves it kind; fallback when it is empty. */
#define CUSTOMREPLYMAX 200
static int customreply (char *msg, size_t max, char const *reply, char kind, char const *fallback)
{
  size_t n = 0 ;
  if (reply[0] >= '2' && reply[0] <= '5' && reply[1] >= '0' && reply[1] <= '9' && reply[2] >= '0' && reply[2] <= '9'
   && (reply[3] == ' ' || reply[3] == '-' || !reply[3]))
  {
    kind = reply[0] == '4' ? 'Z' : 'D' ;
    reply += reply[3] ? 4 : 3 ;
  }
  while (*reply == ' ') reply++ ;
  if (!*reply) return snprintf(msg, max, "%c%s", kind, fallback) ;
  msg[n++] = kind ;
  for (; *reply && n < max - 1 && n <= CUSTOMREPLYMAX ; reply++)
    msg[n++] = (unsigned char)*reply >= ' ' && (unsigned char)*reply <= '~' ? *reply : '_' ;
  msg[n] = 0 ;
  return n ;
}

int scanstep_customerr (policy const *p, int e, struct qhpsi_result const *r)
{
  struct stat st ;
  char msg[256] ;
  int n ;
  int theirs = r->reply[0] && !(r->flags & QHPSI_RESULT_SERVER) ;
  if (!p->customerr || fstat(6, &st) < 0 || !S_ISFIFO(st.st_mode)) return e ;
  if (r->verdict == QHPSI_SPAM)
  {
    /* the spam engine's exits: its own reply text, or ours */
    if (e == QQ_SPAM) n = customreply(msg, sizeof msg, theirs ? r->reply : "", 'D', "message refused as spam (#5.7.1)") ;
    else if (e == QQ_TEMPREFUSED) n = customreply(msg, sizeof msg, theirs ? r->reply : "", 'Z', "mail server temporarily rejected message (#4.3.0)") ;
    else if (e == QQ_SCANERROR) n = snprintf(msg, sizeof msg, "Zunable to run the spam scanner (#4.3.0)") ;
    else return e ;
    /* the exit says which: a reply's own code does not turn it around */
    if (n > 0) msg[0] = e == QQ_SPAM ? 'D' : 'Z' ;
  }
  else if (e == QQ_VIRUS && r->verdict == QHPSI_INFECTED && theirs)
    n = customreply(msg, sizeof msg, r->reply, 'D', "message refused by a content rule (#5.7.1)") ;
  else if (e == QQ_VIRUS && r->flags & QHPSI_RESULT_RULE)
    n = snprintf(msg, sizeof msg, "Dmessage refused by content rule%s%s (#5.7.1)", r->text[0] ? " " : "", r->text) ;
  else if (e == QQ_VIRUS)
    n = snprintf(msg, sizeof msg, "Dmessage contains virus%s%s (#5.7.1)", r->text[0] ? " " : "", r->text) ;
  else if (e == QQ_REFUSED)
    n = snprintf(msg, sizeof msg, "Dmessage too big to be scanned (#5.3.4)") ;
  else if (e == QQ_SCANERROR)
    n = snprintf(msg, sizeof msg, "Zunable to run the virus scanner (#4.3.0)") ;
  else return e ;
  if (n <= 0 || (size_t)n >= sizeof msg || write(6, msg, n) != n) return e ;
  return QQ_CUSTOMERR ;
}
