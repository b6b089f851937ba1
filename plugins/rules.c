/* rules.c: qhpsi plugin that matches content rules (qmfilt rules,
   attachment names, header and sender rules with whitelists) compiled by
   qhpsi-rules into the file $QHPSIRULES. See qhpsi-rules(8). */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "qhpsi-plugin.h"
#include "inspect/inspect.h"
#include "policy/policy.h"
#include "queue/received.h"
#include "rules/rules.h"

static void say (struct qhpsi_result *r, enum qhpsi_verdict v, char const *fmt, ...)
{
  va_list ap ;
  r->verdict = v ;
  va_start(ap, fmt) ;
  vsnprintf(r->text, sizeof r->text, fmt, ap) ;
  va_end(ap) ;
}

static uint32_t const actions[] =
{
  [RA_NONE] = QHPSI_ACTION_DEFAULT, [RA_DROP] = QHPSI_ACTION_BLACKHOLE, [RA_BLOCK] = QHPSI_ACTION_REFUSE,
  [RA_TRAP] = QHPSI_ACTION_TRAP, [RA_BACK] = QHPSI_ACTION_BACK, [RA_ALLOW] = QHPSI_ACTION_DEFAULT
} ;

static void scan (struct qhpsi_message const *m, struct qhpsi_result *res)
{
  char const *fn = getenv("QHPSIRULES") ;
  struct stat st ;
  struct rules *r ;
  char err[QHPSI_TEXTLEN] ;
  char *msg = 0 ;
  size_t skip ;
  char const *why ;
  uint32_t hit ;
  int fd, allowed, v ;

  if (!fn || !*fn) { say(res, QHPSI_ERROR, "rules: QHPSIRULES is not set") ; return ; }
  if (*fn != '/') { say(res, QHPSI_ERROR, "rules: QHPSIRULES is not an absolute path") ; return ; }
  fd = open(fn, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) ;
  if (fd < 0) { say(res, QHPSI_ERROR, "rules: unable to open %s: %s", fn, strerror(errno)) ; return ; }
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !policy_owner_ok(&st))
  {
    close(fd) ;
    say(res, QHPSI_ERROR, "rules: %s is not a regular file of root's, or is writable by others", fn) ;
    return ;
  }
  r = rules_load(fd, err, sizeof err) ;
  close(fd) ;
  if (!r) { say(res, QHPSI_ERROR, "rules: %s: %s", fn, err) ; return ; }
  {
    struct timespec ts ;
    clock_gettime(CLOCK_MONOTONIC, &ts) ;
    rules_deadline(r, (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + m->timeout_ms) ;
  }
  if (m->size > SIZE_MAX) { rules_free(r) ; say(res, QHPSI_ERROR, "rules: message too large") ; return ; }
  if (m->size)
  {
    msg = mmap(0, m->size, PROT_READ, MAP_PRIVATE, m->fd, 0) ;
    if (msg == MAP_FAILED) { rules_free(r) ; say(res, QHPSI_ERROR, "rules: unable to map the message: %s", strerror(errno)) ; return ; }
  }
  /* the rules see the message as qmail-queue received it, as qmfilt did:
     without its own Received line, whose length depends on the pid and
     the caller, so that a size window means the same for every submitter */
  skip = msg ? received_len(msg, m->size) : 0 ;
  v = rules_match(r, msg ? msg + skip : "", m->size - skip, m->sender, &hit, &allowed, &why, 0, 0, err, sizeof err) ;
  if (msg) munmap(msg, m->size) ;
  if (v < 0) say(res, QHPSI_ERROR, "rules: %s", err) ;
  else if (!v) res->verdict = QHPSI_CLEAN ;
  /* a name it could not read whole is never clean: a limits verdict */
  else if (v == 2) say(res, QHPSI_INFECTED, "%s%s", INSPECT_PREFIX, why) ;
  else
  {
    struct rules_rec const *x = rules_rule(r, hit) ;
    say(res, QHPSI_INFECTED, "%s", rules_str(r, x->name)) ;
    res->flags = QHPSI_RESULT_RULE ;
    res->action = actions[x->action] ;
    snprintf(res->reply, sizeof res->reply, "%s", rules_str(r, x->reply)) ;
  }
  rules_free(r) ;
}

struct qhpsi_plugin const qhpsi_plugin =
{
  .abi = QHPSI_PLUGIN_ABI,
  .name = "rules",
  .flags = QHPSI_INPROCESS_SAFE | QHPSI_SELF_CONTAINED,
  .scan = &scan
} ;
