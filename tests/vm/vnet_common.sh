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

# coalesce_defaults NS DEV: DEV in netns NS (or the current one) back to the
# default moderation: adaptive-rx on, static rx/tx-usecs 50, no frame
# thresholds. Two requests: while adaptive-rx is on, vnet refuses static
# RX values.
coalesce_defaults() {
	nsx "$1" ethtool -C "$2" adaptive-rx off rx-usecs 50 rx-frames 0 \
		tx-usecs 50 tx-frames 0 &&
		nsx "$1" ethtool -C "$2" adaptive-rx on
}

# vnet_static_peer: a permanent neighbour, so no ARP joins measured traffic.
vnet_static_peer() {
	ip neigh replace "$VNET_PEER" lladdr "$VNET_PEER_MAC" nud permanent \
		dev "$VNET_DEV"
}

# ping_received ARGS...: run ping, print the "received" count.
ping_received() {
	ns_ping_received "" "$@"
}

# stat_delta NAME BEFORE: current ethtool -S NAME minus BEFORE.
stat_delta() {
	local now
	now=$(ethtool_stat "$VNET_DEV" "$1") || return 1
	echo $((now - $2))
}

# ---- more ports, pair mode, netns ------------------------------------------
# mode=pair cables vnet0<->vnet1 (vnet2<->vnet3, ...). The pair tests put
# vnet0 in netns $VNET_NS_A and vnet1 in $VNET_NS_B, so that traffic between
# the two addresses really crosses the wire.
VNET_NS_A=vnet_a
VNET_NS_B=vnet_b
VNET_PAIR_A=10.9.0.1
VNET_PAIR_B=10.9.0.2

# Creating a process is what a debug kernel is slowest at: on 7.3's, a
# fork and exec of /bin/true takes 0.18 s and "ip netns exec" 0.67 s (it
# makes a mount namespace and mounts sysfs every time), against 0.01 s and
# 0.07 s on Debian's. So nsx only enters the netns, with busybox's static
# nsenter (0.25 s; 0.02 s on Debian's kernel, util-linux's 0.06 s), and
# each netns vnet_ns_add makes gets its own sysfs, mounted once under
# $VNET_NS_SYS/<netns>, which the helpers read with bash builtins.
VNET_NS_SYS=/run/vnet-sys

# nsx NS CMD...: run CMD in netns NS (in the current one if NS is empty).
# CMD sees the netns's /proc/net and /proc/sys/net, but this netns's
# /sys: read sysfs through ns_sys.
nsx() {
	local ns=$1 cmd=$2
	shift
	[ -n "$ns" ] || { "$@"; return; }
	shift
	# busybox would run its own applet of that name: give it the path bash
	# would run
	if [[ $cmd != */* ]]; then
		hash "$cmd" 2>/dev/null || {
			echo "nsx: $cmd: command not found" >&2
			return 127
		}
		cmd=${BASH_CMDS[$cmd]}
	fi
	busybox nsenter --net="/run/netns/$ns" -- "$cmd" "$@"
}

# in_ns NS HELPER ARGS...: run a lib.sh helper that reads a device with
# ethtool (ethtool_stat, ring_param, channel_param, coalesce_param,
# feature_state) on a device of netns NS.
in_ns() {
	local VNET_IN_NS=$1
	shift
	"$@"
}

# vnet_ethtool ARGS...: lib.sh's, redefined: ethtool in the netns in_ns
# names (this one when none).
vnet_ethtool() {
	nsx "${VNET_IN_NS:-}" ethtool "$@"
}

# ns_sys NS: print where netns NS's sysfs is mounted (/sys for the current
# netns, NS empty).
ns_sys() {
	if [ -n "$1" ]; then
		echo "$VNET_NS_SYS/$1"
	else
		echo /sys
	fi
}

# ns_read NS PATH: print the first line of sysfs file PATH (relative to
# /sys, e.g. class/net/vnet1/carrier) in netns NS, without a process.
ns_read() {
	local v f
	if [ -n "$1" ]; then
		f=$VNET_NS_SYS/$1/$2
	else
		f=/sys/$2
	fi
	read -r v <"$f" || return 1
	echo "$v"
}

# vnet_wait_ports N: wait (<= 10 s) until vnet0..vnet<N-1> all exist.
vnet_wait_ports() {
	local i
	for ((i = 0; i < $1; i++)); do
		wait_for 10 test -e "/sys/class/net/vnet$i" || return 1
	done
}

# vnet_ns_add NS: a fresh netns with IPv6 off (no ND/MLD chatter in the
# counters) and lo up.
vnet_ns_add() {
	vnet_ns_del "$1"
	ip netns add "$1" && mkdir -p "$VNET_NS_SYS/$1" &&
		nsx "$1" mount -t sysfs sysfs "$VNET_NS_SYS/$1" || return 1
	nsx "$1" sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 &&
		echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6' || return 1
	ip -n "$1" link set lo up
}

# vnet_ns_del NS: delete netns NS (made by vnet_ns_add) and its sysfs
# mount; no error if it does not exist.
vnet_ns_del() {
	local m
	while read -r _ m _; do
		if [ "$m" = "$VNET_NS_SYS/$1" ]; then
			umount "$m" || return 1
		fi
	done </proc/mounts
	ip netns del "$1" 2>/dev/null
	return 0
}

# ns_carrier NS DEV: print DEV's carrier (0 or 1; 0 when it is down).
ns_carrier() {
	ns_read "$1" "class/net/$2/carrier" 2>/dev/null || echo 0
}

# pair_carriers: print the carriers of vnet0 in $VNET_NS_A and vnet1 in
# $VNET_NS_B, "11" when the cable is up at both ends.
pair_carriers() {
	echo "$(ns_carrier "$VNET_NS_A" vnet0)$(ns_carrier "$VNET_NS_B" vnet1)"
}

# ns_ping_received NS ARGS...: run ping in netns NS, print the "received"
# count.
ns_ping_received() {
	local ns=$1
	shift
	nsx "$ns" ping "$@" 2>/dev/null |
		sed -n 's/.* \([0-9]*\) received.*/\1/p'
}

# ns_snmp NS PROTO FIELD: one counter of /proc/net/snmp in netns NS, e.g.
# ns_snmp vnet_b Tcp InCsumErrors.
ns_snmp() {
	nsx "$1" awk -v p="$2:" -v f="$3" '$1 == p {
		if (!c) { for (i = 2; i <= NF; i++) if ($i == f) c = i }
		else { print $c; exit } }' /proc/net/snmp
}

# ns_mac NS DEV: print DEV's MAC address.
ns_mac() {
	ns_read "$1" "class/net/$2/address"
}

# vnet_pair_setup [insmod params]: insmod mode=pair, vnet0 in $VNET_NS_A as
# $VNET_PAIR_A/24, vnet1 in $VNET_NS_B as $VNET_PAIR_B/24, both up with
# carrier, and permanent neighbours so that no ARP joins measured traffic.
vnet_pair_setup() {
	vnet_load mode=pair "$@" || return 1
	vnet_wait_ports 2 || return 1
	vnet_ns_add "$VNET_NS_A" || return 1
	vnet_ns_add "$VNET_NS_B" || return 1
	ip link set vnet0 netns "$VNET_NS_A" || return 1
	ip link set vnet1 netns "$VNET_NS_B" || return 1
	ip -n "$VNET_NS_A" addr add "$VNET_PAIR_A/24" dev vnet0 || return 1
	ip -n "$VNET_NS_B" addr add "$VNET_PAIR_B/24" dev vnet1 || return 1
	ip -n "$VNET_NS_A" link set vnet0 up || return 1
	ip -n "$VNET_NS_B" link set vnet1 up || return 1
	vnet_pair_neigh || return 1
	wait_for 5 eval '[ "$(pair_carriers)" = 11 ]'
}

# vnet_pair_here [insmod params]: insmod mode=pair, vnet0 stays in this
# netns as $VNET_PAIR_A/24 (IPv6 off: no autoconf traffic), vnet1 in
# $VNET_NS_B as $VNET_PAIR_B/24, both up with carrier.
vnet_pair_here() {
	vnet_load mode=pair "$@" && vnet_wait_ports 2 &&
		vnet_ns_add "$VNET_NS_B" && ip link set vnet1 netns "$VNET_NS_B" &&
		echo 1 >/proc/sys/net/ipv6/conf/vnet0/disable_ipv6 &&
		ip addr add "$VNET_PAIR_A/24" dev vnet0 && ip link set vnet0 up &&
		ip -n "$VNET_NS_B" addr add "$VNET_PAIR_B/24" dev vnet1 &&
		ip -n "$VNET_NS_B" link set vnet1 up &&
		wait_for 5 eval '[ "$(cat /sys/class/net/vnet0/carrier)$(ns_carrier "$VNET_NS_B" vnet1)" = 11 ]'
}

# vnet_pair_neigh: permanent neighbours on both ends (again: taking an
# interface down flushes even permanent entries).
vnet_pair_neigh() {
	local mac_a mac_b
	mac_a=$(ns_mac "$VNET_NS_A" vnet0) && mac_b=$(ns_mac "$VNET_NS_B" vnet1) ||
		return 1
	ip -n "$VNET_NS_A" neigh replace "$VNET_PAIR_B" lladdr "$mac_b" \
		nud permanent dev vnet0 &&
		ip -n "$VNET_NS_B" neigh replace "$VNET_PAIR_A" lladdr "$mac_a" \
			nud permanent dev vnet1
}

# vnet_pair_cleanup: unload vnet (its ports leave the netns with it), then
# delete the netns. Safe to call twice.
vnet_pair_cleanup() {
	vnet_loaded && vnet_unload
	vnet_ns_del "$VNET_NS_A"
	vnet_ns_del "$VNET_NS_B"
}

# ns_stats ARRAY NS DEV: fill the associative array ARRAY (declare -A it
# first) with every "ethtool -S DEV" counter of DEV in netns NS, and the
# rtnl counters of /sys/class/net/DEV/statistics as link_<name>.
ns_stats() {
	local -n _snap=$1
	local ns=$2 dev=$3 out k v f dir
	_snap=()
	dir=$VNET_NS_SYS/$ns/class/net/$dev/statistics
	[ -n "$ns" ] || dir=/sys/class/net/$dev/statistics
	if ! out=$(nsx "$ns" ethtool -S "$dev" 2>&1) || [ ! -d "$dir" ]; then
		echo "ns_stats: cannot read the counters of $dev: $out" >&2
		return 1
	fi
	while read -r k v; do
		[[ $k == *: && $v =~ ^[0-9]+$ ]] && _snap[${k%:}]=$v
	done <<<"$out"
	for f in "$dir"/*; do
		read -r v <"$f" && [[ $v =~ ^[0-9]+$ ]] && _snap["link_${f##*/}"]=$v
	done
	return 0
}

# ns_stat NS DEV NAME: print one ethtool -S counter of DEV in netns NS.
ns_stat() {
	local -A _one
	ns_stats _one "$1" "$2" || return 1
	if [ -z "${_one[$3]+set}" ]; then
		echo "ns_stat: $2 has no stat '$3'" >&2
		return 1
	fi
	echo "${_one[$3]}"
}

# snap_delta BEFORE AFTER NAME: AFTER[NAME] - BEFORE[NAME] (both arrays from
# ns_stats); a counter missing from either counts as 0 there.
snap_delta() {
	local -n _b=$1 _a=$2
	echo $((${_a[$3]:-0} - ${_b[$3]:-0}))
}

# ns_tcp_listening NS PORT: true if something listens on TCP PORT in NS
# (IPv4 or IPv6 socket: busybox nc listens on ::).
ns_tcp_listening() {
	nsx "$1" grep -qE ":$(printf %04X "$2") 0+:0000 0A" /proc/net/tcp \
		/proc/net/tcp6
}

# pair_xfer KIB [PACE]: send KIB KiB of random data over TCP from netns
# $VNET_NS_A to $VNET_PAIR_B in $VNET_NS_B (busybox nc listening there,
# bash /dev/tcp sending) and compare sha256sums. With PACE (seconds) the
# data goes in 64 KiB writes PACE apart, so a transfer can span
# reconfigurations. Sets XFER_MSG (what happened); non-zero unless the
# bytes arrived intact.
pair_xfer() {
	local kib=$1 pace=${2:-} port=5001 src=/tmp/xfer.src dst=/tmp/xfer.dst
	local srv rc t0 ms sa sb
	XFER_MSG=
	head -c $((kib * 1024)) /dev/urandom >"$src" || return 1
	rm -f "$dst"
	# ip netns exec execs timeout: $! is the process to kill.
	ip netns exec "$VNET_NS_B" timeout 120 nc -l -p $port >"$dst" </dev/null &
	srv=$!
	if ! wait_for 30 ns_tcp_listening "$VNET_NS_B" $port; then
		kill "$srv" 2>/dev/null
		wait "$srv"
		XFER_MSG="nc did not listen in $VNET_NS_B"
		return 1
	fi
	t0=${EPOCHREALTIME/./}
	if [ -z "$pace" ]; then
		nsx "$VNET_NS_A" timeout 120 bash -c 'cat "$1" >"/dev/tcp/$2/$3"' \
			_ "$src" "$VNET_PAIR_B" $port
	else
		nsx "$VNET_NS_A" timeout 120 bash -c '
			exec 3>"/dev/tcp/$2/$3" || exit 1
			for ((i = 0; i < $4; i++)); do
				dd if="$1" bs=64k skip=$i count=1 2>/dev/null >&3 ||
					exit 1
				sleep "$5"
			done' _ "$src" "$VNET_PAIR_B" $port $(((kib + 63) / 64)) "$pace"
	fi
	rc=$?
	[ $rc -eq 0 ] || kill "$srv" 2>/dev/null
	wait "$srv"
	ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
	{ read -r sa _ && read -r sb _; } < <(sha256sum "$src" "$dst" 2>/dev/null)
	XFER_MSG="$kib KiB in $ms ms, received $(wc -c <"$dst") bytes"
	rm -f "$src" "$dst"
	[ $rc -eq 0 ] || { XFER_MSG="sender failed ($rc): $XFER_MSG"; return 1; }
	[ "$sa" = "$sb" ] || { XFER_MSG="sha256 differs: $XFER_MSG"; return 1; }
}

# iperf3_json FILE SECTION KEY: KEY of the "SECTION": { ... } object of an
# iperf3 -J report (e.g. sum_received bytes), first match.
iperf3_json() {
	awk -v sec="\"$2\":" -v key="\"$3\":" '
		index($0, sec) { in_sec = 1; next }
		in_sec && index($0, key) {
			v = $0; sub(/.*:[ \t]*/, "", v); sub(/,$/, "", v)
			print v; found = 1; exit
		}
		in_sec && /}/ { in_sec = 0 }
		END { exit !found }' "$1"
}

# pair_iperf3 JSON ARGS...: one iperf3 run, server in $VNET_NS_B, client in
# $VNET_NS_A with -J ARGS; the client's report goes to JSON. Non-zero (and
# IPERF_MSG says why) if either side failed.
pair_iperf3() {
	local json=$1 srv rc
	shift
	IPERF_MSG=
	ip netns exec "$VNET_NS_B" timeout 180 iperf3 -s -1 -B "$VNET_PAIR_B" \
		>/tmp/iperf3.srv 2>&1 &
	srv=$!
	if ! wait_for 30 ns_tcp_listening "$VNET_NS_B" 5201; then
		kill "$srv" 2>/dev/null
		wait "$srv"
		IPERF_MSG="iperf3 server did not listen"
		return 1
	fi
	nsx "$VNET_NS_A" timeout 170 iperf3 -c "$VNET_PAIR_B" -J "$@" >"$json" 2>&1
	rc=$?
	[ $rc -eq 0 ] || kill "$srv" 2>/dev/null
	wait "$srv" || {
		[ $rc -ne 0 ] || rc=1
		IPERF_MSG="server: $(tail -n 3 /tmp/iperf3.srv)"
	}
	[ $rc -eq 0 ] || IPERF_MSG="iperf3 -c $* failed ($rc): $(grep -m1 '"error"' "$json") $IPERF_MSG"
	return $rc
}

# iperf3_check_bytes JSON BYTES [STREAMS]: check_err that the TCP run of
# iperf3 -J -n BYTES [-P STREAMS] reported in JSON sent BYTES and that some
# of it, but no more, was received. Sets IPERF_SENT (bytes) and IPERF_MBPS
# (received, whole Mbit/s).
iperf3_check_bytes() {
	local json=$1 want=$2 streams=${3:-1} rcvd bps slack
	IPERF_SENT=$(iperf3_json "$json" sum_sent bytes)
	rcvd=$(iperf3_json "$json" sum_received bytes)
	bps=$(iperf3_json "$json" sum_received bits_per_second)
	# shellcheck disable=SC2034 # for the caller's log_test
	IPERF_MBPS=$(awk -v b="${bps:-0}" 'BEGIN { printf "%.0f", b / 1e6 }')
	# -n is rounded up to whole 128 KiB writes
	[ "${IPERF_SENT:-0}" -ge "$want" ]
	check_err $? "iperf3 sent '$IPERF_SENT' bytes of $want"
	# iperf3 stops counting at its TEST_END message: what is still in
	# flight then is not in sum_received, so that can be short of
	# sum_sent.
	# With -P 2 the server twice (in about 40 runs) counted one 128 KiB
	# write more than the client's sum_sent: likely a write the other
	# stream had under way when one stream's write reached BYTES. One
	# write per extra stream is allowed.
	slack=$(((streams - 1) * 131072))
	[ "${rcvd:-0}" -gt 0 ] && [ "$rcvd" -le $((${IPERF_SENT:-0} + slack)) ]
	check_err $? "iperf3 received '$rcvd' of '$IPERF_SENT' bytes (-P $streams)"
}

# pair_diag: one line of state for a failure message: per port carrier,
# BQL bytes in flight per TX queue, qdisc backlog, and the nonzero
# stop/wake/busy/missed/no-link counters; then each device's view of its
# queues with rings (debugfs vnet/<device>/queues).
pair_diag() {
	local nd ns dev
	for nd in "$VNET_NS_A vnet0" "$VNET_NS_B vnet1"; do
		read -r ns dev <<<"$nd"
		echo -n "$dev: carrier $(ns_carrier "$ns" "$dev") inflight"
		echo -n " $(cat "$(ns_sys "$ns")/class/net/$dev/queues/tx-"*/byte_queue_limits/inflight | tr '\n' ' ')"
		echo -n "backlog $(tc -n "$ns" -s qdisc show dev "$dev" | awk '/backlog/ { print $2 "/" $3; exit }') "
		nsx "$ns" ethtool -S "$dev" |
			awk '$1 ~ /(stops|wakes|busy|missed|no_link|alloc_fail|dropped|queue_[0-9]+_packets):$/ && $2 != 0 { printf "%s%s ", $1, $2 }'
		echo -n "; "
	done
	# the devices' side of the queues that have rings
	for f in /sys/kernel/debug/vnet/*/queues; do
		[ -r "$f" ] || continue
		echo -n "${f%/queues}: "
		awk '/ on / { printf "%s ", $0 } END { print "" }' "$f"
	done
}

# ---- pktgen ------------------------------------------------------------------
# The NS argument is a netns name, or empty for the current one: each netns
# has its own /proc/net/pktgen.

# pktgen_set NS FILE LINE: write LINE to /proc/net/pktgen/FILE in netns NS.
pktgen_set() {
	nsx "$1" sh -c 'echo "$2" > "/proc/net/pktgen/$1"' sh "$2" "$3"
}

# pktgen_setup NS DEV DST DST_MAC: pktgen thread 0 of netns NS sends from
# DEV only, 60-byte frames to DST at DST_MAC. Then set DEV's "count" and
# pktgen_start; "pktgen_set NS kpktgend_0 rem_device_all" undoes it.
pktgen_setup() {
	pktgen_set "$1" kpktgend_0 rem_device_all &&
		pktgen_set "$1" kpktgend_0 "add_device $2" &&
		pktgen_set "$1" "$2" "pkt_size 60" &&
		pktgen_set "$1" "$2" "dst $3" &&
		pktgen_set "$1" "$2" "dst_mac $4"
}

# pktgen_start NS: run pktgen in netns NS until it has sent every frame;
# non-zero if that takes more than 120 s.
pktgen_start() {
	nsx "$1" timeout 120 sh -c 'echo start > /proc/net/pktgen/pgctrl'
}

# kernel_before MAJOR MINOR: the running kernel is older than MAJOR.MINOR.
kernel_before() {
	local maj min
	IFS=. read -r maj min _ <<<"$(uname -r)"
	[ "$maj" -lt "$1" ] || { [ "$maj" = "$1" ] && [ "$min" -lt "$2" ]; }
}

# --- the kernel's YNL library (netdev netlink family), from the image --------
VNET_YNL=/tmp/ynl

# ynl_unpack: unpack it into $VNET_YNL; fails if the image has none.
ynl_unpack() {
	[ -d "$VNET_YNL/tools" ] && return 0
	[ -f /vnet/tests/ynl.tar ] && command -v python3 >/dev/null &&
		mkdir -p "$VNET_YNL" && tar -C "$VNET_YNL" -xf /vnet/tests/ynl.tar
}

# ynl_py NS ARGS...: run the Python on stdin in netns NS (empty: here),
# ARGS in sys.argv[1:], with nl a YnlFamily of the netdev family. One
# python for all a check needs: a process costs seconds on a debug kernel.
ynl_py() {
	local ns=$1
	shift
	nsx "$ns" python3 -c "import sys
sys.path.append('$VNET_YNL/tools/net/ynl/pyynl')
from lib import YnlFamily
nl = YnlFamily('$VNET_YNL/Documentation/netlink/specs/netdev.yaml', schema='')
$(cat)" "$@"
}
