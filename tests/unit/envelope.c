/* tests/unit/envelope.c: envelope_read against qmail 1.03's rules: the
   stored bytes, the 1002-byte address limit, format errors and EOF at
   every position, each with its exit code. */

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <skalibs/buffer.h>
#include "queue/envelope.h"
#include "queue/qqexit.h"
#include "unit.h"

#define S(lit) (lit), (sizeof(lit) - 1)
/* e holds exactly the bytes of the literal */
#define SAME(e, lit, name) CHECKMEM((e).sa.s, (e).sa.len, (lit), sizeof(lit) - 1, (name))

/* an fd whose reads give exactly in[0..len) and then EOF */
static int memfd (char const *in, size_t len)
{
  int fd = memfd_create("envelope", MFD_CLOEXEC) ;
  if (fd < 0) { perror("memfd_create") ; exit(111) ; }
  if (len && write(fd, in, len) != (ssize_t)len) { perror("write") ; exit(111) ; }
  if (lseek(fd, 0, SEEK_SET) < 0) { perror("lseek") ; exit(111) ; }
  return fd ;
}

/* envelope_read over in; a small buffer so refills happen mid-address.
   *next gets the byte after what was consumed, or -1 at EOF. */
static int parse (char const *in, size_t len, envelope *e, int *next)
{
  char buf[7] ;
  char ch ;
  int fd = memfd(in, len), r ;
  buffer b = BUFFER_INIT(&buffer_read, fd, buf, sizeof buf) ;
  r = envelope_read(&b, e) ;
  if (next) *next = buffer_get(&b, &ch, 1) == 1 ? (unsigned char)ch : -1 ;
  close(fd) ;
  return r ;
}

static int rc (char const *in, size_t len)
{
  envelope e = ENVELOPE_ZERO ;
  int r = parse(in, len, &e, 0) ;
  envelope_free(&e) ;
  return r ;
}

/* "LETTER" then n bytes of c then the NUL, into s; returns the length */
static size_t address (char *s, char letter, size_t n, char c)
{
  s[0] = letter ;
  memset(s + 1, c, n) ;
  s[n + 1] = 0 ;
  return n + 2 ;
}

static void test_valid (void)
{
  envelope e = ENVELOPE_ZERO ;
  int next ;

  CHECK(parse(S("Fa@b\0Tc@d\0Te@f\0Tg\0\0"), &e, &next) == 0, "three recipients: accepted") ;
  SAME(e, "Fa@b\0Tc@d\0Te@f\0Tg\0", "three recipients: stored bytes, final NUL entry not kept") ;
  CHECK(e.nrcpt == 3, "three recipients: nrcpt 3") ;
  CHECK(e.rcptpos == 5, "three recipients: rcptpos after F<sender>\\0") ;
  CHECK(!strcmp(envelope_sender(&e), "a@b"), "three recipients: envelope_sender") ;
  CHECK(next == -1, "three recipients: all input consumed") ;

  CHECK(parse(S("F\0Tpostmaster\0\0"), &e, 0) == 0, "empty sender: accepted") ;
  SAME(e, "F\0Tpostmaster\0", "empty sender: stored bytes") ;
  CHECK(e.nrcpt == 1 && e.rcptpos == 2, "empty sender: nrcpt 1, rcptpos 2") ;
  CHECK(!strcmp(envelope_sender(&e), ""), "empty sender: envelope_sender is empty") ;

  /* qmail 1.03 queues an envelope without recipients */
  CHECK(parse(S("Fa@b\0\0"), &e, 0) == 0, "no recipients: accepted") ;
  SAME(e, "Fa@b\0", "no recipients: stored bytes") ;
  CHECK(e.nrcpt == 0 && e.rcptpos == 5, "no recipients: nrcpt 0, rcptpos at the end") ;

  CHECK(parse(S("F\0\0"), &e, 0) == 0, "empty sender, no recipients: accepted") ;
  SAME(e, "F\0", "empty sender, no recipients: stored bytes") ;
  CHECK(e.nrcpt == 0 && e.rcptpos == 2, "empty sender, no recipients: nrcpt 0, rcptpos 2") ;

  CHECK(parse(S("Fa\0T\0T\0\0"), &e, 0) == 0, "empty recipients: accepted") ;
  SAME(e, "Fa\0T\0T\0", "empty recipients: stored bytes") ;
  CHECK(e.nrcpt == 2 && e.rcptpos == 3, "empty recipients: nrcpt 2") ;

  /* addresses are bytes: nothing inside them is interpreted */
  CHECK(parse(S("FT F\n\xff\0TF\0TT\r\n\0\0"), &e, 0) == 0, "odd bytes in addresses: accepted") ;
  SAME(e, "FT F\n\xff\0TF\0TT\r\n\0", "odd bytes in addresses: kept verbatim") ;
  CHECK(e.nrcpt == 2 && e.rcptpos == 7, "odd bytes in addresses: nrcpt 2, rcptpos 7") ;

  /* as qmail: reading stops at the terminating NUL */
  CHECK(parse(S("Fa\0Tb\0\0Xrest"), &e, &next) == 0, "trailing bytes: accepted") ;
  SAME(e, "Fa\0Tb\0", "trailing bytes: not stored") ;
  CHECK(next == 'X', "trailing bytes: not consumed") ;

  /* the same envelope struct read again starts afresh */
  CHECK(parse(S("Fz\0\0"), &e, 0) == 0, "reuse: accepted") ;
  SAME(e, "Fz\0", "reuse: nothing left from the previous envelope") ;
  CHECK(e.nrcpt == 0 && e.rcptpos == 3, "reuse: counters reset") ;
  envelope_free(&e) ;
}

static void test_many (void)
{
  envelope e = ENVELOPE_ZERO ;
  size_t n = 10000, len = 0, wantlen = 0 ;
  char *in = malloc(n * 16 + 16), *want = malloc(n * 16 + 16) ;
  if (!in || !want) exit(111) ;
  memcpy(in, "Fs@x\0", 5) ; len = 5 ;
  for (size_t i = 0 ; i < n ; i++)
    len += sprintf(in + len, "Tr%zu@x", i) + 1 ;
  memcpy(want, in, len) ; wantlen = len ;
  in[len++] = 0 ;
  CHECK(parse(in, len, &e, 0) == 0, "10000 recipients: accepted") ;
  CHECKMEM(e.sa.s, e.sa.len, want, wantlen, "10000 recipients: stored bytes") ;
  CHECK(e.nrcpt == n && e.rcptpos == 5, "10000 recipients: nrcpt 10000") ;
  envelope_free(&e) ;
  free(in) ; free(want) ;
}

static void test_lengths (void)
{
  static char in[6000] ;
  envelope e = ENVELOPE_ZERO ;
  size_t len ;
  int next ;

  len = address(in, 'F', 1002, 's') ;
  in[len++] = 0 ;
  CHECK(parse(in, len, &e, 0) == 0, "sender of 1002 bytes: accepted") ;
  CHECKMEM(e.sa.s, e.sa.len, in, len - 1, "sender of 1002 bytes: stored whole") ;
  CHECK(e.rcptpos == 1004 && e.nrcpt == 0, "sender of 1002 bytes: rcptpos 1004") ;

  len = address(in, 'F', 1003, 's') ;
  in[len++] = 0 ;
  CHECK(rc(in, len) == QQ_ADDRTOOLONG, "sender of 1003 bytes: 11") ;
  /* qmail gives up after 1003 bytes without a NUL, before reading more */
  CHECK(rc(in, 1004) == QQ_ADDRTOOLONG, "sender of 1003 bytes then EOF: 11") ;
  CHECK(rc(in, 1003) == QQ_READ, "sender of 1002 bytes then EOF: 54") ;
  len = address(in, 'F', 5000, 's') ;
  CHECK(rc(in, len) == QQ_ADDRTOOLONG, "sender of 5000 bytes: 11") ;

  len = address(in, 'F', 3, 's') ;
  len += address(in + len, 'T', 1002, 'r') ;
  len += address(in + len, 'T', 1, 'q') ;
  in[len++] = 0 ;
  CHECK(parse(in, len, &e, &next) == 0, "recipient of 1002 bytes: accepted") ;
  CHECKMEM(e.sa.s, e.sa.len, in, len - 1, "recipient of 1002 bytes: stored whole") ;
  CHECK(e.nrcpt == 2 && e.rcptpos == 5, "recipient of 1002 bytes: nrcpt 2") ;
  CHECK(next == -1, "recipient of 1002 bytes: all input consumed") ;

  len = address(in, 'F', 3, 's') ;
  len += address(in + len, 'T', 1003, 'r') ;
  in[len++] = 0 ;
  CHECK(rc(in, len) == QQ_ADDRTOOLONG, "recipient of 1003 bytes: 11") ;

  len = address(in, 'F', 3, 's') ;
  len += address(in + len, 'T', 4, 'r') ;
  len += address(in + len, 'T', 1003, 'r') ;
  in[len++] = 0 ;
  CHECK(rc(in, len) == QQ_ADDRTOOLONG, "second recipient of 1003 bytes: 11") ;

  len = address(in, 'F', 1002, 's') ;
  len += address(in + len, 'T', 1002, 'r') ;
  len += address(in + len, 'T', 1002, 'q') ;
  in[len++] = 0 ;
  CHECK(parse(in, len, &e, 0) == 0, "all addresses of 1002 bytes: accepted") ;
  CHECKMEM(e.sa.s, e.sa.len, in, len - 1, "all addresses of 1002 bytes: stored whole") ;
  envelope_free(&e) ;
}

static void test_format (void)
{
  CHECK(rc(S("Ta@b\0\0")) == QQ_ENVELOPE, "starts with T: 91") ;
  CHECK(rc(S("fa@b\0\0")) == QQ_ENVELOPE, "lower-case f: 91") ;
  CHECK(rc(S("\0")) == QQ_ENVELOPE, "starts with NUL: 91") ;
  CHECK(rc(S(" Fa@b\0\0")) == QQ_ENVELOPE, "leading blank: 91") ;
  CHECK(rc(S("Fa@b\0Xc@d\0\0")) == QQ_ENVELOPE, "recipient entry X: 91") ;
  CHECK(rc(S("Fa@b\0Fc@d\0\0")) == QQ_ENVELOPE, "recipient entry F: 91") ;
  CHECK(rc(S("Fa@b\0tc@d\0\0")) == QQ_ENVELOPE, "recipient entry lower-case t: 91") ;
  CHECK(rc(S("Fa@b\0Tc@d\0Xe@f\0\0")) == QQ_ENVELOPE, "second recipient entry X: 91") ;
  /* the letter is checked before anything else of the entry is read */
  CHECK(rc(S("Fa@b\0X")) == QQ_ENVELOPE, "recipient entry X then EOF: 91") ;
  CHECK(rc(S("X")) == QQ_ENVELOPE, "X then EOF: 91") ;
}

static void test_eof (void)
{
  static char const full[] = "Fab\0Tcd\0Te\0\0" ;
  size_t len = sizeof full - 1, bad = 0 ;
  static char const *const where[] =
  {
    "empty input", "after F", "mid sender", "later in the sender", "after sender",
    "after T", "mid recipient", "later in the recipient", "after recipient",
    "after second T", "mid second recipient", "before the final NUL"
  } ;
  CHECK(sizeof where / sizeof *where == len, "one name per prefix") ;
  for (size_t i = 0 ; i < len ; i++)
  {
    char name[80] ;
    snprintf(name, sizeof name, "EOF %s (%zu bytes): 54", where[i], i) ;
    CHECK(rc(full, i) == QQ_READ, name) ;
  }
  CHECK(rc(full, len) == 0, "the whole envelope: accepted") ;
  for (size_t i = 0 ; i <= 1005 ; i++)
  {
    static char in[1010] ;
    address(in, 'F', 1003, 'x') ;
    if (rc(in, i) != (i < 1004 ? QQ_READ : QQ_ADDRTOOLONG)) bad++ ;
  }
  CHECK(!bad, "EOF at every position of a long sender: 54") ;
}

static void test_readerror (void)
{
  char buf[16] ;
  envelope e = ENVELOPE_ZERO ;
  int fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
  buffer b = BUFFER_INIT(&buffer_read, fd, buf, sizeof buf) ;
  CHECK(fd >= 0 && envelope_read(&b, &e) == QQ_READ, "read error (a directory): 54") ;
  close(fd) ;
  {
    buffer c = BUFFER_INIT(&buffer_read, fd, buf, sizeof buf) ;
    CHECK(envelope_read(&c, &e) == QQ_READ, "read error (a closed fd): 54") ;
  }
  envelope_free(&e) ;
}

int main (void)
{
  test_valid() ;
  test_many() ;
  test_lengths() ;
  test_format() ;
  test_eof() ;
  test_readerror() ;
  return UNIT_END() ;
}
