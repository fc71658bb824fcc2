# SPDX-License-Identifier: GPL-2.0
# Reconfiguration under load: queue stop/wake, resize and link flap during a
# flood, rmmod during a flood. The harness fails the run on any kernel splat.
source /vnet/lib.sh
source /vnet/tests/vnet_common.sh

vnet_setup || { log_test "setup" 1 "vnet0 did not come up"; lib_exit; }
vnet_static_peer

# A small TX ring and a long interrupt delay: pktgen calls ndo_start_xmit
# back to back, so the ring fills before NAPI runs; xmit must stop the
# queue and TX-done must wake it. A lost wake-up leaves pktgen stuck.
# BQL would stop the queue on bytes first: lift its floor so that the
# driver's own descriptor check is what stops it.
RET=0
n=20000
bql=/sys/class/net/vnet0/queues/tx-0/byte_queue_limits/limit_min
delay=/sys/kernel/debug/vnet/vnethw.0/fault_delay_us
# pktgen must fill 64 slots before the completion interrupt: the device
# holds completions back 20 ms more (fault_delay_us), as a busy host's
# vCPU may not send 64 frames within the 1 ms ITR delay (CI saw a run
# where the queue never stopped). A debug kernel is slower still: 200 ms.
echo 20000 >$delay
if [ "${VNET_SLOW:-0}" = 1 ]; then
	n=5000
	echo 200000 >$delay
fi
ethtool -G vnet0 tx 64
ethtool -C vnet0 adaptive-rx off rx-usecs 1000 tx-usecs 1000
echo 1000000 > $bql
modprobe pktgen
check_err $? "modprobe pktgen failed"
declare -A base
for s in tx_stops tx_wakes tx_packets reflect_drop_not_icmp tx_busy; do
	base[$s]=$(ethtool_stat vnet0 $s)
done
pktgen_setup "" vnet0 "$VNET_PEER" "$VNET_PEER_MAC"
pktgen_set "" vnet0 "count $n"
pktgen_start ""
check_err $? "pktgen did not finish: queue stuck?"
pg=/proc/net/pktgen/vnet0
grep -q "Result: OK: .* $n" $pg 2>/dev/null || grep -q "pkts-sofar: $n" $pg
check_err $? "pktgen: $(grep -E 'Result|sofar' $pg)"
wait_for 10 eval '[ "$(stat_delta tx_packets "${base[tx_packets]}")" -ge $n ]'
check_err $? "not every frame completed: $(stat_delta tx_packets "${base[tx_packets]}")"
check_eq "$(stat_delta reflect_drop_not_icmp "${base[reflect_drop_not_icmp]}")" \
	$n "UDP frames seen by the link partner"
s=$(stat_delta tx_stops "${base[tx_stops]}")
w=$(stat_delta tx_wakes "${base[tx_wakes]}")
[ "$s" -gt 0 ] && [ "$w" -gt 0 ]
check_err $? "queue never stopped/woke (stops +$s, wakes +$w)"
check_eq "$(stat_delta tx_busy "${base[tx_busy]}")" 0 "NETDEV_TX_BUSY returns"
pktgen_set "" kpktgend_0 rem_device_all
echo 0 > $bql
echo 0 >$delay
coalesce_defaults "" vnet0
ethtool -G vnet0 tx 256
check_eq "$(ping_received -c 3 -i 0.01 -W 2 -q $VNET_PEER)" 3 "ping after"
log_test "pktgen $n frames: ring fills, queue stops and wakes (stops +$s, wakes +$w)"

flood_start() {
	ping -f -w "$1" $VNET_PEER >/dev/null 2>&1 &
	FLOOD=$!
}

flood_stop() {
	kill "$FLOOD" 2>/dev/null
	wait "$FLOOD" 2>/dev/null
}

RET=0
flood_start 60
for i in $(seq 1 25); do
	sz=$((64 << (i % 7)))
	ethtool -G vnet0 rx $sz tx $((4096 >> (i % 7)))
	check_err $? "ethtool -G $sz under flood failed"
	ip link set vnet0 mtu $((600 + (i * 37) % 900))
	check_err $? "mtu change under flood failed"
	ethtool -C vnet0 adaptive-rx off rx-usecs $((i % 3 * 20)) \
		tx-usecs $((i % 4 * 10))
	check_err $? "ethtool -C under flood failed"
	ethtool -S vnet0 >/dev/null
	cat /proc/net/dev >/dev/null
done
flood_stop
coalesce_defaults "" vnet0
ip link set vnet0 mtu 1500
check_eq "$(ping_received -c 20 -i 0.002 -W 2 -q $VNET_PEER)" 20 "replies after"
log_test "25 x ethtool -G/-C + MTU change during a flood"

RET=0
flood_start 60
for i in $(seq 1 15); do
	ip link set vnet0 down
	check_err $? "link down failed"
	ip link set vnet0 up
	check_err $? "link up failed"
done
flood_stop
wait_for 5 grep -qx 1 /sys/class/net/vnet0/carrier
check_err $? "no carrier after flapping"
vnet_static_peer
check_eq "$(ping_received -c 20 -i 0.002 -W 2 -q $VNET_PEER)" 20 "replies after"
log_test "15 link flaps during a flood"

RET=0
for i in 1 2 3; do
	flood_start 30
	# Let the flood get going: wait until the reflector has answered.
	b=$(ethtool_stat vnet0 reflect_icmp_reply)
	t=$(ethtool_stat vnet0 tx_packets)
	wait_for 10 eval '[ "$(stat_delta reflect_icmp_reply "$b")" -gt 100 ]'
	check_err $? "flood did not start (round $i: replies +$(stat_delta reflect_icmp_reply "$b"), tx +$(stat_delta tx_packets "$t"), carrier $(cat /sys/class/net/vnet0/carrier), ping $(kill -0 "$FLOOD" 2>&1 && echo running))"
	vnet_unload
	check_err $? "rmmod under flood failed"
	flood_stop
	vnet_setup
	check_err $? "reload after rmmod failed"
	vnet_static_peer
done
check_eq "$(ping_received -c 5 -i 0.01 -W 2 -q $VNET_PEER)" 5 "replies after"
log_test "rmmod during a flood, 3 times"

vnet_unload
lib_exit
