# AppServer operator: build, test, demo.
# Tool, cluster and Python recipes live in hack/*.mk so each area keeps its own.
SHELL := /bin/bash
.DEFAULT_GOAL := help
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
MVN ?= mvn
MVN_FLAGS ?= -B -ntp
JAR := $(ROOT)/operator/target/appserver-operator.jar

include $(wildcard $(ROOT)/hack/*.mk)

.PHONY: help build crd test test-unit test-helm test-e2e images demo demo-down clean

help: ## List the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk 'BEGIN{FS=":.*## "}{printf "  %-18s %s\n", $$1, $$2}'

build: ## Build operator/target/appserver-operator.jar
	cd $(ROOT) && $(MVN) $(MVN_FLAGS) -q package -DskipTests

crd: ## Regenerate the committed CRD (crds/ and the chart) from the API classes
	cd $(ROOT) && $(MVN) $(MVN_FLAGS) -q process-test-classes surefire:test -pl operator -Dtest=CrdFileTest -Dappserver.writeCrd=true -Dsurefire.failIfNoSpecifiedTests=false

test: ## Run every suite: unit and mock-server, Helm chart, Gunicorn conformance, end-to-end on the local cluster
	$(MAKE) -C $(ROOT) test-unit
	$(MAKE) -C $(ROOT) test-helm
	$(MAKE) -C $(ROOT) test-conformance
	$(MAKE) -C $(ROOT) test-e2e

test-unit: ## Pure unit tests (*Test) and reconciler tests on the mock API server (*IT); builds the jar
	cd $(ROOT) && $(MVN) $(MVN_FLAGS) package

test-helm: ## Chart tests (*HelmTest): helm lint, helm template, the values schema; with the project's helm
	$(ROOT)/hack/build-tools.sh helm
	cd $(ROOT) && PATH=$(LOCAL_CLUSTER_BIN):$$PATH $(MVN) $(MVN_FLAGS) test -pl operator -Phelm

test-e2e: cluster-up $(JAR) ## End-to-end tests (*E2E) against the local control plane (the chart's too: helm, kstatus, the jar)
	$(ROOT)/hack/build-tools.sh helm kstatus
	@if grep -qx 'REAL_NODE=ready' $(LOCAL_CLUSTER_DIR)/network.env; then $(ROOT)/hack/images.sh example operator && $(ROOT)/hack/keda.sh up; fi
	cd $(ROOT) && KUBECONFIG=$(LOCAL_CLUSTER_KUBECONFIG) PATH=$(LOCAL_CLUSTER_BIN):$$PATH \
	  $(MVN) $(MVN_FLAGS) test -pl operator -Pe2e

# The shaded jar, rebuilt when a source or pom is newer (E2E tests run it as a process).
$(JAR): $(shell find $(ROOT)/operator/src/main -type f 2>/dev/null) $(ROOT)/operator/pom.xml $(ROOT)/pom.xml
	cd $(ROOT) && $(MVN) $(MVN_FLAGS) package -DskipTests

images: $(JAR) ## Build the example app and operator images (no Docker) and import them into the local real node
	$(ROOT)/hack/images.sh example operator

clean: ## Remove build output (keeps the tool cache and the local cluster)
	cd $(ROOT) && $(MVN) $(MVN_FLAGS) clean

demo: ## The main job: run the operator on the current cluster (or a local one) and deploy the example
	$(ROOT)/hack/demo.sh up

demo-down: ## Stop the demo (and the local cluster when the demo started it)
	$(ROOT)/hack/demo.sh down

# The scale benchmark (not a test): BENCH_N AppServers against the same children applied directly.
BENCH_N ?= 1000
BENCH_REPLICAS ?= 1
# More, e.g. BENCH_SCALE_ARGS='-Dbench.resync=30s -Dbench.parallel=4' (see bench/README.md).
BENCH_SCALE_ARGS ?=
.PHONY: bench-scale
bench-scale: $(JAR) ## Scale benchmark: BENCH_N (1000) AppServers vs. their children applied directly, on fake nodes (~15 min; not a test)
	LOCAL_CLUSTER_NODES=$${LOCAL_CLUSTER_NODES:-$$(( ($(BENCH_N) * $(BENCH_REPLICAS) + 99) / 100 + 1 ))} $(ROOT)/hack/cluster.sh up
	cd $(ROOT) && KUBECONFIG=$(LOCAL_CLUSTER_KUBECONFIG) PATH=$(LOCAL_CLUSTER_BIN):$$PATH \
	  $(MVN) $(MVN_FLAGS) -q -pl operator test-compile exec:java -Dexec.mainClass=dev.appserver.operator.bench.ScaleBench \
	  -Dexec.classpathScope=test -Dbench.n=$(BENCH_N) -Dbench.replicas=$(BENCH_REPLICAS) $(BENCH_SCALE_ARGS)
