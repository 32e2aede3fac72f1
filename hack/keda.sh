#!/usr/bin/env bash
# KEDA on the local cluster, for the busyWorkers autoscaling tests: KEDA's operator and its
# metrics server (which serves external.metrics.k8s.io to the HPA controller), built from KEDA's
# Go module (hack/tools/keda) and run as processes of this machine against the local cluster,
# with KEDA's CRDs and APIService from the same module. KEDA's operator queries the real node's
# Prometheus for the ScaledObjects' triggers.
#
#   hack/keda.sh up       start KEDA (the cluster and its real node must be up; idempotent)
#   hack/keda.sh down     stop it and remove its APIService, namespace and CRDs
#   hack/keda.sh status   exit 0 when both processes run and the metrics API is available
#
# Addresses: everything listens on 127.0.0.1 but the metrics server, which the API server reaches
# through a Service whose only endpoint is the node's bridge address (kube-proxy on the real node
# translates the ClusterIP); its ports are fenced to loopback and the bridge.
#
# Environment: LOCAL_CLUSTER_DIR, LOCAL_CLUSTER_TIMEOUT (as hack/cluster.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=hack/lib/network.sh
source "${ROOT}/hack/lib/network.sh"
LOCAL_CLUSTER_DIR="${LOCAL_CLUSTER_DIR:-${ROOT}/.local-cluster}"
TIMEOUT="${LOCAL_CLUSTER_TIMEOUT:-180}"
BIN_DIR="${LOCAL_CLUSTER_DIR}/bin"
KUBECONFIG_ADMIN="${LOCAL_CLUSTER_DIR}/kubeconfig"
NETWORK_ENV="${LOCAL_CLUSTER_DIR}/network.env"
KEDA_DIR="${LOCAL_CLUSTER_DIR}/keda"
NS=keda
APISERVICE=v1beta1.external.metrics.k8s.io
COMPONENTS=(keda-operator keda-adapter)

log() { printf '[keda] %s\n' "$*" >&2; }
die() { printf '[keda] ERROR: %s\n' "$*" >&2; exit 1; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }
kubectl_() { "${BIN_DIR}/kubectl" --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

component_pid() {
  local pid
  pid="$(cat "${KEDA_DIR}/pids/$1.pid" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] && { tr '\0' ' ' <"/proc/${pid}/cmdline"; } 2>/dev/null | grep -qF "$KEDA_DIR" || return 1
  echo "$pid"
}

start_component() { # name, command...
  local name="$1"
  shift
  mkdir -p "${KEDA_DIR}/logs" "${KEDA_DIR}/pids"
  nohup "$@" >>"${KEDA_DIR}/logs/${name}.log" 2>&1 &
  echo $! >"${KEDA_DIR}/pids/${name}.pid"
}

wait_for() { # description, command...
  local what="$1" deadline=$((SECONDS + TIMEOUT))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { log "timed out after ${TIMEOUT}s waiting for ${what}; logs: ${KEDA_DIR}/logs/"; return 1; }
    sleep 1
  done
}

secret_complete() {
  local keys
  keys="$(kubectl_ -n "$NS" get secret kedaorg-certs -o 'jsonpath={.data.ca\.crt}:{.data.tls\.crt}:{.data.tls\.key}' 2>/dev/null)"
  [[ "$keys" =~ ^[^:]+:[^:]+:[^:]+$ ]]
}

available() {
  [[ "$(kubectl_ get apiservice "$APISERVICE" -o jsonpath='{.status.conditions[?(@.type=="Available")].status}' 2>/dev/null)" == True ]]
}

cmd_status() {
  local c
  for c in "${COMPONENTS[@]}"; do component_pid "$c" >/dev/null || return 1; done
  available
}

cmd_up() {
  [[ -f "$NETWORK_ENV" ]] || die "the local cluster is not up (make cluster-up)"
  grep -qx 'REAL_NODE=ready' "$NETWORK_ENV" ||
    die "KEDA needs the real node (its kube-proxy carries the API server to KEDA's metrics server, and Prometheus scrapes real pods)"
  if cmd_status; then
    log "KEDA is already running"
    return 0
  fi
  cmd_stop_processes
  "${ROOT}/hack/build-tools.sh" keda
  local prometheus_port
  prometheus_port="$(sed -n 's/^PROMETHEUS_URL=http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$NETWORK_ENV")"
  [[ -n "$prometheus_port" ]] || die "no PROMETHEUS_URL in ${NETWORK_ENV}"

  log "installing KEDA's CRDs"
  local f
  for f in $("${ROOT}/hack/third-party-crds.sh" keda); do
    kubectl_ apply --server-side --force-conflicts -f "$f" >/dev/null
  done
  kubectl_ wait --for=condition=Established --timeout=60s crd/scaledobjects.keda.sh >/dev/null

  local grpc_port adapter_port adapter_metrics_port
  grpc_port="$(free_port)"
  adapter_port="$(free_port)"
  adapter_metrics_port="$(free_port)"
  # The metrics server listens on the bridge address (for the API server, via kube-proxy) and its
  # own /metrics on every address: both ports are fenced to loopback and the bridge.
  "${ROOT}/hack/node.sh" fence-port "$adapter_port"
  "${ROOT}/hack/node.sh" fence-port "$adapter_metrics_port"
  [[ "$(ip -o route get "$NODE_IP" | sed -n 's/.* dev \([^ ]*\).*/\1/p')" == lo ]] ||
    die "${NODE_IP} is not this machine's own address (hack/node.sh network-up)"

  # The metrics server's Service: no selector, one endpoint, the bridge address. The API server's
  # aggregator dials the ClusterIP, which kube-proxy sends to that endpoint.
  kubectl_ apply --server-side --force-conflicts -f - >/dev/null <<EOF
apiVersion: v1
kind: Namespace
metadata: {name: ${NS}}
---
apiVersion: v1
kind: Service
metadata: {name: keda-metrics-apiserver, namespace: ${NS}}
spec:
  ports: [{name: https, port: 443, targetPort: ${adapter_port}, protocol: TCP}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: keda-metrics-apiserver-local
  namespace: ${NS}
  labels: {kubernetes.io/service-name: keda-metrics-apiserver, endpointslice.kubernetes.io/managed-by: appserver.dev-hack}
addressType: IPv4
ports: [{name: https, port: ${adapter_port}, protocol: TCP}]
endpoints: [{addresses: ["${NODE_IP}"], conditions: {ready: true}}]
EOF

  mkdir -p "${KEDA_DIR}/certs"
  local env=(env KUBECONFIG="$KUBECONFIG_ADMIN" WATCH_NAMESPACE="" POD_NAMESPACE="$NS"
    KEDA_CLUSTER_OBJECT_NAMESPACE="$NS" KEDA_HTTP_DEFAULT_TIMEOUT=3000)
  local operator=("${env[@]}" "${BIN_DIR}/keda-operator"
    --leader-elect=false
    --metrics-bind-address="127.0.0.1:$(free_port)"
    --health-probe-bind-address="127.0.0.1:$(free_port)"
    --metrics-service-bind-address="127.0.0.1:${grpc_port}"
    --enable-cert-rotation=true --cert-dir="${KEDA_DIR}/certs"
    --enable-webhook-patching=false
    --zap-log-level=info --zap-encoder=console)
  # KEDA's operator makes its CA and certificates into the Secret kedaorg-certs and puts the CA on
  # the APIService. In a pod the Secret is mounted at --cert-dir, and the operator exits once it
  # has made them, to be restarted with them mounted: here, the script copies them out and starts
  # it again.
  if ! kubectl_ -n "$NS" get secret kedaorg-certs >/dev/null 2>&1; then
    log "starting KEDA's operator once to make its certificates"
    start_component keda-operator "${operator[@]}"
    wait_for "KEDA's certificates" secret_complete || die "KEDA's operator made no certificates"
    cmd_stop_processes
  fi
  secret_complete || die "the Secret ${NS}/kedaorg-certs lacks ca.crt, tls.crt or tls.key"
  local key
  kubectl_ -n "$NS" get secret kedaorg-certs -o 'jsonpath={.data.ca\.crt}' | base64 -d >"${KEDA_DIR}/certs/ca.crt"
  kubectl_ -n "$NS" get secret kedaorg-certs -o 'jsonpath={.data.tls\.crt}' | base64 -d >"${KEDA_DIR}/certs/tls.crt"
  kubectl_ -n "$NS" get secret kedaorg-certs -o 'jsonpath={.data.tls\.key}' | base64 -d >"${KEDA_DIR}/certs/tls.key"
  for key in ca.crt tls.crt tls.key; do
    [[ -s "${KEDA_DIR}/certs/${key}" ]] || die "could not copy ${key} out of the Secret kedaorg-certs"
  done
  chmod 600 "${KEDA_DIR}/certs/tls.key"
  log "starting KEDA's operator (gRPC on 127.0.0.1:${grpc_port})"
  start_component keda-operator "${operator[@]}"

  # An APIService that is not available stalls every namespace deletion in the cluster (the
  # namespace controller cannot list its kinds), so it exists only while KEDA is being started or
  # runs: a failed start removes it again.
  trap 'kubectl_ delete apiservice "$APISERVICE" --ignore-not-found >/dev/null 2>&1 || true' ERR
  kubectl_ apply --server-side --force-conflicts -f - >/dev/null <<EOF
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: ${APISERVICE}}
spec:
  group: external.metrics.k8s.io
  version: v1beta1
  groupPriorityMinimum: 100
  versionPriority: 100
  service: {name: keda-metrics-apiserver, namespace: ${NS}, port: 443}
  caBundle: $(base64 -w0 <"${KEDA_DIR}/certs/ca.crt")
EOF

  local pki="${LOCAL_CLUSTER_DIR}/kwok/clusters/${LOCAL_CLUSTER_NAME:-appserver-dev}/pki"
  log "starting KEDA's metrics server on ${NODE_IP}:${adapter_port}"
  # --client-ca-file: the API server's aggregator presents the cluster's admin certificate.
  start_component keda-adapter "${env[@]}" "${BIN_DIR}/keda-adapter" \
    --bind-address="$NODE_IP" --secure-port="$adapter_port" \
    --port="$adapter_metrics_port" \
    --cert-dir="${KEDA_DIR}/certs" \
    --tls-cert-file="${KEDA_DIR}/certs/tls.crt" --tls-private-key-file="${KEDA_DIR}/certs/tls.key" \
    --client-ca-file="${pki}/ca.crt" \
    --authentication-kubeconfig="$KUBECONFIG_ADMIN" --authorization-kubeconfig="$KUBECONFIG_ADMIN" \
    --lister-kubeconfig="$KUBECONFIG_ADMIN" \
    --metrics-service-address="127.0.0.1:${grpc_port}" \
    --metrics-service-grpc-authority="keda-operator.${NS}.svc.cluster.local" \
    --zap-log-level=info
  wait_for "the external metrics API" available || {
    kubectl_ get apiservice "$APISERVICE" -o jsonpath='{.status.conditions}' >&2 || true
    kubectl_ delete apiservice "$APISERVICE" --ignore-not-found >/dev/null 2>&1 || true
    die "KEDA's metrics server did not become available"
  }
  trap - ERR
  echo "127.0.0.1:${prometheus_port}" >"${KEDA_DIR}/prometheus"
  log "KEDA is up: ScaledObjects' Prometheus triggers can use http://127.0.0.1:${prometheus_port}"
}

cmd_stop_processes() {
  local c pid deadline
  for c in keda-adapter keda-operator; do
    pid="$(component_pid "$c")" || continue
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 15))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "${KEDA_DIR}/pids/${c}.pid"
  done
}

cmd_down() {
  if [[ -f "$KUBECONFIG_ADMIN" ]] && kubectl_ version >/dev/null 2>&1; then
    kubectl_ delete apiservice "$APISERVICE" --ignore-not-found >/dev/null || true
  fi
  cmd_stop_processes
  if [[ -f "$KUBECONFIG_ADMIN" ]] && kubectl_ version >/dev/null 2>&1; then
    kubectl_ delete namespace "$NS" --ignore-not-found --timeout=120s >/dev/null || true
    local f
    for f in $("${ROOT}/hack/third-party-crds.sh" keda 2>/dev/null); do
      kubectl_ delete -f "$f" --ignore-not-found --wait=false >/dev/null || true
    done
  fi
  rm -rf "${KEDA_DIR}"
  log "KEDA stopped"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  -h | --help | "") usage ;;
  *) die "unknown command '$1' (see --help)" ;;
esac
