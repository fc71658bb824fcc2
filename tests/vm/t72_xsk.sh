# SPDX-License-Identifier: GPL-2.0
# AF_XDP zero-copy on a pair (vnet0 in netns vnet_a, vnet1 in vnet_b, 2
# queues, vnet1's RSS table on queue 0) with tests/vm/tools/vnet_xsk: a
# socket bound with XDP_ZEROCOPY to vnet1's queue 0 receives test frames
# vnet0 sends (checked byte by byte), across an ethtool -G with the pool
# bound, while pings pass through the same ring (XDP_PASS copies them out
# of the pool), then sends frames vnet0 counts. Then the lifetimes: -L
# refused while it would remove a queue with a pool, a socket closed under
# traffic, the device down and up with a pool bound, the module unloaded
# with one; no kernel splat throughout.
#
# Needs run.sh --files tests/vm/tools/vnet_xsk (make -C tests/vm/tools).
source /vnet/lib.sh
source /vnet/tests/vnet_common.sh

A=$VNET_NS_A
B=$VNET_NS_B
XSK=/vnet/tests/vnet_xsk
PINGS=20
N=2000

trap vnet_pair_cleanup EXIT

if [ ! -x "$XSK" ]; then
	log_skip "AF_XDP" "no $XSK (run.sh --files tests/vm/tools/vnet_xsk)"
	lib_exit
fi
# The debug kernel built here has no CONFIG_XDP_SOCKETS.
if ! grep -q '^XDP ' /proc/net/protocols; then
	log_skip "AF_XDP" "the kernel has no AF_XDP sockets"
	lib_exit
fi

dmesg_mark
vnet_pair_setup queues=2 ||
	{ log_test "pair setup" 1 "setup failed"; lib_exit; }
# Frames of no IP hash to nothing; pings go to queue 0 all the same.
nsx "$B" ethtool -X vnet1 equal 1 >/dev/null

# xsk_start OUT RXN TXN SECONDS [QUEUE]: vnet_xsk bound (zero-copy) to
# vnet1's QUEUE (0) in the background, its output in OUT; waits until it
# is bound (non-zero if it never is). XSK_PID is its pid.
xsk_start() {
	local out=$1 rxn=$2 txn=$3 secs=$4 q=${5:-0}
	rm -f /tmp/xsk.ready
	nsx "$B" "$XSK" xsk vnet1 "$q" "$rxn" "$txn" "$secs" zc \
		/tmp/xsk.ready >"$out" 2>&1 &
	XSK_PID=$!
	wait_for 10 test -e /tmp/xsk.ready
}

# send N [FIRST]: N test frames from vnet0.
send() {
	nsx "$A" "$XSK" send vnet0 "$@" >/dev/null
}

pings() {
	ns_ping_received "$A" -c "$1" -i 0.01 -W 1 "$VNET_PAIR_B"
}

RET=0
if ! ynl_unpack || kernel_before 6 3; then
	log_skip "xdp-features xsk-zerocopy" "no YNL in the image, or before 6.3"
else
	feats=$(ynl_py "$B" vnet1 <<'EOF'
import socket
idx = socket.if_nametoindex(sys.argv[1])
print(' '.join(sorted(nl.do('dev-get', {'ifindex': idx})['xdp-features'])))
EOF
)
	[[ " $feats " == *" xsk-zerocopy "* ]]
	check_err $? "xdp-features: '$feats'"
	log_test "xdp-features: '$feats'"
fi

RET=0
declare -A b0 b1 a0 a1
ns_stats b0 "$B" vnet1
ns_stats a0 "$A" vnet0
xsk_start /tmp/xsk.out $N $N 120
check_err $? "vnet_xsk did not bind with XDP_ZEROCOPY: $(cat /tmp/xsk.out)"
rm -f /tmp/recv.ready
nsx "$A" "$XSK" recv vnet0 $N 120 /tmp/recv.ready >/tmp/recv.out 2>&1 &
recv_pid=$!
wait_for 10 test -e /tmp/recv.ready
send $((N / 2)) 0
got=$(pings $PINGS)
check_eq "${got:-0}" $PINGS "pings answered through the zero-copy ring (XDP_PASS)"
vnet_sleep 0.5
rx=$(in_ns "$B" ring_param vnet1 rx)
nsx "$B" ethtool -G vnet1 rx 128
check_err $? "ethtool -G rx 128 with a pool bound"
send $((N / 2)) $((N / 2))
wait "$XSK_PID"
check_err $? "vnet_xsk: $(cat /tmp/xsk.out)"
wait "$recv_pid"
rc=$?
ns_stats b1 "$B" vnet1
ns_stats a1 "$A" vnet0
check_err $rc "vnet0's count of the frames sent: $(cat /tmp/recv.out) (vnet0 rx_packets +$(snap_delta a0 a1 rx_packets), hw_rx_missed +$(snap_delta a0 a1 hw_rx_missed))"
redir=$(snap_delta b0 b1 rx_xdp_redirect)
[ "$redir" -ge $N ]
check_err $? "rx_xdp_redirect +$redir for $N frames"
[ "$(snap_delta b0 b1 rx_xdp_pass)" -ge $PINGS ]
check_err $? "rx_xdp_pass +$(snap_delta b0 b1 rx_xdp_pass) for $PINGS pings"
[ "$(snap_delta b0 b1 tx_packets)" -ge $N ]
check_err $? "vnet1 tx_packets +$(snap_delta b0 b1 tx_packets) for $N frames"
nsx "$B" ethtool -G vnet1 rx "$rx"
log_test "AF_XDP zero-copy: $(cat /tmp/xsk.out) (-G rx 128 midway, $got pings passed, rx_xdp_redirect +$redir)"

RET=0
xsk_start /tmp/xsk1.out 1 0 4 1
check_err $? "binding queue 1 failed: $(cat /tmp/xsk1.out)"
nsx "$B" ethtool -L vnet1 combined 1 2>/dev/null
check_fail $? "-L combined 1 accepted with a pool on queue 1"
check_eq "$(in_ns "$B" channel_param vnet1 combined)" 2 "channels after the refused -L"
wait "$XSK_PID"
nsx "$B" ethtool -L vnet1 combined 1
check_err $? "-L combined 1 once the socket closed"
nsx "$B" ethtool -L vnet1 combined 2
check_err $? "-L combined 2 back"
nsx "$B" ethtool -X vnet1 equal 1 >/dev/null
log_test "-L: refused while it would remove a queue with a pool"

RET=0
xsk_start /tmp/xsk.out 300 0 30
check_err $? "bind failed: $(cat /tmp/xsk.out)"
send 20000 &
send_pid=$!
wait "$XSK_PID"
check_err $? "vnet_xsk: $(cat /tmp/xsk.out)"
wait "$send_pid"
got=$(pings $PINGS)
check_eq "${got:-0}" $PINGS "pings after the socket closed under traffic"
log_test "socket closed under traffic (20000 frames): $(cat /tmp/xsk.out); $got pings after"

RET=0
xsk_start /tmp/xsk.out 500 0 30
check_err $? "bind failed: $(cat /tmp/xsk.out)"
ip -n "$B" link set vnet1 down
ip -n "$B" link set vnet1 up
wait_for 5 eval '[ "$(pair_carriers)" = 11 ]'
vnet_pair_neigh
send 500
wait "$XSK_PID"
check_err $? "vnet_xsk after down/up: $(cat /tmp/xsk.out)"
log_test "device down and up with a pool bound: $(cat /tmp/xsk.out)"

RET=0
xsk_start /tmp/xsk.out 1000000 0 8
check_err $? "bind failed: $(cat /tmp/xsk.out)"
vnet_unload
check_err $? "module unload with a pool bound"
wait "$XSK_PID"
log_test "module unload with a pool bound"

RET=0
kernel_splat_check
check_err $? "kernel splat"
log_test "no kernel splat"

vnet_pair_cleanup
lib_exit
