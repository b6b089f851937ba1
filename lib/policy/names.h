/* names.h: the files and directories a QHPSI variable may name, all under
   the qmail home: the content rules file (QHPSIRULES) and the plugin
   subdirectory (PLUGINDIR). Nothing a variable says can leave them. */

#ifndef NAMES_H
#define NAMES_H

/* QHPSIRULES: a NAME (a letter or digit, then letters, digits, _ . -, at
   most 64 bytes), or the file home/control/qhpsirules/NAME.qrc itself
   (absolute, or relative to home), which is what qhpsi-rules(8) shows.
   Returns the absolute path of NAME.qrc (malloc'ed), or 0 with *why set. */
extern char *names_rules (char const *s, char const *home, char const **why) ;

/* PLUGINDIR: a subdirectory name of the plugin directory dir. IndiMail
   sites write the directory itself ("plugins", relative to the qmail home,
   or its absolute name), or a subdirectory of it by that path: those mean
   the same here. Returns the subdirectory name ("" for dir itself), or 0
   with *why set for anything that would leave the plugin directory. */
extern char const *names_pluginsub (char const *s, char const *dir, char const **why) ;

/* QHPSI: 0 if the value is usable as a command or a plugin: list; else why
   not: a first word with ':' before any '/' is a scheme, and plugin: is
   the only one ("plugn:clamd.so" is a typo, not a command to look for). */
extern char const *names_qhpsi (char const *s) ;

#endif
