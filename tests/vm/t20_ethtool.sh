# SPDX-License-Identifier: GPL-2.0
# ethtool -i/-g/-G/-c/-C and MTU: set, read back, reject, still passes data.
source /vnet/lib.sh
source /vnet/tests/vnet_common.sh

vnet_setup || { log_test "setup" 1 "vnet0 did not come up"; lib_exit; }
vnet_static_peer

RET=0
info=$(ethtool -i vnet0)
grep -qx "driver: vnet" <<<"$info"
check_err $? "driver name: $info"
grep -qx "bus-info: vnethw.0" <<<"$info"
check_err $? "bus-info: $info"
log_test "ethtool -i"

RET=0
check_eq "$(ring_param vnet0 rx)" 256 "default rx ring"
check_eq "$(ring_param vnet0 tx)" 256 "default tx ring"
check_eq "$(ring_param vnet0 rx max)" 4096 "max rx ring"
check_eq "$(ring_param vnet0 tx max)" 4096 "max tx ring"
log_test "ethtool -g defaults and maximums"

RET=0
tx_before=$(ethtool_stat vnet0 tx_packets)
for sz in 64 4096 1024 128; do
	ethtool -G vnet0 rx $sz tx $sz
	check_err $? "ethtool -G rx/tx $sz failed"
	check_eq "$(ring_param vnet0 rx)" $sz "rx ring after -G $sz"
	check_eq "$(ring_param vnet0 tx)" $sz "tx ring after -G $sz"
	got=$(ping_received -c 20 -i 0.002 -W 2 -q $VNET_PEER)
	check_eq "$got" 20 "replies with rings of $sz"
done
# Counters live outside the rings: they survive every reallocation.
wait_for 5 eval '[ "$(stat_delta tx_packets "$tx_before")" -ge 80 ]'
check_err $? "tx_packets went backwards or lost counts across -G"
log_test "ethtool -G set, read back, traffic flows, counters survive"

RET=0
for bad in 100 32 63 8192; do
	out=$(ethtool -G vnet0 rx $bad 2>&1)
	check_fail $? "ethtool -G rx $bad accepted"
done
out=$(ethtool -G vnet0 tx 100 2>&1)
check_fail $? "ethtool -G tx 100 accepted"
grep -q "power of two from 64 to 4096" <<<"$out"
check_err $? "no extack message naming the limit: $out"
check_eq "$(ring_param vnet0 rx)" 128 "rx ring changed by a rejected -G"
check_eq "$(ring_param vnet0 tx)" 128 "tx ring changed by a rejected -G"
log_test "ethtool -G rejects out-of-range sizes with extack"

RET=0
ip link set vnet0 down
ethtool -G vnet0 rx 512 tx 512
check_err $? "ethtool -G while down failed"
ip link set vnet0 up
wait_for 5 grep -qx 1 /sys/class/net/vnet0/carrier
check_eq "$(ring_param vnet0 rx)" 512 "rx ring set while down"
check_eq "$(ping_received -c 5 -i 0.01 -W 2 -q $VNET_PEER)" 5 "replies"
log_test "ethtool -G while down applies at next open"

RET=0
check_eq "$(coalesce_param vnet0 rx-usecs)" 50 "default rx-usecs"
check_eq "$(coalesce_param vnet0 tx-usecs)" 50 "default tx-usecs"
out=$(ethtool -C vnet0 rx-usecs 5000 2>&1)
check_fail $? "rx-usecs 5000 accepted"
grep -q "device limit of 4095" <<<"$out"
check_err $? "no extack message naming the limit: $out"
check_eq "$(coalesce_param vnet0 rx-usecs)" 50 "rx-usecs after rejected -C"
log_test "ethtool -c defaults, -C rejects values beyond the ITR field"

# The interrupt delay really programs the hrtimer: with both causes
# delayed by 3 ms no reply can arrive sooner; with 0 the IRQ is immediate.
RET=0
ethtool -C vnet0 adaptive-rx off rx-usecs 3000 tx-usecs 3000
check_err $? "ethtool -C rx-usecs 3000 failed"
check_eq "$(coalesce_param vnet0 rx-usecs)" 3000 "rx-usecs read back"
out=$(ping -c 10 -i 0.02 -W 2 -q $VNET_PEER)
min=$(sed -n 's|.* = \([0-9.]*\)/.*|\1|p' <<<"$out")
awk -v m="$min" 'BEGIN { exit !(m >= 3.0) }'
check_err $? "min RTT $min ms with a 3 ms interrupt delay"
ethtool -C vnet0 rx-usecs 0 tx-usecs 0
before=$(ethtool_stat vnet0 irqs)
out=$(ping -c 10 -i 0.02 -W 2 -q $VNET_PEER)
# The minimum: one scheduling hiccup of a busy host moves the average.
min0=$(sed -n 's|.* = \([0-9.]*\)/.*|\1|p' <<<"$out")
avg=$(sed -n 's|.* = [0-9.]*/\([0-9.]*\)/.*|\1|p' <<<"$out")
awk -v m="$min0" 'BEGIN { exit !(m < 3.0) }'
check_err $? "min RTT $min0 ms with the interrupt delay off"
[ "$(stat_delta irqs "$before")" -ge 10 ]
check_err $? "fewer IRQs than replies with moderation off"
log_test "ethtool -C rx-usecs drives the IRQ timer (3 ms: min $min ms, 0: min $min0 ms, avg $avg ms)"
coalesce_defaults "" vnet0

RET=0
for mtu in 68 576 1500 9000 1000; do
	ip link set vnet0 mtu $mtu
	check_err $? "mtu $mtu rejected"
	check_eq "$(cat /sys/class/net/vnet0/mtu)" $mtu "mtu read back"
	got=$(ping_received -c 3 -i 0.01 -W 2 -q -M do -s $((mtu - 28)) $VNET_PEER)
	check_eq "$got" 3 "DF pings of $((mtu - 28)) bytes at mtu $mtu"
done
ip link set vnet0 mtu 9001 2>/dev/null
check_fail $? "mtu 9001 accepted"
ip link set vnet0 mtu 67 2>/dev/null
check_fail $? "mtu 67 accepted"
check_eq "$(cat /sys/class/net/vnet0/mtu)" 1000 "mtu after rejected changes"
log_test "MTU 68..9000 changes live (DF pings at each), out-of-range rejected"

vnet_unload
lib_exit
