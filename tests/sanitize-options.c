/* sanitize-options.c: linked into every program of a SANITIZE=1 build.
   qmail-queue hands scanners a scrubbed environment, so the sanitizer
   settings travel in the binaries rather than in ASAN_OPTIONS. Leak checks
   are off: these programs run once and leave freeing to exit, and so does
   libclamav. */

char const *__asan_default_options (void) ;
char const *__ubsan_default_options (void) ;

char const *__asan_default_options (void) { return "detect_leaks=0:abort_on_error=1" ; }
char const *__ubsan_default_options (void) { return "halt_on_error=1:print_stacktrace=1" ; }
