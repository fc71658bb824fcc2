# SPDX-License-Identifier: GPL-2.0
# One RCU wait per reconfiguration, however many vectors. Reconfiguration
# stress on a pair, under iperf3 and a ping flood at once:
# hundreds of ring, channel, coalescing, link and MTU changes while other
# processes read the counters; rmmod under that traffic, repeated; then
# 100 load/unload cycles (two ports, four queues, traffic on each) with the
# unreclaimable slab compared before and after. The harness fails the run
# on any kernel splat.
source /vnet/lib.sh
source /vnet/tests/vnet_common.sh

A=$VNET_NS_A
B=$VNET_NS_B
OPS=300
CYCLES=100
RMMODS=5
TRACEFS=/sys/kernel/tracing
KPROBE=vnet_t97/sync_rcu
if [ "${VNET_SLOW:-0}" = 1 ]; then
	# A debug kernel: KASAN, lockdep and kmemleak check every step, and
	# kmemleak finds a leak of a single object: fewer rounds.
	# (60 and 20 took 881 s on 7.3's; 30 and 10 with 5 rmmods 742 s,
	# 325 of them the rmmods: CI's time.)
	OPS=30
	CYCLES=10
	RMMODS=2
	# and fewer on a light run (CI's time)
	[ "${VNET_LIGHT:-0}" = 1 ] && OPS=20 CYCLES=6 RMMODS=1
elif [ "${VNET_LIGHT:-0}" = 1 ]; then
	# make check on three kernels (CI's time): fewer rounds; run by hand
	# for the full ones. (100 and 30 took 146 s on 6.1.)
	OPS=50
	CYCLES=15
fi
BG=()

# stop_bg: kill and reap every background job this script started.
stop_bg() {
	local p
	for p in "${BG[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${BG[@]}"; do
		wait "$p" 2>/dev/null
	done
	BG=()
}

# shellcheck disable=SC2317 # called via trap
cleanup() {
	stop_bg
	if [ -d "$TRACEFS/events/$KPROBE" ]; then
		echo 0 >"$TRACEFS/events/$KPROBE/enable"
		echo "-:$KPROBE" >>"$TRACEFS/kprobe_events"
	fi
	vnet_pair_cleanup
}
trap cleanup EXIT

# traffic_start: iperf3 (TCP, vnet0 -> vnet1, long enough to outlive the
# run: it is killed) and a ping flood the other way. Neither is expected
# to survive every change unharmed; connectivity is checked afterwards.
traffic_start() {
	ip netns exec "$B" iperf3 -s -B "$VNET_PAIR_B" >/dev/null 2>&1 &
	BG+=($!)
	wait_for 30 ns_tcp_listening "$B" 5201 || return 1
	ip netns exec "$A" iperf3 -c "$VNET_PAIR_B" -t 600 -P 2 >/dev/null 2>&1 &
	BG+=($!)
	ip netns exec "$B" ping -f -W 1 "$VNET_PAIR_A" >/dev/null 2>&1 &
	BG+=($!)
}

# readers_start: three loops reading the counters, as monitoring would.
# (cat: with bash's read instead, the 30 changes on the debug kernel took
# 216 s, against 133 s and 191 s with cat; the changes are random, so one
# run each does not settle it.)
readers_start() {
	local ns
	for ns in "$A" "$B"; do
		ip netns exec "$ns" bash -c 'while :; do cat /proc/net/dev; done' \
			>/dev/null 2>&1 &
		BG+=($!)
	done
	ip netns exec "$A" bash -c 'while :; do ethtool -S vnet0; ip -s -s link show vnet0; done' \
		>/dev/null 2>&1 &
	BG+=($!)
}

# port_diag NS DEV: a port's configuration, its drop counters, the RX
# packets of each queue, the TCP error and retransmit counters of its netns
# and the device's view of every ring and vector, to say why a transfer
# stalled.
port_diag() {
	local ns=$1 dev=$2 c k
	local -A s
	ns_stats s "$ns" "$dev" || return
	printf '%s: mtu %s, %s queues, rings (max, now) %s, coalesce %s; features %s;' \
		"$dev" "$(cat "$VNET_NS_SYS/$ns/class/net/$dev/mtu")" \
		"$(nsx "$ns" ethtool -l "$dev" | awk '/Combined/ { n = $2 } END { print n }')" \
		"$(nsx "$ns" ethtool -g "$dev" | awk '/^(RX|TX):/ { printf "%s%s ", $1, $2 }')" \
		"$(nsx "$ns" ethtool -c "$dev" | awk '/^(Adaptive RX|rx-usecs|tx-usecs):/ { printf "%s ", $0 }')" \
		"$(nsx "$ns" ethtool -k "$dev" | awk '/^(tcp-segmentation-offload|rx-checksumming|tx-checksumming):/ { printf "%s%s ", $1, $2 }')"
	for c in hw_rx_missed hw_rx_oversize hw_tx_errors hw_tx_no_link \
		rx_dropped tx_dropped tx_busy rx_alloc_fail irq_recoveries \
		tx_timeouts resets; do
		[ "${s[$c]:-0}" = 0 ] || printf ' %s %s' "$c" "${s[$c]}"
	done
	printf '; rx packets by queue:'
	for k in $(printf '%s\n' "${!s[@]}" | grep -E '^rx_queue_[0-9]+_packets$' | sort); do
		printf ' %s' "${s[$k]}"
	done
	# TCP's view in this netns: checksum errors, resets, retransmissions
	printf '; tcp:'
	nsx "$ns" cat /proc/net/snmp /proc/net/netstat | awk '
		/^(Tcp|TcpExt|Ip):/ {
			if (!($1 in hdr)) { hdr[$1] = $0; next }
			n = split(hdr[$1], h); split($0, v)
			for (i = 2; i <= n; i++)
				if (h[i] ~ /^(InCsumErrors|InErrs|RetransSegs|OutRsts|InHdrErrors|TCPTimeouts|TCPLossProbes|TCPSackRecovery|TCPRcvQDrop|TCPOFOQueue)$/ && v[i] != 0)
					printf " %s %s", h[i], v[i]
		}'
	echo
	# the device's registers, one line per queue
	sed "s/^/	$dev hw /" "/sys/kernel/debug/vnet/$(nsx "$ns" ethtool -i "$dev" | awk '/^bus-info:/ { print $2 }')/queues" 2>&1
}

# pick_op: choose the next reconfiguration, of vnet0 or vnet1 (both ends
# change), from this shell's RANDOM: a subshell would reseed it, and the
# sequence would not replay from the seed. Sets OP (what it will do), and
# OP_NS, OP_DEV and OP_KIND for run_op.
pick_op() {
	local sizes=(64 128 256 512 1024 2048 4096)
	local mtus=(68 576 1280 1500 4000 9000)
	OP_NS=$A
	OP_DEV=vnet0
	if ((RANDOM % 2)); then
		OP_NS=$B
		OP_DEV=vnet1
	fi
	OP_KIND=$((RANDOM % 6))
	case $OP_KIND in
	0) OP="-G rx ${sizes[RANDOM % 7]} tx ${sizes[RANDOM % 7]}" ;;
	1) OP="-L combined $((RANDOM % 8 + 1))" ;;
	2) if ((RANDOM % 2)); then
		OP="-C adaptive-rx off rx-usecs $((RANDOM % 200)) tx-usecs $((RANDOM % 200))"
	else
		OP="-C adaptive-rx on tx-usecs $((RANDOM % 200))"
	fi ;;
	3) OP="mtu ${mtus[RANDOM % 6]}" ;;
	4) OP="down/up" ;;
	5) if ((RANDOM % 2)); then
		OP="-K tso/rx/tx on"
	else
		OP="-K tso/rx/tx off"
	fi ;;
	esac
	OP="$OP_DEV $OP"
}

# run_op: make the change pick_op chose; non-zero if a valid request failed.
run_op() {
	local ns=$OP_NS dev=$OP_DEV
	case $OP_KIND in
	0) nsx "$ns" ethtool -G "$dev" ${OP#*-G } ;;
	1) nsx "$ns" ethtool -L "$dev" ${OP#*-L } ;;
	2) nsx "$ns" ethtool -C "$dev" ${OP#*-C } ;;
	3) ip -n "$ns" link set "$dev" mtu "${OP##* }" ;;
	4) ip -n "$ns" link set "$dev" down && ip -n "$ns" link set "$dev" up ;;
	5) nsx "$ns" ethtool -K "$dev" tso "${OP##* }" rx "${OP##* }" \
		tx "${OP##* }" ;;
	esac
}

# last_ops N: the last N changes made, in order.
last_ops() {
	local n=${#done_ops[@]} i
	for ((i = n > $1 ? n - $1 : 0; i < n; i++)); do
		printf '%s; ' "${done_ops[i]}"
	done
}

vnet_pair_setup ||
	{ log_test "pair setup" 1 "setup failed"; lib_exit; }

RET=0
# Taking the datapath down detaches every vector's handler, then waits for
# RCU once, not once per vector under RTNL: 20 -G on an 8-queue port make
# 20 synchronize_rcu() calls (a kprobe counts ethtool's), not 160.
nsx "$A" ethtool -L vnet0 combined 8
check_err $? "-L combined 8 failed"
echo "p:$KPROBE synchronize_rcu" >>"$TRACEFS/kprobe_events" &&
	echo 'comm == "ethtool"' >"$TRACEFS/events/$KPROBE/filter" &&
	echo 1 >"$TRACEFS/events/$KPROBE/enable" && echo >"$TRACEFS/trace"
check_err $? "kprobe on synchronize_rcu failed"
t0=${EPOCHREALTIME/./}
for i in $(seq 10); do
	nsx "$A" ethtool -G vnet0 rx 128 tx 128 &&
		nsx "$A" ethtool -G vnet0 rx 256 tx 256
	check_err $? "-G round $i failed"
done
ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
syncs=$(grep -c " ${KPROBE#*/}: " "$TRACEFS/trace")
echo 0 >"$TRACEFS/events/$KPROBE/enable"
echo "-:$KPROBE" >>"$TRACEFS/kprobe_events"
check_eq "$syncs" 20 "synchronize_rcu() calls in 20 -G changes of 8 queues"
nsx "$A" ethtool -L vnet0 combined 1
check_err $? "-L combined 1 failed"
log_test "20 x -G on 8 queues: $syncs RCU waits, $ms ms"

RET=0
# The sequence is the seed's: vnettest.seed=N replays another one.
SEED=${VNET_SEED:-97}
RANDOM=$SEED
declare -A b
ns_stats b "$A" vnet0
traffic_start
check_err $? "iperf3 server did not listen"
readers_start
failed_ops=0
first_fail=
done_ops=()
for ((i = 0; i < OPS; i++)); do
	pick_op
	done_ops+=("$OP")
	if ! out=$(run_op 2>&1); then
		failed_ops=$((failed_ops + 1))
		[ -n "$first_fail" ] || first_fail="op $i ($OP): $out"
	fi
done
stop_bg
check_eq "$failed_ops" 0 "failed requests, first: $first_fail"
# back to a common configuration at both ends
for nd in "$A vnet0" "$B vnet1"; do
	read -r ns dev <<<"$nd"
	ip -n "$ns" link set "$dev" mtu 1500 &&
		nsx "$ns" ethtool -K "$dev" tso on rx on tx on &&
		ip -n "$ns" link set "$dev" up
	check_err $? "restoring $dev"
done
wait_for 5 eval '[ "$(pair_carriers)" = 11 ]'
check_err $? "no carrier after the changes: $(pair_carriers)"
vnet_pair_neigh
check_eq "$(ns_ping_received "$A" -c 20 -i 0.01 -W 1 -q "$VNET_PAIR_B")" 20 \
	"pings after the changes"
if ! pair_xfer 1024; then
	check_err 1 "transfer after the changes: $XFER_MSG; $(port_diag "$A" vnet0) $(port_diag "$B" vnet1); seed $SEED, last changes: $(last_ops 10)"
fi
declare -A a
ns_stats a "$A" vnet0
check_eq "$(snap_delta b a tx_timeouts)" 0 "TX watchdog timeouts during the changes"
[ "$(snap_delta b a tx_packets)" -gt 1000 ]
check_err $? "little traffic during the changes: tx_packets +$(snap_delta b a tx_packets)"
log_test "$OPS -G/-L/-C/-K/MTU/link changes under iperf3 + flood + stats readers"

RET=0
for ((i = 1; i <= RMMODS; i++)); do
	vnet_loaded || vnet_pair_setup || {
		check_err 1 "round $i: pair setup failed"
		break
	}
	traffic_start
	check_err $? "round $i: iperf3 server did not listen"
	readers_start
	t=$(ns_stat "$A" vnet0 tx_packets)
	wait_for 10 eval '[ "$(ns_stat "$A" vnet0 tx_packets 2>/dev/null || echo 0)" -gt $((t + 500)) ]'
	check_err $? "round $i: traffic did not flow"
	vnet_unload
	check_err $? "round $i: rmmod under traffic failed"
	stop_bg
	vnet_ns_del "$A"
	vnet_ns_del "$B"
done
vnet_pair_setup
check_err $? "setup after the rmmods"
check_eq "$(ns_ping_received "$A" -c 10 -i 0.01 -W 1 -q "$VNET_PAIR_B")" 10 \
	"pings after the rmmods"
vnet_pair_cleanup
log_test "rmmod under iperf3 + flood + stats readers, $RMMODS times"

# sunreclaim: unreclaimable slab, in kB
sunreclaim() {
	awk '$1 == "SUnreclaim:" { print $2 }' /proc/meminfo
}

# load_cycle: two reflect-mode ports with 4 queues each, both up with an
# address, a few pings through each, unload.
load_cycle() {
	vnet_load ports=2 queues=4 && vnet_wait_ports 2 &&
		ip addr add "$VNET_ADDR/24" dev vnet0 &&
		ip addr add 10.0.1.1/24 dev vnet1 &&
		ip link set vnet0 up && ip link set vnet1 up &&
		wait_for 5 eval '[ "$(cat /sys/class/net/vnet[01]/carrier)" = "1
1" ]' &&
		[ "$(ping_received -c 3 -i 0.01 -W 1 -q "$VNET_PEER")" = 3 ] &&
		[ "$(ping_received -c 3 -i 0.01 -W 1 -q 10.0.1.2)" = 3 ] &&
		vnet_unload
}

RET=0
# warm up: first-use allocations (sysfs, netns, per-cpu caches)
for ((i = 0; i < 5; i++)); do
	load_cycle || break
done
check_err $? "warm-up cycle $i failed"
s0=$(sunreclaim)
for ((i = 1; i <= CYCLES; i++)); do
	load_cycle || {
		check_err 1 "cycle $i failed"
		break
	}
done
# RCU-freed objects (netdevs, netns) go back a little later: look again
# for up to 10 s before calling it growth. A pair's own slab (netdevs,
# device state, ring arrays) is tens of kB, so the 1 MiB margin catches a
# leak of 10 kB a cycle; kmemleak (make check-debug) finds smaller ones.
# KASAN's quarantine keeps freed objects allocated for a while (up to a
# 32nd of memory): there the margin is 4 MiB (1.1 MiB seen over 10
# cycles late in the debug suite), and kmemleak, which runs in that
# suite, is the check for leaks.
margin=1024
grep -qw kasan_report /proc/kallsyms && margin=4096
growth() {
	echo $(($(sunreclaim) - s0))
}
wait_for 10 eval '[ "$(growth)" -lt $margin ]'
check_err $? "SUnreclaim grew by $(growth) kB (margin $margin) over $CYCLES load/unload cycles"
log_test "$CYCLES load/unload cycles: SUnreclaim $s0 kB -> $(sunreclaim) kB"

lib_exit
