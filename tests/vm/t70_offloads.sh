# SPDX-License-Identifier: GPL-2.0
# Offloads on a pair (vnet0 in netns vnet_a, vnet1 in vnet_b): each of sg,
# tx-checksum-ip-generic, rx, tso, gro, rx-gro-hw, rxhash switched off and
# on again on both ends with a sha256-verified TCP transfer after each
# switch; TSO, RX checksum and hardware GRO counters follow the feature;
# TSO's header limit holds with a VLAN tag inserted after
# ndo_features_check; hardware GRO coalesces TCP in IP-in-IP tunnels.
source /vnet/lib.sh
source /vnet/tests/vnet_common.sh

A=$VNET_NS_A
B=$VNET_NS_B
# per verified transfer (16 of them): 4 MiB; and per IPv6 transfer (3):
# 2 MiB. On a debug kernel 256 and 512 KiB: still hundreds of segments and
# dozens of TSO frames each, and CI's time.
KIB=4096
KIB6=2048
[ "${VNET_SLOW:-0}" = 1 ] && KIB=256 KIB6=512
TRACEFS=/sys/kernel/tracing
KPROBE=vnet_t70/csum_fault

# shellcheck disable=SC2317 # called via trap
cleanup() {
	if [ -d "$TRACEFS/events/$KPROBE" ]; then
		echo 0 >"$TRACEFS/events/$KPROBE/enable"
		echo "-:$KPROBE" >>"$TRACEFS/kprobe_events"
	fi
	vnet_pair_cleanup
}
trap cleanup EXIT

vnet_pair_setup ||
	{ log_test "pair setup" 1 "setup failed"; lib_exit; }

# both_k ARGS...: ethtool -K ARGS on vnet0 (A) and vnet1 (B).
both_k() {
	nsx "$A" ethtool -K vnet0 "$@" >/dev/null &&
		nsx "$B" ethtool -K vnet1 "$@" >/dev/null
}

# both_state NAME: "STATE_vnet0 STATE_vnet1" from ethtool -k.
both_state() {
	echo "$(in_ns "$A" feature_state vnet0 "$1") $(in_ns "$B" feature_state vnet1 "$1")"
}

RET=0
for nd in "$A vnet0" "$B vnet1"; do
	read -r ns dev <<<"$nd"
	out=$(nsx "$ns" ethtool -k $dev)
	for f in scatter-gather tx-checksum-ip-generic rx-checksumming \
		 tcp-segmentation-offload generic-receive-offload rx-gro-hw \
		 receive-hashing; do
		line=$(grep -E "^[[:space:]]*$f: " <<<"$out" | sed 's/^[[:space:]]*//')
		[[ $line == "$f: o"* && $line != *fixed* ]]
		check_err $? "$dev $f: '$line'"
	done
done
log_test "offloads present and changeable on both ports"

# Everything on to start with (some may default off).
both_k sg on tx-checksum-ip-generic on rx on tso on gro on rx-gro-hw on \
	rxhash on
check_err $? "ethtool -K all on failed"

# toggle NAME KNAME: ethtool -K KNAME off on both, verified transfer, on,
# verified transfer. Leaves COUNTS_OFF/COUNTS_ON: the deltas of
# "hw_tx_tso_segs tx_tso" on vnet0 and "rx_csum_complete
# rx_hw_gro_packets rx_hw_gro_wire_packets rx_packets" on vnet1.
toggle() {
	local name=$1 k=$2 st
	local -A a0 a1 b0 b1
	for st in off on; do
		both_k "$k" $st
		check_err $? "ethtool -K $k $st failed"
		check_eq "$(both_state "$name")" "$st $st" "$name state after -K $k $st"
		ns_stats a0 "$A" vnet0 && ns_stats b0 "$B" vnet1
		pair_xfer $KIB
		check_err $? "transfer with $k $st: $XFER_MSG"
		ns_stats a1 "$A" vnet0 && ns_stats b1 "$B" vnet1
		printf -v "COUNTS_${st^^}" '%s %s %s %s %s %s' \
			"$(snap_delta a0 a1 hw_tx_tso_segs)" \
			"$(snap_delta a0 a1 tx_tso)" \
			"$(snap_delta b0 b1 rx_csum_complete)" \
			"$(snap_delta b0 b1 rx_hw_gro_packets)" \
			"$(snap_delta b0 b1 rx_hw_gro_wire_packets)" \
			"$(snap_delta b0 b1 rx_packets)"
		LAST_MSG=$XFER_MSG
	done
}

RET=0
toggle scatter-gather sg
log_test "sg off/on: verified $KIB KiB transfers ($LAST_MSG)"

RET=0
toggle tx-checksum-ip-generic tx-checksum-ip-generic
log_test "tx-checksum-ip-generic off/on: verified transfers ($LAST_MSG)"

RET=0
toggle rx-checksumming rx
read -r _ _ csum_off _ <<<"$COUNTS_OFF"
read -r _ _ csum_on _ <<<"$COUNTS_ON"
check_eq "$csum_off" 0 "rx_csum_complete delta on vnet1 with rx off"
[ "${csum_on:-0}" -gt 0 ]
check_err $? "rx_csum_complete did not rise on vnet1 with rx on"
log_test "rx-checksumming off/on: verified transfers, rx_csum_complete +$csum_off / +$csum_on"

RET=0
# The device sums each frame while copying it and derives from that sum
# both the checksum it inserts and the one it reports. A wrong inserted
# checksum shows as the receiver's InCsumErrors; a wrong reported sum makes
# the stack verify in software and call netdev_rx_csum_fault(), which logs
# only once per boot, so a kprobe counts the calls.
# Data goes A -> B, TCP ACKs B -> A: both receivers are checked.
udp_e=$(ns_snmp "$B" Udp InCsumErrors)
tcp_e=$(ns_snmp "$B" Tcp InCsumErrors)
tcp_ea=$(ns_snmp "$A" Tcp InCsumErrors)
udp_in=$(ns_snmp "$B" Udp InDatagrams)
b=$(ns_stat "$B" vnet1 rx_csum_complete)
echo "p:$KPROBE netdev_rx_csum_fault" >>"$TRACEFS/kprobe_events" &&
	echo 1 >"$TRACEFS/events/$KPROBE/enable" && echo >"$TRACEFS/trace"
check_err $? "kprobe on netdev_rx_csum_fault failed"
# enough datagrams to mean something: 1000 here, 200 from a debug kernel
secs=1 min=1000
[ "${VNET_SLOW:-0}" = 1 ] && secs=3 min=200
for len in 1400 333; do
	pair_iperf3 /tmp/t70_udp.json -u -b 20M -l $len -t $secs
	check_err $? "UDP $len B: $IPERF_MSG"
done
pair_xfer $KIB
check_err $? "transfer: $XFER_MSG"
check_eq "$(ns_snmp "$B" Udp InCsumErrors)" "$udp_e" "Udp InCsumErrors on vnet1's side"
check_eq "$(ns_snmp "$B" Tcp InCsumErrors)" "$tcp_e" "Tcp InCsumErrors on vnet1's side"
check_eq "$(ns_snmp "$A" Tcp InCsumErrors)" "$tcp_ea" "Tcp InCsumErrors on vnet0's side"
[ "$(ns_snmp "$B" Udp InDatagrams)" -gt $((udp_in + min)) ]
check_err $? "fewer than $min UDP datagrams arrived"
[ "$(ns_stat "$B" vnet1 rx_csum_complete)" -gt $((b + min)) ]
check_err $? "rx_csum_complete did not rise with UDP and TCP"
faults=$(grep -c 'csum_fault:' "$TRACEFS/trace")
echo 0 >"$TRACEFS/events/$KPROBE/enable"
echo "-:$KPROBE" >>"$TRACEFS/kprobe_events"
check_eq "$faults" 0 "netdev_rx_csum_fault() calls (wrong reported sums)"
log_test "inserted and reported checksums hold: UDP 1400/333 B and TSO TCP, no InCsumErrors"

RET=0
# Runts: the sum of a frame padded to 60 bytes covers the padding, so vnet
# says CHECKSUM_UNNECESSARY for a short frame whose TCP/UDP checksum the
# device verified, and counts rx_csum_bad for one it found wrong (whose sum
# it still reports: the stack then finds the error itself). Raw frames from
# vnet0 (AF_PACKET, no options, 1-byte payloads, 55 and 43 bytes before
# padding) to closed ports on vnet1: the stack answers a good TCP runt with
# a reset and counts a good UDP runt in NoPorts, and only after checking
# the sum.
RUNTS=50
declare -A b0 b1
runt_py='
import socket, struct, sys
dmac, smac, sip, dip, n = sys.argv[1:6]
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def frame(proto, l4, bad):
    src, dst = socket.inet_aton(sip), socket.inet_aton(dip)
    ck = csum(src + dst + struct.pack("!BBH", 0, proto, len(l4)) + l4)
    off = 16 if proto == 6 else 6
    if proto == 17 and ck == 0:
        ck = 0xffff
    if bad:
        ck ^= 0x5a5a
    l4 = l4[:off] + struct.pack("!H", ck) + l4[off + 2:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0, 64,
                     proto, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = bytes.fromhex(dmac.replace(":", "")) + \
        bytes.fromhex(smac.replace(":", "")) + b"\x08\x00"
    return eth + ip + l4
tcp = struct.pack("!HHIIBBHHH", 40000, 9, 1, 0, 5 << 4, 0x18, 512, 0, 0)
udp = struct.pack("!HHHH", 40000, 9, 9, 0)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("vnet0", 0))
for i in range(int(n)):
    for proto, l4 in ((6, tcp + b"x"), (17, udp + b"x")):
        for bad in (False, True):
            s.send(frame(proto, l4, bad))
'
rsts=$(ns_snmp "$B" Tcp OutRsts)
tcp_e=$(ns_snmp "$B" Tcp InCsumErrors)
udp_e=$(ns_snmp "$B" Udp InCsumErrors)
noports=$(ns_snmp "$B" Udp NoPorts)
ns_stats b0 "$B" vnet1
nsx "$A" python3 -c "$runt_py" "$(ns_mac "$B" vnet1)" "$(ns_mac "$A" vnet0)" \
	"$VNET_PAIR_A" "$VNET_PAIR_B" $RUNTS
check_err $? "sending runts failed"
# 4 frames per round; resets are rate limited, so at least one.
for ((i = 0; i < 100; i++)); do
	ns_stats b1 "$B" vnet1
	[ "$(snap_delta b0 b1 rx_packets)" -ge $((4 * RUNTS)) ] && break
	sleep 0.1
done
check_eq "$(snap_delta b0 b1 rx_packets)" $((4 * RUNTS)) "vnet1 rx_packets delta"
check_eq "$(snap_delta b0 b1 rx_csum_unnecessary)" $((2 * RUNTS)) \
	"vnet1 rx_csum_unnecessary delta (good runts)"
check_eq "$(snap_delta b0 b1 rx_csum_bad)" $((2 * RUNTS)) \
	"vnet1 rx_csum_bad delta (bad runts)"
check_eq "$(snap_delta b0 b1 rx_csum_complete)" $((2 * RUNTS)) \
	"vnet1 rx_csum_complete delta (bad runts keep their sum)"
check_eq "$(($(ns_snmp "$B" Udp NoPorts) - noports))" $RUNTS \
	"Udp NoPorts delta on vnet1's side (good UDP runts)"
check_eq "$(($(ns_snmp "$B" Udp InCsumErrors) - udp_e))" $RUNTS \
	"Udp InCsumErrors delta on vnet1's side (bad UDP runts)"
check_eq "$(($(ns_snmp "$B" Tcp InCsumErrors) - tcp_e))" $RUNTS \
	"Tcp InCsumErrors delta on vnet1's side (bad TCP runts)"
[ "$(ns_snmp "$B" Tcp OutRsts)" -gt "$rsts" ]
check_err $? "no reset for the good TCP runts"
log_test "runts: $((2 * RUNTS)) verified by the device (CHECKSUM_UNNECESSARY), $((2 * RUNTS)) bad ones counted and caught by the stack"

RET=0
toggle tcp-segmentation-offload tso
read -r segs_off tso_off _ <<<"$COUNTS_OFF"
read -r segs_on tso_on _ <<<"$COUNTS_ON"
check_eq "$segs_off" 0 "hw_tx_tso_segs delta on vnet0 with tso off"
check_eq "$tso_off" 0 "tx_tso delta on vnet0 with tso off"
[ "${tso_on:-0}" -gt 0 ]
check_err $? "tx_tso did not rise on vnet0 with tso on"
# every TSO skb is at least two segments on the wire
[ "${segs_on:-0}" -ge $((2 * ${tso_on:-0})) ] && [ "${segs_on:-0}" -gt 0 ]
check_err $? "hw_tx_tso_segs +$segs_on for tx_tso +$tso_on"
log_test "tso off/on: verified transfers, tx_tso +$tso_off / +$tso_on, hw_tx_tso_segs +$segs_off / +$segs_on"

RET=0
toggle generic-receive-offload gro
log_test "gro off/on: verified transfers ($LAST_MSG)"

RET=0
# The device coalesces TSO's segments again on the receiving side: an
# aggregate is at least two of them, and rx_packets counts them all.
toggle rx-gro-hw rx-gro-hw
read -r _ _ _ agg_off wire_off _ <<<"$COUNTS_OFF"
read -r _ _ _ agg_on wire_on rx_on <<<"$COUNTS_ON"
check_eq "$agg_off/$wire_off" 0/0 "rx_hw_gro_packets/wire_packets on vnet1 with rx-gro-hw off"
[ "${agg_on:-0}" -gt 0 ] && [ "${wire_on:-0}" -ge $((2 * agg_on)) ] &&
	[ "${rx_on:-0}" -ge "$wire_on" ]
check_err $? "rx_hw_gro_packets +$agg_on, wire_packets +$wire_on, rx_packets +$rx_on on vnet1 with rx-gro-hw on"
log_test "rx-gro-hw off/on: verified transfers, vnet1 coalesced $wire_on segments into $agg_on frames (of $rx_on packets)"

RET=0
# Without TSO the segments arrive one by one: RSC joins them as they come.
declare -A b0 b1
ip netns exec "$A" ethtool -K vnet0 tso off
ns_stats b0 "$B" vnet1
pair_xfer $KIB
check_err $? "transfer with tso off on vnet0: $XFER_MSG"
ns_stats b1 "$B" vnet1
ip netns exec "$A" ethtool -K vnet0 tso on
agg=$(snap_delta b0 b1 rx_hw_gro_packets)
wire=$(snap_delta b0 b1 rx_hw_gro_wire_packets)
[ "${agg:-0}" -gt 0 ] && [ "${wire:-0}" -ge $((2 * agg)) ]
check_err $? "rx_hw_gro_packets +$agg, wire_packets +$wire on vnet1"
log_test "rx-gro-hw joins segments sent one by one: verified transfer, $wire segments in $agg frames"

RET=0
# RSC needs the device's checksum verdict: rx off takes rx-gro-hw along.
both_k rx off
check_eq "$(both_state rx-gro-hw)" "off off" "rx-gro-hw with rx off"
both_k rx on
check_eq "$(both_state rx-gro-hw)" "on on" "rx-gro-hw after rx on"
log_test "rx-gro-hw follows rx-checksumming"

RET=0
toggle receive-hashing rxhash
log_test "rxhash off/on: verified transfers ($LAST_MSG)"

RET=0
# Dependencies come back: TSO needs SG and a TX checksum; after switching
# those off and on, TSO is on again and used.
both_k sg off
check_eq "$(both_state tcp-segmentation-offload)" "off off" "tso with sg off"
both_k sg on
check_eq "$(both_state tcp-segmentation-offload)" "on on" "tso after sg on"
b=$(ns_stat "$A" vnet0 tx_tso)
pair_xfer $KIB
check_err $? "transfer: $XFER_MSG"
[ "$(ns_stat "$A" vnet0 tx_tso)" -gt "$b" ]
check_err $? "tx_tso did not rise after sg off/on"
log_test "tso follows sg off/on and is used again"

RET=0
# All off at once, then all on: still intact.
both_k sg off tx-checksum-ip-generic off rx off tso off gro off \
	rx-gro-hw off rxhash off
check_err $? "ethtool -K all off failed"
pair_xfer $KIB
check_err $? "transfer with everything off: $XFER_MSG"
both_k sg on tx-checksum-ip-generic on rx on tso on gro on rx-gro-hw on \
	rxhash on
check_err $? "ethtool -K all on failed"
pair_xfer $KIB
check_err $? "transfer with everything on: $XFER_MSG"
log_test "all offloads off, then on: verified transfers"

# --- TSO's header limit with a VLAN tag ----------------------------------------
# The device segments frames whose headers fit in 256 bytes. IPv6
# destination options of D bytes put TCP's at 14 + 40 + D + 32 (with
# timestamps); a VLAN device's tag is still skb metadata when vnet's
# ndo_features_check runs, and goes into the frame after it: 4 more.
# Where the device cannot segment, the stack must do it instead of handing
# the device frames it drops every time (TCP would retransmit forever).
XPORT=5301
for side in "$A vnet0 1" "$B vnet1 2"; do
	read -r ns dev n <<<"$side"
	ip -n "$ns" link add link "$dev" name "$dev.5" type vlan id 5 &&
		nsx "$ns" sh -c "echo 0 > /proc/sys/net/ipv6/conf/$dev/disable_ipv6 &&
			echo 0 > /proc/sys/net/ipv6/conf/$dev.5/disable_ipv6" &&
		ip -n "$ns" -6 addr add "fd00:9::$n/64" dev "$dev" nodad &&
		ip -n "$ns" -6 addr add "fd00:5::$n/64" dev "$dev.5" nodad &&
		ip -n "$ns" link set "$dev.5" up ||
		{ log_test "VLAN and IPv6 setup" 1 "on $dev"; lib_exit; }
done

# xfer6 ADDR DSTOPTS: KIB6 KiB from $A to ADDR in $B, DSTOPTS bytes of IPv6
# destination options on every segment; sets X_TSO, X_ERR (vnet0's tx_tso
# and hw_tx_errors deltas) and X_MSG. Non-zero unless every byte arrived.
xfer6() {
	local addr=$1 opts=$2 srv rc tso err
	tso=$(ns_stat "$A" vnet0 tx_tso)
	err=$(ns_stat "$A" vnet0 hw_tx_errors)
	ip netns exec "$B" /vnet/tests/vnet_tcpx listen $XPORT 30 \
		>/tmp/tcpx.srv 2>&1 &
	srv=$!
	wait_for 30 ns_tcp_listening "$B" $XPORT
	X_MSG=$(nsx "$A" /vnet/tests/vnet_tcpx send "$addr" $XPORT $((KIB6 * 1024)) \
		"$opts" 20 2>&1)
	rc=$?
	wait "$srv" || rc=1
	X_MSG="$X_MSG; $(cat /tmp/tcpx.srv)"
	X_TSO=$(($(ns_stat "$A" vnet0 tx_tso) - tso))
	X_ERR=$(($(ns_stat "$A" vnet0 hw_tx_errors) - err))
	XPORT=$((XPORT + 1))
	return $rc
}

RET=0
xfer6 fd00:9::2 168
check_err $? "254 B of headers, no VLAN: $X_MSG"
check_eq "$X_ERR" 0 "hw_tx_errors, 254 B of headers, no VLAN"
[ "$X_TSO" -gt 0 ]
check_err $? "TSO unused with 254 B of headers and no VLAN"
tso_plain=$X_TSO
xfer6 fd00:5::2 160
check_err $? "250 B of headers with the tag: $X_MSG"
check_eq "$X_ERR" 0 "hw_tx_errors, 250 B of headers with the tag"
[ "$X_TSO" -gt 0 ]
check_err $? "TSO unused with 250 B of headers with the tag"
tso_vlan=$X_TSO
xfer6 fd00:5::2 168
check_err $? "258 B of headers with the tag: $X_MSG"
check_eq "$X_ERR" 0 "hw_tx_errors, 258 B of headers with the tag"
check_eq "$X_TSO" 0 "tx_tso, 258 B of headers with the tag"
log_test "TSO header limit counts the VLAN tag: 254 B plain and 250 B tagged segmented by the device (tx_tso +$tso_plain, +$tso_vlan), 258 B tagged by the stack, no TX errors"

RET=0
# TCP in IPv4-in-IPv4 and IPv6-in-IPv6 tunnels across the pair: the device
# coalesces the inner segments under both IP headers, and the stack takes
# the aggregate through the tunnel (vnet has no tunnel TSO: the stack
# segments what the tunnel sends).
for nd in "$A vnet0 1 2" "$B vnet1 2 1"; do
	read -r ns dev me peer <<<"$nd"
	{ ip -n "$ns" link add vt4 type ipip local 10.9.0.$me \
		remote 10.9.0.$peer &&
		ip -n "$ns" addr add 10.11.0.$me/24 dev vt4 &&
		ip -n "$ns" link set vt4 up &&
		ip -n "$ns" link add vt6 type ip6tnl mode ip6ip6 \
			local fd00:9::$me remote fd00:9::$peer &&
		nsx "$ns" sh -c "echo 0 > /proc/sys/net/ipv6/conf/vt6/disable_ipv6" &&
		ip -n "$ns" -6 addr add fd00:11::$me/64 dev vt6 nodad &&
		ip -n "$ns" link set vt6 up; } ||
		{ log_test "IP-in-IP tunnels" 1 "setup in $ns failed"; lib_exit; }
done
for t in "ipip ::ffff:10.11.0.2" "ip6ip6 fd00:11::2"; do
	read -r name addr <<<"$t"
	declare -A b0 b1
	ns_stats b0 "$B" vnet1
	xfer6 "$addr" 0
	check_err $? "$name transfer: $X_MSG"
	ns_stats b1 "$B" vnet1
	agg=$(snap_delta b0 b1 rx_hw_gro_packets)
	wire=$(snap_delta b0 b1 rx_hw_gro_wire_packets)
	[ "${agg:-0}" -gt 0 ] && [ "${wire:-0}" -ge $((2 * agg)) ]
	check_err $? "$name: rx_hw_gro_packets +$agg, wire_packets +$wire on vnet1"
	tmsg="${tmsg:+$tmsg, }$name $wire segments in $agg frames"
done
log_test "rx-gro-hw coalesces TCP in IP-in-IP: verified transfers, $tmsg"

vnet_pair_cleanup
lib_exit
