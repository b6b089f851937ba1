#!/bin/sh
# qhpsi-mkqueue: creates a qmail home's queue tree with qmail 1.03's modes,
# and its owners unless -n is given (tests, DESTDIR installs).
# Usage: qhpsi-mkqueue [-n] QMAILHOME

split=@SPLIT@
own=1
[ "${1-}" = -n ] && { own=0; shift; }
[ $# -eq 1 ] || { echo "usage: qhpsi-mkqueue [-n] QMAILHOME" >&2; exit 100; }
home=$1

die() { echo "qhpsi-mkqueue: fatal: $*" >&2; exit 111; }

# d PATH OWNER MODE: a directory
d() {
  mkdir -p "$home/$1" || die "unable to create $home/$1"
  [ $own = 1 ] && { chown "$2:qmail" "$home/$1" || die "unable to chown $home/$1"; }
  chmod "$3" "$home/$1" || die "unable to chmod $home/$1"
}
# f PATH OWNER MODE SIZE: a file of SIZE zero bytes, made once
f() {
  [ -f "$home/$1" ] || head -c "$4" /dev/zero > "$home/$1" || die "unable to create $home/$1"
  [ $own = 1 ] && { chown "$2:qmail" "$home/$1" || die "unable to chown $home/$1"; }
  chmod "$3" "$home/$1" || die "unable to chmod $home/$1"
}
# split PATH OWNER MODE: a directory and its numbered subdirectories
dsplit() {
  d "$1" "$2" "$3"
  i=0
  while [ $i -lt $split ]; do d "$1/$i" "$2" "$3"; i=$((i + 1)); done
}

mkdir -p "$home" || die "unable to create $home"
d queue qmailq 0750
d queue/pid qmailq 0700
d queue/intd qmailq 0700
d queue/todo qmailq 0750
d queue/bounce qmails 0700
dsplit queue/mess qmailq 0750
dsplit queue/info qmails 0700
dsplit queue/local qmails 0700
dsplit queue/remote qmails 0700
d queue/lock qmailq 0750
f queue/lock/tcpto qmailr 0644 1024
f queue/lock/sendmutex qmails 0600 0
# the central quarantine, beside the queue: qmail-send never looks there
d quarantine qmailq 0700
d quarantine/tmp qmailq 0700
d quarantine/new qmailq 0700
[ -p "$home/queue/lock/trigger" ] || mkfifo "$home/queue/lock/trigger" || die "unable to create the trigger"
[ $own = 1 ] && { chown qmails:qmail "$home/queue/lock/trigger" || die "unable to chown the trigger"; }
chmod 0622 "$home/queue/lock/trigger" || die "unable to chmod the trigger"
# the log FIFO of qmail-queue (qmail-queue(8), LOG): the qhpsi-log
# service reads it; the directory is root's so nobody else can swap it
d qhpsi root 0755
[ -p "$home/qhpsi/log" ] || mkfifo "$home/qhpsi/log" || die "unable to create the log FIFO"
[ $own = 1 ] && { chown qmailq:qmail "$home/qhpsi/log" || die "unable to chown the log FIFO"; }
chmod 0600 "$home/qhpsi/log" || die "unable to chmod the log FIFO"
# the scanner hosts that failed recently (qhpsi-clamd(8), POOLS): one table
# per writer, qmail-queue's and the helper's, in a directory of root's so
# that nobody else can plant or swap one
d qhpsi/hosts root 0755
f qhpsi/hosts/qmailq qmailq 0644 2048
f qhpsi/hosts/qscand qscand 0644 2048
exit 0
