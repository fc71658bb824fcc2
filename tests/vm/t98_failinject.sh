# SPDX-License-Identifier: GPL-2.0
# The kernel's own fault injection against vnet (the debug kernel has it;
# Debian's kernels do not, and skip):
# - fail-nth walks the allocations vnet makes (those with vnet's code on
#   the stack) during ethtool -G, -L and open, one failure
#   per request, under traffic, with the TX engine of queue 1 hung on
#   frames BQL counts: a request that fails leaves the old configuration
#   in place and traffic flowing on both queues, with no splat (a failed -L
#   once resumed rings under a reset BQL: BUG in dql_completed()); kmemleak,
#   the suite's last script, finds no leak.
# - fail_page_alloc starving an RX ring (the stack holds every page it got,
#   none can be allocated): NAPI does not spin, rx_alloc_fail counts, and
#   traffic resumes once the fault is lifted.
# vnet0, the port under test, stays in this netns (a netns exec per
# command costs much on a debug kernel); vnet1 is in $B.
source /vnet/lib.sh
source /vnet/tests/vnet_common.sh

B=$VNET_NS_B
FI=/sys/kernel/debug
HW0=/sys/kernel/debug/vnet/vnethw.0
FAILNTH=/vnet/tests/vnet_failnth
Q=/sys/class/net/vnet0/queues

if [ ! -d $FI/failslab ] || [ ! -d $FI/fail_page_alloc ] ||
	[ ! -e /proc/self/fail-nth ]; then
	why="no CONFIG_FAILSLAB/FAIL_PAGE_ALLOC (the debug kernel has them)"
	log_skip "fault injection: allocation failures in -G/-L/open" "$why"
	log_skip "fault injection: an RX ring starved of pages" "$why"
	lib_exit
fi

# fi_set KIND FILE VALUE: one fault injection setting.
fi_set() {
	echo "$3" >"$FI/$1/$2"
}

# ping_on CPU ARGS...: ping vnet1 from CPU (and so, by XPS, from vnet0's
# queue CPU); prints the replies received.
ping_on() {
	local cpu=$1
	shift
	taskset $((1 << cpu)) ping -q -W 1 "$@" "$VNET_PAIR_B" 2>/dev/null |
		sed -n 's/.* \([0-9]*\) received.*/\1/p'
}

# shellcheck disable=SC2317 # called via trap
cleanup() {
	fi_set fail_page_alloc probability 0
	for k in failslab fail_page_alloc; do
		fi_set $k require-start 0
		fi_set $k require-end 0xffffffffffffffff
	done
	[ -n "${TRAFFIC:-}" ] && kill "$TRAFFIC" 2>/dev/null
	[ -n "${HOLDER:-}" ] && kill -CONT "$HOLDER" 2>/dev/null &&
		kill "$HOLDER" 2>/dev/null
	echo "$RMEM" >/proc/sys/net/core/rmem_default
	echo "rem_device_all" >/proc/net/pktgen/kpktgend_0 2>/dev/null
	vnet_pair_cleanup
}
RMEM=$(cat /proc/sys/net/core/rmem_default)
trap cleanup EXIT

# Process creation is slow on the debug kernel: the loop below reads
# sysfs with builtins and forks as little as it can.

# get FILE: print FILE's first line, without a process.
get() {
	local v
	read -r v <"$1" && echo "$v"
}

# neigh: permanent neighbours both ways (a link down flushes vnet0's).
neigh() {
	ip neigh replace "$VNET_PAIR_B" lladdr "$MAC_B" nud permanent \
		dev vnet0 &&
		ip -n "$B" neigh replace "$VNET_PAIR_A" lladdr "$MAC_A" \
			nud permanent dev vnet1
}

RET=0
[ "$(nproc)" -ge 2 ]
check_err $? "needs two CPUs"
vnet_load mode=pair queues=2 && vnet_wait_ports 2 && vnet_ns_add "$B" &&
	ip link set vnet1 netns "$B" &&
	echo 1 >/proc/sys/net/ipv6/conf/vnet0/disable_ipv6 &&
	ip addr add "$VNET_PAIR_A/24" dev vnet0 && ip link set vnet0 up &&
	ip -n "$B" addr add "$VNET_PAIR_B/24" dev vnet1 &&
	ip -n "$B" link set vnet1 up &&
	MAC_A=$(get /sys/class/net/vnet0/address) &&
	MAC_B=$(ns_mac "$B" vnet1) && neigh
check_err $? "pair setup failed"
# XPS: what vnet0 sends from CPU 0 leaves on queue 0, from CPU 1 on queue
# 1, whose engine the test hangs. BQL stops a queue once its limit is
# reached, and before the first completion after a reset at once: queue 1
# must take the frames the hung engine holds (a stop would end, 5 s later,
# in a watchdog reset), so its limit starts high (from limit_min, at the
# -G that follows) and a few pings complete on it first.
echo 1 >$Q/tx-0/xps_cpus && echo 2 >$Q/tx-1/xps_cpus &&
	echo 65536 >$Q/tx-1/byte_queue_limits/limit_min
check_err $? "XPS or BQL setup failed"
ethtool -G vnet0 rx 64 tx 64
check_err $? "ethtool -G vnet0 rx 64 tx 64 failed"
wait_for 5 grep -qx 1 /sys/class/net/vnet0/carrier
check_eq "$(ping_on 1 -c 3 -i 0.05)" 3 "pings on queue 1"
check_eq "$(ethtool_stat vnet0 tx_queue_1_packets)" 3 "queue 1 packets"
# vnet's code: the fault filters count allocations with it on the stack.
read -r LO HI < <(awk '$2 ~ /^[tT]$/ && $NF == "[vnet]" { print $1 }' \
	/proc/kallsyms | sort | sed -n '1p;$p' | tr '\n' ' ')
[ -n "$LO" ] && [ -n "$HI" ] && [ "$LO" != 0000000000000000 ]
check_err $? "no addresses of vnet's code in /proc/kallsyms ('$LO' '$HI')"
HI=$(printf '0x%x' $((0x$HI + 4096)))
LO=0x$LO
# vnet_rings_alloc(), on the stack of every ring allocation: from its
# address to the next symbol's.
read -r RLO RHI < <(awk '$NF == "[vnet]" { print $1, $3 }' /proc/kallsyms |
	sort | awk 'f { print $1; exit } $2 == "vnet_rings_alloc" { printf "%s ", $1; f = 1 }')
[ -n "$RLO" ] && [ -n "$RHI" ]
check_err $? "no vnet_rings_alloc in /proc/kallsyms ('$RLO' '$RHI')"
RLO=0x$RLO
RHI=0x$RHI
for k in failslab fail_page_alloc; do
	fi_set $k verbose 0
	fi_set $k probability 0
	fi_set $k ignore-gfp-wait N
done
fi_set fail_page_alloc ignore-gfp-highmem N
fi_set fail_page_alloc min-order 0
log_test "fault injection set up: vnet's code at $LO..$HI, queue 1 for the hung engine"

# fi_only KIND [rings|norings]: fail-nth counts KIND's allocations under
# vnet's code (only those of vnet_rings_alloc(), or all but those), and no
# allocation of the other kind.
fi_only() {
	local k
	for k in failslab fail_page_alloc; do
		if [ $k = "$1" ]; then
			fi_set $k require-start "$LO"
			fi_set $k require-end "$HI"
		else
			fi_set $k require-start 0
			fi_set $k require-end 0
		fi
		fi_set $k reject-start 0
		fi_set $k reject-end 0
	done
	case ${2:-} in
	rings)
		fi_set "$1" require-start "$RLO"
		fi_set "$1" require-end "$RHI"
		;;
	norings)
		fi_set "$1" reject-start "$RLO"
		fi_set "$1" reject-end "$RHI"
		;;
	esac
}

# q1_idle: BQL counts no bytes in flight on vnet0's queue 1.
q1_idle() {
	local v
	read -r v <$Q/tx-1/byte_queue_limits/inflight && [ "$v" = 0 ]
}

# hang_q1: queue 1's engine hangs at its next doorbell, and 16 datagrams
# from CPU 1 put frames on it that BQL counts until a reset (unless some
# still are).
hang_q1() {
	q1_idle || return 0
	echo 2 >"$HW0/fault_tx_hang" &&
		taskset 2 socat -u -b 1000 OPEN:/dev/zero,readbytes=16000 \
			"UDP4-SENDTO:$VNET_PAIR_B:9" &&
		! q1_idle
}

# state OP: vnet0's setting that OP changes, into ST.
state() {
	local out q
	case $1 in
	rings)
		out=$(ethtool -g vnet0)
		[[ $out =~ Current.*RX:[[:space:]]*([0-9]+).*TX:[[:space:]]*([0-9]+) ]]
		ST="${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
		;;
	channels)
		q=("$Q"/tx-*)
		ST=${#q[@]}
		;;
	up)
		read -r out </sys/class/net/vnet0/flags
		ST=down
		((out & 1)) && ST=up
		;;
	esac
}

# set_a OP: the starting configuration, without faults.
set_a() {
	case $1 in
	rings) ethtool -G vnet0 rx 64 tx 64 ;;
	channels) ethtool -L vnet0 combined 2 ;;
	up) ip link set vnet0 down ;;
	esac
}

# traffic_ok OP SELECT: with vnet0 up, it has carrier and pings cross the
# pair on queue 0. Queue 1 may still hold the hung frames if the request
# failed before the rings were reset; but every failure the -L walk
# (norings) injects comes after the datapath went down, and the old rings
# came back up: the frames they held must have been sent, and then pings
# cross on queue 1 too (with a BQL that forgot them, they would complete
# bytes it never counted).
traffic_ok() {
	state up
	[ "$ST" = down ] && return 0
	if [ "$1" = up ]; then
		neigh && wait_for 5 eval '[ "$(get /sys/class/net/vnet0/carrier)" = 1 ]' ||
			return 1
	fi
	taskset 1 ping -q -c 2 -i 0.05 -W 1 "$VNET_PAIR_B" >/dev/null ||
		return 1
	if ! wait_for 1 q1_idle; then
		[ "$2" = norings ] && return 1
		return 0
	fi
	taskset 2 ping -q -c 2 -i 0.05 -W 1 "$VNET_PAIR_B" >/dev/null
}

# walk KIND SELECT STEP OP STATE_A STATE_B ARGS...: vnet0 from
# configuration A to B by "vnet_failnth N vnet0 ARGS" (KIND and SELECT as
# for fi_only), N = 1, 2, ... (STEP all), or 1..4 and then in steps of a
# third (STEP sample), until a request makes fewer than N allocations.
# Sets W_FAILED and W_ABSORBED (requests that failed, or succeeded despite
# the failure) and W_SITES (allocations the request makes).
walk() {
	local kind=$1 sel=$2 step=$3 op=$4 sa=$5 sb=$6 n=1 out inj rc
	shift 6
	W_FAILED=0
	W_ABSORBED=0
	W_SITES=
	fi_only "$kind" "$sel"
	while [ $n -le 1000 ]; do
		set_a "$op" || { check_err 1 "$op: back to '$sa' failed"; return; }
		if [ "$op" != up ]; then
			hang_q1 || { check_err 1 "$op: no frames held on queue 1"; return; }
		fi
		out=$($FAILNTH $n vnet0 "$@")
		inj= rc=
		if [[ $out =~ injected=([01])\ rc=([0-9]+) ]]; then
			inj=${BASH_REMATCH[1]} rc=${BASH_REMATCH[2]}
		fi
		if [ -z "$inj" ] || [ -z "$rc" ]; then
			check_err 1 "$op, allocation $n: vnet_failnth said '$out'"
			return
		fi
		if [ "$inj" = 0 ]; then
			check_eq "$rc" 0 "$op without an injected failure"
			W_SITES=$((n - 1))
			break
		fi
		state "$op"
		if [ "$rc" != 0 ]; then
			W_FAILED=$((W_FAILED + 1))
			check_eq "$ST" "$sa" "$op failed at allocation $n (errno $rc): configuration"
		else
			W_ABSORBED=$((W_ABSORBED + 1))
			check_eq "$ST" "$sb" "$op absorbed a failure at allocation $n: configuration"
		fi
		echo "t98: $kind $op $n: errno $rc, $ST (${SECONDS}s)"
		traffic_ok "$op" "$sel"
		check_err $? "$op, failure at allocation $n (errno $rc): no traffic after"
		[ "$RET" = 0 ] || return
		if [ "$step" = all ] || [ $n -lt 4 ]; then
			n=$((n + 1))
		else
			n=$((n + n / 3))
		fi
	done
	[ -n "$W_SITES" ] || check_err 1 "$op: more than 1000 allocations?"
}

# Traffic through the walks: pings on queue 0.
taskset 1 ping -q -i 0.05 -w 1800 "$VNET_PAIR_B" >/dev/null 2>&1 &
TRAFFIC=$!

# -G walks every allocation of vnet_rings_alloc() (samples them on a light
# run: CI's time); open makes the same ones, and samples them; -L's
# interesting failures come after the rings are allocated and the
# datapath is down (the stack's queue objects: any of them sends the old
# rings back up), sampled.
GSTEP=all
[ "${VNET_LIGHT:-0}" = 1 ] && GSTEP=sample
for w in "rings $GSTEP rings '64 64' '128 256' rings 128 256" \
	 "norings sample channels 2 4 channels 4" \
	 "rings sample up down up up"; do
	eval "set -- $w"
	sel=$1 step=$2 op=$3
	shift 2
	for kind in failslab fail_page_alloc; do
		RET=0
		dmesg_mark
		t0=$SECONDS
		walk $kind "$sel" "$step" "$@"
		set_a "$op"
		kernel_splat_check
		check_err $? "kernel log"
		log_test "fail-nth, $kind ($sel, $step): $op under traffic with a hung TX queue: $W_FAILED requests failed cleanly, $W_ABSORBED absorbed the failure (${W_SITES:-?} allocations, $((SECONDS - t0)) s)"
	done
done
kill "$TRAFFIC" 2>/dev/null
wait "$TRAFFIC" 2>/dev/null
TRAFFIC=

RET=0
# Reset the rings once more (a hang may still hold frames), then every
# queue must carry traffic and BQL must be empty.
ip link set vnet0 up && ethtool -G vnet0 rx 128 tx 128 &&
	ethtool -G vnet0 rx 64 tx 64 && neigh
check_err $? "final -G failed"
wait_for 5 eval '[ "$(get /sys/class/net/vnet0/carrier)" = 1 ]'
check_err $? "no carrier after the walks"
check_eq "$(ping_on 0 -c 5 -i 0.05)" 5 "pings on queue 0 after the walks"
check_eq "$(ping_on 1 -c 5 -i 0.05)" 5 "pings on queue 1 after the walks"
wait_for 5 q1_idle
check_err $? "BQL of queue 1 not empty"
log_test "after the walks: both queues send, BQL empty"

# --- an RX ring starved of pages -------------------------------------------------
# A UDP socket in $B that nobody reads holds every frame (and its page) it
# gets; with page allocations under vnet's code failing, vnet1's ring runs
# out of buffers. NAPI must then wait for a retry instead of polling at
# once, over and over.
RET=0
echo 67108864 >/proc/sys/net/core/rmem_default
ip netns exec "$B" socat -u UDP4-RECV:9 OPEN:/dev/null &
HOLDER=$!
wait_for 5 nsx "$B" grep -q ":0009 " /proc/net/udp
check_err $? "no UDP socket on port 9 in $B"
kill -STOP "$HOLDER"
nsx "$B" ethtool -G vnet1 rx 64
check_err $? "ethtool -G vnet1 rx 64 failed"
fi_only fail_page_alloc
fi_set fail_page_alloc interval 1
fi_set fail_page_alloc times -1
fi_set fail_page_alloc space 0
fi_set fail_page_alloc task-filter N
fi_set fail_page_alloc probability 100
fail_b=$(ns_stat "$B" vnet1 rx_alloc_fail)
miss_b=$(ns_stat "$B" vnet1 hw_rx_missed)
modprobe pktgen && pktgen_setup "" vnet0 "$VNET_PAIR_B" "$(ns_mac "$B" vnet1)"
check_err $? "pktgen setup failed"
for l in "count 2000" "pkt_size 1000" "queue_map_min 0" "queue_map_max 0"; do
	pktgen_set "" vnet0 "$l"
done
pktgen_start ""
check_err $? "pktgen 2000 frames failed"
# The ring is empty once frames are missed for want of buffers.
wait_for 5 eval '[ "$(ns_stat "$B" vnet1 hw_rx_missed)" -gt "$miss_b" ]'
check_err $? "vnet1's ring never ran dry (hw_rx_missed did not move)"
polls_b=$(ns_stat "$B" vnet1 napi_polls)
sleep 2
polls=$(($(ns_stat "$B" vnet1 napi_polls) - polls_b))
fails=$(($(ns_stat "$B" vnet1 rx_alloc_fail) - fail_b))
# A retry every 10 ms is 200 polls in 2 s per starved ring (both queues'
# may be); a spinning NAPI, thousands; no retry at all, the service task's
# one look a second.
[ "$polls" -le 600 ]
check_err $? "$polls NAPI polls in 2 s with the ring starved: NAPI spins"
[ "$polls" -ge 100 ]
check_err $? "$polls NAPI polls in 2 s with the ring starved: no 10 ms retry"
[ "$fails" -gt 0 ]
check_err $? "rx_alloc_fail did not count"
fi_set fail_page_alloc probability 0
check_eq "$(ping_on 0 -c 3 -i 0.1)" 3 "pings once the fault is lifted"
kill -CONT "$HOLDER"
kill "$HOLDER"
wait "$HOLDER" 2>/dev/null
HOLDER=
echo "$RMEM" >/proc/sys/net/core/rmem_default
log_test "RX ring starved of pages: $polls polls in 2 s (no spinning), rx_alloc_fail +$fails, traffic back once pages can be had"

pktgen_set "" kpktgend_0 rem_device_all
vnet_pair_cleanup
lib_exit
