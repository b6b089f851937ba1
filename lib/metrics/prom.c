/* prom.c: the counters in Prometheus's text exposition format, and the
   whole-or-absent write that publishes a file. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/stralloc.h>
#include <skalibs/types.h>
#include "metrics/metrics.h"

int metrics_publish (char const *fn, char const *s, size_t len)
{
  size_t n = strlen(fn) ;
  char tmp[n + 5] ;
  int fd ;
  memcpy(tmp, fn, n) ; memcpy(tmp + n, ".tmp", 5) ;
  fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644) ;
  if (fd < 0) return 0 ;
  while (len)
  {
    ssize_t w = write(fd, s, len) ;
    if (w < 0) { if (errno == EINTR) continue ; goto err ; }
    s += w ; len -= w ;
  }
  if (fsync(fd) < 0) goto err ;
  if (close(fd) < 0) { fd = -1 ; goto err ; }
  if (rename(tmp, fn) < 0) { fd = -1 ; goto err ; }
  return 1 ;
 err:
  {
    int e = errno ;
    if (fd >= 0) close(fd) ;
    unlink(tmp) ;
    errno = e ;
  }
  return 0 ;
}

static int catu (stralloc *sa, uint64_t u)
{
  char fmt[UINT64_FMT] ;
  return stralloc_catb(sa, fmt, uint64_fmt(fmt, u)) ;
}

static int head (stralloc *sa, char const *name, char const *type, char const *help)
{
  return stralloc_cats(sa, "# HELP ") && stralloc_cats(sa, name) && stralloc_cats(sa, " ") && stralloc_cats(sa, help)
    && stralloc_cats(sa, "\n# TYPE ") && stralloc_cats(sa, name) && stralloc_cats(sa, " ") && stralloc_cats(sa, type)
    && stralloc_cats(sa, "\n") ;
}

/* name{label="value"} n; label values are from fixed sets or checked
   host names, none needs escaping */
static int sample (stralloc *sa, char const *name, char const *label, char const *value, uint64_t n)
{
  if (!stralloc_cats(sa, name)) return 0 ;
  if (label && !(stralloc_cats(sa, "{") && stralloc_cats(sa, label) && stralloc_cats(sa, "=\"")
    && stralloc_cats(sa, value) && stralloc_cats(sa, "\"}"))) return 0 ;
  return stralloc_cats(sa, " ") && catu(sa, n) && stralloc_cats(sa, "\n") ;
}

static int family (stralloc *sa, char const *name, char const *help, char const *label,
  char const *const *values, uint64_t const *v, unsigned int n)
{
  if (!head(sa, name, "counter", help)) return 0 ;
  for (unsigned int i = 0 ; i < n ; i++) if (!sample(sa, name, label, values[i], v[i])) return 0 ;
  return 1 ;
}

/* bounds in units of 10^-scale: ms as seconds (3), bytes as they are (0) */
static int catbound (stralloc *sa, uint64_t b, unsigned int scale)
{
  uint64_t p = 1 ;
  char frac[8] ;
  unsigned int k = scale ;
  for (unsigned int i = 0 ; i < scale ; i++) p *= 10 ;
  if (!catu(sa, b / p)) return 0 ;
  if (!scale || !(b % p)) return 1 ;
  b %= p ;
  for (unsigned int i = scale ; i-- ;) { frac[i] = '0' + b % 10 ; b /= 10 ; }
  while (k && frac[k - 1] == '0') k-- ;
  return stralloc_cats(sa, ".") && stralloc_catb(sa, frac, k) ;
}

static int histogram (stralloc *sa, char const *name, char const *help, uint64_t const *bounds,
  uint64_t const *v, unsigned int n, uint64_t sum, unsigned int scale)
{
  size_t nl = strlen(name) ;
  char b[nl + 8] ;
  uint64_t cum = 0 ;
  memcpy(b, name, nl) ; strcpy(b + nl, "_bucket") ;
  if (!head(sa, name, "histogram", help)) return 0 ;
  for (unsigned int i = 0 ; i < n ; i++)
  {
    cum += v[i] ;
    if (!stralloc_cats(sa, b) || !stralloc_cats(sa, "{le=\"")) return 0 ;
    if (i + 1 < n ? !catbound(sa, bounds[i], scale) : !stralloc_cats(sa, "+Inf")) return 0 ;
    if (!stralloc_cats(sa, "\"} ") || !catu(sa, cum) || !stralloc_cats(sa, "\n")) return 0 ;
  }
  memcpy(b + nl, "_sum", 5) ;
  if (!stralloc_cats(sa, b) || !stralloc_cats(sa, " ") || !catbound(sa, sum, scale) || !stralloc_cats(sa, "\n")) return 0 ;
  memcpy(b + nl, "_count", 7) ;
  return sample(sa, b, 0, 0, cum) ;
}

static int hosts (stralloc *sa, metrics const *m, int err)
{
  char const *name = err ? "qhpsi_scanner_host_errors_total" : "qhpsi_scanner_host_scans_total" ;
  if (!head(sa, name, "counter", err ? "Scanner errors by scanner host (the log line's host=; at most 31 names, then \"other\")."
                                     : "Scans by scanner host (the log line's host=; at most 31 names, then \"other\").")) return 0 ;
  for (unsigned int i = 0 ; i < m->nhosts ; i++)
    if (!sample(sa, name, "host", m->hosts[i].name, err ? m->hosts[i].errors : m->hosts[i].scans)) return 0 ;
  return 1 ;
}

int metrics_prom (metrics const *m, char const *fn, time_t now)
{
  stralloc sa = STRALLOC_ZERO ;
  int ok = family(&sa, "qhpsi_messages_total", "Messages logged by qmail-queue, by verdict.", "verdict",
      metrics_verdicts, m->verdict, METRICS_NVERDICT)
   && family(&sa, "qhpsi_actions_total", "Messages by what became of them.", "action", metrics_actions, m->action, METRICS_NACTION)
   && family(&sa, "qhpsi_routes_total", "Messages by how they were scanned.", "route", metrics_routes, m->route, METRICS_NROUTE)
   && family(&sa, "qhpsi_scanner_errors_total", "Scanner and configuration errors, by reason.", "reason",
      metrics_reasons, m->reason, METRICS_NREASON)
   && family(&sa, "qhpsi_spam_checks_total", "Messages a spam engine saw, by its answer (error: the engine could not answer).", "result",
      metrics_spams, m->spam, METRICS_NSPAM)
   && family(&sa, "qhpsi_spam_total", "Messages scored as spam, by what became of them.", "action", metrics_actions, m->spamaction, METRICS_NACTION)
   && hosts(&sa, m, 0) && hosts(&sa, m, 1)
   && histogram(&sa, "qhpsi_scan_duration_seconds", "Time a scan took.", metrics_msbounds, m->ms, METRICS_NMS, m->mssum, 3)
   && histogram(&sa, "qhpsi_message_size_bytes", "Size of the scanned messages.", metrics_sizebounds, m->size, METRICS_NSIZE, m->sizesum, 0)
   && head(&sa, "qhpsi_signature_hits_total", "counter", "Infected messages named by a scanner's signature (names in qhpsi-report).")
   && sample(&sa, "qhpsi_signature_hits_total", 0, 0, m->signatures)
   && head(&sa, "qhpsi_rule_hits_total", "counter", "Infected messages caught by a content rule (rule:NAME).")
   && sample(&sa, "qhpsi_rule_hits_total", 0, 0, m->rulehits)
   && head(&sa, "qhpsi_quarantined_total", "counter", "Messages kept in the central quarantine.")
   && sample(&sa, "qhpsi_quarantined_total", 0, 0, m->quarantined)
   && head(&sa, "qhpsi_sealed_total", "counter", "Forwards judged before: a verdict taken again from this server's seal, not counted above.")
   && sample(&sa, "qhpsi_sealed_total", 0, 0, m->sealed)
   && head(&sa, "qhpsi_selftest_probes_total", "counter", "qhpsi-selftest probes, not counted above.")
   && sample(&sa, "qhpsi_selftest_probes_total", 0, 0, m->selftests)
   && head(&sa, "qhpsi_malformed_lines_total", "counter", "Log lines that could not be read.")
   && sample(&sa, "qhpsi_malformed_lines_total", 0, 0, m->malformed)
   && head(&sa, "qhpsi_last_scan_timestamp_seconds", "gauge", "Log time of the last scan.")
   && sample(&sa, "qhpsi_last_scan_timestamp_seconds", 0, 0, m->lastscan)
   && head(&sa, "qhpsi_scanner_failing", "gauge", "1 from a scanner error until scans succeed again for the quiet period.")
   && sample(&sa, "qhpsi_scanner_failing", 0, 0, m->alarm.failing)
   && head(&sa, "qhpsi_metrics_updated_seconds", "gauge", "When qhpsi-metrics last read the logs.")
   && sample(&sa, "qhpsi_metrics_updated_seconds", 0, 0, now > 0 ? (uint64_t)now : 0)
   && metrics_publish(fn, sa.s, sa.len) ;
  stralloc_free(&sa) ;
  return ok ;
}
