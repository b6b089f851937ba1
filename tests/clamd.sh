# tests/clamd.sh: sourced after tests/lib.sh; private clamd instances (and a
# fake clamd) for the plugin tests, each in its own directory.
#
# clamd_start DIR [TCPPORT [ADDR]]  start clamd on DIR/clamd.sock, or on
#                            ADDR:TCPPORT (ADDR 127.0.0.1 by default, any
#                            loopback address), with the signatures of
#                            tests/sigs; waits for PONG
#   CLAMD_USER       user clamd runs as (default: the caller; another needs root)
#   CLAMD_STREAMMAX  its StreamMaxLength (default 25M)
#   CLAMD_EXTRA      a file of further clamd.conf lines
# clamd_stop DIR             stop it (TERM, then KILL after 10 s)
# clamd_pid DIR              its pid
# clamd_stop_all             stop every instance started here (the EXIT trap does)
# fake_server DIR MODE ADDR  the frame of a fake server (below)
# fake_clamd DIR MODE ADDR   a fake clamd on ADDR (port or socket path) that
#                            answers every request the MODE way, see below
# free_ports N               N distinct free TCP ports on 127.0.0.1
# samples DIR                the test messages both plugin tests scan, in DIR
# verdict_is WANT GOT        is plugrun's line GOT the verdict WANT? (see there)

CLAMD=${CLAMD:-/usr/sbin/clamd}
# the pinger and the fake are python3; a wrapper earlier in PATH can make
# each start ten times slower than the system's own
if [ -z "${PYTHON:-}" ]; then
  PYTHON=python3
  [ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3
fi
clamd_dirs=

cleanup_hook() { clamd_stop_all; }

clamd_pid() { cat "$1/clamd.bgpid" 2>/dev/null; }

# clamd_ping DIR: 0 when the instance answers zPING with PONG
clamd_ping() {
  "$PYTHON" - "$(cat "$1/addr")" <<'EOF'
import socket, sys
a = sys.argv[1]
try:
    if a.startswith('/'):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(2)
        s.connect(a)
    else:
        h, _, p = a.rpartition(':')
        s = socket.create_connection((h or '127.0.0.1', int(p)), 2)
    s.sendall(b'zPING\0')
    r = b''
    while not r.endswith(b'\0') and len(r) < 64:
        d = s.recv(64)
        if not d:
            break
        r += d
    sys.exit(0 if r == b'PONG\0' else 1)
except OSError:
    sys.exit(1)
EOF
}

# _clamd_wait DIR PID: up to 30 s for PONG, while the process lives
_clamd_wait() {
  _i=0
  while [ $_i -lt 300 ]; do
    kill -0 "$2" 2>/dev/null || break
    clamd_ping "$1" && return 0
    sleep 0.1
    _i=$((_i + 1))
  done
  echo "clamd in $1 did not answer:" >&2
  tail -5 "$1/clamd.out" >&2 2>/dev/null
  clamd_stop "$1"
  return 1
}

clamd_start() {
  _d=$1 _port=${2:-} _addr=${3:-127.0.0.1} _user=${CLAMD_USER:-$(id -un)}
  mkdir -p "$_d/db" "$_d/tmp" || return 1
  cp "$TOP"/tests/sigs/* "$_d/db/" || return 1
  {
    if [ -n "$_port" ]; then
      echo "TCPSocket $_port"
      echo "TCPAddr $_addr"
    else
      echo "LocalSocket $_d/clamd.sock"
    fi
    echo "DatabaseDirectory $_d/db"
    echo "TemporaryDirectory $_d/tmp"
    echo "Foreground yes"
    echo "User $_user"
    echo "PidFile $_d/clamd.pid"
    echo "LogFile $_d/clamd.log"
    echo "LogClean yes"
    echo "StreamMaxLength ${CLAMD_STREAMMAX:-25M}"
    [ -z "${CLAMD_EXTRA:-}" ] || cat "$CLAMD_EXTRA"
  } >"$_d/clamd.conf" || return 1
  if [ -n "$_port" ]; then echo "$_addr:$_port"; else echo "$_d/clamd.sock"; fi >"$_d/addr"
  [ "$_user" = "$(id -un)" ] || chown -R "$_user" "$_d" || return 1
  "$CLAMD" -c "$_d/clamd.conf" >"$_d/clamd.out" 2>&1 &
  echo $! >"$_d/clamd.bgpid"
  clamd_dirs="$clamd_dirs $_d"
  _clamd_wait "$_d" $!
}

clamd_stop() {
  _pid=$(clamd_pid "$1")
  [ -n "$_pid" ] || return 0
  kill -TERM "$_pid" 2>/dev/null
  _i=0
  while kill -0 "$_pid" 2>/dev/null && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
  kill -KILL "$_pid" 2>/dev/null
  wait "$_pid" 2>/dev/null
  rm -f "$1/clamd.bgpid"
  return 0
}

# also those started in a subshell, which could not add to $clamd_dirs
# server_wait DIR NAME PING ADDR...: waits, 60 s at most, for the server
# started in DIR (its pid in DIR/clamd.bgpid) to answer PING on every
# ADDR. If it ends or never answers: the tails of DIR/NAME.out and
# DIR/NAME.log on fd 2, the server stopped, 1.
server_wait() {
  _wd=$1 _wn=$2 _wp=$3
  shift 3
  _wi=0
  while [ $_wi -lt 600 ]; do
    kill -0 "$(cat "$_wd/clamd.bgpid")" 2>/dev/null || break
    _wok=1
    for _wa; do "$_wp" "$_wa" || { _wok=0; break; }; done
    [ $_wok = 1 ] && return 0
    sleep 0.1
    _wi=$((_wi + 1))
  done
  echo "$_wn in $_wd did not answer:" >&2
  tail -5 "$_wd/$_wn.out" "$_wd/$_wn.log" >&2 2>/dev/null
  clamd_stop "$_wd"
  return 1
}

clamd_stop_all() {
  for _sd in $clamd_dirs "$T"/*/clamd.bgpid; do clamd_stop "${_sd%/clamd.bgpid}"; done
}

free_ports() {
  "$PYTHON" - "$1" <<'EOF'
import socket, sys
ss = []
for i in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    ss.append(s)
print(' '.join(str(s.getsockname()[1]) for s in ss))
EOF
}

# Modes of fake_clamd, per connection:
#   garbage  read the request, answer bytes that are no clamd reply, close
#   unknown  read the request, answer "stream: MAYBE\0"
#   twice    read the request, answer "stream: OK\0stream: OK\0"
#   partial  read the request, answer "stream: O" and close
#   long     read the request, answer 5000 bytes without a NUL
#   silent   read the request, never answer, keep the connection open
#   close    close at once, before reading anything
#   early    answer "stream: OK\0" at once, before reading anything, close
# fake_server DIR MODE ADDR: runs the python fake server whose body is on
# stdin in the background, after a prelude that sets mode, addr and d (DIR)
# and listens on ls (ADDR: a port on 127.0.0.1 or a socket path); returns
# once it listens. Its pid goes where clamd_stop looks.
fake_server() {
  _d=$1
  mkdir -p "$_d" || return 1
  echo "$3" >"$_d/addr"
  rm -f "$_d/ready"
  { cat <<'EOF'
import os, socket, sys
mode, addr, d = sys.argv[1:4]
if addr.startswith('/'):
    ls = socket.socket(socket.AF_UNIX)
    ls.bind(addr)
else:
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('127.0.0.1', int(addr)))
ls.listen(16)
open(os.path.join(d, 'ready'), 'w').close()
EOF
    cat; } >"$_d/fake.py" || return 1
  "$PYTHON" "$_d/fake.py" "$2" "$3" "$_d" >"$_d/clamd.out" 2>&1 &
  echo $! >"$_d/clamd.bgpid"
  clamd_dirs="$clamd_dirs $_d"
  _i=0
  while [ ! -e "$_d/ready" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
  [ -e "$_d/ready" ]
}

fake_clamd() {
  fake_server "$@" <<'EOF'
import array, struct
held = []

def readn(c, n):
    b = b''
    while len(b) < n:
        d = c.recv(min(n - len(b), 1 << 20))
        if not d:
            raise EOFError
        b += d
    return b

def request(c):
    cmd = b''
    while not cmd.endswith(b'\0'):
        cmd += readn(c, 1)
    if cmd == b'zINSTREAM\0':
        while True:
            n = struct.unpack('!I', readn(c, 4))[0]
            if n == 0:
                return
            readn(c, n)
    elif cmd == b'zFILDES\0':
        _, anc, _, _ = c.recvmsg(1, socket.CMSG_SPACE(4))
        for lvl, typ, data in anc:
            if lvl == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
                for fd in array.array('i', data[:4]):
                    os.close(fd)

answers = {'garbage': b'\x01\x02 no such reply\n', 'unknown': b'stream: MAYBE\0',
           'twice': b'stream: OK\0stream: OK\0', 'partial': b'stream: O',
           'long': b'x' * 5000}
while True:
    c, _ = ls.accept()
    try:
        if mode == 'early':
            c.sendall(b'stream: OK\0')
        elif mode != 'close':
            request(c)
            if mode == 'silent':
                held.append(c)
                continue
            c.sendall(answers[mode])
    except (EOFError, OSError):
        pass
    c.close()
EOF
}

# The EICAR test string, built from two halves so that this file itself is not
# an EICAR file, and the marker of the second test signature (tests/sigs).
eicar() { printf '%s%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$' 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'; }
MARKER='QHPSI-TEST-SAMPLE-4b1d2f9e: this marker is not a virus, qhpsi tests look for it'

_headers() {
  printf 'Received: from client (127.0.0.1) by mx.example.org; 1 Jan 2025 00:00:00 -0000\n'
  printf 'From: sender@example.com\nTo: rcpt@example.org\nSubject: %s\n' "$1"
  printf 'Date: Wed, 1 Jan 2025 00:00:00 +0000\nMessage-ID: <%s@example.com>\n' "$1"
}

# _attach SUBJECT FILENAME TYPE FILE: a multipart mail with FILE base64-encoded
_attach() {
  _headers "$1"
  printf 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b0undary"\n\n'
  printf 'This is a multi-part message in MIME format.\n\n--b0undary\n'
  printf 'Content-Type: text/plain; charset=us-ascii\n\nSee the attachment.\n\n--b0undary\n'
  printf 'Content-Type: %s; name="%s"\nContent-Transfer-Encoding: base64\n' "$3" "$2"
  printf 'Content-Disposition: attachment; filename="%s"\n\n' "$2"
  base64 <"$4"
  printf '\n--b0undary--\n'
}

samples() {
  _s=$1
  mkdir -p "$_s/work" || return 1
  { _headers plain; printf '\nThe test string follows.\n'; eicar; printf '\n'; } >"$_s/eicar.eml"
  eicar >"$_s/work/eicar.com"
  _attach base64 eicar.com application/octet-stream "$_s/work/eicar.com" >"$_s/b64.eml"
  # compressible, so that zip deflates it and only an unzip can find it
  { eicar; printf '\n'; yes 'padding padding padding' | head -200; } >"$_s/work/eicar.txt"
  (cd "$_s/work" && zip -q -9 eicar.zip eicar.txt) || return 1
  _attach zip eicar.zip application/zip "$_s/work/eicar.zip" >"$_s/zip.eml"
  { _headers marker; printf '\nA line before.\n%s\nA line after.\n' "$MARKER"; } >"$_s/sample.eml"
  # clean, though it holds the first half of each test string
  { _headers clean; printf '\nHello,\n\nnothing to see here: '
    eicar | cut -c1-34; printf '%s\n' "$MARKER" | cut -c1-30; printf '\nBye.\n'; } >"$_s/clean.eml"
  printf 'filler line of a rather big test message, to fill socket buffers\n' >"$_s/work/line"
  { _headers big; printf '\n'; yes "$(cat "$_s/work/line")" | head -c 3000000; eicar; printf '\n'; } >"$_s/bigeicar.eml"
  { _headers bigclean; printf '\n'; yes "$(cat "$_s/work/line")" | head -c 3000000; } >"$_s/bigclean.eml"
}

# verdict_is WANT GOT: WANT is "clean", "infected SIG" (a ".UNOFFICIAL"
# suffix, which clamd adds for unsigned databases, is accepted), "error"
# (any error) or "error TEXT" (an error whose text contains TEXT)
verdict_is() {
  case $1 in
    clean) [ "$2" = clean ] ;;
    infected\ *) [ "$2" = "$1" ] || [ "$2" = "$1.UNOFFICIAL" ] ;;
    error) case $2 in "error "*) true ;; *) false ;; esac ;;
    error\ *) case $2 in "error "*"${1#error }"*) true ;; *) false ;; esac ;;
    *) false ;;
  esac
}
