#!/bin/sh
# tests/mkusers.sh: creates qmail's users and groups and qscand when they
# are missing, as INSTALL describes; for tests that install for real.
set -u
g() { getent group "$1" >/dev/null || groupadd -r "$1"; }
u() { # name group home
  id "$1" >/dev/null 2>&1 || useradd -r -g "$2" -d "$3" -s /usr/sbin/nologin -M "$1"
}
g qmail; g nofiles; g qscand
u alias nofiles /var/qmail/alias
u qmaild nofiles /var/qmail
u qmaill nofiles /var/qmail
u qmailp nofiles /var/qmail
u qmailq qmail /var/qmail
u qmailr qmail /var/qmail
u qmails qmail /var/qmail
u qscand qscand /var/qmail
