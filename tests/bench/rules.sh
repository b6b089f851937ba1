#!/bin/sh
# tests/bench/rules.sh (part of make bench; runs alone too): the rules plugin's
# cost per message for 500 generated qmfilt-style rules, over the 4 KB and
# 100 KB messages of tests/bench/run, beside PCRE2 and Python re doing the
# same rules per message. Three interleaved rounds; medians of the rounds.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=$TOP/tests/bench/rules
N=${RULESRUNS:-200}
T=$(mktemp -d /tmp/qhpsi-rbench.XXXXXX)
trap 'rm -rf "$T"' EXIT
for f in "$B" "$TOP/src/qhpsi-rules"; do [ -x "$f" ] || { echo "bench: missing $f" >&2; exit 111; }; done

. "$TOP/tests/bench/messages.sh"
bench_messages "$T" || exit 111
python3 "$TOP/tests/bench/rules.py" gen 500 > "$T/rules" || exit 111
"$TOP/src/qhpsi-rules" -o "$T/rules.qrc" -q "$T/rules" || exit 111
printf '# none\n' > "$T/none"
"$TOP/src/qhpsi-rules" -o "$T/none.qrc" -q "$T/none" || exit 111

# field NAME LINE: the number after NAME
field() { echo "$2" | awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'; }
mid() { sort -n | sed -n 2p; }
for size in 4k 100k; do
  m=$T/msg$size
  : > "$T/l" ; : > "$T/w" ; : > "$T/s" ; : > "$T/e" ; : > "$T/p" ; : > "$T/y"
  for round in 1 2 3; do
    o=$("$B" load "$T/rules.qrc" "$m" "$N") || exit 111
    field total "$o" >> "$T/l"; field warm-match "$o" >> "$T/w"
    field total "$("$B" spawn "$T/rules.qrc" "$m" $((N / 2)))" >> "$T/s"
    field total "$("$B" spawn "$T/none.qrc" "$m" $((N / 2)))" >> "$T/e"
    field total "$("$B" pcre "$T/rules" "$m" $((N / 20 + 1)))" >> "$T/p"
    field total "$(python3 "$TOP/tests/bench/rules.py" match "$T/rules" "$m" $((N / 20 + 1)))" >> "$T/y"
  done
  l=$(mid < "$T/l") w=$(mid < "$T/w") s=$(mid < "$T/s") e=$(mid < "$T/e") p=$(mid < "$T/p") y=$(mid < "$T/y")
  echo
  echo "== rules: 500 qmfilt-style rules, $(wc -c < "$m") byte message, medians in ms"
  awk -v l="$l" -v w="$w" -v s="$s" -v e="$e" -v p="$p" -v y="$y" 'BEGIN {
    printf "  (r1) rules.so work in-process: load + match      %8.3f  (the match alone, warm: %.3f)\n", l / 1000, w / 1000
    printf "  (r2) a process per message (spawn, load, match)  %8.3f  (of which the rules: %.3f)\n", s / 1000, (s - e) / 1000
    printf "  (r0) the same process, an empty rule set         %8.3f  (exec, Hyperscan and libstdc++ loading)\n", e / 1000
    printf "  (a)  PCRE2, 500 rules compiled + run per message %8.3f\n", p / 1000
    printf "  (b)  Python re, compile + search, in-process     %8.3f  (interpreter start excluded)\n", y / 1000
    printf "  (a)/(r1) = %.1f   (b)/(r1) = %.1f   (target: (r1) <= 1 ms for 100 KB, (b)/(r1) >= 20)\n", p / l, y / l }'
done
