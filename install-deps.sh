#!/bin/sh
# install-deps.sh: installs the Debian packages qhpsi needs to build, test
# and run its demo. As root it installs what is missing; otherwise it prints
# the apt-get line to run.

pkgs="make gcc skalibs-dev libclamav-dev clamav clamav-daemon clamdscan
  ucspi-tcp daemontools mailfront swaks maildrop zip python3 procps util-linux acl
  clang libclang-rt-14-dev"
missing=
for p in $pkgs; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "install-deps: as root, run: apt-get install$missing" >&2
  exit 100
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || exit 111
# clamav-daemon would start Debian's clamd, which fails without the official
# databases; the tests and the demo start their own.
apt-get install -y -qq --no-install-recommends $missing >/dev/null || exit 111
exit 0
