# tests/spamd.sh: sourced after tests/lib.sh and tests/clamd.sh; a private
# SpamAssassin spamd (Debian's) and a fake one for the spamd.so tests.
#
# spamd_start DIR PORT   start spamd with its own configuration in DIR:
#                        local tests only, no DNS, no Bayes, no auto-learn,
#                        user preferences from DIR/users/USER/user_prefs;
#                        listening on DIR/spamd.sock and 127.0.0.1:PORT;
#                        waits (60 s at most) until both answer PING
# spamd_stop DIR         stop it (TERM, then KILL after 10 s)
# spamd_ping ADDR        0 when a spamd on ADDR (socket path or host:port)
#                        answers PING with PONG
# fake_spamd DIR MODE ADDR   a fake spamd on ADDR (port or socket path)
#                        that answers every request the MODE way (below);
#                        DIR/requests gets each request's head, DIR/conns
#                        a line per connection
# gtube                  SpamAssassin's GTUBE test string (built from halves)
#
# The fake and spamd are stopped by clamd_stop_all (the EXIT trap).

SPAMD=${SPAMD:-/usr/sbin/spamd}

spamd_ping() {
  "$PYTHON" - "$1" <<'EOF'
import socket, sys
a = sys.argv[1]
try:
    if a.startswith('/'):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(2)
        s.connect(a)
    else:
        h, _, p = a.rpartition(':')
        s = socket.create_connection((h, int(p)), 2)
    s.sendall(b'PING SPAMC/1.5\r\n\r\n')
    r = b''
    while len(r) < 64:
        d = s.recv(64)
        if not d:
            break
        r += d
    sys.exit(0 if r.startswith(b'SPAMD/1.') and b' 0 PONG' in r else 1)
except OSError:
    sys.exit(1)
EOF
}

spamd_start() {
  _d=$1 _port=$2
  mkdir -p "$_d/site" "$_d/users" || return 1
  # the packaged plugin loads (init.pre, v3*.pre); the rules stay Debian's
  for _f in /etc/spamassassin/*.pre; do [ -e "$_f" ] && cp "$_f" "$_d/site/"; done
  cat >"$_d/site/local.cf" <<'EOF'
# qhpsi tests: nothing leaves the machine, nothing is learnt or written
use_bayes 0
bayes_auto_learn 0
dns_available no
skip_rbl_checks 1
EOF
  chmod -R a+rX "$_d" || return 1
  _user=
  [ "$(id -u)" = 0 ] && _user="-u nobody"
  # shellcheck disable=SC2086
  "$SPAMD" -L $_user -x --siteconfigpath="$_d/site" --virtual-config-dir="$_d/users/%u" \
    --pidfile="$_d/spamd.pid" --listen="$_d/spamd.sock" --listen="127.0.0.1:$_port" \
    -m "${SPAMD_CHILDREN:-2}" --min-children=1 -s "$_d/spamd.log" >"$_d/spamd.out" 2>&1 &
  echo $! >"$_d/clamd.bgpid"   # clamd_stop and clamd_stop_all stop it by this pid
  clamd_dirs="$clamd_dirs $_d"
  echo "$_d/spamd.sock" >"$_d/addr"
  server_wait "$_d" spamd spamd_ping "$_d/spamd.sock" "127.0.0.1:$_port"
}

spamd_stop() { clamd_stop "$1"; }

gtube() { printf '%s%s\n' 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-' 'ANTI-UBE-TEST-EMAIL*C.34X'; }

# Modes of fake_spamd, per connection (all but early and close read the
# request first: its head, then Content-length bytes):
#   ham      a good answer: "Spam: False ; 1.5 / 5.0", symbols A_RULE,B_RULE
#   garbage  a reply of another protocol (HTTP)
#   binary   a reply head with control bytes
#   exerr    "SPAMD/1.0 76 Bad header line: (xx)" and nothing more, as spamd refuses
#   lying    Content-length 500, then 12 bytes of symbols, close
#   over     Content-length 3, then 12 bytes of symbols
#   endless  a head line that never ends (bytes until the client goes)
#   silent   never answer, keep the connection open
#   drip     the ham answer, one byte every 0.3 s
#   crlf     symbols with a CR LF and a header line inside
#   nospam   EX_OK and symbols, no Spam line
#   bigscore "Spam: True ; 99999999999.0 / 5.0"
#   close    close at once, before reading anything
#   early    the ham answer at once, before reading anything
fake_spamd() {
  mkdir -p "$1" && : >"$1/requests" && : >"$1/conns" || return 1
  fake_server "$@" <<'EOF'
import time
held = []

def request(c):
    b = b''
    while b'\r\n\r\n' not in b:
        x = c.recv(1)
        if not x:
            raise EOFError
        b += x
    with open(os.path.join(d, 'requests'), 'ab') as f:
        f.write(b)
    n = 0
    for l in b.split(b'\r\n'):
        if l.lower().startswith(b'content-length:'):
            n = int(l.split(b':')[1])
    while n:
        x = c.recv(min(n, 65536))
        if not x:
            raise EOFError
        n -= len(x)

ham = b'SPAMD/1.1 0 EX_OK\r\nContent-length: 14\r\nSpam: False ; 1.5 / 5.0\r\n\r\nA_RULE,B_RULE\n'
answers = {
    'ham': ham,
    'garbage': b'HTTP/1.0 200 OK\r\n\r\n',
    'binary': b'SPAMD/1.1 0 EX_OK\r\nSpam: \x01\x02\x1b[2J\r\n\r\n',
    'exerr': b'SPAMD/1.0 76 Bad header line: (xx)\r\n',
    'lying': b'SPAMD/1.1 0 EX_OK\r\nContent-length: 500\r\nSpam: False ; 0.0 / 5.0\r\n\r\nA_RULE,B_RULE',
    'over': b'SPAMD/1.1 0 EX_OK\r\nContent-length: 3\r\nSpam: False ; 0.0 / 5.0\r\n\r\nA_RULE,B_RULE',
    'crlf': b'SPAMD/1.1 0 EX_OK\r\nContent-length: 30\r\nSpam: False ; 0.0 / 5.0\r\n\r\nA_RULE\r\nX-Injected: yes,B_RULE',
    'nospam': b'SPAMD/1.1 0 EX_OK\r\nContent-length: 6\r\n\r\nA_RULE',
    'bigscore': b'SPAMD/1.1 0 EX_OK\r\nContent-length: 6\r\nSpam: True ; 99999999999.0 / 5.0\r\n\r\nA_RULE',
}
while True:
    c, _ = ls.accept()
    with open(os.path.join(d, 'conns'), 'a') as f:
        f.write('conn\n')
    try:
        if mode == 'early':
            c.sendall(ham)
        elif mode != 'close':
            request(c)
            if mode == 'silent':
                held.append(c)
                continue
            if mode == 'endless':
                c.sendall(b'SPAMD/1.1 0 EX_OK\r\nX-Long: ')
                while True:
                    c.sendall(b'x' * 4096)
            elif mode == 'drip':
                for i in range(len(ham)):
                    c.sendall(ham[i:i+1])
                    time.sleep(0.3)
            else:
                c.sendall(answers[mode])
    except (EOFError, OSError):
        pass
    c.close()
EOF
}
