#!/bin/sh
# qhpsi-selftest: sends the EICAR test message and a clean control message
# through a running SMTP service and says what the virus scanner did.
# Usage: qhpsi-selftest [-x] [-s host] [-p port] [-i localip] [-f sender]
#        [-r recipient] [-t seconds]
# Exit: 0 the scanner works, 1 it does not, 100 usage, 111 no connection.

PROG=qhpsi-selftest
usage() {
  echo "usage: $PROG [-x] [-s host] [-p port] [-i localip] [-f sender] [-r recipient] [-t seconds]" >&2
  exit 100
}
die() { echo "$PROG: fatal: $*" >&2; exit "${2:-100}"; }

QMAILHOME=${QMAILHOME:-/var/qmail}
host=127.0.0.1 port=25 localip= sender= rcpt= seconds=60 strict=0
while getopts xs:p:i:f:r:t: o; do
  case $o in
    x) strict=1 ;;
    s) host=$OPTARG ;;
    p) port=$OPTARG ;;
    i) localip=$OPTARG ;;
    f) sender=$OPTARG ;;
    r) rcpt=$OPTARG ;;
    t) seconds=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage
case $port in ''|*[!0-9]*) usage ;; esac
case $seconds in ''|*[!0-9]*|0) usage ;; esac
command -v tcpclient >/dev/null || die "tcpclient not found: install ucspi-tcp" 111

me=$(head -n 1 "$QMAILHOME/control/me" 2>/dev/null)
[ -n "$rcpt" ] || rcpt=${me:+postmaster@$me}
[ -n "$rcpt" ] || die "no recipient: give -r, or create $QMAILHOME/control/me"
[ -n "$sender" ] || sender=$rcpt
helo=${me:-$(hostname)}
case "$sender$rcpt$helo" in *[\<\>\ \	]*) die "addresses may not hold blanks or angle brackets" ;; esac

# The SMTP client, run by tcpclient: it reads the server on fd 6 and writes
# to it on fd 7. It prints one line: the step that ended the dialogue, then
# the server's code and text ("message 554 ..."), or "lost STEP".
session=$(cat <<'EOF'
kind=$1 sender=$2 rcpt=$3 helo=$4
cr=$(printf '\r')
code= text=
reply() {
  while IFS= read -r line <&6; do
    line=${line%"$cr"}
    code=${line%"${line#???}"} text=${line#???}
    text=${text#[ -]}
    case $line in [0-9][0-9][0-9]-*) continue ;; esac
    return 0
  done
  return 1
}
say() { printf '%s\r\n' "$1" >&7; }
step() { # NAME COMMAND PATTERN: send COMMAND, expect a reply matching PATTERN
  [ -z "$2" ] || say "$2"
  reply || { echo "lost $1"; exit 0; }
  case $code in $3) return 0 ;; esac
  echo "$1 $code $text"
  say QUIT
  exit 0
}
message() {
  now=$(date +%s)
  echo "From: <$sender>"
  echo "To: <$rcpt>"
  echo "Subject: qhpsi-selftest $kind message $now"
  echo "Date: $(LC_ALL=C date -R)"
  echo "Message-ID: <qhpsi-selftest.$kind.$now.$$@$helo>"
  echo "MIME-Version: 1.0"
  if [ "$kind" = clean ]; then
    echo "Content-Type: text/plain; charset=us-ascii"
    echo
    echo "This message was sent by qhpsi-selftest to check the virus scanner."
    echo "It is clean and should have been accepted."
    return
  fi
  # the EICAR file as an attachment of its own, exactly its 68 bytes: the
  # official signatures match that file, not the string inside a text
  b=qhpsi-selftest-$now
  echo "Content-Type: multipart/mixed; boundary=\"$b\""
  echo
  echo "--$b"
  echo "Content-Type: text/plain; charset=us-ascii"
  echo
  echo "This message was sent by qhpsi-selftest to check the virus scanner."
  echo "The attachment eicar.com is the EICAR anti-virus test file; it is harmless."
  echo
  echo "--$b"
  echo "Content-Type: application/octet-stream; name=\"eicar.com\""
  echo "Content-Transfer-Encoding: base64"
  echo "Content-Disposition: attachment; filename=\"eicar.com\""
  echo
  # in three pieces, so that this program itself is no test file
  printf '%s%s%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EI' 'CAR-STANDARD-ANTIVIRUS-' 'TEST-FILE!$H+H*' | base64
  echo "--$b--"
}
step greeting "" 220
step helo "HELO $helo" 250
step mail "MAIL FROM:<$sender>" 250
step rcpt "RCPT TO:<$rcpt>" '25[01]'
step data DATA 354
message | sed -e 's/^\./../' -e 's/$/\r/' >&7
say .
reply || { echo "lost message"; exit 0; }
echo "message $code $text"
say QUIT
reply
exit 0
EOF
)

err=$(mktemp "${TMPDIR:-/tmp}/$PROG.XXXXXX") || die "unable to create a temporary file" 111
trap 'rm -f "$err"' EXIT
limit=
command -v timeout >/dev/null && limit="timeout $seconds"

# send KIND: the session's line in $result; 111 when there was no dialogue
send() {
  result=$($limit tcpclient -RHl0 ${localip:+-i "$localip"} -T 10 "$host" "$port" \
    sh -c "$session" session "$1" "$sender" "$rcpt" "$helo" 2>"$err")
  rc=$?
  [ -n "$result" ] && return 0
  if [ "$rc" = 124 ]; then why="no answer within $seconds seconds"
  else why=$(sed -e 's/^tcpclient: //' "$err" | head -n 1); fi
  echo "could not connect: ${why:-tcpclient exited $rc} ($host port $port)"
  return 111
}

# the part of the line after the step name: "554 message contains virus"
answer() { echo "${result#* }"; }

status=0
send eicar || exit 111
case $result in
  "message 2"*)
    echo "accepted: $(answer)"
    echo "  The EICAR message was queued: as designed if REJECTVIRUS=0 applies to this"
    echo "  client. It must reach $rcpt (Subject \"qhpsi-selftest eicar message ...\")"
    echo "  with the first line \"X-QHPSI: virus found (...)\". \"X-QHPSI: clean\" there"
    echo "  means the scanner missed it; no X-QHPSI line, that it was not scanned."
    [ $strict = 1 ] && { echo "  -x: the EICAR message should have been refused."; status=1; }
    ;;
  "message 5"*)
    echo "refused: $(answer)"
    echo "  The scanner found the EICAR test file and the message was refused."
    ;;
  "message 4"*)
    echo "temporary failure: scanner error? $(answer)"
    echo "  qmail-queue could not scan: is clamd running, can it be reached (socket"
    echo "  directory, CLAMD_SOCKET)? The qmail-smtpd log has a \"qhpsi:\" line with the error."
    status=1
    ;;
  lost*)
    echo "connection lost: during the ${result#lost } step"
    status=1
    ;;
  *)
    echo "not tested: the server answered the ${result%% *} step with $(answer)"
    status=1
    ;;
esac

send clean || exit 111
case $result in
  "message 2"*) echo "clean message accepted: $(answer)" ;;
  lost*) echo "clean message: connection lost during the ${result#lost } step"; status=1 ;;
  message*) echo "clean message NOT accepted: $(answer)"; status=1 ;;
  *) echo "clean message not sent: the server answered the ${result%% *} step with $(answer)"; status=1 ;;
esac
exit $status
