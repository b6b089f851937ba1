/* spamscore.h: the values of the spam policy variables (QHPSISPAM*),
   checked the same way wherever they are written: control/qhpsi/, a
   trusted caller's environment, control/qhpsi.cdb, control/qhpsispam.cdb
   and qhpsi-spamrules(8). Every value that reaches a plugin passed here. */

#ifndef SPAMSCORE_H
#define SPAMSCORE_H

#include <stddef.h>
#include <stdint.h>

/* the longest Settings-ID and preference user a plugin is given */
#define SPAMSCORE_SETTINGSMAX 64
#define SPAMSCORE_USERMAX 255

/* "5", "7.5", "-0.25", at most three decimals, at most 100000 either way:
   1 and *t in thousandths, or 0 */
extern int spamscore_scan (char const *s, size_t len, int32_t *t) ;

/* 1 if s (len bytes) is a usable Settings-ID: 1 to 64 of [A-Za-z0-9_.-] */
extern int spamscore_settingsok (char const *s, size_t len) ;

/* 1 if s is a usable user name (spamd's User:, an SMTP AUTH user): 1 to
   255 printable ASCII bytes, no blank, no '%' */
extern int spamscore_userok (char const *s, size_t len) ;

/* QHPSISPAMUSER: "%l" (the recipient's local part), "%a" (the address),
   or a user name; 1 if usable */
extern int spamscore_userspecok (char const *s, size_t len) ;

/* One QHPSISPAM* variable of a per-recipient rule (QHPSISPAM,
   QHPSISPAMTAG, QHPSISPAMREFUSE, QHPSISPAMSETTINGS, QHPSISPAMUSER):
   0 if name and value are usable, else why not. */
extern char const *spamscore_rulevar (char const *name, size_t namelen, char const *value, size_t len) ;

#endif
