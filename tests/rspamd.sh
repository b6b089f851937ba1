# tests/rspamd.sh: sourced after tests/lib.sh and tests/clamd.sh; a private
# rspamd (Debian's) with a minimal configuration of its own, and a fake
# rspamd for the hostile cases.
#
# rspamd_start DIR PORT   rspamd's normal worker on DIR/rspamd.sock and on
#                         127.0.0.1:PORT; no controller, no proxy, no Redis,
#                         DNS pointed at nothing; pid, logs, Hyperscan cache
#                         in DIR; waits (60 s at most) for /ping to answer
#   What it is set up to do (Settings-ID picks it):
#     act-reject act-soft act-grey act-addheader act-rewrite act-discard
#     act-quarantine   that action, through force_actions, with a score
#     act-ham          no action, score -0.10
#     outbound         a DKIM signature for example.org, selector "test",
#                      with DIR/dkim.key; DIR/dkim.txt holds the TXT record
#   and the same actions for a message to act-ACTION@example.net
#   (act-soft@...), with no Settings-ID
#   and GTUBE is rejected whatever the settings.
# rspamd_stop DIR         TERM, then KILL after 10 s
# rspamd_ping ADDR        0 when the worker at ADDR (socket path or port)
#                         answers /ping
# fake_rspamd DIR MODE ADDR  a fake rspamd on ADDR (port or socket path),
#                         answering every request the MODE way (see there);
#                         the last request's head and body go to DIR/req.head
#                         and DIR/req.body

RSPAMD=${RSPAMD:-/usr/sbin/rspamd}
[ -x "$RSPAMD" ] || RSPAMD=/usr/bin/rspamd

rspamd_ping() {
  "$PYTHON" - "$1" <<'EOF'
import socket, sys
a = sys.argv[1]
try:
    if a.startswith('/'):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(2)
        s.connect(a)
    else:
        s = socket.create_connection(('127.0.0.1', int(a)), 2)
    s.sendall(b'GET /ping HTTP/1.0\r\n\r\n')
    r = b''
    while len(r) < 4096:
        d = s.recv(4096)
        if not d:
            break
        r += d
    sys.exit(0 if r.split(b'\r\n')[0].split(b' ')[1:2] == [b'200'] and r.rstrip().endswith(b'pong') else 1)
except OSError:
    sys.exit(1)
EOF
}

rspamd_conf() {
  _d=$1 _port=$2
  cat <<EOF
options {
  pidfile = "$_d/rspamd.pid";
  filters = "dkim";
  dns { nameserver = ["127.0.0.1:1"]; timeout = 0.2s; retransmits = 0; sockets = 1; }
  hs_cache_dir = "$_d/db";
  cache_file = "$_d/db/symbols.cache";
  control_socket = "$_d/run/control.sock mode=0600";
  tempdir = "$_d/run";
  explicit_modules = ["settings"];
  local_addrs = [];
  task_timeout = 8s;
}
logging { type = "file"; filename = "$_d/rspamd.log"; level = "info"; }
worker "normal" {
  bind_socket = "$_d/rspamd.sock mode=0666";
  bind_socket = "127.0.0.1:$_port";
  count = 1;
}
actions {
  reject = 15; add_header = 6; greylist = 4; subject = "***SPAM*** %s";
  discard { flags = ["no_threshold"]; }
  quarantine { flags = ["no_threshold"]; }
}
group "qhpsitest" {
  symbols {
    QT_REJECT { weight = 20.0; }
    QT_SOFT { weight = 1.5; }
    QT_GREY { weight = 4.5; }
    QT_ADDHEADER { weight = 7.25; }
    QT_REWRITE { weight = 8.0; }
    QT_DISCARD { weight = 9.0; }
    QT_QUARANTINE { weight = 10.0; }
    QT_HAM { weight = -0.1; }
  }
}
modules { path = "/usr/share/rspamd/plugins"; }
dkim { }
settings {
$(for a in REJECT SOFT GREY ADDHEADER REWRITE DISCARD QUARANTINE HAM; do
    l=$(echo $a | tr A-Z a-z)
    echo "  act-$l { id = \"act-$l\"; apply { symbols = [\"QT_$a\"]; } }"
    echo "  to-$l { rcpt = \"act-$l@example.net\"; apply { symbols = [\"QT_$a\"]; } }"
  done)
  outbound { id = "outbound"; apply { } }
}
force_actions {
  rules {
    qt_reject { action = "reject"; expression = "QT_REJECT"; message = "refused by the test rule"; }
    qt_soft { action = "soft reject"; expression = "QT_SOFT"; message = "try again later"; }
    qt_grey { action = "greylist"; expression = "QT_GREY"; message = "greylisted, come back"; }
    qt_addheader { action = "add header"; expression = "QT_ADDHEADER"; }
    qt_rewrite { action = "rewrite subject"; expression = "QT_REWRITE"; }
    qt_discard { action = "discard"; expression = "QT_DISCARD"; }
    qt_quarantine { action = "quarantine"; expression = "QT_QUARANTINE"; }
  }
}
# only for the outbound settings: rspamd signs what the request says is outbound
dkim_signing {
  sign_inbound = true; sign_local = true; sign_authenticated = true;
  allow_hdrfrom_mismatch = true; allow_username_mismatch = true; use_esld = false;
  sign_condition = "return function(task) local s = task:get_request_header('Settings-ID'); if s and tostring(s) == 'outbound' then return {domain = 'example.org', selector = 'test', key = '$_d/dkim.key'} end return false end";
}
EOF
}

rspamd_start() {
  _d=$1 _port=$2
  mkdir -p "$_d/db" "$_d/run" || return 1
  openssl genrsa -out "$_d/dkim.key" 2048 2>/dev/null || return 1
  printf 'v=DKIM1; k=rsa; p=%s' "$(openssl rsa -in "$_d/dkim.key" -pubout -outform DER 2>/dev/null | base64 -w0)" >"$_d/dkim.txt"
  rspamd_conf "$_d" "$_port" >"$_d/rspamd.conf" || return 1
  echo "$_d/rspamd.sock" >"$_d/addr"
  if [ "$(id -u)" = 0 ] && id _rspamd >/dev/null 2>&1; then
    chown -R _rspamd:_rspamd "$_d" || return 1
    set -- -u _rspamd -g _rspamd
  else
    set --
  fi
  "$RSPAMD" -f -c "$_d/rspamd.conf" "$@" >"$_d/rspamd.out" 2>&1 &
  echo $! >"$_d/clamd.bgpid"   # clamd_stop_all stops it with the others
  clamd_dirs="$clamd_dirs $_d"
  server_wait "$_d" rspamd rspamd_ping "$_d/rspamd.sock" "$_port"
}

rspamd_stop() { clamd_stop "$1"; }

# Modes of fake_rspamd, per connection (after reading the whole request
# unless said otherwise):
#   echo       keep the request, answer "no action", score 1.5
#   garbage    200 with a body that is no JSON
#   trailing   a good reply with bytes after it
#   huge       200 with a 2 MiB body (Content-Length)
#   endless    200, chunked, chunks without end
#   deep       200 with JSON nested 10000 deep
#   crlfmsg    reject with a CR LF and a field in smtp_message
#   crlfhdr    add header, X-Rspamd-Bad with a CR LF and a field in it
#   lfdkim     no action, a dkim-signature with a bare LF and a field
#   odd        no action, milter headers rspamd may not set, a long one, one
#              past ASCII, and fine ones
#   nan        a score of NaN; unknown: action "maybe"; noscore: no score
#   status500, status404   that status, no body
#   drip       the status line, one byte a second, without end
#   silent     never answer, keep the connection
#   close      close at once, before reading anything
fake_rspamd() {
  _d=$1
  mkdir -p "$_d" || return 1
  echo "$3" >"$_d/addr"
  rm -f "$_d/ready"
  "$PYTHON" - "$2" "$3" "$_d" >"$_d/fake.out" 2>&1 <<'EOF' &
import json, socket, sys, threading, time
mode, addr, d = sys.argv[1:4]
if addr.startswith('/'):
    ls = socket.socket(socket.AF_UNIX)
    ls.bind(addr)
else:
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('127.0.0.1', int(addr)))
ls.listen(16)
open(d + '/ready', 'w').close()
held = []

def request(c):
    b = b''
    while b'\r\n\r\n' not in b:
        x = c.recv(65536)
        if not x:
            raise EOFError
        b += x
    head, _, body = b.partition(b'\r\n\r\n')
    n = 0
    for l in head.split(b'\r\n')[1:]:
        k, _, v = l.partition(b':')
        if k.strip().lower() == b'content-length':
            n = int(v)
    while len(body) < n:
        x = c.recv(65536)
        if not x:
            raise EOFError
        body += x
    open(d + '/req.head', 'wb').write(head + b'\r\n')
    open(d + '/req.body', 'wb').write(body)

def ok(body, extra=b''):
    if not isinstance(body, bytes):
        body = json.dumps(body).encode()
    return b'HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n' % (len(body), extra) + body

base = {'is_skipped': False, 'score': 1.5, 'required_score': 15.0, 'action': 'no action',
        'symbols': {'FAKE_ONE': {'name': 'FAKE_ONE', 'score': 1.5}}, 'messages': {}}
def j(**kw):
    x = dict(base)
    x.update(kw)
    return x
answers = {
    'echo': ok(base),
    'garbage': ok(b'this is { no json'),
    'trailing': ok(json.dumps(base).encode() + b' {}'),
    'deep': ok(b'[' * 10000 + b']' * 10000),
    'crlfmsg': ok(j(action='reject', messages={'smtp_message': 'spam\r\nX-Injected: yes'})),
    'crlfhdr': ok(j(action='add header', milter={'add_headers': {'X-Rspamd-Bad': 'a\r\nX-Injected: yes'}})),
    'lfdkim': ok(j(**{'dkim-signature': 'v=1; a=rsa-sha256;\nX-Injected: yes'})),
    'odd': ok(j(milter={'add_headers': {'X-Spam-Flag': 'YES', 'Subject': 'owned', 'Received': 'from nowhere',
                                        'X-Rspamd-Server': {'value': 'fake', 'order': 0},
                                        'X-Rspamd-Queue-Id': ['q1', 'q2'], 'X-Rspamd-Utf8': 'caf\u00e9',
                                        'X-Rspamd-Long': 'x' * 5000}})),
    'nan': ok(b'{"score": NaN, "required_score": 15.0, "action": "no action"}'),
    'unknown': ok(j(action='maybe')),
    'noscore': ok({'action': 'no action', 'required_score': 15.0}),
    'status500': b'HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n',
    'status404': b'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n',
}

def serve(c):
    try:
        if mode == 'close':
            return
        request(c)
        if mode == 'silent':
            held.append(c)
            time.sleep(3600)
        elif mode == 'huge':
            c.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 2097152\r\n\r\n')
            c.sendall(b' ' * 2097152)
        elif mode == 'endless':
            c.sendall(b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n')
            while True:
                c.sendall(b'10000\r\n' + b' ' * 65536 + b'\r\n')
        elif mode == 'drip':
            for ch in b'HTTP/1.1 200 OK\r\n' * 1000:
                c.send(bytes([ch]))
                time.sleep(1)
        else:
            c.sendall(answers[mode])
    except (EOFError, OSError):
        pass
    finally:
        if mode != 'silent':
            c.close()

while True:
    c, _ = ls.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF
  echo $! >"$_d/clamd.bgpid"
  clamd_dirs="$clamd_dirs $_d"
  _i=0
  while [ ! -e "$_d/ready" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
  [ -e "$_d/ready" ]
}

# the GTUBE test string, in two halves so that this file is not one
gtube() { printf '%s%s' 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD' '-ANTI-UBE-TEST-EMAIL*C.34X'; }

# dkim_verify KEYTXT FILE: python3-dkim's verdict on FILE, with KEYTXT as
# the DNS TXT record of every selector; prints "pass" or "fail"
dkim_verify() {
  "$PYTHON" - "$1" "$2" <<'EOF'
import sys, dkim
key = open(sys.argv[1], 'rb').read()
msg = open(sys.argv[2], 'rb').read().replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')
print('pass' if dkim.verify(msg, dnsfunc=lambda name, timeout=5: key) else 'fail')
EOF
}
