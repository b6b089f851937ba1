/* spamtest.c: an ABI 3 spam engine for the tests, driven by the message.
   A line "SPAMTEST: key=value ..." anywhere in it sets the answer:
   verdict=clean|spam|error|infected|N, score=7.5 (thousandths kept),
   required=5, action=N (enum qhpsi_action), tests=A,B, noscore (leaves
   QHPSI_RESULT_SCORED off), server (reply names a server). Each line
   "SPAMTEST-HEADER: ..." adds a header field (\n \r \t \\ and \xHH
   escapes, a newline after each line); "SPAMTEST-REPLY: ..." is the reply.
   No SPAMTEST line: clean, score 0.1, scored. "SPAMTEST-ERROR" anywhere:
   an error, text "spamtest down"; "SPAMTEST-HANG": never answers. What it was given (qid, authuser,
   settings, spamuser, mflags) goes to $TMPDIR/spamtest.seen.
   SPAMTEST_FLAGS and SPAMTEST_ABI at build time make its variants. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qhpsi-plugin.h"

#ifndef SPAMTEST_FLAGS
#define SPAMTEST_FLAGS (QHPSI_INPROCESS_SAFE | QHPSI_SPAM_ENGINE)
#endif
#ifndef SPAMTEST_ABI
#define SPAMTEST_ABI 3
#endif

static void seen (struct qhpsi_message const *m)
{
  char const *dir = getenv("TMPDIR") ;
  char fn[4096] ;
  FILE *f ;
  if (!dir || snprintf(fn, sizeof fn, "%s/spamtest.seen", dir) >= (int)sizeof fn) return ;
  f = fopen(fn, "w") ;
  if (!f) return ;
  fprintf(f, "qid=%s authuser=%s settings=%s spamuser=%s mflags=%u\n", m->qid ? m->qid : "-",
    m->authuser ? m->authuser : "-", m->settings ? m->settings : "-", m->spamuser ? m->spamuser : "-", m->mflags) ;
  fclose(f) ;
}

/* the line after "name" in s (len bytes), up to its newline; 0 if none */
static char const *line (char const *s, size_t len, char const *name, size_t from, size_t *n)
{
  char const *p = memmem(s + from, len - from, name, strlen(name)), *e ;
  if (!p) return 0 ;
  p += strlen(name) ;
  e = memchr(p, '\n', s + len - p) ;
  *n = e ? (size_t)(e - p) : (size_t)(s + len - p) ;
  return p ;
}

static size_t unescape (char *out, size_t max, char const *s, size_t n)
{
  size_t k = 0 ;
  for (size_t i = 0 ; i < n && k + 1 < max ; i++)
  {
    char c = s[i] ;
    if (c == '\\' && i + 1 < n)
    {
      c = s[++i] ;
      if (c == 'n') c = '\n' ;
      else if (c == 'r') c = '\r' ;
      else if (c == 't') c = '\t' ;
      else if (c == 'x' && i + 2 < n) { char h[3] = { s[i+1], s[i+2], 0 } ; c = strtol(h, 0, 16) ; i += 2 ; }
    }
    out[k++] = c ;
  }
  out[k] = 0 ;
  return k ;
}

static int32_t thousandths (char const *s)
{
  return (int32_t)(strtod(s, 0) * 1000 + (s[0] == '-' ? -0.5 : 0.5)) ;
}

static void scan (struct qhpsi_message const *m, struct qhpsi_result *r)
{
  static char buf[1 << 20] ;
  char const *p ;
  char word[QHPSI_HEADERSLEN] ;
  size_t n, from = 0 ;
  ssize_t got = pread(m->fd, buf, sizeof buf, 0) ;
  int scored = 1 ;
  seen(m) ;
  r->verdict = QHPSI_ERROR ;
  if (got < 0) { strcpy(r->text, "spamtest: read error") ; return ; }
  if (memmem(buf, got, "SPAMTEST-ERROR", 14)) { strcpy(r->text, "spamtest down") ; return ; }
  /* past its timeout_ms, on purpose: the caller must cut it off */
  if (memmem(buf, got, "SPAMTEST-HANG", 13)) for (;;) pause() ;
  r->verdict = QHPSI_CLEAN ;
  r->score = 100 ;
  p = line(buf, got, "SPAMTEST: ", 0, &n) ;
  while (p && n)
  {
    size_t k = strcspn(p, " \n") ;
    if (k > n) k = n ;
    unescape(word, sizeof word, p, k) ;
    if (!strncmp(word, "verdict=", 8))
      r->verdict = !strcmp(word + 8, "spam") ? QHPSI_SPAM : !strcmp(word + 8, "clean") ? QHPSI_CLEAN
        : !strcmp(word + 8, "error") ? QHPSI_ERROR : !strcmp(word + 8, "infected") ? QHPSI_INFECTED : atoi(word + 8) ;
    else if (!strncmp(word, "score=", 6)) r->score = thousandths(word + 6) ;
    else if (!strncmp(word, "required=", 9)) r->required = thousandths(word + 9) ;
    else if (!strncmp(word, "action=", 7)) r->action = atoi(word + 7) ;
    else if (!strncmp(word, "tests=", 6))
    {
      size_t t = strnlen(word + 6, sizeof r->tests - 1) ;
      memcpy(r->tests, word + 6, t) ;
      r->tests[t] = 0 ;
    }
    else if (!strcmp(word, "noscore")) scored = 0 ;
    else if (!strcmp(word, "server")) r->flags |= QHPSI_RESULT_SERVER ;
    while (k < n && p[k] == ' ') k++ ;
    p += k ; n -= k ;
  }
  if (r->verdict == QHPSI_INFECTED) strcpy(r->text, "Spamtest.Virus") ;
  if (r->verdict == QHPSI_ERROR) strcpy(r->text, "spamtest says error") ;
  if (scored) r->flags |= QHPSI_RESULT_SCORED ;
  while ((p = line(buf, got, "SPAMTEST-HEADER: ", from, &n)))
  {
    size_t have = strlen(r->headers) ;
    from = p - buf + n ;
    unescape(r->headers + have, sizeof r->headers - have, p, n) ;
    have = strlen(r->headers) ;
    if (have + 1 < sizeof r->headers) { r->headers[have] = '\n' ; r->headers[have + 1] = 0 ; }
  }
  if ((p = line(buf, got, "SPAMTEST-REPLY: ", 0, &n))) unescape(r->reply, sizeof r->reply, p, n) ;
}

struct qhpsi_plugin const qhpsi_plugin = { SPAMTEST_ABI, "spamtest", SPAMTEST_FLAGS, scan } ;
