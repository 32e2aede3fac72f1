#!/usr/bin/env bash
# Builds the pinned local control-plane tools from Go modules and links them
# into .local-cluster/bin/.
#
#   hack/build-tools.sh [GROUP...]     GROUP: k8s etcd kwok helm kstatus node pause prometheus keda
#                                      (default: k8s etcd kwok helm kstatus; node, pause
#                                      and prometheus are the real node's, built by
#                                      hack/node.sh; keda by hack/keda.sh)
#
# Versions are pinned by the go.mod/go.sum files under hack/tools/<group>/.
# Binaries are cached outside the checkout, keyed by a hash of those files, the
# Go version and the build flags, so a group is rebuilt only when one of them
# changes:  ${APPSERVER_CACHE_DIR}/bin/<group>-<version>-<hash>/
#
# Environment:
#   APPSERVER_CACHE_DIR  cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/appserver-operator)
#   LOCAL_CLUSTER_DIR    per-checkout state dir (default <repo>/.local-cluster)
#   TOOLS_BUILD_JOBS     go build -p value (default: Go's own, the number of CPUs)
#   TOOLS_FORCE_REBUILD  set to 1 to ignore cached binaries
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="${ROOT}/hack/tools"
CACHE_DIR="${APPSERVER_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/appserver-operator}"
LOCAL_CLUSTER_DIR="${LOCAL_CLUSTER_DIR:-${ROOT}/.local-cluster}"
BIN_LINK_DIR="${LOCAL_CLUSTER_DIR}/bin"
ALL_GROUPS=(k8s etcd kwok helm kstatus)
MIN_GO_MINOR=26 # kwok v0.8.0, etcd v3.6.x and helm v3.22 declare go 1.26.0

log() { printf '[build-tools] %s\n' "$*" >&2; }
die() { printf '[build-tools] ERROR: %s\n' "$*" >&2; exit 1; }

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }

# go.mod version of a required module, e.g. `mod_version k8s k8s.io/kubernetes`.
mod_version() {
  local v
  v="$(awk -v m="$2" '($1 == m && $2 ~ /^v/) {print $2; exit} ($1 == "require" && $2 == m) {print $3; exit}' \
    "${TOOLS_DIR}/$1/go.mod")"
  [[ -n "$v" ]] || die "no version of $2 in hack/tools/$1/go.mod"
  printf '%s' "$v"
}

# Binaries each group produces, and the packages they come from.
group_bins() {
  case "$1" in
    k8s) echo "kube-apiserver kube-controller-manager kube-scheduler kubectl" ;;
    etcd) echo "etcd" ;;
    kwok) echo "kwok kwokctl" ;;
    helm) echo "helm" ;;
    kstatus) echo "kstatus" ;;
    node) echo "kubelet kube-proxy" ;;
    pause) echo "pause" ;;
    prometheus) echo "prometheus" ;;
    keda) echo "keda-operator keda-adapter" ;;
    *) die "unknown tool group '$1' (known: ${ALL_GROUPS[*]} node pause prometheus keda)" ;;
  esac
}

group_pkg() { # group binary
  case "$1/$2" in
    k8s/* | node/*) echo "k8s.io/kubernetes/cmd/$2" ;;
    etcd/etcd) echo "go.etcd.io/etcd/server/v3" ;;
    kwok/*) echo "sigs.k8s.io/kwok/cmd/$2" ;;
    helm/helm) echo "helm.sh/helm/v3/cmd/helm" ;;
    pause/pause) echo "appserver-operator/hack/tools/pause" ;;
    kstatus/kstatus) echo "appserver-operator/hack/tools/kstatus" ;;
    prometheus/prometheus) echo "github.com/prometheus/prometheus/cmd/prometheus" ;;
    keda/keda-operator) echo "github.com/kedacore/keda/v2/cmd/operator" ;;
    keda/keda-adapter) echo "github.com/kedacore/keda/v2/cmd/adapter" ;;
    *) die "no package for $1/$2" ;;
  esac
}

group_version() {
  case "$1" in
    k8s) mod_version k8s k8s.io/kubernetes ;;
    node) mod_version node k8s.io/kubernetes ;;
    pause) echo v1 ;;
    kstatus) mod_version kstatus sigs.k8s.io/cli-utils ;;
    prometheus) mod_version prometheus github.com/prometheus/prometheus ;;
    keda) mod_version keda github.com/kedacore/keda/v2 ;;
    etcd) mod_version etcd go.etcd.io/etcd/server/v3 ;;
    kwok) mod_version kwok sigs.k8s.io/kwok ;;
    helm) mod_version helm helm.sh/helm/v3 ;;
  esac
}

group_ldflags() {
  local v minor
  v="$(group_version "$1")"
  case "$1" in
    k8s | node)
      # Without these the binaries report v0.0.0-master+$Format:%H$, and kwokctl
      # reads the version from `kube-apiserver --version` to pick its flags.
      minor="$(cut -d. -f2 <<<"$v")"
      local flags=(-s -w)
      local pkg
      for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        flags+=(-X "${pkg}.gitVersion=${v}" -X "${pkg}.gitMajor=1" -X "${pkg}.gitMinor=${minor}"
          -X "${pkg}.gitTreeState=clean")
      done
      echo "${flags[*]}"
      ;;
    etcd | pause | kstatus) echo "-s -w" ;;
    keda) echo "-s -w -X github.com/kedacore/keda/v2/version.Version=$(group_version keda)" ;;
    prometheus)
      # Prometheus' module versions are v0.3MM.P for release 3.MM.P.
      local r="${v#v0.}"
      echo "-s -w -X github.com/prometheus/common/version.Version=3.${r:1:2}.${r##*.} -X github.com/prometheus/common/version.Branch=release"
      ;;
    kwok) echo "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${v#v}" ;;
    helm)
      # Same stamping as helm's own release build: its version, and the
      # Kubernetes minor of the client-go it is built with (lint/template default).
      local cg
      cg="$(mod_version helm k8s.io/client-go)"
      minor="$(cut -d. -f2 <<<"$cg")"
      echo "-s -w -X helm.sh/helm/v3/internal/version.version=${v} -X helm.sh/helm/v3/internal/version.gitTreeState=clean" \
        "-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=${minor}" \
        "-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=${minor}"
      ;;
  esac
}

check_go() {
  command -v go >/dev/null 2>&1 || die "go is not on PATH (Go 1.${MIN_GO_MINOR}+ is needed to build the tools)"
  local gv minor
  gv="$(go env GOVERSION)"
  minor="$(sed -E 's/^go1\.([0-9]+).*/\1/' <<<"$gv")"
  [[ "$minor" =~ ^[0-9]+$ && "$minor" -ge "$MIN_GO_MINOR" ]] ||
    die "Go 1.${MIN_GO_MINOR}+ is needed to build the tools, found ${gv}"
  GO_VERSION="$gv"
}

group_key() { # group -> cache key
  local g="$1" v h
  v="$(group_version "$g")"
  h="$( {
    cat "${TOOLS_DIR}/${g}/go.mod" "${TOOLS_DIR}/${g}/go.sum"
    # A group with sources of its own (pause, kstatus) is rebuilt when they change.
    cat "${TOOLS_DIR}/${g}"/*.go 2>/dev/null || true
    echo "${GO_VERSION} $(go env GOOS GOARCH) CGO_ENABLED=0 -trimpath"
    group_ldflags "$g"
  } | sha256sum | cut -c1-12)"
  printf '%s-%s-%s' "$g" "$v" "$h"
}

group_complete() { # dir group
  local b
  for b in $(group_bins "$2"); do
    [[ -x "$1/$b" ]] || return 1
  done
}

build_group() {
  local g="$1" key dir tmp pkgs=() b start ldflags
  key="$(group_key "$g")"
  dir="${CACHE_DIR}/bin/${key}"
  mkdir -p "${CACHE_DIR}/bin"

  # One builder per group at a time (two checkouts may share the cache).
  exec 9>"${CACHE_DIR}/bin/.${g}.lock"
  flock 9

  if [[ "${TOOLS_FORCE_REBUILD:-0}" != 1 ]] && group_complete "$dir" "$g"; then
    log "${g}: cached ($dir)"
  else
    for b in $(group_bins "$g"); do pkgs+=("$(group_pkg "$g" "$b")"); done
    ldflags="$(group_ldflags "$g")"
    tmp="${dir}.tmp.$$"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    log "${g}: building $(group_version "$g") -> ${dir}"
    start=$SECONDS
    (
      cd "${TOOLS_DIR}/${g}"
      export CGO_ENABLED=0 GOWORK=off GOFLAGS="-mod=readonly -buildvcs=false"
      if [[ ${#pkgs[@]} -eq 1 ]]; then
        go build "${jobs_flag[@]}" -trimpath -ldflags "$ldflags" -o "${tmp}/$(group_bins "$g")" "${pkgs[0]}"
      elif [[ "$g" == keda ]]; then
        # Named after the project (the packages are plain "operator" and "adapter"); the second
        # build reuses the first one's compiled packages from Go's build cache.
        for b in $(group_bins "$g"); do
          go build "${jobs_flag[@]}" -trimpath -ldflags "$ldflags" -o "${tmp}/${b}" "$(group_pkg "$g" "$b")"
        done
      else
        # One invocation for the whole group: shared packages compile once and
        # each binary is named after its package (kube-apiserver, kwokctl, ...).
        go build "${jobs_flag[@]}" -trimpath -ldflags "$ldflags" -o "${tmp}/" "${pkgs[@]}"
      fi
    ) || {
      rm -rf "$tmp"
      die "${g}: go build failed (see the output above)"
    }
    group_complete "$tmp" "$g" || {
      rm -rf "$tmp"
      die "${g}: go build did not produce: $(group_bins "$g")"
    }
    rm -rf "$dir"
    mv "$tmp" "$dir"
    log "${g}: built in $((SECONDS - start))s"
    BUILT_TIMES+=("${g}=$((SECONDS - start))s")
  fi

  flock -u 9
  exec 9>&-

  mkdir -p "$BIN_LINK_DIR"
  for b in $(group_bins "$g"); do
    ln -sfn "${dir}/${b}" "${BIN_LINK_DIR}/${b}"
  done
}

main() {
  local groups=() g
  for g in "$@"; do
    case "$g" in
      -h | --help) usage; exit 0 ;;
      all) groups+=("${ALL_GROUPS[@]}") ;;
      *) group_bins "$g" >/dev/null; groups+=("$g") ;;
    esac
  done
  [[ ${#groups[@]} -gt 0 ]] || groups=("${ALL_GROUPS[@]}")

  check_go
  jobs_flag=()
  if [[ -n "${TOOLS_BUILD_JOBS:-}" ]]; then
    jobs_flag=(-p "${TOOLS_BUILD_JOBS}")
  fi
  BUILT_TIMES=()

  local total_start=$SECONDS
  for g in "${groups[@]}"; do
    build_group "$g"
  done
  if [[ ${#BUILT_TIMES[@]} -gt 0 ]]; then
    log "built: ${BUILT_TIMES[*]}; total $((SECONDS - total_start))s"
  fi
  log "tools linked in ${BIN_LINK_DIR} (add it to PATH)"
}

main "$@"
