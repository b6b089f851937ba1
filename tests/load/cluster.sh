# tests/load/cluster.sh: the cluster variant of the load test (make
# loadtest-cluster, LOADCLUSTER=1 sh tests/t-load), sourced by tests/t-load
# after the stack is up. Three clamd hosts on 127.0.0.1, .2 and .3 in
# CLAMD_HOSTS; a healthy run, then a run during which one of them is
# stopped (SIGSTOP) LOADSTOPAT seconds in and resumed LOADSTOPFOR seconds
# later. Both accounted for as the scan run is (zero lost, zero doubled,
# every queued message tagged with its verdict, never unscanned as clean);
# per-message p50/p99 of both are printed side by side.

. "$TOP/tests/clamd.sh"
LOADSTOPAT=${LOADSTOPAT:-3}
LOADSTOPFOR=${LOADSTOPFOR:-10}
cleanup_hook() { [ -n "${STOPPED:-}" ] && kill -CONT "$STOPPED" 2>/dev/null; clamd_stop_all; stop_stack; }

set -- $(free_ports 3)
HOSTS="127.0.0.1:$1,127.0.0.2:$2,127.0.0.3:$3"
for i in 1 2 3; do
  eval "_p=\$$i"
  clamd_start "$T/c$i" "$_p" "127.0.0.$i" >/dev/null || { fail "clamd on 127.0.0.$i:$_p"; exit 1; }
done
pass "three clamd hosts: $HOSTS"
# the sandbox's queue user is qmaild, not qmailq: its state table is made its own
chown qmaild "$QH/qhpsi/hosts/qmailq" || fail "chown the hosts' state table"
: >"$V/CLAMD_SOCKET"
echo "$HOSTS" >"$V/CLAMD_HOSTS"
# a stopped host holds each message sent to it for half of this
echo 20 >"$V/QHPSITIMEOUT"
echo 300 >"$V/QHPSICONNECTMS"
if restart_smtpd; then pass "the service restarted with CLAMD_HOSTS"; else fail "restart with CLAMD_HOSTS"; fi
echo "# cluster: CLAMD_HOSTS=$HOSTS QHPSITIMEOUT=20 QHPSICONNECTMS=300 QHPSIHELPER=$(cat "$V/QHPSIHELPER" 2>/dev/null)"

# hostcount RUN: the log lines of the last run per answering host
hostcount() { cat "$LOG"/@* "$LOG/current" 2>/dev/null | grep ' qhpsi: qp=' | tail -n "$LOADN" |
  sed -n 's/.* host=\([^ ]*\)$/\1/p' | sort | uniq -c | awk -v r="$1" '{ printf "# %s: %s answered %d\n", r, $2, $1 }'; }

load healthy scan
hostcount healthy
clear_queue
# the next run's accounting reads the log afresh: this one's lines go aside
svc -a "$SVC/qmail-smtpd/log"
until_ok 10 sh -c "[ ! -s '$LOG/current' ]" || fail "rotate the log"
mkdir -p "$T/healthylog" && mv "$LOG"/@* "$T/healthylog/"

STOPPED=$(clamd_pid "$T/c2")
( sleep "$LOADSTOPAT"; kill -STOP "$STOPPED"; echo "# stopped: clamd on 127.0.0.2 (pid $STOPPED) stopped at ${LOADSTOPAT} s" >&2
  sleep "$LOADSTOPFOR"; kill -CONT "$STOPPED"; echo "# stopped: and resumed at $((LOADSTOPAT + LOADSTOPFOR)) s" >&2 ) &
stopper=$!
load stopped scan
wait "$stopper"
STOPPED=
hostcount stopped
check "stopped: clamd on 127.0.0.2 lives on" kill -0 "$(clamd_pid "$T/c2")"
for r in healthy stopped; do
  sed -n "s/^$r: seconds per message (MAIL to the reply after the data): median \([0-9.]*\), 90% [0-9.]*, 99% \([0-9.]*\),.*/\1 \2/p" "$T/$r.out" >"$T/$r.pct"
done
read -r h50 h99 <"$T/healthy.pct"
read -r s50 s99 <"$T/stopped.pct"
echo "# per message, seconds: healthy p50 $h50 p99 $h99; one host stopped p50 $s50 p99 $s99"
clear_queue
clamd_stop_all
