#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Smoke test of the VM harness itself, using only distro pieces: kernel
# modules from the base image, iproute2, iputils ping, ethtool, netns, veth,
# and the lib.sh helpers. All addresses exist only inside the guest.
# shellcheck source=/dev/null # tests/vm/lib.sh
source "${VNET_LIB:-/vnet/lib.sh}"

NS_A=smoke_a
NS_B=smoke_b

# shellcheck disable=SC2317 # called via trap
cleanup() {
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_B" 2>/dev/null
	ip netns del t 2>/dev/null
	ip link del dummy0 2>/dev/null
}
trap cleanup EXIT

# --- basic environment ---------------------------------------------------
RET=0
[ "$(uname -r)" = "$VNET_KVER" ]
check_err $? "uname -r '$(uname -r)' != VNET_KVER '$VNET_KVER'"
for fs in proc sysfs devtmpfs devpts debugfs tracefs; do
	grep -q " $fs " /proc/mounts
	check_err $? "$fs not mounted"
done
[ -d /run/netns ]
check_err $? "/run/netns missing"
[ "$(cat /sys/class/net/lo/operstate)" != down ]
check_err $? "lo is down"
log_test "guest environment ($VNET_KVER)"

# --- allocator debugging (run.sh boots with it unless --no-mm-debug) -----
RET=0
if grep -qw 'slub_debug=FZPU' /proc/cmdline; then
	for f in sanity_checks red_zone poison store_user; do
		[ "$(cat /sys/kernel/slab/kmalloc-64/$f 2>/dev/null)" = 1 ]
		check_err $? "kmalloc-64: $f is off"
	done
	# Debian's 6.1 has no KFENCE; 6.12's is off until the command line
	# sets an interval.
	kfence="no KFENCE in this kernel"
	if [ -d /sys/module/kfence ]; then
		check_eq "$(cat /sys/module/kfence/parameters/sample_interval 2>&1)" 10 \
			"KFENCE sample_interval"
		kfence="KFENCE sampling every 10 ms"
	fi
	log_test "slub_debug=FZPU active, $kfence"
elif grep -qw kasan_report /proc/kallsyms; then
	log_test "KASAN checks every slab and page access (booted with --no-mm-debug: slub_debug and KFENCE would add nothing)"
else
	log_skip "slub_debug=FZPU and KFENCE sampling are active" "booted with --no-mm-debug"
fi

# --- dummy --------------------------------------------------------------
RET=0
modprobe dummy numdummies=0
check_err $? "modprobe dummy failed"
ip link add dummy0 type dummy
check_err $? "ip link add dummy0 failed"
ip link set dummy0 up
check_err $? "ip link set dummy0 up failed"
ip addr add 10.200.1.1/24 dev dummy0
check_err $? "ip addr add failed"
ip -4 addr show dev dummy0 | grep -q 'inet 10.200.1.1/24'
check_err $? "address not shown on dummy0"
drv=$(ethtool -i dummy0 | awk '$1 == "driver:" { print $2 }')
check_eq "$drv" dummy "ethtool -i dummy0 driver"
log_test "dummy0 via modprobe, ip, ethtool -i"

# --- ping ---------------------------------------------------------------
RET=0
ping -V 2>&1 | grep -q iputils
check_err $? "ping is not iputils: $(ping -V 2>&1 | head -n 1)"
ping -c 1 -W 1 127.0.0.1 >/dev/null
check_err $? "ping 127.0.0.1 failed"
log_test "iputils ping to 127.0.0.1"

# --- netns --------------------------------------------------------------
RET=0
ip netns add t
check_err $? "ip netns add t failed"
ip netns exec t ip link show lo >/dev/null
check_err $? "ip netns exec t ip link show lo failed"
ip netns del t
check_err $? "ip netns del t failed"
log_test "ip netns add/exec/del"

# --- veth pair across two namespaces ---------------------------------------
RET=0
ip netns add "$NS_A" && ip netns add "$NS_B"
check_err $? "creating namespaces failed"
ip link add vA netns "$NS_A" type veth peer name vB netns "$NS_B"
check_err $? "ip link add veth failed"
ip -n "$NS_A" addr add 10.200.0.1/24 dev vA &&
	ip -n "$NS_B" addr add 10.200.0.2/24 dev vB &&
	ip -n "$NS_A" link set vA up && ip -n "$NS_B" link set vB up
check_err $? "configuring veth failed"
wait_for 5 ip netns exec "$NS_A" ping -c 1 -W 1 10.200.0.2 >/dev/null
check_err $? "ping 10.200.0.1 -> 10.200.0.2 failed"
ip netns exec "$NS_B" ping -c 3 -i 0.2 -W 1 10.200.0.1 >/dev/null
check_err $? "ping 10.200.0.2 -> 10.200.0.1 failed"
log_test "veth ping between namespaces"

# --- lib.sh helpers -------------------------------------------------------
RET=0
tx=$(ip netns exec "$NS_A" bash -c "source $VNET_LIB; link_stat vA tx_packets")
check_err $? "link_stat vA tx_packets failed"
[ "${tx:-0}" -ge 1 ] 2>/dev/null
check_err $? "link_stat vA tx_packets = '$tx', expected >= 1"
peer=$(ip netns exec "$NS_A" bash -c "source $VNET_LIB; ethtool_stat vA peer_ifindex")
check_err $? "ethtool_stat vA peer_ifindex failed"
[ "${peer:-0}" -ge 1 ] 2>/dev/null
check_err $? "ethtool_stat vA peer_ifindex = '$peer'"
ip netns exec "$NS_A" bash -c "source $VNET_LIB; ethtool_stat vA no_such_stat" 2>/dev/null
check_fail $? "ethtool_stat of a missing stat succeeded"
link_stat lo no_such_field 2>/dev/null
check_fail $? "link_stat of a missing field succeeded"
ch=$(ip netns exec "$NS_A" bash -c "source $VNET_LIB; channel_param vA rx max")
check_err $? "channel_param vA rx max failed"
[[ $ch =~ ^[0-9]+$ ]]
check_err $? "channel_param vA rx max = '$ch'"
t0=$EPOCHREALTIME
wait_for 0.3 false
check_fail $? "wait_for false succeeded"
dt=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }')
[ "$dt" -ge 250 ] && [ "$dt" -lt 3000 ]
check_err $? "wait_for 0.3 false took ${dt} ms"
wait_for 1 true
check_err $? "wait_for true failed"
kernel_splat_check
check_err $? "kernel log shows a splat"
log_test "lib.sh helpers"

# --- iperf3 (optional tool) -------------------------------------------------
if command -v iperf3 >/dev/null; then
	RET=0
	ip netns exec "$NS_B" timeout 30 iperf3 -s -1 -B 10.200.0.2 >/dev/null 2>&1 &
	srv=$!
	# listening on port 5201 (0x1451)?
	wait_for 5 ip netns exec "$NS_B" grep -q ':1451 ' /proc/net/tcp
	check_err $? "iperf3 server did not start listening"
	out=$(ip netns exec "$NS_A" timeout 30 iperf3 -c 10.200.0.2 -t 1 2>&1)
	check_err $? "iperf3 client failed: $(tail -n 3 <<<"$out")"
	[ "$RET" -eq 0 ] || kill "$srv" 2>/dev/null
	wait "$srv"
	check_err $? "iperf3 server failed"
	log_test "iperf3 over veth"
else
	log_skip "iperf3 over veth" "iperf3 not in the image"
fi

lib_exit
