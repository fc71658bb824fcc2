# SPDX-License-Identifier: GPL-2.0
# XDP forwarding and hostile frames (issue 17). Four ports cabled in two
# pairs (vnet0-vnet1, vnet2-vnet3), 2 queues each, and a veth pair:
#
#   A: vnet0 --- vnet1 :R: vnet2 --- vnet3 :C
#                      R: vr ---------- vx :X   (veth)
#
# R has no addresses: tests/vm/tools/vnet_xdp_fwd.bpf.o on its ports makes
# it a bridge of XDP_REDIRECTs (a devmap from the port a frame came in on
# to the one it leaves by). Checked: A reaches C through two vnet ports
# (pings, a verified transfer; again at MTU 9000, where every frame spans
# buffers); A reaches X through vnet1 and veth's native XDP, both ways;
# the bridge keeps working while R's ports change rings, channels and
# programs under a transfer, with nothing lost that TCP does not recover
# and nothing leaked (the harness's kernel log check, and the module's
# unload with every page back in its pools). Then every class of
# vnet_inject's hostile frames into an XDP program on vnet1, at MTU 1500
# and with a multi-buffer program at 9000: each frame that reaches vnet1
# gets exactly one verdict, none is dropped by the driver, and both ends
# still work.
source /vnet/lib.sh
source /vnet/tests/vnet_common.sh

A=$VNET_NS_A
C=$VNET_NS_B
R=vnet_r
X=vnet_x
FWD_OBJ=/vnet/tests/vnet_xdp_fwd.bpf.o
XDP_OBJ=/vnet/tests/vnet_xdp.bpf.o
INJ=/vnet/tests/vnet_inject
PIN=/sys/fs/bpf/vnet_t73
ADDR_A=10.13.0.1
ADDR_C=10.13.0.2
ADDR_X=10.13.0.3
PINGS=20

# shellcheck disable=SC2317 # called via trap
cleanup() {
	vnet_ns_del "$R"
	vnet_ns_del "$X"
	vnet_pair_cleanup
	rm -rf "$PIN"
}
trap cleanup EXIT

for f in "$FWD_OBJ" "$XDP_OBJ" "$INJ"; do
	if [ ! -f "$f" ]; then
		log_skip "XDP forwarding" "no $f (run.sh --files)"
		lib_exit
	fi
done
if ! command -v bpftool >/dev/null; then
	log_skip "XDP forwarding" "no bpftool in the image"
	lib_exit
fi

# ifindex NS DEV
ifindex() {
	ns_read "$1" "class/net/$2/ifindex"
}

# le32 N: N as bpftool's four key/value bytes.
le32() {
	echo $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24))
}

# fwd IN OUT: frames R's port IN receives leave by OUT (a devmap finds
# its devices in the netns of whoever updates it).
fwd() {
	nsx "$R" bpftool map update pinned "$PIN/maps/vnet_fwd" \
		key $(le32 "$(ifindex "$R" "$1")") \
		value $(le32 "$(ifindex "$R" "$2")")
}

# attach DEV...: the pinned forwarding program on R's ports, in driver
# mode (nsx: ip -n would mount a sysfs over /sys/fs/bpf).
attach() {
	local d
	for d in "$@"; do
		nsx "$R" ip -force link set dev "$d" xdpdrv pinned "$PIN/prog" ||
			return 1
	done
}

detach() {
	local d
	for d in "$@"; do
		nsx "$R" ip link set dev "$d" xdpdrv off
	done
}

# mtu N NS:DEV...
mtu() {
	local n=$1 nd
	shift
	for nd in "$@"; do
		ip -n "${nd%%:*}" link set dev "${nd#*:}" mtu "$n" || return 1
	done
}

# pings_to NS ADDR [ping args]: how many of $PINGS pings NS's ADDR answered.
pings_to() {
	local ns=$1 addr=$2
	shift 2
	ns_ping_received "$A" -c $PINGS -i 0.01 -W 1 "$@" "$addr"
}

# xfer_to NS ADDR KIB: pair_xfer from A to NS's ADDR.
xfer_to() {
	VNET_NS_B=$1 VNET_PAIR_B=$2 pair_xfer "$3"
}

setup() {
	vnet_load mode=pair ports=4 queues=2 && vnet_wait_ports 4 &&
		vnet_ns_add "$A" && vnet_ns_add "$C" && vnet_ns_add "$R" &&
		vnet_ns_add "$X" || return 1
	ip link set vnet0 netns "$A" && ip link set vnet1 netns "$R" &&
		ip link set vnet2 netns "$R" && ip link set vnet3 netns "$C" &&
		ip -n "$R" link add vr type veth peer name vx netns "$X" ||
		return 1
	ip -n "$A" addr add "$ADDR_A/24" dev vnet0 &&
		ip -n "$C" addr add "$ADDR_C/24" dev vnet3 &&
		ip -n "$X" addr add "$ADDR_X/24" dev vx || return 1
	ip -n "$A" link set vnet0 up && ip -n "$C" link set vnet3 up &&
		ip -n "$X" link set vx up && ip -n "$R" link set vnet1 up &&
		ip -n "$R" link set vnet2 up && ip -n "$R" link set vr up ||
		return 1
	# veth takes redirected frames only with NAPI on its peer: GRO. What
	# vx sends reaches vr's XDP as vx's stack left it: checksums and
	# segments done in software, as on a wire.
	nsx "$X" ethtool -K vx gro on tx off gso off >/dev/null || return 1
	mkdir -p "$PIN" &&
		bpftool prog load "$FWD_OBJ" "$PIN/prog" pinmaps "$PIN/maps" ||
		return 1
	wait_for 5 eval '[ "$(ns_read "$A" class/net/vnet0/carrier)$(ns_read "$C" class/net/vnet3/carrier)" = 11 ]'
}

declare -A r0 r1 s0 s1

RET=0
setup
check_err $? "setup failed"
log_test "four ports in two pairs and a veth pair, R bridging by XDP"
[ "$RET" -eq 0 ] || lib_exit

# ---- vnet to vnet ------------------------------------------------------------

RET=0
fwd vnet1 vnet2 && fwd vnet2 vnet1
check_err $? "filling the devmap failed"
attach vnet1 vnet2
check_err $? "attaching the forwarding program failed"
ns_stats r0 "$R" vnet1 && ns_stats s0 "$R" vnet2
got=$(pings_to "$C" $ADDR_C)
xfer_to "$C" $ADDR_C 2048
check_err $? "transfer A -> C: $XFER_MSG"
ns_stats r1 "$R" vnet1 && ns_stats s1 "$R" vnet2
check_eq "${got:-0}" $PINGS "pings A -> C through R"
red=$(snap_delta r0 r1 rx_xdp_redirect)
xmit=$(snap_delta s0 s1 tx_xdp_xmit)
[ "$red" -gt $PINGS ]
check_err $? "vnet1 rx_xdp_redirect +$red"
# What vnet1 redirected went out of vnet2, nothing else did.
check_eq "$xmit" "$red" "vnet2 tx_xdp_xmit delta against vnet1 rx_xdp_redirect"
for s in rx_xdp_redirect_errors rx_xdp_drop rx_dropped; do
	check_eq "$(snap_delta r0 r1 $s)" 0 "vnet1 $s delta"
done
check_eq "$(snap_delta s0 s1 tx_xdp_xmit_errors)" 0 \
	"vnet2 tx_xdp_xmit_errors delta"
log_test "vnet -> vnet: pings and a verified transfer A -> C (vnet1 redirected $red, vnet2 sent $xmit)"

RET=0
mtu 9000 "$A:vnet0" "$R:vnet1" "$R:vnet2" "$C:vnet3"
check_err $? "MTU 9000 on the path"
ns_stats r0 "$R" vnet1
got=$(pings_to "$C" $ADDR_C -s 8000)
xfer_to "$C" $ADDR_C 2048
check_err $? "transfer A -> C at MTU 9000: $XFER_MSG"
ns_stats r1 "$R" vnet1
check_eq "${got:-0}" $PINGS "8000-byte pings A -> C through R"
check_eq "$(snap_delta r0 r1 rx_xdp_redirect_errors)" 0 \
	"vnet1 rx_xdp_redirect_errors delta"
check_eq "$(snap_delta r0 r1 rx_dropped)" 0 "vnet1 rx_dropped delta"
mtu 1500 "$A:vnet0" "$R:vnet1" "$R:vnet2" "$C:vnet3"
check_err $? "MTU 1500 back"
log_test "vnet -> vnet at MTU 9000: frames of 3 buffers redirected (+$(snap_delta r0 r1 rx_xdp_redirect))"

# ---- vnet to veth ------------------------------------------------------------

RET=0
fwd vnet1 vr && fwd vr vnet1
check_err $? "devmap vnet1 <-> vr"
attach vr
check_err $? "attaching the forwarding program to veth vr"
ns_stats r0 "$R" vnet1
got=$(pings_to "$X" $ADDR_X)
xfer_to "$X" $ADDR_X 1024
check_err $? "transfer A -> X: $XFER_MSG"
ns_stats r1 "$R" vnet1
check_eq "${got:-0}" $PINGS "pings A -> X through vnet1 and veth"
red=$(snap_delta r0 r1 rx_xdp_redirect)
xmit=$(snap_delta r0 r1 tx_xdp_xmit)
[ "$red" -gt $PINGS ] && [ "$xmit" -gt $PINGS ]
check_err $? "vnet1 rx_xdp_redirect +$red (into veth), tx_xdp_xmit +$xmit (from veth)"
check_eq "$(snap_delta r0 r1 rx_xdp_redirect_errors)" 0 \
	"vnet1 rx_xdp_redirect_errors delta"
detach vr
fwd vnet1 vnet2
log_test "vnet <-> veth: pings and a verified transfer A -> X (vnet1 redirected $red into veth, sent $xmit from it)"

# ---- reconfiguration under traffic -------------------------------------------

# While a transfer runs A -> C through R: rings, channels, the program
# replaced, detached and attached again on vnet1. Frames lost while vnet1
# has no program (R's stack drops them) are TCP's to recover.
RET=0
reconf() {
	local i
	for ((i = 0; i < 3; i++)); do
		nsx "$R" ethtool -G vnet1 rx 512 tx 512 >/dev/null &&
			nsx "$R" ethtool -L vnet1 combined 1 >/dev/null &&
			attach vnet1 &&
			nsx "$R" ethtool -G vnet1 rx 256 tx 256 >/dev/null &&
			detach vnet1 && attach vnet1 &&
			nsx "$R" ethtool -L vnet1 combined 2 >/dev/null ||
			return 1
		sleep 0.2
	done
}
reconf &
rpid=$!
xfer_to "$C" $ADDR_C 4096
check_err $? "transfer A -> C while vnet1 changed: $XFER_MSG"
wait $rpid
check_err $? "ethtool -G/-L or the program swap on vnet1 failed"
got=$(pings_to "$C" $ADDR_C)
check_eq "${got:-0}" $PINGS "pings A -> C afterwards"
log_test "rings, channels and programs changed under a transfer through the bridge"
detach vnet1 vnet2

# ---- hostile frames ----------------------------------------------------------

# inject_all PROG MTU: every vnet_inject class from A's vnet0 to vnet1, with
# section PROG of vnet_xdp.bpf.o on vnet1 and MTU on both. Every frame that
# reached vnet1 (all but those larger than its buffers) got one verdict,
# and the driver dropped none.
inject_all() {
	local prog=$1 mtu=$2 out sent over verdicts rxp s mac
	RET=0
	mtu "$mtu" "$A:vnet0" "$R:vnet1" ||
		{ check_err 1 "MTU $mtu"; return; }
	nsx "$R" ip -force link set dev vnet1 xdpdrv obj "$XDP_OBJ" sec "$prog"
	check_err $? "attaching $prog to vnet1"
	mac=$(ns_mac "$R" vnet1)
	ns_stats s0 "$A" vnet0 && ns_stats r0 "$R" vnet1
	out=$(nsx "$A" "$INJ" -i vnet0 -s $ADDR_A -d 10.13.0.9 -m "$mac" \
		-c all -n 8 2>&1)
	sent=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^sent=/) {
		sub(/sent=/, "", $i); n += $i } } END { print n + 0 }' <<<"$out")
	[ "$sent" -gt 100 ]
	check_err $? "vnet_inject sent $sent frames: $out"
	wait_for 10 eval '[ "$(ns_stat "$A" vnet0 tx_packets)" -ge $((s0[tx_packets] + sent)) ]'
	check_err $? "vnet0 did not complete the $sent frames"
	# What vnet0 sent: the injected frames, and whatever A's stack sent
	# meanwhile (the pair carries both).
	ns_stats s1 "$A" vnet0
	sent=$(snap_delta s0 s1 tx_packets)
	over=$(($(ns_stat "$R" vnet1 hw_rx_oversize) - r0[hw_rx_oversize]))
	wait_for 10 eval '[ "$(ns_stat "$R" vnet1 rx_packets)" -ge $((r0[rx_packets] + sent - over)) ]'
	ns_stats r1 "$R" vnet1
	rxp=$(snap_delta r0 r1 rx_packets)
	verdicts=0
	for s in pass drop tx tx_errors redirect redirect_errors aborted; do
		verdicts=$((verdicts + $(snap_delta r0 r1 rx_xdp_$s)))
	done
	check_eq "$rxp" $((sent - over)) "vnet1 rx_packets delta (vnet0 sent $sent, oversize $over)"
	check_eq "$verdicts" "$rxp" "vnet1 XDP verdicts against rx_packets"
	for s in rx_dropped hw_rx_missed rx_alloc_fail; do
		check_eq "$(snap_delta r0 r1 $s)" 0 "vnet1 $s delta"
	done
	nsx "$R" ip link set dev vnet1 xdpdrv off
	check_err $? "detaching $prog"
	log_test "hostile frames into $prog at MTU $mtu: $sent sent, $over oversize, $verdicts verdicts ($(snap_delta r0 r1 rx_xdp_pass) pass, $(snap_delta r0 r1 rx_xdp_tx) tx)"
}
inject_all xdp_echo_tx 1500
inject_all xdp.frags 9000
mtu 1500 "$A:vnet0" "$R:vnet1"

RET=0
fwd vnet1 vnet2 && fwd vnet2 vnet1 && attach vnet1 vnet2
check_err $? "the bridge back"
got=$(pings_to "$C" $ADDR_C)
check_eq "${got:-0}" $PINGS "pings A -> C after the hostile frames"
detach vnet1 vnet2
log_test "the bridge still works after the hostile frames"

cleanup
trap - EXIT
lib_exit
