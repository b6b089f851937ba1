/* tests/fuzz/clamdhosts.c: a scanner host list as the network module
   (lib/net/) parses it for the clamd plugin: net_host_parse on the input,
   and the plugin's whole pool loop on it with connect(2) replaced by a
   refusal, so the list, the order and the failover run without any
   packet leaving the process. */

#include <errno.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <stdlib.h>

static unsigned int connects ;

/* every host refuses; the address handed over must be a real one */
static int fuzz_connect (int fd, struct sockaddr const *sa, socklen_t len)
{
  (void)fd ;
  if (!((sa->sa_family == AF_INET && len == sizeof(struct sockaddr_in))
     || (sa->sa_family == AF_INET6 && len == sizeof(struct sockaddr_in6))
     || (sa->sa_family == AF_UNIX && len == sizeof(struct sockaddr_un)))) abort() ;
  connects++ ;
  errno = ECONNREFUSED ;
  return -1 ;
}
#define connect fuzz_connect
#include "../../lib/net/conn.c"
#undef connect

#include "../../plugins/clamd.c"
#include "fuzz.h"

static void labelok (net_host const *h)
{
  net_host again ;
  size_t n = strlen(h->label) ;
  FUZZ_ASSERT(n && n < sizeof h->label) ;
  for (size_t i = 0 ; i < n ; i++) FUZZ_ASSERT(h->label[i] > ' ' && h->label[i] <= '~') ;
  /* the label reads back as the same address */
  FUZZ_ASSERT(net_host_parse(h->label, n, CLAMD_PORT_DEFAULT, &again)) ;
  FUZZ_ASSERT(again.salen == h->salen && !memcmp(&again.sa, &h->sa, h->salen)) ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  struct qhpsi_message m = { .fd = -1, .size = 0, .path = "/nonexistent", .timeout_ms = 1000 } ;
  struct qhpsi_result r = { .verdict = QHPSI_CLEAN } ;
  net_host h ;
  char *list ;
  /* no state directory: nothing of one run may change the next */
  setenv("QMAILHOME", "/nonexistent/qhpsi-fuzz", 1) ;
  if (size)
  {
    char *copy = malloc(size) ;
    if (!copy) abort() ;
    memcpy(copy, data, size) ;  /* exact size: a read past it is caught */
    if (net_host_parse(copy, size, CLAMD_PORT_DEFAULT, &h)) labelok(&h) ;
    free(copy) ;
  }
  list = fuzz_strdup(data, size) ;
  connects = 0 ;
  ask(&m, "CLAMD_HOSTS", list, net_now_ms() + 1000, &r) ;
  FUZZ_ASSERT(r.verdict == QHPSI_ERROR) ;
  FUZZ_ASSERT(!(r.flags & QHPSI_RESULT_SERVER)) ;
  FUZZ_ASSERT(memchr(r.text, 0, sizeof r.text)) ;
  for (char const *p = r.text ; *p ; p++) FUZZ_ASSERT(*p >= ' ' && *p <= '~') ;
  if (!strncmp(r.text, "all ", 4))
  {
    unsigned int n = 0 ;
    FUZZ_ASSERT(sscanf(r.text, "all %u clamd hosts failed", &n) == 1) ;
    FUZZ_ASSERT(n > 1 && n <= NET_MAXHOSTS && connects == n) ;
  }
  else if (!strncmp(r.text, "clamd ", 6)) FUZZ_ASSERT(connects == 1) ;
  else FUZZ_ASSERT(!connects && !strncmp(r.text, "CLAMD_HOSTS: ", 13)) ;
  free(list) ;
  return 0 ;
}
