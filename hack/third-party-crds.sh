#!/usr/bin/env bash
# Prints the paths of other projects' CRDs that the tests install: each from the project's own Go
# module at a pinned version, fetched from the Go module proxy (and checked against the checksum
# database) into Go's module cache.
#
#   hack/third-party-crds.sh keda                 KEDA's CRDs, all of which its operator watches
#                                                 (the version hack/tools/keda pins)
#   hack/third-party-crds.sh prometheus-operator  Prometheus Operator's PodMonitor CRD
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Prometheus Operator's CRDs only (nothing of it is built or run).
PROMETHEUS_OPERATOR_VERSION=v0.85.0

die() { printf '[third-party-crds] ERROR: %s\n' "$*" >&2; exit 1; }

module_dir() { # module@version -> its directory in the module cache
  local dir
  dir="$(cd /tmp && GOFLAGS=-mod=mod GOWORK=off go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  [[ -n "$dir" && -d "$dir" ]] || die "go mod download $1 gave no directory"
  printf '%s' "$dir"
}

case "${1:-}" in
  keda)
    v="$(awk '$1 == "github.com/kedacore/keda/v2" {print $2; exit}' "${ROOT}/hack/tools/keda/go.mod")"
    [[ -n "$v" ]] || die "no github.com/kedacore/keda/v2 version in hack/tools/keda/go.mod"
    d="$(module_dir "github.com/kedacore/keda/v2@${v}")"
    ls "${d}/config/crd/bases/"{keda.sh,eventing.keda.sh}_*.yaml
    ;;
  prometheus-operator)
    d="$(module_dir "github.com/prometheus-operator/prometheus-operator@${PROMETHEUS_OPERATOR_VERSION}")"
    ls "${d}/example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml"
    ;;
  *) die "usage: $0 keda|prometheus-operator" ;;
esac
