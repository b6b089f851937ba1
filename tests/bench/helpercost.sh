#!/bin/sh
# tests/bench/helpercost.sh (part of make bench; runs alone too): what the
# helper route costs over the in-process route (fake.so isolates the
# route's own work, clamd.so is what sites run), and what 500 rules cost a
# qmail-queue process for a 100 KB message (against no rules, and against
# fake.so, a plugin that does nothing). With BEFORE=DIR, a built tree of
# another version (make all tests/plugins/fake.so there), the same
# configurations of that build are timed in the same interleaved run.
# The helper is run as a copy of src/qhpsi without its set-id bits.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${RUNS:-300}
BEFORE=${BEFORE:-}
T=$(mktemp -d /tmp/qhpsi-hbench.XXXXXX)
chmod 755 "$T"
. "$TOP/tests/clamd.sh"
trap 'clamd_stop_all; rm -rf "$T"' EXIT
BENCH=$TOP/tests/bench/qqbench

# home BUILD DIR: a qmail home in DIR for BUILD's qmail-queue: its helper,
# its plugins, the rules compiled by its compiler (formats differ)
home() {
  "$1/src/qhpsi-mkqueue" -n "$2" >/dev/null || return 1
  mkdir -p "$2/bin" "$2/plugins" "$2/control/qhpsirules" || return 1
  cp "$1/src/qhpsi" "$2/bin/" || return 1
  cp "$1/tests/plugins/fake.so" "$1/plugins/clamd.so" "$1/plugins/rules.so" "$2/plugins/" || return 1
  # the self-contained fake, where the build has one: as clamd.so and rules.so run
  if [ -f "$1/tests/plugins/fakesc.so" ]; then cp "$1/tests/plugins/fakesc.so" "$2/plugins/" || return 1; fi
  chmod 755 "$2/plugins" && chmod 644 "$2"/plugins/* || return 1
  "$1/src/qhpsi-rules" -o "$2/control/qhpsirules/bench.qrc" -q "$T/rules" &&
    "$1/src/qhpsi-rules" -o "$2/control/qhpsirules/none.qrc" -q "$T/none"
}
python3 "$TOP/tests/bench/rules.py" gen 500 > "$T/rules" || exit 111
printf '# none\n' > "$T/none"
home "$TOP" "$T/after" || { echo "bench: no home for $TOP" >&2; exit 111; }
if [ -n "$BEFORE" ]; then
  home "$BEFORE" "$T/before" || { echo "bench: no home for $BEFORE (make all tests/plugins/fake.so there)" >&2; exit 111; }
fi

. "$TOP/tests/bench/messages.sh"
bench_messages "$T" || exit 111
printf 'Fa@example.org\0Tb@example.org\0\0' > "$T/env"
clamd_start "$T/clamd" >/dev/null || { echo "bench: clamd did not start" >&2; exit 111; }
SOCK=$T/clamd/clamd.sock

med() { awk -v l="$2" -F'  +' '$1 == l { print $2 }' "$1"; }
dms() { awk -v a="$(med "$1" "$2")" -v b="$(med "$1" "$3")" 'BEGIN { printf "%.3f", a - b }'; }

# confs SIZE WHO: the configurations of one build (WHO after or before)
confs() {
  if [ "$2" = after ]; then q=$TOP/src/qmail-queue; else q=$BEFORE/src/qmail-queue; fi
  e="QQ=$q|QMAILHOME=$T/$2"
  f=fake.so
  [ -f "$T/$2/plugins/fakesc.so" ] && f=fakesc.so
  if [ "$1" = 4k ]; then
    echo "$2: queue only|$e"
    echo "$2: fake in-process|$e|QHPSI=plugin:$f|QHPSIHELPER=0"
    echo "$2: fake via helper|$e|QHPSI=plugin:$f|QHPSIHELPER=1"
    echo "$2: clamd in-process|$e|QHPSI=plugin:clamd.so|QHPSIHELPER=0|CLAMD_SOCKET=$SOCK"
    echo "$2: clamd via helper|$e|QHPSI=plugin:clamd.so|QHPSIHELPER=1|CLAMD_SOCKET=$SOCK"
  else
    echo "$2: queue only|$e"
    echo "$2: fake in-process|$e|QHPSI=plugin:$f|QHPSIHELPER=0"
    echo "$2: rules, none|$e|QHPSI=plugin:rules.so|QHPSIHELPER=0|QHPSIRULES=none"
    echo "$2: rules, 500|$e|QHPSI=plugin:rules.so|QHPSIHELPER=0|QHPSIRULES=bench"
  fi
}

for size in 4k 100k; do
  echo
  echo "== the helper route and the rules: $(wc -c < "$T/msg$size") byte message, $RUNS runs per configuration, interleaved"
  set --
  for who in after ${BEFORE:+before}; do
    while IFS= read -r c; do set -- "$@" "$c"; done <<EOF
$(confs $size $who)
EOF
  done
  "$BENCH" -n "$RUNS" "$TOP/src/qmail-queue" "$T/msg$size" "$T/env" "$@" > "$T/out" || exit 111
  cat "$T/out"
  for who in after ${BEFORE:+before}; do
    if [ $size = 4k ]; then
      echo "$who: the helper route over in-process, a fake:   $(dms "$T/out" "$who: fake via helper" "$who: fake in-process") ms"
      echo "$who: the helper route over in-process, clamd.so: $(dms "$T/out" "$who: clamd via helper" "$who: clamd in-process") ms (target <= 1)"
    else
      echo "$who: 500 rules over no rules:       $(dms "$T/out" "$who: rules, 500" "$who: rules, none") ms"
      echo "$who: 500 rules over a fake:         $(dms "$T/out" "$who: rules, 500" "$who: fake in-process") ms (the rules plugin's whole cost, target <= 1)"
      echo "$who: 500 rules over queue only:     $(dms "$T/out" "$who: rules, 500" "$who: queue only") ms (with the in-process route and the inspection)"
    fi
  done
done
