# SPDX-License-Identifier: GPL-2.0
# Shared setup for the vnet VM tests (sourced after lib.sh).

VNET_ADDR=10.0.0.1
# The reflector answers any other address of the subnet, with MAC 02:00:<ip>.
VNET_PEER=10.0.0.2
VNET_PEER_MAC=02:00:0a:00:00:02

# vnet_setup [insmod params]: load vnet, quiet the link, give it an address.
# IPv6 is off so that no ND/MLD chatter lands in the counters tests compare.
vnet_setup() {
	vnet_load "$@" || return 1
	echo 1 > "/proc/sys/net/ipv6/conf/$VNET_DEV/disable_ipv6" || return 1
	ip addr add "$VNET_ADDR/24" dev "$VNET_DEV" || return 1
	ip link set "$VNET_DEV" up || return 1
	wait_for 5 grep -qx 1 "/sys/class/net/$VNET_DEV/carrier"
}

# vnet_static_peer: a permanent neighbour, so no ARP joins measured traffic.
vnet_static_peer() {
	ip neigh replace "$VNET_PEER" lladdr "$VNET_PEER_MAC" nud permanent \
		dev "$VNET_DEV"
}

# ping_received ARGS...: run ping, print the "received" count.
ping_received() {
	ping "$@" 2>/dev/null | sed -n 's/.* \([0-9]*\) received.*/\1/p'
}

# stat_delta NAME BEFORE: current ethtool -S NAME minus BEFORE.
stat_delta() {
	local now
	now=$(ethtool_stat "$VNET_DEV" "$1") || return 1
	echo $((now - $2))
}
