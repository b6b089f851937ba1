/* plugin.h: loading scanner plugins from a trusted directory and running
   them, new ABI (struct qhpsi_plugin) or IndiMail's legacy one-function ABI. */

#ifndef PLUGIN_H
#define PLUGIN_H

#include "qhpsi-plugin.h"

typedef struct plugin_s plugin ;
struct plugin_s
{
  void *handle ;
  struct qhpsi_plugin const *p ;  /* new ABI, or 0 */
  int (*legacy) (char *) ;        /* legacy ABI, or 0 */
  int fd ;                        /* the checked file, held while loaded */
  char name[64] ;
} ;

/* Loads dir/file. file must not contain '/'; with checkowner, dir and file
   must be owned by root (or by the effective user when not setuid) and not
   group- or world-writable. legacysym is the legacy symbol (QUEUE_PLUGIN_SYMB,
   "virusscan" by default). Returns 1, or 0 with errno set and *err a reason. */
extern int plugin_load (plugin *, char const *dir, char const *file, char const *legacysym, int checkowner, char const **err) ;

/* Runs one plugin on m; legacy plugins' return values are compared with
   rc (infected) and rn (clean), anything else is an error. What a plugin
   answers is held to its ABI: past it, nothing is taken; a spam verdict
   from a plugin that is no spam engine, a spam engine's answer without a
   score, bad test names or header fields (spamhdr_check) are errors; the
   score, tests and header fields of a plugin that is no spam engine are
   cleared. */
extern void plugin_scan (plugin const *, struct qhpsi_message const *m, int rc, int rn, struct qhpsi_result *r) ;

/* Unloads a plugin plugin_load loaded. */
extern void plugin_unload (plugin *) ;

/* 1 if the plugin may run inside qmail-queue: new-ABI plugins say so in
   their flags; legacy plugins cannot say, and always go to the helper */
extern int plugin_inprocess_safe (plugin const *) ;

/* 1 if the plugin is an ABI 3 spam engine (QHPSI_SPAM_ENGINE) */
extern int plugin_spamengine (plugin const *) ;

#endif
