# SPDX-License-Identifier: GPL-2.0
# RSS a user configures (pair, vnet1 with 4 queues receiving UDP flows from
# vnet0, each flow's queue read off vnet1's rx_queue_N_packets):
# ethtool -x shows a 128-entry table spread over the queues, a 40-byte key
# and Toeplitz; -X equal/weight/hkey change where flows land (a zero key
# sends every flow to entry 0's queue); rx-flow-hash without ports puts all
# flows of one address pair on one queue; symmetric-xor sends a flow and
# its reverse to the same queue; -L is refused while a user table names a
# queue it would remove, and the default table follows -L; bad values are
# refused and change nothing. Flow rules (ethtool -N, ntuple-filters on
# by default) come before RSS: a rule's flows land on its queue or are
# dropped, the lowest location wins, a rule matching what a set one matches
# is refused, ethtool -S counts each rule's hits, -n lists them, delete
# gives the flows back to RSS, -L is refused while a rule names a queue it
# removes, bad rules are refused. RSS contexts (6.11+): their own tables, a
# rule spreads with one and adds its queue to the context's entries.
source /vnet/lib.sh
source /vnet/tests/vnet_common.sh

A=$VNET_NS_A
B=$VNET_NS_B
NQ=4
FLOWS=64

# shellcheck disable=SC2317 # called via trap
cleanup() {
	vnet_pair_cleanup
}
trap cleanup EXIT

vnet_pair_setup queues=$NQ ||
	{ log_test "pair setup" 1 "setup failed"; lib_exit; }
# Nothing but the test's datagrams reaches vnet1 (no IPv6 autoconf).
for ns in "$A" "$B"; do
	nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done

# Before 6.8 the kernel refuses an ETHTOOL_SRSSH that names an input
# transform, as Debian 13's ethtool always does: there, Debian 12's own
# ethtool (copied from the host by check.sh), as that kernel's users have.
ETHTOOL=ethtool
if kernel_before 6 8; then
	ETHTOOL=/vnet/tests/ethtool
fi

eth_b() {
	nsx "$B" "$ETHTOOL" "$@"
}

# refused ARGS...: true if ethtool ARGS fails (Debian 12's ethtool exits 0
# when -N fails: its message counts too).
refused() {
	local out
	out=$(eth_b "$@" 2>&1) || return 0
	grep -q "Cannot" <<<"$out"
}

# send_udp SPORT:DPORT...: three datagrams of each flow, vnet0 -> vnet1
# (to closed ports: the device counts them all the same).
send_udp() {
	nsx "$A" python3 -c '
import socket, sys
for f in sys.argv[2:]:
    sp, dp = (int(x) for x in f.split(":"))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", sp))
    for _ in range(3):
        s.sendto(b"rss", (sys.argv[1], dp))
    s.close()
' "$VNET_PAIR_B" "$@"
}

# flows N: N flows whose ports vary in all their bits (Toeplitz is linear:
# ports that differ in a few low bits only may all share a hash bit).
flows() {
	local i
	for ((i = 0; i < $1; i++)); do
		printf '%d:%d ' $((1024 + i * 40503 % 60000)) \
			$((1024 + (i * 7919 + 13) % 60000))
	done
}

# hits FLOW...: send the flows; print vnet1's per-queue packet deltas once
# all 3 * flows arrived ("d0 d1 d2 d3"), or fail.
hits() {
	local -A s0 s1
	local q want=$((3 * $#)) got i out
	ns_stats s0 "$B" vnet1 || return 1
	send_udp "$@" || return 1
	for ((i = 0; i < 100; i++)); do
		ns_stats s1 "$B" vnet1 || return 1
		got=$(snap_delta s0 s1 rx_packets)
		[ "$got" -ge "$want" ] && break
		sleep 0.05
	done
	out=
	for ((q = 0; q < NQ; q++)); do
		out+="$(snap_delta s0 s1 rx_queue_${q}_packets) "
	done
	echo "${out% }"
	[ "$got" = "$want" ] || { echo "hits: $got of $want arrived" >&2; return 1; }
}

# used HITS: how many queues got packets.
used() {
	local n=0 h
	for h in $1; do
		[ "$h" -gt 0 ] && n=$((n + 1))
	done
	echo $n
}

# table: vnet1's indirection table, space separated.
table() {
	eth_b -x vnet1 | awk '/^ *[0-9]+:/ { for (i = 2; i <= NF; i++) printf "%s ", $i }'
}

# key: vnet1's RSS key.
key() {
	eth_b -x vnet1 | awk '/RSS hash key:/ { getline; print; exit }'
}

# spread N: the default table over N queues.
spread() {
	local i
	for ((i = 0; i < 128; i++)); do
		printf '%d ' $((i % $1))
	done
}

# two_queues WHAT: after WHAT, the table spreads over queues 0 and 1, and
# flows land on both and nowhere else (leaves the per-queue counts in h).
two_queues() {
	local h0 h1 h2 h3
	check_eq "$(table)" "$(spread 2)" "table after $1"
	h=$(hits $(flows $FLOWS))
	read -r h0 h1 h2 h3 <<<"$h"
	check_eq "$((h2 + h3))" 0 "packets on queues 2-3 after $1 ($h)"
	check_eq "$(used "$h")" 2 "queues used after $1 ($h)"
}

RET=0
out=$(eth_b -x vnet1)
check_eq "$(table)" "$(spread $NQ)" "default table"
k=$(key)
check_eq "$(tr ':' '\n' <<<"$k" | grep -c .)" 40 "key bytes ($k)"
grep -q "toeplitz: on" <<<"$out"
check_err $? "hash function is not toeplitz: $out"
h=$(hits $(flows $FLOWS))
check_err $? "flows did not all arrive"
check_eq "$(used "$h")" $NQ "queues used by $FLOWS flows ($h)"
log_test "ethtool -x: 128 entries spread over $NQ queues, 40-byte key, toeplitz; $FLOWS flows used all queues ($h)"

RET=0
eth_b -X vnet1 equal 2
check_err $? "-X equal 2 failed"
two_queues "-X equal 2"
eth_b -X vnet1 weight 0 0 0 1
check_err $? "-X weight 0 0 0 1 failed"
h=$(hits $(flows $FLOWS))
check_eq "$h" "0 0 0 $((3 * FLOWS))" "per-queue packets with weight 0 0 0 1"
log_test "-X equal 2 and weight 0 0 0 1: flows land where the table says ($h)"

RET=0
eth_b -X vnet1 default
check_err $? "-X default failed"
check_eq "$(table)" "$(spread $NQ)" "table after -X default"
zero=$(printf '00:%.0s' {1..40})
zero=${zero%:}
eth_b -X vnet1 hkey "$zero"
check_err $? "-X hkey (zeros) failed"
check_eq "$(key)" "$zero" "key read back"
# A zero key hashes every flow to 0: table entry 0, queue 0.
h=$(hits $(flows 16))
check_eq "$h" "48 0 0 0" "per-queue packets with a zero key"
newkey=$(head -c 40 /dev/urandom | od -An -tx1 | tr -s ' \n' ':' | sed 's/^://; s/:$//')
eth_b -X vnet1 hkey "$newkey"
check_err $? "-X hkey (random) failed"
check_eq "$(key)" "$newkey" "key read back"
h=$(hits $(flows $FLOWS))
[ "$(used "$h")" -ge 2 ]
check_err $? "a random key used one queue only ($h)"
log_test "-X hkey: the device hashes with the key set (zeros: every flow on queue 0), read back"

RET=0
out=$(eth_b -n vnet1 rx-flow-hash udp4)
for f in "IP SA" "IP DA" "L4 bytes 0 & 1" "L4 bytes 2 & 3"; do
	grep -q "$f" <<<"$out"
	check_err $? "udp4 does not hash $f: $out"
done
eth_b -N vnet1 rx-flow-hash udp4 sd
check_err $? "-N rx-flow-hash udp4 sd failed"
out=$(eth_b -n vnet1 rx-flow-hash udp4)
grep -q "L4 bytes" <<<"$out"
check_fail $? "udp4 still hashes ports after sd: $out"
h=$(hits $(flows $FLOWS))
check_eq "$(used "$h")" 1 "queues used by one address pair without ports ($h)"
eth_b -N vnet1 rx-flow-hash udp4 sdfn
check_err $? "-N rx-flow-hash udp4 sdfn failed"
h2=$(hits $(flows $FLOWS))
[ "$(used "$h2")" -ge 2 ]
check_err $? "ports hashed again but one queue used ($h2)"
log_test "rx-flow-hash udp4: sd puts every port on one queue ($h), sdfn spreads again ($h2)"

# flow_queue FLOW: the queue FLOW lands on.
flow_queue() {
	local h q=0 x
	h=$(hits "$1") || return 1
	for x in $h; do
		[ "$x" -gt 0 ] && { echo $q; return 0; }
		q=$((q + 1))
	done
	return 1
}

# pairs_alike: how many of 8 flows land with their reverse.
pairs_alike() {
	local i a b same=0
	for ((i = 0; i < 8; i++)); do
		a=$(flow_queue "$((30000 + i)):$((31000 + 7 * i))") || return 1
		b=$(flow_queue "$((31000 + 7 * i)):$((30000 + i))") || return 1
		[ "$a" = "$b" ] && same=$((same + 1))
	done
	echo $same
}

if [ "$ETHTOOL" != ethtool ]; then
	log_skip "symmetric-xor" "$(uname -r) has no RSS input transform (6.8+)"
else
	RET=0
	before=$(pairs_alike)
	check_err $? "flows did not arrive"
	eth_b -X vnet1 xfrm symmetric-xor
	check_err $? "-X xfrm symmetric-xor failed"
	eth_b -x vnet1 | grep -q "symmetric-xor: on"
	check_err $? "symmetric-xor not reported on"
	after=$(pairs_alike)
	check_eq "$after" 8 "flows with their reverse on one queue, symmetric-xor"
	[ "$before" -lt 8 ]
	check_err $? "all 8 reversed flows alike without the transform too"
	# Fields that are not symmetric are refused while it is on.
	refused -N vnet1 rx-flow-hash udp4 s
	check_err $? "-N udp4 s accepted with symmetric-xor"
	eth_b -X vnet1 xfrm none
	check_err $? "-X xfrm none failed"
	log_test "symmetric-xor: a flow and its reverse on one queue ($after of 8; $before without)"
fi

RET=0
eth_b -X vnet1 weight 0 0 0 1
check_err $? "-X weight 0 0 0 1 failed"
t0=$(table)
err=$(eth_b -L vnet1 combined 2 2>&1)
check_fail $? "-L 2 accepted with a table naming queue 3"
check_eq "$(eth_b -l vnet1 | awk '/^Combined:/ { v = $2 } END { print v }')" $NQ \
	"combined channels after the refused -L"
check_eq "$(table)" "$t0" "table after the refused -L"
eth_b -X vnet1 default && eth_b -L vnet1 combined 2
check_err $? "-X default then -L 2 failed"
two_queues "-L 2"
eth_b -L vnet1 combined $NQ
check_err $? "-L $NQ failed"
check_eq "$(table)" "$(spread $NQ)" "table after -L $NQ"
log_test "-L: refused while the table names queue 3 (${err##*: }); the default table follows -L 2 ($h) and -L $NQ"

RET=0
t0=$(table)
k0=$(key)
f0=$(eth_b -n vnet1 rx-flow-hash tcp4)
for args in "-X vnet1 equal 5" "-X vnet1 weight 1 1 1 1 1" "-X vnet1 hfunc xor" \
	    "-X vnet1 hkey 01:02:03" "-N vnet1 rx-flow-hash sctp4 sd" \
	    "-N vnet1 rx-flow-hash tcp4 sdv" "-N vnet1 rx-flow-hash ip4 sdfn"; do
	# shellcheck disable=SC2086 # ARGS are words
	refused $args
	check_err $? "ethtool $args accepted"
done
check_eq "$(table)" "$t0" "table after bad values"
check_eq "$(key)" "$k0" "key after bad values"
check_eq "$(eth_b -n vnet1 rx-flow-hash tcp4)" "$f0" "tcp4 fields after bad values"
h=$(hits $(flows $FLOWS))
check_eq "$(used "$h")" $NQ "queues used after bad values ($h)"
log_test "bad values refused (5 queues of 4, xor, short key, sctp4, VLAN field, ports for ip4), nothing changed"

# port_flows PORT N: N flows to destination port PORT.
port_flows() {
	local i
	for ((i = 0; i < $2; i++)); do
		printf '%d:%d ' $((1024 + i * 40503 % 60000)) "$1"
	done
}

RET=0
check_eq "$(eth_b -k vnet1 | awk '$1 == "ntuple-filters:" { print $2 }')" on \
	"ntuple-filters by default"
eth_b -K vnet1 ntuple off
refused -N vnet1 flow-type udp4 dst-port 7000 action 3
check_err $? "a rule was accepted with ntuple-filters off"
eth_b -K vnet1 ntuple on && eth_b -X vnet1 equal 1
check_err $? "ntuple on, -X equal 1 failed"
# Without rules everything is on queue 0 now.
h=$(hits $(port_flows 7000 8))
check_eq "$h" "24 0 0 0" "per-queue packets, no rule"
eth_b -N vnet1 flow-type udp4 dst-port 7000 action 3 loc 0 >/dev/null &&
	eth_b -N vnet1 flow-type ip4 src-ip "$VNET_PAIR_A" action 2 loc 1 >/dev/null &&
	eth_b -N vnet1 flow-type udp4 dst-port 7001 src-ip "$VNET_PAIR_A" \
		m 0.0.0.255 action -1 loc 5 >/dev/null
check_err $? "adding rules failed"
h1=$(hits $(port_flows 7000 8))
check_eq "$h1" "0 0 0 24" "per-queue packets to port 7000 (rule 0)"
h2=$(hits $(port_flows 7002 8))
check_eq "$h2" "0 0 24 0" "per-queue packets to port 7002 (rule 1)"
check_eq "$(nsx "$B" ethtool -S vnet1 | awk '$1 == "ntuple_0_hits:" { print $2 }')" 24 \
	"ntuple_0_hits"
check_eq "$(nsx "$B" ethtool -S vnet1 | awk '$1 == "ntuple_1_hits:" { print $2 }')" 24 \
	"ntuple_1_hits"
# A rule without a location that matches rule 0's frames would never be
# hit: refused. At rule 0's location it replaces it.
refused -N vnet1 flow-type udp4 dst-port 7000 action 1
check_err $? "a second rule matching what rule 0 matches was accepted"
eth_b -N vnet1 flow-type udp4 dst-port 7000 action 1 loc 0 >/dev/null
check_err $? "replacing rule 0 failed"
h3=$(hits $(port_flows 7000 8))
check_eq "$h3" "0 24 0 0" "per-queue packets to port 7000 (rule 0 replaced)"
eth_b -N vnet1 flow-type udp4 dst-port 7000 action 3 loc 0 >/dev/null
check_err $? "putting rule 0 back failed"
out=$(eth_b -n vnet1)
grep -q "Total 3 rules" <<<"$out"
check_err $? "ethtool -n: $out"
log_test "flow rules: port 7000 on queue 3 ($h1), the rest of vnet0's flows on queue 2 ($h2), hits counted, a second rule matching rule 0's frames is refused, one at its location replaces it ($h3), -n lists 3"

RET=0
# Rule 1 matches too, but rule 5 (a masked source, the drop) comes later:
# take rule 1 away and the drops show.
eth_b -N vnet1 delete 1
check_err $? "delete 1 failed"
declare -A d0 d1
ns_stats d0 "$B" vnet1
send_udp $(port_flows 7001 8)
check_err $? "sending failed"
for ((i = 0; i < 100; i++)); do
	ns_stats d1 "$B" vnet1
	[ "$(snap_delta d0 d1 ntuple_5_hits)" -ge 24 ] && break
	sleep 0.05
done
check_eq "$(snap_delta d0 d1 ntuple_5_hits)" 24 "ntuple_5_hits (drop rule)"
check_eq "$(snap_delta d0 d1 rx_packets)" 0 "rx_packets delta of dropped flows"
h=$(hits $(port_flows 7002 8))
check_eq "$h" "24 0 0 0" "port 7002 back on RSS's queue 0 after delete"
log_test "flow rules: a drop rule's frames never reach a ring and count as its hits; delete gives flows back to RSS"

if kernel_before 6 11; then
	log_skip "RSS contexts" "$(uname -r) has no ethtool ops for them (6.11+)"
else
	RET=0
	out=$(eth_b -X vnet1 context new start 2 equal 2)
	check_err $? "context new failed: $out"
	ctx=${out##* }
	tbl=$(eth_b -x vnet1 context "$ctx" | awk '/^ *[0-9]+:/ { for (i = 2; i <= NF; i++) printf "%s ", $i }')
	check_eq "$tbl" "$(spread 2 | awk '{ for (i = 1; i <= NF; i++) printf "%d ", $i + 2 }')" \
		"context $ctx's table"
	refused -N vnet1 flow-type udp4 dst-port 7100 context 7
	check_err $? "a rule naming a context that does not exist was accepted"
	eth_b -N vnet1 flow-type udp4 dst-port 7100 context "$ctx" loc 2 >/dev/null
	check_err $? "a rule to context $ctx failed"
	h=$(hits $(port_flows 7100 32))
	read -r h0 h1 h2 h3 <<<"$h"
	check_eq "$((h0 + h1))" 0 "packets on queues 0-1 for context $ctx's flows ($h)"
	[ "$h2" -gt 0 ] && [ "$h3" -gt 0 ]
	check_err $? "context $ctx's flows not on both queues 2 and 3 ($h)"
	refused -X vnet1 context "$ctx" delete
	check_err $? "context $ctx deleted while a rule uses it"
	# A rule's queue is added to the context's entries.
	refused -N vnet1 flow-type udp4 dst-port 7101 context "$ctx" action 1
	check_err $? "a rule adding 1 to context $ctx's queues 2-3 was accepted (4 queues)"
	eth_b -X vnet1 context "$ctx" start 2 equal 1 &&
		eth_b -N vnet1 flow-type udp4 dst-port 7101 context "$ctx" \
			action 1 loc 3 >/dev/null
	check_err $? "a rule adding 1 to context $ctx's queue 2 failed"
	h1=$(hits $(port_flows 7101 8))
	check_eq "$h1" "0 0 0 24" "context $ctx (queue 2) plus the rule's 1"
	refused -X vnet1 context "$ctx" start 2 equal 2
	check_err $? "context $ctx's table widened past the queues the rule's 1 allows"
	refused -L vnet1 combined 3
	check_err $? "-L 3 accepted with a rule adding 1 to context $ctx's queue 2"
	eth_b -N vnet1 delete 3 && eth_b -N vnet1 delete 2 &&
		eth_b -X vnet1 context "$ctx" delete
	check_err $? "deleting the rules, then context $ctx, failed"
	log_test "RSS context $ctx: its own table (queues 2-3), a rule spreads its flows with it ($h), a rule's queue adds to its entries ($h1) and counts against -X and -L, busy while used, deleted after"
fi

RET=0
err=$(eth_b -L vnet1 combined 2 2>&1)
check_fail $? "-L 2 accepted with a rule naming queue 3"
t0=$(eth_b -n vnet1)
for args in "flow-type udp4 dst-port 1 action 9" "flow-type udp4 dst-port 1 action 1 loc 64" \
	    "flow-type udp4 tos 4 action 1" "flow-type ether dst 02:00:00:00:00:01 action 1" \
	    "flow-type udp4 dst-port 1 vlan 5 action 1"; do
	# shellcheck disable=SC2086 # ARGS are words
	refused -N vnet1 $args
	check_err $? "ethtool -N $args accepted"
done
check_eq "$(eth_b -n vnet1)" "$t0" "rules after bad ones"
eth_b -N vnet1 delete 0 && eth_b -N vnet1 delete 5 && eth_b -X vnet1 default &&
	eth_b -K vnet1 ntuple off
check_err $? "clean-up failed"
h=$(hits $(flows $FLOWS))
check_eq "$(used "$h")" $NQ "queues used once the rules are gone ($h)"
log_test "flow rules: -L refused while one names queue 3 (${err##*: }); bad rules refused (queue 9, location 64, ToS, ether, VLAN), nothing changed"

lib_exit
