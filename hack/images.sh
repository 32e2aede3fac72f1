#!/usr/bin/env bash
# Builds the project's container images with no Docker engine and no registry,
# from the same Dockerfiles users build, and imports them into the local
# cluster's real node (hack/node.sh).
#
#   hack/images.sh [IMAGE...]    IMAGE: base pause example operator (default: example operator)
#
#   base      debian:bookworm-slim, made from Debian's packages with mmdebstrap
#             (both Dockerfiles start FROM it)
#   pause     the pod sandbox image: hack/tools/pause on an empty filesystem
#   example   examples/app/Dockerfile  -> appserver-example:0.1.0
#   operator  Dockerfile (needs operator/target/appserver-operator.jar) -> appserver-operator:dev
#
# buildah builds each Dockerfile as written (--pull-never: FROM must be a local
# image), with the machine's CA bundle offered to pip as PIP_CERT when pip is
# configured with one. Each image is cached as a docker-archive keyed by a hash
# of everything it is built from, and imported into the node only when the
# node does not have that exact image.
#
# Environment: APPSERVER_CACHE_DIR, LOCAL_CLUSTER_DIR (as hack/build-tools.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${APPSERVER_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/appserver-operator}"
LOCAL_CLUSTER_DIR="${LOCAL_CLUSTER_DIR:-${ROOT}/.local-cluster}"
IMAGE_DIR="${CACHE_DIR}/images"
BUILDAH_ROOT="${CACHE_DIR}/buildah"
NODE_SOCK="${LOCAL_CLUSTER_DIR}/node/containerd/containerd.sock"
BASE_SUITE=bookworm
BASE_REF=docker.io/library/debian:bookworm-slim
EXAMPLE_REF=docker.io/library/appserver-example:0.1.0
OPERATOR_REF=docker.io/library/appserver-operator:dev
PAUSE_REF=appserver.dev/pause:v1
JAR="${ROOT}/operator/target/appserver-operator.jar"

log() { printf '[images] %s\n' "$*" >&2; }
die() { printf '[images] ERROR: %s\n' "$*" >&2; exit 1; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }

[[ "$(id -u)" == 0 ]] || die "building images needs root (buildah's storage, mmdebstrap)"

need() { # command package
  command -v "$1" >/dev/null && return 0
  log "installing $2 from Debian"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null
}

buildah_() { buildah --root "${BUILDAH_ROOT}/storage" --runroot "${BUILDAH_ROOT}/run" --storage-driver overlay "$@"; }

# Hash of files and strings, for cache keys.
key_of() { { for f in "$@"; do if [[ -f "$f" ]]; then cat "$f"; else echo "$f"; fi; done; } | sha256sum | cut -c1-16; }

has_image() { buildah_ images -q "$1" >/dev/null 2>&1; }

# Loads a cached archive into buildah's storage when it lacks the image.
ensure_in_storage() { # ref archive
  has_image "$1" || buildah_ pull -q "docker-archive:$2" >/dev/null
  buildah_ tag "$(buildah_ images -q "docker-archive:$2" 2>/dev/null || buildah_ images -q "$1")" "$1" 2>/dev/null || true
}

archive_path() { echo "${IMAGE_DIR}/$1-$2.tar"; }

build_base() {
  need mmdebstrap mmdebstrap
  local key archive sources
  # The machine's own apt sources (the same archive this machine installs from).
  sources="$(ls /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)"
  [[ -n "$sources" ]] || sources=/etc/apt/sources.list
  key="$(key_of "$BASE_SUITE" minbase "$sources")"
  archive="$(archive_path base "$key")"
  if [[ ! -f "$archive" ]]; then
    log "base: ${BASE_SUITE} (minbase) from Debian's packages"
    local tmp rootfs c
    tmp="$(mktemp -d)"
    rootfs="${tmp}/rootfs.tar"
    # Like the official slim image: no documentation, manual pages or locales.
    mmdebstrap --variant=minbase --format=tar --quiet \
      --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
      --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
      --dpkgopt='path-exclude=/usr/share/info/*' \
      "$BASE_SUITE" "$rootfs" "$sources"
    c="$(buildah_ from scratch)"
    buildah_ add "$c" "$rootfs" / >/dev/null
    buildah_ config --cmd '["bash"]' --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      --os linux --arch amd64 "$c"
    buildah_ commit -q --rm "$c" "$BASE_REF" >/dev/null
    mkdir -p "$IMAGE_DIR"
    buildah_ push -q "$BASE_REF" "docker-archive:${archive}.tmp:${BASE_REF}" >/dev/null
    mv "${archive}.tmp" "$archive"
    rm -rf "$tmp"
  fi
  ensure_in_storage "$BASE_REF" "$archive"
  BASE_KEY="$key"
}

build_pause() {
  "${ROOT}/hack/build-tools.sh" pause >/dev/null 2>&1 || "${ROOT}/hack/build-tools.sh" pause
  local bin key archive c
  bin="$(readlink -f "${LOCAL_CLUSTER_DIR}/bin/pause")"
  key="$(key_of "$bin" v1)"
  archive="$(archive_path pause "$key")"
  if [[ ! -f "$archive" ]]; then
    log "pause: ${PAUSE_REF}"
    c="$(buildah_ from scratch)"
    buildah_ copy "$c" "$bin" /pause >/dev/null
    buildah_ config --entrypoint '["/pause"]' --user 65535:65535 --os linux --arch amd64 "$c"
    buildah_ commit -q --rm "$c" "$PAUSE_REF" >/dev/null
    mkdir -p "$IMAGE_DIR"
    buildah_ push -q "$PAUSE_REF" "docker-archive:${archive}.tmp:${PAUSE_REF}" >/dev/null
    mv "${archive}.tmp" "$archive"
  fi
  ARCHIVE="$archive"
}

# buildah bud of a Dockerfile; arguments: name ref context dockerfile files-that-matter...
build_dockerfile() {
  local name="$1" ref="$2" context="$3" dockerfile="$4"
  shift 4
  build_base
  local key archive args=()
  key="$(key_of "$BASE_KEY" "$dockerfile" "$@")"
  archive="$(archive_path "$name" "$key")"
  if [[ ! -f "$archive" ]]; then
    log "${name}: buildah bud -f ${dockerfile#"${ROOT}"/} -> ${ref}"
    local cert="${PIP_CERT:-$(pip config get global.cert 2>/dev/null || true)}"
    if [[ -n "$cert" && -f "$cert" ]]; then
      args+=(--volume "${cert}:/run/build-ca.crt:ro" --build-arg PIP_CERT=/run/build-ca.crt)
    fi
    buildah_ bud --pull-never --isolation chroot --layers=false -q "${args[@]}" \
      -f "$dockerfile" -t "$ref" "$context" >/dev/null
    mkdir -p "$IMAGE_DIR"
    buildah_ push -q "$ref" "docker-archive:${archive}.tmp:${ref}" >/dev/null
    mv "${archive}.tmp" "$archive"
  fi
  ARCHIVE="$archive"
}

build_example() {
  local d="${ROOT}/examples/app"
  build_dockerfile example "$EXAMPLE_REF" "$d" "${d}/Dockerfile" "${d}"/*.py "${d}"/requirements*.txt
}

build_operator() {
  [[ -f "$JAR" ]] || die "no ${JAR#"${ROOT}"/}: run 'make build' first"
  build_dockerfile operator "$OPERATOR_REF" "$ROOT" "${ROOT}/Dockerfile" "$JAR"
}

# The config digest of an image in the node's containerd (empty when absent).
node_image_config() { # ref
  local manifest
  manifest="$(ctr --address "$NODE_SOCK" -n k8s.io images ls 2>/dev/null | awk -v r="$1" '$1 == r {print $3}')"
  [[ -n "$manifest" ]] || return 0
  ctr --address "$NODE_SOCK" -n k8s.io content get "$manifest" 2>/dev/null |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["config"]["digest"])' 2>/dev/null || true
}

# Imports an archive into the real node's containerd unless it has that image.
import_into_node() { # ref archive
  [[ -S "$NODE_SOCK" ]] || { log "no real node running: ${1} built, not imported"; return 0; }
  local want
  want="sha256:$(tar -xOf "$2" manifest.json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["Config"].split("/")[-1].removesuffix(".json"))')"
  [[ "$(node_image_config "$1")" == "$want" ]] && return 0
  log "importing ${1} into the real node"
  ctr --address "$NODE_SOCK" -n k8s.io images import "$2" >/dev/null
  [[ "$(node_image_config "$1")" == "$want" ]] || die "${1}: the node does not show the imported image"
}

main() {
  local images=("$@") i
  ((${#images[@]})) || images=(example operator)
  need buildah buildah
  for i in "${images[@]}"; do
    case "$i" in
      base) build_base ;;
      pause) build_pause; import_into_node "$PAUSE_REF" "$ARCHIVE" ;;
      example) build_example; import_into_node "$EXAMPLE_REF" "$ARCHIVE" ;;
      operator) build_operator; import_into_node "$OPERATOR_REF" "$ARCHIVE" ;;
      -h | --help) usage; return 0 ;;
      *) die "unknown image '$i' (known: base pause example operator)" ;;
    esac
  done
}

main "$@"
