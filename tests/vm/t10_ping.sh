# SPDX-License-Identifier: GPL-2.0
# Ping through the reflector: ARP, every size, a flood, exact counters.
source /vnet/lib.sh
source /vnet/tests/vnet_common.sh

RET=0
vnet_setup
check_err $? "vnet0 did not come up with carrier"
log_test "load, link up, carrier on"

RET=0
before=$(ethtool_stat vnet0 reflect_arp_reply)
ping -c 1 -W 2 -q 10.0.0.7 >/dev/null
check_err $? "ping 10.0.0.7 got no reply"
ip neigh show 10.0.0.7 dev vnet0 | grep -q "lladdr 02:00:0a:00:00:07"
check_err $? "neighbour 10.0.0.7 not learned: $(ip neigh show dev vnet0)"
check_eq "$(stat_delta reflect_arp_reply "$before")" 1 "ARP replies"
log_test "ARP resolves a subnet address to the partner MAC"

RET=0
ping -c 3 -W 2 -q $VNET_PEER >/dev/null
check_err $? "ping $VNET_PEER failed"
log_test "ping single"

RET=0
vnet_static_peer
bad=
# Every size where padding and the ICMP header's layout matter, then a
# stride across the rest and the top end (the unit tests answer every
# size 0..1472 with the reflector itself; one ping process per size is
# slow under TCG).
sizes="$(seq 0 80) $(seq 81 13 1460) $(seq 1461 1472)"
for size in $sizes; do
	ping -c 1 -W 2 -q -s "$size" $VNET_PEER >/dev/null || bad="$bad $size"
done
check_eq "${bad:-none}" none "sizes without a reply"
log_test "ping sizes 0..80, every 13th to 1460, 1461..1472"

RET=0
# Exact deltas: IPv6 is off and the neighbour is static, so the only
# traffic is our N echo requests of 98 bytes on the wire each.
n=200
declare -A b
for s in tx_packets tx_bytes rx_packets rx_bytes reflect_icmp_reply \
	 tx_queue_0_packets rx_queue_0_packets irqs napi_polls; do
	b[$s]=$(ethtool_stat vnet0 $s)
done
l_tx=$(link_stat vnet0 tx_packets); l_rx=$(link_stat vnet0 rx_packets)
l_txb=$(link_stat vnet0 tx_bytes); l_rxb=$(link_stat vnet0 rx_bytes)
got=$(ping_received -c $n -i 0.002 -W 2 -q $VNET_PEER)
check_eq "$got" $n "echo replies"
# TX completions are reaped by the next poll: wait for the last one.
wait_for 5 eval '[ "$(stat_delta tx_packets "${b[tx_packets]}")" = $n ]'
for s in tx_packets rx_packets reflect_icmp_reply tx_queue_0_packets \
	 rx_queue_0_packets; do
	check_eq "$(stat_delta $s "${b[$s]}")" $n "ethtool -S $s delta"
done
check_eq "$(stat_delta tx_bytes "${b[tx_bytes]}")" $((n * 98)) "tx_bytes delta"
check_eq "$(stat_delta rx_bytes "${b[rx_bytes]}")" $((n * 98)) "rx_bytes delta"
check_eq $(($(link_stat vnet0 tx_packets) - l_tx)) $n "ip -s link tx_packets delta"
check_eq $(($(link_stat vnet0 rx_packets) - l_rx)) $n "ip -s link rx_packets delta"
check_eq $(($(link_stat vnet0 tx_bytes) - l_txb)) $((n * 98)) "ip -s link tx_bytes delta"
check_eq $(($(link_stat vnet0 rx_bytes) - l_rxb)) $((n * 98)) "ip -s link rx_bytes delta"
irqs=$(stat_delta irqs "${b[irqs]}")
polls=$(stat_delta napi_polls "${b[napi_polls]}")
[ "$irqs" -ge 1 ] && [ "$irqs" -le $((2 * n)) ]
check_err $? "irqs delta $irqs not in 1..$((2 * n))"
[ "$polls" -ge "$irqs" ]
check_err $? "napi_polls delta $polls < irqs delta $irqs"
log_test "ethtool -S and ip -s link deltas around $n pings"

RET=0
before=$(ethtool_stat vnet0 reflect_drop_not_icmp)
echo hello > /dev/udp/$VNET_PEER/9
check_err $? "UDP send failed"
wait_for 5 eval '[ "$(stat_delta reflect_drop_not_icmp "$before")" = 1 ]'
check_err $? "reflect_drop_not_icmp did not count the UDP datagram"
log_test "reflector counts what it drops (UDP)"

RET=0
out=$(ping -f -c 5000 -W 2 $VNET_PEER 2>&1)
check_err $? "ping -f failed: $out"
grep -q " 5000 received, 0% packet loss" <<<"$out"
check_err $? "flood lost packets: $(tail -2 <<<"$out")"
log_test "ping -f 5000, 0% loss ($(grep -o 'ipg/ewma [0-9.]*' <<<"$out"))"

RET=0
# A fragmented skb (PACKET_TX_RING puts the payload in page frags): the
# device gathers descriptors and the partner echoes it byte-exact.
if [ -x /vnet/tests/vnet_txring ]; then
	out=$(/vnet/tests/vnet_txring -i vnet0 -s $VNET_ADDR -d $VNET_PEER \
		-m $VNET_PEER_MAC -c 200 -l 1400)
	check_err $? "fragmented echo: $out"
	log_test "fragmented skbs gathered by the device ($out)"
else
	log_skip "fragmented skbs gathered by the device" "no vnet_txring"
fi

vnet_unload
lib_exit
