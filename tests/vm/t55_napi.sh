# SPDX-License-Identifier: GPL-2.0
# NAPI lifecycle: one NAPI per active queue, in queue order, linked to its
# RX and TX queue, with the same IDs after -L, -G, MTU and link changes;
# dumping them over netdev netlink (the kernel's own ynl tool) WARNs about
# nothing. Threaded NAPI switched on and off for the device, and per NAPI
# where the kernel has the attribute, around -L and down/up under traffic:
# nothing hangs (every write is bounded), the kthreads follow the active
# queues, traffic flows after.
source /vnet/lib.sh
source /vnet/tests/vnet_common.sh

B=$VNET_NS_B
YNL=
THR=/sys/class/net/vnet0/threaded

# shellcheck disable=SC2317 # called via trap
cleanup() {
	[ -n "${FLOOD:-}" ] && kill "$FLOOD" 2>/dev/null
	vnet_pair_cleanup
}
trap cleanup EXIT

RET=0
vnet_pair_here queues=4
check_err $? "pair setup failed"
IFINDEX=$(cat /sys/class/net/vnet0/ifindex)
log_test "pair with 4 queues, vnet0 here, vnet1 in $B"

# ynl ARGS...: the kernel's ynl CLI on the netdev family, JSON out.
ynl_unpack && YNL=$VNET_YNL
YNLCMD=(python3 "$VNET_YNL/tools/net/ynl/pyynl/cli.py" --no-schema --output-json
	--spec "$VNET_YNL/Documentation/netlink/specs/netdev.yaml")
ynl() {
	"${YNLCMD[@]}" "$@"
}

# napi_dump: "IDS|RX|TX|DEFER" for vnet0: its NAPI IDs in dump order;
# "queue:napi-id" of its RX, then of its TX queues; "defer" if the NAPIs
# carry per-NAPI config (defer-hard-irqs). Empty if the kernel has no
# napi-get.
napi_dump() {
	ynl_py "" "$IFINDEX" 2>/dev/null <<'EOF'
req = {"ifindex": int(sys.argv[1])}
napis = nl.dump("napi-get", req)
queues = nl.dump("queue-get", req)
def links(kind):
    return " ".join("%d:%s" % (q["id"], q.get("napi-id", "-"))
                    for q in queues if q["type"] == kind)
if napis:
    print("|".join((" ".join(str(n["id"]) for n in napis), links("rx"),
                    links("tx"),
                    "defer" if "defer-hard-irqs" in napis[0] else "")))
EOF
}

# check_napis N WHAT: N NAPIs, the dump in ID order (either way: the core
# lists them newest first), each queue 0..N-1 (RX and TX) on a NAPI of its
# own, their IDs rising with the queue index (added in queue order), no
# splat; sets IDS and DEFER.
check_napis() {
	local n=$1 what=$2 rx tx sorted prev=0 q id
	IFS='|' read -r IDS rx tx DEFER <<<"$(napi_dump)"
	check_eq "$(wc -w <<<"$IDS")" "$n" "NAPIs after $what"
	sorted=$(tr ' ' '\n' <<<"$IDS" | sort -n | tr '\n' ' ')
	[ "${sorted% }" = "$IDS" ] || [ "$(tr ' ' '\n' <<<"$IDS" | sort -rn | tr '\n' ' ')" = "$IDS " ]
	check_err $? "NAPI dump after $what not in ID order: $IDS"
	check_eq "$rx" "$tx" "RX and TX queues' NAPIs after $what"
	check_eq "$(wc -w <<<"$rx")" "$n" "RX queues after $what"
	for q in $rx; do
		id=${q#*:}
		[[ $id =~ ^[0-9]+$ ]] && [ "$id" -gt "$prev" ] &&
			[[ " $IDS " == *" $id "* ]]
		check_err $? "after $what: queue ${q%%:*}'s NAPI $id is not a new one of the dump in queue order ($rx; dump $IDS)"
		prev=${id:-0}
	done
}

# napi-get came with 6.9: there it must work.
if kernel_before 6 9; then
	log_skip "NAPIs over netdev netlink" "$(uname -r) has no napi-get (6.9+)"
elif [ -z "$YNL" ]; then
	RET=1
	log_test "NAPIs over netdev netlink: no ynl tool or python3 in the image"
elif [ -z "$(napi_dump)" ]; then
	RET=1
	log_test "NAPIs over netdev netlink: napi-get dumps nothing: $(ynl --dump napi-get --json "{\"ifindex\": $IFINDEX}" 2>&1 | tail -n 1)"
else
	RET=0
	dmesg_mark
	check_napis 4 "setup"
	ids4=$IDS
	ethtool -L vnet0 combined 2
	check_err $? "-L combined 2 failed"
	check_napis 2 "-L 4 -> 2"
	ethtool -G vnet0 rx 128 tx 128 && ip link set vnet0 mtu 4000
	check_err $? "-G / MTU failed"
	check_napis 2 "-G and MTU"
	ip link set vnet0 down && ip link set vnet0 up
	check_err $? "down/up failed"
	check_napis 2 "down/up"
	ethtool -L vnet0 combined 4
	check_err $? "-L combined 4 failed"
	check_napis 4 "-L 2 -> 4"
	# NAPI IDs are the queues', kept across all of it (kernels that keep
	# per-NAPI config, which napi-get shows; an older one hands out new
	# IDs)
	if [ "$DEFER" = defer ]; then
		check_eq "$IDS" "$ids4" "NAPI IDs after -L 4 -> 2 -> 4"
	fi
	ip link set vnet0 mtu 1500 && ethtool -G vnet0 rx 256 tx 256
	kernel_splat_check
	check_err $? "kernel log after the dumps"
	log_test "one NAPI per active queue, in ID order, linked to its queues, through -L/-G/MTU/down-up (IDs $IDS)"
fi

# flood_stop_and_ping: end the flood of $FLOOD; then pings must pass.
flood_stop_and_ping() {
	kill "$FLOOD"
	wait "$FLOOD" 2>/dev/null
	FLOOD=
	wait_for 5 eval '[ "$(cat /sys/class/net/vnet0/carrier)" = 1 ]'
	check_eq "$(ns_ping_received "" -c 5 -i 0.02 -W 2 -q "$VNET_PAIR_B")" 5 \
		"pings after"
}

# --- threaded NAPI around -L and down/up, under traffic -----------------------------
# napi_threads: kthreads of vnet0's NAPIs ("napi/vnet0-<id>").
napi_threads() {
	grep -l "^napi/vnet0-" /proc/[0-9]*/comm 2>/dev/null | wc -l
}

# bounded CMD...: CMD (a program, not a function) must finish within 20 s
# (a hang fails the test instead of the whole run, as far as the kernel
# allows).
bounded() {
	timeout 20 "$@"
}

RET=0
ip netns exec "$B" ping -f -q "$VNET_PAIR_A" >/dev/null 2>&1 &
FLOOD=$!
for step in "threaded 1" "-L 2" "threaded 0" "-L 4" "threaded 1" \
	    "down/up" "-L 3" "threaded 0" "down/up" "threaded 1" "-L 1" \
	    "-L 4" "threaded 0"; do
	case $step in
	threaded*) bounded sh -c "echo ${step#* } > $THR" ;;
	-L*) bounded ethtool -L vnet0 combined "${step#* }" ;;
	down/up) bounded ip link set vnet0 down && bounded ip link set vnet0 up ;;
	esac
	check_err $? "'$step' failed or hung"
	[ "$RET" = 0 ] || break
	nq=$(channel_param vnet0 combined)
	if [ "$(cat $THR)" = 1 ] && [ "$step" != down/up ]; then
		wait_for 5 eval '[ "$(napi_threads)" = "$nq" ]'
		check_err $? "after '$step': $(napi_threads) NAPI threads for $nq queues"
	fi
done
flood_stop_and_ping
log_test "threaded NAPI on and off around -L and down/up under a flood: no hang, a thread per active queue"

# Per NAPI (kernels whose napi-set has "threaded"): one NAPI threaded,
# then -L and down/up, then back.
if [ -n "$YNL" ] &&
	ynl --dump napi-get --json "{\"ifindex\": $IFINDEX}" 2>/dev/null |
	grep -q '"threaded"'; then
	RET=0
	ip netns exec "$B" ping -f -q "$VNET_PAIR_A" >/dev/null 2>&1 &
	FLOOD=$!
	IFS='|' read -r id _ <<<"$(napi_dump)"
	id=${id%% *}
	bounded "${YNLCMD[@]}" --do napi-set --json "{\"id\": $id, \"threaded\": \"enabled\"}" >/dev/null
	check_err $? "napi-set threaded enabled on NAPI $id"
	wait_for 5 eval '[ "$(napi_threads)" = 1 ]'
	check_err $? "$(napi_threads) NAPI threads with one NAPI threaded"
	bounded ethtool -L vnet0 combined 2 && bounded ip link set vnet0 down &&
		bounded ip link set vnet0 up && bounded ethtool -L vnet0 combined 4
	check_err $? "-L / down-up with one NAPI threaded failed or hung"
	bounded "${YNLCMD[@]}" --do napi-set --json "{\"id\": $id, \"threaded\": \"disabled\"}" >/dev/null
	check_err $? "napi-set threaded disabled on NAPI $id"
	wait_for 5 eval '[ "$(napi_threads)" = 0 ]'
	check_err $? "$(napi_threads) NAPI threads left"
	flood_stop_and_ping
	log_test "threaded NAPI per NAPI (napi-set) around -L and down/up under a flood"
else
	log_skip "threaded NAPI per NAPI" "$(uname -r) has no threaded attribute in napi-set"
fi

vnet_pair_cleanup
lib_exit
