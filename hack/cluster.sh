#!/usr/bin/env bash
# Local Kubernetes control plane for development, e2e tests and the demo:
# etcd + kube-apiserver + kube-controller-manager + kube-scheduler (v1.34,
# built from Go modules by hack/build-tools.sh) and a KWOK controller that
# plays the kubelet for a few fake nodes. Everything listens on 127.0.0.1.
#
#   hack/cluster.sh up       create the cluster, or start it again; no-op when it runs
#   hack/cluster.sh down     stop it and delete its state
#   hack/cluster.sh status   print its state; exit 0 only when it is up and healthy
#   hack/cluster.sh env      print shell exports (KUBECONFIG, PATH) for eval
#
# Results, per checkout:
#   .local-cluster/kubeconfig   standalone kubeconfig (never merged into ~/.kube/config)
#   .local-cluster/bin/         kubectl, kwokctl, helm, ... (put it on PATH)
#   .local-cluster/kwok/        kwokctl's work dir (KWOK_WORKDIR): pki, etcd data, logs
#
# Environment:
#   LOCAL_CLUSTER_DIR    state dir (default <repo>/.local-cluster)
#   LOCAL_CLUSTER_NAME   cluster name (default appserver-dev)
#   LOCAL_CLUSTER_NODES  number of fake nodes (default 3; 16 CPU, 64Gi, 110 pods each)
#   LOCAL_CLUSTER_TIMEOUT  seconds to wait for readiness (default 180)
#   plus those of hack/build-tools.sh (APPSERVER_CACHE_DIR, ...)
#
# Pods labelled e2e.appserver.dev/never-ready: "true" run but never become
# Ready; every other pod becomes Ready right after it is scheduled (see
# hack/cluster/kwokctl.yaml). Nothing in a pod is ever run or pulled.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL_CLUSTER_DIR="${LOCAL_CLUSTER_DIR:-${ROOT}/.local-cluster}"
export LOCAL_CLUSTER_DIR
CLUSTER_NAME="${LOCAL_CLUSTER_NAME:-appserver-dev}"
NODES="${LOCAL_CLUSTER_NODES:-3}"
TIMEOUT="${LOCAL_CLUSTER_TIMEOUT:-180}"
BIN_DIR="${LOCAL_CLUSTER_DIR}/bin"
KUBECONFIG_OUT="${LOCAL_CLUSTER_DIR}/kubeconfig"
KWOKCTL_CONFIG="${ROOT}/hack/cluster/kwokctl.yaml"
export KWOK_WORKDIR="${LOCAL_CLUSTER_DIR}/kwok"
CLUSTER_DIR="${KWOK_WORKDIR}/clusters/${CLUSTER_NAME}"
# Components kwokctl starts as processes, each with a pid file in ${CLUSTER_DIR}/pids.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok-controller)

log() { printf '[cluster] %s\n' "$*" >&2; }
die() { printf '[cluster] ERROR: %s\n' "$*" >&2; exit 1; }

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }

[[ "$NODES" =~ ^[0-9]+$ ]] || die "LOCAL_CLUSTER_NODES must be a number, got '$NODES'"
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "LOCAL_CLUSTER_TIMEOUT must be a number of seconds, got '$TIMEOUT'"
[[ "$CLUSTER_NAME" =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] || die "LOCAL_CLUSTER_NAME '$CLUSTER_NAME' is not a valid name"

kubectl_() { "${BIN_DIR}/kubectl" --kubeconfig "$KUBECONFIG_OUT" "$@"; }
# fd 8 is the cluster lock (see lock_cluster); the long-lived components that
# kwokctl starts must not inherit it, or the lock would outlive this script.
kwokctl_() { "${BIN_DIR}/kwokctl" --name "$CLUSTER_NAME" "$@" 8>&-; }

# Serialises up/down of this checkout's cluster (e.g. 'make test' and 'make demo'
# started together); a second caller waits for the first to finish.
lock_cluster() {
  mkdir -p "$LOCAL_CLUSTER_DIR"
  exec 8>"${LOCAL_CLUSTER_DIR}/.cluster.lock"
  if ! flock -n 8; then
    log "waiting for another hack/cluster.sh in this checkout to finish"
    flock 8
  fi
}

build_tools() { "${ROOT}/hack/build-tools.sh" "$@"; }

# Resolves a .local-cluster/bin link so kwokctl links straight to the cached binary.
bin() { readlink -f "${BIN_DIR}/$1"; }

cluster_exists() { [[ -f "${CLUSTER_DIR}/kwok.yaml" ]]; }

component_cmdline_matches() { # pid
  { tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null | grep -qF "$CLUSTER_DIR"
}

# Pid of a component's process when it runs (checked against its command
# line, so a recycled pid or a zombie is never mistaken for it).
component_pid() {
  local pid
  pid="$(cat "${CLUSTER_DIR}/pids/$1.pid" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] && component_cmdline_matches "$pid" || return 1
  echo "$pid"
}

# Prints the components whose process is not running.
dead_components() {
  local c
  for c in "${COMPONENTS[@]}"; do
    component_pid "$c" >/dev/null || echo "$c"
  done
}

apiserver_ready() {
  [[ -f "$KUBECONFIG_OUT" && -x "${BIN_DIR}/kubectl" ]] &&
    kubectl_ get --raw /readyz --request-timeout=5s >/dev/null 2>&1
}

healthy() { cluster_exists && [[ -z "$(dead_components)" ]] && apiserver_ready; }

write_kubeconfig() {
  local src="${CLUSTER_DIR}/kubeconfig.yaml" tmp
  [[ -f "$src" ]] || die "kwokctl wrote no kubeconfig at $src"
  tmp="$(mktemp "${KUBECONFIG_OUT}.XXXXXX")"
  # Embed the CA and client certificate so the file stands alone (it can be
  # copied or mounted elsewhere); kwokctl's own refers to files in its work dir.
  if ! "${BIN_DIR}/kubectl" --kubeconfig "$src" config view --raw --flatten >"$tmp"; then
    rm -f "$tmp"
    die "could not write ${KUBECONFIG_OUT}"
  fi
  chmod 600 "$tmp"
  mv -f "$tmp" "$KUBECONFIG_OUT"
}

wait_for() { # description, command...
  local what="$1" deadline=$((SECONDS + TIMEOUT))
  shift
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      log "timed out after ${TIMEOUT}s waiting for ${what}"
      log "component logs: ${CLUSTER_DIR}/logs/"
      return 1
    fi
    sleep 1
  done
}

node_manifests() {
  local i
  for ((i = 0; i < NODES; i++)); do
    cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-${i}
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: kwok-node-${i}
    kubernetes.io/os: linux
    kubernetes.io/role: agent
    node-role.kubernetes.io/agent: ""
    type: kwok
spec:
  # Outside the apiserver's default service range (10.0.0.0/24), so pod IPs and
  # ClusterIPs never look alike.
  podCIDR: 10.244.${i}.0/24
  podCIDRs:
  - 10.244.${i}.0/24
status:
  addresses:
  - address: 192.0.2.$((i + 10))
    type: InternalIP
  - address: kwok-node-${i}
    type: Hostname
  allocatable:
    cpu: "16"
    memory: 64Gi
    pods: "110"
    ephemeral-storage: 100Gi
  capacity:
    cpu: "16"
    memory: 64Gi
    pods: "110"
    ephemeral-storage: 100Gi
  nodeInfo:
    architecture: amd64
    operatingSystem: linux
EOF
  done
}

default_sa_exists() { kubectl_ -n default get serviceaccount default; }

nodes_ready() {
  local ready
  ready="$(kubectl_ get nodes -l type=kwok \
    -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c '^True$' || true)"
  [[ "$ready" -ge "$NODES" ]]
}

k8s_version() {
  awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ {print $2; exit}' "${ROOT}/hack/tools/k8s/go.mod"
}

finish_up() {
  write_kubeconfig
  wait_for "kube-apiserver /readyz" apiserver_ready || die "kube-apiserver did not become ready"
  if ((NODES > 0)); then
    node_manifests | kubectl_ apply -f - >/dev/null
    wait_for "${NODES} Ready node(s)" nodes_ready || die "fake nodes did not become Ready"
  fi
  # Pods can only be created once the controller manager made the namespace's
  # default ServiceAccount; waiting here saves every caller a retry loop.
  wait_for "the default ServiceAccount" default_sa_exists || die "kube-controller-manager did not create the default ServiceAccount"
}

cmd_up() {
  local start=$SECONDS
  lock_cluster
  build_tools k8s etcd kwok

  if cluster_exists && healthy; then
    write_kubeconfig
    log "cluster '${CLUSTER_NAME}' is already running (kubeconfig: ${KUBECONFIG_OUT})"
    return 0
  fi

  if cluster_exists; then
    # Left over from a reboot or a crash: restart all of it. kwokctl counts a
    # process that is still shutting down as running, so stop everything first.
    log "cluster '${CLUSTER_NAME}' exists but is not healthy (not running: $(dead_components | xargs echo)); restarting it"
    stop_components
    kwokctl_ start cluster --timeout "${TIMEOUT}s" ||
      die "could not start cluster '${CLUSTER_NAME}'; 'hack/cluster.sh down' deletes it so 'up' can create it anew"
  else
    local v
    v="$(k8s_version)"
    [[ -n "$v" ]] || die "no k8s.io/kubernetes version in hack/tools/k8s/go.mod"
    log "creating cluster '${CLUSTER_NAME}' (Kubernetes ${v}, ${NODES} fake nodes) in ${KWOK_WORKDIR}"
    # --kubeconfig '' keeps kwokctl away from ~/.kube/config; the cluster's own
    # kubeconfig is copied to .local-cluster/kubeconfig below.
    if ! KWOK_KUBE_VERSION="$v" KWOK_KUBECTL_BINARY="$(bin kubectl)" \
      kwokctl_ --config "$KWOKCTL_CONFIG" \
      create cluster \
      --runtime binary \
      --kubeconfig '' \
      --etcd-binary "$(bin etcd)" \
      --kube-apiserver-binary "$(bin kube-apiserver)" \
      --kube-controller-manager-binary "$(bin kube-controller-manager)" \
      --kube-scheduler-binary "$(bin kube-scheduler)" \
      --kwok-controller-binary "$(bin kwok)" \
      --timeout "${TIMEOUT}s" \
      --wait "${TIMEOUT}s"; then
      log "kwokctl could not create the cluster; component logs: ${CLUSTER_DIR}/logs/"
      die "cluster-up failed; run 'hack/cluster.sh down' before trying again"
    fi
  fi
  finish_up
  log "cluster '${CLUSTER_NAME}' is up in $((SECONDS - start))s"
  log "  export KUBECONFIG=${KUBECONFIG_OUT} PATH=${BIN_DIR}:\$PATH"
}

live_pids() {
  local c
  for c in "${COMPONENTS[@]}"; do
    component_pid "$c" || true
  done
}

# Stops the component processes (kwokctl signals them and returns at once),
# waiting until they are gone so that nothing races a shutting-down etcd or apiserver.
stop_components() {
  local pids pid deadline c
  pids="$(live_pids | xargs echo)"
  # A pid file whose pid is not (any more) our component, e.g. after a reboot,
  # must go: kwokctl would signal whatever process has that pid now.
  for c in "${COMPONENTS[@]}"; do
    component_pid "$c" >/dev/null || rm -f "${CLUSTER_DIR}/pids/${c}.pid"
  done
  kwokctl_ stop cluster >/dev/null 2>&1 || true
  deadline=$((SECONDS + 20))
  for pid in $pids; do
    while [[ -d "/proc/${pid}" ]] && component_cmdline_matches "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
    if [[ -d "/proc/${pid}" ]] && component_cmdline_matches "$pid"; then
      log "killing component pid ${pid}, still running"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}

cmd_down() {
  lock_cluster
  if [[ ! -d "$CLUSTER_DIR" ]]; then
    log "cluster '${CLUSTER_NAME}' does not exist"
    rm -f "$KUBECONFIG_OUT"
    return 0
  fi
  if cluster_exists; then
    [[ -x "${BIN_DIR}/kwokctl" ]] || build_tools kwok
    log "deleting cluster '${CLUSTER_NAME}'"
    stop_components
    kwokctl_ delete cluster || log "kwokctl could not delete cluster '${CLUSTER_NAME}'; cleaning up by hand"
  fi
  rm -rf "$CLUSTER_DIR"
  rm -f "$KUBECONFIG_OUT"
  log "cluster '${CLUSTER_NAME}' is gone"
}

cmd_status() {
  if ! cluster_exists; then
    echo "cluster '${CLUSTER_NAME}': absent (hack/cluster.sh up creates it)"
    return 1
  fi
  local dead rc=0
  dead="$(dead_components | xargs echo)"
  echo "cluster '${CLUSTER_NAME}': work dir ${CLUSTER_DIR}"
  echo "kubeconfig: ${KUBECONFIG_OUT}"
  if [[ -n "$dead" ]]; then
    echo "not running: ${dead}"
    rc=1
  fi
  if apiserver_ready; then
    local port
    port="$(kubectl_ config view --minify -o jsonpath='{.clusters[0].cluster.server}')"
    echo "kube-apiserver: ready at ${port}, version $(kubectl_ version -o json | sed -n 's/.*"gitVersion": "\(v[^"]*\)".*/\1/p' | tail -1)"
    kubectl_ get nodes
  else
    echo "kube-apiserver: not ready"
    rc=1
  fi
  return "$rc"
}

cmd_env() {
  printf 'export KUBECONFIG=%q\n' "$KUBECONFIG_OUT"
  # shellcheck disable=SC2016 # $PATH is for the shell that evals this
  printf 'export PATH=%q:"$PATH"\n' "$BIN_DIR"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
