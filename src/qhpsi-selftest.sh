#!/bin/sh
# qhpsi-selftest: sends the EICAR test message, EICAR nested deeper in zip
# archives than clamd looks, EICAR behind a MIME delimiter that mail readers
# take two ways, EICAR where the engine does not see it whole (a zip member
# past MaxFileSize, a ZIP64 zip, an encrypted zip), and a clean control
# message through a running SMTP service, and says what the virus scanner
# did. Run by root, the probes
# carry a token made with the seal key (qhpsi-token): qmail-queue judges
# them, answers with the verdict and keeps, delivers and notifies nothing.
# Usage: qhpsi-selftest [-x] [-k] [-s host] [-p port] [-i localip] [-f sender]
#        [-r recipient] [-t seconds]
# Exit: 0 the scanner works, 1 it does not, 100 usage, 111 no connection.

PROG=qhpsi-selftest
usage() {
  echo "usage: $PROG [-x] [-k] [-s host] [-p port] [-i localip] [-f sender] [-r recipient] [-t seconds]" >&2
  exit 100
}
die() { echo "$PROG: fatal: $*" >&2; exit "${2:-100}"; }

QMAILHOME=${QMAILHOME:-/var/qmail}
host=127.0.0.1 port=25 localip= sender= rcpt= seconds=60 strict=0 plain=0
while getopts xks:p:i:f:r:t: o; do
  case $o in
    x) strict=1 ;;
    k) plain=1 ;;
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
kind=$1 sender=$2 rcpt=$3 helo=$4 nested=$5 token=${QHPSI_PROBETOKEN:-} attname=$6 attfile=$7
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
  [ -z "$token" ] || echo "X-QHPSI-Selftest: $token"
  echo "MIME-Version: 1.0"
  if [ "$kind" = clean ]; then
    echo "Content-Type: text/plain; charset=us-ascii"
    echo
    echo "This message was sent by qhpsi-selftest to check the virus scanner."
    echo "It is clean and should have been accepted."
    return
  fi
  b=qhpsi-selftest-$now
  echo "Content-Type: multipart/mixed; boundary=\"$b\""
  echo
  echo "--$b"
  echo "Content-Type: text/plain; charset=us-ascii"
  echo
  echo "This message was sent by qhpsi-selftest to check the virus scanner."
  if [ -n "$attname" ]; then
    echo "The attachment $attname holds the EICAR anti-virus test file where a"
    echo "scanner may not see it ($kind); it is harmless."
    echo
    echo "--$b"
    echo "Content-Type: application/zip; name=\"$attname\""
    echo "Content-Transfer-Encoding: base64"
    echo "Content-Disposition: attachment; filename=\"$attname\""
    echo
    cat "$attfile"
    echo "--$b--"
    return
  fi
  if [ "$kind" = nested ]; then
    echo "The attachment n20.zip holds the EICAR anti-virus test file in 20 zip"
    echo "archives, one inside the other; it is harmless."
    echo
    echo "--$b"
    echo "Content-Type: application/zip; name=\"n20.zip\""
    echo "Content-Transfer-Encoding: base64"
    echo "Content-Disposition: attachment; filename=\"n20.zip\""
    echo
    printf '%s\n' "$nested"
    echo "--$b--"
    return
  fi
  if [ "$kind" = ambiguous ]; then
    # no delimiter to RFC 2046 (nor to clamd), one to Courier's reformime
    echo "The attachment eicar.com, the EICAR anti-virus test file, follows a"
    echo "delimiter line with text after the boundary, which mail readers take"
    echo "two ways; it is harmless."
    echo
    echo "--$b ambiguous"
  else
    echo "The attachment eicar.com is the EICAR anti-virus test file; it is harmless."
    echo
    echo "--$b"
  fi
  echo "Content-Type: application/octet-stream; name=\"eicar.com\""
  echo "Content-Transfer-Encoding: base64"
  echo "Content-Disposition: attachment; filename=\"eicar.com\""
  echo
  # the EICAR file as an attachment of its own, exactly its 68 bytes: the
  # official signatures match that file, not the string inside a text; in
  # three pieces, so that this program itself is no test file
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

# EICAR in 20 nested zip archives, deeper than clamd's MaxRecursion (16 by
# default and in service/clamd). A clamd that reports what it could not scan
# (AlertExceedsMax yes) says Heuristics.Limits.Exceeded.MaxRecursion; one
# with a MaxRecursion above 20 finds the EICAR file itself. Made with zip 3.0:
#   (the EICAR file) >eicar.com; f=eicar.com
#   for i in $(seq 20); do zip -q -X -9 n$i.zip $f; f=n$i.zip; done
#   base64 -w 76 n20.zip
nested='UEsDBBQAAgAIAAAAISjBBVtWewYAAKwGAAAHAAAAbjE5LnppcHWVeVQSiBbGQdQ0t0pHxHHDZtwH
leeCWzI6BAoaFpZhNJEblgq5kDWSCzqaTmEGoomVimauTS5lZi4vU5MhU3Gn0mwsG8XAEpdsdN55
753zzpt7zz33fPf8zvfn/fBYkOJOgAJgu6AW8Cc5fHdlAGB7dmxdYuwRsPORNPwWpLMFqfwF/cJN
JAqUAACV/0DO21AC+5yDjopBT49jCGbREUJorMMEwTF9V9QdvUL0QgsuPmFc2mso5EGzfS5PwZ8w
sPwEBwxc6ANlTjHtivI/LSz+tN4skXx+IWEkS2SPki/spjnRYQDrV8ieMFYtWWEQAUhhKi0kT3FE
B5RaEk0/QUsYWbIdfLolI4huTNvccdAtZeOg1y4JMlcI9MU2qRWnPYiqTrc24g+X8Kc7iWIJA1UW
Hu3VoBZLdcHcc2JrVq0d/ZH1+Er9XZzl20zjcrND/q6vjtd45mGtn+arcdz94oxvtWSGKtk618hD
7VfoiaWYpzioOvgU5fAGkNjxULlntInWet6w2aG90bz8nFQXXS72KPboHEjF8ewgA0lzeuODhXQM
IJ+X11un3lAaQyWErJpVBvs9u9fou6tbUX1uPvzkleDUwvvLgLvSpZxlPcbMVaH+2SUjp0/FyKTo
hupvdbUYuMXDfyi5zrIzsS0vPa8WGolJAe7H1NxvMRHuE9nIYBl+psRnPva5bW47m2HHwm5QfINB
R8oX7YBir0hn+RROsA6yKmi0wVPAFrkf9ILjhCpr538ixDgc9rb2Helf9OPivemBrl0OxvEUDQUI
Z5NgHjYAhi/m0r7B2kROU1S1QbyDV5Phxjelw7MaKZNpUutI0yFk7Lns+naT9i7aNRJbc+0E8UY8
1Oz+uxle9X1BU8y8iaFV6T63OmrFkQaGp2btWVQ69pGFm1fR6Yp0m36JOH9lIAJmksatTSjtOFxS
aCq/vlu12TjFMlZPMlFx/d6ww2oFM/3RyT4xrTNPJfhYvMvYz5wvQYC2628Eo/aSav2zjqKmnhei
iVMB6O8e0t7rM4uUcU0R9u4Gzqbo+efBbuP3UGwjDAYI3v11EaIm4LHvJsoJXVOEayNndmcbLCx8
4DnsXai8BqHeuv6uxZzytV3B5GDvb17hfnY/3KldiQlLDBrzGhP4zfHYd1QhF50fYHowv/bD00rH
gBoPwN55vdEzfA6kq0pffgeZIZogZrAFtEGe/u5QVltokHDWcFlA6sq/yFy/FI32Z7vSVaGyVfbp
6T469kR3n8gjO+t7ksq58jZjrewd72aSTDTFc2S6tNkQ2WV1zAm6qCY2dKLadnD9C4cC+52Ol1ia
qT623aW4r3M142NlxOp5AXLzo/cGYj3xkLbiAQZrY4XUPfljTN1r1RcLcrTChVAocv9Lb8O3J8nq
f2jJNo1u2DB27jyjy7RiXpJ3SY8SjXJ8WGnQN1Wat6MYXgm2IVjgXpHjqNSdN32tvfP9DQUGtHGv
zWgi5JcTv90hk8WV2fvLq7qfdox/G9CYXsIizbKn5aMeIbCUq6czch/2HykNE+1xJ8LIk6OHWqRm
VajEH/gk1imNpliZv4XVYwnPX2LCnQzUwiGs+eXD9jm6/aU6bgUz3K9yl7J05vaH2zybe70itmKn
EuwHXUWcvDM9tRV+tr2gkZutvrO/E46WJasImkYoG+ojomtyBELDuTVlUMhBjiqMwOM2cp+F0TnN
LLlLIDiRoGeF5aj3UBk5OQFSmgzK7Xxt0fE+9a12RmXvrc3beoKJb05Ioi8YeOS52OYs976pq5e1
DqKzL+PSvyti7OktAOoUm4crdRdW82CQhreSBVqtE33s5yhlaOzcxfd9Ihj9d1/jsn+SJhQoeYpl
L6kILipzKBrbVj+Dkg99Tm2zhsvRkMj0YrsR7hD25BHlKNeXYBC08HKOIPAm1/LuAHNgfLgF1oc3
TGoTEATa0IzjhGVN8a9r+6b5Q1nQ7/VvTuC/3H7WGkH5nHCBXlBB1Y3TDbaoLxkXai/En3HhxeR5
pJLhLVMPyP94LhxiS6Nc5GzL5NIIYvwHa1PJ0kBomcucPymuFfQI7DO/OA5DaaOxBebg49ExB57W
JbFqG6nEMZDJK5uaPVGe9UPtnLNaS9QW01cGHaD+u56n1kfZrzs+f/VRtrZJZa99QTVtZK1p47FA
BSPQ37/8fxc/FfDfAMBjlZS3JXCrHbf2B6Vt9S+rv4+Y/7VC/D8r8l/qT1BLAQIeAxQAAgAIAAAA
ISjBBVtWewYAAKwGAAAHAAAAAAAAAAAAAACkgQAAAABuMTkuemlwUEsFBgAAAAABAAEANQAAAKAG
AAAAAA=='

tmp=$(mktemp -d "${TMPDIR:-/tmp}/$PROG.XXXXXX") || die "unable to create a temporary directory" 111
trap 'rm -rf "$tmp"' EXIT
err=$tmp/err

# le16 N / le32 N: N as little-endian bytes
le16() { printf "$(printf '\\%03o\\%03o' $(($1 & 255)) $(($1 >> 8 & 255)))"; }
le32() { le16 $(($1 & 65535)); le16 $(($1 >> 16 & 65535)); }
# zipped NAME SIZE [zip64]: a zip of one deflated member NAME, SIZE bytes of
# zeros then the EICAR file, base64, on stdout; with zip64 its sizes are in
# ZIP64 records (as streaming zip writers make them). gzip makes the
# deflate data and its CRC; the rest is the zip format, written here.
zipped() {
  { head -c "$2" /dev/zero
    printf '%s%s%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EI' 'CAR-STANDARD-ANTIVIRUS-' 'TEST-FILE!$H+H*'
  } | gzip -9 -n >"$tmp/gz" || return 1
  _gl=$(wc -c <"$tmp/gz") _us=$(($2 + 68))
  _cs=$((_gl - 18)) _nl=${#1}
  tail -c 8 "$tmp/gz" | head -c 4 >"$tmp/crc"
  if [ "${3:-}" = zip64 ]; then
    _v=45 _sz=4294967295 _xl=20
    _x() { le16 1; le16 16; le32 $_us; le32 0; le32 $_cs; le32 0; }
  else
    _v=20 _sz= _xl=0
    _x() { :; }
  fi
  {
    le32 67324752; le16 $_v; le16 0; le16 8; le16 0; le16 33; cat "$tmp/crc"
    le32 ${_sz:-$_cs}; le32 ${_sz:-$_us}; le16 $_nl; le16 $_xl; printf '%s' "$1"; _x
    tail -c +11 "$tmp/gz" | head -c $_cs
  } >"$tmp/zip"
  _cd=$(wc -c <"$tmp/zip")
  {
    le32 33639248; le16 $_v; le16 $_v; le16 0; le16 8; le16 0; le16 33; cat "$tmp/crc"
    le32 ${_sz:-$_cs}; le32 ${_sz:-$_us}; le16 $_nl; le16 $_xl; le16 0; le16 0; le16 0; le32 0; le32 0
    printf '%s' "$1"; _x
  } >>"$tmp/zip"
  _cl=$(($(wc -c <"$tmp/zip") - _cd))
  if [ "${3:-}" = zip64 ]; then
    _e=$(wc -c <"$tmp/zip")
    { le32 101075792; le32 44; le32 0; le16 $_v; le16 $_v; le32 0; le32 0
      le32 1; le32 0; le32 1; le32 0; le32 $_cl; le32 0; le32 $_cd; le32 0
      le32 117853008; le32 0; le32 $_e; le32 0; le32 1; } >>"$tmp/zip"
  fi
  { le32 101010256; le16 0; le16 0; le16 1; le16 1; le32 $_cl; le32 $_cd; le16 0; } >>"$tmp/zip"
  base64 <"$tmp/zip"
}
zipped big.bin 73400320 >"$tmp/oversized" && zipped ten.bin 10485760 zip64 >"$tmp/zip64" ||
  die "unable to make the archive probes (gzip, base64)" 111
# EICAR in a zip encrypted with the password "qhpsi" (zip -e)
cat >"$tmp/encrypted" <<'EOF2'
UEsDBAoACQAAAOxug108z1FoUAAAAEQAAAAJABwAZWljYXIudHh0VVQJAAPLdBFry3QRa3V4CwAB
BAAAAAAEAAAAAN9uWHcaCfL5G3CQ8I8svuLhFTHK4XdLMpbkVLZqAr7ZOW0a9PxPLSi/4UnvwT2B
pV8lYoh3ARfbBzBUy8aGPZH3CP17Vum3dr0lyEexWh3wUEsHCDzPUWhQAAAARAAAAFBLAQIeAwoA
CQAAAOxug108z1FoUAAAAEQAAAAJABgAAAAAAAEAAACkgQAAAABlaWNhci50eHRVVAUAA8t0EWt1
eAsAAQQAAAAABAAAAABQSwUGAAAAAAEAAQBPAAAAowAAAAAA
EOF2
limit=
command -v timeout >/dev/null && limit="timeout $seconds"

# the probes' token: one for the whole run (qmail-queue honours it for an
# hour); without it (-k, not root, no seal key) they are mail like any other
token=
if [ $plain = 0 ]; then
  for t in "$(dirname "$0")/qhpsi-token" "$QMAILHOME/bin/qhpsi-token"; do
    [ -x "$t" ] && token=$(QMAILHOME=$QMAILHOME "$t" 2>/dev/null) && break
  done
  if [ -n "$token" ]; then
    echo "probes: marked as self-test probes: judged, then neither delivered, kept nor notified"
  else
    echo "probes: not marked (no qhpsi-token, not root, or no control/qhpsikey): they are delivered as any mail"
  fi
fi

# send KIND: the session's line in $result; 111 when there was no dialogue
send() {
  # the token in the environment, which only root can read, not in an
  # argument, which every local user can (ps): it is good for an hour
  result=$(QHPSI_PROBETOKEN=$token $limit tcpclient -RHl0 ${localip:+-i "$localip"} -T 10 "$host" "$port" \
    sh -c "$session" session "$1" "$sender" "$rcpt" "$helo" "$nested" "${2:-}" "${3:-}" 2>"$err")
  rc=$?
  [ -n "$result" ] && return 0
  if [ "$rc" = 124 ]; then why="no answer within $seconds seconds"
  else why=$(sed -e 's/^tcpclient: //' "$err" | head -n 1); fi
  echo "could not connect: ${why:-tcpclient exited $rc} ($host port $port)"
  return 111
}

# the part of the line after the step name: "554 message contains virus"
answer() { echo "${result#* }"; }

status=0 eicar=
send eicar || exit 111
case $result in
  "message 2"*)
    eicar=accepted
    echo "accepted: $(answer)"
    if [ -n "$token" ]; then
      echo "  A marked probe is accepted only when judged clean or not scanned: the scanner"
      echo "  missed EICAR, this client is not scanned, or the service's qmail-queue does not"
      echo "  know the token (another control/qhpsikey): then it was queued as any mail."
      status=1
    else
    echo "  The EICAR message was queued: as designed if REJECTVIRUS=0 applies to this"
    echo "  client (with REJECTVIRUS=2 it was dropped, action=blackhole in the log, and"
    echo "  never arrives). Otherwise it must reach $rcpt"
    echo "  (Subject \"qhpsi-selftest eicar message ...\")"
    echo "  with \"X-QHPSI: virus found (...)\" above its first Received: line (after"
    echo "  qmail-local's Return-Path and Delivered-To). \"X-QHPSI: clean\" there means"
    echo "  the scanner missed it; no X-QHPSI line, that it was not scanned."
    [ $strict = 1 ] && { echo "  -x: the EICAR message should have been refused."; status=1; }
    # LWQ's tcp.smtp relays for all of 127., and tags there
    [ $strict = 1 ] && [ -n "$localip" ] && {
      echo "  A tcp.smtp rule gives $localip REJECTVIRUS=0 (LWQ's 127.: relay rule?): give it"
      echo "  one of its own, $localip:allow,REJECTVIRUS=\"1\" (INSTALL, step 5); qhpsi-check -i $localip shows it."
    }
    fi
    ;;
  "message 5"*)
    eicar=refused
    echo "refused: $(answer)"
    echo "  The scanner found the EICAR test file and the message was refused."
    [ -z "$token" ] || echo "  (A marked probe judged infected is refused whatever REJECTVIRUS says.)"
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

# probe KIND WHAT TAG FIX: a message the scanner cannot see whole; refused,
# or tagged TAG (or with the EICAR signature), when it says so. Accepted
# where EICAR was refused, it read as clean.
probe() {
  case $1 in
    oversized) send "$1" big.zip "$tmp/$1" ;;
    zip64) send "$1" ten.zip "$tmp/$1" ;;
    encrypted) send "$1" secret.zip "$tmp/$1" ;;
    *) send "$1" ;;
  esac || exit 111
  case $result in
    "message 2"*)
      echo "$2 accepted: $(answer)"
      if [ "$eicar" = refused ]; then
        echo "  $4"
        echo "  (EICAR was refused, the $2 was not.)"
        status=1
      elif [ -n "$token" ]; then
        echo "  The probe was judged clean or not scanned (see above)."
        status=1
      else
        echo "  It must reach $rcpt (Subject \"qhpsi-selftest $1 message ...\") with"
        echo "  \"X-QHPSI: virus found ($3...)\" (or the EICAR signature) above"
        echo "  its first Received: line. \"X-QHPSI: clean\" there means that"
        echo "  $4"
        [ $strict = 1 ] && { echo "  -x: the $2 should have been refused."; status=1; }
      fi
      ;;
    "message 5"*)
      echo "$2 refused: $(answer)"
      echo "  The scanner reported what it could not scan (or found EICAR in it)."
      ;;
    "message 4"*)
      echo "$2: temporary failure: $(answer)"
      echo "  As designed with QHPSILIMITS=error (what could not be scanned is a"
      echo "  scanner error); otherwise see the qhpsi line in the qmail-smtpd log."
      [ "$eicar" = refused ] || [ "$eicar" = accepted ] || status=1
      ;;
    lost*) echo "$2: connection lost during the ${result#lost } step"; status=1 ;;
    *) echo "$2 not sent: the server answered the ${result%% *} step with $(answer)"; status=1 ;;
  esac
}
# the nested archive: refused or tagged when clamd says what it could not scan
probe nested "nested archive" Heuristics.Limits.Exceeded \
  "clamd's limits read as clean: set AlertExceedsMax yes in clamd.conf and restart clamd."
# EICAR behind "--boundary text": qmail-queue's own inspection must flag it
probe ambiguous "ambiguous boundary" Unchecked.MimeAmbiguousBoundary \
  "a MIME structure that readers split two ways read as clean: this qmail-queue does not flag it."
# archives the engine does not see whole: only qmail-queue's own archive
# check (qmail-queue(8), unchecked) or clamd's encrypted-archive alert flags them
probe oversized "oversized archive member" Unchecked.MaxFileSize \
  "an archive member past the engine's MaxFileSize read as clean: this qmail-queue does not check archives."
probe zip64 "ZIP64 archive" Unchecked.Zip64 \
  "a ZIP64 zip, which clamd does not open, read as clean: this qmail-queue does not check archives."
probe encrypted "encrypted archive" Heuristics.Encrypted \
  "an encrypted zip read as clean: set AlertEncryptedArchive yes in clamd.conf and restart clamd."

send clean || exit 111
case $result in
  "message 2"*) echo "clean message accepted: $(answer)" ;;
  lost*) echo "clean message: connection lost during the ${result#lost } step"; status=1 ;;
  message*) echo "clean message NOT accepted: $(answer)"; status=1 ;;
  *) echo "clean message not sent: the server answered the ${result%% *} step with $(answer)"; status=1 ;;
esac
exit $status
