#!/bin/sh
# install.sh DESTDIR PREFIX: installs qhpsi with qmail's owners and modes.
# With DESTDIR (a staging tree) nothing is chowned and no set-id bit is set;
# the commands a package must run as root on the target are printed instead.

set -u
dest=$1 prefix=$2
home=$dest$prefix
die() { echo "install: fatal: $*" >&2; exit 111; }

if [ -z "$dest" ]; then
  for u in qmailq qmails qmailr qscand; do
    id "$u" >/dev/null 2>&1 || die "user $u does not exist: create qmail's users and qscand first (INSTALL)"
  done
  getent group qmail >/dev/null || die "group qmail does not exist (INSTALL)"
fi

# i SRC DIR MODE OWNER:GROUP
i() {
  mkdir -p "$home/$2" || die "unable to create $home/$2"
  cp "$1" "$home/$2/.tmp.${1##*/}" || die "unable to copy $1"
  if [ -z "$dest" ]; then
    chown "$4" "$home/$2/.tmp.${1##*/}" || die "unable to chown $1"
    chmod "$3" "$home/$2/.tmp.${1##*/}" || die "unable to chmod $1"
  else
    chmod "$(echo "$3" | sed 's/^[2467]\(...\)$/0\1/')" "$home/$2/.tmp.${1##*/}" || die "unable to chmod $1"
    [ "$3" != "$(echo "$3" | sed 's/^[2467]\(...\)$/0\1/')" ] &&
      echo "on the target, as root: chown $4 $prefix/$2/${1##*/} && chmod $3 $prefix/$2/${1##*/}"
  fi
  mv -f "$home/$2/.tmp.${1##*/}" "$home/$2/${1##*/}" || die "unable to install $1"
}

i src/qmail-queue bin 4711 qmailq:qmail
i src/qhpsi bin 6711 qscand:qmail
i src/qhpsi-quarantine bin 0755 root:root
i src/qhpsi-mkqueue bin 0755 root:root
i src/qhpsi-selftest bin 0755 root:root
for p in list show release purge delete; do i "src/qhpsi-$p" bin 0755 root:root; done
for p in plugins/*.so; do i "$p" plugins 0644 root:root; done
chmod 0755 "$home/plugins"
for m in doc/*.[0-9]; do
  sec=${m##*.}
  i "$m" "man/man$sec" 0644 root:root
done
mkdir -p "$home/control" || die "unable to create $home/control"
if [ ! -d "$home/queue" ]; then
  if [ -z "$dest" ]; then src/qhpsi-mkqueue "$home" || exit 111
  else src/qhpsi-mkqueue -n "$home" || exit 111
    echo "on the target, as root: $prefix/bin/qhpsi-mkqueue $prefix (sets the queue's owners)"
  fi
fi
# the central quarantine, for a queue made before it existed
if [ ! -d "$home/quarantine/new" ]; then
  mkdir -p "$home/quarantine/tmp" "$home/quarantine/new" || die "unable to create $home/quarantine"
  chmod 0700 "$home/quarantine" "$home/quarantine/tmp" "$home/quarantine/new" || die "unable to chmod $home/quarantine"
  if [ -z "$dest" ]; then chown -R qmailq:qmail "$home/quarantine" || die "unable to chown $home/quarantine"
  else echo "on the target, as root: chown -R qmailq:qmail $prefix/quarantine"
  fi
fi
# a set-id program beside ours that anyone may run is a way around the scan
# (a kept qmail-queue.orig 4711 queues unscanned mail for every local user)
for f in "$home"/bin/* "$home"/bin/.[!.]*; do
  [ -f "$f" ] || continue
  case ${f##*/} in qmail-queue|qhpsi) continue ;; esac
  if [ -n "$(find "$f" -prune -perm /6000 -perm /001 2>/dev/null)" ]; then
    echo "install: warning: $prefix/bin/${f##*/} is set-id and runnable by all: local users can" \
      "queue mail through it unscanned; chmod 400 it, or remove it" >&2
  fi
done
exit 0
