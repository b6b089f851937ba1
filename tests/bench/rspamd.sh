#!/bin/sh
# tests/bench/rspamd.sh (part of make bench): rspamd.so's figures, with a
# private rspamd (tests/rspamd.sh) and clamd. qmail-queue with rspamd.so
# against the queue alone plus a bare /checkv2 round trip over the same
# socket (tests/bench/checkv2), and against plugins that do nothing (the
# scan step's and the spam step's own cost); against the rspamc command
# through the helper; clamd + rspamd in one chain against each alone; then, as root,
# seconds per message (median, 99th percentile) with 16 SMTP clients
# through tcpserver and smtpfront-qmail (tests/load/smtpload.py).
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${RUNS:-300}
SMTPN=${SMTPN:-800}
T=$(mktemp -d /tmp/qhpsi-bench.XXXXXX)
chmod 755 "$T"
. "$TOP/tests/clamd.sh"
. "$TOP/tests/rspamd.sh"
. "$TOP/tests/stack.sh"
trap 'stop_stack 2>/dev/null; clamd_stop_all; rm -rf "$T"' EXIT
BENCH=$TOP/tests/bench/qqbench
QQ=$TOP/src/qmail-queue

H=$T/home
"$TOP/src/qhpsi-mkqueue" -n "$H" >/dev/null || exit 111
mkdir -p "$H/bin" "$H/plugins"
cp "$TOP/src/qhpsi" "$H/bin/" || exit 111
cp "$TOP/plugins/clamd.so" "$TOP/plugins/rspamd.so" "$TOP/tests/plugins/fakesc.so" "$TOP/tests/plugins/spamtest.so" "$H/plugins/" || exit 111
mkdir -m 1777 "$T/tmp" || exit 111
chmod 755 "$H/plugins"; chmod 644 "$H"/plugins/*
export QMAILHOME=$H

. "$TOP/tests/bench/messages.sh"
bench_messages "$T" || exit 111
printf 'Fa@example.org\0Tb@example.org\0\0' > "$T/env"

set -- $(free_ports 1)
rspamd_start "$T/r" "$1" || { echo "bench: rspamd did not start" >&2; exit 111; }
clamd_start "$T/clamd" >/dev/null || { echo "bench: clamd did not start" >&2; exit 111; }
RS=$T/r/rspamd.sock CS=$T/clamd/clamd.sock

med() { awk -v l="$2" -F'  +' '$1 == l { print $2 }' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

for size in 4k 100k; do
  echo
  echo "== rspamd: $(wc -c < "$T/msg$size") byte message, $RUNS runs per configuration, interleaved"
  "$BENCH" -n "$RUNS" "$QQ" "$T/msg$size" "$T/env" \
    '(1) queue only, no scan' \
    '(f) a plugin doing nothing|QHPSI=plugin:fakesc.so|QHPSIHELPER=0' \
    "(s) a spam engine doing nothing|QHPSI=plugin:spamtest.so|QHPSIHELPER=0|TMPDIR=$T/tmp" \
    "(r1) rspamd.so in-process|QHPSI=plugin:rspamd.so|QHPSIHELPER=0|RSPAMD_HOSTS=$RS" \
    "(r2) rspamd.so via helper|QHPSI=plugin:rspamd.so|QHPSIHELPER=1|RSPAMD_HOSTS=$RS" \
    "(r3) rspamc via helper|QHPSI=rspamc -h $RS %s|QHPSIHELPER=1" \
    "(c) clamd.so in-process|QHPSI=plugin:clamd.so|QHPSIHELPER=0|CLAMD_SOCKET=$CS" \
    "(cr) clamd.so rspamd.so|QHPSI=plugin:clamd.so rspamd.so|QHPSIHELPER=0|CLAMD_SOCKET=$CS|RSPAMD_HOSTS=$RS" \
    > "$T/out.$size" || exit 111
  cat "$T/out.$size"
  b=$("$TOP/tests/bench/checkv2" "$RS" "$T/msg$size" "$RUNS") || exit 111
  echo "(b) bare /checkv2 round trip, same socket (tests/bench/checkv2)  $b"
  q=$(med "$T/out.$size" '(1) queue only, no scan')
  f=$(med "$T/out.$size" '(f) a plugin doing nothing')
  sp=$(med "$T/out.$size" '(s) a spam engine doing nothing')
  r1=$(med "$T/out.$size" '(r1) rspamd.so in-process')
  r2=$(med "$T/out.$size" '(r2) rspamd.so via helper')
  r3=$(med "$T/out.$size" '(r3) rspamc via helper')
  c=$(med "$T/out.$size" '(c) clamd.so in-process')
  cr=$(med "$T/out.$size" '(cr) clamd.so rspamd.so')
  echo "(r1)/((1)+(b)) = $(ratio "$r1" "$(awk -v a="$q" -v b="$b" 'BEGIN { print a + b }')")   (target <= 1.10)"
  echo "(r1)/((f)+(b)) = $(ratio "$r1" "$(awk -v a="$f" -v b="$b" 'BEGIN { print a + b }')")   past the scan step's own cost, (f)-(1) = $(awk -v a="$f" -v b="$q" 'BEGIN { printf "%.3f", a - b }') ms"
  echo "(r1)/((s)+(b)) = $(ratio "$r1" "$(awk -v a="$sp" -v b="$b" 'BEGIN { print a + b }')")   past the spam step's own cost, (s)-(1) = $(awk -v a="$sp" -v b="$q" 'BEGIN { printf "%.3f", a - b }') ms (tests/plugins/spamtest.so)"
  echo "(r3)/(r1)      = $(ratio "$r3" "$r1")   the rspamc command through the helper against the plugin"
  echo "(r2)/(r1)      = $(ratio "$r2" "$r1")   the plugin through the helper against in-process"
  echo "(cr)/(c)       = $(ratio "$cr" "$c")   the chain against clamd alone"
  echo "(cr)/(r1)      = $(ratio "$cr" "$r1")   the chain against rspamd alone"
  echo "(cr)-(c)-(r1)+(1) = $(awk -v a="$cr" -v b="$c" -v r="$r1" -v q="$q" 'BEGIN { printf "%.3f", a - b - r + q }') ms: what the chain costs past the two scans"
done

# ---- 16 SMTP clients: tcpserver, smtpfront-qmail, qmail-queue with the chain
if [ "$(id -u)" != 0 ]; then
  echo "# skipped the SMTP figures: they need root (tests/stack.sh)"
  exit 0
fi
SCANNER=clamd
start_stack "$T/s" >/dev/null 2>&1 || { echo "bench: the SMTP stack did not start" >&2; exit 111; }
cp "$TOP/plugins/rspamd.so" "$QH/plugins/" && chmod 644 "$QH/plugins/rspamd.so" || exit 111
V=$SVC/qmail-smtpd/variables
echo "$RS" >"$V/RSPAMD_HOSTS"
smtp() {
  echo "$2" >"$V/QHPSI"
  restart_smtpd || { echo "bench: qmail-smtpd did not restart" >&2; exit 111; }
  clear_queue
  /usr/bin/python3 "$TOP/tests/load/smtpload.py" send --port "$PORT" --n "$SMTPN" --clients 16 --per 10 \
    --run "$1" --timeout 60 --limit 600 --out "$T/$1.json" | sed 's/;.*//'
}
echo
echo "== $SMTPN messages from 16 SMTP clients (one in ten EICAR), QHPSIHELPER=$(cat "$V/QHPSIHELPER" 2>/dev/null || echo 1)"
smtp chain "plugin:clamd.so rspamd.so"
smtp clamd "plugin:clamd.so"
smtp chain2 "plugin:clamd.so rspamd.so"
