# SPDX-License-Identifier: GPL-2.0
# bench/guest.sh: the benchmark, run inside the VM by bench/run (one boot).
# Prints every sample as "BENCH <metric> <device> <param> <value>" and each
# bpftrace histogram between "BENCH-BT <name>" and "BENCH-BT-END" lines;
# bench/report.py turns them into JSON, Markdown and plots.
#
# veth, a vnet pair and QEMU's vmxnet3 and virtio-net pairs (bench/run
# cables each pair through a QEMU hub; the guest kernel's own drivers run
# them) live side by side in netns of their own, so runs alternate within
# a round: no reload, no drift between what is compared. Every device runs
# at its defaults (vnet: adaptive-rx, tx-usecs 50); vnet at rx/tx-usecs 0
# is an extra device, vnet-usecs0, for ping -f. XDP_DROP and XDP_TX run on
# vnet and veth only, their own program on the receiving end.
source /vnet/lib.sh
source /vnet/tests/vnet_common.sh

# bench/run passes its options in this file.
[ -f /vnet/tests/bench_env.sh ] && source /vnet/tests/bench_env.sh
ROUNDS=${BENCH_ROUNDS:-3}
SECS=${BENCH_SECS:-4}
PINGS=${BENCH_PINGS:-3000}
REF_KO=/vnet/tests/vnet_ref.ko
BT=/vnet/tests

# Client netns, server netns and server address of each device under test.
declare -A NS_C=([veth]=veth_a [vnet]=$VNET_NS_A)
declare -A NS_S=([veth]=veth_b [vnet]=$VNET_NS_B)
declare -A ADDR=([veth]=10.8.0.2 [vnet]=$VNET_PAIR_B)
DEVS="veth vnet"

sample() { # sample METRIC DEV PARAM VALUE
	[ -n "$4" ] && echo "BENCH $1 $2 $3 $4"
}

# iperf DEV JSON ARGS...: one iperf3 run from DEV's client to its server.
iperf() {
	local dev=$1 json=$2 srv
	shift 2
	ip netns exec "${NS_S[$dev]}" timeout 60 iperf3 -s -1 \
		-B "${ADDR[$dev]}" >/dev/null 2>&1 &
	srv=$!
	wait_for 5 ns_tcp_listening "${NS_S[$dev]}" 5201 || {
		kill $srv
		return 1
	}
	nsx "${NS_C[$dev]}" timeout 50 iperf3 -c "${ADDR[$dev]}" -J "$@" \
		>"$json" 2>&1
	wait $srv
}

# tcp DEV: one single-stream TCP run, receiver Mbit/s.
tcp() {
	local json=/tmp/bench_tcp.json bps
	iperf "$1" $json -t "$SECS" || return 1
	bps=$(iperf3_json $json sum_received bits_per_second) || return 1
	awk -v b="$bps" 'BEGIN { printf "%.1f\n", b / 1e6 }'
}

# udp64 DEV: 64-byte UDP datagrams as fast as the sender goes; datagrams
# received per second.
udp64() {
	local json=/tmp/bench_udp.json pkts lost secs
	iperf "$1" $json -u -b 0 -l 64 -t "$SECS" || return 1
	# the receiver's totals: "sum" is the sender's first interval
	pkts=$(iperf3_json $json sum_received packets) || return 1
	lost=$(iperf3_json $json sum_received lost_packets) || return 1
	secs=$(iperf3_json $json sum_received seconds) || return 1
	awk -v p="$pkts" -v l="$lost" -v s="$secs" \
		'BEGIN { printf "%.0f\n", (p - l) / s }'
}

# pingflood NS ADDR: "rate_pps avg_rtt_us" of ping -f, the rate from the
# ipg (mean interval between requests). iputils prints both on one line:
# "rtt min/avg/max/mdev = a/b/c/d ms, pipe 2, ipg/ewma x/y ms".
pingflood() {
	nsx "$1" ping -f -q -c "$PINGS" -W 2 "$2" 2>/dev/null | awk '
		/^rtt/ {
			split($0, a, "= "); split(a[2], b, "/"); avg = b[2] * 1000
			if (match($0, /ipg\/ewma [0-9.]+/))
				ipg = substr($0, RSTART + 9, RLENGTH - 9) + 0
		}
		END { if (ipg > 0) printf "%.0f %.0f\n", 1000 / ipg, avg }'
}

# coalesce RX_USECS TX_USECS: fixed moderation on both ends of the pair;
# coalesce default: back to the defaults (adaptive-rx, 50 us).
coalesce() {
	local a=(adaptive-rx off rx-usecs "$1" tx-usecs "$2")
	if [ "$1" = default ]; then
		coalesce_defaults "$VNET_NS_A" vnet0
		coalesce_defaults "$VNET_NS_B" vnet1
		return
	fi
	nsx "$VNET_NS_A" ethtool -C vnet0 "${a[@]}"
	nsx "$VNET_NS_B" ethtool -C vnet1 "${a[@]}"
}

# bt NAME SECS CMD...: run bench/bpftrace/NAME.bt for SECS seconds while
# CMD (stopped after SECS - 1 seconds) makes traffic; print its histograms
# between markers. Traffic runs only while the probes are attached: see
# tests/vm/t90_trace.sh for why.
bt() {
	local name=$1 secs=$2 out=/tmp/bench_bt.out bpid
	shift 2
	bpftrace "$BT/$name.bt" "$secs" >$out 2>&1 &
	bpid=$!
	if wait_for 90 grep -q "^Tracing vnet" $out; then
		timeout $((secs - 1)) "$@" >/dev/null 2>&1
	else
		kill $bpid 2>/dev/null
	fi
	wait $bpid
	echo "BENCH-BT $name"
	grep -v -e '^Attaching' -e '^Tracing vnet' $out
	echo "BENCH-BT-END"
}

setup_veth() {
	vnet_ns_add veth_a && vnet_ns_add veth_b || return 1
	ip link add va netns veth_a type veth peer name vb netns veth_b ||
		return 1
	ip -n veth_a addr add 10.8.0.1/24 dev va
	ip -n veth_b addr add 10.8.0.2/24 dev vb
	ip -n veth_a link set va up && ip -n veth_b link set vb up
	ip -n veth_a neigh replace 10.8.0.2 dev va nud permanent \
		lladdr "$(ns_mac veth_b vb)"
	ip -n veth_b neigh replace 10.8.0.1 dev vb nud permanent \
		lladdr "$(ns_mac veth_a va)"
	wait_for 5 eval '[ "$(ns_carrier veth_a va)" = 1 ]'
}

# ifname_by_mac MAC: the interface with that address.
ifname_by_mac() {
	local f
	for f in /sys/class/net/*/address; do
		[ "$(cat "$f")" = "$1" ] && { basename "${f%/address}"; return 0; }
	done
	return 1
}

# setup_qemu DEV MODULE HUB: QEMU's two ports on hub HUB (bench/run's MACs
# 52:54:00:00:0HUB:01 and :02) in netns DEV_a and DEV_b, 10.6.HUB.1 and .2.
setup_qemu() {
	local dev=$1 hub=$3 a b
	modprobe "$2" || return 1
	wait_for 10 ifname_by_mac "52:54:00:00:0$hub:02" >/dev/null || return 1
	a=$(ifname_by_mac "52:54:00:00:0$hub:01") &&
		b=$(ifname_by_mac "52:54:00:00:0$hub:02") || return 1
	vnet_ns_add "${dev}_a" && vnet_ns_add "${dev}_b" || return 1
	ip link set "$a" netns "${dev}_a" name qa &&
		ip link set "$b" netns "${dev}_b" name qb || return 1
	ip -n "${dev}_a" addr add "10.6.$hub.1/24" dev qa
	ip -n "${dev}_b" addr add "10.6.$hub.2/24" dev qb
	ip -n "${dev}_a" link set qa up && ip -n "${dev}_b" link set qb up
	ip -n "${dev}_a" neigh replace "10.6.$hub.2" dev qa nud permanent \
		lladdr "52:54:00:00:0$hub:02"
	ip -n "${dev}_b" neigh replace "10.6.$hub.1" dev qb nud permanent \
		lladdr "52:54:00:00:0$hub:01"
	wait_for 10 eval '[ "$(ns_carrier "${dev}_a" qa)" = 1 ]' || return 1
	NS_C[$dev]=${dev}_a
	NS_S[$dev]=${dev}_b
	ADDR[$dev]=10.6.$hub.2
	DEVS="$DEVS $dev"
}

RET=0
echo "BENCH-INFO kernel $(uname -r) cpus $(nproc) cpu-model ${BENCH_CPU:-?} rounds $ROUNDS secs $SECS pings $PINGS"
setup_veth
check_err $? "veth setup failed"
vnet_pair_setup
check_err $? "vnet pair setup failed"
[ $RET -eq 0 ] || { log_test "bench setup"; lib_exit; }
# A QEMU without them (or bench/guest.sh booted another way) still
# benchmarks veth and vnet.
setup_qemu vmxnet3 vmxnet3 1 || echo "bench: no vmxnet3 pair"
setup_qemu virtio virtio_net 2 || echo "bench: no virtio-net pair"

# --- every pair at its defaults, alternating; vnet at rx-usecs 0 ------------
for ((r = 1; r <= ROUNDS; r++)); do
	for dev in $DEVS; do
		sample tcp_mbps "$dev" - "$(tcp "$dev")"
		sample udp64_pps "$dev" - "$(udp64 "$dev")"
		read -r rate rtt <<<"$(pingflood "${NS_C[$dev]}" "${ADDR[$dev]}")"
		sample pingflood_pps "$dev" - "$rate"
		sample pingflood_rtt_us "$dev" - "$rtt"
	done
	coalesce 0 0
	read -r rate rtt <<<"$(pingflood "$VNET_NS_A" "$VNET_PAIR_B")"
	coalesce default
	sample pingflood_pps vnet-usecs0 - "$rate"
	sample pingflood_rtt_us vnet-usecs0 - "$rtt"
done

# --- vnet sweeps: ring size and interrupt delay ---------------------------
for size in 64 128 256 512 1024 2048 4096; do
	nsx "$VNET_NS_A" ethtool -G vnet0 rx "$size" tx "$size"
	nsx "$VNET_NS_B" ethtool -G vnet1 rx "$size" tx "$size"
	vnet_pair_neigh
	wait_for 5 eval '[ "$(ns_carrier "$VNET_NS_A" vnet0)" = 1 ]'
	sample ring_udp64_pps vnet "$size" "$(udp64 vnet)"
	sample ring_tcp_mbps vnet "$size" "$(tcp vnet)"
done
nsx "$VNET_NS_A" ethtool -G vnet0 rx 256 tx 256
nsx "$VNET_NS_B" ethtool -G vnet1 rx 256 tx 256
vnet_pair_neigh
wait_for 5 eval '[ "$(ns_carrier "$VNET_NS_A" vnet0)" = 1 ]'

for usecs in 0 8 25 50 100 200; do
	coalesce "$usecs" "$usecs"
	read -r rate rtt <<<"$(pingflood "$VNET_NS_A" "$VNET_PAIR_B")"
	sample usecs_pingflood_pps vnet "$usecs" "$rate"
	sample usecs_rtt_us vnet "$usecs" "$rtt"
	sample usecs_udp64_pps vnet "$usecs" "$(udp64 vnet)"
done
coalesce default

# --- latency histograms on vnet's tracepoints -----------------------------
if command -v bpftrace >/dev/null; then
	flood="ip netns exec $VNET_NS_A ping -f -q $VNET_PAIR_B"
	bt txlat 5 $flood
	bt irqlat 5 $flood
	ip netns exec "$VNET_NS_B" timeout 60 iperf3 -s -1 -B "$VNET_PAIR_B" \
		>/dev/null 2>&1 &
	wait_for 5 ns_tcp_listening "$VNET_NS_B" 5201
	bt napi 5 ip netns exec "$VNET_NS_A" iperf3 -c "$VNET_PAIR_B" -t 60
	wait
	bt rtt 5 $flood
fi

# --- XDP_DROP and XDP_TX: vnet beside veth's native XDP --------------------
# pktgen in the client's netns sends 64-byte UDP frames (60 and the FCS)
# until stopped; the server's program drops them or sends them back with
# the MACs swapped.
# The rate is the server's own XDP counter over SECS; both drivers count an
# XDP_TX frame once it is on its way (vnet: on its XDP TX ring, veth: in
# its peer's ring). veth's XDP_TX needs a program on the peer as well:
# veth_xdp_xmit() drops frames for a peer without NAPI, and veth_xdp_flush()
# schedules the peer's NAPI only if it runs XDP. xdp_pass on va is that
# program; the frames go on to va's stack as vnet0's go to its own.
XDP_OBJ=/vnet/tests/vnet_xdp.bpf.o
declare -A XDP_TXDEV=([veth]=va [vnet]=vnet0)
declare -A XDP_RXDEV=([veth]=vb [vnet]=vnet1)
# the server's counter of each verdict: an ERE over ethtool -S names, the
# matches summed (veth counts per queue only)
declare -A XDP_STAT=([veth.xdp_drop]='rx_queue_[0-9]+_xdp_drops'
	[veth.xdp_tx]='rx_queue_[0-9]+_xdp_tx' [vnet.xdp_drop]=rx_xdp_drop
	[vnet.xdp_tx]=rx_xdp_tx)

# xdp_count DEV SEC: the server's count of SEC's verdict.
xdp_count() {
	nsx "${NS_S[$1]}" ethtool -S "${XDP_RXDEV[$1]}" |
		awk -v re="^(${XDP_STAT[$1.$2]}):\$" \
			'$1 ~ re { n += $2; m++ } END { if (m) print n }'
}

# pg_sofar DEV: frames pktgen on DEV's client has sent so far.
pg_sofar() {
	nsx "${NS_C[$1]}" sed -n 's/.*pkts-sofar: \([0-9]*\).*/\1/p' \
		"/proc/net/pktgen/${XDP_TXDEV[$1]}"
}

# xdp_attach DEV SEC: SEC of $XDP_OBJ on DEV's server in driver mode, in
# place of what is there; SEC "off" detaches it.
xdp_attach() {
	local a=(xdpdrv obj "$XDP_OBJ" sec "$2")
	[ "$2" = off ] && a=(xdpdrv off)
	ip -force -n "${NS_S[$1]}" link set dev "${XDP_RXDEV[$1]}" "${a[@]}"
}

# xdp_run DEV SEC: pktgen from DEV's client to its server for SECS
# seconds; prints "verdicts/s sent/s" (the server's SEC counter, pktgen's
# frames) over the same window.
xdp_run() {
	local dev=$1 ns=${NS_C[$1]} tx=${XDP_TXDEV[$1]} pg mac
	local t0 t1='' c0 c1 s0 s1
	mac=$(ns_mac "${NS_S[$dev]}" "${XDP_RXDEV[$dev]}") &&
		pktgen_setup "$ns" "$tx" "${ADDR[$dev]}" "$mac" &&
		pktgen_set "$ns" "$tx" "count 0" || return 1
	nsx "$ns" sh -c 'echo start > /proc/net/pktgen/pgctrl' >/dev/null &
	pg=$!
	if wait_for 5 eval '[ "$(pg_sofar "$dev")" -gt 0 ] 2>/dev/null'; then
		t0=${EPOCHREALTIME/./}
		c0=$(xdp_count "$dev" "$2")
		s0=$(pg_sofar "$dev")
		vnet_sleep "$SECS"
		t1=${EPOCHREALTIME/./}
		c1=$(xdp_count "$dev" "$2")
		s1=$(pg_sofar "$dev")
	fi
	pktgen_set "$ns" pgctrl stop
	wait "$pg"
	pktgen_set "$ns" kpktgend_0 rem_device_all
	[ -n "$t1" ] && [ -n "$c0" ] && [ -n "$c1" ] && [ -n "$s0" ] &&
		[ -n "$s1" ] || return 1
	echo "$(((c1 - c0) * 1000000 / (t1 - t0)))" \
		"$(((s1 - s0) * 1000000 / (t1 - t0)))"
}

if [ -f "$XDP_OBJ" ] && modprobe pktgen; then
	ip -n veth_a link set dev va xdpdrv obj "$XDP_OBJ" sec xdp_pass ||
		echo "bench: xdp_pass on va: attach failed"
	for sec in xdp_drop xdp_tx; do
		xdp_devs=
		for dev in veth vnet; do
			if xdp_attach "$dev" "$sec"; then
				xdp_devs+=" $dev"
			else
				echo "bench: $sec on $dev: attach failed"
			fi
		done
		wait_for 5 eval '[ "$(pair_carriers)" = 11 ]'
		for ((r = 1; r <= ROUNDS; r++)); do
			for dev in $xdp_devs; do
				read -r rate sent <<<"$(xdp_run "$dev" "$sec")"
				sample "${sec}_pps" "$dev" - "$rate"
				sample "${sec}_pktgen_pps" "$dev" - "$sent"
			done
		done
	done
	xdp_attach veth off
	xdp_attach vnet off
	ip -n veth_a link set dev va xdpdrv off
else
	echo "bench: no XDP stage (no $XDP_OBJ or no pktgen)"
fi
vnet_pair_cleanup

# --- reflectors: vnet reflect mode vs the ring-less reference --------------
vnet_setup
check_err $? "vnet reflect setup failed"
vnet_static_peer
insmod "$REF_KO"
check_err $? "insmod vnet_ref failed"
wait_for 5 test -e /sys/class/net/vnetref0
echo 1 >/proc/sys/net/ipv6/conf/vnetref0/disable_ipv6
ip addr add 10.7.0.1/24 dev vnetref0
ip link set vnetref0 up
ip neigh replace 10.7.0.2 lladdr 02:00:0a:07:00:02 nud permanent dev vnetref0
for ((r = 1; r <= ROUNDS; r++)); do
	read -r rate rtt <<<"$(pingflood "" 10.7.0.2)"
	sample reflect_pingflood_pps vnetref - "$rate"
	sample reflect_rtt_us vnetref - "$rtt"
	for usecs in "0 0" "50 50"; do
		read -r ru tu <<<"$usecs"
		ethtool -C vnet0 adaptive-rx off rx-usecs "$ru" tx-usecs "$tu"
		read -r rate rtt <<<"$(pingflood "" "$VNET_PEER")"
		sample reflect_pingflood_pps "vnet-rx-usecs$ru" - "$rate"
		sample reflect_rtt_us "vnet-rx-usecs$ru" - "$rtt"
	done
done
rmmod vnet_ref
vnet_unload
for ns in veth_a veth_b vmxnet3_a vmxnet3_b virtio_a virtio_b; do
	vnet_ns_del "$ns"
done
log_test "bench completed"
lib_exit
