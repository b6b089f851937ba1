/* unit tests of names.c: QHPSIRULES as a name or its file, PLUGINDIR's
   subdirectory, and QHPSI's scheme */

#include <stdlib.h>
#include <string.h>
#include "policy/names.h"
#include "unit.h"

#define H "/var/qmail"

/* the path QHPSIRULES s resolves to, or "ERROR" */
static char const *rules (char const *s)
{
  static char out[512] ;
  char const *why = 0 ;
  char *p = names_rules(s, H, &why) ;
  if (!p) return why ? "ERROR" : "ERROR WITHOUT A REASON" ;
  strcpy(out, p) ;
  free(p) ;
  return out ;
}

#define R(s, want) CHECKMEM(rules(s), strlen(rules(s)), want, strlen(want), "QHPSIRULES=" s)

static char const *sub (char const *s)
{
  char const *why = 0, *r = names_pluginsub(s, H "/plugins", &why) ;
  return r ? r : why ? "ERROR" : "ERROR WITHOUT A REASON" ;
}

#define P(s, want) CHECKMEM(sub(s), strlen(sub(s)), want, strlen(want), "PLUGINDIR=" s)
#define Q(s, ok) CHECK((names_qhpsi(s) == 0) == (ok), "QHPSI=" s)

int main (void)
{
  R("default", H "/control/qhpsirules/default.qrc") ;
  R("site-1.x", H "/control/qhpsirules/site-1.x.qrc") ;
  R(H "/control/qhpsirules/default.qrc", H "/control/qhpsirules/default.qrc") ;
  R("control/qhpsirules/a_b.qrc", H "/control/qhpsirules/a_b.qrc") ;
  R(H "/control/qhpsirules/../x.qrc", "ERROR") ;
  R(H "/control/qhpsirules/sub/x.qrc", "ERROR") ;
  R(H "/control/qhpsirules/x", "ERROR") ;
  R(H "/control/qhpsirules/.qrc", "ERROR") ;
  R(H "x/control/qhpsirules/x.qrc", "ERROR") ;
  R("/etc/x.qrc", "ERROR") ;
  R("../x", "ERROR") ;
  R(".x", "ERROR") ;
  R("", "ERROR") ;
  R("a b", "ERROR") ;
  P("", "ERROR") ;
  P("av", "av") ;
  P("plugins", "") ;
  P("plugins/av/", "av") ;
  P(H "/plugins/av", "av") ;
  P(H "/plugins", "") ;
  P("..", "ERROR") ;
  P("plugins/../x", "ERROR") ;
  P("/etc", "ERROR") ;
  Q("plugin:clamd.so", 1) ;
  Q("plugin:a.so b.so", 1) ;
  Q("clamdscan %s --fdpass", 1) ;
  Q("/usr/bin/clamdscan %s", 1) ;
  Q("/opt/x:y/scan %s", 1) ;
  Q("scan --opt=a:b %s", 1) ;
  Q("plugn:clamd.so", 0) ;
  Q("Plugin:clamd.so", 0) ;
  Q("http://scanner/ %s", 0) ;
  Q(" plugin:clamd.so", 0) ;
  Q("plugin:", 1) ; /* a scanner error when it runs, not a configuration error */
  return UNIT_END() ;
}
