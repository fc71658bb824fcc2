# SPDX-License-Identifier: GPL-2.0
# The kernel's own NIC driver selftests against vnet, in the VM (run by
# scripts/ksft.sh through tests/vm/run.sh). The suite comes built, as the
# tarball ksft.tar (tools/testing/selftests installed: drivers/net,
# drivers/net/hw, net/lib); each of its drivers/net/*.py and hw/*.py runs
# with python3 against a fresh vnet pair (mode=pair queues=2, vnet0 here as
# 192.0.2.1/24 and 2001:db8::1/64, vnet1 in netns "remote" as .2 and ::2),
# the setup drivers/net/README.rst describes for a real NIC. Each file's
# KTAP output goes to the console between "### KSFT BEGIN <file>" and
# "### KSFT END <file> rc=N time=S"; ksft_eval.py then compares every case
# with expect.txt and prints one TEST line per file.
#
# ksft.env (written by scripts/ksft.sh) may set KSFT_TIMEOUT (seconds per
# file, default 300), KSFT_ONLY (run just these files, e.g. "stats.py
# hw/irq.py") and KSFT_NOT_RUN (files not to run: "file|reason" a line).
# shellcheck shell=bash disable=SC1091 # the guest's files
source /vnet/lib.sh
source /vnet/tests/vnet_common.sh

T=/vnet/tests
K=/tmp/ksft
SUITE=$K/suite
KSFT_TIMEOUT=300
KSFT_ONLY=
KSFT_NOT_RUN=
# shellcheck disable=SC1091 # written by scripts/ksft.sh
[ -f $T/ksft.env ] && source $T/ksft.env

NS=remote
LOCAL_V4=192.0.2.1
REMOTE_V4=192.0.2.2
LOCAL_V6=2001:db8::1
REMOTE_V6=2001:db8::2
# the netkit tests' (NetDrvContEnv) container addresses
LOCAL_PREFIX_V6=2001:db8:2::/64

# pair_down: unload vnet and delete the remote netns (safe to repeat).
pair_down() {
	vnet_loaded && vnet_unload
	ip netns del "$NS" 2>/dev/null
	return 0
}

# pair_up QUEUES: a fresh pair with QUEUES queues. IPv6 addresses survive
# the link going down (several tests take it down and up) and skip DAD, as
# the suite's own netdevsim setup does.
pair_up() {
	local ns
	pair_down
	# rx-gro-hw aggregates wait for a queue idle 30 ms: under TCG gro.c's
	# raw socket puts more than 50 us (the default) between the frames
	# the hw_* cases expect coalesced, and gro_hw.py's 512 flows (of two
	# segments, the first of each, then the second) take tens of
	# milliseconds; a sender at line rate does not.
	vnet_load mode=pair queues="$1" rsc_usecs=30000 &&
		vnet_wait_ports 2 || return 1
	ip netns add "$NS" && ip link set vnet1 netns "$NS" || return 1
	for ns in "" "$NS"; do
		nsx "$ns" sysctl -qw net.ipv6.conf.all.keep_addr_on_down=1 \
			net.ipv6.conf.default.keep_addr_on_down=1 || return 1
	done
	sysctl -qw net.ipv6.conf.vnet0.keep_addr_on_down=1 &&
		ip -n "$NS" link set lo up &&
		ip -n "$NS" link set vnet1 up &&
		ip -n "$NS" addr add "$REMOTE_V4/24" dev vnet1 &&
		ip -n "$NS" -6 addr add "$REMOTE_V6/64" dev vnet1 nodad &&
		ip -n "$NS" -6 route add "$LOCAL_PREFIX_V6" via "$LOCAL_V6" &&
		ip addr add "$LOCAL_V4/24" dev vnet0 &&
		ip -6 addr add "$LOCAL_V6/64" dev vnet0 nodad &&
		ip link set vnet0 up || return 1
	wait_for 10 grep -qx 1 /sys/class/net/vnet0/carrier
}

# not_run FILE: the reason FILE is not to run (KSFT_NOT_RUN), if any.
not_run() {
	local f r
	while IFS='|' read -r f r; do
		[ "$f" = "$1" ] && { echo "$r"; return 0; }
	done <<<"$KSFT_NOT_RUN"
	return 1
}

# shellcheck disable=SC2034 # lib.sh's check_err and log_test read it
RET=0
mkdir -p $K/bin $SUITE $K/out
: >$K/all.log
tar -C $SUITE -xf $T/ksft.tar
check_err $? "cannot unpack $T/ksft.tar"
# ethtool, if the suite needs a newer one than the image's (scripts/ksft.sh)
[ ! -x $T/ksft-ethtool ] || cp $T/ksft-ethtool $K/bin/ethtool
export PATH=$K/bin:$PATH
# netpoll_basic configures netconsole through configfs
modprobe configfs 2>/dev/null
grep -q ' /sys/kernel/config ' /proc/mounts ||
	mount -t configfs configfs /sys/kernel/config
check_err $? "cannot mount configfs"
# what the tests' tc commands use (tests/vm/mkinitramfs.sh has them)
for m in sch_fq sch_etf sch_mqprio sch_prio sch_ingress cls_bpf cls_fw \
	cls_flower cls_matchall act_bpf act_skbedit; do
	modprobe "$m" || check_err 1 "modprobe $m failed"
done

# drivers/net and drivers/net/hw's python tests, as the suite lists them
files=$(sed -n 's|^drivers/net\(/hw\)\{0,1\}:\(.*\.py\)$|\1/\2|p' \
	$SUITE/kselftest-list.txt | sed 's|^/||')
if [ -n "$KSFT_ONLY" ]; then
	files=$(for f in $files; do
		[[ " $KSFT_ONLY " == *" $f "* ]] && echo "$f"
	done)
else
	# the whole suite: expect.txt's entries for a file not in it are stale
	echo "### KSFT FILES ${files//$'\n'/ }" | tee -a $K/all.log
fi
[ -n "$files" ]
check_err $? "no drivers/net python test in the suite${KSFT_ONLY:+ matches \"$KSFT_ONLY\"}"
log_test "ksft: suite unpacked, configfs and qdisc modules ready ($(ethtool --version))"

for f in $files; do
	log=$K/out/${f//\//_}.log
	if reason=$(not_run "$f"); then
		printf '### KSFT NOTRUN %s %s\n' "$f" "$reason" | tee -a $K/all.log
		continue
	fi
	t0=$SECONDS
	# on the console only: where a hang of the whole guest was
	echo "### KSFT START $f"
	# A queue per CPU, as drivers default to (rss_ctx.py's key and table
	# case wants 3: see expect.txt).
	if ! pair_up 2 >"$log" 2>&1; then
		{
			echo "### KSFT BEGIN $f"
			cat "$log"
			echo "### KSFT END $f rc=setup time=0"
		} | tee -a $K/all.log
		continue
	fi
	(
		cd "$SUITE/drivers/net/$(dirname "$f")" || exit 1
		export NETIF=vnet0 LOCAL_V4 REMOTE_V4 LOCAL_V6 REMOTE_V6 \
			REMOTE_TYPE=netns REMOTE_ARGS=$NS \
			LOCAL_PREFIX_V6=$LOCAL_PREFIX_V6 KSFT_MACHINE_SLOW=1
		# timeout leads a process group of its own: what the test
		# leaves behind dies with it below
		exec timeout -k 10 "$KSFT_TIMEOUT" python3 "./${f##*/}" </dev/null
	) >>"$log" 2>&1 &
	pid=$!
	wait $pid
	rc=$?
	kill -KILL -- -$pid 2>/dev/null
	{
		echo "### KSFT BEGIN $f"
		cat "$log"
		echo "### KSFT END $f rc=$rc time=$((SECONDS - t0))"
	} | tee -a $K/all.log
done
pair_down

python3 $T/ksft_eval.py --expect $T/expect.txt --kernel "$(uname -r)" \
	$K/all.log
