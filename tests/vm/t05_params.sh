# SPDX-License-Identifier: GPL-2.0
# Module parameters: mode=reflect|pair, ports=N, queues=N, rsc_usecs=N.
# Bad values make insmod fail with EINVAL and a "vnet:" line in dmesg; good
# ones create the expected netdevs, cabled as the mode says.
source /vnet/lib.sh
source /vnet/tests/vnet_common.sh

# shellcheck disable=SC2317 # called via trap
cleanup() {
	vnet_loaded && rmmod vnet
}
trap cleanup EXIT

# nports: how many vnetN netdevs exist.
nports() {
	local n=0
	while [ -e "/sys/class/net/vnet$n" ]; do
		n=$((n + 1))
	done
	echo $n
}

# load_ports N PARAMS...: insmod vnet with PARAMS, check that exactly
# vnet0..vnet<N-1> appear.
load_ports() {
	local n=$1
	shift
	vnet_load "$@"
	check_err $? "insmod $* failed"
	vnet_wait_ports "$n"
	check_err $? "vnet0..vnet$((n - 1)) did not appear"
	check_eq "$(nports)" "$n" "netdevs with $*"
}

# port_carrier N: vnetN's carrier (0 when the interface is down).
port_carrier() {
	cat "/sys/class/net/vnet$1/carrier" 2>/dev/null || echo 0
}

# --- bad values ---------------------------------------------------------------
# name in the dmesg line, then the parameters
bad_params=(
	"mode|mode=foo"
	"ports|ports=0"
	"ports|mode=pair ports=3"
	"ports|ports=9"
	"ports|mode=pair ports=10"
	"queues|queues=0"
	"queues|queues=9"
	"rsc_usecs|rsc_usecs=65536"
	"rsc_usecs|rsc_usecs=-1"
	"rsc_usecs|rsc_usecs=soon"
)
for entry in "${bad_params[@]}"; do
	RET=0
	word=${entry%%|*}
	# shellcheck disable=SC2206 # word splitting wanted: insmod arguments
	params=(${entry#*|})
	dmesg_mark
	out=$(insmod "$VNET_KO" "${params[@]}" 2>&1)
	check_fail $? "insmod ${params[*]} succeeded"
	# kmod prints EINVAL as "Invalid parameters"
	grep -qE "Invalid (parameters|argument)" <<<"$out"
	check_err $? "insmod did not fail with EINVAL: $out"
	vnet_loaded
	check_fail $? "module loaded after a failed insmod"
	[ -e /sys/class/net/vnet0 ]
	check_fail $? "vnet0 exists after a failed insmod"
	# the first load also logs "vnet: loading out-of-tree module taints
	# kernel.": look for the line that names the parameter
	lines=$(dmesg | tail -n +"$((VNET_DMESG_MARK + 1))" |
		sed -n 's/^\[ *[0-9.]*\] //p' | grep '^vnet: ')
	line=$(grep -m1 "$word" <<<"$lines")
	[ -n "$line" ]
	check_err $? "no dmesg line starting 'vnet:' that names '$word': ${lines:-none}"
	vnet_loaded && rmmod vnet
	log_test "insmod ${params[*]} refused (${line:-no message})"
done

# --- good values --------------------------------------------------------------
RET=0
vnet_setup
check_err $? "vnet0 did not come up"
check_eq "$(nports)" 1 "netdevs with no parameters"
check_eq "$(channel_param vnet0 combined)" 1 "default combined channels"
vnet_static_peer
check_eq "$(ping_received -c 3 -i 0.05 -W 2 -q $VNET_PEER)" 3 "reflector replies"
vnet_unload
log_test "default: mode=reflect, one port, one queue, reflector answers"

RET=0
load_ports 3 mode=reflect ports=3 queues=2
declare -A before after
for p in 0 1 2; do
	dev=vnet$p
	echo 1 >"/proc/sys/net/ipv6/conf/$dev/disable_ipv6"
	ip addr add "10.0.$p.1/24" dev $dev
	ip link set $dev up
	check_eq "$(channel_param $dev combined)" 2 "$dev combined channels"
done
wait_for 5 eval '[ "$(port_carrier 0)$(port_carrier 1)$(port_carrier 2)" = 111 ]'
check_err $? "carriers $(port_carrier 0)$(port_carrier 1)$(port_carrier 2), expected 111"
# Each port has its own link partner: only the port pinged counts a reply.
for p in 0 1 2; do
	for q in 0 1 2; do
		before[$q]=$(ethtool_stat vnet$q reflect_icmp_reply)
	done
	got=$(ping_received -c 2 -i 0.05 -W 2 -q "10.0.$p.2")
	check_eq "$got" 2 "replies from the partner of vnet$p"
	for q in 0 1 2; do
		after[$q]=$(ethtool_stat vnet$q reflect_icmp_reply)
		exp=0
		[ $q = $p ] && exp=2
		check_eq $((after[$q] - before[$q])) $exp \
			"vnet$q reflect_icmp_reply delta while pinging via vnet$p"
	done
done
vnet_unload
log_test "mode=reflect ports=3 queues=2: three ports, each its own partner"

# Cabling by carrier: a port has carrier only while its own peer is up.
RET=0
load_ports 4 mode=pair ports=4
for p in 0 1 2 3; do
	echo 1 >"/proc/sys/net/ipv6/conf/vnet$p/disable_ipv6"
done
carriers() {
	echo "$(port_carrier 0)$(port_carrier 1)$(port_carrier 2)$(port_carrier 3)"
}
ip link set vnet0 up && ip link set vnet2 up
check_err $? "link up failed"
# nothing to wait for: carrier must stay off; give a wrong cable a chance
wait_for 1 eval '[ "$(carriers)" != 0000 ]'
check_eq "$(carriers)" 0000 "carriers with vnet0, vnet2 up"
ip link set vnet1 up
wait_for 5 eval '[ "$(carriers)" = 1100 ]'
check_eq "$(carriers)" 1100 "carriers with vnet0..2 up (vnet0<->vnet1)"
ip link set vnet3 up
wait_for 5 eval '[ "$(carriers)" = 1111 ]'
check_eq "$(carriers)" 1111 "carriers with all up"
ip link set vnet2 down
wait_for 5 eval '[ "$(carriers)" = 1100 ]'
check_eq "$(carriers)" 1100 "carriers with vnet2 down (vnet2<->vnet3)"
vnet_unload
log_test "mode=pair ports=4: vnet0<->vnet1, vnet2<->vnet3 (by carrier)"

RET=0
load_ports 8 mode=pair ports=8 queues=8
check_eq "$(channel_param vnet7 combined)" 8 "vnet7 combined channels"
check_eq "$(ls -d /sys/class/net/vnet7/queues/tx-* | wc -l)" 8 "vnet7 TX queues"
check_eq "$(ls -d /sys/class/net/vnet7/queues/rx-* | wc -l)" 8 "vnet7 RX queues"
vnet_unload
log_test "mode=pair ports=8 queues=8: the maximums load"

RET=0
load_ports 2 mode=pair
vnet_unload
log_test "mode=pair defaults to two ports"

lib_exit
