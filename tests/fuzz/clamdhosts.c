/* tests/fuzz/clamdhosts.c: the CLAMD_HOSTS list as the clamd plugin parses
   it: parse_host on the input, and scan_tcp on it with connect(2) replaced
   by a refusal, so the list loop and the failover run without any packet
   leaving the process. */

#include <errno.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <stdlib.h>

static unsigned int connects ;

/* every host refuses; the address handed over must be a real one */
static int fuzz_connect (int fd, struct sockaddr const *sa, socklen_t len)
{
  (void)fd ;
  if (!((sa->sa_family == AF_INET && len == sizeof(struct sockaddr_in))
     || (sa->sa_family == AF_INET6 && len == sizeof(struct sockaddr_in6)))) abort() ;
  connects++ ;
  errno = ECONNREFUSED ;
  return -1 ;
}
#define connect fuzz_connect

#include "../../plugins/clamd.c"
#include "fuzz.h"

static void labelok (struct host const *h)
{
  struct host again ;
  size_t n = strlen(h->label) ;
  FUZZ_ASSERT(n && n < sizeof h->label) ;
  /* the label reads back as the same address */
  FUZZ_ASSERT(parse_host(h->label, n, &again)) ;
  FUZZ_ASSERT(again.salen == h->salen && !memcmp(&again.sa, &h->sa, h->salen)) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  struct qhpsi_message m = { .fd = -1, .size = 0, .path = "/nonexistent", .timeout_ms = 1000 } ;
  struct qhpsi_result r = { .verdict = QHPSI_CLEAN } ;
  struct host h ;
  char *list ;
  if (size)
  {
    char *copy = malloc(size) ;
    if (!copy) abort() ;
    memcpy(copy, data, size) ;  /* exact size: a read past it is caught */
    if (parse_host(copy, size, &h)) labelok(&h) ;
    free(copy) ;
  }
  list = fuzz_strdup(data, size) ;
  connects = 0 ;
  scan_tcp(&m, list, now_ms() + 1000, &r) ;
  FUZZ_ASSERT(r.verdict == QHPSI_ERROR) ;
  FUZZ_ASSERT(memchr(r.text, 0, sizeof r.text)) ;
  if (!strncmp(r.text, "all ", 4))
  {
    unsigned int n = 0 ;
    FUZZ_ASSERT(sscanf(r.text, "all %u clamd hosts failed", &n) == 1) ;
    FUZZ_ASSERT(n && n <= MAXHOSTS && connects == n) ;
  }
  else FUZZ_ASSERT(!connects) ;
  free(list) ;
  return 0 ;
}
