# tests/stack.sh: sourced by tests/t-e2e and tests/demo. The whole SMTP
# stack in a sandbox directory under a real svscan: clamd (service/clamd)
# and mailfront's smtpfront-qmail under tcpserver (service/qmail-smtpd),
# handing each message to our qmail-queue, which runs as qmaild without
# its setuid bit and so takes its paths from QMAILHOME. Needs root and TOP.
#
# start_stack DIR      builds the sandbox in DIR and starts it; 0 when both
#                      clamd and the SMTP port answer. SCANNER=clamd (the
#                      default when /usr/sbin/clamd exists) or clamav
#                      (QHPSI=plugin:clamav.so, no daemon)
# stop_stack           takes it all down; safe to call twice
# send IP KIND [ARGS]  swaks from local address IP; KIND is clean, eicar
#                      (the test string in the body) or attach (as a base64
#                      attachment); ARGS go to swaks. Transcript in
#                      $STACK/swaks.out, the reply to the message in $REPLY
# rules SRC CDB TEXT   writes the tcprules TEXT to SRC and compiles it to CDB
# restart_smtpd        svc -t qmail-smtpd, returns once the new one answers
# queued               the queued message files, one path a line
# queue_empty          true when mess, intd, todo and pid hold no file
# clear_queue          empties the queue
# smtpd_log            the qmail-smtpd log (multilog's current)
# service_pid DIR      the pid of the supervised service DIR, if it is up
# until_ok SECS CMD... runs CMD every 0.1 s until it succeeds, SECS at most
# free_port            a port on 127.0.0.1 where nothing listens
# clamd_answers, smtp_answers: whether they answer now
#
# STACK is DIR, QH the qmail home, SVC the service directory, PORT the SMTP
# port on 127.0.0.1.

STACK= QH= SVC= PORT= REPLY= SVSCAN_PID=
STACK_WAIT=${STACK_WAIT:-30}    # seconds any one start or restart may take

_stack_say() { echo "stack: $*" >&2; }

# the 68-byte EICAR test string, put together so that this file is not one
stack_eicar() {
  _e1='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR'
  printf '%s-%s-%s' "$_e1" STANDARD 'ANTIVIRUS-TEST-FILE!$H+H*'
}

# until_ok SECONDS COMMAND...: retries COMMAND every 0.1 s until it succeeds
until_ok() {
  _st_n=$(($1 * 10)); shift
  while [ "$_st_n" -gt 0 ]; do
    "$@" 2>/dev/null && return 0
    sleep 0.1; _st_n=$((_st_n - 1))
  done
  return 1
}

smtp_answers() { tcpclient -RHl0 -T 2 127.0.0.1 "$PORT" true >/dev/null 2>&1; }
clamd_answers() {
  clamdscan --config-file="$SVC/clamd/clamd.conf" --ping 1 >/dev/null 2>&1
}
service_pid() { svstat "$1" | sed -n 's/^[^:]*: up (pid \([0-9]*\)).*/\1/p'; }

# a port no one listens on, from 2525 up
free_port() {
  _p=$((2525 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000)) _k=0
  while [ $_k -lt 50 ]; do
    tcpclient -RHl0 -T 1 127.0.0.1 "$_p" true >/dev/null 2>&1 || { echo "$_p"; return 0; }
    _p=$((_p + 1)); _k=$((_k + 1))
  done
  return 1
}

rules() {
  printf '%s\n' "$3" >"$1" && tcprules "$2" "$2.tmp" <"$1" && chmod 644 "$2"
}

start_stack() {
  STACK=$1 QH=$1/qmail SVC=$1/service
  if [ -z "${SCANNER:-}" ]; then
    if [ -x /usr/sbin/clamd ]; then SCANNER=clamd; else SCANNER=clamav; fi
  fi
  [ "$(id -u)" = 0 ] || { _stack_say "needs root"; return 1; }
  for _p in svscan supervise svc svstat tcpserver tcprules tcpclient swaks envdir softlimit \
      setuidgid multilog /usr/sbin/smtpfront-qmail; do
    command -v "$_p" >/dev/null || { _stack_say "$_p is not installed (sh install-deps.sh)"; return 1; }
  done
  for _p in src/qmail-queue src/qhpsi src/qhpsi-mkqueue plugins/$SCANNER.so; do
    [ -f "$TOP/$_p" ] || { _stack_say "$_p is not built (make)"; return 1; }
  done
  sh "$TOP/tests/mkusers.sh" || { _stack_say "unable to create qmail's users"; return 1; }
  mkdir -p "$STACK" && chmod 755 "$STACK" || return 1

  # the qmail home: root's programs and control files, qmaild's queue
  "$TOP/src/qhpsi-mkqueue" -n "$QH" >/dev/null || return 1
  chown -R qmaild:nofiles "$QH/queue" || return 1
  mkdir -m 755 "$QH/bin" "$QH/plugins" "$QH/control" || return 1
  cp "$TOP/src/qmail-queue" "$TOP/src/qhpsi" "$QH/bin/" &&
    cp "$TOP/plugins/$SCANNER.so" "$QH/plugins/" && chmod 644 "$QH/plugins/$SCANNER.so" || return 1
  echo mx.example.org >"$QH/control/me"
  echo example.org >"$QH/control/rcpthosts"
  # the signatures: EICAR and a second test signature, nothing else
  mkdir -m 755 "$STACK/db" && cp "$TOP/tests/sigs/"* "$STACK/db/" && chmod 644 "$STACK/db/"* || return 1

  # per-client rules: 127.0.0.1 is tagged only, 127.0.0.2 refused
  rules "$STACK/tcp.smtp" "$STACK/tcp.smtp.cdb" '127.0.0.1:allow,REJECTVIRUS="0"
127.0.0.2:allow,REJECTVIRUS="1"
:allow' || return 1
  # tcpserver reads the rules as qmaild, clamd its files as clamav
  setuidgid nobody test -r "$STACK/tcp.smtp.cdb" ||
    { _stack_say "$STACK is out of reach of other users (a directory above it is not mode 755?)"; return 1; }

  # the services: copies of the project's, with the sandbox's paths
  mkdir -p "$SVC" || return 1
  cp -R "$TOP/service/qmail-smtpd" "$SVC/qmail-smtpd" || return 1
  PORT=$(free_port) || { _stack_say "no free port"; return 1; }
  sed -i -e "s|^QMAIL=[^ ]*|QMAIL=$QH|" -e "s|^RULES=[^ ]*|RULES=$STACK/tcp.smtp.cdb|" \
    -e "s|^IP=[^ ]*|IP=127.0.0.1|" -e "s|^PORT=[^ ]*|PORT=$PORT|" "$SVC/qmail-smtpd/run" || return 1
  # a sanitized build maps terabytes of shadow memory: no softlimit fits it
  if ldd "$TOP/src/qmail-queue" 2>/dev/null | grep -q libasan; then
    sed -i "s|^SOFTLIMIT=[^ ]*|SOFTLIMIT=1000000000000000|" "$SVC/qmail-smtpd/run" || return 1
  fi
  if [ "$SCANNER" = clamd ]; then
    cp -R "$TOP/service/clamd" "$SVC/clamd" || return 1
    sed -i -e "s|/var/run/qhpsi-clamd/clamd.ctl|$STACK/run/clamd.ctl|" \
      -e "s|^DatabaseDirectory .*|DatabaseDirectory $STACK/db|" \
      -e "s|^TemporaryDirectory .*|TemporaryDirectory $STACK/clamtmp|" "$SVC/clamd/clamd.conf" &&
      sed -i -e "s|^SOCKDIR=[^ ]*|SOCKDIR=$STACK/run|" \
        -e "s|^SCANUSERS=\"\([^\"]*\)\"|SCANUSERS=\"\\1 qmaild\"|" "$SVC/clamd/run" || return 1
    # the sandbox's qmail-queue and qhpsi have no set-id bits and run as
    # qmaild: that user joins the scanning path (SCANUSERS) here, and only here
    grep -q '^SCANUSERS="qmailq qscand qmaild"' "$SVC/clamd/run" ||
      { _stack_say "service/clamd/run has no SCANUSERS line to extend"; return 1; }
    mkdir -m 700 "$STACK/clamtmp" && chown clamav: "$STACK/clamtmp" || return 1
    echo "$STACK/run/clamd.ctl" >"$SVC/qmail-smtpd/variables/CLAMD_SOCKET"
  else
    echo plugin:clamav.so >"$SVC/qmail-smtpd/variables/QHPSI"
    echo "$STACK/db" >"$SVC/qmail-smtpd/variables/CLAMAV_DB"
  fi
  # never anything of the system's own
  if grep -v '^ *#' "$SVC"/qmail-smtpd/run "$SVC"/clamd/run "$SVC"/clamd/clamd.conf 2>/dev/null |
      grep -q -e /var/run/clamav -e /var/run/qhpsi-clamd -e /var/lib/clamav -e /var/qmail -e /etc/tcp.smtp; then
    _stack_say "the sandbox copy still names system paths"; return 1
  fi

  svscan "$SVC" >"$STACK/svscan.out" 2>&1 &
  SVSCAN_PID=$!
  if [ "$SCANNER" = clamd ]; then
    until_ok "$STACK_WAIT" clamd_answers || {
      _stack_say "clamd did not answer within $STACK_WAIT s"; tail -5 "$SVC/clamd/log/main/current" >&2; return 1; }
  fi
  until_ok "$STACK_WAIT" smtp_answers || {
    _stack_say "nothing answers on 127.0.0.1:$PORT"; tail -5 "$SVC/qmail-smtpd/log/main/current" >&2; return 1; }
  return 0
}

restart_smtpd() {
  _old=$(service_pid "$SVC/qmail-smtpd")
  svc -t "$SVC/qmail-smtpd" || return 1
  _restarted() { _new=$(service_pid "$SVC/qmail-smtpd"); [ -n "$_new" ] && [ "$_new" != "$_old" ]; }
  until_ok "$STACK_WAIT" _restarted && until_ok "$STACK_WAIT" smtp_answers
}

stop_stack() {
  [ -n "$SVC" ] && [ -d "$SVC" ] || return 0
  _sup=
  if [ -n "$SVSCAN_PID" ]; then
    _sup=$(ps -o pid= --ppid "$SVSCAN_PID" 2>/dev/null)
    kill "$SVSCAN_PID" 2>/dev/null
    wait "$SVSCAN_PID" 2>/dev/null
    SVSCAN_PID=
  fi
  for _s in "$SVC"/*; do
    [ -d "$_s" ] || continue
    svc -dx "$_s" 2>/dev/null
    [ -d "$_s/log" ] && svc -dx "$_s/log" 2>/dev/null
  done
  _all_down() {
    for _s in "$SVC"/* "$SVC"/*/log; do svok "$_s" 2>/dev/null && return 1; done
    return 0
  }
  until_ok 10 _all_down || {
    # supervise did not stop its service in time: end it and them
    for _s in "$SVC"/* "$SVC"/*/log; do
      _p=$(service_pid "$_s"); [ -n "$_p" ] && kill -KILL "$_p" 2>/dev/null
    done
    for _p in $_sup; do kill -KILL "$_p" 2>/dev/null; done
  }
  until_ok 5 _all_down
  SVC=
  return 0
}

send() {
  _ip=$1 _kind=$2; shift 2
  stack_eicar >"$STACK/eicar.com"
  case $_kind in
    clean) set -- --body 'Hello, this message is clean.' "$@" ;;
    eicar) { echo 'The EICAR test string follows.'; stack_eicar; echo; } >"$STACK/eicar.txt"
           set -- --body "@$STACK/eicar.txt" "$@" ;;
    attach) set -- --body 'The EICAR test file is attached.' --attach "@$STACK/eicar.com" "$@" ;;
  esac
  timeout 60 swaks --server 127.0.0.1 --port "$PORT" --local-interface "$_ip" \
    --from "sender@example.com" --to "rcpt@example.org" --helo client.example.com \
    --h-Subject "qhpsi $_kind from $_ip" --timeout 30 "$@" </dev/null >"$STACK/swaks.out" 2>&1
  # the reply after the final dot of the message
  REPLY=$(sed -n '/^ -> \.$/{n;s/^<[-*~]* *//p;q}' "$STACK/swaks.out" | tr -d '\r')
}

queued() { find "$QH/queue/mess" -type f | sort; }
queue_empty() {
  [ -z "$(find "$QH/queue/mess" "$QH/queue/intd" "$QH/queue/todo" "$QH/queue/pid" -type f)" ]
}
clear_queue() {
  find "$QH/queue/mess" "$QH/queue/intd" "$QH/queue/todo" "$QH/queue/pid" -type f -exec rm -f {} +
}
smtpd_log() { cat "$SVC/qmail-smtpd/log/main/current" 2>/dev/null; }
