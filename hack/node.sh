#!/usr/bin/env bash
# The local cluster's real node: a kubelet and kube-proxy (built from the same
# pinned Kubernetes module as the control plane), containerd and runc (Debian's
# packages) and the CNI bridge plugin, beside KWOK's fake nodes. Pods scheduled
# to it really run; it is tainted, so only pods that tolerate the taint land
# there (see docs/local-cluster.md). Called by hack/cluster.sh; needs root.
#
#   hack/node.sh preflight     exit 0 when this machine can run the real node, else print why
#   hack/node.sh network-up    the bridge, routes and fence for every cluster range (idempotent)
#   hack/node.sh up            start containerd, kubelet and kube-proxy (cluster must be up)
#   hack/node.sh down          stop them and remove the node's pods, mounts and state
#   hack/node.sh network-down  remove the bridge, routes and fence
#   hack/node.sh fence-port P  let only loopback and the bridge reach TCP port P
#   hack/node.sh status        exit 0 when the node runs
#
# One real node per machine: it takes ${NODE_LOCK}, held for as long as any of
# its processes runs, so a second checkout's cluster carries on with fake nodes.
#
# Environment: LOCAL_CLUSTER_DIR, LOCAL_CLUSTER_NAME, LOCAL_CLUSTER_TIMEOUT (as hack/cluster.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=hack/lib/network.sh
source "${ROOT}/hack/lib/network.sh"
LOCAL_CLUSTER_DIR="${LOCAL_CLUSTER_DIR:-${ROOT}/.local-cluster}"
CLUSTER_NAME="${LOCAL_CLUSTER_NAME:-appserver-dev}"
TIMEOUT="${LOCAL_CLUSTER_TIMEOUT:-180}"
BIN_DIR="${LOCAL_CLUSTER_DIR}/bin"
KUBECONFIG_ADMIN="${LOCAL_CLUSTER_DIR}/kubeconfig"
PKI_DIR="${LOCAL_CLUSTER_DIR}/kwok/clusters/${CLUSTER_NAME}/pki"
NODE_DIR="${LOCAL_CLUSTER_DIR}/node"
NODE_NAME=appserver-node
NODE_LABEL=appserver.dev/node=real
NODE_TAINT_KEY=appserver.dev/real-node
RUN_DIR=/run/appserver-operator
NODE_LOCK="${RUN_DIR}/real-node.lock"
SANDBOX_IMAGE=appserver.dev/pause:v1
CNI_BIN_DIR=/usr/lib/cni
# Debian packages the node needs, and a command each provides.
NODE_PACKAGES=(containerd:containerd runc:runc containernetworking-plugins:/usr/lib/cni/bridge
  iptables:iptables conntrack:conntrack openssl:openssl)
COMPONENTS=(containerd kubelet kube-proxy prometheus)

log() { printf '[node] %s\n' "$*" >&2; }
die() { printf '[node] ERROR: %s\n' "$*" >&2; exit 1; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }

kubectl_() { "${BIN_DIR}/kubectl" --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }
ctr_() { ctr --address "${NODE_DIR}/containerd/containerd.sock" --namespace k8s.io "$@"; }

# --- preflight -------------------------------------------------------------

# Prints nothing and returns 0 when the real node can run here; otherwise
# prints the reason in one line.
preflight() {
  if [[ "$(id -u)" != 0 ]]; then echo "not root (the kubelet, containerd and the pod network need root)"; return 1; fi
  if [[ "$(uname -s)" != Linux ]]; then echo "not Linux"; return 1; fi
  local c
  for c in cpu memory pids; do
    if [[ ! -d "/sys/fs/cgroup/${c}" ]] && ! grep -qw "$c" /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
      echo "no ${c} cgroup controller"; return 1
    fi
  done
  if ! grep -qw overlay /proc/filesystems; then echo "the kernel has no overlay filesystem"; return 1; fi
  if ! command -v ip >/dev/null; then echo "no ip command (iproute2)"; return 1; fi
  if ! ip link add appsrv-probe type bridge 2>/dev/null; then echo "cannot create a bridge device"; return 1; fi
  ip link delete appsrv-probe 2>/dev/null || true
  if [[ -e "$NODE_LOCK" ]] && ! flock -n "$NODE_LOCK" true 2>/dev/null; then
    echo "this machine's real node belongs to another checkout ($(cat "${RUN_DIR}/real-node.owner" 2>/dev/null || echo unknown))"
    return 1
  fi
  return 0
}

# Installs the Debian packages the node needs, once.
install_packages() {
  local missing=() p pkg cmd
  for p in "${NODE_PACKAGES[@]}"; do
    pkg="${p%%:*}" cmd="${p#*:}"
    if [[ "$cmd" == /* ]]; then [[ -e "$cmd" ]] || missing+=("$pkg"); else command -v "$cmd" >/dev/null || missing+=("$pkg"); fi
  done
  ((${#missing[@]} == 0)) && return 0
  command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get to install them"
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# --- network ---------------------------------------------------------------

# Which device a packet to $1 would leave by ("lo" for a local address).
route_dev() { ip -o route get "$1" 2>/dev/null | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -1; }

# Fails unless every cluster range is routed to the bridge (or is local).
check_routes() {
  local addr dev
  for addr in "$NODE_IP" "$(fake_node_ip 0)" "$(fake_node_ip 300)" "${FAKE_POD_CIDR%.0.0/16}.0.10" \
    "${FAKE_POD_CIDR%.0.0/16}.255.10" "${REAL_POD_CIDR%.0/24}.10" "$KUBERNETES_SERVICE_IP" "${SERVICE_CIDR%.0.0/16}.255.254"; do
    dev="$(route_dev "$addr")"
    if [[ "$dev" != "$NODE_BRIDGE" && "$dev" != lo ]]; then
      echo "${addr} is routed to '${dev:-nothing}', not to the local bridge ${NODE_BRIDGE}"
      return 1
    fi
  done
}

fence_rules() { # the mangle table's APPSERVER-FENCE and APPSERVER-INGRESS chains
  local r
  echo "-A APPSERVER-FENCE -o lo -j RETURN"
  echo "-A APPSERVER-FENCE -o ${NODE_BRIDGE} -j RETURN"
  for r in "${CLUSTER_RANGES[@]}"; do
    echo "-A APPSERVER-FENCE -d ${r} -j DROP"
    echo "-A APPSERVER-FENCE -s ${r} -j DROP"
    echo "-A APPSERVER-FENCE -m conntrack --ctorigdst ${r} -j DROP"
  done
  echo "-A APPSERVER-INGRESS -i lo -j RETURN"
  echo "-A APPSERVER-INGRESS -i ${NODE_BRIDGE} -j RETURN"
  for r in "${CLUSTER_RANGES[@]}"; do
    echo "-A APPSERVER-INGRESS -d ${r} -j DROP"
  done
}

# Nothing addressed to (or from) a cluster range may leave by any device but
# the bridge and loopback, whatever kube-proxy or a route says: the mangle
# table's POSTROUTING sees every packet that leaves, forwarded or local, after
# any DNAT; PREROUTING drops cluster-addressed packets that arrive from outside.
apply_fence() {
  local chain hook
  for chain in APPSERVER-FENCE APPSERVER-INGRESS; do
    iptables -t mangle -N "$chain" 2>/dev/null || iptables -t mangle -F "$chain"
  done
  local rule
  while read -r rule; do
    # shellcheck disable=SC2086 # a rule is a list of words
    iptables -t mangle $rule
  done < <(fence_rules)
  for hook in POSTROUTING:APPSERVER-FENCE PREROUTING:APPSERVER-INGRESS; do
    iptables -t mangle -C "${hook%%:*}" -j "${hook#*:}" 2>/dev/null ||
      iptables -t mangle -I "${hook%%:*}" 1 -j "${hook#*:}"
  done
}

fence_ok() {
  iptables -t mangle -C POSTROUTING -j APPSERVER-FENCE 2>/dev/null &&
    iptables -t mangle -C PREROUTING -j APPSERVER-INGRESS 2>/dev/null &&
    [[ "$(iptables -t mangle -S APPSERVER-FENCE | grep -c -- '-j DROP')" -eq $((3 * ${#CLUSTER_RANGES[@]})) ]]
}

cmd_network_up() {
  [[ "$(id -u)" == 0 ]] || die "network-up needs root"
  command -v iptables >/dev/null || install_packages
  ip link show "$NODE_BRIDGE" >/dev/null 2>&1 || ip link add "$NODE_BRIDGE" type bridge
  ip link set "$NODE_BRIDGE" up
  ip addr replace "${NODE_IP}/${NODE_CIDR#*/}" dev "$NODE_BRIDGE"
  ip addr replace "${REAL_POD_GATEWAY}/${REAL_POD_CIDR#*/}" dev "$NODE_BRIDGE"
  ip route replace "$FAKE_POD_CIDR" dev "$NODE_BRIDGE"
  ip route replace "$SERVICE_CIDR" dev "$NODE_BRIDGE"
  apply_fence
  local why
  why="$(check_routes)" || die "$why"
  fence_ok || die "the fence rules did not take (iptables -t mangle -S APPSERVER-FENCE)"
}

# Only loopback and the bridge reach the given TCP port (the API server, which
# listens on every address so that the real node's pods reach it).
cmd_fence_port() { # port
  [[ "${1:-}" =~ ^[0-9]+$ ]] || die "fence-port needs a port number"
  if ! iptables -t mangle -N APPSERVER-PORTS 2>/dev/null; then :; fi
  iptables -t mangle -C APPSERVER-PORTS -i lo -j RETURN 2>/dev/null ||
    iptables -t mangle -I APPSERVER-PORTS 1 -i lo -j RETURN
  iptables -t mangle -C APPSERVER-PORTS -i "$NODE_BRIDGE" -j RETURN 2>/dev/null ||
    iptables -t mangle -I APPSERVER-PORTS 2 -i "$NODE_BRIDGE" -j RETURN
  iptables -t mangle -C APPSERVER-PORTS -p tcp --dport "$1" -j DROP 2>/dev/null ||
    iptables -t mangle -A APPSERVER-PORTS -p tcp --dport "$1" -j DROP
  iptables -t mangle -C PREROUTING -j APPSERVER-PORTS 2>/dev/null ||
    iptables -t mangle -I PREROUTING 1 -j APPSERVER-PORTS
}

cmd_network_down() {
  local hook chain
  for hook in POSTROUTING:APPSERVER-FENCE PREROUTING:APPSERVER-INGRESS PREROUTING:APPSERVER-PORTS; do
    while iptables -t mangle -D "${hook%%:*}" -j "${hook#*:}" 2>/dev/null; do :; done
  done
  for chain in APPSERVER-FENCE APPSERVER-INGRESS APPSERVER-PORTS; do
    iptables -t mangle -F "$chain" 2>/dev/null || true
    iptables -t mangle -X "$chain" 2>/dev/null || true
  done
  ip link delete "$NODE_BRIDGE" 2>/dev/null || true
}

# --- Prometheus ------------------------------------------------------------------

# A Prometheus server on 127.0.0.1 that scrapes the real node's pods that ask for it
# (prometheus.io/scrape annotations, as the operator puts them), found through the
# API server. Only pods of this node: the fake nodes' pods run nothing to scrape.
write_prometheus_config() {
  mkdir -p "${NODE_DIR}/prometheus"
  cat >"${NODE_DIR}/prometheus/prometheus.yml" <<EOF
# Prometheus of the local cluster's real node (written by hack/node.sh)
global: {scrape_interval: 2s, scrape_timeout: 1s, evaluation_interval: 2s}
scrape_configs:
- job_name: pods
  kubernetes_sd_configs:
  - role: pod
    kubeconfig_file: "${KUBECONFIG_ADMIN}"
    selectors:
    - {role: pod, field: "spec.nodeName=${NODE_NAME}"}
  relabel_configs:
  - {source_labels: [__meta_kubernetes_pod_node_name], regex: "${NODE_NAME}", action: keep}
  - {source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape], regex: "true", action: keep}
  - {source_labels: [__meta_kubernetes_pod_ip], regex: "${REAL_POD_CIDR%.0/24}[.].+", action: keep}
  - source_labels: [__meta_kubernetes_pod_ip, __meta_kubernetes_pod_annotation_prometheus_io_port]
    regex: "(.+);([0-9]+)"
    replacement: "\$1:\$2"
    target_label: __address__
  - {source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_path], regex: "(.+)", target_label: __metrics_path__}
  - {source_labels: [__meta_kubernetes_namespace], target_label: namespace}
  - {source_labels: [__meta_kubernetes_pod_name], target_label: pod}
  - {source_labels: [__meta_kubernetes_pod_label_app_kubernetes_io_instance], target_label: appserver}
EOF
}

start_prometheus() {
  local port
  write_prometheus_config
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  echo "$port" >"${NODE_DIR}/prometheus/port"
  log "starting prometheus on 127.0.0.1:${port}"
  start_component prometheus "${BIN_DIR}/prometheus" --config.file="${NODE_DIR}/prometheus/prometheus.yml" \
    --storage.tsdb.path="${NODE_DIR}/prometheus/data" --storage.tsdb.retention.time=2h \
    --web.listen-address="127.0.0.1:${port}" --log.level=warn
  wait_for "prometheus" curl -fsS --max-time 2 "http://127.0.0.1:${port}/-/ready" || die "prometheus did not become ready"
}

# --- the node's processes ----------------------------------------------------

component_pid() {
  local pid
  pid="$(cat "${NODE_DIR}/pids/$1.pid" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] && { tr '\0' ' ' <"/proc/${pid}/cmdline"; } 2>/dev/null | grep -qF "$NODE_DIR" || return 1
  echo "$pid"
}

running() { local c; for c in "${COMPONENTS[@]}"; do component_pid "$c" >/dev/null || return 1; done; }

wait_for() { # description, command...
  local what="$1" deadline=$((SECONDS + TIMEOUT))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { log "timed out after ${TIMEOUT}s waiting for ${what}; logs: ${NODE_DIR}/logs/"; return 1; }
    sleep 0.5
  done
}

# Starts a component in the background with the node lock (fd 7) inherited, so
# the lock is held while any component runs.
start_component() { # name, command...
  local name="$1"
  shift
  mkdir -p "${NODE_DIR}/logs" "${NODE_DIR}/pids"
  nohup "$@" >>"${NODE_DIR}/logs/${name}.log" 2>&1 8>&- 9>&- &
  echo $! >"${NODE_DIR}/pids/${name}.pid"
}

# A client certificate signed by the cluster's CA, and a kubeconfig using it.
client_kubeconfig() { # name, CN, O (may be empty)
  local name="$1" cn="$2" org="$3" dir="${NODE_DIR}/pki" server subj
  mkdir -p "$dir"
  if [[ ! -s "${dir}/${name}.crt" ]]; then
    subj="/CN=${cn}"
    [[ -n "$org" ]] && subj="/O=${org}${subj}"
    openssl req -new -newkey rsa:2048 -nodes -keyout "${dir}/${name}.key" -subj "$subj" -out "${dir}/${name}.csr" 2>/dev/null
    openssl x509 -req -in "${dir}/${name}.csr" -CA "${PKI_DIR}/ca.crt" -CAkey "${PKI_DIR}/ca.key" -CAcreateserial \
      -days 3650 -out "${dir}/${name}.crt" 2>/dev/null
    rm -f "${dir}/${name}.csr"
  fi
  server="$(kubectl_ config view --minify -o jsonpath='{.clusters[0].cluster.server}')"
  cat >"${NODE_DIR}/${name}.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster: {server: "${server}", certificate-authority: "${PKI_DIR}/ca.crt"}
users:
- name: ${name}
  user: {client-certificate: "${dir}/${name}.crt", client-key: "${dir}/${name}.key"}
contexts:
- name: ${name}
  context: {cluster: local, user: ${name}}
current-context: ${name}
EOF
}

write_configs() {
  mkdir -p "${NODE_DIR}/containerd" "${NODE_DIR}/cni/net.d" "${NODE_DIR}/cni/ipam" "${NODE_DIR}/kubelet"
  cat >"${NODE_DIR}/containerd/config.toml" <<EOF
# containerd for the local cluster's real node (written by hack/node.sh)
version = 2
root = "${NODE_DIR}/containerd/root"
state = "${NODE_DIR}/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "${NODE_DIR}/containerd/containerd.sock"
[ttrpc]
  address = "${NODE_DIR}/containerd/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "${NODE_DIR}/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${SANDBOX_IMAGE}"
  # runc cannot write oom_score_adj below the containerd's own in this kind of VM.
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${CNI_BIN_DIR}"
    conf_dir = "${NODE_DIR}/cni/net.d"
EOF
  # Pods get routes to the cluster's ranges only, no default route: a pod
  # cannot even address anything outside this machine. The gateway address is
  # the bridge's own (network-up), so the plugin neither sets addresses nor
  # turns on IP forwarding.
  cat >"${NODE_DIR}/cni/net.d/10-appserver.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "appserver",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "${NODE_BRIDGE}",
      "isGateway": false,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "${NODE_DIR}/cni/ipam",
        "ranges": [[{"subnet": "${REAL_POD_CIDR}", "gateway": "${REAL_POD_GATEWAY}"}]],
        "routes": [{"dst": "${NODE_CIDR}"}, {"dst": "${SERVICE_CIDR}"}]
      }
    }
  ]
}
EOF
  cat >"${NODE_DIR}/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: ${NODE_IP}
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: "${PKI_DIR}/ca.crt"}
authorization: {mode: Webhook}
cgroupDriver: cgroupfs
containerRuntimeEndpoint: "unix://${NODE_DIR}/containerd/containerd.sock"
failSwapOn: false
clusterDomain: cluster.local
# No DNS server runs: pods are pointed at a ClusterIP no Service has (routed to the
# bridge, so a lookup goes nowhere), never at the host's resolver.
clusterDNS: [${CLUSTER_DNS_IP}]
resolvConf: ""
registerWithTaints:
- {key: ${NODE_TAINT_KEY}, value: "true", effect: NoSchedule}
# The images are imported, never pulled: never collect them.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "200Mi", nodefs.available: "1%", imagefs.available: "1%"}
serializeImagePulls: false
shutdownGracePeriod: 0s
EOF
  cat >"${NODE_DIR}/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: "${NODE_DIR}/kube-proxy.kubeconfig"}
hostnameOverride: ${NODE_NAME}
mode: iptables
clusterCIDR: ${REAL_POD_CIDR}
bindAddress: ${NODE_IP}
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# NodePorts only on the node's bridge address, never on another device.
nodePortAddresses: ["${NODE_IP}/32"]
iptables: {masqueradeAll: true, syncPeriod: 30s, minSyncPeriod: 0s}
# Leave the kernel's conntrack table size alone.
conntrack: {maxPerCore: 0}
EOF
}

# Unmounts whatever a previous run left mounted below the node's directory.
unmount_below() { # dir
  local m
  awk -v d="$1/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
}

# Network namespaces left by pods of a node that no longer runs (their addresses
# would clash with new pods'). Only called while holding the node lock.
remove_stale_netns() {
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^cni-/ {print $1}'); do
    if ip -n "$ns" -4 -o addr 2>/dev/null | grep -q " ${REAL_POD_CIDR%.0/24}\."; then
      ip netns delete "$ns" 2>/dev/null || true
    fi
  done
}

stop_processes() {
  local c pid deadline
  for c in prometheus kube-proxy kubelet containerd; do
    pid="$(component_pid "$c")" || continue
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 15))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "${NODE_DIR}/pids/${c}.pid"
  done
}

# Kills every container of the node (the shims outlive containerd).
kill_containers() {
  local pid
  for pid in $(pgrep -f "containerd-shim-runc-v2 .*-address ${NODE_DIR}/containerd/containerd.sock" 2>/dev/null || true); do
    pkill -KILL -P "$pid" 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
  done
}

node_ready() {
  [[ "$(kubectl_ get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == True ]]
}

# kube-proxy has written the rule for the kubernetes Service.
proxy_programmed() {
  iptables -t nat -S KUBE-SERVICES 2>/dev/null | grep -q -- "-d ${KUBERNETES_SERVICE_IP}/32 .*--dport 443"
}

import_sandbox_image() {
  ctr_ images ls -q 2>/dev/null | grep -qx "$SANDBOX_IMAGE" && return 0
  "${ROOT}/hack/images.sh" pause >/dev/null
}

cmd_up() {
  local why
  why="$(preflight)" || die "$why"
  [[ -f "$KUBECONFIG_ADMIN" && -f "${PKI_DIR}/ca.key" ]] || die "the cluster is not up (hack/cluster.sh up starts it and then the node)"
  mkdir -p "$RUN_DIR"
  exec 7>"$NODE_LOCK"
  flock -n 7 || die "this machine's real node belongs to another checkout ($(cat "${RUN_DIR}/real-node.owner" 2>/dev/null))"
  echo "$LOCAL_CLUSTER_DIR" >"${RUN_DIR}/real-node.owner"
  if running; then
    log "real node '${NODE_NAME}' already runs"
    return 0
  fi
  install_packages
  cmd_network_up
  "${ROOT}/hack/build-tools.sh" node pause prometheus
  # Left over from a stopped or crashed run: processes, mounts, pod networks, proxy rules.
  stop_processes
  kill_containers
  unmount_below "$NODE_DIR"
  remove_stale_netns
  rm -rf "${NODE_DIR}/containerd/state" "${NODE_DIR}/kubelet/pods" "${NODE_DIR}/cni/ipam"
  "${BIN_DIR}/kube-proxy" --cleanup >/dev/null 2>&1 || true
  apply_fence

  write_configs
  client_kubeconfig kubelet "system:node:${NODE_NAME}" system:nodes
  client_kubeconfig kube-proxy system:kube-proxy ""

  log "starting containerd"
  start_component containerd containerd --config "${NODE_DIR}/containerd/config.toml"
  wait_for "containerd" ctr_ version || die "containerd did not start"
  import_sandbox_image

  log "starting kubelet (node ${NODE_NAME}, ${NODE_IP})"
  start_component kubelet "${BIN_DIR}/kubelet" \
    --config="${NODE_DIR}/kubelet/config.yaml" \
    --kubeconfig="${NODE_DIR}/kubelet.kubeconfig" \
    --root-dir="${NODE_DIR}/kubelet" \
    --cert-dir="${NODE_DIR}/kubelet/pki" \
    --hostname-override="$NODE_NAME" \
    --node-ip="$NODE_IP" \
    --node-labels="${NODE_LABEL}" \
    --v=1
  log "starting kube-proxy"
  start_component kube-proxy "${BIN_DIR}/kube-proxy" --config="${NODE_DIR}/kube-proxy.yaml" --v=1
  start_prometheus
  exec 7>&-

  wait_for "node ${NODE_NAME} Ready" node_ready || die "the real node did not become Ready"
  wait_for "kube-proxy's rules" proxy_programmed || die "kube-proxy did not program the kubernetes Service"
  why="$(check_routes)" || die "$why"
  log "real node '${NODE_NAME}' is Ready (pods ${REAL_POD_CIDR}, logs ${NODE_DIR}/logs/)"
}

cmd_down() {
  if [[ ! -d "$NODE_DIR" ]]; then return 0; fi
  [[ "$(id -u)" == 0 ]] || die "stopping the real node needs root"
  log "stopping real node '${NODE_NAME}'"
  stop_processes
  kill_containers
  unmount_below "$NODE_DIR"
  remove_stale_netns
  rm -rf "$NODE_DIR"
  if [[ "$(cat "${RUN_DIR}/real-node.owner" 2>/dev/null)" == "$LOCAL_CLUSTER_DIR" ]]; then
    rm -f "${RUN_DIR}/real-node.owner"
  fi
}

cmd_status() {
  local c rc=0
  for c in "${COMPONENTS[@]}"; do
    if component_pid "$c" >/dev/null; then echo "${c}: running"; else echo "${c}: not running"; rc=1; fi
  done
  return "$rc"
}

case "${1:-}" in
  preflight) preflight ;;
  network-up) cmd_network_up ;;
  network-down) cmd_network_down ;;
  fence-port) cmd_fence_port "${2:-}" ;;
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
