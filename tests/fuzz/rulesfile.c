/* tests/fuzz/rulesfile.c: whole compiled rules files (.qrc), as QHPSIRULES
   may name a damaged or foreign one: rules_load on a memfd, as the plugin
   loads it. A file that loads is listed as qhpsi-rules -t lists it, and
   matched against a few messages and senders, with and without the
   explanations of -t. */

#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "rules/rules.h"
#include "fuzz.h"

static char const *const msgs[] =
{
  "Subject: hello\nX-Block-Me: yes\n\nbody\n",
  "From: a@example.org\nSubject: files\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n"
  "--b\nContent-Type: text/plain\n\nhi\n--b\nContent-Type: application/octet-stream; name=\"photo.exe\"\n"
  "Content-Transfer-Encoding: base64\n\nQUJD\n--b--\n",
  "Subject: =?UTF-8?B?0L/RgNC40LLQtdGC?=\nX-Mailer: evil\n\nthe worworm-marker\n",
  "Subject: hello\n\nbody\n",
  "X-Mailer: x\n\nthe worworm-marker\n",
  "",
  "Subject: uu\n\nbegin 644 c:\\dir\\photo.exe\n\"35H \n`\nend\nbegin 644 cut.txt\n",
} ;
static char const *const senders[] = { "a@example.org", "", 0, "spam@x", "a@trusted.example", "", "a@example.org" } ;

static volatile unsigned char sink ;
static uint32_t nrules ;

static void explain (void *ctx, uint32_t rule, char const *what, size_t len, int counted, char const *from)
{
  (void)ctx ;
  /* a name the walk found, from somewhere; else a rule of the table */
  if (counted == RULES_NAME) FUZZ_ASSERT(from && *from) ;
  else FUZZ_ASSERT(rule < nrules && !from) ;
  for (size_t i = 0 ; i < len ; i++) sink ^= (unsigned char)what[i] ;
}

/* a string of the table: len bytes, then its NUL */
static void str (struct rules const *r, uint32_t off, uint32_t len)
{
  char const *s = rules_str(r, off) ;
  for (uint32_t i = 0 ; i < len ; i++) sink ^= (unsigned char)s[i] ;
  FUZZ_ASSERT(!s[len]) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  static int fd = -1 ;
  struct rules *r ;
  char err[256] ;
  if (fd < 0) fd = memfd_create("fuzz-qrc", MFD_CLOEXEC) ;
  /* overwrite, then cut: the file's pages are reused from one input to the next */
  if (fd < 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size) || ftruncate(fd, (off_t)size) < 0) abort() ;
  err[0] = 0 ;
  r = rules_load(fd, err, sizeof err) ;
  if (!r) { FUZZ_ASSERT(err[0] && memchr(err, 0, sizeof err)) ; return 0 ; }
  nrules = rules_count(r) ;
  for (uint32_t i = 0 ; i < nrules ; i++)
  {
    struct rules_rec const *x = rules_rule(r, i) ;
    FUZZ_ASSERT(x->scope < RS_N && x->action <= RA_ALLOW) ;
    str(r, x->name, x->namelen) ; str(r, x->reply, x->replylen) ;
    str(r, x->src, x->srclen) ; str(r, x->file, x->filelen) ;
  }
  /* each message as the plugin matches it, then as -t does, with the
     explanations: the same answer */
  for (size_t m = 0 ; m < 2 * (sizeof msgs / sizeof *msgs) ; m++)
  {
    char const *msg = msgs[m / 2] ;
    uint32_t hit = UINT32_MAX ;
    int allowed = -1, v ;
    static int lastv ;
    static uint32_t lasthit ;
    char const *why = 0 ;
    v = rules_match(r, msg, strlen(msg), senders[m / 2], &hit, &allowed, &why, m & 1 ? &explain : 0, 0, err, sizeof err) ;
    FUZZ_ASSERT(v >= -1 && v <= 2 && (v == 2) == !!why) ;
    if (v == 1)
    {
      FUZZ_ASSERT(hit < nrules && !allowed) ;
      str(r, rules_rule(r, hit)->name, rules_rule(r, hit)->namelen) ;
    }
    if (v == 0) FUZZ_ASSERT(allowed == 0 || allowed == 1) ;
    if (v < 0) FUZZ_ASSERT(err[0]) ;
    if (m & 1) FUZZ_ASSERT(v == lastv && (v != 1 || hit == lasthit)) ;
    lastv = v ; lasthit = hit ;
  }
  rules_free(r) ;
  return 0 ;
}
