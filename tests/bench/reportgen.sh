#!/bin/sh
# reportgen.sh DIR DAYS PERDAY: a multilog directory of DAYS days of PERDAY
# qhpsi lines each, one rotated file a day, ending yesterday (UTC)
set -eu
dir=$1 days=$2 per=$3
mkdir -p "$dir"
end=$(( $(date -u -d 'today 00:00' +%s) ))
start=$(( end - days * 86400 ))
awk -v start="$start" -v days="$days" -v per="$per" -v dir="$dir" 'BEGIN {
  base = 4611686018427387914
  for (d = 0; d < days; d++) {
    f = ""
    for (i = 0; i < per; i++) {
      t = start + d * 86400 + int(i * 86400 / per)
      v = (i % 50 == 0) ? "infected signature=Sig" (i % 7) : "clean signature=-"
      line = sprintf("@4%015x%08x qhpsi: qp=%d ip=192.0.2.%d from=s%d@example.org rcpts=1 rcpt=r@example.net msgid=- size=%d route=clamd verdict=%s action=queue ms=%d", t + base - 4611686018427387904, i, i, i % 250, i % 97, 1000 + i, v, i % 300)
      if (f == "") f = sprintf("%s/@4%015x%08x.s", dir, t + 86399 + base - 4611686018427387904, 0)
      print line > f
    }
    close(f)
  }
}'
