# SPDX-License-Identifier: GPL-2.0
# Native XDP on a pair (vnet0 in netns vnet_a, vnet1 in vnet_b, 2 queues),
# the programs of tests/vm/tools/vnet_xdp.bpf.o on vnet1: attach in driver
# mode and rx-gro-hw off with it; XDP_PASS (a verified transfer, every
# frame through the program), XDP_DROP, XDP_ABORTED (and its xdp_exception
# tracepoint); XDP_TX and XDP_REDIRECT into vnet1's own ndo_xdp_xmit
# answering pings in place of the stack; bpf_xdp_adjust_head/tail room;
# XDP_TX across -L and the channel limit XDP sets; the MTU limit both
# ways; multi-buffer frames (xdp.frags) through XDP_TX and XDP_PASS;
# replacing a program; xdp-features over netlink; detach.
#
# The object is built in the Debian 13 root (clang, libbpf's headers):
#   bash scripts/root.sh --run "$PWD/tests/vm/tools" -- \
#	make -C "$PWD/tests/vm/tools" bpf
# and given to run.sh with --files tests/vm/tools/vnet_xdp.bpf.o.
source /vnet/lib.sh
source /vnet/tests/vnet_common.sh

A=$VNET_NS_A
B=$VNET_NS_B
OBJ=/vnet/tests/vnet_xdp.bpf.o
TRACEFS=/sys/kernel/tracing
EXC=$TRACEFS/events/xdp/xdp_exception
PINGS=20

# shellcheck disable=SC2317 # called via trap
cleanup() {
	[ -d "$EXC" ] && echo 0 >"$EXC/enable"
	vnet_pair_cleanup
}
trap cleanup EXIT

if [ ! -f "$OBJ" ]; then
	log_skip "XDP" "no $OBJ (run.sh --files tests/vm/tools/vnet_xdp.bpf.o)"
	lib_exit
fi

vnet_pair_setup queues=2 ||
	{ log_test "pair setup" 1 "setup failed"; lib_exit; }

# xdp SEC: attach section SEC of $OBJ to vnet1 in driver mode, replacing
# what is there.
xdp() {
	ip -force -n "$B" link set dev vnet1 xdpdrv obj "$OBJ" sec "$1"
}

# xdp_off: detach vnet1's program.
xdp_off() {
	ip -n "$B" link set dev vnet1 xdpdrv off
}

# xdp_attached: vnet1 has a program in driver mode.
xdp_attached() {
	ip -n "$B" -d link show dev vnet1 | grep -q 'prog/xdp id'
}

# pings N: pings from A to B, N of them 10 ms apart; prints how many were
# answered.
pings() {
	ns_ping_received "$A" -c "$1" -i 0.01 -W 1 "$VNET_PAIR_B"
}

RET=0
gro_before=$(in_ns "$B" feature_state vnet1 rx-gro-hw)
xdp xdp_pass
check_err $? "attaching xdp_pass in driver mode failed"
xdp_attached
check_err $? "no prog/xdp on vnet1 after the attach"
check_eq "$(in_ns "$B" feature_state vnet1 rx-gro-hw)" off \
	"rx-gro-hw with a program attached"
nsx "$B" ethtool -K vnet1 rx-gro-hw on >/dev/null 2>&1
check_eq "$(in_ns "$B" feature_state vnet1 rx-gro-hw)" off \
	"rx-gro-hw after -K rx-gro-hw on with a program attached"
log_test "XDP attaches in driver mode; rx-gro-hw off while it is ($gro_before before)"

RET=0
declare -A b0 b1
ns_stats b0 "$B" vnet1
pair_xfer 2048
check_err $? "transfer through xdp_pass: $XFER_MSG"
ns_stats b1 "$B" vnet1
pass=$(snap_delta b0 b1 rx_xdp_pass)
rxp=$(snap_delta b0 b1 rx_packets)
[ "$pass" -gt 0 ]
check_err $? "rx_xdp_pass did not rise"
check_eq "$pass" "$rxp" "rx_xdp_pass delta against rx_packets delta"
check_eq "$(snap_delta b0 b1 rx_hw_gro_packets)" 0 "rx_hw_gro_packets delta"
log_test "XDP_PASS: verified transfer, every frame through the program ($pass)"

RET=0
xdp xdp_drop
check_err $? "replacing the program with xdp_drop failed"
ns_stats b0 "$B" vnet1
got=$(pings $PINGS)
ns_stats b1 "$B" vnet1
check_eq "${got:-0}" 0 "pings answered through xdp_drop"
drop=$(snap_delta b0 b1 rx_xdp_drop)
[ "$drop" -ge $PINGS ]
check_err $? "rx_xdp_drop +$drop for $PINGS pings"
[ "$(snap_delta b0 b1 rx_packets)" -ge "$drop" ]
check_err $? "dropped frames not in rx_packets"
log_test "XDP_DROP: replaced program, no ping answered, rx_xdp_drop +$drop"

RET=0
xdp xdp_aborted
check_err $? "attaching xdp_aborted failed"
ns_stats b0 "$B" vnet1
if [ -d "$EXC" ]; then
	echo >"$TRACEFS/trace"
	echo 1 >"$EXC/enable"
fi
got=$(pings $PINGS)
[ -d "$EXC" ] && echo 0 >"$EXC/enable"
ns_stats b1 "$B" vnet1
check_eq "${got:-0}" 0 "pings answered through xdp_aborted"
abrt=$(snap_delta b0 b1 rx_xdp_aborted)
[ "$abrt" -ge $PINGS ]
check_err $? "rx_xdp_aborted +$abrt for $PINGS pings"
if [ -d "$EXC" ]; then
	exc=$(grep -c 'xdp_exception:.*ABORTED' "$TRACEFS/trace")
	[ "${exc:-0}" -ge $PINGS ]
	check_err $? "$exc xdp_exception events for $PINGS aborted frames"
fi
log_test "XDP_ABORTED: rx_xdp_aborted +$abrt, xdp:xdp_exception ${exc:-not available}"

# echo_check SEC COUNTER...: with SEC on vnet1, pings from A are answered
# by the program, not by B's stack (its InEchos stay), and each COUNTER of
# vnet1 rises by at least the pings.
echo_check() {
	local sec=$1 got echos c d
	shift
	xdp "$sec"
	check_err $? "attaching $sec failed"
	ns_stats b0 "$B" vnet1
	echos=$(ns_snmp "$B" Icmp InEchos)
	got=$(pings $PINGS)
	ns_stats b1 "$B" vnet1
	check_eq "${got:-0}" $PINGS "pings answered through $sec"
	check_eq "$(ns_snmp "$B" Icmp InEchos)" "$echos" "B's stack InEchos"
	ECHO_MSG=
	for c in "$@"; do
		d=$(snap_delta b0 b1 "$c")
		[ "$d" -ge $PINGS ]
		check_err $? "$c +$d for $PINGS pings"
		ECHO_MSG="${ECHO_MSG:+$ECHO_MSG, }$c +$d"
	done
}

RET=0
echo_check xdp_echo_tx rx_xdp_tx tx_packets
check_eq "$(snap_delta b0 b1 rx_xdp_tx_errors)" 0 "rx_xdp_tx_errors delta"
log_test "XDP_TX answers pings from its own TX rings ($ECHO_MSG)"

RET=0
echo_check xdp_echo_redirect rx_xdp_redirect tx_xdp_xmit
check_eq "$(snap_delta b0 b1 rx_xdp_redirect_errors)" 0 \
	"rx_xdp_redirect_errors delta"
check_eq "$(snap_delta b0 b1 tx_xdp_xmit_errors)" 0 "tx_xdp_xmit_errors delta"
log_test "XDP_REDIRECT into vnet's ndo_xdp_xmit answers pings ($ECHO_MSG)"

RET=0
max=$(in_ns "$B" channel_param vnet1 combined max)
nsx "$B" ethtool -L vnet1 combined 8 >/dev/null 2>&1
check_fail $? "ethtool -L combined 8 accepted with XDP attached"
check_eq "$(in_ns "$B" channel_param vnet1 combined)" 2 "channels after the refused -L"
xdp xdp_echo_tx
for n in 1 "$max" 2; do
	nsx "$B" ethtool -L vnet1 combined "$n" >/dev/null
	check_err $? "ethtool -L combined $n with XDP attached"
	got=$(pings $PINGS)
	check_eq "${got:-0}" $PINGS "pings answered by XDP_TX on $n channels"
done
log_test "XDP_TX across -L 1, $max, 2; at most $max channels with XDP"

# An XDP TX ring belongs to no stack queue, so the stack's watchdog does
# not see it: vnet's service task resets a ring with frames pending and
# none completed for the watchdog's 5 s. On one channel queue 0's XDP TX
# ring is the TX engine of device queue 1, which hangs at its next doorbell.
RET=0
DBG=/sys/kernel/debug/vnet/vnethw.1
if [ ! -w "$DBG/fault_tx_hang" ]; then
	log_skip "XDP TX ring hang" "no $DBG/fault_tx_hang"
else
	nsx "$B" ethtool -L vnet1 combined 1 >/dev/null
	check_err $? "ethtool -L combined 1"
	b_to=$(ns_stat "$B" vnet1 tx_timeouts)
	b_rs=$(ns_stat "$B" vnet1 resets)
	echo 2 >"$DBG/fault_tx_hang"
	pings 5 >/dev/null
	wait_for 30 eval '[ "$(ns_stat "$B" vnet1 resets)" -gt "$b_rs" ]'
	check_err $? "no reset within 30 s of the XDP TX ring's hang"
	check_eq "$(cat "$DBG/fault_tx_hang")" 0x0 "fault_tx_hang still pending"
	to=$(($(ns_stat "$B" vnet1 tx_timeouts) - b_to))
	[ "$to" -ge 1 ]
	check_err $? "tx_timeouts +$to"
	wait_for 5 eval '[ "$(pair_carriers)" = 11 ]'
	got=$(pings $PINGS)
	check_eq "${got:-0}" $PINGS "pings answered by XDP_TX after the reset"
	nsx "$B" ethtool -L vnet1 combined 2 >/dev/null
	check_err $? "ethtool -L combined 2"
	log_test "XDP TX ring hang: the service task resets (tx_timeouts +$to), XDP_TX answers again"
fi

RET=0
xdp xdp_room
check_err $? "attaching xdp_room failed"
ns_stats b0 "$B" vnet1
pair_xfer 512
check_err $? "transfer through xdp_room: $XFER_MSG"
ns_stats b1 "$B" vnet1
check_eq "$(snap_delta b0 b1 rx_xdp_aborted)" 0 \
	"rx_xdp_aborted delta (adjust_head -128 or adjust_tail +64 failed)"
[ "$(snap_delta b0 b1 rx_xdp_pass)" -gt 0 ]
check_err $? "rx_xdp_pass did not rise through xdp_room"
log_test "bpf_xdp_adjust_head/tail: 128 bytes of headroom, 64 of tailroom"

RET=0
ip -n "$B" link set dev vnet1 mtu 9000 2>/dev/null
check_fail $? "MTU 9000 accepted with a single-buffer program attached"
xdp_off
check_err $? "detaching the program failed"
ip -n "$B" link set dev vnet1 mtu 9000
check_err $? "MTU 9000 refused without XDP"
xdp xdp_pass 2>/dev/null
check_fail $? "a single-buffer program attached at MTU 9000 (frames span buffers)"
log_test "MTU: one buffer per frame for a program without xdp.frags, either way round"

# Multi-buffer: at MTU 9000 on both ends, echo requests of 8000 bytes
# span three buffers; xdp.frags answers them by XDP_TX, the reply spanning
# as many TX descriptors, and passes the verified transfer's frames.
RET=0
ip -n "$A" link set dev vnet0 mtu 9000
check_err $? "MTU 9000 on vnet0"
xdp xdp.frags
check_err $? "attaching the xdp.frags program at MTU 9000 failed"
xdp xdp_pass 2>/dev/null
check_fail $? "a single-buffer program replaced the xdp.frags one at MTU 9000"
ns_stats b0 "$B" vnet1
echos=$(ns_snmp "$B" Icmp InEchos)
got=$(ns_ping_received "$A" -c $PINGS -i 0.01 -W 1 -s 8000 "$VNET_PAIR_B")
pair_xfer 2048
check_err $? "transfer at MTU 9000 through xdp.frags: $XFER_MSG"
ns_stats b1 "$B" vnet1
check_eq "${got:-0}" $PINGS "8000-byte pings answered by XDP_TX"
check_eq "$(ns_snmp "$B" Icmp InEchos)" "$echos" "B's stack InEchos"
tx=$(snap_delta b0 b1 rx_xdp_tx)
[ "$tx" -ge $PINGS ]
check_err $? "rx_xdp_tx +$tx for $PINGS pings"
pass=$(snap_delta b0 b1 rx_xdp_pass)
[ "$pass" -gt 0 ]
check_err $? "rx_xdp_pass did not rise"
check_eq "$(snap_delta b0 b1 rx_xdp_aborted)" 0 \
	"rx_xdp_aborted delta (adjust_tail on a fragment failed)"
check_eq "$(snap_delta b0 b1 rx_dropped)" 0 "rx_dropped delta"
xdp_off
ip -n "$A" link set dev vnet0 mtu 1500
ip -n "$B" link set dev vnet1 mtu 1500
check_err $? "MTU 1500 back failed"
log_test "multi-buffer XDP at MTU 9000: XDP_TX of 3-buffer echoes (rx_xdp_tx +$tx), XDP_PASS of a verified transfer (+$pass)"

RET=0
if ! ynl_unpack || kernel_before 6 3; then
	log_skip "xdp-features over netlink" "no YNL in the image, or before 6.3"
else
	feats() {
		ynl_py "$B" "$1" <<'EOF'
import socket
idx = socket.if_nametoindex(sys.argv[1])
print(' '.join(sorted(nl.do('dev-get', {'ifindex': idx})['xdp-features'])))
EOF
	}
	off=$(feats vnet1)
	xdp xdp_pass
	on=$(feats vnet1)
	xdp_off
	# AF_XDP zero-copy from 6.8 (drv/vnet_compat.h: VNET_HAVE_XSK_ZC)
	zc=" xsk-zerocopy"
	kernel_before 6 8 && zc=
	check_eq "$off" "basic redirect rx-sg$zc" "xdp-features without a program"
	check_eq "$on" "basic ndo-xmit ndo-xmit-sg redirect rx-sg$zc" \
		"xdp-features with a program"
	log_test "xdp-features: '$off', with a program '$on'"
fi

RET=0
xdp_off
xdp_attached
check_fail $? "prog/xdp still on vnet1 after detach"
ns_stats b0 "$B" vnet1
got=$(pings $PINGS)
pair_xfer 512
check_err $? "transfer after detach: $XFER_MSG"
ns_stats b1 "$B" vnet1
check_eq "${got:-0}" $PINGS "pings answered by the stack after detach"
check_eq "$(snap_delta b0 b1 rx_xdp_pass)" 0 "rx_xdp_pass delta after detach"
check_eq "$(in_ns "$B" feature_state vnet1 rx-gro-hw)" "$gro_before" \
	"rx-gro-hw after detach"
log_test "detach: the stack answers again, rx-gro-hw back to $gro_before"

vnet_pair_cleanup
lib_exit
