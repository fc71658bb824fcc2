# SPDX-License-Identifier: GPL-2.0
# qstats (netdev netlink qstats-get, 6.9+): per queue and per device, on
# both ports of a pair after TCP (TSO) and ping traffic. The device's
# totals equal stats64 and ethtool -S; each queue's counters equal its
# ethtool -S counters; every counter vnet claims is reported; totals stay
# the same across -L (the base holds what the queues -L removed counted).
source /vnet/lib.sh
source /vnet/tests/vnet_common.sh

A=$VNET_NS_A
B=$VNET_NS_B

trap vnet_pair_cleanup EXIT

# qstats_check NS DEV: "OK <totals>" or the mismatches, one a line.
qstats_check() {
	ynl_py "$1" "$2" <<'EOF'
import json, subprocess
dev = sys.argv[1]
ip = json.loads(subprocess.check_output(["ip", "-j", "-s", "link", "show",
                                         "dev", dev]))[0]
ifindex, link = ip["ifindex"], ip["stats64"]
ethtool = {}
for line in subprocess.check_output(["ethtool", "-S", dev], text=True).split("\n"):
    k, _, v = line.strip().partition(": ")
    if v.isdigit():
        ethtool[k] = int(v)
total = [s for s in nl.dump("qstats-get", {}) if s["ifindex"] == ifindex]
queues = nl.dump("qstats-get", {"ifindex": ifindex, "scope": "queue"})
bad = []
def eq(what, got, want):
    if got != want:
        bad.append("%s: qstats %s, expected %s" % (what, got, want))
if len(total) != 1:
    print("no device qstats for %s: %s" % (dev, total))
    sys.exit(0)
t = total[0]
for k in ("rx-packets", "rx-bytes", "rx-alloc-fail", "rx-hw-drops",
          "rx-hw-drop-overruns", "rx-csum-none", "tx-packets", "tx-bytes",
          "tx-hw-drops", "tx-hw-drop-errors", "tx-needs-csum",
          "tx-hw-gso-packets", "tx-hw-gso-wire-packets", "tx-stop",
          "tx-wake"):
    if k not in t:
        bad.append("%s not reported" % k)
for d in ("rx", "tx"):
    for k in ("packets", "bytes"):
        eq("device %s-%s vs stats64" % (d, k), t.get("%s-%s" % (d, k)),
           link[d][k])
eq("device rx-hw-drop-overruns vs hw_rx_missed", t.get("rx-hw-drop-overruns"),
   ethtool["hw_rx_missed"])
eq("device tx-hw-gso-wire-packets vs hw_tx_tso_segs",
   t.get("tx-hw-gso-wire-packets"), ethtool["hw_tx_tso_segs"])
pairs = {"rx-packets": "rx_%s_packets", "rx-bytes": "rx_%s_bytes",
         "rx-alloc-fail": "rx_%s_alloc_fail", "rx-csum-none": "rx_%s_csum_none",
         "rx-csum-complete": "rx_%s_csum_complete",
         "rx-csum-unnecessary": "rx_%s_csum_unnecessary",
         "rx-csum-bad": "rx_%s_csum_bad",
         "tx-packets": "tx_%s_packets", "tx-bytes": "tx_%s_bytes",
         "tx-stop": "tx_%s_stops", "tx-wake": "tx_%s_wakes",
         "tx-needs-csum": "tx_%s_needs_csum", "tx-hw-gso-packets": "tx_%s_tso"}
for k, name in pairs.items():
    if k in t:
        eq("device %s" % k, t[k], ethtool[name.replace("_%s", "")])
ids = {"rx": [], "tx": []}
for q in queues:
    ids[q["queue-type"]].append(q["queue-id"])
    for k, name in pairs.items():
        if k.startswith(q["queue-type"]) and k in q:
            eq("queue %d %s" % (q["queue-id"], k), q[k],
               ethtool[name % ("queue_%d" % q["queue-id"])])
# ethtool -S has queue_<n>_irqs for each active queue
nq = len([k for k in ethtool if k.startswith("queue_") and k.endswith("_irqs")])
for d in ("rx", "tx"):
    eq("%s queues reported" % d, sorted(ids[d]), list(range(nq)))
if bad:
    print("\n".join(bad))
else:
    print("OK rx %d/%d tx %d/%d gso %d->%d stop %d wake %d csum-none %d" % (
        t["rx-packets"], t["rx-bytes"], t["tx-packets"], t["tx-bytes"],
        t["tx-hw-gso-packets"], t["tx-hw-gso-wire-packets"], t["tx-stop"],
        t["tx-wake"], t["rx-csum-none"]))
EOF
}

if kernel_before 6 9; then
	log_skip "qstats" "$(uname -r) has no qstats-get (6.9+)"
	lib_exit
fi

RET=0
ynl_unpack
check_err $? "no ynl tool"
vnet_pair_setup queues=2
check_err $? "pair setup failed"
log_test "pair with 2 queues, vnet0 in $A, vnet1 in $B"

# check_both WHAT: qstats of both ports agree with their other counters.
check_both() {
	local out
	for p in "$A vnet0" "$B vnet1"; do
		# shellcheck disable=SC2086 # NS DEV
		out=$(qstats_check $p 2>&1)
		[[ $out == OK* ]]
		check_err $? "${p#* } $1: $out"
		QS="$QS ${p#* }: ${out#OK }."
	done
}

RET=0
QS=
pair_iperf3 /tmp/qs.json -n 4M
check_err $? "$IPERF_MSG"
nsx "$A" ping -c 50 -i 0.01 -q "$VNET_PAIR_B" >/dev/null
check_err $? "pings failed"
check_both "after traffic"
log_test "qstats agree with stats64 and ethtool -S, per device and per queue:$QS"

RET=0
QS=
before=$(qstats_check "$A" vnet0)
nsx "$A" ethtool -L vnet0 combined 1 && nsx "$B" ethtool -L vnet1 combined 1
check_err $? "-L combined 1 failed"
check_both "after -L 1"
check_eq "$(qstats_check "$A" vnet0)" "$before" "vnet0's totals across -L 2 -> 1"
nsx "$A" ping -c 20 -i 0.01 -q "$VNET_PAIR_B" >/dev/null
check_err $? "pings after -L failed"
nsx "$A" ethtool -L vnet0 combined 2 && nsx "$B" ethtool -L vnet1 combined 2
check_err $? "-L combined 2 failed"
check_both "after -L 1 -> 2 and pings"
log_test "qstats totals kept across -L 2 -> 1 -> 2 (the base counts removed queues):$QS"

vnet_pair_cleanup
lib_exit
