# qhpsi: a virus-scanning qmail-queue. Plain make; see INSTALL.

PREFIX ?= /var/qmail
DESTDIR ?=
SPLIT ?= 23
CC ?= cc
CFLAGS ?= -O2 -g
LDFLAGS ?=
# qmail's users and groups, looked up by name at run time and used by make install
QUSERS = -DQHPSI_HOME=\"$(PREFIX)\" -DQHPSI_SPLIT=$(SPLIT)

WARN = -std=c99 -D_GNU_SOURCE -Wall -Wextra
HARDEN = -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIC
HARDLD = -pie -Wl,-z,relro,-z,now
SANOBJ =
ifeq ($(SANITIZE),1)
HARDEN = -fsanitize=address,undefined -fno-omit-frame-pointer -fPIC
HARDLD = -fsanitize=address,undefined
SANOBJ = tests/sanitize-options.o
endif
ALLCFLAGS = $(WARN) $(HARDEN) $(CFLAGS) -Isrc -Iplugins
LIBS = -l:libskarnet.a

# ---- the library every program shares
LIBOBJ = src/envelope.o src/received.o src/queue.o src/paths.o src/policy.o \
	src/tcprules.o src/template.o src/child.o src/scan.o src/plugin.o \
	src/scanstep.o src/verdict.o src/helper.o src/maildir.o src/store.o src/storetool.o src/notice.o
# ---- programs
PROGS = src/qmail-queue src/qhpsi src/qhpsi-quarantine src/qhpsi-list src/qhpsi-show \
	src/qhpsi-release src/qhpsi-purge src/qhpsi-delete
SCRIPTS = src/qhpsi-mkqueue src/qhpsi-selftest
# ---- plugins: one .c each; PLUGLIBS_<name> adds link libraries
PLUGINS = plugins/example.so plugins/clamd.so plugins/clamav.so
PLUGLIBS_clamav = -lclamav
# ---- unit tests: tests/unit/<name>.c, linked with the library
UNITS = tests/unit/envelope tests/unit/received tests/unit/template \
	tests/unit/tcprules tests/unit/verdict tests/unit/maildir tests/unit/store
# ---- programs the tests build for themselves
TESTPLUGINS = tests/plugins/fake.so tests/plugins/legacy.so tests/plugins/unsafe.so \
	tests/plugins/stubborn.so
TESTPROGS = tests/plugins/plugrun tests/plugins/rulecheck
BENCHPROGS = tests/bench/qqbench

all: $(PROGS) $(SCRIPTS) $(PLUGINS)

src/paths.o: Makefile
src/paths.o: ALLCFLAGS += $(QUSERS)
%.o: %.c src/*.h plugins/qhpsi-plugin.h
	$(CC) $(ALLCFLAGS) -c -o $@ $<

src/libqhpsi.a: $(LIBOBJ)
	rm -f $@ && ar rcs $@ $(LIBOBJ)

src/%: src/%.o src/libqhpsi.a $(SANOBJ)
	$(CC) $(HARDLD) $(LDFLAGS) -o $@ $< $(SANOBJ) src/libqhpsi.a $(LIBS) -ldl

src/qhpsi-mkqueue: src/qhpsi-mkqueue.sh Makefile
	sed -e 's|@SPLIT@|$(SPLIT)|g' < $< > $@ && chmod 755 $@
src/qhpsi-selftest: src/qhpsi-selftest.sh
	cp $< $@ && chmod 755 $@

plugins/%.so tests/plugins/%.so: plugins/%.c plugins/qhpsi-plugin.h
	$(CC) $(ALLCFLAGS) -shared $(LDFLAGS) -o $@ $< $(PLUGLIBS_$*)
tests/plugins/unsafe.so: tests/plugins/fake.c
tests/plugins/%.so: tests/plugins/%.c plugins/qhpsi-plugin.h
	$(CC) $(ALLCFLAGS) -shared $(LDFLAGS) -o $@ $<
tests/plugins/%: tests/plugins/%.c src/libqhpsi.a $(SANOBJ)
	$(CC) $(ALLCFLAGS) $(HARDLD) $(LDFLAGS) -o $@ $< $(SANOBJ) src/libqhpsi.a $(LIBS) -ldl
tests/unit/%: tests/unit/%.c tests/unit/unit.h src/libqhpsi.a $(SANOBJ)
	$(CC) $(ALLCFLAGS) $(HARDLD) $(LDFLAGS) -o $@ $< $(SANOBJ) src/libqhpsi.a $(LIBS) -ldl

tests/bench/%: tests/bench/%.c
	$(CC) $(ALLCFLAGS) $(HARDLD) $(LDFLAGS) -o $@ $< -ldl

check: test
test: all $(UNITS) $(TESTPLUGINS) $(TESTPROGS)
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
	sh src/install.sh "$(DESTDIR)" "$(PREFIX)"

clean:
	rm -f src/*.o src/*.a tests/*.o $(PROGS) $(SCRIPTS) plugins/*.so tests/plugins/*.so \
		$(UNITS) $(TESTPROGS) $(BENCHPROGS) service/tcp.smtp.cdb

.PHONY: all test check bench demo install clean
.SECONDARY:
