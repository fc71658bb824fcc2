# SPDX-License-Identifier: GPL-2.0
# vnet's tracepoints and the bench/bpftrace scripts built on them: every
# event exists, ring resizes are traced, and each script run for a few
# seconds under traffic prints a non-empty, plausible histogram.
source /vnet/lib.sh
source /vnet/tests/vnet_common.sh

BT=/vnet/tests
TRACEFS=/sys/kernel/tracing

trap 'vnet_loaded && vnet_unload' EXIT

# hist FILE MAP: the buckets of bpftrace histograms @MAP[...] in FILE as
# "lo hi count" lines, K/M/G expanded, sorted by lo: every key's, and
# bpftrace may print one key as two (irqlat's [vnethw.0, 0] came twice,
# 281 samples and 1).
hist() {
	awk -v map="@$2" '
		function n(s,  u) {
			u = substr(s, length(s))
			if (u == "K") return substr(s, 1, length(s) - 1) * 1024
			if (u == "M") return substr(s, 1, length(s) - 1) * 1048576
			if (u == "G") return substr(s, 1, length(s) - 1) * 1073741824
			return s + 0
		}
		index($0, map "[") == 1 || $1 == map ":" { on = 1; next }
		# bpftrace prints negative values as one "(..., 0)" bucket
		on && /^\(\.\.\., 0\)/ { print -1, 0, $3 + 0; next }
		on && /^\[/ {
			# "[lo, hi)  count |@@@|" or "[value]  count |@@@|"
			if ($1 ~ /,$/) { lo = $1; hi = $2; c = $3 }
			else { lo = $1; hi = ""; c = $2 }
			gsub(/[^0-9KMG-]/, "", lo); gsub(/[^0-9KMG-]/, "", hi)
			lo = n(lo); hi = hi == "" ? lo + 1 : n(hi)
			print lo, hi, c + 0
			next
		}
		{ on = 0 }' "$1" | sort -n -k1,1
}

# hist_stats FILE MAP: "count min_lo max_hi" over the non-empty buckets.
hist_stats() {
	hist "$1" "$2" | awk '$3 > 0 { n += $3; if (min == "") min = $1; max = $2 }
		END { printf "%d %s %s\n", n, min == "" ? -1 : min, max == "" ? -1 : max }'
}

# hist_median FILE MAP: the upper bound of the bucket holding the median.
hist_median() {
	hist "$1" "$2" | awk '{ lo[NR] = $1; hi[NR] = $2; c[NR] = $3; n += $3 }
		END { for (i = 1; i <= NR; i++) { s += c[i]; if (2 * s >= n) {
			print hi[i]; exit } } print -1 }'
}

# run_bt NAME SECS [PING_OPT]: run bench/bpftrace/NAME.bt for SECS seconds
# into /tmp/NAME.out, with pings through the reflector while it traces: a
# flood, or as PING_OPT says.
# The flood starts once every probe is attached and ends before they are
# detached: attaching patches the code the flood runs (static branches),
# and under TCG a CPU spinning through a site being patched has been seen
# to lock up (6.1, once).
run_bt() {
	local out=/tmp/$1.out bpid
	bpftrace "$BT/$1.bt" "$2" >"$out" 2>&1 &
	bpid=$!
	if ! wait_for 90 grep -q "^Tracing vnet" "$out"; then
		kill $bpid 2>/dev/null
		wait $bpid
		return 1
	fi
	ping "${3:--f}" -q -w $(($2 - 1)) $VNET_PEER >/dev/null 2>&1
	wait $bpid
}

vnet_setup || { log_test "setup" 1 "vnet0 did not come up"; lib_exit; }
vnet_static_peer

RET=0
for ev in vnet_tx_post vnet_tx_done vnet_rx vnet_napi_poll vnet_tx_stop \
	  vnet_tx_wake vnet_ring_resize vnet_hw_irq vnet_rx_dim; do
	[ -d "$TRACEFS/events/vnet/$ev" ]
	check_err $? "no tracepoint vnet:$ev"
done
echo 1 >"$TRACEFS/events/vnet/vnet_ring_resize/enable"
: >"$TRACEFS/trace"
ethtool -G vnet0 rx 128 tx 512
grep -q "vnet_ring_resize: dev=vnet0 queues=1 tx=512 rx=128" "$TRACEFS/trace"
check_err $? "ethtool -G not traced: $(grep vnet_ring "$TRACEFS/trace")"
echo 0 >"$TRACEFS/events/vnet/vnet_ring_resize/enable"
ethtool -G vnet0 rx 256 tx 256
log_test "tracepoints vnet:* exist; ethtool -G traces vnet_ring_resize"

if ! command -v bpftrace >/dev/null; then
	log_test "bpftrace in the image" 1 "bpftrace missing: scripts/deps.sh installs it"
	lib_exit
fi

# A 200 us interrupt delay and no frame count, so that the moderation
# timer does all the firing.
ethtool -C vnet0 adaptive-rx off rx-usecs 200 tx-usecs 200 rx-frames 0 tx-frames 0

RET=0
run_bt txlat 4
check_err $? "txlat.bt failed: $(tail -n 3 /tmp/txlat.out)"
read -r n lo hi <<<"$(hist_stats /tmp/txlat.out txlat_us)"
[ "$n" -gt 50 ]
check_err $? "txlat: $n samples"
# a completion is reaped after the 200 us TX delay (or with an interrupt
# already pending), well within a second
med=$(hist_median /tmp/txlat.out txlat_us)
[ "$lo" -ge 0 ] && [ "$hi" -le 1048576 ] && [ "$med" -gt 128 ]
check_err $? "txlat: implausible: ${lo}..${hi} us, median below $med us"
log_test "txlat.bt: TX post -> completion histogram ($n samples, ${lo}..${hi} us)"

RET=0
# Pings 2 ms apart; with no frame count every interrupt is the moderation
# timer's.
run_bt irqlat 4 -i0.002
check_err $? "irqlat.bt failed: $(tail -n 3 /tmp/irqlat.out)"
read -r n lo hi <<<"$(hist_stats /tmp/irqlat.out irq_late_ns)"
[ "$n" -gt 50 ]
check_err $? "irqlat: $n timer interrupts: $(grep -v '^\[' /tmp/irqlat.out | tr '\n' ' ')"
# never early; late by less than a second even under TCG
[ "$lo" -ge 0 ] && [ "$hi" -le 1073741824 ]
check_err $? "irqlat: implausible lateness ${lo}..${hi} ns"
read -r n2 lo2 hi2 <<<"$(hist_stats /tmp/irqlat.out delivery_ns)"
# every fire reaches its handler: as many deliveries as fires, within a
# second
[ "$n2" -gt 50 ] && [ "$lo2" -ge 0 ] && [ "$hi2" -le 1073741824 ]
check_err $? "irqlat: device -> handler: $n2 deliveries, ${lo2}..${hi2} ns"
log_test "irqlat.bt: moderation timer lateness ($n samples, ${lo}..${hi} ns), device to handler ($n2 deliveries, ${lo2}..${hi2} ns)"

RET=0
run_bt napi 4
check_err $? "napi.bt failed: $(tail -n 3 /tmp/napi.out)"
read -r n lo hi <<<"$(hist_stats /tmp/napi.out frames_per_poll)"
# log2 buckets: a full 64-frame budget lands in [64, 128)
[ "$n" -gt 50 ] && [ "$lo" -ge 0 ] && [ "$hi" -le 128 ]
check_err $? "napi: frames per poll: $n polls, ${lo}..${hi} (budget 64)"
read -r n2 lo2 hi2 <<<"$(hist_stats /tmp/napi.out polls_per_irq)"
[ "$n2" -gt 50 ] && [ "$lo2" -ge 1 ]
check_err $? "napi: polls per interrupt: $n2 cycles from ${lo2}"
log_test "napi.bt: frames per poll ($n polls, ${lo}..${hi}) and polls per interrupt ($n2 cycles)"

# rtt.bt reads struct sk_buff through BTF, which the debug kernel of make
# check-debug is built without.
if [ ! -e /sys/kernel/btf/vmlinux ]; then
	log_skip "rtt.bt: ICMP echo round trip by id/seq" "kernel without BTF"
else
	RET=0
	run_bt rtt 4
	check_err $? "rtt.bt failed: $(tail -n 3 /tmp/rtt.out)"
	read -r n lo hi <<<"$(hist_stats /tmp/rtt.out rtt_us)"
	[ "$n" -gt 50 ]
	check_err $? "rtt: $n echo round trips"
	# A reply waits for the 200 us RX delay, or less when a second request
	# joins a pending interrupt: most take longer than 128 us, none a second.
	med=$(hist_median /tmp/rtt.out rtt_us)
	[ "$lo" -ge 0 ] && [ "$hi" -le 1048576 ] && [ "$med" -gt 128 ]
	check_err $? "rtt: implausible: ${lo}..${hi} us, median below $med us"
	log_test "rtt.bt: ICMP echo round trip by id/seq ($n samples, ${lo}..${hi} us)"
fi

lib_exit
