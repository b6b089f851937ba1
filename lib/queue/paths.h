/* paths.h: where the programs find the queue, control files, plugins and the
   helper, and who qmail's users are. Compiled in; movable only when not setuid. */

#ifndef PATHS_H
#define PATHS_H

#include <sys/types.h>

#ifndef QHPSI_HOME
#define QHPSI_HOME "/var/qmail"
#endif
#ifndef QHPSI_SPLIT
#define QHPSI_SPLIT 23
#endif

/* qmail's user names, as in qmail 1.03's conf-users */
#define USER_ALIAS "alias"
#define USER_QMAILD "qmaild"
#define USER_QMAILS "qmails"
#define USER_QMAILQ "qmailq"
#define USER_QSCAND "qscand"

/* the log FIFO, under the qmail home: qmail-queue's log line when its
   caller is not an SMTP front end (qmail-queue(8), LOG) */
#define PATHS_LOGFIFO "qhpsi/log"

extern char const *paths_home ;  /* absolute qmail home */
extern char const *paths_queue ; /* absolute queue directory */

/* 1 when started with borrowed privileges (setuid or setgid), as first seen */
extern int paths_privileged (void) ;

/* Sets paths_home and paths_queue: QMAILHOME and QUEUEDIR count only when
   not privileged. Returns 1, or 0 with errno set. */
extern int paths_init (void) ;

/* A malloc'ed "a/b"; 0 with errno on failure. */
extern char *paths_join (char const *a, char const *b) ;

/* The uid of a user name, or (uid_t)-1 if there is no such user. */
extern uid_t paths_uid (char const *name) ;

/* The name of uid, or 0 if it has none; looked up once, then remembered. */
extern char const *paths_username (uid_t uid) ;

#endif
