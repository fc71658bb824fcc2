# SPDX-License-Identifier: GPL-2.0
# Interrupt coalescing: ethtool -c/-C rx-usecs, rx-frames, tx-usecs,
# tx-frames read back and limits; adaptive-rx (DIM) on by default, moving
# the RX moderation under traffic and not when off; with it off, the usecs
# delay shows in the ping RTT and the frames threshold as frames per
# interrupt under pktgen.
source /vnet/lib.sh
source /vnet/tests/vnet_common.sh

# shellcheck disable=SC2317 # called via trap
cleanup() {
	vnet_loaded && rmmod vnet
	echo "rem_device_all" >/proc/net/pktgen/kpktgend_0 2>/dev/null
}
trap cleanup EXIT

vnet_setup || { log_test "setup" 1 "vnet0 did not come up"; lib_exit; }
vnet_static_peer

RET=0
check_eq "$(coalesce_param vnet0 rx-usecs)" 50 "default rx-usecs"
check_eq "$(coalesce_param vnet0 tx-usecs)" 50 "default tx-usecs"
check_eq "$(coalesce_param vnet0 rx-frames)" 0 "default rx-frames"
check_eq "$(coalesce_param vnet0 tx-frames)" 0 "default tx-frames"
log_test "ethtool -c defaults: rx-usecs 50, tx-usecs 50, frames 0"

# adaptive_rx DEV: "on" or "off" from ethtool -c's "Adaptive RX: on  TX: n/a".
adaptive_rx() {
	ethtool -c "$1" | sed -n 's/^Adaptive RX: *\([a-z]*\).*/\1/p'
}

RET=0
# DIM samples each interrupt cycle and moves the vector between its
# profiles (EQE mode: 1, 8, 64, 128, 256 us, 256 frames); every move it
# programs is a vnet_rx_dim event. From the 1 us profile the first verdict
# on a ping flood's rate is a step.
TRACEFS=/sys/kernel/tracing
check_eq "$(adaptive_rx vnet0)" on "default adaptive-rx"
echo >$TRACEFS/trace
echo 1 >$TRACEFS/events/vnet/vnet_rx_dim/enable
ping -f -q -c 3000 -W 2 $VNET_PEER >/dev/null
n_on=$(grep -c 'vnet_rx_dim: dev=vnet0 ' $TRACEFS/trace)
bad=$(grep 'vnet_rx_dim: dev=vnet0 ' $TRACEFS/trace |
	grep -cvE 'rx_usecs=(1|8|64|128|256) rx_frames=256$')
ethtool -C vnet0 adaptive-rx off
check_err $? "ethtool -C adaptive-rx off failed"
check_eq "$(adaptive_rx vnet0)" off "adaptive-rx after -C off"
echo >$TRACEFS/trace
ping -f -q -c 3000 -W 2 $VNET_PEER >/dev/null
n_off=$(grep -c 'vnet_rx_dim: dev=vnet0 ' $TRACEFS/trace)
echo 0 >$TRACEFS/events/vnet/vnet_rx_dim/enable
[ "$n_on" -gt 0 ]
check_err $? "no DIM move under a ping flood with adaptive-rx on"
check_eq "$bad" 0 "DIM moves to a moderation outside the EQE profiles"
check_eq "$n_off" 0 "DIM moves with adaptive-rx off"
check_eq "$(coalesce_param vnet0 rx-usecs)" 50 "static rx-usecs kept"
ethtool -C vnet0 adaptive-rx on
check_eq "$(adaptive_rx vnet0)" on "adaptive-rx after -C on"
# Rings reallocated under a flood (a DIM decision may be in flight): DIM
# must go on adapting on the new rings.
ping -f -q -c 20000 -W 2 $VNET_PEER >/dev/null &
ethtool -G vnet0 rx 128 tx 128
check_err $? "ethtool -G under a ping flood failed"
wait
echo >$TRACEFS/trace
echo 1 >$TRACEFS/events/vnet/vnet_rx_dim/enable
ping -f -q -c 3000 -W 2 $VNET_PEER >/dev/null
n_after=$(grep -c 'vnet_rx_dim: dev=vnet0 ' $TRACEFS/trace)
echo 0 >$TRACEFS/events/vnet/vnet_rx_dim/enable
[ "$n_after" -gt 0 ]
check_err $? "no DIM move after -G"
ethtool -G vnet0 rx 256 tx 256
log_test "adaptive-rx: DIM moves the RX moderation under a ping flood ($n_on moves, $n_after after -G), none when off"

RET=0
# While DIM owns the RX moderation a static value would not apply: it is
# refused, with a message naming adaptive-rx, unless the same request
# turns adaptive-rx off. TX moderation stays static and settable.
for req in "rx-usecs 400" "rx-frames 16" "adaptive-rx on rx-usecs 400"; do
	# shellcheck disable=SC2086 # word splitting wanted
	out=$(ethtool -C vnet0 $req 2>&1)
	check_fail $? "ethtool -C $req accepted with adaptive-rx on"
	grep -q "adaptive-rx" <<<"$out"
	check_err $? "no extack naming adaptive-rx for '$req': $out"
done
check_eq "$(coalesce_param vnet0 rx-usecs)" 50 "rx-usecs after refusals"
check_eq "$(coalesce_param vnet0 rx-frames)" 0 "rx-frames after refusals"
check_eq "$(adaptive_rx vnet0)" on "adaptive-rx after refusals"
ethtool -C vnet0 tx-usecs 60
check_err $? "tx-usecs 60 refused with adaptive-rx on"
check_eq "$(coalesce_param vnet0 tx-usecs)" 60 "tx-usecs with adaptive-rx on"
ethtool -C vnet0 adaptive-rx off rx-usecs 400 rx-frames 16
check_err $? "rx-usecs 400 rx-frames 16 refused with adaptive-rx off"
check_eq "$(adaptive_rx vnet0)" off "adaptive-rx after -C off rx-usecs 400"
check_eq "$(coalesce_param vnet0 rx-usecs)" 400 "rx-usecs with adaptive-rx off"
check_eq "$(coalesce_param vnet0 rx-frames)" 16 "rx-frames with adaptive-rx off"
log_test "ethtool -C: rx-usecs/rx-frames refused while adaptive-rx is on (extack), set with adaptive-rx off"

RET=0
ethtool -C vnet0 adaptive-rx off
check_err $? "ethtool -C adaptive-rx off failed"
for set in "100 17 200 33" "0 0 0 0" "4095 4095 4095 4095" "8 0 16 0"; do
	read -r ru rf tu tf <<<"$set"
	ethtool -C vnet0 rx-usecs $ru rx-frames $rf tx-usecs $tu tx-frames $tf
	check_err $? "ethtool -C $set failed"
	check_eq "$(coalesce_param vnet0 rx-usecs)" $ru "rx-usecs read back"
	check_eq "$(coalesce_param vnet0 rx-frames)" $rf "rx-frames read back"
	check_eq "$(coalesce_param vnet0 tx-usecs)" $tu "tx-usecs read back"
	check_eq "$(coalesce_param vnet0 tx-frames)" $tf "tx-frames read back"
done
check_eq "$(ping_received -c 5 -i 0.01 -W 2 -q $VNET_PEER)" 5 "replies"
log_test "ethtool -C rx/tx usecs and frames set and read back (0, 4095, ...)"

RET=0
ethtool -C vnet0 rx-usecs 8 rx-frames 5 tx-usecs 16 tx-frames 6
for p in rx-usecs rx-frames tx-usecs tx-frames; do
	for bad in 4096 100000; do
		out=$(ethtool -C vnet0 $p $bad 2>&1)
		check_fail $? "$p $bad accepted"
		grep -q "4095" <<<"$out"
		check_err $? "no extack message naming the limit for $p $bad: $out"
	done
done
check_eq "$(coalesce_param vnet0 rx-usecs)" 8 "rx-usecs after rejects"
check_eq "$(coalesce_param vnet0 rx-frames)" 5 "rx-frames after rejects"
check_eq "$(coalesce_param vnet0 tx-usecs)" 16 "tx-usecs after rejects"
check_eq "$(coalesce_param vnet0 tx-frames)" 6 "tx-frames after rejects"
ethtool -C vnet0 rx-frames 0 tx-frames 0
log_test "ethtool -C rejects usecs/frames above 4095 with extack, keeps the old values"

# --- usecs in the RTT -------------------------------------------------------------------
# rtt_min_avg: "min avg" in us of 30 pings.
rtt_min_avg() {
	ping -c 30 -i 0.01 -W 2 -q $VNET_PEER |
		sed -n 's|.* = \([0-9.]*\)/\([0-9.]*\)/.*|\1 \2|p' |
		awk '{ printf "%d %d\n", $1 * 1000, $2 * 1000 }'
}

RET=0
# The reply is on the RX ring as soon as the request is sent, and the TX
# completion cause would fire the shared vector: delay both.
ethtool -C vnet0 adaptive-rx off rx-usecs 0 tx-usecs 0
read -r min0 avg0 <<<"$(rtt_min_avg)"
ethtool -C vnet0 rx-usecs 200 tx-usecs 200
read -r min200 avg200 <<<"$(rtt_min_avg)"
ethtool -C vnet0 rx-usecs 1000 tx-usecs 1000
read -r min1000 avg1000 <<<"$(rtt_min_avg)"
ethtool -C vnet0 rx-usecs 0 tx-usecs 0
read -r min0b avg0b <<<"$(rtt_min_avg)"
[ -n "$min0" ] && [ -n "$min200" ] && [ -n "$min1000" ] && [ -n "$min0b" ]
check_err $? "no RTTs: '$min0' '$min200' '$min1000' '$min0b'"
# min: 200 us more, give or take scheduling; compare against the better
# of the two runs without a delay
[ "${min0b:-0}" -lt "${min0:-0}" ] && min0=$min0b && avg0=$avg0b
# Under TCG a timer fires 0.1-0.8 ms late, more on a busy host, and ping's
# own wakeup adds to every sample (partly while the timer runs, so the
# rise can fall short of the delay: CI saw 133 us for 200): the bounds
# catch a delay not applied (no rise) or in the wrong unit (ten times too
# long), not the emulator's lateness.
rise=$((min200 - min0))
[ $rise -ge 100 ] && [ $rise -le 1500 ]
check_err $? "min RTT rose by $rise us (0: $min0 us, 200: $min200 us), expected ~200"
rise1000=$((min1000 - min0))
[ $rise1000 -ge 500 ] && [ $rise1000 -le 3000 ]
check_err $? "min RTT rose by $rise1000 us (0: $min0 us, 1000: $min1000 us), expected ~1000"
[ $((min1000 - min200)) -ge 400 ]
check_err $? "min RTT at 1000 us ($min1000) not clearly above 200 us ($min200)"
# (averages are logged, not checked: a busy host moves them by hundreds
# of microseconds)
coalesce_defaults "" vnet0
log_test "rx/tx-usecs drive the RTT: min $min0 / $min200 / $min1000 us at 0 / 200 / 1000 us (avg $avg0 / $avg200 / $avg1000 us)"
vnet_unload

# --- frames thresholds under pktgen --------------------------------------------------------
# mode=pair in this netns, no addresses: pktgen on vnet0 sends to vnet1's
# MAC and an address nobody owns, so vnet1 only receives and vnet0 only
# sends. With a 2 ms delay the frames threshold decides when vectors fire.
RET=0
vnet_load mode=pair && vnet_wait_ports 2
check_err $? "insmod mode=pair failed"
for d in vnet0 vnet1; do
	echo 1 >"/proc/sys/net/ipv6/conf/$d/disable_ipv6"
	ip link set $d up
done
wait_for 5 eval '[ "$(cat /sys/class/net/vnet0/carrier)$(cat /sys/class/net/vnet1/carrier)" = 11 ]'
check_err $? "no carrier on the pair"
modprobe pktgen
check_err $? "modprobe pktgen failed"
log_test "pair for pktgen: vnet0 -> vnet1 in one netns"

pktgen_setup "" vnet0 10.9.9.9 "$(cat /sys/class/net/vnet1/address)"

# ratio100 NUM DEN: 100 * NUM / DEN (0 if DEN is 0).
ratio100() {
	[ "$2" -gt 0 ] && echo $((100 * $1 / $2)) || echo 0
}

# frames_per_irq FRAMES N: rx-frames/tx-frames FRAMES with 2 ms delays,
# pktgen N frames; sets RX100 (vnet1 rx frames per IRQ x 100), TX100
# (vnet0 tx completions per IRQ x 100), MISSED (vnet1 hw_rx_missed).
frames_per_irq() {
	local f=$1 n=$2 rx_b irq1_b tx_b irq0_b miss_b t0
	local d
	for d in vnet1 vnet0; do
		ethtool -C $d adaptive-rx off rx-usecs 2000 rx-frames "$f" \
			tx-usecs 2000 tx-frames "$f" || return 1
	done
	pktgen_set "" vnet0 "count $n"
	rx_b=$(ethtool_stat vnet1 rx_packets)
	irq1_b=$(ethtool_stat vnet1 irqs)
	miss_b=$(ethtool_stat vnet1 hw_rx_missed)
	tx_b=$(ethtool_stat vnet0 tx_packets)
	irq0_b=$(ethtool_stat vnet0 irqs)
	t0=${EPOCHREALTIME/./}
	pktgen_start "" || return 1
	# the last partial batch fires after 2 ms
	wait_for 5 eval '[ "$(ethtool_stat vnet0 tx_packets)" -ge $((tx_b + n)) ]' ||
		return 1
	ELAPSED_US=$((${EPOCHREALTIME/./} - t0))
	wait_for 5 eval '[ $(($(ethtool_stat vnet1 rx_packets) +
		$(ethtool_stat vnet1 hw_rx_missed))) -ge $((rx_b + miss_b + n)) ]' ||
		return 1
	RX_IRQS=$(($(ethtool_stat vnet1 irqs) - irq1_b))
	RX100=$(ratio100 $(($(ethtool_stat vnet1 rx_packets) - rx_b)) "$RX_IRQS")
	TX100=$(ratio100 $(($(ethtool_stat vnet0 tx_packets) - tx_b)) \
		$(($(ethtool_stat vnet0 irqs) - irq0_b)))
	MISSED=$(($(ethtool_stat vnet1 hw_rx_missed) - miss_b))
}

# fmt100 X: X / 100 with one decimal.
fmt100() {
	printf '%d.%d' $(($1 / 100)) $(($1 % 100 / 10))
}

# Frame thresholds need pktgen to outrun a 2 ms timer: not on a debug
# kernel, which sends ~1.5 k frames/s. Where it only just outruns it
# (23.3 per IRQ at 32 seen on 6.1 in CI) the timer fires some interrupts
# first: the lower bounds are half the threshold, and 32 must batch at
# least twice what 8 does.
if vnet_fast "rx/tx-frames thresholds under pktgen"; then
	RET=0
	frames_per_irq 32 20000
	check_err $? "pktgen run with frames 32 failed"
	rx32=$RX100 tx32=$TX100 miss32=$MISSED
	frames_per_irq 8 20000
	check_err $? "pktgen run with frames 8 failed"
	rx8=$RX100 tx8=$TX100 miss8=$MISSED
	[ "$rx32" -ge 1600 ] && [ "$rx32" -le 4800 ]
	check_err $? "rx-frames 32: $(fmt100 "$rx32") RX frames per IRQ, expected 16..48"
	[ "$rx8" -ge 400 ] && [ "$rx8" -le 1200 ]
	check_err $? "rx-frames 8: $(fmt100 "$rx8") RX frames per IRQ, expected 4..12"
	[ "$rx32" -ge $((2 * rx8)) ]
	check_err $? "rx-frames 32 gave under twice the RX frames per IRQ of 8"
	log_test "rx-frames 32 / 8 with rx-usecs 2000: $(fmt100 "$rx32") / $(fmt100 "$rx8") RX frames per IRQ (missed $miss32 / $miss8)"

	RET=0
	[ "$tx32" -ge 1600 ] && [ "$tx32" -le 4800 ]
	check_err $? "tx-frames 32: $(fmt100 "$tx32") TX completions per IRQ, expected 16..48"
	[ "$tx8" -ge 400 ] && [ "$tx8" -le 1200 ]
	check_err $? "tx-frames 8: $(fmt100 "$tx8") TX completions per IRQ, expected 4..12"
	[ "$tx32" -ge $((2 * tx8)) ]
	check_err $? "tx-frames 32 gave under twice the TX completions per IRQ of 8"
	log_test "tx-frames 32 / 8 with tx-usecs 2000: $(fmt100 "$tx32") / $(fmt100 "$tx8") TX completions per IRQ"

	RET=0
	# frames 0 = no frame threshold: only the 2 ms timer fires, at most
	# once per 2 ms of the run (the time until the sender's last frame
	# left, which includes polling: an upper bound), and each interrupt
	# covers more frames than a threshold of 32 let through. How many
	# more follows pktgen's rate, which a loaded host lowers (45.6 seen).
	frames_per_irq 0 20000
	check_err $? "pktgen run with frames 0 failed"
	[ $((RX_IRQS * 2000)) -le $((ELAPSED_US + 2000)) ]
	check_err $? "rx-frames 0: $RX_IRQS RX interrupts in $((ELAPSED_US / 1000)) ms, expected at most one per 2 ms"
	[ "$RX100" -gt "$rx32" ]
	check_err $? "rx-frames 0: $(fmt100 "$RX100") RX frames per IRQ, not more than with rx-frames 32 ($(fmt100 "$rx32"))"
	log_test "rx-frames 0 with rx-usecs 2000: timer only ($RX_IRQS RX interrupts in $((ELAPSED_US / 1000)) ms, $(fmt100 "$RX100") frames per IRQ)"
fi

pktgen_set "" kpktgend_0 rem_device_all
vnet_unload
lib_exit
