/* qhpsi-plugin.h: the one public interface of qhpsi, for scanner plugins.
   A plugin is a shared object exporting one constant struct qhpsi_plugin
   named qhpsi_plugin; see qhpsi-plugin(3). */

#ifndef QHPSI_PLUGIN_H
#define QHPSI_PLUGIN_H

#include <stdint.h>

#define QHPSI_PLUGIN_ABI 1
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
} ;

/* What a plugin answers. text is a signature name (QHPSI_INFECTED) or an
   error text (QHPSI_ERROR), NUL-terminated and at most QHPSI_TEXTLEN-1 bytes;
   it may stay empty. */
struct qhpsi_result
{
  enum qhpsi_verdict verdict ;
  char text[QHPSI_TEXTLEN] ;
} ;

struct qhpsi_plugin
{
  uint32_t abi ;       /* QHPSI_PLUGIN_ABI */
  char const *name ;   /* short name for logs, e.g. "clamd" */
  uint32_t flags ;     /* QHPSI_INPROCESS_SAFE or 0 */
  void (*scan) (struct qhpsi_message const *, struct qhpsi_result *) ;
} ;

/* Plugin configuration comes from the environment (getenv), which qmail-queue
   has already reduced to the trusted policy before any plugin runs. */

#endif
