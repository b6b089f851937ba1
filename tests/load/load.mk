# tests/load/load.mk: the SMTP load test (make loadtest); included by the Makefile.
loadtest:
	@echo "loadtest: not yet"
.PHONY: loadtest
