# tests/load/load.mk: the SMTP load test (make loadtest); included by the
# Makefile. LOADN messages from LOADC clients, with and without scanning.
LOADN ?= 10000
LOADC ?= 16
loadtest: all
	LOADN=$(LOADN) LOADC=$(LOADC) sh tests/t-load
# three clamd hosts, one stopped for a while mid-run (tests/load/cluster.sh)
loadtest-cluster: all
	LOADCLUSTER=1 LOADN=$(LOADN) LOADC=$(LOADC) sh tests/t-load
.PHONY: loadtest loadtest-cluster
