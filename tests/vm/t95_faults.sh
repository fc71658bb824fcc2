# SPDX-License-Identifier: GPL-2.0
# Fault injection on a pair (debugfs vnet/vnethw.0/fault_* for vnet0 in
# netns vnet_a), then in reflect mode: every injected fault is counted in
# ethtool -S; dropped and corrupted frames are lost or caught by the
# stack's checksums; delayed completions delay, and only delay, traffic;
# lost interrupts are recovered by the driver's service task; a TX hang is
# caught by the stack's watchdog and recovered by a datapath reset.
source /vnet/lib.sh
source /vnet/tests/vnet_common.sh

A=$VNET_NS_A
B=$VNET_NS_B
DBG=/sys/kernel/debug/vnet/vnethw.0
FAULTS="fault_drop_ppm fault_corrupt_ppm fault_lost_irq_ppm fault_delay_us"

# shellcheck disable=SC2317 # called via trap
cleanup() {
	local f
	for f in $FAULTS; do
		[ -e "$DBG/$f" ] && echo 0 >"$DBG/$f"
	done
	vnet_pair_cleanup
}
trap cleanup EXIT

vnet_pair_setup ||
	{ log_test "pair setup" 1 "setup failed"; lib_exit; }

# pings20: how many of 20 quick pings from vnet0 are answered.
pings20() {
	ns_ping_received "$A" -c 20 -i 0.01 -W 1 -q "$VNET_PAIR_B"
}

# delta NAME BEFORE: vnet0's counter NAME now minus BEFORE.
delta() {
	echo $(($(ns_stat "$A" vnet0 "$1") - $2))
}

# min_rtt_us NS ARGS...: ping from NS, print the smallest RTT in whole
# microseconds (nothing if no reply came).
min_rtt_us() {
	local ns=$1
	shift
	nsx "$ns" ping "$@" 2>/dev/null |
		awk -F'[/ =]+' '/^rtt/ { printf "%d\n", $6 * 1000 }'
}

RET=0
for f in $FAULTS fault_tx_hang; do
	[ "$(stat -c %a "$DBG/$f" 2>&1)" = 600 ]
	check_err $? "$DBG/$f: mode $(stat -c %a "$DBG/$f" 2>&1), expected 600"
done
for f in $FAULTS; do
	check_eq "$(cat "$DBG/$f")" 0 "$f at load"
	echo 1000001 >"$DBG/$f" 2>/dev/null
	check_fail $? "$f=1000001 accepted"
	check_eq "$(cat "$DBG/$f")" 0 "$f after a rejected write"
done
echo 256 >"$DBG/fault_tx_hang" 2>/dev/null
check_fail $? "fault_tx_hang=256 (queue 8) accepted"
check_eq "$(cat "$DBG/fault_tx_hang")" 0x0 "fault_tx_hang after a rejected write"
log_test "fault files are 0600 and reject out-of-range values"

RET=0
# 30 % of vnet0's frames vanish on the wire; IPv6 is off, so its frames
# are these pings only, and each drop is one lost ping.
b=$(ns_stat "$A" vnet0 hw_fault_drops)
echo 300000 >"$DBG/fault_drop_ppm"
rx=$(ns_ping_received "$A" -c 200 -i 0.01 -W 1 -q "$VNET_PAIR_B")
echo 0 >"$DBG/fault_drop_ppm"
drops=$(delta hw_fault_drops "$b")
check_eq "$drops" $((200 - ${rx:-0})) "hw_fault_drops vs pings lost"
[ "$drops" -ge 20 ] && [ "$drops" -le 110 ]
check_err $? "$drops of 200 frames dropped at 30 %"
check_eq "$(pings20)" 20 "pings after fault_drop_ppm=0"
log_test "fault_drop_ppm: $drops of 200 pings dropped and counted"

RET=0
# Every frame from vnet0 gets one byte flipped after its Ethernet header:
# vnet1's stack drops each one, for a bad IPv4 header (its checksum, or the
# version byte, checked first) or a bad ICMP checksum.
b=$(ns_stat "$A" vnet0 hw_fault_corrupts)
ip_e=$(ns_snmp "$B" Ip InHdrErrors)
icmp_e=$(ns_snmp "$B" Icmp InCsumErrors)
echo 1000000 >"$DBG/fault_corrupt_ppm"
rx=$(pings20)
echo 0 >"$DBG/fault_corrupt_ppm"
corrupts=$(delta hw_fault_corrupts "$b")
caught=$(($(ns_snmp "$B" Ip InHdrErrors) - ip_e +
	$(ns_snmp "$B" Icmp InCsumErrors) - icmp_e))
check_eq "$rx" 0 "pings answered although every request was corrupted"
check_eq "$corrupts" 20 "hw_fault_corrupts"
check_eq "$caught" 20 "Ip InHdrErrors + Icmp InCsumErrors at vnet1's side"
# 2 % of TCP segments corrupted: TCP's checksum drops them, retransmission
# makes up for them, the bytes arrive intact.
tcp_e=$(ns_snmp "$B" Tcp InCsumErrors)
echo 20000 >"$DBG/fault_corrupt_ppm"
pair_xfer 2048
check_err $? "transfer with 2 % corruption: $XFER_MSG"
echo 0 >"$DBG/fault_corrupt_ppm"
tcp_caught=$(($(ns_snmp "$B" Tcp InCsumErrors) - tcp_e))
[ "$tcp_caught" -gt 0 ]
check_err $? "no Tcp InCsumErrors with 2 % of segments corrupted"
log_test "fault_corrupt_ppm: $caught/20 pings and $tcp_caught TCP segments caught by checksums, transfer intact"

RET=0
# vnet0's vectors lose every interrupt: replies and TX completions are
# found only by the service task's once-a-second look.
b_lost=$(ns_stat "$A" vnet0 hw_fault_lost_irqs)
b_rec=$(ns_stat "$A" vnet0 irq_recoveries)
echo 1000000 >"$DBG/fault_lost_irq_ppm"
rx=$(ns_ping_received "$A" -c 3 -i 1.5 -W 4 -q "$VNET_PAIR_B")
echo 0 >"$DBG/fault_lost_irq_ppm"
lost=$(delta hw_fault_lost_irqs "$b_lost")
rec=$(delta irq_recoveries "$b_rec")
check_eq "$rx" 3 "pings answered with every interrupt lost"
[ "$lost" -gt 0 ]
check_err $? "hw_fault_lost_irqs did not rise"
[ "$rec" -gt 0 ]
check_err $? "irq_recoveries did not rise"
check_eq "$(pings20)" 20 "pings after fault_lost_irq_ppm=0"
log_test "fault_lost_irq_ppm: $lost interrupts lost, $rec recovered, every ping answered"

RET=0
# Every RX/TX interrupt of vnet0 comes 20 ms late (moderation off): each
# reply waits for it, and nothing is lost.
nsx "$A" ethtool -C vnet0 adaptive-rx off rx-usecs 0 tx-usecs 0
check_err $? "ethtool -C vnet0 rx-usecs 0 tx-usecs 0 failed"
b=$(ns_stat "$A" vnet0 hw_fault_delays)
echo 20000 >"$DBG/fault_delay_us"
slow=$(min_rtt_us "$A" -c 5 -i 0.1 -W 2 -q "$VNET_PAIR_B")
echo 0 >"$DBG/fault_delay_us"
delays=$(delta hw_fault_delays "$b")
fast=$(min_rtt_us "$A" -c 5 -i 0.1 -W 2 -q "$VNET_PAIR_B")
[ "${slow:-0}" -ge 20000 ]
check_err $? "min RTT ${slow:-none} us with 20 ms completion delay"
[ "${fast:-20000}" -lt 20000 ]
check_err $? "min RTT ${fast:-none} us after fault_delay_us=0"
# one delayed fire per reply at least (TX completions may share it)
[ "$delays" -ge 5 ]
check_err $? "hw_fault_delays +$delays for 5 pings"
check_eq "$(pings20)" 20 "pings after fault_delay_us=0"
nsx "$A" ethtool -C vnet0 adaptive-rx on rx-usecs 50 tx-usecs 50
log_test "fault_delay_us: RTT ${slow:-none} us at 20 ms delay, ${fast:-none} us after, $delays fires delayed"

RET=0
# Queue 0's TX engine hangs at its next doorbell. Pings pile up until BQL
# stops the queue (limit_max 500 bytes: ping keeps only a few requests
# outstanding, and the limit grew during the transfers), the watchdog (5 s)
# calls ndo_tx_timeout, and the reset swaps in fresh rings, which also
# resets the engine.
b_hang=$(ns_stat "$A" vnet0 hw_fault_tx_hangs)
b_to=$(ns_stat "$A" vnet0 tx_timeouts)
b_rs=$(ns_stat "$A" vnet0 resets)
bql=$(ns_sys "$A")/class/net/vnet0/queues/tx-0/byte_queue_limits/limit_max
bql_max=$(cat "$bql")
echo 500 >"$bql"
# BQL applies limit_max as frames complete
ns_ping_received "$A" -c 5 -i 0.01 -W 1 -q "$VNET_PAIR_B" >/dev/null
echo 1 >"$DBG/fault_tx_hang"
nsx "$A" ping -f -c 5000 -W 1 "$VNET_PAIR_B" >/dev/null 2>&1 &
flood=$!
wait_for 30 eval '[ "$(ns_stat "$A" vnet0 resets)" -gt "$b_rs" ]'
check_err $? "no reset within 30 s of a TX hang: $(nsx "$A" ethtool -S vnet0 |
	grep -E 'hw_fault_tx_hangs|tx_stops|tx_timeouts|tx_queue_0_packets' |
	tr -s ' \n' ' ')"
kill $flood 2>/dev/null
wait $flood 2>/dev/null
echo "$bql_max" >"$bql"
check_eq "$(cat "$DBG/fault_tx_hang")" 0x0 "fault_tx_hang still pending"
check_eq "$(delta hw_fault_tx_hangs "$b_hang")" 1 "hw_fault_tx_hangs"
[ "$(delta tx_timeouts "$b_to")" -ge 1 ]
check_err $? "tx_timeouts did not rise"
wait_for 5 eval '[ "$(pair_carriers)" = 11 ]'
check_err $? "carrier did not come back after the reset"
vnet_pair_neigh
check_eq "$(pings20)" 20 "pings after the reset"
pair_xfer 2048
check_err $? "transfer after the reset: $XFER_MSG"
log_test "fault_tx_hang: watchdog timeout, reset ($(delta resets "$b_rs")), traffic resumes"

vnet_pair_cleanup

# Reflect mode: the link partner's answers are what goes bad on the wire.
RET=0
vnet_setup || { log_test "reflect setup" 1 "vnet0 did not come up"; lib_exit; }
vnet_static_peer
check_err $? "static neighbour"
b=$(ethtool_stat vnet0 hw_fault_corrupts)
b_reply=$(ethtool_stat vnet0 reflect_icmp_reply)
ip_e=$(ns_snmp "" Ip InHdrErrors)
icmp_e=$(ns_snmp "" Icmp InCsumErrors)
echo 500000 >"$DBG/fault_corrupt_ppm"
# iputils ping can wait forever after replies with bad ICMP checksums:
# the counters, not its summary, are what is checked.
timeout 10 ping -c 100 -i 0.005 -W 1 -q "$VNET_PEER" >/dev/null 2>&1
echo 0 >"$DBG/fault_corrupt_ppm"
corrupts=$(stat_delta hw_fault_corrupts "$b")
caught=$(($(ns_snmp "" Ip InHdrErrors) - ip_e +
	$(ns_snmp "" Icmp InCsumErrors) - icmp_e))
check_eq "$caught" "$corrupts" "Ip InHdrErrors + Icmp InCsumErrors"
check_eq "$(stat_delta reflect_icmp_reply "$b_reply")" 100 "replies sent"
[ "$corrupts" -ge 20 ] && [ "$corrupts" -le 80 ]
check_err $? "$corrupts of 100 replies corrupted at 50 %"
check_eq "$(ping_received -c 20 -i 0.01 -W 1 -q "$VNET_PEER")" 20 \
	"pings after fault_corrupt_ppm=0"
log_test "fault_corrupt_ppm in reflect mode: $caught/$corrupts bad replies caught by checksums"

vnet_unload
lib_exit
