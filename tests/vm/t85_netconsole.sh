# SPDX-License-Identifier: GPL-2.0
# netconsole over a vnet port. netpoll calls ndo_start_xmit with interrupts
# off, from process context and from hard-irq context, where the device
# must not take the locks its other paths take with only bottom halves
# off: the hard IRQ may have interrupted them on this very CPU. Messages
# printed from both contexts arrive in the peer's netns; with floods on the
# pair at the same time nothing deadlocks, and the debug kernel's lockdep
# stays quiet (the harness fails the run on any report).
source /vnet/lib.sh
source /vnet/tests/vnet_common.sh

B=$VNET_NS_B
PORT=6666
LOG=/tmp/netcons.log
PRINTK_KO=/vnet/tests/vnet_printk.ko

# shellcheck disable=SC2317 # called via trap
cleanup() {
	[ -e /sys/module/netconsole ] && rmmod netconsole
	[ -e /sys/module/vnet_printk ] && rmmod vnet_printk
	[ -n "${RCV:-}" ] && kill "$RCV" 2>/dev/null
	[ -n "${RMEM_MAX:-}" ] && sysctl -qw net.core.rmem_max="$RMEM_MAX"
	vnet_pair_cleanup
}
trap cleanup EXIT

# vnet0 stays here, where netconsole binds; vnet1 listens in $B.
RET=0
vnet_pair_here queues=2
check_err $? "pair setup failed"
: >"$LOG"
# A socket buffer for the flood below (3300 messages in well under a
# second): a receiver that falls behind drops, counted in RcvbufErrors.
RMEM_MAX=$(sysctl -n net.core.rmem_max)
sysctl -qw net.core.rmem_max=8388608
nsx "$B" sysctl -qw net.core.rmem_max=8388608 2>/dev/null
ip netns exec "$B" socat -u "UDP4-RECV:$PORT,bind=$VNET_PAIR_B,rcvbuf=8388608" \
	"OPEN:$LOG,creat,append" &
RCV=$!
wait_for 5 nsx "$B" grep -q ":$(printf %04X $PORT) " /proc/net/udp
check_err $? "socat does not listen on UDP $PORT in $B"
dmesg_mark
modprobe netconsole \
	"netconsole=6665@$VNET_PAIR_A/vnet0,$PORT@$VNET_PAIR_B/$(ns_mac "$B" vnet1)"
check_err $? "modprobe netconsole failed"
dmesg | tail -n +"$((VNET_DMESG_MARK + 1))" | grep -q "netconsole: network logging started"
check_err $? "netconsole did not start logging on vnet0"
log_test "netconsole on vnet0, received by socat in $B"

# received PATTERN: lines of the netconsole log that match PATTERN.
received() {
	grep -c -- "$1" "$LOG"
}

RET=0
# The console shows messages below loglevel 4 (the guest's command line).
for i in $(seq 200); do
	echo "<3>vnet_netcons: process $i of 200" >/dev/kmsg
done
wait_for 10 eval '[ "$(received "vnet_netcons: process ")" -ge 200 ]'
check_eq "$(received "vnet_netcons: process ")" 200 "messages received"
check_eq "$(received "vnet_netcons: process 200 of 200")" 1 "last message"
log_test "netconsole: 200 messages printed from process context arrive"

RET=0
if [ -f "$PRINTK_KO" ]; then
	dmesg_mark
	insmod "$PRINTK_KO" count=200 interval_us=500
	check_err $? "insmod vnet_printk failed"
	rmmod vnet_printk
	hard=$(dmesg | tail -n +"$((VNET_DMESG_MARK + 1))" |
		sed -n 's/.*vnet_printk: \([0-9]*\) of 200 messages from hard-irq.*/\1/p')
	# the self-IPIs at least; an idle CPU may run a call IPI itself
	[ "${hard:-0}" -ge 100 ]
	check_err $? "only '$hard' of 200 messages printed in hard-irq context"
	wait_for 10 eval '[ "$(received "vnet_printk: message ")" -ge 200 ]'
	check_eq "$(received "vnet_printk: message ")" 200 "messages received"
	check_eq "$(received "vnet_printk: message .* from hardirq")" "$hard" \
		"hard-irq messages received"
	log_test "netconsole: 200 messages printed from IPIs arrive, $hard of them from hard-irq context"
else
	log_test "netconsole from hard-irq context" 1 "no $PRINTK_KO"
fi

RET=0
# Both directions flooded while messages go out from both contexts: the
# hard IRQs land inside the TX and RX engines' locked sections.
: >"$LOG"
miss_b=$(ns_stat "$B" vnet1 hw_rx_missed)
rcvbuf_b=$(ns_snmp "$B" Udp RcvbufErrors)
ping -f -q "$VNET_PAIR_B" >/dev/null 2>&1 &
f1=$!
ip netns exec "$B" ping -f -q "$VNET_PAIR_A" >/dev/null 2>&1 &
f2=$!
insmod "$PRINTK_KO" count=3000 interval_us=50 &&
	rmmod vnet_printk
check_err $? "vnet_printk under floods failed"
for i in $(seq 300); do
	echo "<3>vnet_netcons: flood $i of 300" >/dev/kmsg
done
kill "$f1" "$f2"
wait "$f1" "$f2"
# A frame may meet a full RX ring on vnet1: then it is counted there (with
# the flood's, which it does not tell apart); or socat's full socket
# buffer: Udp RcvbufErrors. Nothing else may lose one.
want=3300
wait_for 10 eval '[ $(($(received "vnet_printk: message") + $(received "vnet_netcons: flood "))) -ge $want ]'
got=$(($(received "vnet_printk: message") + $(received "vnet_netcons: flood ")))
missed=$(($(ns_stat "$B" vnet1 hw_rx_missed) - miss_b))
rcvbuf=$(($(ns_snmp "$B" Udp RcvbufErrors) - rcvbuf_b))
[ "$got" -eq $want ] || [ $((want - got)) -le $((missed + rcvbuf)) ]
check_err $? "$got of $want messages arrived; vnet1 missed $missed frames, socat's socket dropped $rcvbuf"
check_eq "$(ns_ping_received "" -c 5 -i 0.01 -W 2 -q "$VNET_PAIR_B")" 5 \
	"pings after"
log_test "netconsole under floods both ways: $got of $want messages arrive (vnet1 missed $missed frames, socket drops $rcvbuf), no deadlock"

rmmod netconsole
kill "$RCV" 2>/dev/null
wait "$RCV" 2>/dev/null
RCV=
vnet_pair_cleanup
lib_exit
