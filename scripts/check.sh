#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: unit tests, then for every kernel of the matrix a W=1 build,
# the VM suite and the kernel's own NIC driver selftests (scripts/ksft.sh).
# Ends with "N passed, N failed"; exits non-zero on a failure.
#
#   scripts/check.sh --vm-tests   print the VM test list (check-debug.sh)
#   scripts/check.sh --vm-files   print the files those tests need, but for
#                                 build/<kver>/kmod/vnet_printk.ko
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

# /usr/sbin/ethtool: Debian 12's own (6.1), for t58 on 6.1: the Debian 13
# ethtool of the image sets input_xfrm in -X, which 6.1 refuses.
files="tests/vm/vnet_common.sh tests/vm/tools/vnet_txring tests/vm/tools/vnet_inject tests/vm/tools/vnet_tcpx tests/vm/tools/vnet_failnth tests/vm/tools/vnet_xsk tests/vm/tools/vnet_xdp.bpf.o tests/vm/tools/vnet_xdp_fwd.bpf.o $(echo bench/bpftrace/*.bt) /usr/sbin/ethtool"
tests="t00_smoke.sh t05_params.sh t10_ping.sh t20_ethtool.sh t30_stress.sh t40_pair.sh t50_channels.sh t55_napi.sh t56_irq.sh t57_qstats.sh t58_rss.sh t60_coalesce.sh t70_offloads.sh t71_xdp.sh t72_xsk.sh t73_xdp_fwd.sh t80_jumbo.sh t85_netconsole.sh t90_trace.sh t95_faults.sh t96_hostile.sh t97_reconfig.sh t98_failinject.sh"
case "${1:-}" in
--vm-tests) echo "$tests"; exit 0 ;;
--vm-files) echo "$files $(bash scripts/ynl.sh)"; exit 0 ;;
esac
files="$files $(bash scripts/ynl.sh)"

pass=0
fail=0
t_start=$SECONDS
# stage NAME T0: how long a stage took, for .ci/run's log and README.
stage() {
	echo "### STAGE $1: $((SECONDS - $2)) s"
}
res=$(mktemp)
trap 'rm -f "$res"' EXIT

count() { # count OK|FAIL NAME
	if [ "$1" = OK ]; then
		pass=$((pass + 1))
		echo "TEST: $2 [ OK ]"
	else
		fail=$((fail + 1))
		echo "TEST: $2 [FAIL]"
	fi
}

out=$(make -s -C tests/unit check 2>&1)
echo "$out" | grep -E '^TEST:|^unit:|\[FAIL\]|error'
read -r up uf < <(sed -n 's/^unit: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' <<<"$out")
if [ -z "${up:-}" ]; then
	count FAIL "unit tests ran"
else
	pass=$((pass + up))
	fail=$((fail + uf))
fi

# A short libFuzzer pass over the pure-C core (make fuzz runs longer).
out=$(make -s -C tests/fuzz fuzz FUZZ_SECS="${FUZZ_SECS:-10}" 2>&1)
echo "$out" | grep -E '^FUZZ:|ERROR|SUMMARY'
pass=$((pass + $(grep -c '^FUZZ: .*\[ OK \]$' <<<"$out")))
fail=$((fail + $(grep -c '^FUZZ: .*\[FAIL\]$' <<<"$out")))
grep -q '^FUZZ: ' <<<"$out" || count FAIL "fuzz targets build and run"

# The XDP programs build in the Debian 13 root (clang, libbpf's headers).
if make -s -C tests/vm/tools >/dev/null &&
	bash scripts/root.sh --run "$top/tests/vm/tools" -- \
		make -s -C "$top/tests/vm/tools" bpf >/dev/null; then
	count OK "test tools build"
else
	count FAIL "test tools build"
fi

stage "unit, fuzz, tools" "$t_start"

kvers=$(bash scripts/deps.sh --kvers)
[ -n "$kvers" ] || count FAIL "kernel matrix is not empty"
newest=$(tail -n1 <<<"$kvers")
for kver in $kvers; do
	t0=$SECONDS
	log=$(bash scripts/build.sh "$kver" W=1 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && ! grep -qE 'warning:|error:' <<<"$log"; then
		count OK "build W=1 without warnings ($kver)"
	else
		echo "$log"
		count FAIL "build W=1 without warnings ($kver)"
		continue
	fi
	out=$(bash scripts/dkms-check.sh "$kver")
	echo "$out"
	grep -q '^TEST: .*\[ OK \]$' <<<"$out" && pass=$((pass + 1)) ||
		fail=$((fail + 1))

	: >"$res"
	# CI's time: t97 does fewer stress rounds (vnettest.light=1) on every
	# kernel, and only the newest runs the tests of what does not meet
	# the kernel's APIs: t05 (module parameters), t80 (jumbo frames), t95
	# (the device's fault injection), t96 (hostile frames meet the
	# emulated device and the pure-C parser, fuzzed with ASan in
	# userspace), and those that time the device and the reflector
	# through interfaces no kernel of the matrix changed: t10 (pings
	# through the reflector), t30 (pktgen against a full TX ring), t60
	# (the moderation's timing and DIM's moves; t20 and t97 set -C there
	# too, and adaptive-rx, on by default, runs DIM under every test's
	# traffic), t90 (bpftrace on vnet's tracepoints), t73 (XDP bridging
	# through devmaps and veth: t71 and t72 take each XDP path of vnet's
	# on every kernel); t98 needs the debug kernel.
	# bpftrace and its libraries make the image large: 3 GiB.
	light=vnettest.light=1
	ktests=$tests
	[ "$kver" = "$newest" ] ||
		ktests=$(tr ' ' '\n' <<<"$tests" | grep -vE '^t(05|10|30|60|73|80|90|95|96|98)_' |
			tr '\n' ' ')
	VNET_QUIET=${VNET_QUIET:-1} bash tests/vm/run.sh --kver "$kver" \
		--module "build/$kver/drv/vnet.ko" --tests "$ktests" \
		--files "$files build/$kver/kmod/vnet_printk.ko" --mem 3072 \
		--timeout 3000 --test-timeout 900 --results "$res" \
		--append "$light"
	read -r vp vf < <(sed -n 's/^passed=\([0-9]*\) failed=\([0-9]*\).*/\1 \2/p' "$res")
	if [ -z "${vp:-}" ]; then
		count FAIL "VM suite produced results ($kver)"
	else
		pass=$((pass + vp))
		fail=$((fail + vf))
	fi
	stage "$kver" "$t0"

	# The kernel's own NIC driver selftests on the module just built
	# (make ksft; a kernel older than the suite has nothing to run).
	t0=$SECONDS
	out=$(VNET_KSFT_PREBUILT=1 bash scripts/ksft.sh "$kver" 2>&1)
	rc=$?
	echo "$out"
	kp=$(grep -c 'TEST: .*\[ OK \]$' <<<"$out")
	kf=$(grep -c 'TEST: .*\[FAIL\]$' <<<"$out")
	pass=$((pass + kp))
	fail=$((fail + kf))
	[ $rc -eq 0 ] || [ "$kf" -gt 0 ] || count FAIL "ksft ($kver)"
	stage "ksft $kver" "$t0"
done

t0=$SECONDS
if [ -n "$kvers" ]; then
	out=$(bash scripts/shell-check.sh "$newest")
	echo "$out"
	grep -q '^TEST: .*\[ OK \]$' <<<"$out" && pass=$((pass + 1)) ||
		fail=$((fail + 1))
fi
stage "make shell" "$t0"
stage "make check" "$t_start"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
