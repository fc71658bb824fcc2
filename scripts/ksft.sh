#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make ksft: the kernel's own NIC driver selftests (every drivers/net/*.py
# and drivers/net/hw/*.py of tools/testing/selftests) against a vnet pair
# in the VM, for each kernel of the matrix, built from that kernel's
# linux-source. Per case ok / fail / skip / xfail with its reason goes to
# build/ksft/<kver>.json (the console log beside it), is compared with
# tests/ksft/expect.txt (tests/ksft/run_guest.sh, ksft_eval.py), and
# README's table between <!-- ksft-table --> markers is rewritten.
#
#   scripts/ksft.sh [KVER...]     run the suite on these kernels (default:
#                                 the matrix, and then README's table);
#                                 exit 1 on any result expect.txt does
#                                 not allow, or an entry no longer true
#   scripts/ksft.sh --suite KVER  print KVER's built suite (a tarball of
#                                 the installed selftests, made once,
#                                 cached in ${VNET_CACHE:-/var/cache/vnet}/
#                                 ksft/linux-source-<x.y>/); nothing for a
#                                 kernel older than the suite
#   scripts/ksft.sh --ethtool     print the ethtool the suite runs with
#                                 (cached; see below)
#   scripts/ksft.sh --table       print the results table of build/ksft/
#
# The suite is built in the Debian 13 root of scripts/root.sh (clang for
# its BPF programs, the libraries its C helpers link), with the same
# toolchain for 6.12 as for 7.3. Its tests read ethtool's JSON output of
# -l (Debian 13's ethtool 6.14: "JSON output not available for this
# subcommand"; it came with 6.15), -g and -c. So
# unstable's ethtool is downloaded through the root's apt (its own source
# list and package lists, nothing installed in the root) and used only by
# this suite, in the guest; the other VM tests keep Debian 13's.
#
# Environment: KSFT_ONLY="stats.py hw/irq.py" runs only those files (for
# debugging; no README update), KSFT_TIMEOUT seconds per file (default
# 600: rss_ctx.py alone took 5 minutes under load), VNET_KSFT_PREBUILT=1
# takes build/<kver>/drv/vnet.ko as it is (make check built it with W=1),
# VNET_CACHE.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# Bump to rebuild every cached suite.
RECIPE=1
# tools/testing/selftests/drivers/net/lib/py and the first python tests
# (ping.py, queues.py, stats.py) came with 6.10.
FIRST=6.10
cache=${VNET_CACHE:-/var/cache/vnet}/ksft
out=$top/build/ksft
expect=$top/tests/ksft/expect.txt
eval_py=$top/tests/ksft/ksft_eval.py

die() {
	echo "ksft.sh: $*" >&2
	exit 1
}

usage() {
	sed -n '3,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

# series KVER: 7.3.4+deb13-cloud-amd64 -> 7.3
series() {
	sed -E 's/^([0-9]+\.[0-9]+).*/\1/' <<<"$1"
}

# older A B: true if series A is older than series B
older() {
	[ "$1" != "$2" ] &&
		[ "$(printf '%s\n' "$1" "$2" | sort -V | head -n1)" = "$1" ]
}

# source_of KVER: the linux-source tarball of KVER's series, the host's or
# the root's; nothing if neither has it.
source_of() {
	local mm root c
	mm=$(series "$1")
	root=$(bash scripts/root.sh --path 2>/dev/null || true)
	for c in "/usr/src/linux-source-$mm.tar.xz" \
		"${root:-/nonexistent}/usr/src/linux-source-$mm.tar.xz"; do
		[ -f "$c" ] && { echo "$c"; return 0; }
	done
	return 0
}

# build_suite TARBALL: print the built suite's tarball (cached).
build_suite() {
	local tarball=$1 src dir tar stamp work log
	src=$(basename "$tarball")
	src=${src%.tar.*}
	dir=$cache/$src
	tar=$dir/ksft.tar
	stamp="recipe $RECIPE $(stat -L -c '%s %Y' "$tarball")"
	mkdir -p "$dir"
	(
		flock 9
		[ -f "$tar" ] && [ "$(cat "$dir/stamp" 2>/dev/null)" = "$stamp" ] &&
			exit 0
		echo "ksft.sh: building the selftests of $src" >&2
		work=$(mktemp -d "$dir/work.XXXXXX")
		trap 'rm -rf "$work"' EXIT
		log=$dir/build.log
		# what the build reads: tools/, the netlink specs (YNL code
		# generation; its generator finds the tree by MAINTAINERS)
		tar -C "$work" -xJf "$tarball" "$src/tools" \
			"$src/Documentation/netlink" "$src/include/uapi" \
			"$src/arch/x86/include/uapi" "$src/scripts" "$src/Makefile" \
			"$src/MAINTAINERS"
		bash scripts/root.sh --run "$work" -- make -j"$(nproc)" \
			-C "$work/$src/tools/testing/selftests" \
			TARGETS="drivers/net drivers/net/hw net/lib" install \
			INSTALL_PATH="$work/install" >"$log" 2>&1 || {
			tail -n 30 "$log" >&2
			die "building the selftests of $src failed (log: $log)"
		}
		tar -C "$work/install" --exclude=__pycache__ -cf "$tar.tmp" .
		mv "$tar.tmp" "$tar"
		echo "$stamp" >"$dir/stamp"
	) 9>"$dir/.lock" || exit 1
	echo "$tar"
}

# sid_ethtool: print unstable's ethtool binary (downloaded once, cached).
sid_ethtool() {
	local dir=$cache/ethtool-sid root mirror work a deb
	if [ -x "$dir/ethtool" ]; then
		echo "$dir/ethtool"
		return 0
	fi
	root=$(bash scripts/root.sh)
	mkdir -p "$dir"
	(
		flock 9
		[ -x "$dir/ethtool" ] && exit 0
		mirror=$(awk '$1 == "deb" { print $2; exit }' \
			"$root/etc/apt/sources.list")
		mkdir -p "$root/etc/apt/vnet-sid" \
			"$root/var/lib/apt/vnet-sid-lists/partial"
		echo "deb ${mirror:-http://deb.debian.org/debian} sid main" \
			>"$root/etc/apt/vnet-sid/sources.list"
		work=$(mktemp -d "$dir/work.XXXXXX")
		# unstable's package lists (100 MB) are needed only now
		trap 'rm -rf "$work" "$root/var/lib/apt/vnet-sid-lists"' EXIT
		# unstable's lists in a place of their own: the root's apt
		# never sees them
		a="-o Dir::Etc::SourceList=/etc/apt/vnet-sid/sources.list"
		a+=" -o Dir::Etc::SourceParts=/nonexistent"
		a+=" -o Dir::State::Lists=/var/lib/apt/vnet-sid-lists"
		a+=" -o Acquire::Check-Valid-Until=false -o APT::Sandbox::User=root"
		bash scripts/root.sh --run "$work" -- sh -c "cd '$work' &&
			apt-get $a -qq update && apt-get $a -qq download ethtool" \
			>&2 || die "downloading unstable's ethtool failed"
		deb=$(ls "$work"/ethtool_*.deb)
		dpkg-deb -x "$deb" "$work/x"
		# it must run with the root's libraries (the guest's)
		bash scripts/root.sh --run "$work" -- "$work/x/usr/sbin/ethtool" \
			--version >&2 || die "unstable's ethtool does not run in the root"
		install -m 755 "$work/x/usr/sbin/ethtool" "$dir/ethtool.tmp"
		mv "$dir/ethtool.tmp" "$dir/ethtool"
		basename "$deb" >"$dir/version"
	) 9>"$dir/.lock" || exit 1
	echo "$dir/ethtool"
}

# suite_of KVER: print KVER's built suite, nothing for a kernel older
# than the suite; dies if KVER's linux-source is missing.
suite_of() {
	local mm tarball
	mm=$(series "$1")
	older "$mm" "$FIRST" && return 0
	tarball=$(source_of "$1")
	[ -n "$tarball" ] || die "$1: no linux-source-$mm tarball in /usr/src" \
		"or the root's (apt-get install linux-source-$mm)"
	build_suite "$tarball"
}

# run_kernel KVER: boot KVER, run the suite, evaluate; non-zero on an
# unexpected result.
run_kernel() {
	local kver=$1 mm suite eth rc=0 t0=$SECONDS json log sum
	mm=$(series "$kver")
	json=$out/$kver.json
	log=$out/$kver.log
	mkdir -p "$out"
	suite=$(suite_of "$kver") || return 1
	if [ -z "$suite" ]; then
		echo "ksft: $kver: linux-source-$mm has no drivers/net python suite" \
			"(it came with $FIRST): nothing to run"
		printf '{"kernel": "%s", "series": "%s", "nosuite": "%s"}\n' \
			"$kver" "$mm" "linux-source-$mm has no drivers/net python suite (it came with $FIRST)" \
			>"$json"
		return 0
	fi
	eth=$(sid_ethtool) || return 1
	if [ "${VNET_KSFT_PREBUILT:-0}" != 1 ]; then
		bash scripts/build.sh "$kver" || return 1
	fi
	rm -rf "${tmp:?}"/*
	ln -s "$eth" "$tmp/ksft-ethtool"
	{
		printf 'KSFT_TIMEOUT=%q\n' "${KSFT_TIMEOUT:-600}"
		printf 'KSFT_ONLY=%q\n' "${KSFT_ONLY:-}"
		printf 'KSFT_NOT_RUN=%q\n' "$(python3 "$eval_py" --notrun \
			--kernel "$kver" "$expect")"
	} >"$tmp/ksft.env"
	VNET_QUIET=1 bash tests/vm/run.sh --kver "$kver" \
		--module "build/$kver/drv/vnet.ko" --tests tests/ksft/run_guest.sh \
		--files "tests/vm/vnet_common.sh tests/ksft/ksft_eval.py $expect $suite $tmp/ksft-ethtool $tmp/ksft.env" \
		--mem 3072 --timeout 3600 --test-timeout 3500 --log "$log" || rc=1
	grep -q '^### KSFT BEGIN ' "$log" || {
		echo "ksft: $kver: no test file ran (log: $log)"
		rc=1
	}
	# The same verdicts from the console, as JSON (the guest's TEST
	# lines above are what run.sh and make check count).
	sum=$(python3 "$eval_py" --quiet --expect "$expect" --kernel "$kver" \
		--json "$json" "$log") || rc=1
	echo "ksft: $kver: $sum; $((SECONDS - t0)) s with the build and boot" \
		"(log: $log, results: $json)"
	return $rc
}

case "${1:-}" in
--suite)
	[ $# -eq 2 ] || usage
	suite_of "$2"
	exit 0
	;;
--ethtool)
	sid_ethtool
	exit 0
	;;
--table)
	mapfile -t jsons < <(ls "$out"/*.json 2>/dev/null)
	[ ${#jsons[@]} -gt 0 ] || die "no results in $out (make ksft)"
	python3 "$eval_py" --table "${jsons[@]}"
	exit 0
	;;
-h | --help) usage ;;
-*) usage ;;
esac

[ "$(id -u)" = 0 ] || die "must run as root"
if [ $# -gt 0 ]; then
	kvers=("$@")
	whole=0
else
	mapfile -t kvers < <(bash scripts/deps.sh --kvers)
	[ ${#kvers[@]} -gt 0 ] || die "no kernel in the matrix (make deps)"
	whole=1
fi
[ -z "${KSFT_ONLY:-}" ] || whole=0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0
jsons=()
for kver in "${kvers[@]}"; do
	rm -f "$out/$kver.json"
	run_kernel "$kver" || rc=1
	[ ! -f "$out/$kver.json" ] || jsons+=("$out/$kver.json")
done
[ ${#jsons[@]} -gt 0 ] || die "no results"
python3 "$eval_py" --table "${jsons[@]}" >"$out/table.md"
if [ "$whole" = 1 ]; then
	python3 "$eval_py" --readme README.md "${jsons[@]}"
fi
if [ $rc -eq 0 ]; then
	echo "ksft: OK"
else
	echo "ksft: FAILED"
fi
exit $rc
