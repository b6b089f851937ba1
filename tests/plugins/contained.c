/* contained.c: the descend test plugin, declared self-contained
   (QHPSI_SELF_CONTAINED), which it is not: it starts processes, and with
   DESCEND-HANG blocks every signal and never answers. So it runs with no
   copy of the scanning process around it, and what holds it is the limit
   on processes, the subreaper and the watchdog thread. */

#define DESCEND_FLAGS (QHPSI_INPROCESS_SAFE | QHPSI_SELF_CONTAINED)
#include "descend.c"
