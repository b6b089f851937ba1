/* qhpsi-plugin.h: the one public interface of qhpsi, for scanner plugins.
   A plugin is a shared object exporting one constant struct qhpsi_plugin
   named qhpsi_plugin; see qhpsi-plugin(3). */

#ifndef QHPSI_PLUGIN_H
#define QHPSI_PLUGIN_H

#include <stdint.h>

#define QHPSI_PLUGIN_ABI 3 /* plugins of ABI 1 and 2 still load */
#define QHPSI_PLUGIN_ABI_MIN 1
#define QHPSI_PLUGIN_SYMBOL "qhpsi_plugin"

enum qhpsi_verdict
{
  QHPSI_CLEAN = 0,
  QHPSI_INFECTED = 1,
  QHPSI_ERROR = 2,
  QHPSI_SPAM = 3      /* ABI 3: scored as spam; what follows is the action's and the site's */
} ;

/* flags */
#define QHPSI_INPROCESS_SAFE 1u /* may run inside qmail-queue itself */
#define QHPSI_SPAM_ENGINE 2u    /* ABI 3: scores spam; its errors follow the spam failure policy
                                   (QHPSISPAMFAIL), not QHPSIFAIL, and a virus verdict wins over it */
#define QHPSI_SELF_CONTAINED 4u /* ABI 3: starts no process nor thread, keeps to timeout_ms, leaves
                                   signals, alarms and ids alone: a chain of such plugins runs in the
                                   scanning process itself, no copy of it around them, with no
                                   process to be made while they run */

#define QHPSI_TEXTLEN 128 /* room for a signature name or an error text, NUL included */
#define QHPSI_REPLYLEN 256 /* room for an SMTP reply text, NUL included */
#define QHPSI_HEADERSLEN 8192 /* ABI 3: room for header fields to add, NUL included */
#define QHPSI_TESTSLEN 1024 /* ABI 3: room for the names of the spam tests that hit, NUL included */

/* ABI 2: what an infected result asks for. DEFAULT leaves it to the site's
   REJECTVIRUS, VIRUSFORWARD and QHPSIQUARANTINE; the others override them
   for this message (qmail-queue(8), the verdict table). */
enum qhpsi_action
{
  QHPSI_ACTION_DEFAULT = 0,
  QHPSI_ACTION_REFUSE = 1,     /* exit 33, with reply as the text when the front end takes one */
  QHPSI_ACTION_BLACKHOLE = 2,  /* accept and discard */
  QHPSI_ACTION_TRAP = 3,       /* accept, keep in the quarantine, do not deliver */
  QHPSI_ACTION_BACK = 4,       /* deliver tagged and keep a copy in the quarantine */
  QHPSI_ACTION_TAG = 5,        /* deliver tagged, nothing else */
  QHPSI_ACTION_TEMPFAIL = 6    /* ABI 3: temporary refusal (soft reject, greylisting), reply as the text */
} ;

/* ABI 2 result flags */
#define QHPSI_RESULT_RULE 1u /* text is a rule's name: X-QHPSI says "(rule NAME)" */
#define QHPSI_RESULT_SERVER 2u /* reply names the server that answered (for the log's host=), not an SMTP reply */
#define QHPSI_RESULT_SCORED 4u /* ABI 3: score (and required, when not 0) are set */

/* ABI 3 message flags */
#define QHPSI_MESSAGE_OUTBOUND 1u /* from a relay client (RELAYCLIENT) or a local sender: sign, do not judge as inbound */

/* What a plugin is given. fd is read-only and seekable (read it with pread or
   lseek+read; do not close it). path names the same file, for messages and
   for scanners that need a name; it may not be openable by the plugin. The
   plugin must answer within timeout_ms; the caller enforces it anyway. */
struct qhpsi_message
{
  int fd ;
  uint64_t size ;
  char const *path ;
  uint32_t timeout_ms ;
  /* ABI 2 only; an ABI 1 plugin never looks past timeout_ms */
  char const *sender ;          /* envelope sender, "" for the null sender */
  char const *const *rcpts ;    /* envelope recipients, nrcpts of them */
  uint32_t nrcpts ;
  char const *remoteip ;        /* TCPREMOTEIP of a trusted caller, or 0 */
  /* ABI 3 only; an ABI 1 or 2 plugin never looks past remoteip. Every
     pointer is 0 when unknown; all of it comes from the trusted policy. */
  char const *qid ;             /* the queue's name for the message (its inode number) */
  char const *authuser ;        /* the SMTP AUTH user a trusted front end exported */
  char const *settings ;        /* the spam engine settings the policy chose (rspamd's Settings-ID) */
  char const *spamuser ;        /* the user whose preferences apply (spamd's User:) */
  uint32_t mflags ;             /* QHPSI_MESSAGE_OUTBOUND */
} ;

/* What a plugin answers. text is a signature name (QHPSI_INFECTED) or an
   error text (QHPSI_ERROR), NUL-terminated and at most QHPSI_TEXTLEN-1 bytes;
   it may stay empty. The caller zeroes the whole struct first, then sets
   verdict to QHPSI_ERROR: a plugin that answers nothing has failed. */
struct qhpsi_result
{
  enum qhpsi_verdict verdict ;
  char text[QHPSI_TEXTLEN] ;
  /* ABI 2 only; left zero by an ABI 1 plugin */
  uint32_t action ;             /* enum qhpsi_action, for QHPSI_INFECTED */
  uint32_t flags ;              /* QHPSI_RESULT_RULE, QHPSI_RESULT_SERVER */
  char reply[QHPSI_REPLYLEN] ;  /* SMTP reply text for REFUSE, e.g. "This message may contain Klez.VIRUS"; may stay empty */
  /* ABI 3 only; left zero by an ABI 1 or 2 plugin. A spam engine answers
     QHPSI_CLEAN or QHPSI_SPAM with QHPSI_RESULT_SCORED. */
  int32_t score ;               /* spam score in thousandths (7.5 is 7500) */
  int32_t required ;            /* the engine's own spam threshold in thousandths, or 0 */
  char tests[QHPSI_TESTSLEN] ;  /* names of the tests that hit, "A,B,C": [A-Za-z0-9_.-] and commas only */
  /* header fields to put in front of the message, each "Name: value\n",
     unfolded (no CR, no LF inside a field, no control byte but tab).
     The caller checks every field and accepts only the names a plugin may
     set (qhpsi-plugin(3)): X-Rspamd-*, DKIM-Signature, ARC-Seal,
     ARC-Message-Signature, ARC-Authentication-Results, Authentication-Results,
     X-Spam-Report; X-Spam-Flag, -Score, -Level and -Status are the caller's
     own, written from score, required and tests. A result with any other
     field is a scanner error. */
  char headers[QHPSI_HEADERSLEN] ;
} ;

struct qhpsi_plugin
{
  uint32_t abi ;       /* QHPSI_PLUGIN_ABI, or 1 for the first ABI */
  char const *name ;   /* short name for logs, e.g. "clamd" */
  uint32_t flags ;     /* QHPSI_INPROCESS_SAFE or 0 */
  void (*scan) (struct qhpsi_message const *, struct qhpsi_result *) ;
} ;

/* Plugin configuration comes from the environment (getenv), which qmail-queue
   has already reduced to the trusted policy before any plugin runs. */

#endif
