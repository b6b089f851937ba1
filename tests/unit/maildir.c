/* tests/unit/maildir.c: the X-QHPSI header test (whole and byte by byte,
   from files and pipes) and Maildir delivery (names, bytes, mode, failures). */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <skalibs/stralloc.h>
#include "quarantine/maildir.h"
#include "unit.h"

/* the verdict when the message arrives one byte at a time */
static int tagged_bytewise (char const *s, size_t len)
{
  headerscan h = HEADERSCAN_ZERO ;
  size_t i = 0 ;
  int r = -1 ;
  for (; i < len ; i++) r = headerscan_feed(&h, s + i, 1) ;
  return r == 1 ;
}

#define TAG(s, want, name) do { \
  CHECK(header_tagged_virus((s), sizeof(s) - 1) == (want), name) ; \
  CHECK(tagged_bytewise((s), sizeof(s) - 1) == (want), name " (byte by byte)") ; \
} while (0)

static void test_header (void)
{
  TAG("X-QHPSI: virus found (Eicar-Signature)\nReceived: x\n\nbody\n", 1, "tagged first line") ;
  TAG("X-QHPSI: virus found\n\n", 1, "tagged without a name") ;
  TAG("X-QHPSI: rule matched (klez)\nReceived: x\n\nbody\n", 1, "a rule's match is tagged too") ;
  TAG("X-QHPSI:  Rule\n  Matched (x)\n\n", 1, "a rule's match, folded, any case") ;
  TAG("X-QHPSI: rule found (x)\n\n", 0, "neither value") ;
  TAG("X-QHPSI: virus matched (x)\n\n", 0, "half of each is neither") ;
  TAG("X-QHPSI: released (1.2.3.4)\nX-QHPSI-Seal: 1 released 1 ab\n\n", 0, "released is not tagged") ;
  TAG("X-QHPSI: rule\0matched (x)\n\n", 0, "a NUL is no blank") ;
  TAG("x-qhpsi: Virus FOUND (x)\n\n", 1, "name and value in any case") ;
  TAG("Delivered-To: u@x\nReturn-Path: <a@b>\nX-QHPSI: virus found (x)\nReceived: x\n\nbody\n", 1, "tagged after qmail-local's fields") ;
  /* only the fields above the first Received: count (a sender's own lines
     are always below qmail-queue's Received line) */
  TAG("Received: by x\nSubject: s\nX-QHPSI: virus found (x)\n\nbody\n", 0, "below Received: forged") ;
  TAG("X-QHPSI: clean\nReceived: (qmail 1 invoked from network)\nX-QHPSI: virus found (x)\n\n", 0, "forged below ours") ;
  TAG("RECEIVED : by x\nX-QHPSI: virus found (x)\n\n", 0, "Received in any case, blank before the colon") ;
  TAG("Received-SPF: pass\nX-QHPSI: virus found (x)\n\n", 1, "Received-SPF is another field") ;
  TAG("Received\0: x\nX-QHPSI: virus found (x)\n\n", 1, "a NUL after Received is another field") ;
  TAG("X-QHPSI\0: virus found (x)\n\n", 0, "a NUL after X-QHPSI is another field") ;
  TAG("Receive: x\nX-QHPSI: virus found (x)\n\n", 1, "a prefix of Received is another field") ;
  TAG("X-QHPSI-Old: virus found\nX-QHPSI: clean\nReceived: x\n\n", 0, "X-QHPSI-Old is another field") ;
  TAG("X-QHPSI: virus found (x)\r\nReceived: x\r\n\r\n", 1, "CRLF, ours above Received") ;
  TAG("Received: x\r\nX-QHPSI: virus found (x)\r\n\r\n", 0, "CRLF, forged below Received") ;
  TAG("X-QHPSI: clean\nSubject: s\n\nbody\n", 0, "clean") ;
  TAG("X-QHPSI: not scanned\n\n", 0, "not scanned") ;
  TAG("Subject: s\n\nbody\n", 0, "no X-QHPSI field") ;
  TAG("", 0, "empty message") ;
  TAG("\nX-QHPSI: virus found\n", 0, "empty header, tag in the body") ;
  TAG("Subject: s\n\nX-QHPSI: virus found (x)\n", 0, "tag in the body only") ;
  TAG("X-QHPSI: clean\n\nX-QHPSI: virus found (x)\n", 0, "clean header, tag in the body") ;
  TAG("X-QHPSI: clean\nX-QHPSI: virus found (x)\n\n", 1, "second X-QHPSI field") ;

  TAG("X-QHPSI:\n virus found (x)\n\n", 1, "folded before the value") ;
  TAG("X-QHPSI: virus\n\tfound (x)\n\n", 1, "folded inside the value") ;
  TAG("X-QHPSI: virus \n  found\n\n", 1, "folded after the blank") ;
  TAG("X-QHPSI: vir\n us found\n\n", 0, "fold splitting a word leaves a blank") ;
  TAG("X-QHPSI: clean\n virus found\n\n", 0, "continuation of a clean value") ;
  TAG("Subject: hello\n X-QHPSI: virus found\n\n", 0, "continuation line of another field") ;
  TAG("Subject: a\nX-QHPSI: virus\nfound: x\n\n", 0, "next field is no continuation") ;

  TAG("X-QHPSI:   virus \t found\n\n", 1, "runs of blanks") ;
  TAG("X-QHPSI : virus found\n\n", 1, "blank before the colon") ;
  TAG("X-QHPSI: virus foundry\n\n", 1, "prefix match, as the design says") ;
  TAG("X-QHPSI: virusfound\n\n", 0, "no blank") ;
  TAG("X-QHPSI: a virus found\n\n", 0, "value must start with it") ;
  TAG("X-QHPSI: virus\0found\n\n", 0, "NUL is no blank") ;
  TAG("X-QHPSI-Old: virus found\n\n", 0, "longer field name") ;
  TAG("XX-QHPSI: virus found\n\n", 0, "longer field name in front") ;
  TAG("X-QHPSI virus found\n\n", 0, "no colon") ;
  TAG("X-QHPSI: virus foun", 0, "cut short") ;

  TAG("X-QHPSI: virus found", 1, "header ends at EOF without newline") ;
  TAG("Subject: s\nX-QHPSI: virus found (x)\n", 1, "header ends at EOF") ;
  TAG("Subject: s\nX-QHPSI: clean", 0, "clean header ends at EOF") ;

  TAG("Subject: s\r\nX-QHPSI: virus found (x)\r\n\r\nbody\r\n", 1, "CRLF tagged") ;
  TAG("Subject: s\r\n\r\nX-QHPSI: virus found (x)\r\n", 0, "CRLF, tag in the body") ;
  TAG("X-QHPSI:\r\n virus found\r\n\r\n", 1, "CRLF fold") ;
  TAG("X-QHPSI: virus\r found\r\n\r\n", 0, "bare CR is no line end") ;

  {
    headerscan h = HEADERSCAN_ZERO ;
    CHECK(headerscan_feed(&h, "X-QHPSI: virus", 14) == -1, "undecided mid-value") ;
    CHECK(headerscan_feed(&h, " found", 6) == 1, "decided at the end of the pattern") ;
    CHECK(headerscan_feed(&h, "\n\n", 2) == 1, "decision sticks") ;
  }
  {
    headerscan h = HEADERSCAN_ZERO ;
    CHECK(headerscan_feed(&h, "A: b\n", 5) == -1, "undecided in the header") ;
    CHECK(headerscan_feed(&h, "\nX-QHPSI: virus found\n", 22) == 0, "decided clean at the empty line") ;
    CHECK(headerscan_feed(&h, "X-QHPSI: virus found\n", 21) == 0, "clean decision sticks") ;
  }
}

static char tmpdir[] = "/tmp/qhpsi-unit-maildir.XXXXXX" ;

static int entries (char const *path)
{
  DIR *d = opendir(path) ;
  struct dirent *e ;
  int n = 0 ;
  if (!d) return -1 ;
  while ((e = readdir(d))) if (e->d_name[0] != '.') n++ ;
  closedir(d) ;
  return n ;
}

static int file_with (char const *path, char const *s, size_t len)
{
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600) ;
  if (fd < 0) return -1 ;
  if (write(fd, s, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET) < 0) { close(fd) ; return -1 ; }
  return fd ;
}

static int slurp (stralloc *sa, char const *path)
{
  char buf[4096] ;
  int fd = open(path, O_RDONLY) ;
  ssize_t n ;
  sa->len = 0 ;
  if (fd < 0) return 0 ;
  while ((n = read(fd, buf, sizeof buf)) > 0) if (!stralloc_catb(sa, buf, n)) break ;
  close(fd) ;
  return n == 0 ;
}

static void test_read (void)
{
  static char const tagged[] = "X-QHPSI: virus found (x)\nSubject: s\n\nbody\n" ;
  static char const clean[] = "Subject: s\n\nX-QHPSI: virus found\n" ;
  stralloc head = STRALLOC_ZERO ;
  char path[64] ;
  char rest[128] ;
  int t = -1, fd, p[2] ;

  memcpy(path, tmpdir, sizeof tmpdir - 1) ;
  memcpy(path + sizeof tmpdir - 1, "/msg", 5) ;
  fd = file_with(path, tagged, sizeof tagged - 1) ;
  CHECK(fd >= 0, "message file") ;
  CHECK(message_tagged_virus(fd, &head, &t) && t == 1, "file: tagged") ;
  CHECK(head.len == 0, "file: nothing kept in memory") ;
  CHECK(lseek(fd, 0, SEEK_CUR) == 0, "file: put back at its start") ;
  close(fd) ;

  fd = file_with(path, clean, sizeof clean - 1) ;
  CHECK(lseek(fd, 12, SEEK_SET) == 12, "file: offset 12") ;
  CHECK(message_tagged_virus(fd, &head, &t) && t == 1, "file: read from its offset (tag now in the header)") ;
  CHECK(lseek(fd, 0, SEEK_CUR) == 12, "file: put back at offset 12") ;
  CHECK(lseek(fd, 0, SEEK_SET) == 0 && message_tagged_virus(fd, &head, &t) && t == 0, "file: clean from the start") ;
  close(fd) ;

  CHECK(pipe(p) == 0 && write(p[1], tagged, sizeof tagged - 1) == sizeof tagged - 1, "pipe") ;
  close(p[1]) ;
  CHECK(message_tagged_virus(p[0], &head, &t) && t == 1, "pipe: tagged") ;
  {
    ssize_t n = read(p[0], rest, sizeof rest) ;
    CHECK(n >= 0 && head.len + n == sizeof tagged - 1, "pipe: kept bytes and the rest add up") ;
    if (n >= 0 && !stralloc_catb(&head, rest, n)) n = -1 ;
    CHECKMEM(head.s, head.len, tagged, sizeof tagged - 1, "pipe: kept bytes are the message start") ;
  }
  close(p[0]) ;

  head.len = 0 ;
  CHECK(pipe(p) == 0 && write(p[1], clean, sizeof clean - 1) == sizeof clean - 1, "pipe 2") ;
  close(p[1]) ;
  CHECK(message_tagged_virus(p[0], &head, &t) && t == 0, "pipe: clean") ;
  close(p[0]) ;

  CHECK(!message_tagged_virus(-1, &head, &t) && errno == EBADF, "bad fd fails with errno") ;
  unlink(path) ;
  stralloc_free(&head) ;
}

static void mkfolder (stralloc *sa, char const *name, int withcur)
{
  static char const *const subs[3] = { "/tmp", "/new", "/cur" } ;
  size_t len ;
  unsigned int i = 0 ;
  sa->len = 0 ;
  if (!stralloc_cats(sa, tmpdir) || !stralloc_cats(sa, "/") || !stralloc_cats(sa, name) || !stralloc_0(sa)) exit(111) ;
  if (mkdir(sa->s, 0700) < 0) exit(111) ;
  len = --sa->len ;
  for (; i < 3u - !withcur ; i++)
  {
    sa->len = len ;
    if (!stralloc_cats(sa, subs[i]) || !stralloc_0(sa) || mkdir(sa->s, 0700) < 0) exit(111) ;
  }
  sa->len = len ;
  if (!stralloc_0(sa)) exit(111) ;
}

static void path_in (stralloc *sa, char const *dir, char const *sub, char const *name)
{
  sa->len = 0 ;
  if (!stralloc_cats(sa, dir) || !stralloc_cats(sa, sub) || !stralloc_cats(sa, name) || !stralloc_0(sa)) exit(111) ;
}

/* sec.MusecPpidQn.host */
static int name_ok (char const *s)
{
  char want[64] ;
  char const *p = s ;
  if (*p < '0' || *p > '9') return 0 ;
  while (*p >= '0' && *p <= '9') p++ ;
  if (strncmp(p, ".M", 2)) return 0 ;
  p += 2 ;
  if (*p < '0' || *p > '9') return 0 ;
  while (*p >= '0' && *p <= '9') p++ ;
  snprintf(want, sizeof want, "P%dQ", (int)getpid()) ;
  if (strncmp(p, want, strlen(want))) return 0 ;
  p += strlen(want) ;
  while (*p >= '0' && *p <= '9') p++ ;
  return *p == '.' && p[1] && !strchr(p, '/') && !strchr(p, ':') ;
}

static void test_deliver (void)
{
  static char const msg[] = "X-QHPSI: virus found (x)\nSubject: s\n\nbody\n" ;
  static char const rp[] = "Return-Path: <a@b.example>\n" ;
  static char const dt[] = "Delivered-To: u@h.example\n" ;
  char const *prefix[3] = { rp, dt, 0 } ;
  stralloc dir = STRALLOC_ZERO, name = STRALLOC_ZERO, name2 = STRALLOC_ZERO, p = STRALLOC_ZERO, got = STRALLOC_ZERO, want = STRALLOC_ZERO ;
  struct stat st ;
  char path[64] ;
  int fd ;

  memcpy(path, tmpdir, sizeof tmpdir - 1) ;
  memcpy(path + sizeof tmpdir - 1, "/msg", 5) ;
  mkfolder(&dir, "Q", 1) ;
  CHECK(maildir_check(dir.s), "check: folder with tmp new cur") ;

  /* head from memory (a pipe's bytes), the rest from the fd */
  fd = file_with(path, msg + 10, sizeof msg - 11) ;
  CHECK(maildir_deliver(dir.s, prefix, msg, 10, fd, &name), "deliver") ;
  close(fd) ;
  CHECK(name.len && !name.s[name.len - 1] && name_ok(name.s), "unique name is sec.MusecPpidQn.host") ;
  path_in(&p, dir.s, "/new/", name.s) ;
  CHECK(slurp(&got, p.s), "delivered into new/") ;
  if (!stralloc_cats(&want, rp) || !stralloc_cats(&want, dt) || !stralloc_catb(&want, msg, sizeof msg - 1)) exit(111) ;
  CHECKMEM(got.s, got.len, want.s, want.len, "Return-Path, Delivered-To, then the message") ;
  CHECK(stat(p.s, &st) == 0 && (st.st_mode & 07777) == 0600 && st.st_nlink == 1, "mode 0600, one link") ;
  path_in(&p, dir.s, "/tmp", "") ;
  CHECK(entries(p.s) == 0, "tmp/ is empty again") ;

  /* a trailing slash, no prefix, the whole message from a regular file */
  path_in(&p, dir.s, "/", "") ;
  fd = file_with(path, msg, sizeof msg - 1) ;
  CHECK(maildir_deliver(p.s, 0, 0, 0, fd, &name2), "deliver to dir/ with no prefix") ;
  close(fd) ;
  CHECK(strcmp(name.s, name2.s) != 0, "second delivery gets another name") ;
  path_in(&p, dir.s, "/new/", name2.s) ;
  CHECK(slurp(&got, p.s), "second file in new/") ;
  CHECKMEM(got.s, got.len, msg, sizeof msg - 1, "bytes without prefix") ;
  path_in(&p, dir.s, "/new", "") ;
  CHECK(entries(p.s) == 2, "two messages in new/") ;

  /* binary content, NULs, no final newline, bigger than any buffer */
  {
    size_t i = 0, len = 300000 ;
    char *big = malloc(len) ;
    if (!big) exit(111) ;
    for (; i < len ; i++) big[i] = (char)(i * 7 + i / 251) ;
    fd = file_with(path, big, len) ;
    CHECK(maildir_deliver(dir.s, prefix, 0, 0, fd, &name), "deliver 300000 binary bytes") ;
    close(fd) ;
    path_in(&p, dir.s, "/new/", name.s) ;
    CHECK(slurp(&got, p.s), "big file in new/") ;
    if (!stralloc_copyb(&want, rp, sizeof rp - 1) || !stralloc_cats(&want, dt) || !stralloc_catb(&want, big, len)) exit(111) ;
    CHECK(got.len == want.len && !memcmp(got.s, want.s, got.len), "big message byte for byte") ;
    free(big) ;
  }

  /* failures leave nothing behind */
  {
    int dfd = open(tmpdir, O_RDONLY | O_DIRECTORY) ;
    path_in(&p, dir.s, "/new", "") ;
    errno = 0 ;
    CHECK(!maildir_deliver(dir.s, prefix, msg, 10, dfd, 0) && errno == EISDIR, "read error fails with errno") ;
    CHECK(entries(p.s) == 3, "read error: nothing new in new/") ;
    path_in(&p, dir.s, "/tmp", "") ;
    CHECK(entries(p.s) == 0, "read error: tmp/ file removed") ;
    close(dfd) ;
  }
  {
    /* a write failure halfway: the file size limit, EFBIG instead of SIGXFSZ */
    pid_t pid = fork() ;
    int wstat ;
    if (!pid)
    {
      struct rlimit rl = { 4096, 4096 } ;
      char big[10000] ;
      memset(big, 'x', sizeof big) ;
      signal(SIGXFSZ, SIG_IGN) ;
      if (setrlimit(RLIMIT_FSIZE, &rl) < 0) _exit(2) ;
      fd = open("/dev/null", O_RDONLY) ;
      _exit(!maildir_deliver(dir.s, prefix, big, sizeof big, fd, 0) && errno == EFBIG ? 0 : 1) ;
    }
    CHECK(pid > 0 && waitpid(pid, &wstat, 0) == pid && WIFEXITED(wstat) && !WEXITSTATUS(wstat), "write error (EFBIG) fails with errno") ;
    path_in(&p, dir.s, "/tmp", "") ;
    CHECK(entries(p.s) == 0, "write error: tmp/ file removed") ;
    path_in(&p, dir.s, "/new", "") ;
    CHECK(entries(p.s) == 3, "write error: nothing new in new/") ;
  }

  path_in(&p, tmpdir, "/missing", "") ;
  CHECK(!maildir_check(p.s) && errno == ENOENT, "check: missing folder is ENOENT") ;
  fd = open("/dev/null", O_RDONLY) ;
  CHECK(!maildir_deliver(p.s, prefix, msg, sizeof msg - 1, fd, 0) && errno == ENOENT, "deliver: missing folder is ENOENT") ;
  close(fd) ;
  CHECK(access(p.s, F_OK) < 0, "missing folder not created") ;

  mkfolder(&dir, "nocur", 0) ;
  CHECK(!maildir_check(dir.s) && errno == ENOENT, "check: folder without cur/") ;
  path_in(&p, tmpdir, "/msg", "") ;
  CHECK(!maildir_check(p.s) && errno == ENOTDIR, "check: a file is no folder") ;

  stralloc_free(&dir) ; stralloc_free(&name) ; stralloc_free(&name2) ;
  stralloc_free(&p) ; stralloc_free(&got) ; stralloc_free(&want) ;
}

int main (void)
{
  umask(022) ;
  if (!mkdtemp(tmpdir)) { perror("mkdtemp") ; return 111 ; }
  test_header() ;
  test_read() ;
  test_deliver() ;
  {
    char cmd[64] ;
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir) ;
    if (system(cmd) != 0) CHECK(0, "remove the test directory") ;
  }
  return UNIT_END() ;
}
