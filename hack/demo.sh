#!/usr/bin/env bash
# The demo: run the operator and deploy examples/appserver.yaml.
#
#   hack/demo.sh up     build, pick a cluster, install the CRD, start the operator,
#                       apply the example, wait until it is Ready and show it
#                       answering real HTTP through kubectl port-forward
#   hack/demo.sh down   stop the operator, delete the example, and stop the local
#                       cluster if the demo started it
#
# The cluster: the current kubeconfig context when one is configured (kind,
# minikube, a managed cluster), otherwise the local control plane from
# hack/cluster.sh. Set DEMO_LOCAL=1 to use the local one regardless. On the
# local cluster the example runs on its real node (hack/node.sh), from the
# image built by hack/images.sh; with fake nodes only, nothing in it runs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${LOCAL_CLUSTER_DIR:-${ROOT}/.local-cluster}"
DEMO_DIR="${STATE}/demo"
JAR="${ROOT}/operator/target/appserver-operator.jar"
NAMESPACE="${DEMO_NAMESPACE:-appserver-demo}"
MVN="${MVN:-mvn}"

log() { printf '[demo] %s\n' "$*" >&2; }
die() { printf '[demo] ERROR: %s\n' "$*" >&2; exit 1; }

choose_cluster() {
  if [[ "${DEMO_LOCAL:-0}" != 1 ]] && command -v kubectl >/dev/null &&
     ctx="$(kubectl config current-context 2>/dev/null)" && [[ -n "$ctx" ]]; then
    log "using the current kubeconfig context: ${ctx}"
    KUBECTL=(kubectl)
    echo "current" > "${DEMO_DIR}/cluster"
    return
  fi
  log "no kubeconfig context configured: using the local control plane (the first run builds it from Go modules)"
  if "${ROOT}/hack/cluster.sh" status >/dev/null 2>&1; then
    echo "local" > "${DEMO_DIR}/cluster"          # already running: demo-down leaves it up
  else
    "${ROOT}/hack/cluster.sh" up
    echo "local-started" > "${DEMO_DIR}/cluster"  # started here: demo-down stops it
  fi
  export KUBECONFIG="${STATE}/kubeconfig"
  KUBECTL=("${STATE}/bin/kubectl" --kubeconfig "$KUBECONFIG")
}

local_real_node() { grep -qx 'REAL_NODE=ready' "${STATE}/network.env" 2>/dev/null; }

# The demo namespace; on the local cluster's real node, with Pod Security "restricted".
demo_namespace() {
  if [[ "$("${KUBECTL[@]}" get namespace "$NAMESPACE" -o jsonpath='{.status.phase}' 2>/dev/null)" == Terminating ]]; then
    log "waiting for the previous demo's namespace ${NAMESPACE} to finish deleting"
    "${KUBECTL[@]}" wait --for=delete "namespace/${NAMESPACE}" --timeout=180s >/dev/null
  fi
  "${KUBECTL[@]}" create namespace "$NAMESPACE" --dry-run=client -o yaml | "${KUBECTL[@]}" apply -f - >/dev/null
  if [[ "$(cat "${DEMO_DIR}/cluster")" == local* ]] && local_real_node; then
    log "building the example image and importing it into the real node"
    "${ROOT}/hack/images.sh" example
    "${KUBECTL[@]}" label namespace "$NAMESPACE" --overwrite pod-security.kubernetes.io/enforce=restricted >/dev/null
    "${KUBECTL[@]}" annotate namespace "$NAMESPACE" --overwrite \
      scheduler.alpha.kubernetes.io/node-selector=appserver.dev/node=real \
      'scheduler.alpha.kubernetes.io/defaultTolerations=[{"key":"appserver.dev/real-node","operator":"Exists","effect":"NoSchedule"}]' >/dev/null
    REAL_PODS=1
  fi
}

# GET / through kubectl port-forward to the Service, as users check an app.
show_response() {
  local port log pf answer="" i
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  log="${DEMO_DIR}/port-forward.log"
  "${KUBECTL[@]}" -n "$NAMESPACE" port-forward svc/hello "${port}:80" >"$log" 2>&1 &
  pf=$!
  for i in $(seq 1 50); do
    if answer="$(curl -fsS --max-time 5 "http://127.0.0.1:${port}/" 2>/dev/null)"; then break; fi
    answer=""
    sleep 0.2
  done
  kill "$pf" 2>/dev/null || true
  wait "$pf" 2>/dev/null || true
  [[ -n "$answer" ]] || { cat "$log" >&2; die "no answer from svc/hello through kubectl port-forward"; }
  echo "\$ kubectl -n ${NAMESPACE} port-forward svc/hello 8000:80 & curl http://127.0.0.1:8000/"
  echo "$answer"
}

operator_running() {
  [[ -f "${DEMO_DIR}/operator.pid" ]] && kill -0 "$(cat "${DEMO_DIR}/operator.pid")" 2>/dev/null
}

cmd_up() {
  mkdir -p "$DEMO_DIR"
  command -v java >/dev/null || die "java (17 or newer) is needed"
  if [[ ! -f "$JAR" || -n "$(find "${ROOT}/operator/src" "${ROOT}/operator/pom.xml" "${ROOT}/pom.xml" -newer "$JAR" -print -quit)" ]]; then
    log "building the operator"
    (cd "$ROOT" && "$MVN" -B -q package -DskipTests)
  fi
  choose_cluster
  log "installing the AppServer CRD"
  "${KUBECTL[@]}" apply --server-side -f "${ROOT}/crds/appservers.appserver.dev-v1.yml" >/dev/null
  "${KUBECTL[@]}" wait --for=condition=Established --timeout=60s crd/appservers.appserver.dev >/dev/null
  if operator_running; then
    log "the operator already runs (pid $(cat "${DEMO_DIR}/operator.pid"))"
  else
    # Its /metrics, /healthz and /readyz go on 8080 when that port is free, else on any free port.
    local port=8080
    if (exec 3<>/dev/tcp/127.0.0.1/8080) 2>/dev/null; then port=0; fi
    log "starting the operator (log: ${DEMO_DIR}/operator.log)"
    METRICS_PORT="$port" nohup java -jar "$JAR" run >"${DEMO_DIR}/operator.log" 2>&1 &
    echo $! >"${DEMO_DIR}/operator.pid"
  fi
  REAL_PODS=0
  demo_namespace
  log "applying examples/appserver.yaml in namespace ${NAMESPACE}"
  "${KUBECTL[@]}" -n "$NAMESPACE" apply -f "${ROOT}/examples/appserver.yaml"
  log "waiting for the AppServer to be Ready"
  if ! "${KUBECTL[@]}" -n "$NAMESPACE" wait --for=condition=Ready --timeout=180s appserver/hello; then
    "${KUBECTL[@]}" -n "$NAMESPACE" describe appserver hello || true
    tail -n 40 "${DEMO_DIR}/operator.log" >&2 || true
    die "the AppServer did not become Ready"
  fi
  echo
  "${KUBECTL[@]}" -n "$NAMESPACE" get deployments,services,configmaps,poddisruptionbudgets -l app.kubernetes.io/instance=hello
  echo
  if [[ "$(cat "${DEMO_DIR}/cluster")" == current ]] || ((REAL_PODS)); then
    show_response
  else
    log "the local cluster has fake nodes only ($(sed -n 's/^REAL_NODE_REASON=//p' "${STATE}/network.env" 2>/dev/null)): its pods run nothing to answer"
  fi
  echo
  "${KUBECTL[@]}" -n "$NAMESPACE" get appservers
  local env=""
  [[ "$(cat "${DEMO_DIR}/cluster")" == local* ]] && env="
  export KUBECONFIG=${STATE}/kubeconfig PATH=${STATE}/bin:\$PATH    # the local cluster and its kubectl"
  cat <<EOT

The operator runs in the background (pid $(cat "${DEMO_DIR}/operator.pid"), log ${DEMO_DIR}/operator.log;
its metrics and health endpoints: $(grep -o 'Serving /metrics.*' "${DEMO_DIR}/operator.log" | head -n 1)).
Go on with, for example:${env}
  kubectl -n ${NAMESPACE} describe appserver hello
  kubectl -n ${NAMESPACE} get configmap hello-gunicorn -o jsonpath='{.data.gunicorn\.conf\.py}'
  kubectl -n ${NAMESPACE} scale appserver hello --replicas=3
  kubectl -n ${NAMESPACE} patch appserver hello --type merge -p '{"spec":{"resources":{"limits":{"cpu":"2"}}}}'
  java -jar operator/target/appserver-operator.jar render -f examples/appserver.yaml
Stop everything with: make demo-down
EOT
}

cmd_down() {
  if operator_running; then
    log "stopping the operator"
    kill "$(cat "${DEMO_DIR}/operator.pid")" || true
  fi
  rm -f "${DEMO_DIR}/operator.pid"
  local which=""
  [[ -f "${DEMO_DIR}/cluster" ]] && which="$(cat "${DEMO_DIR}/cluster")"
  case "$which" in
    local-started)
      "${ROOT}/hack/cluster.sh" down ;;
    local)
      log "deleting the demo namespace ${NAMESPACE}; the local cluster was running before the demo and stays up"
      "${STATE}/bin/kubectl" --kubeconfig "${STATE}/kubeconfig" delete namespace "$NAMESPACE" --ignore-not-found --wait=false ;;
    current)
      log "deleting the demo namespace ${NAMESPACE} (the CRD stays installed)"
      kubectl delete namespace "$NAMESPACE" --ignore-not-found --wait=false ;;
    *) log "no demo cluster recorded" ;;
  esac
  rm -f "${DEMO_DIR}/cluster"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  *) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
