# SPDX-License-Identifier: GPL-2.0
# MTU up to 9000: DF pings of 8972 bytes through the reflector and across a
# pair in two netns, a verified TCP transfer at 9000, 9001 rejected. A
# frame spans RX buffers of one page each (page_pool stats, 6.8+); a frame
# longer than the receiver's MTU allows is counted oversize.
source /vnet/lib.sh
source /vnet/tests/vnet_common.sh

A=$VNET_NS_A
B=$VNET_NS_B
trap vnet_pair_cleanup EXIT

# --- reflect mode -------------------------------------------------------------------
vnet_setup || { log_test "setup" 1 "vnet0 did not come up"; lib_exit; }
vnet_static_peer

RET=0
ip link set vnet0 mtu 9000
check_err $? "mtu 9000 rejected"
check_eq "$(cat /sys/class/net/vnet0/mtu)" 9000 "mtu read back"
n=5
b_tx=$(ethtool_stat vnet0 tx_bytes)
b_rx=$(ethtool_stat vnet0 rx_bytes)
b_ov=$(ethtool_stat vnet0 hw_rx_oversize)
got=$(ping_received -c $n -i 0.01 -W 2 -q -M do -s 8972 $VNET_PEER)
check_eq "$got" $n "DF pings of 8972 bytes"
# one 9014-byte frame each way per ping
wait_for 5 eval '[ "$(stat_delta tx_bytes "$b_tx")" -ge $((n * 9014)) ]'
check_eq "$(stat_delta tx_bytes "$b_tx")" $((n * 9014)) "tx_bytes delta"
check_eq "$(stat_delta rx_bytes "$b_rx")" $((n * 9014)) "rx_bytes delta"
check_eq "$(stat_delta hw_rx_oversize "$b_ov")" 0 "hw_rx_oversize delta"
log_test "reflect: mtu 9000, ping -M do -s 8972 answered, 9014-byte frames"

RET=0
for mtu in 9001 65535; do
	out=$(ip link set vnet0 mtu $mtu 2>&1)
	check_fail $? "mtu $mtu accepted"
done
check_eq "$(cat /sys/class/net/vnet0/mtu)" 9000 "mtu after rejected changes"
got=$(ping_received -c 3 -i 0.01 -W 2 -q -M do -s 8972 $VNET_PEER)
check_eq "$got" 3 "DF pings of 8972 bytes after"
log_test "reflect: mtu 9001 rejected, 9000 kept"

RET=0
# back and forth, every size class answered
for mtu in 1500 4000 9000 1500; do
	ip link set vnet0 mtu $mtu
	check_err $? "mtu $mtu rejected"
	got=$(ping_received -c 3 -i 0.01 -W 2 -q -M do -s $((mtu - 28)) $VNET_PEER)
	check_eq "$got" 3 "DF pings of $((mtu - 28)) bytes at mtu $mtu"
done
log_test "reflect: mtu 1500 -> 4000 -> 9000 -> 1500 live, full-size pings answered"
vnet_unload

# --- pair mode ------------------------------------------------------------------------
vnet_pair_setup ||
	{ log_test "pair setup" 1 "setup failed"; lib_exit; }

RET=0
ip -n "$A" link set vnet0 mtu 9000 && ip -n "$B" link set vnet1 mtu 9000
check_err $? "mtu 9000 on the pair rejected"
wait_for 5 eval '[ "$(pair_carriers)" = 11 ]'
check_err $? "no carrier after the MTU change"
declare -A a0 a1 b0 b1
ns_stats a0 "$A" vnet0 && ns_stats b0 "$B" vnet1
got=$(ns_ping_received "$A" -c 5 -i 0.01 -W 2 -q -M do -s 8972 $VNET_PAIR_B)
check_eq "$got" 5 "DF pings of 8972 bytes across the pair"
wait_for 5 eval 'ns_stats b1 "$B" vnet1 && [ "$(snap_delta b0 b1 tx_bytes)" -ge $((5 * 9014)) ]'
ns_stats a1 "$A" vnet0
check_eq "$(snap_delta a0 a1 tx_bytes)" $((5 * 9014)) "vnet0 tx_bytes delta"
check_eq "$(snap_delta b0 b1 rx_bytes)" $((5 * 9014)) "vnet1 rx_bytes delta"
check_eq "$(snap_delta b0 b1 rx_packets)" 5 "vnet1 rx_packets delta"
log_test "pair: mtu 9000 on both ends, ping -M do -s 8972 across netns"

RET=0
pair_xfer 4096
check_err $? "transfer at mtu 9000: $XFER_MSG"
log_test "pair: verified TCP transfer at mtu 9000 ($XFER_MSG)"

# pool_pages NS DEV: "pages bytes-per-page page-size" for each page pool
# of DEV.
pool_pages() {
	ynl_py "$1" "$(ns_read "$1" "class/net/$2/ifindex")" <<'EOF'
import resource
for p in nl.dump("page-pool-get", {}):
    if p.get("ifindex") == int(sys.argv[1]) and p.get("inflight"):
        print(p["inflight"], p["inflight-mem"] // p["inflight"],
              resource.getpagesize())
EOF
}

if kernel_before 6 8; then
	log_skip "pair: RX buffers of one page at mtu 9000" "$(uname -r) has no page-pool-get (6.8+)"
else
	RET=0
	ynl_unpack
	check_err $? "no ynl tool"
	out=$(pool_pages "$B" vnet1)
	check_err $? "page-pool-get failed: $out"
	[ -n "$out" ]
	check_err $? "vnet1 reports no page pool"
	read -r _ _ page <<<"$out"
	check_eq "$(awk -v p="$page" '$2 != p' <<<"$out")" "" \
		"pools (pages, bytes each) whose pages are not $page bytes"
	log_test "pair: at mtu 9000 vnet1's RX buffers are $page-byte pages ($(wc -l <<<"$out") pools), frames span them"
fi

RET=0
# vnet1 takes frames up to its own MTU, whatever its buffers could hold.
ip -n "$B" link set vnet1 mtu 4000
check_err $? "mtu 4000 on vnet1 rejected"
ns_stats b0 "$B" vnet1
got=$(ns_ping_received "$A" -c 5 -i 0.01 -W 1 -q -M do -s 8972 $VNET_PAIR_B)
check_eq "$got" 0 "DF pings of 8972 bytes to vnet1 at mtu 4000"
ns_stats b1 "$B" vnet1
check_eq "$(snap_delta b0 b1 hw_rx_oversize)" 5 "vnet1 hw_rx_oversize delta"
check_eq "$(snap_delta b0 b1 rx_packets)" 0 "vnet1 rx_packets delta"
got=$(ns_ping_received "$A" -c 5 -i 0.01 -W 2 -q -M do -s 3972 $VNET_PAIR_B)
check_eq "$got" 5 "DF pings of 3972 bytes to vnet1 at mtu 4000"
ip -n "$B" link set vnet1 mtu 9000
got=$(ns_ping_received "$A" -c 3 -i 0.01 -W 2 -q -M do -s 8972 $VNET_PAIR_B)
check_eq "$got" 3 "DF pings of 8972 bytes once vnet1 is back at 9000"
log_test "pair: a frame beyond the receiver's MTU is counted oversize, not taken"

RET=0
ip -n "$B" link set vnet1 mtu 9001 2>/dev/null
check_fail $? "mtu 9001 accepted on vnet1"
check_eq "$(ns_read "$B" class/net/vnet1/mtu)" 9000 "vnet1 mtu after reject"
log_test "pair: mtu 9001 rejected"

vnet_pair_cleanup
lib_exit
