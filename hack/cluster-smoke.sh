#!/usr/bin/env bash
# Checks that the local cluster behaves as the e2e tests expect (run after
# `hack/cluster.sh up`; leaves nothing behind):
#   - the server is the pinned Kubernetes version
#   - a Deployment's pods are scheduled onto the fake nodes, get IPs, become
#     Ready, and its Service's EndpointSlice lists them as ready
#   - pods labelled e2e.appserver.dev/never-ready=true run but stay not Ready
#   - PodSecurity `restricted` rejects a privileged pod and admits a restricted one
#   - deleting a Deployment garbage-collects its ReplicaSets and Pods
#   - deleting a namespace finishes
#   - every listening socket of the cluster's processes is on 127.0.0.1, but the
#     API server's when a real node needs it elsewhere: then only loopback and
#     the bridge reach its port
#   - with root: every cluster range is routed to the local bridge
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL_CLUSTER_DIR="${LOCAL_CLUSTER_DIR:-${ROOT}/.local-cluster}"
KUBECONFIG_FILE="${LOCAL_CLUSTER_DIR}/kubeconfig"
KUBECTL="${LOCAL_CLUSTER_DIR}/bin/kubectl"
NS="smoke-$$"
NS_PSA="smoke-psa-$$"
FAILS=0
PASSES=0

[[ -f "$KUBECONFIG_FILE" && -x "$KUBECTL" ]] || {
  echo "no local cluster: run 'make cluster-up' first" >&2
  exit 1
}
k() { "$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" "$@"; }

ok() { PASSES=$((PASSES + 1)); echo "ok    $*"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL  $*"; }

# eventually SECONDS DESCRIPTION COMMAND...: retries COMMAND once a second.
eventually() {
  local t="$1" what="$2" deadline
  shift 2
  deadline=$((SECONDS + t))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      fail "$what (not within ${t}s)"
      return 1
    fi
    sleep 1
  done
  ok "$what"
}

cleanup() {
  k delete namespace "$NS" "$NS_PSA" --ignore-not-found --wait=false >/dev/null 2>&1 || true
}
trap cleanup EXIT

want="$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ {print $2; exit}' "${ROOT}/hack/tools/k8s/go.mod")"
got="$(k version -o json | sed -n 's/.*"gitVersion": "\(v[^"]*\)".*/\1/p' | tail -1)"
if [[ "$got" == "$want" ]]; then ok "server version ${got}"; else fail "server version ${got:-?}, want ${want}"; fi

k create namespace "$NS" >/dev/null
k create namespace "$NS_PSA" >/dev/null

deployment() { # name replicas extra-pod-label
  cat <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: $1, namespace: $NS}
spec:
  replicas: $2
  selector: {matchLabels: {app: $1}}
  template:
    metadata:
      labels: {app: $1 $3}
    spec:
      containers:
      - {name: app, image: example.invalid/app:1, ports: [{containerPort: 8080}]}
EOF
}
deployment ready 3 "" | k apply -f - >/dev/null
deployment stuck 2 ', e2e.appserver.dev/never-ready: "true"' | k apply -f - >/dev/null
k -n "$NS" expose deployment ready --port 80 --target-port 8080 >/dev/null

ready_replicas() { [[ "$(k -n "$NS" get deploy "$1" -o jsonpath='{.status.readyReplicas}')" == "$2" ]]; }
eventually 60 "Deployment pods become Ready (readyReplicas=3)" ready_replicas ready 3

ips=$(k -n "$NS" get pods -l app=ready -o jsonpath='{range .items[*]}{.status.podIP}{" "}{.spec.nodeName}{"\n"}{end}')
if [[ "$(grep -cE '^[0-9.]+ kwok-node-[0-9]+$' <<<"$ips")" == 3 ]]; then ok "pods scheduled onto fake nodes with IPs"; else fail "pods without IP or node: $ips"; fi

ready_endpoints() {
  [[ "$(k -n "$NS" get endpointslices -l kubernetes.io/service-name=ready \
    -o jsonpath='{range .items[*].endpoints[*]}{.conditions.ready}{"\n"}{end}' | grep -c '^true$')" == 3 ]]
}
eventually 30 "EndpointSlice lists 3 ready endpoints" ready_endpoints

stuck_running() {
  [[ "$(k -n "$NS" get pods -l app=stuck -o jsonpath='{range .items[*]}{.status.phase}{"\n"}{end}' | grep -c '^Running$')" == 2 ]]
}
eventually 60 "never-ready pods are Running" stuck_running
sleep 3
stuck_ready="$(k -n "$NS" get pods -l app=stuck -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | sort -u | xargs echo)"
if [[ "$stuck_ready" == False ]]; then ok "never-ready pods stay Ready=False"; else fail "never-ready pods Ready=${stuck_ready}"; fi
if [[ -z "$(k -n "$NS" get deploy stuck -o jsonpath='{.status.readyReplicas}')" ]]; then
  ok "never-ready Deployment has no ready replicas"
else
  fail "never-ready Deployment reports ready replicas"
fi

k label namespace "$NS_PSA" pod-security.kubernetes.io/enforce=restricted >/dev/null
privileged_pod() {
  cat <<EOF
apiVersion: v1
kind: Pod
metadata: {name: privileged, namespace: $NS_PSA}
spec:
  containers:
  - name: c
    image: example.invalid/x
    securityContext: {privileged: true}
EOF
}
restricted_pod() {
  cat <<EOF
apiVersion: v1
kind: Pod
metadata: {name: restricted, namespace: $NS_PSA}
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: c
    image: example.invalid/x
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
EOF
}
if out="$(privileged_pod | k apply -f - 2>&1)"; then
  fail "restricted namespace admitted a privileged pod"
elif grep -q 'violates PodSecurity "restricted' <<<"$out"; then
  ok "PodSecurity restricted rejects a privileged pod"
else
  fail "privileged pod rejected for another reason: $out"
fi
if out="$(restricted_pod | k apply -f - 2>&1)"; then
  ok "PodSecurity restricted admits a restricted pod"
else
  fail "restricted pod rejected: $out"
fi

k -n "$NS" delete deployment ready --wait=false >/dev/null
no_children() { [[ -z "$(k -n "$NS" get rs,pods -l app=ready -o name)" ]]; }
eventually 60 "deleting a Deployment garbage-collects its ReplicaSets and Pods" no_children

k delete namespace "$NS_PSA" --wait=false >/dev/null
ns_gone() { ! k get namespace "$NS_PSA"; }
eventually 90 "a deleted namespace goes away" ns_gone

# Sockets of the cluster's processes (their binaries live under the kwok work dir).
pids="$(pgrep -f "${LOCAL_CLUSTER_DIR}/kwok/clusters/" | xargs echo || true)"
if [[ -z "$pids" ]]; then
  fail "no cluster processes found"
else
  listeners="$(ss -Hltnp 2>/dev/null | grep -E "pid=($(tr ' ' '|' <<<"$pids"))," | awk '{print $4}' | sort -u | xargs echo)"
  unfenced=""
  for l in $listeners; do
    [[ "$l" =~ ^127\.0\.0\.1:[0-9]+$ ]] && continue
    # Elsewhere only when the fence drops what does not come from lo or the bridge.
    iptables -t mangle -C APPSERVER-PORTS -p tcp -m tcp --dport "${l##*:}" -j DROP 2>/dev/null || unfenced+=" $l"
  done
  if [[ -n "$listeners" && -z "$unfenced" ]]; then
    ok "cluster listens on 127.0.0.1, or on fenced ports only (${listeners})"
  else
    fail "cluster listeners reachable from outside: ${unfenced:-none found}"
  fi
fi

if [[ "$(id -u)" == 0 ]]; then
  # shellcheck source=hack/lib/network.sh
  source "${ROOT}/hack/lib/network.sh"
  for addr in "$(fake_node_ip 0)" 10.244.0.10 10.245.0.10 "$KUBERNETES_SERVICE_IP" 10.96.200.200; do
    dev="$(ip -o route get "$addr" | sed -n 's/.* dev \([^ ]*\).*/\1/p')"
    if [[ "$dev" == "$NODE_BRIDGE" ]]; then
      ok "${addr} is routed to the local bridge"
    else
      fail "${addr} is routed to '${dev}', not to ${NODE_BRIDGE}"
    fi
  done
fi

echo "${PASSES} passed, ${FAILS} failed"
[[ "$FAILS" == 0 ]]
