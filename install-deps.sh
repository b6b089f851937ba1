#!/bin/sh
# install-deps.sh [server]: installs the Debian packages qhpsi needs.
#   sh install-deps.sh          to build, run, test and demo it (make test,
#                               make demo): all three lists below
#   sh install-deps.sh server   on a mail server: to build and run it only
# As root it installs what is missing; otherwise it prints the apt-get line.

# to build: make, make install (zlib1g-dev: the archive check inflates zips;
# libjson-c-dev: rspamd.so parses rspamd's JSON replies)
build="make gcc skalibs-dev libclamav-dev libhyperscan-dev libpcre2-dev zlib1g-dev libjson-c-dev"
# to run: service/clamd, service/freshclam, service/qmail-smtpd under svscan
# (daemontools-run starts svscan on /etc/service), setfacl for clamd's socket
run="clamav-daemon clamav-freshclam ucspi-tcp daemontools daemontools-run acl"
# for the tests and the demo: the clients they drive, mailfront as the front
# end, maildrop for the quarantine recipe (and its reformime, the other mail
# reader of t-mimecheck), zip for test archives, sharutils (uuencode) and
# tnef (a TNEF reader the test streams are held against) for t-attachnames,
# clang and its fuzzer runtime for make fuzz, chromium (a font, Mesa) to
# render qhpsi-report -H, Prometheus's promtool and node_exporter for
# qhpsi-metrics, tmux for qhpsi-top; SpamAssassin's spamd and spamc for
# spamd.so (t-spamd, make bench); rspamd (t-rspamd starts its own),
# openssl for its DKIM key, python3-dkim to verify the signature
tests="clamav clamdscan mailfront swaks maildrop zip sharutils tnef python3 procps util-linux
  rspamd openssl python3-dkim
  clang libclang-rt-14-dev chromium fonts-liberation libgl1-mesa-dri
  prometheus prometheus-node-exporter tmux
  spamd spamc"

case ${1:-} in
  '') pkgs="$build $run $tests" ;;
  server) pkgs="$build $run" ;;
  *) echo "usage: install-deps.sh [server]" >&2; exit 100 ;;
esac
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
# clamav-daemon starts Debian's own clamd (and freshclam), which service/clamd
# replaces: INSTALL, step 4. The tests and the demo start their own.
apt-get install -y -qq --no-install-recommends $missing >/dev/null || exit 111
exit 0
