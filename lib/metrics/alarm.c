/* alarm.c: the notice of failing scanners. qhpsi-metrics drives it from
   the lines it counts: it sees every error line of every log, keeps its
   state in the same state file, and puts nothing on qmail-queue's path. */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <grp.h>
#include <skalibs/types.h>
#include "metrics/alarm.h"
#include "quarantine/notice.h"
#include "queue/paths.h"
#include "queue/qqexit.h"
#include "queue/received.h"

static void setwhat (metrics_alarm *a, logline const *l, char const *r)
{
  size_t n = 0 ;
  /* the values are log tokens: printable, no blanks */
#define CAT(s, len) do { size_t k_ = (len) ; if (k_ > ALARM_WHATLEN - 1 - n) k_ = ALARM_WHATLEN - 1 - n ; memcpy(a->what + n, (s), k_) ; n += k_ ; } while (0)
  CAT(r, strlen(r)) ; CAT(" (", 2) ;
  CAT(l->error.s ? l->error.s : "-", l->error.s ? l->error.len : 1) ;
  CAT(") route ", 8) ; CAT(l->route.s, l->route.len) ;
  if (l->host.s) { CAT(" host ", 6) ; CAT(l->host.s, l->host.len) ; }
#undef CAT
  a->what[n] = 0 ;
  /* it goes into a mail: printable, whatever wrote the log */
  for (size_t i = 0 ; i < n ; i++) if (a->what[i] < ' ' || a->what[i] > '~') a->what[i] = '?' ;
}

void alarm_see (metrics_alarm *a, logline const *l, char const *reason)
{
  if (lfield_is(&l->verdict, "error"))
  {
    if (!a->failing)
    {
      a->failing = 1 ; a->notified = 0 ; a->since = l->t.sec ;
      a->errors = a->tempfails = a->accepted = 0 ;
    }
    a->errors++ ;
    if (lfield_is(&l->action, "tempfail") || lfield_is(&l->action, "config")) a->tempfails++ ;
    else if (lfield_is(&l->action, "accept")) a->accepted++ ;
    if (l->t.sec >= a->lasterr) a->lasterr = l->t.sec ;
    setwhat(a, l, reason) ;
  }
  else if ((lfield_is(&l->verdict, "clean") || lfield_is(&l->verdict, "infected")) && l->t.sec >= a->lastok)
    a->lastok = l->t.sec ;
}

int alarm_due (metrics_alarm *a, time_t now, unsigned int quiet, unsigned int repeat)
{
  uint64_t n = now > 0 ? (uint64_t)now : 0 ;
  if (!a->failing) return ALARM_NONE ;
  if (!a->notified) { a->notified = 1 ; a->lastnotice = n ; return ALARM_FAILING ; }
  /* over: a scan succeeded after the last error, and none came since */
  if (a->lastok > a->lasterr && n >= a->lasterr + quiet) { a->failing = 0 ; a->lastnotice = n ; return ALARM_RECOVERED ; }
  if (repeat && n >= a->lastnotice + repeat) { a->lastnotice = n ; return ALARM_STILL ; }
  return ALARM_NONE ;
}

static int catu (stralloc *sa, uint64_t u)
{
  char fmt[UINT64_FMT] ;
  return stralloc_catb(sa, fmt, uint64_fmt(fmt, u)) ;
}

static int catwhen (stralloc *sa, char const *label, uint64_t t)
{
  char date[64] ;
  size_t dl = date822_fmt(date, (time_t)t) ;
  return stralloc_cats(sa, label) && stralloc_catb(sa, date, dl) ;
}

int alarm_fmt (stralloc *sa, metrics_alarm const *a, int kind, char const *to, time_t now)
{
  static char const *const subj[] = { "", "scanning fails", "scanning still fails", "scanning works again" } ;
  char date[64] ;
  size_t dl = date822_fmt(date, now) ;
  /* to was checked by the caller: an address, no blanks or controls */
  if (!stralloc_cats(sa, "X-QHPSI: notice\nDate: ") || !stralloc_catb(sa, date, dl)
   || !stralloc_cats(sa, "From: MAILER-DAEMON\nTo: ") || !stralloc_cats(sa, to)
   || !stralloc_cats(sa, "\nSubject: qhpsi: ") || !stralloc_cats(sa, subj[kind])
   || !stralloc_cats(sa, "\nAuto-Submitted: auto-generated\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=us-ascii\n\n")) return 0 ;
  if (kind == ALARM_RECOVERED)
  {
    if (!stralloc_cats(sa, "Scans succeed again; no scanner error since the last one below.\n\n")) return 0 ;
  }
  else if (!stralloc_cats(sa, "The scanner fails: qmail-queue answers a temporary failure (451\n"
    "over SMTP) to every message it cannot scan, clean ones included.\n\n")) return 0 ;
  return stralloc_cats(sa, "last error: ") && stralloc_cats(sa, a->what)
    && catwhen(sa, "\nfirst error: ", a->since) && catwhen(sa, "last error at: ", a->lasterr)
    && stralloc_cats(sa, "scanner errors: ") && catu(sa, a->errors)
    && stralloc_cats(sa, "\nmessages refused for now (451): ") && catu(sa, a->tempfails)
    && stralloc_cats(sa, "\nmessages accepted unscanned (QHPSIFAIL=accept): ") && catu(sa, a->accepted)
    && stralloc_cats(sa, "\n") ;
}

static int queueit (stralloc const *text, char const *to)
{
  if (chdir(paths_queue) < 0) return QQ_QUEUE ;
  return notice_queuetext(text, to, (unsigned long)getpid(), time(0), getuid()) ;
}

int alarm_queue (stralloc const *text, char const *to)
{
  struct stat st ;
  pid_t pid ;
  int w ;
  if (!paths_init()) return QQ_NOMEM ;
  if (geteuid()) return queueit(text, to) ;
  /* root: the files as qmail-queue makes them, owned by the queue's owner */
  if (stat(paths_queue, &st) < 0) return QQ_QUEUE ;
  pid = fork() ;
  if (pid < 0) return QQ_NOMEM ;
  if (!pid)
  {
    gid_t g = st.st_gid ;
    if (setgroups(1, &g) < 0 || setgid(g) < 0 || setuid(st.st_uid) < 0) _exit(QQ_BUG) ;
    _exit(queueit(text, to)) ;
  }
  while (waitpid(pid, &w, 0) < 0) if (errno != EINTR) return QQ_BUG ;
  return WIFEXITED(w) ? WEXITSTATUS(w) : QQ_BUG ;
}
