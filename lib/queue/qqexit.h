/* qqexit.h: every exit code of qmail-queue, defined once.
   doc/qmail-queue.8 lists the same table; tests/t-exitcodes checks they agree. */

#ifndef QQEXIT_H
#define QQEXIT_H

#define QQ_OK 0            /* success */
#define QQ_ADDRTOOLONG 11  /* address too long */
#define QQ_SPAM 32          /* message refused as spam (permanent) */
#define QQ_VIRUS 33        /* message contains a virus (permanent) */
#define QQ_REFUSED 31      /* mail server permanently refuses to send the message to any recipients: too big to scan (QHPSIOVERSIZE=refuse) */
#define QQ_NOMEM 51        /* out of memory */
#define QQ_TIMEOUT 52      /* timeout */
#define QQ_WRITE 53        /* write error, e.g. disk full */
#define QQ_READ 54         /* unable to read the message or envelope */
#define QQ_CONFIG 55       /* unable to read a configuration file */
#define QQ_NETWORK 56      /* problem making a network connection (not used) */
#define QQ_HOME 61         /* problem with the qmail home directory */
#define QQ_QUEUE 62        /* problem with the queue directory */
#define QQ_PID 63          /* problem with queue/pid */
#define QQ_MESS 64         /* problem with queue/mess */
#define QQ_INTD 65         /* problem with queue/intd */
#define QQ_TODO 66         /* problem with queue/todo */
#define QQ_TEMPREFUSED 71  /* mail server temporarily refuses to send the message: a spam engine's soft reject or greylisting */
#define QQ_CONNTIMEOUT 72  /* connection to mail server timed out (not used) */
#define QQ_CONNREFUSED 73  /* connection to mail server rejected (not used) */
#define QQ_CONNFAILED 74   /* connection succeeded, communication failed (not used) */
#define QQ_EXECQQ 75       /* unable to exec qq (not used) */
#define QQ_SCANERROR 77    /* unable to run the QHPSI scanner (temporary) */
#define QQ_BUG 81          /* internal bug, e.g. segmentation fault */
#define QQ_CUSTOMERR 82    /* notqmail custom error: the reply text was written on fd 6 */
#define QQ_ENVELOPE 91     /* envelope format error */

#endif
