# tests/load/load.mk: the SMTP load test (make loadtest); included by the
# Makefile. LOADN messages from LOADC clients, with and without scanning.
LOADN ?= 10000
LOADC ?= 16
loadtest: all
	LOADN=$(LOADN) LOADC=$(LOADC) sh tests/t-load
.PHONY: loadtest
