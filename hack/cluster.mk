# Local control plane (hack/cluster.sh, hack/build-tools.sh). Included by the
# root Makefile, which sets ROOT to the repo root.
#
# Other fragments/targets can rely on these variables:
#   LOCAL_CLUSTER_DIR         per-checkout state (.local-cluster)
#   LOCAL_CLUSTER_BIN         built tools: kubectl, kwokctl, helm, kube-apiserver, etcd, ...
#   LOCAL_CLUSTER_KUBECONFIG  kubeconfig of the local cluster (exists while it is up)
LOCAL_CLUSTER_DIR ?= $(ROOT)/.local-cluster
LOCAL_CLUSTER_BIN := $(LOCAL_CLUSTER_DIR)/bin
LOCAL_CLUSTER_KUBECONFIG := $(LOCAL_CLUSTER_DIR)/kubeconfig
export LOCAL_CLUSTER_DIR

.PHONY: tools cluster-up cluster-down cluster-status cluster-smoke

tools: ## Build (or reuse from cache) kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd, kwok, kwokctl, helm
	$(ROOT)/hack/build-tools.sh

cluster-up: ## Start the local KWOK cluster (no-op when it runs); kubeconfig in .local-cluster/kubeconfig
	$(ROOT)/hack/cluster.sh up

cluster-down: ## Stop and delete the local cluster
	$(ROOT)/hack/cluster.sh down

cluster-status: ## Show the local cluster's state
	$(ROOT)/hack/cluster.sh status

cluster-smoke: cluster-up ## Check the local cluster: readiness, never-ready label, PodSecurity, garbage collection, loopback-only
	$(ROOT)/hack/cluster-smoke.sh
