/* rspamdreply.h: rspamd's /checkv2 JSON reply turned into a plugin result
   (ABI 3), with json-c and bounds on what is taken; see qhpsi-rspamd(8). */

#ifndef RSPAMDREPLY_H
#define RSPAMDREPLY_H

#include <stddef.h>
#include "qhpsi-plugin.h"

#define RSPAMD_JSON_DEPTH 12     /* rspamd's replies nest five deep */
#define RSPAMD_SYMBOLS_MAX 256   /* symbol names looked at; tests holds what fits */
#define RSPAMD_NAME_MAX 64       /* a symbol's or a header field's name */

/* Fills r from the len bytes of body: verdict (QHPSI_CLEAN or QHPSI_SPAM),
   action, score, required, tests, headers, and the SMTP message in reply
   for a refusal or a temporary one. 1, or 0 with why (printable) saying
   what is wrong with the reply; r is then not to be used. */
extern int rspamd_reply (char const *body, size_t len, struct qhpsi_result *r, char *why, size_t whylen) ;

#endif
