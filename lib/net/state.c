/* state.c: the table of scanner hosts that failed recently (state.h).
   A record, 32 bytes, big-endian: version 1, family (1 unix, 4, 6), port,
   failures, 16 bytes of address (a hash of the path for a unix socket),
   time of the last failure, and a check over the 28 bytes before it, so a
   torn or forged-by-accident record reads as empty. All zeros is empty. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "net/state.h"
#include "queue/paths.h"

#define KEYLEN 19 /* family, port, address */
#define FUTURE 60 /* seconds a record may be ahead of our clock */

typedef struct record_s record ;
struct record_s
{
  unsigned char key[KEYLEN] ;
  uint32_t fails ;
  uint32_t when ;
} ;

static char const *const files[2] = { USER_QMAILQ, USER_QSCAND } ;

static uint32_t get32 (unsigned char const *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] ;
}

static void put32 (unsigned char *p, uint32_t v)
{
  p[0] = v >> 24 ; p[1] = v >> 16 ; p[2] = v >> 8 ; p[3] = v ;
}

static uint32_t fnv (unsigned char const *s, size_t len, uint32_t h)
{
  for (size_t i = 0 ; i < len ; i++) h = (h ^ s[i]) * 16777619u ;
  return h ;
}

static void hostkey (net_host const *h, unsigned char *k)
{
  memset(k, 0, KEYLEN) ;
  if (h->sa.ss_family == AF_INET)
  {
    struct sockaddr_in const *sa = (struct sockaddr_in const *)&h->sa ;
    k[0] = 4 ;
    memcpy(k + 1, &sa->sin_port, 2) ;
    memcpy(k + 3, &sa->sin_addr, 4) ;
  }
  else if (h->sa.ss_family == AF_INET6)
  {
    struct sockaddr_in6 const *sa = (struct sockaddr_in6 const *)&h->sa ;
    k[0] = 6 ;
    memcpy(k + 1, &sa->sin6_port, 2) ;
    memcpy(k + 3, &sa->sin6_addr, 16) ;
  }
  else
  {
    char const *p = ((struct sockaddr_un const *)&h->sa)->sun_path ;
    size_t len = strnlen(p, sizeof ((struct sockaddr_un *)0)->sun_path) ;
    k[0] = 1 ;
    for (unsigned int i = 0 ; i < 4 ; i++)
      put32(k + 3 + 4 * i, fnv((unsigned char const *)p, len, 2166136261u + i)) ;
  }
}

/* 1 if rec holds a valid record, decoded into r */
static int decode (unsigned char const *rec, record *r, uint32_t now)
{
  if (rec[0] != 1 || (rec[1] != 1 && rec[1] != 4 && rec[1] != 6)) return 0 ;
  if (get32(rec + 28) != fnv(rec, 28, 2166136261u)) return 0 ;
  r->key[0] = rec[1] ;
  memcpy(r->key + 1, rec + 2, 2) ;
  memcpy(r->key + 3, rec + 8, 16) ;
  r->fails = get32(rec + 4) ;
  r->when = get32(rec + 24) ;
  return r->fails && r->when <= now + FUTURE ;
}

static void encode (unsigned char *rec, record const *r)
{
  rec[0] = 1 ;
  rec[1] = r->key[0] ;
  memcpy(rec + 2, r->key + 1, 2) ;
  put32(rec + 4, r->fails) ;
  memcpy(rec + 8, r->key + 3, 16) ;
  put32(rec + 24, r->when) ;
  put32(rec + 28, fnv(rec, 28, 2166136261u)) ;
}

uint32_t net_state_backoff (uint32_t fails)
{
  uint32_t b = NET_BACKOFF_MIN ;
  if (!fails) return 0 ;
  while (--fails && b < NET_BACKOFF_MAX) b <<= 1 ;
  return b < NET_BACKOFF_MAX ? b : NET_BACKOFF_MAX ;
}

int net_state_sick (net_hoststate const *st, uint32_t now)
{
  return st->fails && now < st->when + (uint64_t)net_state_backoff(st->fails) ;
}

char const *net_state_dir (char *buf, size_t len)
{
  char const *home = getenv("QMAILHOME") ;
  if (getuid() != geteuid() || getgid() != getegid() || !home || home[0] != '/') home = QHPSI_HOME ;
  if ((size_t)snprintf(buf, len, "%s/%s", home, NET_STATE_DIR) >= len) return 0 ;
  return buf ;
}

/* 1 if the file's owner may have written it: ourselves, or its writer
   (looked up once a process) */
static int ownerok (struct stat const *st, char const *name)
{
  static uid_t uid[2] = { (uid_t)-1, (uid_t)-1 } ;
  static int known[2] ;
  int i = name == files[1] ;
  if (st->st_uid == geteuid()) return 1 ;
  if (!known[i]) { uid[i] = paths_uid(name) ; known[i] = 1 ; }
  return st->st_uid == uid[i] ;
}

/* The descriptor of dir/name, open for reading (or writing when rw), when
   the directory is root's (or ours) and the file is a regular file of the
   right size that only its writer can change; -1 with errno otherwise. */
static int openstate (char const *dir, char const *name, int rw, int *mine)
{
  struct stat st ;
  int fd, dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) ;
  if (dfd < 0) return -1 ;
  if (fstat(dfd, &st) < 0) goto derr ;
  if (st.st_mode & 022 || (st.st_uid && st.st_uid != geteuid())) { errno = EPERM ; goto derr ; }
  fd = openat(dfd, name, (rw ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) ;
  close(dfd) ;
  if (fd < 0) return -1 ;
  if (fstat(fd, &st) < 0) goto ferr ;
  errno = EPERM ;
  if (!S_ISREG(st.st_mode) || st.st_mode & 022 || st.st_size != NET_STATE_SIZE) goto ferr ;
  if (rw ? st.st_uid != geteuid() : !ownerok(&st, name)) goto ferr ;
  if (mine) *mine = st.st_uid == geteuid() ;
  return fd ;
 ferr:
  dfd = errno ;
  close(fd) ;
  errno = dfd ;
  return -1 ;
 derr:
  fd = errno ;
  close(dfd) ;
  errno = fd ;
  return -1 ;
}

static int readall (int fd, unsigned char *buf)
{
  ssize_t r = pread(fd, buf, NET_STATE_SIZE, 0) ;
  return r == NET_STATE_SIZE ;
}

/* the file this process writes: of the two, the one it owns (the helper,
   as qscand, owns the other); -1 with errno when it owns neither */
static int openown (char const *dir)
{
  int fd = openstate(dir, files[0], 1, 0) ;
  return fd >= 0 ? fd : openstate(dir, files[1], 1, 0) ;
}

int net_state_merge (unsigned char const *file, size_t len, net_host const *hosts, unsigned int n, net_hoststate *st, int mine, uint32_t now)
{
  unsigned char keys[NET_MAXHOSTS][KEYLEN] ;
  int valid = 0 ;
  if (len != NET_STATE_SIZE) return -1 ;
  if (n > NET_MAXHOSTS) n = NET_MAXHOSTS ;
  for (unsigned int i = 0 ; i < n ; i++) hostkey(hosts + i, keys[i]) ;
  for (size_t off = 0 ; off < len ; off += NET_STATE_RECLEN)
  {
    record r ;
    if (!decode(file + off, &r, now)) continue ;
    valid++ ;
    for (unsigned int i = 0 ; i < n ; i++)
      if (!memcmp(keys[i], r.key, KEYLEN) && (!st[i].fails || r.when > st[i].when || (mine && r.when == st[i].when)))
      {
        st[i].fails = r.fails ;
        st[i].when = r.when ;
        st[i].mine = mine ;
      }
  }
  return valid ;
}

void net_state_read (char const *dir, net_host const *hosts, unsigned int n, net_hoststate *st, uint32_t now)
{
  memset(st, 0, n * sizeof *st) ;
  for (unsigned int f = 0 ; f < 2 ; f++)
  {
    unsigned char buf[NET_STATE_SIZE] ;
    int mine, fd = openstate(dir, files[f], 0, &mine) ;
    if (fd < 0) continue ;
    if (readall(fd, buf)) net_state_merge(buf, sizeof buf, hosts, n, st, mine, now) ;
    close(fd) ;
  }
}

/* the slot for key: its own record, else an empty or forgotten one near
   its hash, else the oldest */
static unsigned int slot (unsigned char const *buf, unsigned char const *key, uint32_t now, int *found)
{
  unsigned int start = fnv(key, KEYLEN, 2166136261u) % NET_STATE_RECORDS, free = NET_STATE_RECORDS, oldest = start ;
  uint32_t oldwhen = UINT32_MAX ;
  *found = 0 ;
  for (unsigned int j = 0 ; j < NET_STATE_RECORDS ; j++)
  {
    unsigned int i = (start + j) % NET_STATE_RECORDS ;
    record r ;
    if (!decode(buf + i * NET_STATE_RECLEN, &r, now)
     || now >= r.when + 2 * (uint64_t)NET_BACKOFF_MAX)
    {
      if (free == NET_STATE_RECORDS) free = i ;
      continue ;
    }
    if (!memcmp(r.key, key, KEYLEN)) { *found = 1 ; return i ; }
    if (r.when < oldwhen) { oldwhen = r.when ; oldest = i ; }
  }
  return free < NET_STATE_RECORDS ? free : oldest ;
}

int net_state_mark (char const *dir, net_host const *h, int failed, uint32_t now)
{
  unsigned char buf[NET_STATE_SIZE], rec[NET_STATE_RECLEN] ;
  record r ;
  unsigned int i ;
  int found, ok = 1 ;
  int fd = openown(dir) ;
  if (fd < 0) return 0 ;
  if (!readall(fd, buf)) { close(fd) ; errno = EIO ; return 0 ; }
  hostkey(h, r.key) ;
  i = slot(buf, r.key, now, &found) ;
  memset(rec, 0, sizeof rec) ;
  if (failed)
  {
    record old ;
    r.fails = 1 ;
    r.when = now ;
    if (found && decode(buf + i * NET_STATE_RECLEN, &old, now))
    {
      net_hoststate s = { .fails = old.fails, .when = old.when, .mine = 1 } ;
      /* another process saw the same failure: one back-off, not two; a
         failed probe after the back-off doubles it */
      if (net_state_sick(&s, now)) { close(fd) ; return 1 ; }
      r.fails = old.fails < 32 ? old.fails + 1 : old.fails ;
    }
    encode(rec, &r) ;
  }
  /* one record in one write: readers see it whole or check it out */
  if (failed || found)
    if (pwrite(fd, rec, sizeof rec, (off_t)i * NET_STATE_RECLEN) != (ssize_t)sizeof rec) ok = 0 ;
  /* answered: a damaged table may hold the host twice; every copy goes */
  for (unsigned int j = 0 ; !failed && found && ok && j < NET_STATE_RECORDS ; j++)
  {
    record o ;
    if (j != i && decode(buf + j * NET_STATE_RECLEN, &o, now) && !memcmp(o.key, r.key, KEYLEN)
     && pwrite(fd, rec, sizeof rec, (off_t)j * NET_STATE_RECLEN) != (ssize_t)sizeof rec) ok = 0 ;
  }
  if (close(fd) < 0) ok = 0 ;
  return ok ;
}

static int line (stralloc *out, char const *what, record const *r, uint32_t now)
{
  char buf[NET_LABELLEN + 160] ;
  net_hoststate s = { .fails = r->fails, .when = r->when } ;
  uint32_t ago = now > r->when ? now - r->when : 0 ;
  uint32_t left = net_state_sick(&s, now) ? r->when + net_state_backoff(r->fails) - now : 0 ;
  if (!r->fails) snprintf(buf, sizeof buf, "%s: ok\n", what) ;
  else if (!left) snprintf(buf, sizeof buf, "%s: failed %u time(s) in a row, the last %u s ago; tried again\n",
    what, (unsigned int)r->fails, (unsigned int)ago) ;
  else snprintf(buf, sizeof buf, "%s: failed %u time(s) in a row, the last %u s ago; left alone for %u s more\n",
    what, (unsigned int)r->fails, (unsigned int)ago, (unsigned int)left) ;
  return stralloc_cats(out, buf) ;
}

/* a record's host as a label, for records of hosts not in the list */
static void keylabel (unsigned char const *k, char *buf, size_t len)
{
  char a[INET6_ADDRSTRLEN] ;
  unsigned int port = (unsigned int)k[1] << 8 | k[2] ;
  if (k[0] == 4 && inet_ntop(AF_INET, k + 3, a, sizeof a)) snprintf(buf, len, "%s:%u", a, port) ;
  else if (k[0] == 6 && inet_ntop(AF_INET6, k + 3, a, sizeof a)) snprintf(buf, len, "[%s]:%u", a, port) ;
  else snprintf(buf, len, "a unix socket") ;
}

int net_state_show (char const *dir, net_host const *hosts, unsigned int n, uint32_t now, stralloc *out)
{
  unsigned char keys[NET_MAXHOSTS][KEYLEN] ;
  net_hoststate st[NET_MAXHOSTS] ;
  char what[NET_LABELLEN + 64] ;
  if (n > NET_MAXHOSTS) n = NET_MAXHOSTS ;
  net_state_read(dir, hosts, n, st, now) ;
  for (unsigned int i = 0 ; i < n ; i++)
  {
    record r = { .fails = st[i].fails, .when = st[i].when } ;
    hostkey(hosts + i, keys[i]) ;
    snprintf(what, sizeof what, "host %s", hosts[i].label) ;
    if (!line(out, what, &r, now)) return 0 ;
  }
  for (unsigned int f = 0 ; f < 2 ; f++)
  {
    unsigned char buf[NET_STATE_SIZE] ;
    char fl[80] ;
    int valid = 0, fd = openstate(dir, files[f], 0, 0) ;
    if (fd >= 0 && readall(fd, buf))
      for (size_t off = 0 ; off < sizeof buf ; off += NET_STATE_RECLEN)
      {
        record r ;
        unsigned int i = 0 ;
        char label[NET_LABELLEN] ;
        if (!decode(buf + off, &r, now)) continue ;
        valid++ ;
        while (i < n && memcmp(keys[i], r.key, KEYLEN)) i++ ;
        if (i < n) continue ;
        keylabel(r.key, label, sizeof label) ;
        snprintf(what, sizeof what, "record %s (not in the list, file %s)", label, files[f]) ;
        if (!line(out, what, &r, now)) { close(fd) ; return 0 ; }
      }
    if (fd < 0) snprintf(fl, sizeof fl, ": not used: %s\n", strerror(errno)) ;
    else snprintf(fl, sizeof fl, ": %d record%s\n", valid, valid == 1 ? "" : "s") ;
    if (fd >= 0) close(fd) ;
    if (!stralloc_cats(out, "file ") || !stralloc_cats(out, dir) || !stralloc_catb(out, "/", 1)
     || !stralloc_cats(out, files[f]) || !stralloc_cats(out, fl)) return 0 ;
  }
  return 1 ;
}
