#!/bin/sh
# reportgen.sh DIR DAYS PERDAY: a multilog directory of DAYS days of PERDAY
# qhpsi lines each, one rotated file a day, ending yesterday (UTC)
set -eu
dir=$1 days=$2 per=$3
mkdir -p "$dir"
end=$(( $(date -u -d 'today 00:00' +%s) ))
start=$(( end - days * 86400 ))
awk -v start="$start" -v days="$days" -v per="$per" -v dir="$dir" 'BEGIN {
  for (d = 0; d < days; d++) {
    f = ""
    for (i = 0; i < per; i++) {
      t = start + d * 86400 + int(i * 86400 / per)
      v = (i % 50 == 0) ? "infected signature=Sig" (i % 7) : "clean signature=-"
      line = sprintf("@40000000%08x%08x qhpsi: qp=%d ip=192.0.2.%d from=s%d@example.org rcpts=1 rcpt=r@example.net msgid=- size=%d route=clamd verdict=%s action=queue ms=%d", t + 10, 0, i, i % 250, i % 97, 1000 + i, v, i % 300)
      if (f == "") f = sprintf("%s/@40000000%08x00000000.s", dir, start + d * 86400 + 86399 + 10)
      print line > f
    }
    close(f)
  }
}'
