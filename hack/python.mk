# Python side of the project: the example app's environment, the Gunicorn
# conformance suite and the Gunicorn benchmark. Included by the root Makefile,
# which defines ROOT.

VENV := $(ROOT)/.venv
APPSERVER_OPERATOR_JAR ?= $(ROOT)/operator/target/appserver-operator.jar
# Extra arguments, e.g. `make test-conformance PYTEST_ARGS='-k timeout -x'`.
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: venv test-conformance bench-gunicorn

venv: ## Python environment at .venv, rebuilt only when the pinned requirements change
	@$(ROOT)/hack/python-env.sh

test-conformance: venv ## Run real Gunicorn with the operator's rendered config (needs the jar)
	APPSERVER_OPERATOR_JAR='$(APPSERVER_OPERATOR_JAR)' $(VENV)/bin/python -m pytest $(ROOT)/conformance $(PYTEST_ARGS)

bench-gunicorn: venv ## Load-test Gunicorn sizings with wrk on loopback (~10 min; not a test)
	@command -v wrk >/dev/null || { \
	  echo "bench-gunicorn: installing wrk from Debian"; \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq wrk; }
	APPSERVER_OPERATOR_JAR='$(APPSERVER_OPERATOR_JAR)' $(VENV)/bin/python $(ROOT)/bench/gunicorn_bench.py $(BENCH_ARGS)
