# SPDX-License-Identifier: GPL-2.0
# Real interrupts: every queue vector is a Linux IRQ of the device's own
# interrupt controller ("vnet" in /proc/interrupts), requested as
# vnetN-TxRx-Q while the interface is up. /proc/interrupts counts exactly
# what the device fired; smp_affinity steers a vector to a CPU, the
# receiver's interrupt runs there whichever CPU sent, and the setting
# survives down/up and -L; irq:irq_handler_entry fires for it; netdev
# netlink reports each NAPI's IRQ.
source /vnet/lib.sh
source /vnet/tests/vnet_common.sh

B=$VNET_NS_B
TRACEFS=/sys/kernel/tracing

# shellcheck disable=SC2317 # called via trap
cleanup() {
	[ -d "$TRACEFS/events/irq" ] && echo 0 >"$TRACEFS/events/irq/irq_handler_entry/enable"
	vnet_pair_cleanup
}
trap cleanup EXIT

# irqs_of DEV: "IRQ:NAME" of DEV's vectors in /proc/interrupts, queue order.
irqs_of() {
	awk -v dev="$1" '$NF ~ "^" dev "-TxRx-" && $(NF - 2) == "vnet" {
		sub(":", "", $1); print $1 ":" $NF }' /proc/interrupts |
		sort -t- -k3n | tr '\n' ' '
}

# irq_num DEV Q: the Linux IRQ of DEV's queue Q vector.
irq_num() {
	awk -v n="$1-TxRx-$2" '$NF == n { sub(":", "", $1); print $1 }' /proc/interrupts
}

# cpu_counts IRQ...: per CPU, the sum of the IRQs' counts ("c0 c1 ...").
cpu_counts() {
	local ncpu
	ncpu=$(nproc)
	awk -v ncpu="$ncpu" -v irqs=" $* " '{ k = $1; sub(":", "", k) }
		index(irqs, " " k " ") { for (c = 0; c < ncpu; c++) s[c] += $(c + 2) }
		END { for (c = 0; c < ncpu; c++) printf "%d ", s[c] }' /proc/interrupts
}

# dev_irqs NS DEV: what the device says it fired, all queues.
dev_irqs() {
	local -A s
	local total=0 k
	ns_stats s "$1" "$2"
	for k in "${!s[@]}"; do
		[[ $k =~ ^queue_[0-9]+_irqs$ ]] && total=$((total + s[$k]))
	done
	echo "$total"
}

# vnet1_irqs: vnet1's IRQ numbers.
vnet1_irqs() {
	local q
	for q in 0 1; do
		irq_num vnet1 "$q"
	done
}

RET=0
vnet_pair_here queues=2
check_err $? "pair setup failed"
log_test "pair with 2 queues, vnet0 here, vnet1 in $B"

# --- one IRQ per vector, named, only while up ---------------------------------------
RET=0
maxq=$(channel_param vnet0 combined max)
irqs=$(irqs_of vnet0)
check_eq "$(wc -w <<<"$irqs")" "$maxq" "vnet0's vectors in /proc/interrupts ($irqs)"
names=
for ((q = 0; q < maxq; q++)); do
	names+=" vnet0-TxRx-$q"
done
got=
for i in $irqs; do
	got+=" ${i#*:}"
done
check_eq "$got" "$names" "vector names"
ip link set vnet0 down
check_eq "$(irqs_of vnet0)" "" "vnet0's IRQs while down"
ip link set vnet0 up
check_eq "$(irqs_of vnet0)" "$irqs" "vnet0's IRQs after up (the same numbers)"
wait_for 5 eval '[ "$(cat /sys/class/net/vnet0/carrier)" = 1 ]'
check_err $? "no carrier after up"
log_test "a Linux IRQ per vector of the 'vnet' controller, named vnet0-TxRx-N, requested only while up ($irqs)"

# --- /proc/interrupts counts what the device fired ----------------------------------
RET=0
v1=$(vnet1_irqs)
before=$(cpu_counts $v1)
dev_before=$(dev_irqs "$B" vnet1)
ping -f -c 2000 -q "$VNET_PAIR_B" >/dev/null 2>&1
after=$(cpu_counts $v1)
dev_after=$(dev_irqs "$B" vnet1)
proc=$(($(tr ' ' '+' <<<"$after"0) - $(tr ' ' '+' <<<"$before"0)))
dev=$((dev_after - dev_before))
[ "$dev" -gt 100 ]
check_err $? "vnet1 fired only $dev interrupts for 2000 pings"
# A message sent while the previous one is still on its way to another
# CPU is one interrupt there (an IPI cannot be queued twice): rare.
[ "$proc" -le "$dev" ] && [ "$proc" -ge $((dev - dev / 100 - 1)) ]
check_err $? "/proc/interrupts counted $proc of vnet1's, the device fired $dev"
log_test "/proc/interrupts counts what the device fired: $proc of $dev interrupts for 2000 pings"

# --- smp_affinity steers the receiver's interrupt -----------------------------------
# steer CPU: every vnet1 vector to CPU, the pings sent from the other
# CPU; only CPU's column may grow.
steer() {
	local cpu=$1 other=$(($1 ? 0 : 1)) irq b a c grew=0
	for irq in $v1; do
		printf '%x\n' $((1 << cpu)) >"/proc/irq/$irq/smp_affinity"
		check_err $? "write smp_affinity of IRQ $irq"
		check_eq "$(cat "/proc/irq/$irq/effective_affinity_list")" "$cpu" \
			"effective affinity of IRQ $irq"
	done
	read -ra b <<<"$(cpu_counts $v1)"
	taskset -c "$other" ping -f -c 1000 -q "$VNET_PAIR_B" >/dev/null 2>&1
	read -ra a <<<"$(cpu_counts $v1)"
	for c in "${!a[@]}"; do
		if [ "$c" = "$cpu" ]; then
			grew=$((a[c] - b[c]))
		else
			check_eq $((a[c] - b[c])) 0 "vnet1 interrupts on CPU $c, steered to CPU $cpu"
		fi
	done
	[ "$grew" -gt 50 ]
	check_err $? "only $grew vnet1 interrupts on CPU $cpu"
	STEERED="$STEERED $grew on CPU $cpu (pings from CPU $other);"
}

if [ "$(nproc)" -lt 2 ]; then
	log_skip "smp_affinity steering" "one CPU"
else
	RET=0
	STEERED=
	steer 1
	steer 0
	log_test "smp_affinity steers vnet1's interrupts, whichever CPU sends:$STEERED"

	# --- the user's affinity survives down/up and -L --------------------------------
	RET=0
	irq=$(irq_num vnet0 1)
	echo 2 >"/proc/irq/$irq/smp_affinity"
	ip link set vnet0 down && ip link set vnet0 up
	check_err $? "down/up failed"
	check_eq "$(cat "/proc/irq/$irq/smp_affinity_list")" 1 "affinity of $irq after down/up"
	ethtool -L vnet0 combined 1 && ethtool -L vnet0 combined "$maxq" &&
		ethtool -L vnet0 combined 2
	check_err $? "-L failed"
	check_eq "$(cat "/proc/irq/$irq/smp_affinity_list")" 1 "affinity of $irq after -L"
	check_eq "$(cat "/proc/irq/$irq/effective_affinity_list")" 1 "effective affinity of $irq after -L"
	log_test "smp_affinity of vnet0-TxRx-1 (IRQ $irq) kept across down/up and -L"
fi

# --- the kernel's IRQ tracepoints ---------------------------------------------------
# Whichever queue RSS picks for the pings: trace all of vnet1's vectors.
RET=0
wait_for 5 eval '[ "$(cat /sys/class/net/vnet0/carrier)" = 1 ]'
filter=
for irq in $v1; do
	filter+="${filter:+ || }irq == $irq"
done
ev=$TRACEFS/events/irq/irq_handler_entry
if [ ! -d "$ev" ]; then
	log_skip "irq:irq_handler_entry" "no tracefs irq events"
else
	echo >"$TRACEFS/trace"
	echo "$filter" >"$ev/filter"
	echo 1 >"$ev/enable"
	ping -c 20 -i 0.01 -q "$VNET_PAIR_B" >/dev/null 2>&1
	echo 0 >"$ev/enable"
	echo 0 >"$ev/filter"
	hits=$(grep -cE "irq=[0-9]+ name=vnet1-TxRx-[0-9]+" "$TRACEFS/trace")
	[ "$hits" -ge 5 ]
	check_err $? "irq:irq_handler_entry fired $hits times for vnet1's vectors on 20 pings"
	log_test "irq:irq_handler_entry fires for vnet1's vectors (IRQs $(echo $v1)): $hits times for 20 pings"
fi

# --- netdev netlink reports each NAPI's IRQ -----------------------------------------
# napi_irqs: "queue:irq" of vnet0's RX queues as netlink links them.
napi_irqs() {
	ynl_py "" "$(cat /sys/class/net/vnet0/ifindex)" 2>/dev/null <<'EOF'
req = {"ifindex": int(sys.argv[1])}
irq = {n["id"]: n.get("irq", "-") for n in nl.dump("napi-get", req)}
print(" ".join("%d:%s" % (q["id"], irq.get(q.get("napi-id"), "-"))
               for q in nl.dump("queue-get", req) if q["type"] == "rx"))
EOF
}

if kernel_before 6 9; then
	log_skip "NAPI IRQs over netdev netlink" "$(uname -r) has no napi-get (6.9+)"
else
	RET=0
	ynl_unpack
	check_err $? "no ynl tool"
	want="0:$(irq_num vnet0 0) 1:$(irq_num vnet0 1)"
	check_eq "$(napi_irqs)" "$want" "queue:irq over netlink"
	ethtool -L vnet0 combined 1
	check_eq "$(napi_irqs)" "0:$(irq_num vnet0 0)" "queue:irq after -L 1"
	ethtool -L vnet0 combined 2
	check_eq "$(napi_irqs)" "$want" "queue:irq after -L 2"
	log_test "napi-get reports each queue's NAPI IRQ, through -L ($want)"
fi

vnet_pair_cleanup
lib_exit
