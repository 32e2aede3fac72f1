# Addresses of the local cluster, sourced by hack/cluster.sh, hack/node.sh and
# hack/cluster-smoke.sh. Every range here is routed to the local bridge
# ${NODE_BRIDGE} (when the machine lets us create it), so a packet sent to any
# cluster address stays on this machine: at worst it finds no neighbour on the
# bridge and is dropped. See docs/local-cluster.md.
#
# The tests read the same values from .local-cluster/network.env, which
# hack/cluster.sh writes from this file.

# The bridge that carries the real node's pods and holds the node's address.
NODE_BRIDGE=appsrv0
# The nodes' network: the real node's address (also the control plane's bind
# address when the bridge exists) and the fake nodes' InternalIPs.
NODE_CIDR=10.242.0.0/16
NODE_IP=10.242.0.1
# Fake node i has InternalIP 10.242.(1 + i/256).(i%256); see fake_node_ip.
# Pods of the real node (host-local IPAM on the bridge; the gateway is the host).
REAL_POD_CIDR=10.245.0.0/24
REAL_POD_GATEWAY=10.245.0.1
# Pods of fake node i get addresses from 10.244.i.0/24 (KWOK assigns them).
FAKE_POD_CIDR=10.244.0.0/16
# ClusterIPs. /16: room for thousands of AppServers and their Services.
SERVICE_CIDR=10.96.0.0/16
KUBERNETES_SERVICE_IP=10.96.0.1
# Where pods look for DNS; no Service has it (no DNS server runs), so lookups fail here.
CLUSTER_DNS_IP=10.96.0.10
# Every range above; nothing addressed to them may leave through another device.
CLUSTER_RANGES=("$NODE_CIDR" "$REAL_POD_CIDR" "$FAKE_POD_CIDR" "$SERVICE_CIDR")

fake_node_ip() { # index
  printf '10.242.%d.%d' $((1 + $1 / 256)) $(($1 % 256))
}
