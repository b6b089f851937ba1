# tests/lib.sh: sourced by every tests/t-* script.
# Each check prints "ok - name" or "FAIL - name"; tests/run counts the lines.

set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
SRC=$TOP/src
T=$(mktemp -d "${TMPDIR:-/tmp}/qhpsi-test.XXXXXX")
chmod 755 "$T"
trap 'cleanup_hook 2>/dev/null; rm -rf "$T"' EXIT
cleanup_hook() { :; }

pass() { echo "ok - $*"; }
fail() { echo "FAIL - $*"; }

# check NAME COMMAND...: passes when the command exits 0
check() { _n=$1; shift; if "$@"; then pass "$_n"; else fail "$_n"; fi; }

# expect NAME WANTED GOT: passes when the two strings are equal
expect() {
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: wanted [$2] got [$3]"; fi
}

# same NAME FILE1 FILE2: byte-for-byte equal files
same() {
  if cmp -s "$2" "$3"; then pass "$1"; else fail "$1: $2 and $3 differ"; cmp "$2" "$3" | head -3; fi
}

# mkqueue DIR: a fresh qmail home with a complete queue tree owned by the caller
mkqueue() { "$SRC/qhpsi-mkqueue" -n "$1" >/dev/null || { fail "qhpsi-mkqueue $1"; exit 1; }; }

# logfifo HOME: holds HOME/qhpsi/log (qhpsi-mkqueue made it) open on fd 8,
# read-write as the qhpsi-log service does, so that qmail-queue finds a reader
logfifo() { exec 8<>"$1/qhpsi/log" || { fail "open $1/qhpsi/log"; exit 1; }; }
# logread: what reached the FIFO of logfifo since the last call; never waits
logread() { dd if=/dev/fd/8 iflag=nonblock bs=65536 status=none 2>/dev/null; }

# envelope SENDER RCPT...: qmail-queue's fd 1 input, on stdout
envelope() {
  printf 'F%s\0' "$1"; shift
  for r in "$@"; do printf 'T%s\0' "$r"; done
  printf '\0'
}

# qq HOME MSGFILE ENVFILE: run qmail-queue against HOME; sets $rc
qq() {
  QMAILHOME=$1 "$SRC/qmail-queue" <"$2" 3<"$3" 1<&3 3<&-
  rc=$?
}

# todo_count HOME: how many messages wait in todo
todo_count() { ls "$1/queue/todo" | wc -l | tr -d ' '; }

# queue_files HOME: every file under mess, intd, todo, pid (relative names)
queue_files() { (cd "$1/queue" && find mess intd todo pid -type f | sort); }

# the split the programs were built with (make SPLIT=...), as qhpsi-mkqueue has it
QSPLIT=$(sed -n 's/^split=\([0-9][0-9]*\)$/\1/p' "$SRC/qhpsi-mkqueue" 2>/dev/null)
QSPLIT=${QSPLIT:-23}

# mess_of HOME: the path of the only message in todo
mess_of() {
  _id=$(ls "$1/queue/todo")
  echo "$1/queue/mess/$((_id % QSPLIT))/$_id"
}
intd_of() { echo "$1/queue/intd/$(ls "$1/queue/todo")"; }

# sanitized: true when the programs were built with SANITIZE=1, whose
# address-space appetite and start-up time some checks cannot allow for
sanitized() { ldd "$SRC/qmail-queue" 2>/dev/null | grep -q libasan; }
