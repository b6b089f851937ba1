/* logdir.h: reads the files of a multilog directory in the order they
   were written, one line at a time. */
#ifndef LOGDIR_H
#define LOGDIR_H

#include "report/logline.h"

/* called with each line, without its newline; 0 stops the read (errno) */
typedef int logdir_func (void *data, char const *line, size_t len) ;

/* Reads the rotated files (@stamp.s, @stamp.u) in the order of their
   names, then current. A rotated file whose name, the time it was
   rotated, is before since holds nothing newer and is not opened (since
   0: all). The last line of current without its newline is still being
   written and is left for the next read. *files counts the files read.
   1, or 0 with errno. */
extern int logdir_read (char const *dir, logstamp const *since, logdir_func *f, void *data, unsigned int *files) ;

#endif
