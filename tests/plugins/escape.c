/* escape.c: test program for scanners that leave processes behind. Starts
   "sleep SECONDS" double-forked (nobody's child once the middle process
   has gone), in a process group of its own (with -s, a session of its
   own), every signal blocked and ignored, and returns at once. A test
   finds it by its SECONDS, unique to the test.
   Usage: escape [-s] SECONDS */

#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

int main (int argc, char const *const *argv)
{
  int session = argc == 3 && !strcmp(argv[1], "-s") ;
  struct sigaction sa = { .sa_handler = SIG_IGN } ;
  sigset_t all ;
  pid_t pid ;
  if (argc < 2) return 100 ;
  pid = fork() ;
  if (pid < 0) return 111 ;
  if (pid) return waitpid(pid, 0, 0) == pid ? 0 : 111 ;
  if (fork()) _exit(0) ;
  if (session ? setsid() < 0 : setpgid(0, 0) < 0) _exit(111) ;
  for (int sig = 1 ; sig < NSIG ; sig++) sigaction(sig, &sa, 0) ;
  sigfillset(&all) ;
  sigprocmask(SIG_BLOCK, &all, 0) ;
  execl("/bin/sleep", "sleep", argv[argc-1], (char *)0) ;
  _exit(127) ;
}
