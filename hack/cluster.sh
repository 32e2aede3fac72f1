#!/usr/bin/env bash
# Local Kubernetes control plane for development, e2e tests and the demo:
# etcd + kube-apiserver + kube-controller-manager + kube-scheduler (v1.34,
# built from Go modules by hack/build-tools.sh), a KWOK controller that plays
# the kubelet for a few fake nodes, and, where the machine allows it (root,
# cgroups, overlayfs), one real node whose pods really run (hack/node.sh).
#
# Every cluster address (nodes, pods, Services) is routed to a local bridge
# (hack/lib/network.sh), so nothing sent to one leaves the machine; the control
# plane listens on the bridge's address, or on 127.0.0.1 without root.
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
#   LOCAL_CLUSTER_REAL_NODE  auto (default: a real node when the machine allows
#                        it, else say why and go on with fake nodes), on (fail
#                        without one), off (fake nodes only)
#   plus those of hack/build-tools.sh (APPSERVER_CACHE_DIR, ...)
#
# On fake nodes, pods labelled e2e.appserver.dev/never-ready: "true" run but
# never become Ready; every other pod becomes Ready right after it is scheduled
# (see hack/cluster/kwokctl.yaml), and nothing in it runs. The real node is
# tainted: only pods in namespaces that ask for it land there (docs/local-cluster.md).
#
# Also written: .local-cluster/network.env, the addresses and whether the real
# node runs (REAL_NODE=ready, or REAL_NODE=unavailable and REAL_NODE_REASON).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=hack/lib/network.sh
source "${ROOT}/hack/lib/network.sh"
LOCAL_CLUSTER_DIR="${LOCAL_CLUSTER_DIR:-${ROOT}/.local-cluster}"
export LOCAL_CLUSTER_DIR
CLUSTER_NAME="${LOCAL_CLUSTER_NAME:-appserver-dev}"
NODES="${LOCAL_CLUSTER_NODES:-3}"
TIMEOUT="${LOCAL_CLUSTER_TIMEOUT:-180}"
BIN_DIR="${LOCAL_CLUSTER_DIR}/bin"
KUBECONFIG_OUT="${LOCAL_CLUSTER_DIR}/kubeconfig"
KWOKCTL_TEMPLATE="${ROOT}/hack/cluster/kwokctl.yaml"
KWOKCTL_CONFIG="${LOCAL_CLUSTER_DIR}/kwokctl.yaml"
NETWORK_ENV="${LOCAL_CLUSTER_DIR}/network.env"
REAL_NODE="${LOCAL_CLUSTER_REAL_NODE:-auto}"
export KWOK_WORKDIR="${LOCAL_CLUSTER_DIR}/kwok"
CLUSTER_DIR="${KWOK_WORKDIR}/clusters/${CLUSTER_NAME}"
# Components kwokctl starts as processes, each with a pid file in ${CLUSTER_DIR}/pids.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok-controller)

log() { printf '[cluster] %s\n' "$*" >&2; }
die() { printf '[cluster] ERROR: %s\n' "$*" >&2; exit 1; }

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }

[[ "$NODES" =~ ^[0-9]+$ ]] || die "LOCAL_CLUSTER_NODES must be a number, got '$NODES'"
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "LOCAL_CLUSTER_TIMEOUT must be a number of seconds, got '$TIMEOUT'"
[[ "$REAL_NODE" =~ ^(auto|on|off)$ ]] || die "LOCAL_CLUSTER_REAL_NODE must be auto, on or off, got '$REAL_NODE'"
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
  # Routed to the local bridge, like every cluster range (hack/lib/network.sh).
  podCIDR: 10.244.${i}.0/24
  podCIDRs:
  - 10.244.${i}.0/24
status:
  addresses:
  - address: $(fake_node_ip "$i")
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

# A running cluster with fewer fake nodes than LOCAL_CLUSTER_NODES gets the
# missing ones (make bench-scale asks for enough for its pods); none is removed.
grow_nodes() {
  local have
  have="$(kubectl_ get nodes -l type=kwok -o name | wc -l)"
  if ((NODES > have)); then
    log "adding fake nodes: ${have} -> ${NODES}"
    node_manifests | kubectl_ apply -f - >/dev/null
    wait_for "${NODES} Ready node(s)" nodes_ready || die "fake nodes did not become Ready"
  fi
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

# Where the API server is reached: also on the bridge's address when this
# machine routes the cluster's ranges to it (root), else on loopback only.
# (kwokctl's binary runtime dials every component on 127.0.0.1, so only the
# API server can listen elsewhere: on every address, fenced by hack/node.sh
# so that nothing but loopback and the bridge reaches its port.)
choose_bind_address() {
  if [[ "$(id -u)" == 0 ]] && "${ROOT}/hack/node.sh" network-up; then
    BIND_ADDRESS="$NODE_IP"
  else
    [[ "$(id -u)" == 0 ]] && die "could not route the cluster's addresses to a local bridge (see above)"
    log "not root: the cluster's pod and node addresses are not routed locally; nothing may dial them"
    BIND_ADDRESS=127.0.0.1
  fi
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The API server's port, from the kubeconfig kwokctl wrote.
apiserver_port() { sed -n 's|.*server: https://[^:]*:\([0-9]*\).*|\1|p' "${CLUSTER_DIR}/kubeconfig.yaml" | head -1; }

created_bind_address() { sed -n 's/^BIND_ADDRESS=//p' "${CLUSTER_DIR}/appserver.env" 2>/dev/null; }

render_kwokctl_config() {
  local address_args=""
  if [[ "$BIND_ADDRESS" != 127.0.0.1 ]]; then
    address_args="- {key: bind-address, value: 0.0.0.0, override: true}\\n  - {key: advertise-address, value: ${BIND_ADDRESS}}"
  fi
  sed -e "s|@KUBERNETES_SERVICE_IP@|${KUBERNETES_SERVICE_IP}|g" \
    -e "s|@SERVICE_CIDR@|${SERVICE_CIDR}|g" -e "s|@PKI_DIR@|${CLUSTER_DIR}/pki|g" \
    -e "s|# @APISERVER_ADDRESS_ARGS@|${address_args}|" \
    "$KWOKCTL_TEMPLATE" >"$KWOKCTL_CONFIG"
  ! grep -n '@[A-Z_]*@' "$KWOKCTL_CONFIG" || die "unfilled placeholder in ${KWOKCTL_CONFIG}"
}

# The real node, when asked for and possible; records the outcome in network.env.
real_node_up() {
  local why=""
  if [[ "$REAL_NODE" == off ]]; then
    why="LOCAL_CLUSTER_REAL_NODE=off"
  elif ! why="$("${ROOT}/hack/node.sh" preflight)"; then
    [[ "$REAL_NODE" == on ]] && die "no real node: ${why}"
  elif [[ "$BIND_ADDRESS" != "$NODE_IP" ]]; then
    why="the control plane listens on ${BIND_ADDRESS}, which the node's pods cannot reach"
  else
    why=""
    "${ROOT}/hack/node.sh" up || die "the real node did not start; logs: ${LOCAL_CLUSTER_DIR}/node/logs/"
  fi
  if [[ -n "$why" ]]; then
    log "no real node (${why}): fake nodes only, nothing in a pod runs"
  fi
  write_network_env "$why"
}

write_network_env() { # reason the real node is unavailable, or empty
  {
    echo "# Written by hack/cluster.sh up: the local cluster's addresses (hack/lib/network.sh)."
    echo "BIND_ADDRESS=${BIND_ADDRESS}"
    echo "NODE_BRIDGE=${NODE_BRIDGE}"
    echo "NODE_IP=${NODE_IP}"
    echo "NODE_CIDR=${NODE_CIDR}"
    echo "REAL_POD_CIDR=${REAL_POD_CIDR}"
    echo "FAKE_POD_CIDR=${FAKE_POD_CIDR}"
    echo "SERVICE_CIDR=${SERVICE_CIDR}"
    if [[ -z "$1" ]]; then
      echo "REAL_NODE=ready"
      echo "REAL_NODE_NAME=appserver-node"
      if [[ -f "${LOCAL_CLUSTER_DIR}/node/prometheus/port" ]]; then
        echo "PROMETHEUS_URL=http://127.0.0.1:$(cat "${LOCAL_CLUSTER_DIR}/node/prometheus/port")"
      fi
    else
      echo "REAL_NODE=unavailable"
      echo "REAL_NODE_REASON=$1"
    fi
  } >"${NETWORK_ENV}.tmp"
  mv "${NETWORK_ENV}.tmp" "$NETWORK_ENV"
}

real_node_wanted_but_down() {
  [[ "$REAL_NODE" != off && "$BIND_ADDRESS" == "$NODE_IP" ]] &&
    "${ROOT}/hack/node.sh" preflight >/dev/null 2>&1 && ! "${ROOT}/hack/node.sh" status >/dev/null 2>&1
}

cmd_up() {
  local start=$SECONDS
  lock_cluster
  build_tools k8s etcd kwok
  choose_bind_address

  if cluster_exists && [[ "$(created_bind_address)" != "$BIND_ADDRESS" ]]; then
    log "cluster '${CLUSTER_NAME}' listens on '$(created_bind_address)', not ${BIND_ADDRESS}: creating it anew"
    delete_cluster
  fi

  if cluster_exists && healthy; then
    write_kubeconfig
    grow_nodes
    if real_node_wanted_but_down || [[ ! -f "$NETWORK_ENV" ]]; then
      real_node_up
    fi
    log "cluster '${CLUSTER_NAME}' is already running (kubeconfig: ${KUBECONFIG_OUT})"
    return 0
  fi

  if cluster_exists; then
    # Left over from a reboot or a crash: restart all of it. kwokctl counts a
    # process that is still shutting down as running, so stop everything first.
    log "cluster '${CLUSTER_NAME}' exists but is not healthy (not running: $(dead_components | xargs echo)); restarting it"
    stop_components
    if [[ "$BIND_ADDRESS" != 127.0.0.1 ]]; then
      "${ROOT}/hack/node.sh" fence-port "$(apiserver_port)"
    fi
    kwokctl_ start cluster --timeout "${TIMEOUT}s" ||
      die "could not start cluster '${CLUSTER_NAME}'; 'hack/cluster.sh down' deletes it so 'up' can create it anew"
  else
    local v
    v="$(k8s_version)"
    [[ -n "$v" ]] || die "no k8s.io/kubernetes version in hack/tools/k8s/go.mod"
    log "creating cluster '${CLUSTER_NAME}' (Kubernetes ${v}, ${NODES} fake nodes) in ${KWOK_WORKDIR}"
    # --kubeconfig '' keeps kwokctl away from ~/.kube/config; the cluster's own
    # kubeconfig is copied to .local-cluster/kubeconfig below.
    render_kwokctl_config
    local port_args=()
    if [[ "$BIND_ADDRESS" != 127.0.0.1 ]]; then
      # The API server listens on every address: fence its port before it opens.
      local port
      port="$(free_port)"
      "${ROOT}/hack/node.sh" fence-port "$port"
      port_args=(--kube-apiserver-port "$port")
    fi
    if ! KWOK_KUBE_VERSION="$v" KWOK_KUBECTL_BINARY="$(bin kubectl)" \
      kwokctl_ --config "$KWOKCTL_CONFIG" \
      create cluster "${port_args[@]}" \
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
    echo "BIND_ADDRESS=${BIND_ADDRESS}" >"${CLUSTER_DIR}/appserver.env"
  fi
  finish_up
  real_node_up
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

delete_cluster() {
  if [[ -d "${LOCAL_CLUSTER_DIR}/keda" ]]; then
    "${ROOT}/hack/keda.sh" down || log "could not stop KEDA cleanly"
  fi
  if [[ -d "${LOCAL_CLUSTER_DIR}/node" ]]; then
    "${ROOT}/hack/node.sh" down || log "could not stop the real node cleanly"
  fi
  rm -f "$NETWORK_ENV"
  if cluster_exists; then
    [[ -x "${BIN_DIR}/kwokctl" ]] || build_tools kwok
    log "deleting cluster '${CLUSTER_NAME}'"
    stop_components
    # --kubeconfig '': kwokctl would otherwise edit the kubeconfig in KUBECONFIG (perhaps another
    # checkout's cluster, whose context has the same name) or ~/.kube/config.
    kwokctl_ delete cluster --kubeconfig '' || log "kwokctl could not delete cluster '${CLUSTER_NAME}'; cleaning up by hand"
  fi
  rm -rf "$CLUSTER_DIR"
  rm -f "$KUBECONFIG_OUT"
}

# The bridge, its routes and fence stay: other checkouts' clusters may use them
# (hack/node.sh network-down removes them).
cmd_down() {
  lock_cluster
  if [[ ! -d "$CLUSTER_DIR" && ! -d "${LOCAL_CLUSTER_DIR}/node" ]]; then
    log "cluster '${CLUSTER_NAME}' does not exist"
    rm -f "$KUBECONFIG_OUT" "$NETWORK_ENV"
    return 0
  fi
  delete_cluster
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
  if [[ -d "${LOCAL_CLUSTER_DIR}/node" ]]; then
    echo "real node:"
    "${ROOT}/hack/node.sh" status | sed 's/^/  /' || rc=1
  else
    echo "real node: none ($(sed -n 's/^REAL_NODE_REASON=//p' "$NETWORK_ENV" 2>/dev/null || true))"
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
