# SPDX-License-Identifier: GPL-2.0
# Hostile input (issue 5): vnet_inject sends every class of malformed frame
# (runts, truncated and lying ARP/IPv4/ICMP/TCP/UDP headers, bad IHL and
# lengths, options, fragments, VLAN, IPv6, max-size, random bytes, checksum
# insertion at odd places) through vnet0's ndo_start_xmit.
# Reflect mode: each class lands in exactly the reflect_* counters the
# reflector's code gives it on a wire that pads runts to 60 bytes, only
# valid echo and ARP requests are answered, and every frame completes.
# Pair mode (vnet1 in another netns, 4 queues): every frame reaches vnet1's
# RX engine (RSS parse, receive checksum) and its stack, which answers only
# what it must, never sees a bad receive checksum (checked by its own
# checksum counters and the kernel's "hw csum failure"), and frames larger
# than vnet1's buffers count as hw_rx_oversize. Both ports still answer
# pings afterwards; the harness fails the run on any splat.
source /vnet/lib.sh
source /vnet/tests/vnet_common.sh

INJ=/vnet/tests/vnet_inject
A=$VNET_NS_A
B=$VNET_NS_B

# Frames per class: at least two of every variant (l4_lying has 14); the
# random class gets more. Both stay below a ring (256) even if no poll ran.
N=28
N_RANDOM=200

# The reflector's verdict per class (drv/vnet_reflect.c), as the ethtool -S
# name after "reflect_". "-": the kernel refuses every frame at the socket;
# "*": random, any drop reason but never a reply; "cut": see arp_short_want.
declare -A RFL=(
	[runt]=-
	[ip_short]=drop_ip_malformed
	[arp_short]=cut
	[pad]=icmp_reply
	[arp_lying]=drop_arp_malformed
	[arp_op]=drop_arp_not_request
	[arp_probe]=drop_arp_probe
	[bad_src_mac]=drop_bad_src_mac
	[ip_version]=drop_ip_malformed
	[ihl_short]=drop_ip_malformed
	[ihl_long]=drop_ip_malformed
	[totlen_long]=drop_ip_malformed
	[totlen_short]=drop_ip_malformed
	[ip_csum]=drop_ip_csum
	[frag]=drop_ip_fragment
	[ip_not_unicast]=drop_ip_not_unicast
	[ipopt]=icmp_reply
	# The reflector does not parse options (they are not echoed).
	[ipopt_bad]=icmp_reply
	[icmp_short]=drop_icmp_malformed
	[icmp_csum]=drop_icmp_csum
	[icmp_type]=drop_icmp_not_echo
	[l4_lying]=drop_not_icmp
	[vlan]=drop_ethertype
	[ipv6]=drop_ethertype
	[max]=icmp_reply
	[max_vlan]=drop_ethertype
	[oversize]=-
	[random]='*'
	[csum_icmp]=icmp_reply
	[csum_udp]=drop_not_icmp
	[csum_eth]=drop_ethertype
)
CLASSES="runt ip_short arp_short arp_lying arp_op arp_probe bad_src_mac
	ip_version ihl_short ihl_long totlen_long totlen_short pad ip_csum frag
	ip_not_unicast ipopt ipopt_bad icmp_short icmp_csum icmp_type l4_lying
	vlan ipv6 max max_vlan oversize random csum_icmp csum_udp csum_eth"

# Pair mode: echo requests vnet1's stack answers. "all": every frame is a
# valid echo request to it (the source MAC is not its business; pad is
# whole once vnet0's MAC padded it); "any": some are (a unicast datagram in
# an L2 multicast frame); others: none.
declare -A PAIR_ECHO=(
	[ipopt]=all [max]=all [csum_icmp]=all [bad_src_mac]=all [pad]=all
	[ip_not_unicast]=any
)

# shellcheck disable=SC2317 # called via trap
cleanup() {
	vnet_pair_cleanup
}
trap cleanup EXIT

if [ ! -x "$INJ" ]; then
	log_test "hostile input: vnet_inject in the image" 1 "no $INJ"
	lib_exit
fi

# count_of CLASS: frames per class.
count_of() {
	[ "$1" = random ] && echo $N_RANDOM || echo $N
}

# inject NS DEV SRC DST CLASS N [MAC]: run vnet_inject for one class; sets
# INJ_OUT, INJ_SENT, INJ_REFUSED, INJ_FAILED, INJ_ERRNO; returns its status.
inject() {
	local ns=$1 dev=$2 src=$3 dst=$4 cls=$5 n=$6 mac=${7:-} rc line
	INJ_OUT=$(nsx "$ns" "$INJ" -i "$dev" -s "$src" -d "$dst" \
		${mac:+-m "$mac"} -c "$cls" -n "$n" 2>&1)
	rc=$?
	line=$(grep "^class=$cls " <<<"$INJ_OUT")
	INJ_SENT=$(sed -n 's/.* sent=\([0-9]*\).*/\1/p' <<<"$line")
	INJ_REFUSED=$(sed -n 's/.* refused=\([0-9]*\).*/\1/p' <<<"$line")
	INJ_FAILED=$(sed -n 's/.* failed=\([0-9]*\).*/\1/p' <<<"$line")
	INJ_ERRNO=$(sed -n 's/.* refused_errno=\([A-Z]*\).*/\1/p' <<<"$line")
	return $rc
}

# inj_summary: "N sent", and how many the kernel refused, if any.
inj_summary() {
	local sum="${INJ_SENT:-?} sent"
	[ "${INJ_REFUSED:-0}" != 0 ] &&
		sum="$sum, $INJ_REFUSED refused ($INJ_ERRNO)"
	echo "$sum"
}

# check_inject CLASS N: check_err what the socket took and refused. The
# kernel refuses frames shorter than an Ethernet header (EINVAL) and longer
# than the MTU allows (EMSGSIZE); from 6.12 it also refuses a checksum
# start before byte 20 (csum_eth), which 6.1 lets through to the device.
check_inject() {
	local cls=$1 n=$2
	if [ -z "$INJ_SENT" ] || [ -z "$INJ_REFUSED" ]; then
		check_err 1 "vnet_inject -c $cls: $INJ_OUT"
		return
	fi
	check_eq "$INJ_FAILED" 0 "frames that failed to send ($INJ_OUT)"
	case $cls in
	runt)
		check_eq "$INJ_SENT/$INJ_REFUSED/$INJ_ERRNO" "0/$n/EINVAL" \
			"sent/refused/errno"
		;;
	oversize)
		check_eq "$INJ_SENT/$INJ_REFUSED/$INJ_ERRNO" "0/$n/EMSGSIZE" \
			"sent/refused/errno"
		;;
	csum_eth)
		check_eq $((INJ_SENT + INJ_REFUSED)) "$n" "sent + refused"
		[ "$INJ_SENT" -gt 0 ]
		check_err $? "every csum_eth frame refused"
		;;
	*)
		check_eq "$INJ_SENT/$INJ_REFUSED" "$n/0" "sent/refused"
		;;
	esac
}

# ---- reflect mode ------------------------------------------------------------

# shellcheck disable=SC2034 # filled and read through namerefs
declare -A s0 s1

# reflect_done SENT REPLIES: snapshot s1; true once vnet0 completed SENT
# frames and received REPLIES since s0.
reflect_done() {
	ns_stats s1 "" vnet0 || return 1
	[ "$(snap_delta s0 s1 tx_packets)" = "$1" ] &&
		[ "$(snap_delta s0 s1 rx_packets)" = "$2" ]
}

# reflect_counters SENT: check_err the device counters between s0 and s1
# that must not move for any class, and the ip -s link view.
reflect_counters() {
	local s
	for s in hw_tx_errors hw_rx_missed hw_rx_oversize hw_tx_no_link \
		 rx_dropped tx_busy; do
		check_eq "$(snap_delta s0 s1 $s)" 0 "$s delta"
	done
	check_eq "$(snap_delta s0 s1 link_tx_packets)" "$1" \
		"ip -s link tx_packets delta"
}

# arp_short_want N: the reflect_* deltas of N arp_short frames, as
# "name=count ...". Frame i keeps i % 28 bytes of an ARP request's body,
# the MAC pads it with zeros, and where the cut falls decides the verdict.
arp_short_want() {
	local i cut
	for ((i = 0; i < $1; i++)); do
		cut=$((i % 28))
		if ((cut < 6)); then
			echo drop_arp_malformed	# htype, ptype, hlen or plen 0
		elif ((cut < 8)); then
			echo drop_arp_not_request	# opcode 0
		elif ((cut < 25)); then
			echo drop_arp_probe	# target address 0
		else
			echo arp_reply	# for 10.0.0.0: the .2 of 10.0.0.2 cut
		fi
	done | sort | uniq -c |
		awk '{ printf "%s%s=%s", (NR > 1 ? " " : ""), $2, $1 }'
}

# reflect_class CLASS: inject one class on vnet0 and check where every
# frame went.
reflect_class() {
	local cls=$1 want=${RFL[$1]} n k d v replies=0 rep=0 drops=0 bad=
	local -A exp=()
	n=$(count_of "$cls")
	RET=0
	ns_stats s0 "" vnet0
	inject "" vnet0 "$VNET_ADDR" "$VNET_PEER" "$cls" "$n"
	check_inject "$cls" "$n"
	# exp: the exact delta of each reflect_* counter that must move
	case $want in
	- | '*') ;;
	cut)
		for v in $(arp_short_want "${INJ_SENT:-0}"); do
			exp[reflect_${v%=*}]=${v#*=}
		done
		;;
	*) exp[reflect_$want]=${INJ_SENT:-0} ;;
	esac
	replies=$((${exp[reflect_arp_reply]:-0} +
		   ${exp[reflect_icmp_reply]:-0}))
	wait_for 10 reflect_done "${INJ_SENT:-0}" "$replies"
	check_err $? "vnet0 tx_packets +$(snap_delta s0 s1 tx_packets) of ${INJ_SENT:-?} sent, rx_packets +$(snap_delta s0 s1 rx_packets) with $replies replies expected"
	for k in "${!s1[@]}"; do
		[[ $k == reflect_* ]] || continue
		d=$(snap_delta s0 s1 "$k")
		case $k in
		reflect_arp_reply | reflect_icmp_reply)
			rep=$((rep + d)) ;;
		*)
			drops=$((drops + d)) ;;
		esac
		[ "$want" = '*' ] && continue
		if [ -n "${exp[$k]:-}" ]; then
			check_eq "$d" "${exp[$k]}" "$k delta"
		elif [ "$d" != 0 ]; then
			bad="$bad $k+$d"
		fi
	done
	check_eq "${bad:-none}" none "other reflect counters moved"
	for k in "${!exp[@]}"; do
		[ -n "${s1[$k]:-}" ] || check_err 1 "no counter $k"
	done
	if [ "$want" = '*' ]; then
		check_eq "$drops" "${INJ_SENT:-0}" "reflect_drop_* deltas"
	fi
	check_eq "$rep" "$replies" "reflect_*_reply deltas"
	check_eq "$(snap_delta s0 s1 rx_packets)" "$rep" \
		"vnet0 rx_packets delta (every reply received)"
	reflect_counters "${INJ_SENT:-0}"
	case $want in
	-) want="nothing reached the device" ;;
	'*') want="reflect_drop_* only" ;;
	cut) want="by cut: $(arp_short_want "${INJ_SENT:-0}")" ;;
	*) want="all reflect_$want" ;;
	esac
	log_test "reflect: $cls: $(inj_summary), $want"
}

RET=0
vnet_setup
check_err $? "vnet0 did not come up with carrier"
vnet_static_peer
check_err $? "static neighbour"
log_test "reflect: load, link up"

# The test's premise: the injector's classes are what this test expects.
RET=0
got=$("$INJ" -l | awk '{ print $1 }' | sort | tr '\n' ' ')
want=$(tr -s ' \t\n' '\n' <<<"$CLASSES" | grep . | sort | tr '\n' ' ')
check_eq "$got" "$want" "vnet_inject -l classes"
log_test "vnet_inject knows every class this test checks"

for cls in $CLASSES; do
	reflect_class "$cls"
done

# Jumbo: a frame of a page or more leaves the socket as a 14-byte head and
# page fragments, which the device gathers into its bounce buffer; echo
# requests of 9000 bytes, random frames up to 9014.
RET=0
ip link set vnet0 mtu 9000
check_err $? "mtu 9000"
wait_for 5 grep -qx 1 /sys/class/net/vnet0/carrier
check_err $? "no carrier at mtu 9000"
vnet_static_peer
log_test "reflect: mtu 9000"
for cls in max max_vlan random oversize; do
	reflect_class "$cls"
done
ip link set vnet0 mtu 1500
wait_for 5 grep -qx 1 /sys/class/net/vnet0/carrier
vnet_static_peer

RET=0
got=$(ping_received -c 5 -i 0.05 -W 2 -q "$VNET_PEER")
check_eq "$got" 5 "echo replies after the hostile frames"
ping -c 1 -W 2 -q 10.0.0.9 >/dev/null
check_err $? "ARP + ping to a fresh address failed"
inflight=$(cat /sys/class/net/vnet0/queues/tx-*/byte_queue_limits/inflight |
	sort -u | tr '\n' ' ')
check_eq "$inflight" "0 " "BQL bytes in flight"
log_test "reflect: vnet0 still answers pings and ARP, nothing in flight"

vnet_unload

# ---- pair mode ---------------------------------------------------------------

# shellcheck disable=SC2034 # filled and read through namerefs
declare -A a0 a1 b0 b1 n0 n1
PAIR_Q=4

# snmp_snap ARRAY: the counters of /proc/net/snmp in netns B as
# ARRAY[Proto_Field].
snmp_snap() {
	local -n _s=$1
	local -a h v
	local i
	_s=()
	while read -ra h && read -ra v; do
		for ((i = 1; i < ${#h[@]}; i++)); do
			_s["${h[0]%:}_${h[$i]}"]=${v[$i]}
		done
	done < <(nsx "$B" cat /proc/net/snmp)
}

pair_snap0() {
	ns_stats a0 "$A" vnet0 && ns_stats b0 "$B" vnet1 && snmp_snap n0
}

# pair_settled SENT OVERSIZE: take snapshot 1; true once every frame vnet0
# sent reached vnet1 (OVERSIZE of them as too large for its buffers), and
# everything vnet1's stack sent (ICMP only) reached vnet0.
pair_settled() {
	ns_stats a1 "$A" vnet0 && ns_stats b1 "$B" vnet1 && snmp_snap n1 ||
		return 1
	[ "$(snap_delta a0 a1 tx_packets)" = "$1" ] &&
		[ "$(snap_delta b0 b1 rx_packets)" = $(($1 - $2)) ] &&
		[ "$(snap_delta b0 b1 hw_rx_oversize)" = "$2" ] &&
		[ "$(snap_delta b0 b1 tx_packets)" = \
			"$(snap_delta n0 n1 Icmp_OutMsgs)" ] &&
		[ "$(snap_delta a0 a1 rx_packets)" = \
			"$(snap_delta b0 b1 tx_packets)" ]
}

# pair_counters SENT OVERSIZE: check_err the counters of both ports between
# snapshots 0 and 1.
pair_counters() {
	local sent=$1 over=$2 q rxq=0 s
	for s in hw_tx_errors hw_tx_no_link tx_busy; do
		check_eq "$(snap_delta a0 a1 $s)" 0 "vnet0 $s delta"
	done
	for s in hw_rx_missed rx_dropped rx_alloc_fail; do
		check_eq "$(snap_delta b0 b1 $s)" 0 "vnet1 $s delta"
	done
	check_eq "$(snap_delta a0 a1 link_tx_packets)" "$sent" \
		"vnet0 ip -s link tx_packets delta"
	check_eq "$(snap_delta b0 b1 link_rx_packets)" $((sent - over)) \
		"vnet1 ip -s link rx_packets delta"
	# The device reports a sum for every frame it delivers, or for a
	# runt the checksum it verified.
	check_eq $(($(snap_delta b0 b1 rx_csum_complete) + \
		    $(snap_delta b0 b1 rx_csum_unnecessary))) $((sent - over)) \
		"vnet1 rx_csum_complete + rx_csum_unnecessary delta"
	for ((q = 0; q < PAIR_Q; q++)); do
		rxq=$((rxq + $(snap_delta b0 b1 rx_queue_${q}_packets)))
	done
	check_eq "$rxq" $((sent - over)) "vnet1 sum of rx_queue_N_packets deltas"
	# Nothing vnet1's stack accepted as TCP: no reset was sent.
	check_eq "$(snap_delta n0 n1 Tcp_OutRsts)" 0 "vnet1 stack Tcp OutRsts"
}

# pair_class CLASS [OVERSIZE]: inject one class from vnet0 to vnet1's MAC
# and address. OVERSIZE: all (every frame is larger than vnet1's buffers)
# or any (some are).
pair_class() {
	local cls=$1 mode=${2:-} n over=0 echo=${PAIR_ECHO[$1]:-none} reps
	local what="all reached vnet1"
	n=$(count_of "$cls")
	RET=0
	pair_snap0
	inject "$A" vnet0 "$VNET_PAIR_A" "$VNET_PAIR_B" "$cls" "$n" "$MAC_B"
	check_inject "$cls" "$n"
	[ "$mode" = all ] && over=${INJ_SENT:-0}
	if [ "$mode" = any ]; then
		# vnet1 counts the oversize ones as they arrive, in
		# vnet0's xmit: once vnet0 completed them all it is final.
		wait_for 10 eval '[ "$(ns_stat "$A" vnet0 tx_packets)" -ge $((a0[tx_packets] + ${INJ_SENT:-0})) ]'
		over=$(($(ns_stat "$B" vnet1 hw_rx_oversize) - b0[hw_rx_oversize]))
	fi
	[ -n "$mode" ] && what="$over too large for vnet1, the rest reached it"
	[ "${INJ_SENT:-0}" = 0 ] && what="nothing reached the device"
	wait_for 10 pair_settled "${INJ_SENT:-0}" "$over"
	check_err $? "not settled: vnet0 tx +$(snap_delta a0 a1 tx_packets) of ${INJ_SENT:-?} sent; vnet1 rx +$(snap_delta b0 b1 rx_packets) oversize +$(snap_delta b0 b1 hw_rx_oversize) (want $over) missed +$(snap_delta b0 b1 hw_rx_missed); vnet1 tx +$(snap_delta b0 b1 tx_packets) vs its ICMP out +$(snap_delta n0 n1 Icmp_OutMsgs); vnet0 rx +$(snap_delta a0 a1 rx_packets)"
	pair_counters "${INJ_SENT:-0}" "$over"
	reps=$(snap_delta n0 n1 Icmp_OutEchoReps)
	case $echo in
	all) check_eq "$reps" $((${INJ_SENT:-0} - over)) \
		"echo replies from vnet1's stack" ;;
	none) check_eq "$reps" 0 "echo replies from vnet1's stack" ;;
	esac
	case $cls in
	icmp_csum)
		# caught by the ICMP checksum, which vnet1's sum must not hide
		check_eq "$(snap_delta n0 n1 Icmp_InCsumErrors)" "${INJ_SENT:-0}" \
			"vnet1 stack Icmp InCsumErrors"
		;;
	csum_icmp | csum_udp)
		# checksums the device inserted, verified by the receiver
		check_eq "$(snap_delta n0 n1 Icmp_InCsumErrors)" 0 \
			"vnet1 stack Icmp InCsumErrors"
		check_eq "$(snap_delta n0 n1 Udp_InCsumErrors)" 0 \
			"vnet1 stack Udp InCsumErrors"
		;;
	esac
	[ "$cls" = csum_udp ] &&
		check_eq "$(snap_delta n0 n1 Udp_NoPorts)" "${INJ_SENT:-0}" \
			"vnet1 stack Udp NoPorts (valid datagrams to port 9)"
	log_test "pair: $cls: $(inj_summary), $what, $reps echo replies"
}

RET=0
vnet_pair_setup queues=$PAIR_Q
check_err $? "pair setup failed"
MAC_B=$(ns_mac "$B" vnet1)
# First fragments wait for the rest; when that times out (30 s) vnet1's
# stack would send Time Exceeded into a later class's counters.
nsx "$B" sh -c 'echo 3600 > /proc/sys/net/ipv4/ipfrag_time'
check_err $? "ipfrag_time"
check_eq "$(nsx "$B" ethtool -l vnet1 |
	awk '/^Combined:/ { v = $2 } END { print v }')" $PAIR_Q "vnet1 channels"
log_test "pair: vnet0 in $A, vnet1 in $B, $PAIR_Q queues"

for cls in $CLASSES; do
	pair_class "$cls"
done

# vnet0 at mtu 9000 sends frames that vnet1's 1500-byte buffers cannot
# hold: dropped and counted by vnet1's RX engine, never written past the
# buffer.
RET=0
ip -n "$A" link set vnet0 mtu 9000
check_err $? "vnet0 mtu 9000"
wait_for 5 eval '[ "$(pair_carriers)" = 11 ]'
check_err $? "carriers $(pair_carriers) after the mtu change"
vnet_pair_neigh
log_test "pair: vnet0 at mtu 9000, vnet1 at 1500"
pair_class max all
pair_class max_vlan all
pair_class random any
ip -n "$A" link set vnet0 mtu 1500
wait_for 5 eval '[ "$(pair_carriers)" = 11 ]'
vnet_pair_neigh

RET=0
got=$(ns_ping_received "$A" -c 5 -i 0.05 -W 2 -q "$VNET_PAIR_B")
check_eq "$got" 5 "echo replies from $VNET_PAIR_B"
pair_xfer 512
check_err $? "transfer after the hostile frames: $XFER_MSG"
inflight=$(cat "$(ns_sys "$A")"/class/net/vnet0/queues/tx-*/byte_queue_limits/inflight |
	sort -u | tr '\n' ' ')
check_eq "$inflight" "0 " "vnet0 BQL bytes in flight"
log_test "pair: pings and a verified transfer still work, nothing in flight"

vnet_pair_cleanup
lib_exit
