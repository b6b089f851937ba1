#!/bin/sh
# install.sh [-u] DESTDIR PREFIX: installs (-u: uninstalls) qhpsi with
# qmail's owners and modes. With DESTDIR (a staging tree) nothing is chowned
# and no set-id bit is set; the commands a package must run as root on the
# target are printed instead. control/ and queue/ are the site's: never
# written, never removed, but for the seal key control/qhpsikey, made once.

set -u
uninstall=0
[ "${1:-}" = -u ] && { uninstall=1; shift; }
dest=$1 prefix=$2
home=$dest$prefix
die() { echo "install: fatal: $*" >&2; exit 111; }

# what make install puts where, for uninstall too; TOOLS are root's 0755
# programs, every one of them (tests/t-install checks them against INSTALL)
TOOLS="qhpsi-quarantine qhpsi-mkqueue qhpsi-selftest qhpsi-list qhpsi-show qhpsi-release qhpsi-purge qhpsi-delete qhpsi-rules qhpsi-report qhpsi-check qhpsi-token qhpsi-metrics qhpsi-top qhpsi-spamrules"
BINS="qhpsi $TOOLS"
PLUGS="clamd.so clamav.so rules.so rspamd.so spamd.so"

# callers: the users' .qmail files and maildrop recipes, and the aliases,
# that still run bin/qhpsi-quarantine (INSTALL, step 9); the homes are the
# users' and those users/assign gives (virtual users, qmail-users(5))
callers() {
  { { getent passwd | cut -d: -f6
      sed -n 's/^[=+][^:]*:[^:]*:[^:]*:[^:]*:\([^:]*\):.*/\1/p' "$home/users/assign" 2>/dev/null
    } | sort -u | while IFS= read -r h; do
      case $h in /|''|/nonexistent) continue ;; esac
      for f in "$h"/.qmail "$h"/.qmail-* "$h"/.mailfilter "$h"/.mailfilter-*; do echo "$f"; done
    done
    for f in "$home"/alias/.qmail*; do echo "$f"; done
    echo /etc/maildroprc
  } | sort -u | while IFS= read -r f; do
    [ -f "$f" ] && grep -q "qhpsi-quarantine" "$f" 2>/dev/null && echo "$f"
  done
}

if [ $uninstall = 1 ]; then
  # mail to them must not be deferred until each file is edited: the
  # filter stays, as a pass-through that files nothing and lets all pass
  inuse=$(callers)
  for b in $BINS; do
    [ "$b" = qhpsi-quarantine ] && [ -n "$inuse" ] && continue
    rm -f "$home/bin/$b" || die "unable to remove $home/bin/$b"
  done
  if [ -n "$inuse" ]; then
    { printf '#!/bin/sh\n# qhpsi-quarantine as make uninstall left it: these files still call it,\n'
      printf '# so it lets every message pass (exit 0). Remove it once none does:\n'
      echo "$inuse" | sed 's/^/#   /'
      printf 'cat >/dev/null\nexit 0\n'
    } > "$home/bin/.tmp.qhpsi-quarantine" && chmod 0755 "$home/bin/.tmp.qhpsi-quarantine" &&
      mv -f "$home/bin/.tmp.qhpsi-quarantine" "$home/bin/qhpsi-quarantine" ||
      die "unable to leave a pass-through $home/bin/qhpsi-quarantine"
    echo "install: these files still call $prefix/bin/qhpsi-quarantine:" >&2
    echo "$inuse" | sed 's/^/  /' >&2
    echo "install: it is left as a pass-through (every message delivered as usual); remove its" \
      "line from each file (INSTALL, Removing qhpsi), then rm $prefix/bin/qhpsi-quarantine" >&2
  fi
  for p in $PLUGS example.so; do rm -f "$home/plugins/$p" || die "unable to remove $home/plugins/$p"; done
  rmdir "$home/plugins" 2>/dev/null
  rm -f "$dest${INCDIR:-$prefix/include}/qhpsi.h" "$dest${INCDIR:-$prefix/include}/qhpsi-plugin.h" \
    "$dest${LIBDIR:-$prefix/lib}/libqhpsi-qmail.a" ||
    die "unable to remove qhpsi.h and libqhpsi-qmail.a"
  for m in doc/*.[0-9]; do
    m=${m#doc/}
    # qmail-queue(8) stays: it replaced the MTA's page, which is gone
    [ "$m" = qmail-queue.8 ] || rm -f "$home/man/man${m##*.}/$m"
  done
  if [ -f "$home/bin/qmail-queue.orig" ]; then
    cp "$home/bin/qmail-queue.orig" "$home/bin/.tmp.qmail-queue" || die "unable to copy qmail-queue.orig"
    if [ -z "$dest" ]; then
      chown qmailq:qmail "$home/bin/.tmp.qmail-queue" && chmod 4711 "$home/bin/.tmp.qmail-queue" ||
        die "unable to chown and chmod qmail-queue.orig"
    else
      chmod 0711 "$home/bin/.tmp.qmail-queue"
      echo "on the target, as root: chown qmailq:qmail $prefix/bin/qmail-queue && chmod 4711 $prefix/bin/qmail-queue"
    fi
    mv -f "$home/bin/.tmp.qmail-queue" "$home/bin/qmail-queue" && rm -f "$home/bin/qmail-queue.orig" ||
      die "unable to put qmail-queue.orig back"
    echo "install: $prefix/bin/qmail-queue is the MTA's again (from qmail-queue.orig)"
  else
    echo "install: $prefix/bin/qmail-queue left in place: there is no qmail-queue.orig to put back," \
      "and without a qmail-queue no mail is queued" >&2
  fi
  exit 0
fi

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
for b in $TOOLS; do i "src/$b" bin 0755 root:root; done
# the production plugins; example.so (EICAR by its first bytes) is a model, not a scanner
for p in $PLUGS; do i "plugins/$p" plugins 0644 root:root; done
chmod 0755 "$home/plugins"
for m in doc/*.[0-9]; do
  sec=${m##*.}
  i "$m" "man/man$sec" 0644 root:root
done
# the API a patched qmail-queue.c builds with (qmail-1.03-patches/README):
# its header and library, where conf-qhpsi of the qmail tree points
for f in include/qhpsi.h:${INCDIR:-$prefix/include} include/qhpsi-plugin.h:${INCDIR:-$prefix/include} \
    lib/libqhpsi-qmail.a:${LIBDIR:-$prefix/lib}; do
  d=$dest${f#*:} f=${f%%:*}
  mkdir -p "$d" && cp "$f" "$d/.tmp.${f##*/}" && chmod 0644 "$d/.tmp.${f##*/}" &&
    mv -f "$d/.tmp.${f##*/}" "$d/${f##*/}" || die "unable to install $f in $d"
done
# the queue belongs to the target, with qmail's owners: a staged tree has none
if [ -z "$dest" ]; then
  mkdir -p "$home/control" || die "unable to create $home/control"
  if [ ! -d "$home/queue" ]; then src/qhpsi-mkqueue "$home" || exit 111; fi
else
  echo "on the target, as root, if $prefix/queue does not exist: $prefix/bin/qhpsi-mkqueue $prefix"
fi
# the central quarantine, for a queue made before it existed; like the
# queue, the target's alone (qhpsi-mkqueue makes it there too)
if [ -z "$dest" ] && [ ! -d "$home/quarantine/new" ]; then
  mkdir -p "$home/quarantine/tmp" "$home/quarantine/new" || die "unable to create $home/quarantine"
  chmod 0700 "$home/quarantine" "$home/quarantine/tmp" "$home/quarantine/new" || die "unable to chmod $home/quarantine"
  chown -R qmailq:qmail "$home/quarantine" || die "unable to chown $home/quarantine"
fi
# the seal key (qmail-queue(8), SEAL): random, the queue user's alone, made
# once and kept: seals made with it stay valid across reinstalls
if [ -z "$dest" ] && [ ! -e "$home/control/qhpsikey" ]; then
  (umask 077 && head -c 32 /dev/urandom > "$home/control/qhpsikey.tmp") &&
    chown qmailq:qmail "$home/control/qhpsikey.tmp" && chmod 0400 "$home/control/qhpsikey.tmp" &&
    mv "$home/control/qhpsikey.tmp" "$home/control/qhpsikey" || die "unable to make $home/control/qhpsikey"
elif [ -n "$dest" ]; then
  echo "on the target, as root, if $prefix/control/qhpsikey does not exist:" \
    "(umask 077; head -c 32 /dev/urandom > $prefix/control/qhpsikey); chown qmailq:qmail $prefix/control/qhpsikey"
fi
# the log FIFO, for a queue made before it existed
if [ -z "$dest" ] && [ ! -p "$home/qhpsi/log" ]; then
  mkdir -p "$home/qhpsi" && chown root:root "$home/qhpsi" && chmod 0755 "$home/qhpsi" \
    || die "unable to create $home/qhpsi"
  mkfifo "$home/qhpsi/log" && chown qmailq:qmail "$home/qhpsi/log" && chmod 0600 "$home/qhpsi/log" \
    || die "unable to create $home/qhpsi/log"
fi
# the scanner hosts' state, for a queue made before it existed
if [ -z "$dest" ] && [ ! -d "$home/qhpsi/hosts" ]; then
  mkdir "$home/qhpsi/hosts" && chown root:root "$home/qhpsi/hosts" && chmod 0755 "$home/qhpsi/hosts" \
    || die "unable to create $home/qhpsi/hosts"
  for u in qmailq qscand; do
    head -c 2048 /dev/zero >"$home/qhpsi/hosts/$u" && chown "$u:qmail" "$home/qhpsi/hosts/$u" \
      && chmod 0644 "$home/qhpsi/hosts/$u" || die "unable to create $home/qhpsi/hosts/$u"
  done
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
