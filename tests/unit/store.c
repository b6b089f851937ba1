/* unit tests of the quarantine store: IDs, xtext, an entry written and read back */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "quarantine/store.h"
#include "unit.h"

int main (void)
{
  static char const e[] = "Fs\n@x\0Ta@y\0Tb+c@z\0" ;
  envelope env = ENVELOPE_ZERO ;
  store_meta m = { .time = 1234, .ip = "10.0.0.1", .env = &env, .verdict = "infected",
    .signature = "Sig", .action = "refuse" } ;
  store_entry ent = STORE_ENTRY_ZERO ;
  stralloc sa = STRALLOC_ZERO ;
  char dir[] = "/tmp/qhpsi-unit-store.XXXXXX", path[128], body[64] ;
  char const msg[] = "Subject: x\n\n\0bin\n" ;
  int fd, mfd ;

  CHECK(store_idok("1.2.3.4") && store_idok("a_b-C"), "IDs") ;
  CHECK(!store_idok("") && !store_idok(".x") && !store_idok("../x") && !store_idok("a/b") && !store_idok("a b"), "not IDs") ;
  store_mkid(m.id, 42, 7) ;
  CHECK(store_idok(m.id) && strspn(m.id, "0123456789.") == strlen(m.id), "made IDs are digits and dots") ;
  CHECK(strchr(m.id, '.') && strlen(strchr(m.id, '.')) == strlen(".123456.42.7"), "microseconds in six digits") ;
  CHECK(store_xtextdecode(&sa, "a+0Ab+2B", 8), "xtext decodes") ;
  CHECKMEM(sa.s, sa.len, "a\nb+", 4, "xtext value") ;
  CHECK(!store_xtextdecode(&sa, "a+0", 3) && !store_xtextdecode(&sa, "+G0", 3), "bad xtext refused") ;

  stralloc_catb(&env.sa, e, sizeof e - 1) ;
  env.rcptpos = 6 ;
  env.nrcpt = 2 ;
  if (!mkdtemp(dir)) return 111 ;
  snprintf(path, sizeof path, "%s/tmp", dir) ; mkdir(path, 0700) ;
  snprintf(path, sizeof path, "%s/new", dir) ; mkdir(path, 0700) ;
  snprintf(path, sizeof path, "%s/mess", dir) ;
  mfd = open(path, O_RDWR | O_CREAT, 0600) ;
  CHECK(mfd >= 0 && write(mfd, msg, sizeof msg - 1) == sizeof msg - 1, "message written") ;
  CHECK(store_put(dir, &m, "H: 1\n", 5, mfd, sizeof msg - 1), "entry stored") ;
  fd = store_opendir(dir, "new") ;
  CHECK(fd >= 0, "new/ opened") ;
  CHECK(store_openentry(fd, "../mess", O_RDONLY) < 0, "no path as an entry") ;
  CHECK(symlinkat("../mess", fd, "9.9") == 0, "a symbolic link made") ;
  CHECK(store_openentry(fd, "9.9", O_RDONLY) < 0, "no symbolic link as an entry") ;
  unlinkat(fd, "9.9", 0) ;
  mfd = store_openentry(fd, m.id, O_RDONLY) ;
  CHECK(mfd >= 0 && store_read(mfd, &ent), "entry read back") ;
  CHECK(!strcmp(store_str(&ent, id), m.id) && ent.time == 1234 && !strcmp(store_str(&ent, ip), "10.0.0.1"), "id, time, ip") ;
  CHECK(!strcmp(store_str(&ent, sender), "s\n@x") && ent.nrcpt == 2, "sender with LF, two recipients") ;
  CHECKMEM(ent.rcpts.s, ent.rcpts.len, "a@y\0b+c@z\0", 10, "recipients") ;
  CHECK(!strcmp(store_str(&ent, signature), "Sig") && !strcmp(store_str(&ent, action), "refuse") && !ent.forward, "signature, action") ;
  CHECK(ent.size == 5 + sizeof msg - 1, "size") ;
  CHECK(read(mfd, body, sizeof body) == (ssize_t)ent.size && !memcmp(body, "H: 1\n", 5) && !memcmp(body + 5, msg, sizeof msg - 1),
    "offset left at the message") ;
  close(mfd) ;
  /* a truncated entry is not an entry */
  snprintf(path, sizeof path, "%s/new/%s", dir, m.id) ;
  CHECK(truncate(path, ent.offset + 3) == 0, "truncated") ;
  mfd = store_openentry(fd, m.id, O_RDONLY) ;
  CHECK(mfd >= 0 && !store_read(mfd, &ent), "a truncated entry is refused") ;
  close(mfd) ;
  CHECK(store_put("/nonexistent", &m, "", 0, mfd, 0) == 0, "no store, no entry") ;
  unlink(path) ;
  snprintf(path, sizeof path, "%s/mess", dir) ; unlink(path) ;
  snprintf(path, sizeof path, "%s/tmp", dir) ; rmdir(path) ;
  snprintf(path, sizeof path, "%s/new", dir) ; rmdir(path) ;
  rmdir(dir) ;
  return UNIT_END() ;
}
