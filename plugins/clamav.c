/* clamav.c: qhpsi plugin that scans with libclamav in-process. It loads the
   signature database for every scan, so it suits small local signature sets;
   it parses hostile input, so it only runs in the helper. See qhpsi-clamav(8). */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <clamav.h>

#include "qhpsi-plugin.h"
#include "inspect/inspect.h"

#define CLAMAV_DB_DEFAULT "/var/lib/clamav"

/* libclamav's last error message, so a failed load can say why; reset on
   every scan. libclamav writes its messages to fd 2 unless told otherwise,
   and fd 2 is a log (qmail-smtpd's, or qmail-queue's FIFO). */
static char lastmsg[QHPSI_TEXTLEN] ;

static void msg_cb (enum cl_msg severity, char const *fullmsg, char const *msg, void *context)
{
  size_t n ;
  (void)fullmsg ; (void)context ;
  if (severity != CL_MSG_ERROR || !msg) return ;
  n = strlen(msg) ;
  while (n && (msg[n-1] == '\n' || msg[n-1] == ' ')) n-- ;
  if (n >= sizeof lastmsg) n = sizeof lastmsg - 1 ;
  memcpy(lastmsg, msg, n) ;
  lastmsg[n] = 0 ;
}

static void say (struct qhpsi_result *r, enum qhpsi_verdict v, char const *fmt, ...)
{
  va_list ap ;
  r->verdict = v ;
  va_start(ap, fmt) ;
  vsnprintf(r->text, sizeof r->text, fmt, ap) ;
  va_end(ap) ;
}

static int rm_entry (char const *path, struct stat const *st, int flag, struct FTW *ftw)
{
  (void)st ; (void)flag ; (void)ftw ;
  return remove(path) ;
}

/* A fresh private directory for libclamav's temporary files, proven usable:
   libclamav answers CL_CLEAN when it cannot write there. */
static int mktmp (char *dir, size_t dirlen, struct qhpsi_result *r)
{
  char probe[4096 + 8] ;
  char const *base = getenv("TMPDIR") ;
  int fd ;
  if (!base || !*base) base = "/tmp" ;
  if ((size_t)snprintf(dir, dirlen, "%s/qhpsi-clamav.XXXXXX", base) >= dirlen)
  {
    say(r, QHPSI_ERROR, "TMPDIR too long") ;
    return 0 ;
  }
  if (!mkdtemp(dir))
  {
    say(r, QHPSI_ERROR, "mkdtemp in %s: %s", base, strerror(errno)) ;
    return 0 ;
  }
  snprintf(probe, sizeof probe, "%s/probe", dir) ;
  fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600) ;
  if (fd >= 0)
  {
    int e = 0 ;
    ssize_t n = write(fd, "x", 1) ;
    if (n != 1) e = n < 0 ? errno : EIO ;
    if (close(fd) < 0 && !e) e = errno ;
    if (unlink(probe) < 0 && !e) e = errno ;
    if (!e) return 1 ;
    errno = e ;
  }
  {
    int e = errno ;
    rmdir(dir) ;
    say(r, QHPSI_ERROR, "temporary directory %s unusable: %s", dir, strerror(e)) ;
  }
  return 0 ;
}

static void scan (struct qhpsi_message const *m, struct qhpsi_result *r)
{
  char dir[4096] ;
  struct stat st ;
  struct cl_engine *engine ;
  struct cl_scan_options opts ;
  char const *db = getenv("CLAMAV_DB") ;
  char const *virname = 0 ;
  unsigned long scanned = 0 ;
  unsigned int signo = 0 ;
  cl_error_t e ;

  if (!db || !*db) db = CLAMAV_DB_DEFAULT ;
  lastmsg[0] = 0 ;
  say(r, QHPSI_ERROR, "clamav: no verdict") ;

  /* libclamav says CL_CLEAN for a pipe it cannot map */
  if (fstat(m->fd, &st) < 0)
  {
    say(r, QHPSI_ERROR, "fstat: %s", strerror(errno)) ;
    return ;
  }
  if (!S_ISREG(st.st_mode))
  {
    say(r, QHPSI_ERROR, "message is not a regular file") ;
    return ;
  }
  if (lseek(m->fd, 0, SEEK_SET) < 0)
  {
    say(r, QHPSI_ERROR, "lseek: %s", strerror(errno)) ;
    return ;
  }

  cl_set_clcb_msg(&msg_cb) ;
  e = cl_init(CL_INIT_DEFAULT) ;
  if (e != CL_SUCCESS)
  {
    say(r, QHPSI_ERROR, "cl_init: %s", cl_strerror(e)) ;
    return ;
  }
  if (!mktmp(dir, sizeof dir, r)) return ;
  engine = cl_engine_new() ;
  if (!engine)
  {
    say(r, QHPSI_ERROR, "cl_engine_new failed") ;
    goto rmtmp ;
  }
  e = cl_engine_set_str(engine, CL_ENGINE_TMPDIR, dir) ;
  if (e != CL_SUCCESS)
  {
    say(r, QHPSI_ERROR, "set temporary directory: %s", cl_strerror(e)) ;
    goto out ;
  }
  /* one engine per message: its cache would only cost memory */
  cl_engine_set_num(engine, CL_ENGINE_DISABLE_CACHE, 1) ;
  e = cl_load(db, engine, &signo, CL_DB_STDOPT) ;
  if (e != CL_SUCCESS)
  {
    say(r, QHPSI_ERROR, "load %s: %s%s%s", db, cl_strerror(e), lastmsg[0] ? ": " : "", lastmsg) ;
    goto out ;
  }
  if (!signo)
  {
    say(r, QHPSI_ERROR, "load %s: no signatures", db) ;
    goto out ;
  }
  if (m->timeout_ms)
    cl_engine_set_num(engine, CL_ENGINE_MAX_SCANTIME, m->timeout_ms) ;
  {
    /* the limits clamd has (QHPSIMAXFILESIZE ..., the shipped clamd.conf's
       by default), so that both routes see the same and the archive check
       measures against them */
    inspect_conf ic ;
    inspect_conf_env(&ic) ;
    if (cl_engine_set_num(engine, CL_ENGINE_MAX_FILESIZE, (long long)ic.lim.maxfilesize) != CL_SUCCESS
      || cl_engine_set_num(engine, CL_ENGINE_MAX_SCANSIZE, (long long)ic.lim.maxscansize) != CL_SUCCESS
      || cl_engine_set_num(engine, CL_ENGINE_MAX_FILES, ic.lim.maxfiles) != CL_SUCCESS
      || cl_engine_set_num(engine, CL_ENGINE_MAX_RECURSION, ic.lim.maxrecursion) != CL_SUCCESS)
    {
      say(r, QHPSI_ERROR, "set the scan limits") ;
      goto out ;
    }
  }
  e = cl_engine_compile(engine) ;
  if (e != CL_SUCCESS)
  {
    say(r, QHPSI_ERROR, "compile %s: %s", db, cl_strerror(e)) ;
    goto out ;
  }

  memset(&opts, 0, sizeof opts) ;
  opts.general = CL_SCAN_GENERAL_HEURISTICS ;
  opts.parse = CL_SCAN_PARSE_ARCHIVE | CL_SCAN_PARSE_ELF | CL_SCAN_PARSE_PDF
    | CL_SCAN_PARSE_SWF | CL_SCAN_PARSE_HWP3 | CL_SCAN_PARSE_XMLDOCS
    | CL_SCAN_PARSE_MAIL | CL_SCAN_PARSE_OLE2 | CL_SCAN_PARSE_HTML
    | CL_SCAN_PARSE_PE | CL_SCAN_PARSE_ONENOTE | CL_SCAN_PARSE_IMAGE
    | CL_SCAN_PARSE_IMAGE_FUZZY_HASH ;
  /* encrypted archives and documents are flagged, as the shipped clamd.conf
     has clamd do (AlertEncryptedArchive, AlertEncryptedDoc): both routes
     give the same verdict */
  opts.heuristic = CL_SCAN_HEURISTIC_EXCEEDS_MAX | CL_SCAN_HEURISTIC_ENCRYPTED_ARCHIVE
    | CL_SCAN_HEURISTIC_ENCRYPTED_DOC ;
  e = cl_scandesc(m->fd, m->path, &virname, &scanned, engine, &opts) ;
  if (e == CL_VIRUS)
    say(r, QHPSI_INFECTED, "%s", virname ? virname : "") ;
  else if (e == CL_CLEAN)
    say(r, QHPSI_CLEAN, "") ;
  else
    say(r, QHPSI_ERROR, "scan: %s", cl_strerror(e)) ;

 out:
  cl_engine_free(engine) ;
 rmtmp:
  /* whatever libclamav left behind goes with the directory */
  nftw(dir, &rm_entry, 16, FTW_DEPTH | FTW_PHYS) ;
}

const struct qhpsi_plugin qhpsi_plugin =
{
  .abi = QHPSI_PLUGIN_ABI,
  .name = "clamav",
  .flags = 0,
  .scan = &scan
} ;
