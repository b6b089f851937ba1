# tests/fuzz/fuzz.mk: libFuzzer targets (make fuzz); included by the Makefile.
# Everything is built with clang under tests/fuzz/obj/, apart from the normal
# build. make fuzz FUZZTIME=10 runs each target 10 s; FUZZRUNS=N runs each
# for N executions instead; FUZZTARGETS picks some. See tests/fuzz/README.

FUZZCC ?= clang
FUZZTIME ?= 60
FUZZRUNS ?=
FUZZTARGETS ?= envelope template clamdreply clamdhosts hoststate tcprules headerscan encode store logline mime seal rulesfile logparse archive spamrules spamdreply spamhdr rspamdreply
FUZZOBJ = tests/fuzz/obj
FUZZCFLAGS = -std=c99 -D_GNU_SOURCE -Wall -Wextra -g -O1 -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all -Iinclude -Ilib
FUZZBINS = $(FUZZTARGETS:%=$(FUZZOBJ)/fuzz-%)

# the library objects, instrumented for coverage but without libFuzzer's main
$(FUZZOBJ)/%.o: lib/%.c lib/*/*.h include/*.h
	@mkdir -p $(dir $@)
	$(FUZZCC) $(FUZZCFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZOBJ)/fuzz-envelope: $(FUZZOBJ)/queue/envelope.o
$(FUZZOBJ)/fuzz-template: $(FUZZOBJ)/policy/template.o
$(FUZZOBJ)/fuzz-tcprules: $(FUZZOBJ)/policy/tcprules.o
$(FUZZOBJ)/fuzz-headerscan: $(FUZZOBJ)/quarantine/maildir.o
FUZZMIME = $(addprefix $(FUZZOBJ)/mime/,mime.o mimeparam.o mimedecode.o zipdir.o uuencode.o tnef.o)
$(FUZZOBJ)/fuzz-mime: $(FUZZMIME)
# the spam rules: the compiler, and the reader as qmail-queue runs it
$(FUZZOBJ)/fuzz-spamrules: $(addprefix $(FUZZOBJ)/policy/,spampolicy.o spamrules.o spamscore.o tcprules.o policy.o vars.o names.o) \
	$(addprefix $(FUZZOBJ)/queue/,paths.o envelope.o xtext.o) $(FUZZOBJ)/quarantine/store.o \
	$(addprefix $(FUZZOBJ)/inspect/,inspect.o zip.o inflate.o uudecode.o) $(FUZZMIME)
# the loader and matcher as the plugin links them (RULESRTLIBS)
$(FUZZOBJ)/fuzz-rulesfile: $(FUZZOBJ)/rules/rules.o $(FUZZMIME)
FUZZLIBS_rulesfile = $(RULESRTLIBS)
# the clamd plugin with the network module; clamdhosts brings its own conn.c
NETFUZZ = $(addprefix $(FUZZOBJ)/net/,host.o pool.o state.o stream.o) $(FUZZOBJ)/queue/paths.o
$(FUZZOBJ)/fuzz-clamdreply: plugins/clamd.c $(NETFUZZ) $(FUZZOBJ)/net/conn.o
$(FUZZOBJ)/fuzz-clamdhosts: plugins/clamd.c lib/net/conn.c $(NETFUZZ)
$(FUZZOBJ)/fuzz-spamdreply: plugins/spamd.c $(NETFUZZ) $(FUZZOBJ)/net/conn.o
$(FUZZOBJ)/fuzz-hoststate: $(NETFUZZ) $(FUZZOBJ)/net/conn.o
# the rspamd plugin's reply: the HTTP reader, then the JSON (json-c)
$(FUZZOBJ)/fuzz-rspamdreply: plugins/rspamdreply.c plugins/rspamdreply.h $(FUZZOBJ)/net/http.o $(FUZZOBJ)/net/conn.o $(FUZZOBJ)/scan/spamhdr.o
FUZZLIBS_rspamdreply = -ljson-c
$(FUZZOBJ)/fuzz-archive: $(addprefix $(FUZZOBJ)/inspect/,zip.o inflate.o uudecode.o)
$(FUZZOBJ)/fuzz-logline: $(FUZZOBJ)/scan/msgid.o $(FUZZOBJ)/scan/verdict.o $(FUZZOBJ)/queue/xtext.o
$(FUZZOBJ)/fuzz-store: $(FUZZOBJ)/quarantine/store.o $(FUZZOBJ)/queue/envelope.o $(FUZZOBJ)/queue/xtext.o
$(FUZZOBJ)/fuzz-encode: $(FUZZOBJ)/scan/wire.o $(FUZZOBJ)/scan/spamhdr.o $(FUZZOBJ)/queue/xtext.o
$(FUZZOBJ)/fuzz-seal: $(FUZZOBJ)/scan/seal.o
$(FUZZOBJ)/fuzz-spamhdr: $(FUZZOBJ)/scan/spamhdr.o
$(FUZZOBJ)/fuzz-logparse: $(addprefix $(FUZZOBJ)/report/,logline.o logdir.o report.o) \
	$(addprefix $(FUZZOBJ)/metrics/,metrics.o alarm.o prom.o) $(FUZZOBJ)/quarantine/notice.o \
	$(addprefix $(FUZZOBJ)/queue/,queue.o received.o paths.o xtext.o envelope.o)
$(FUZZOBJ)/fuzz-%: tests/fuzz/%.c tests/fuzz/fuzz.h lib/*/*.h include/*.h
	@mkdir -p $(FUZZOBJ)
	$(FUZZCC) $(FUZZCFLAGS) -fsanitize=fuzzer -o $@ $< $(filter %.o,$^) $(FUZZLIBS_$*) $(LIBS) -ldl

fuzz-build: $(FUZZBINS)

fuzz: $(FUZZBINS)
	sh tests/fuzz/run $(if $(FUZZRUNS),-r $(FUZZRUNS),-t $(FUZZTIME)) $(FUZZTARGETS)

fuzz-clean:
	rm -rf $(FUZZOBJ)

.PHONY: fuzz fuzz-build fuzz-clean
