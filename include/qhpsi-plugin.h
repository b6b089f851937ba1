/* qhpsi-plugin.h: the one public interface of qhpsi, for scanner plugins.
   A plugin is a shared object exporting one constant struct qhpsi_plugin
   named qhpsi_plugin; see qhpsi-plugin(3). */

#ifndef QHPSI_PLUGIN_H
#define QHPSI_PLUGIN_H

#include <stdint.h>

#define QHPSI_PLUGIN_ABI 2 /* plugins of ABI 1 still load */
#define QHPSI_PLUGIN_ABI_MIN 1
#define QHPSI_PLUGIN_SYMBOL "qhpsi_plugin"

enum qhpsi_verdict
{
  QHPSI_CLEAN = 0,
  QHPSI_INFECTED = 1,
  QHPSI_ERROR = 2
} ;

/* flags */
#define QHPSI_INPROCESS_SAFE 1u /* may run inside qmail-queue itself */

#define QHPSI_TEXTLEN 128 /* room for a signature name or an error text, NUL included */
#define QHPSI_REPLYLEN 256 /* room for an SMTP reply text, NUL included */

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
  QHPSI_ACTION_TAG = 5         /* deliver tagged, nothing else */
} ;

/* ABI 2 result flags */
#define QHPSI_RESULT_RULE 1u /* text is a rule's name: X-QHPSI says "(rule NAME)" */
#define QHPSI_RESULT_SERVER 2u /* reply names the server that answered (for the log's host=), not an SMTP reply */

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
