/* qhpsi.h: the QHPSI scan step of a qmail-queue, as a small stable C API.
   A qmail-queue calls it once the message and the envelope are written and
   before anything is linked into todo/. Every function returns QHPSI_GOON
   or the exit code qmail-queue must leave with (see qmail-queue(8)); none
   exits, prints to fd 1 or keeps a descriptor open. The API lives in one
   object that defines no other global symbol, so it links into a qmail
   tree next to qmail's own stralloc, env, str, fmt ... functions. */

#ifndef QHPSI_H
#define QHPSI_H

#include <stddef.h>

#define QHPSI_API_VERSION 1
#define QHPSI_GOON (-1) /* go on: publish the message in todo/ */

/* Resolves the QHPSI policy for the caller whose real uid is uid: its
   environment counts only for root and the users of control/qhpsitrusted,
   else control/qhpsi/ alone; control/qhpsi.cdb may override per client.
   home is the absolute qmail home, queue the absolute queue directory (0:
   home/queue). Changes no current directory; leaves the environment holding
   only the resolved variables. Unless the caller is trusted and gave
   TCPREMOTEIP (an SMTP front end, whose fd 2 is its log), points fd 2 at
   the log FIFO home/qhpsi/log, or at /dev/null: the log line, and what
   scanners write there, never reach a local user (qmail-queue(8), LOG).
   Returns QHPSI_GOON, or 55 / 51 after the log line. Call it once, before
   qhpsi_scan or qhpsi_scanqueued. */
extern int qhpsi_init (char const *home, char const *queue, unsigned long uid) ;

/* The scan step for the message file messfn (relative to the current
   directory, which is the queue directory, as "mess/N/INODE"), open
   read-write on messfd and holding the whole message; env, envlen: the
   envelope entries as intd stores them ("F<sender>\0T<rcpt>\0...", without
   the terminating empty entry). Scans, puts X-QHPSI: (and X-Quarantine-ID:)
   in front of the message, writes the log line on fd 2 (see qhpsi_init).
   On QHPSI_GOON,
   *env and *envlen may point to a new envelope (VIRUSFORWARD), valid until
   the next call; the message is not fsync'ed. Otherwise returns 33 (virus),
   77 (scanner error), 31 (refused by size), 0 (blackholed: publish
   nothing), 82 (the reply text went out on the custom error channel, fd 6),
   or a queue error; the caller removes the message. qp names the message in
   the log (qmail-queue's pid). */
extern int qhpsi_scan (int messfd, char const *messfn, unsigned long qp, char const **env, size_t *envlen) ;

/* For a qmail-queue that writes and syncs the message as it will be
   queued while qhpsi_scan reads it (the project's own): the lines a clean
   verdict of qhpsi_scan would put in front of the message on messfd (as
   written: the Received line first), into buf (max bytes). Returns their
   length, or 0 where no scan will run or no guess is made. With buf 0,
   says only whether there would be a guess, without reading the message.
   Safe to call in a thread while qhpsi_scan runs in another. */
extern size_t qhpsi_ahead (int messfd, char *buf, size_t max) ;

/* For the same caller: the number (inode) of the mess file that will be
   queued when it is not the one qhpsi_scan reads: the message's queue ID,
   as plugins are told it and qmail-send logs it. */
extern void qhpsi_queuedas (unsigned long messnum) ;

/* For the same caller: 1 when the scan will read the message only through
   messfd (QHPSI names plugins), never by its name: qhpsi_scan may then be
   given an anonymous copy of the message on messfd (a memfd), messfn
   still naming the mess file, which the caller meanwhile fills with the
   guessed header and the message and syncs. 0 when a command may be given
   the name. */
extern int qhpsi_scansfd (void) ;

/* The same for a qmail-queue that has already written and fsync'ed both
   messfn and intdfn ("intd/INODE", "u<uid>\0p<pid>\0" then the envelope):
   reads the envelope from intd, rewrites intd for VIRUSFORWARD, and fsyncs
   what it changed before returning QHPSI_GOON. */
extern int qhpsi_scanqueued (char const *messfn, char const *intdfn, unsigned long qp) ;

/* For a message whose envelope was refused (11, 91, or 54 / 51 while
   reading it) when QHPSI is set (empty too): writes its log line (action=envelope)
   and returns code. messfd holds the message as written so far; env,
   envlen: the envelope as read so far (its whole entries are logged). */
extern int qhpsi_envelopeerror (int code, int messfd, unsigned long qp, char const *env, size_t envlen) ;

#endif
