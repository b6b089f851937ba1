/* seal.c: the X-QHPSI-Seal line and the self-test token: HMAC-SHA256
   (RFC 2104) with skalibs' SHA-256, keyed with control/qhpsikey. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>

#include <skalibs/sha256.h>
#include <skalibs/stralloc.h>
#include <skalibs/types.h>

#include "scan/seal.h"

static char const sealhead[] = "X-QHPSI-Seal: 1 " ;
#define SEALHEADLEN (sizeof sealhead - 1)

int seal_loadkey (char const *fn, seal_key *k, int anyowner)
{
  struct stat st ;
  ssize_t r ;
  int fd = open(fn, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), e ;
  k->len = 0 ;
  if (fd < 0) return 0 ;
  if (fstat(fd, &st) < 0) goto err ;
  /* a key others could read would let them seal their own verdicts */
  if (!S_ISREG(st.st_mode) || (!anyowner && st.st_uid != geteuid()) || (st.st_mode & 077)) { errno = EPERM ; goto err ; }
  if (st.st_size < SEAL_KEYMIN || st.st_size > SEAL_KEYMAX) { errno = EINVAL ; goto err ; }
  r = read(fd, k->k, SEAL_KEYMAX) ;
  if (r < SEAL_KEYMIN) { if (r >= 0) errno = EINVAL ; goto err ; }
  k->len = r ;
  close(fd) ;
  return 1 ;
 err:
  e = errno ;
  close(fd) ;
  k->len = 0 ;
  errno = e ;
  return 0 ;
}

/* HMAC in two halves, so that a message can be fed in pieces */
static void hmac_begin (SHA256Schedule *c, seal_key const *k)
{
  unsigned char pad[64] ;
  memset(pad, 0x36, sizeof pad) ;
  for (size_t i = 0 ; i < k->len ; i++) pad[i] ^= k->k[i] ;
  sha256_init(c) ;
  sha256_update(c, (char *)pad, sizeof pad) ;
}

static void hmac_end (SHA256Schedule *c, seal_key const *k, unsigned char *mac)
{
  unsigned char pad[64], inner[32] ;
  sha256_final(c, (char *)inner) ;
  memset(pad, 0x5c, sizeof pad) ;
  for (size_t i = 0 ; i < k->len ; i++) pad[i] ^= k->k[i] ;
  sha256_init(c) ;
  sha256_update(c, (char *)pad, sizeof pad) ;
  sha256_update(c, (char *)inner, sizeof inner) ;
  sha256_final(c, (char *)mac) ;
}

void seal_hmac (seal_key const *k, char const *s, size_t len, unsigned char *mac)
{
  SHA256Schedule c ;
  hmac_begin(&c, k) ;
  sha256_update(&c, s, len) ;
  hmac_end(&c, k, mac) ;
}

/* SHA-256 of fd from off to len */
static int digest (int fd, uint64_t off, uint64_t len, unsigned char *d)
{
  SHA256Schedule c ;
  char buf[65536] ;
  sha256_init(&c) ;
  while (off < len)
  {
    size_t n = len - off < sizeof buf ? len - off : sizeof buf ;
    ssize_t r = pread(fd, buf, n, off) ;
    if (r < 0) return 0 ;
    if (!r) { errno = EPIPE ; return 0 ; }
    sha256_update(&c, buf, r) ;
    off += r ;
  }
  sha256_final(&c, (char *)d) ;
  return 1 ;
}

static void tohex (char *out, unsigned char const *mac)
{
  static char const hex[] = "0123456789abcdef" ;
  for (unsigned int i = 0 ; i < 32 ; i++) { out[2*i] = hex[mac[i] >> 4] ; out[2*i+1] = hex[mac[i] & 15] ; }
}

/* the sealed bytes: a label, the block, the seal line up to its MAC, and
   the digest of what follows */
static void sealmac (seal_key const *k, char const *block, size_t blocklen, char const *line, size_t linelen,
  unsigned char const *d, unsigned char *mac)
{
  SHA256Schedule c ;
  hmac_begin(&c, k) ;
  sha256_update(&c, "qhpsi-seal-1\n", 13) ;
  sha256_update(&c, block, blocklen) ;
  sha256_update(&c, line, linelen) ;
  sha256_update(&c, (char const *)d, 32) ;
  hmac_end(&c, k, mac) ;
}

int seal_make (seal_key const *k, stralloc *hdr, char const *verdict, time_t now, int fd, uint64_t len)
{
  unsigned char d[32], mac[32] ;
  char line[SEALHEADLEN + 16 + UINT64_FMT + 2], hex[64] ;
  size_t n = SEALHEADLEN, vl = strlen(verdict) ;
  if (vl >= 16) { errno = EINVAL ; return 0 ; }
  if (!digest(fd, 0, len, d)) return 0 ;
  memcpy(line, sealhead, n) ;
  memcpy(line + n, verdict, vl) ; n += vl ;
  line[n++] = ' ' ;
  n += uint64_fmt(line + n, (uint64_t)now) ;
  line[n++] = ' ' ;
  sealmac(k, hdr->s, hdr->len, line, n, d, mac) ;
  tohex(hex, mac) ;
  return stralloc_catb(hdr, line, n) && stralloc_catb(hdr, hex, 64) && stralloc_catb(hdr, "\n", 1) ;
}

/* constant time: how much of a MAC matched must not show in the timing */
static int samemac (unsigned char const *a, char const *hex)
{
  char h[64] ;
  unsigned char diff = 0 ;
  tohex(h, a) ;
  for (unsigned int i = 0 ; i < 64 ; i++) diff |= h[i] ^ hex[i] ;
  return !diff ;
}

static size_t linelen (char const *s, size_t len)
{
  char const *nl = memchr(s, '\n', len) ;
  return nl ? (size_t)(nl - s) + 1 : 0 ;
}

/* at most maxage old, and at most five minutes ahead (a clock set back):
   now - t alone would wrap for those */
static int fresh (uint64_t t, time_t now, uint64_t maxage)
{
  return t <= (uint64_t)now + 300 && (t >= (uint64_t)now || (uint64_t)now - t <= maxage) ;
}

/* the seal line at s (len bytes to the end of the buffer): its verdict,
   time and MAC; the length of the part the MAC covers in *head */
static int parseline (char const *s, size_t len, seal_found *f, uint64_t *t, size_t *head)
{
  size_t n = linelen(s, len), i = SEALHEADLEN, v ;
  if (!n || n < SEALHEADLEN + 68) return 0 ;
  for (v = 0 ; i < n && s[i] >= 'a' && s[i] <= 'z' && v < sizeof f->verdict - 1 ; i++) f->verdict[v++] = s[i] ;
  f->verdict[v] = 0 ;
  if (!v || s[i++] != ' ') return 0 ;
  v = uint64_scan(s + i, t) ;
  if (!v || s[i + v] != ' ') return 0 ;
  i += v + 1 ;
  *head = i ;
  if (n != i + 65) return 0 ;
  for (; i < n - 1 ; i++) if (!strchr("0123456789abcdef", s[i])) return 0 ;
  return 1 ;
}

/* the first SEAL_HEADMAX bytes of fd into a new buffer; 0 on error */
static char *readhead (int fd, uint64_t len, size_t *n)
{
  char *buf = malloc(SEAL_HEADMAX) ;
  *n = 0 ;
  if (!buf) return 0 ;
  while (*n < SEAL_HEADMAX && *n < len)
  {
    ssize_t r = pread(fd, buf + *n, SEAL_HEADMAX - *n, *n) ;
    if (r < 0) { int e = errno ; free(buf) ; errno = e ; return 0 ; }
    if (!r) break ;
    *n += r ;
  }
  return buf ;
}

int seal_check (seal_key const *k, int fd, uint64_t len, time_t now, seal_found *f)
{
  static char const dt[] = "Delivered-To:" ;
  unsigned char d[32], mac[32] ;
  char *buf, *s ;
  size_t n, pos, b, head, l ;
  uint64_t t ;
  int ok = 0 ;
  errno = 0 ;
  if (!k->len) return 0 ;
  buf = readhead(fd, len, &n) ;
  if (!buf) return 0 ;
  /* our own Received line, then the Delivered-To lines of deliveries */
  pos = linelen(buf, n) ;
  if (!pos) goto none ;
  while (n - pos > sizeof dt && !memcmp(buf + pos, dt, sizeof dt - 1))
  {
    l = linelen(buf + pos, n - pos) ;
    if (!l) goto none ;
    pos += l ;
    if (pos < n && (buf[pos] == ' ' || buf[pos] == '\t')) goto none ;
  }
  b = pos ;
  if (n - b < 9 || memcmp(buf + b, "X-QHPSI: ", 9)) goto none ;
  s = memmem(buf + b, n - b, "\nX-QHPSI-Seal: ", 15) ;
  if (!s) goto none ;
  s++ ;
  if (memmem(buf + b, s - buf - b, "\n\n", 2)) goto none ;
  if (!parseline(s, n - (s - buf), f, &t, &head)) goto none ;
  if (!fresh(t, now, SEAL_MAXAGE)) goto none ;
  l = linelen(buf + b, n - b) ;
  if (l >= sizeof f->line) goto none ;
  if (!digest(fd, (s - buf) + head + 65, len, d)) goto end ;
  sealmac(k, buf + b, s - buf - b, s, head, d, mac) ;
  if (!samemac(mac, s + head)) goto none ;
  memcpy(f->line, buf + b, l) ;
  f->line[l] = 0 ;
  f->linelen = l ;
  f->when = t ;
  ok = 1 ;
 none:
  errno = 0 ;
 end:
  {
    int e = errno ;
    free(buf) ;
    errno = e ;
  }
  return ok ;
}

static int idok (char const *id, size_t n)
{
  return n && n < 40 && strspn(id, "0123456789.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") >= n ;
}

static void tokenmac (seal_key const *k, char const *id, size_t n, unsigned char *mac)
{
  SHA256Schedule c ;
  hmac_begin(&c, k) ;
  sha256_update(&c, "qhpsi-selftest-1\n", 17) ;
  sha256_update(&c, id, n) ;
  hmac_end(&c, k, mac) ;
}

int seal_selftest_token (seal_key const *k, char const *id, char *out, size_t max)
{
  unsigned char mac[32] ;
  size_t n = strlen(id) ;
  if (!k->len || !idok(id, n) || max < n + 66) return 0 ;
  tokenmac(k, id, n, mac) ;
  memcpy(out, id, n) ;
  out[n] = ' ' ;
  tohex(out + n + 1, mac) ;
  out[n + 65] = 0 ;
  return 1 ;
}

int seal_selftest (seal_key const *k, int fd, uint64_t len, time_t now)
{
  static char const name[] = "X-QHPSI-Selftest:" ;
  size_t pos = 0, n ;
  char *head ;
  int ok = 0 ;
  if (!k->len || !(head = readhead(fd, len, &n))) return 0 ;
  while (!ok && pos < n && head[pos] != '\n' && head[pos] != '\r')
  {
    size_t l = linelen(head + pos, n - pos), i, id ;
    char const *s = head + pos ;
    unsigned char mac[32] ;
    uint64_t t ;
    if (!l) break ;
    pos += l ;
    if (l < sizeof name || strncasecmp(s, name, sizeof name - 1)) continue ;
    for (i = sizeof name - 1 ; i < l && (s[i] == ' ' || s[i] == '\t') ; i++) ;
    id = i ;
    while (i < l && s[i] != ' ') i++ ;
    if (!idok(s + id, i - id) || l - i < 66 || (s[i + 65] != '\n' && s[i + 65] != '\r')) continue ;
    if (uint64_scan(s + id, &t) == 0 || !fresh(t, now, 3600)) continue ;
    tokenmac(k, s + id, i - id, mac) ;
    ok = samemac(mac, s + i + 1) ;
  }
  free(head) ;
  return ok ;
}
