# qhpsi: a virus-scanning qmail-queue. Plain make; see INSTALL.

PREFIX ?= /var/qmail
DESTDIR ?=
# where make install puts qhpsi.h and libqhpsi-qmail.a for patched qmail trees
INCDIR ?= $(PREFIX)/include
LIBDIR ?= $(PREFIX)/lib
# the queue's split: qmail's conf-split; every object and qhpsi-mkqueue get it
SPLIT ?= 23
CC ?= cc
AR ?= ar
OBJCOPY ?= objcopy
CFLAGS ?= -O2 -g
CPPFLAGS ?=
LDFLAGS ?=
# compiled-in settings, for every object; a change rebuilds everything (conf.stamp)
CONF = -DQHPSI_HOME=\"$(PREFIX)\" -DQHPSI_SPLIT=$(SPLIT)

WARN = -std=c99 -D_GNU_SOURCE -Wall -Wextra
HARDEN = -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIC
HARDLD = -pie -Wl,-z,relro,-z,now
SANOBJ =
ifeq ($(SANITIZE),1)
HARDEN = -fsanitize=address,undefined -fno-omit-frame-pointer -fPIC
HARDLD = -fsanitize=address,undefined
SANOBJ = tests/sanitize-options.o
endif
ALLCFLAGS = $(WARN) $(HARDEN) $(CONF) $(CPPFLAGS) $(CFLAGS) -Iinclude -Ilib
LIBS = -l:libskarnet.a -lz

# ---- the library every program shares
# one directory per subsystem (README); lib/api.c is include/qhpsi.h
LIBOBJ = $(addprefix lib/queue/,envelope.o received.o queue.o overlap.o thread.o paths.o xtext.o) \
	$(addprefix lib/policy/,policy.o vars.o spamscore.o spamrules.o names.o tcprules.o template.o spampolicy.o) \
	$(addprefix lib/scan/,scanstep.o scan.o helper.o wire.o plugin.o child.o confine.o verdict.o logdest.o msgid.o seal.o spamhdr.o keep.o customerr.o spamstep.o chain.o) \
	$(addprefix lib/quarantine/,store.o storetool.o release.o maildir.o notice.o) \
	$(addprefix lib/mime/,mime.o mimeparam.o mimedecode.o zipdir.o uuencode.o tnef.o) \
	$(addprefix lib/inspect/,inspect.o zip.o inflate.o uudecode.o) \
	$(addprefix lib/check/,check.o route.o files.o clamd.o) \
	$(addprefix lib/net/,host.o conn.o state.o pool.o stream.o http.o) \
	$(addprefix lib/report/,logline.o logdir.o report.o html.o live.o) \
	$(addprefix lib/metrics/,metrics.o prom.o alarm.o) lib/api.o
# ---- the library a qmail tree links
QMAILLIB = lib/libqhpsi-qmail.a
# ---- programs
PROGS = src/qmail-queue src/qhpsi src/qhpsi-quarantine src/qhpsi-list src/qhpsi-show \
	src/qhpsi-release src/qhpsi-purge src/qhpsi-delete src/qhpsi-rules src/qhpsi-report src/qhpsi-check src/qhpsi-token \
	src/qhpsi-metrics src/qhpsi-top src/qhpsi-spamrules
SCRIPTS = src/qhpsi-mkqueue src/qhpsi-selftest
# ---- plugins: one .c each; PLUGLIBS_<name> adds link libraries
PLUGINS = plugins/example.so plugins/clamd.so plugins/clamav.so plugins/rules.so plugins/spamd.so plugins/rspamd.so
# clamav.so takes its limits as the archive check reads them (lib/inspect)
PLUGLIBS_clamav = lib/libqhpsi.a $(LIBS) -lclamav
# ---- content rules: the compiler and the plugin share these, with Hyperscan and PCRE2
RULESOBJ = lib/rules/rules.o lib/rules/rulesc.o lib/rules/rulesread.o
RULESLIBS = -lhs -lpcre2-8
# the plugin only loads and matches: Hyperscan's runtime library, which
# needs no C++ runtime, is enough and loads in a fraction of the time;
# linked in with PCRE2 (and zlib, for the helper, which links its own),
# their names kept inside the plugin, since the plugin is loaded once per
# message and two shared objects fewer to map and bind save a fifth of a
# millisecond (RULESRTLIBS='-lhs -lpcre2-8'
# where a build has no libhs_runtime)
RULESRTLIBS = -l:libhs_runtime.a -l:libpcre2-8.a -Wl,--exclude-libs,ALL
# ---- unit tests: tests/unit/<name>.c, linked with the library
UNITS = tests/unit/envelope tests/unit/received tests/unit/template tests/unit/net \
	tests/unit/tcprules tests/unit/names tests/unit/verdict tests/unit/maildir tests/unit/api tests/unit/store tests/unit/msgid tests/unit/helper tests/unit/mime tests/unit/inspect \
	tests/unit/seal tests/unit/alarm tests/unit/zip tests/unit/spampolicy tests/unit/stream tests/unit/spamhdr
# ---- programs the tests build for themselves
TESTPLUGINS = tests/plugins/fake.so tests/plugins/legacy.so tests/plugins/unsafe.so \
	tests/plugins/abi1.so tests/plugins/abi2.so tests/plugins/abi4.so \
	tests/plugins/stubborn.so tests/plugins/descend.so tests/plugins/contained.so tests/plugins/fakesc.so \
	tests/plugins/spamtest.so tests/plugins/spamtest-virus.so tests/plugins/spamtest-abi2.so
TESTPROGS = tests/plugins/plugrun tests/plugins/rulecheck tests/plugins/rulesrun tests/plugins/mimewalk tests/plugins/escape \
	tests/plugins/poolshow tests/plugins/spamrun tests/plugins/spamline
BENCHPROGS = tests/bench/qqbench tests/bench/rules tests/bench/confine tests/bench/pool tests/bench/archive tests/bench/checkv2

all: $(PROGS) $(SCRIPTS) $(PLUGINS) $(QMAILLIB)

# conf.stamp: what was compiled in, and with what; rewritten (and so every
# object rebuilt) only when one of these changes since the last make
CONFLINE = PREFIX=$(PREFIX) SPLIT=$(SPLIT) CC=$(CC) CFLAGS=$(CFLAGS) CPPFLAGS=$(CPPFLAGS) LDFLAGS=$(LDFLAGS) SANITIZE=$(SANITIZE)
conf.stamp: FORCE
	@echo '$(CONFLINE)' | cmp -s - $@ || echo '$(CONFLINE)' > $@

%.o: %.c lib/*/*.h include/*.h conf.stamp
	$(CC) $(ALLCFLAGS) -c -o $@ $<

lib/libqhpsi.a: $(LIBOBJ)
	rm -f $@ && $(AR) rcs $@ $(LIBOBJ)

# ---- the library a qmail tree links (qmail-1.03-patches/README): one object,
# skalibs inside, whose only global definitions are the qhpsi_* of qhpsi.h
lib/qhpsi-qmail.syms: include/qhpsi.h
	sed -n 's/^extern .* \(qhpsi_[a-z_]*\) (.*/\1/p' include/qhpsi.h > $@
lib/qhpsi-qmail.o: $(LIBOBJ) lib/qhpsi-qmail.syms
	$(CC) -r -nostdlib -o $@.all $(LIBOBJ) -l:libskarnet.a -l:libz.a
	$(OBJCOPY) --keep-global-symbols=lib/qhpsi-qmail.syms $@.all $@
	rm -f $@.all
$(QMAILLIB): lib/qhpsi-qmail.o
	rm -f $@ && $(AR) rcs $@ lib/qhpsi-qmail.o

src/%: src/%.o lib/libqhpsi.a $(SANOBJ)
	$(CC) $(CFLAGS) $(HARDLD) $(LDFLAGS) -o $@ $< $(SANOBJ) lib/libqhpsi.a $(LIBS) -ldl

# the set-id helper is started once per scanned message: zlib linked in
# rather than loaded (one shared object less to map and relocate)
src/qhpsi: src/qhpsi.o lib/libqhpsi.a $(SANOBJ)
	$(CC) $(CFLAGS) $(HARDLD) $(LDFLAGS) -o $@ $< $(SANOBJ) lib/libqhpsi.a -l:libskarnet.a -l:libz.a -ldl

src/qhpsi-rules: src/qhpsi-rules.o $(RULESOBJ) lib/libqhpsi.a $(SANOBJ)
	$(CC) $(CFLAGS) $(HARDLD) $(LDFLAGS) -o $@ $< $(RULESOBJ) $(SANOBJ) lib/libqhpsi.a $(LIBS) $(RULESLIBS)
plugins/rules.so: plugins/rules.c lib/rules/rules.o lib/libqhpsi.a include/qhpsi-plugin.h conf.stamp
	$(CC) $(ALLCFLAGS) -shared $(LDFLAGS) -o $@ $< lib/rules/rules.o lib/libqhpsi.a -l:libskarnet.a -l:libz.a $(RULESRTLIBS)

# plugins that talk to servers take the network module (lib/net/) from the library
plugins/clamd.so: plugins/clamd.c lib/libqhpsi.a lib/net/*.h include/qhpsi-plugin.h conf.stamp
	$(CC) $(ALLCFLAGS) -shared $(LDFLAGS) -o $@ $< lib/libqhpsi.a $(LIBS)
plugins/spamd.so: plugins/spamd.c lib/libqhpsi.a lib/net/*.h include/qhpsi-plugin.h conf.stamp
	$(CC) $(ALLCFLAGS) -shared $(LDFLAGS) -o $@ $< lib/libqhpsi.a $(LIBS)
# rspamd.so: HTTP (lib/net/http.c) and the JSON reply, parsed by json-c
PLUGLIBS_rspamd = lib/libqhpsi.a $(LIBS) -ljson-c
plugins/rspamd.so: plugins/rspamd.c plugins/rspamdreply.c plugins/rspamdreply.h lib/libqhpsi.a lib/net/*.h include/qhpsi-plugin.h conf.stamp
	$(CC) $(ALLCFLAGS) -shared $(LDFLAGS) -o $@ plugins/rspamd.c plugins/rspamdreply.c $(PLUGLIBS_rspamd)

src/qhpsi-mkqueue: src/qhpsi-mkqueue.sh conf.stamp
	sed -e 's|@SPLIT@|$(SPLIT)|g' < $< > $@ && chmod 755 $@
src/qhpsi-selftest: src/qhpsi-selftest.sh
	cp $< $@ && chmod 755 $@

plugins/%.so tests/plugins/%.so: plugins/%.c include/qhpsi-plugin.h conf.stamp
	$(CC) $(ALLCFLAGS) -shared $(LDFLAGS) -o $@ $< $(PLUGLIBS_$*)
plugins/clamav.so: lib/libqhpsi.a
tests/plugins/unsafe.so tests/plugins/fakesc.so: tests/plugins/fake.c
tests/plugins/contained.so: tests/plugins/descend.c
tests/plugins/abi4.so: tests/plugins/abi1.c conf.stamp
	$(CC) $(ALLCFLAGS) -DABI1_VERSION=4 -shared $(LDFLAGS) -o $@ $<
# the spam engine, as a plugin that is no spam engine, and as ABI 2
tests/plugins/spamtest-virus.so: tests/plugins/spamtest.c include/qhpsi-plugin.h conf.stamp
	$(CC) $(ALLCFLAGS) -DSPAMTEST_FLAGS=QHPSI_INPROCESS_SAFE -shared $(LDFLAGS) -o $@ $<
tests/plugins/spamtest-abi2.so: tests/plugins/spamtest.c include/qhpsi-plugin.h conf.stamp
	$(CC) $(ALLCFLAGS) -DSPAMTEST_ABI=2 -shared $(LDFLAGS) -o $@ $<
tests/plugins/%.so: tests/plugins/%.c include/qhpsi-plugin.h conf.stamp
	$(CC) $(ALLCFLAGS) -shared $(LDFLAGS) -o $@ $<
tests/plugins/%: tests/plugins/%.c lib/libqhpsi.a $(SANOBJ)
	$(CC) $(ALLCFLAGS) $(HARDLD) $(LDFLAGS) -o $@ $< $(SANOBJ) lib/libqhpsi.a $(LIBS) -ldl
tests/unit/%: tests/unit/%.c tests/unit/unit.h lib/libqhpsi.a $(SANOBJ)
	$(CC) $(ALLCFLAGS) $(HARDLD) $(LDFLAGS) -o $@ $< $(SANOBJ) lib/libqhpsi.a $(LIBS) -ldl

# the link test: the API next to objects that define qmail's names
tests/patches/linkcheck: tests/patches/linkcheck.o tests/patches/qmailnames.o $(QMAILLIB) $(SANOBJ)
	$(CC) $(CFLAGS) $(HARDLD) $(LDFLAGS) -o $@ tests/patches/linkcheck.o tests/patches/qmailnames.o $(SANOBJ) $(QMAILLIB) -ldl -lpthread
tests/patches/%.o: tests/patches/%.c tests/patches/qmailnames.h include/qhpsi.h conf.stamp
	$(CC) $(WARN) $(HARDEN) $(CPPFLAGS) $(CFLAGS) -Iinclude -c -o $@ $<

tests/bench/rules: tests/bench/rules.c $(RULESOBJ) lib/libqhpsi.a conf.stamp
	$(CC) $(ALLCFLAGS) $(HARDLD) $(LDFLAGS) -o $@ $< $(RULESOBJ) lib/libqhpsi.a $(LIBS) $(RULESLIBS)
tests/bench/confine: tests/bench/confine.c lib/libqhpsi.a conf.stamp
	$(CC) $(ALLCFLAGS) $(HARDLD) $(LDFLAGS) -o $@ $< lib/libqhpsi.a $(LIBS)
tests/bench/pool: tests/bench/pool.c lib/libqhpsi.a conf.stamp
	$(CC) $(ALLCFLAGS) $(HARDLD) $(LDFLAGS) -o $@ $< lib/libqhpsi.a $(LIBS)
tests/bench/archive: tests/bench/archive.c lib/libqhpsi.a conf.stamp
	$(CC) $(ALLCFLAGS) $(HARDLD) $(LDFLAGS) -o $@ $< lib/libqhpsi.a $(LIBS)
tests/bench/checkv2: tests/bench/checkv2.c lib/libqhpsi.a conf.stamp
	$(CC) $(ALLCFLAGS) $(HARDLD) $(LDFLAGS) -o $@ $< lib/libqhpsi.a $(LIBS)
tests/bench/%: tests/bench/%.c conf.stamp
	$(CC) $(ALLCFLAGS) $(HARDLD) $(LDFLAGS) -o $@ $< -ldl

check: test
test: all $(UNITS) $(TESTPLUGINS) $(TESTPROGS) tests/patches/linkcheck
	sh tests/run

bench: all $(TESTPLUGINS) $(BENCHPROGS)
	sh tests/bench/run

demo: all
	sh tests/demo

# fuzzing (make fuzz) and the SMTP load test (make loadtest)
include tests/fuzz/fuzz.mk
include tests/load/load.mk

# per-client rules for the example service (needs ucspi-tcp's tcprules)
service/tcp.smtp.cdb: service/tcp.smtp
	tcprules $@ $@.tmp < service/tcp.smtp

# ---- install: qmail's owners and modes; with DESTDIR nothing is chowned
install: all
	INCDIR="$(INCDIR)" LIBDIR="$(LIBDIR)" sh src/install.sh "$(DESTDIR)" "$(PREFIX)"
uninstall:
	INCDIR="$(INCDIR)" LIBDIR="$(LIBDIR)" sh src/install.sh -u "$(DESTDIR)" "$(PREFIX)"

clean:
	rm -f src/*.o lib/*.o lib/*/*.o lib/*.a lib/*.syms tests/*.o tests/patches/*.o tests/patches/linkcheck $(PROGS) $(SCRIPTS) plugins/*.so tests/plugins/*.so \
		$(UNITS) $(TESTPROGS) $(BENCHPROGS) service/tcp.smtp.cdb conf.stamp

.PHONY: all test check bench demo install uninstall clean FORCE
.SECONDARY:
