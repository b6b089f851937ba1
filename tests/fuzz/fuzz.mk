# tests/fuzz/fuzz.mk: libFuzzer targets (make fuzz); included by the Makefile.
fuzz:
	@echo "fuzz: no targets yet"
.PHONY: fuzz
