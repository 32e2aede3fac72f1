#!/usr/bin/env bash
# The demo: run the operator and deploy examples/appserver.yaml.
#
#   hack/demo.sh up     build, pick a cluster, install the CRD, start the operator,
#                       apply the example and wait until it is Ready
#   hack/demo.sh down   stop the operator, delete the example, and stop the local
#                       cluster if the demo started it
#
# The cluster: the current kubeconfig context when one is configured (kind,
# minikube, a managed cluster), otherwise the local control plane from
# hack/cluster.sh. Set DEMO_LOCAL=1 to use the local one regardless.
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
  "${KUBECTL[@]}" create namespace "$NAMESPACE" --dry-run=client -o yaml | "${KUBECTL[@]}" apply -f - >/dev/null
  log "applying examples/appserver.yaml in namespace ${NAMESPACE}"
  "${KUBECTL[@]}" -n "$NAMESPACE" apply -f "${ROOT}/examples/appserver.yaml"
  log "waiting for the AppServer to be Ready"
  if ! "${KUBECTL[@]}" -n "$NAMESPACE" wait --for=condition=Ready --timeout=180s appserver/hello; then
    "${KUBECTL[@]}" -n "$NAMESPACE" describe appserver hello || true
    tail -n 40 "${DEMO_DIR}/operator.log" >&2 || true
    die "the AppServer did not become Ready"
  fi
  echo
  "${KUBECTL[@]}" -n "$NAMESPACE" get appservers
  echo
  "${KUBECTL[@]}" -n "$NAMESPACE" get deployments,services,configmaps,poddisruptionbudgets -l app.kubernetes.io/instance=hello
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
