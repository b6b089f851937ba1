/* fakesc.c: the fake test plugin, declared self-contained (it is, but for
   FAKE-HANG): a scan that takes no time, run as the clamd plugin is, with
   no copy of the process around it. The benchmark's floor is measured
   with it. */

#define FAKE_FLAGS (QHPSI_INPROCESS_SAFE | QHPSI_SELF_CONTAINED)
#include "fake.c"
