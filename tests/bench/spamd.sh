#!/bin/sh
# tests/bench/spamd.sh (part of make bench; runs alone too): qmail-queue with
# spamd.so against the queue alone plus a bare SPAMC round trip over the
# same socket, and against spamc run as a QHPSI command through the helper.
# Starts its own spamd (tests/spamd.sh). One interleaved run; medians, ratios.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${SPAMDRUNS:-60}
T=$(mktemp -d /tmp/qhpsi-sbench.XXXXXX)
chmod 755 "$T"
. "$TOP/tests/clamd.sh"
. "$TOP/tests/spamd.sh"
trap 'clamd_stop_all; rm -rf "$T"' EXIT
BENCH=$TOP/tests/bench/qqbench
QQ=$TOP/src/qmail-queue
SPAMC=${SPAMC:-/usr/bin/spamc}
for f in "$BENCH" "$QQ" "$TOP/plugins/spamd.so" "$TOP/tests/plugins/fake.so" "$SPAMD" "$SPAMC"; do
  [ -x "$f" ] || [ -f "$f" ] || { echo "bench: missing $f" >&2; exit 111; }
done

H=$T/home
"$TOP/src/qhpsi-mkqueue" -n "$H" >/dev/null || exit 111
mkdir -p "$H/bin" "$H/plugins"
cp "$TOP/src/qhpsi" "$H/bin/" && cp "$TOP/plugins/spamd.so" "$TOP/tests/plugins/fake.so" "$H/plugins/" || exit 111
chmod 755 "$H/plugins"; chmod 644 "$H"/plugins/*
export QMAILHOME=$H

# the 4 KB text mail of tests/bench/run, with the fields a real one has
{ printf 'Received: from client (127.0.0.1) by mx.example.org; Wed, 1 Jan 2025 00:00:00 -0000\n'
  printf 'From: a@example.org\nTo: b@example.org\nSubject: bench\n'
  printf 'Date: Wed, 1 Jan 2025 00:00:00 +0000\nMessage-ID: <bench.20250101@example.org>\n\n'
  i=0; while [ $i -lt 60 ]; do printf 'line %02d of a plain text message that is about four kilobytes long.\n' $i; i=$((i+1)); done
} > "$T/msg4k"
printf 'Fa@example.org\0Tb@example.org\0\0' > "$T/env"

set -- $(free_ports 1)
# as many children as senders: one at a time here
SPAMD_CHILDREN=2 spamd_start "$T/spamd" "$1" || { echo "bench: spamd did not start" >&2; exit 111; }
SOCK=$T/spamd/spamd.sock TCP=127.0.0.1:$1
export SPAMD_HOSTS=$SOCK   # for the bare round trip, which runs in qqbench itself

med() { awk -v l="$2" -F'  +' '$1 == l { print $2 }' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# round TAG ADDR [CONF...]: the interleaved run against the spamd on ADDR,
# labels (TAG1) to (TAG5), CONFs added; prints the table and the ratios.
# spamc -c prints score/threshold and exits 1 for spam, 0 for ham (QHPSIRC=1,
# QHPSIRN=0); with -x an error is an error, not "ham"
round() {
  _t=$1 _a=$2; shift 2
  SPAMD_HOSTS=$_a "$BENCH" -n "$RUNS" "$QQ" "$T/msg4k" "$T/env" \
    "($_t""1) queue only, no scan" \
    "($_t""2) bare SPAMC round trip|@$TOP/plugins/spamd.so" \
    "($_t""3) spamd.so in-process|QHPSI=plugin:spamd.so|QHPSIHELPER=0|SPAMD_HOSTS=$_a" \
    "($_t""4) spamd.so via helper|QHPSI=plugin:spamd.so|QHPSIHELPER=1|SPAMD_HOSTS=$_a" \
    "($_t""5) spamc via helper|QHPSI=$SPAMC -U $_a -c -x|QHPSIHELPER=1|QHPSIRC=1|QHPSIRN=0" \
    "$@" > "$T/out.$_t" || exit 111
  cat "$T/out.$_t"
  q=$(med "$T/out.$_t" "($_t""1) queue only, no scan")
  b=$(med "$T/out.$_t" "($_t""2) bare SPAMC round trip")
  p=$(med "$T/out.$_t" "($_t""3) spamd.so in-process")
  h=$(med "$T/out.$_t" "($_t""4) spamd.so via helper")
  c=$(med "$T/out.$_t" "($_t""5) spamc via helper")
  echo "($_t""3)/(($_t""1)+($_t""2)) = $(ratio "$p" "$(awk -v a="$q" -v b="$b" 'BEGIN { print a + b }')")   (qmail-queue with spamd.so against a queue run and a bare round trip)"
  echo "($_t""5)/($_t""3)        = $(ratio "$c" "$p")   (the spamc command route against the plugin in-process)"
  echo "($_t""5)/($_t""4)        = $(ratio "$c" "$h")   (both through the helper: a spamc process against none)"
  echo "($_t""4)-($_t""3)        = $(awk -v a="$h" -v b="$p" 'BEGIN { printf "%.3f", a - b }') ms: the helper"
}

echo
echo "== spamd: $(wc -c < "$T/msg4k") byte message, $RUNS runs per configuration, interleaved"
round s "$SOCK" "(s6) spamd.so TCP in-process|QHPSI=plugin:spamd.so|QHPSIHELPER=0|SPAMD_HOSTS=$TCP"

# the client's own cost, with a fake spamd that answers at once (one fixed
# ham reply; tests/spamd.sh): what the plugin and the spamc route cost
# around a scan that takes no time
fake_spamd "$T/fake" ham "$T/fake.sock" || { echo "bench: the fake spamd did not start" >&2; exit 111; }
echo
echo "== the same against a fake spamd that answers at once, $RUNS runs per configuration"
# (f6): a plugin that asks no server, for what loading and running any
# plugin costs qmail-queue
round f "$T/fake.sock" '(f6) fake.so in-process|QHPSI=plugin:fake.so|QHPSIHELPER=0'
f6=$(med "$T/out.f" '(f6) fake.so in-process')
echo "(f3)-(f6)        = $(awk -v a="$p" -v b="$f6" 'BEGIN { printf "%.3f", a - b }') ms: spamd.so's round trip and the spam fields, past any plugin"
