# tests/scanners/lib.sh: sourced by the tests/t-qhpsi* scripts after
# tests/lib.sh. Makes a qmail home with the helper, the test plugins and
# the scanner scripts of this directory, and holds the checks they share.

QQ=$SRC/qmail-queue
H=$T/home
SC=$T/scanners # the scanner scripts, where every user can run them
R=$T/rec       # TMPDIR of scanners and plugins: what they record goes here
for f in "$QQ" "$SRC/qhpsi" "$TOP/tests/plugins/fake.so" "$TOP/tests/plugins/fakesc.so" "$TOP/tests/plugins/legacy.so" \
  "$TOP/tests/plugins/unsafe.so" "$TOP/plugins/example.so"; do
  [ -f "$f" ] || { fail "missing $f (make src/qmail-queue src/qhpsi tests/plugins/fake.so tests/plugins/fakesc.so tests/plugins/legacy.so tests/plugins/unsafe.so plugins/example.so)"; exit 1; }
done
mkqueue "$H"
logfifo "$H"
mkdir -p "$H/bin" "$H/plugins" "$H/control" "$SC" "$R" || exit 1
cp "$SRC/qhpsi" "$H/bin/" || exit 1
cp "$TOP/tests/plugins/fake.so" "$TOP/tests/plugins/fakesc.so" "$TOP/tests/plugins/legacy.so" "$TOP/tests/plugins/unsafe.so" \
  "$TOP/plugins/example.so" "$H/plugins/" || exit 1
chmod 755 "$H/plugins" && chmod 644 "$H"/plugins/*.so || exit 1
cp "$TOP"/tests/scanners/* "$SC/" && rm -f "$SC/lib.sh" && chmod 755 "$SC" "$SC"/* || exit 1
chmod 1777 "$R"

# the messages: NUL and a last line without newline make "byte for byte" mean something
printf 'From: a@example.org\nTo: r1@example.org\nSubject: test\n\nhello\n\0binary\377\nno newline' > "$T/msg"
printf 'From: a@example.org\nSubject: bad\n\nFAKE-VIRUS\n' > "$T/virus"
printf 'From: a@example.org\nSubject: broken\n\nFAKE-ERROR\n' > "$T/broken"
printf 'From: a@example.org\nSubject: stuck\n\nFAKE-HANG\n' > "$T/stuck"
envelope s@example.org r1@example.org r2@example.org > "$T/env"
MSG=$T/msg
HELPER=1
QQUID=0

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# reset: an empty queue and nothing recorded
reset() {
  rm -f "$H"/queue/mess/*/* "$H"/queue/intd/* "$H"/queue/todo/* "$H"/queue/pid/* "$R"/*
}

# qqrun VAR=value ...: reset, then qmail-queue on $MSG and $T/env with
# exactly these variables (besides PATH, QMAILHOME, TMPDIR and QHPSIHELPER
# from $HELPER, which they may override), run through $AS if set; sets rc
# and el (elapsed ms); the log, from fd 2 (a trusted caller that gave
# TCPREMOTEIP) or from the log FIFO (everyone else), goes to $T/log. The
# FIFO is made the running user's ($AS is always nobody) and emptied first,
# unless FIFOKEEP=1.
AS= FIFOKEEP=
qqrun() {
  reset
  if [ -z "$FIFOKEEP" ]; then
    logread >/dev/null
    if [ -n "$AS" ]; then chown 65534 "$H/qhpsi/log"; else chown 0 "$H/qhpsi/log"; fi
  fi
  _t0=$(now_ms)
  timeout 60 $AS env -i PATH=/usr/bin:/bin QMAILHOME="$H" TMPDIR="$R" QHPSIHELPER="$HELPER" "$@" \
    "$QQ" <"$MSG" 3<"$T/env" 1<&3 3<&- 8<&- 2>"$T/log.err"
  rc=$?
  el=$(($(now_ms) - _t0))
  logread > "$T/log.fifo"
  if [ -s "$T/log.err" ] && [ -s "$T/log.fifo" ]; then
    fail "qqrun $*: output both on fd 2 [$(cat -v "$T/log.err")] and on the FIFO [$(cat -v "$T/log.fifo")]"
  fi
  cat "$T/log.err" "$T/log.fifo" > "$T/log"
}

# queued NAME HEADER [RCPT...]: exit 0 and exactly one message, which is
# HEADER (printf %b escapes), qmail's Received line, then $MSG byte for byte;
# its intd holds uid, pid, the sender and exactly RCPT (default r1, r2)
queued() {
  _n=$1 _h=$2; shift 2
  [ $# -eq 0 ] && set -- r1@example.org r2@example.org
  if [ "$rc" != 0 ]; then fail "$_n: exit $rc, wanted 0; log: $(cat "$T/log")"; return; fi
  if [ "$(todo_count "$H")" != 1 ]; then fail "$_n: $(todo_count "$H") messages in todo, wanted 1"; return; fi
  # and nothing else: the file scanned beside a copy is gone
  if [ "$(cd "$H/queue" && find mess pid -type f | wc -l)" != 1 ]; then fail "$_n: left in the queue: $(queue_files "$H" | tr '\n' ' ')"; return; fi
  _m=$(mess_of "$H")
  printf '%b' "$_h" > "$T/want"
  tail -c +$(($(wc -c < "$T/want") + 1)) "$_m" | head -n 1 > "$T/received"
  _qp=$(sed -n 's/^Received: (qmail \([0-9]*\) invoked by uid '"$QQUID"'); [0-9]* [A-Z][a-z][a-z] [0-9]* [0-9:]* -0000$/\1/p' "$T/received")
  if [ -z "$_qp" ]; then
    fail "$_n: no Received line after the header: $(head -c 300 "$_m" | cat -v)"; return
  fi
  cat "$T/received" "$MSG" >> "$T/want"
  if ! cmp -s "$_m" "$T/want"; then
    fail "$_n: queued message is [$(head -c 300 "$_m" | cat -v)]"; return
  fi
  { printf 'u%s\0p%s\0F%s\0' "$QQUID" "$_qp" s@example.org; for _r; do printf 'T%s\0' "$_r"; done; } > "$T/want"
  if ! cmp -s "$(intd_of "$H")" "$T/want"; then
    fail "$_n: intd is [$(cat -v "$(intd_of "$H")")], wanted [$(cat -v "$T/want")]"; return
  fi
  # the log line, if any, is about this message
  if [ -s "$T/log" ] && ! grep -q "^qhpsi: qp=$_qp " "$T/log"; then
    fail "$_n: log line is not for qp $_qp: $(cat "$T/log")"; return
  fi
  pass "$_n"
}

# refused NAME EXIT: exited EXIT and left nothing in mess, intd, todo or pid
refused() {
  if [ "$rc" != "$2" ]; then fail "$1: exit $rc, wanted $2; log: $(cat "$T/log")"
  elif [ -n "$(queue_files "$H")" ]; then fail "$1: left in the queue: $(queue_files "$H" | tr '\n' ' ')"
  else pass "$1"; fi
}

# logis NAME ROUTE VERDICT FIELD ACTION: the log is exactly one line with
# these and the client $LOGIP; qp, size and ms are compared as numbers only
# (sizeis checks size)
# LOGENV: the from, rcpts, rcpt and msgid keys of $T/env and $MSG
LOGIP=-
LOGENV='from=s@example.org rcpts=2 rcpt=r1@example.org msgid=-'
logis() {
  _got=$(sed -e 's/^qhpsi: qp=[0-9][0-9]* /qhpsi: qp=N /' -e 's/ size=[0-9][0-9]* / size=N /' \
    -e 's/ ms=[0-9][0-9]*$/ ms=N/' "$T/log")
  expect "$1: log line" "qhpsi: qp=N ip=$LOGIP $LOGENV size=N route=$2 verdict=$3 $4 action=$5 ms=N" "$_got"
}

# sizeis NAME: the log's size is the queued message without its header lines
sizeis() {
  _s=$(sed -n 's/.* size=\([0-9]*\) .*/\1/p' "$T/log")
  expect "$1: log size is Received + message" "$(($(wc -c < "$T/received") + $(wc -c < "$MSG")))" "$_s"
}

# logqp: the qp of the log line
logqp() { sed -n 's/^qhpsi: qp=\([0-9]*\) .*/\1/p' "$T/log"; }

# within NAME MIN MAX: the last run took MIN to MAX ms
within() {
  if [ "$el" -ge "$2" ] && [ "$el" -le "$3" ]; then pass "$1 ($el ms)"
  else fail "$1: took $el ms, wanted $2 to $3"; fi
}

# gone NAME PID: no such process runs (a zombie left to init counts as gone)
gone() {
  if [ -z "$2" ]; then fail "$1: no pid recorded"
  elif [ -e "/proc/$2" ] && ! grep -q '^[0-9]* (.*) Z' "/proc/$2/stat" 2>/dev/null; then
    fail "$1: process $2 still runs: $(cat "/proc/$2/cmdline" | tr '\0' ' ')"; kill -9 "$2"
  else pass "$1"; fi
}

# routes: each test body runs once through the helper and once directly
# route KIND: the route name the log line gives for command or plugin
route() { if [ "$HELPER" = 1 ]; then echo "helper-$1"; else echo "$1"; fi; }

# the path the record scanner got, if it names a message file of the
# queue, mess/N/INODE: the one queued, or the one scanned beside it while
# the copy to queue is written and synced (qmail-queue(8), ORDER)
scanned() {
  _p=$(grep '^argv' "$R/record.log" | grep -o "\[$H/queue/[^]]*\]" | tr -d '[]' | head -n 1)
  _id=${_p##*/}
  case $_id in
    ''|*[!0-9]*) echo "not a message file: $_p" ;;
    *) if [ "$_p" = "$H/queue/mess/$((_id % QSPLIT))/$_id" ]; then echo "$_p"; else echo "not a message file: $_p"; fi ;;
  esac
}
