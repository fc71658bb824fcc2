#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lint the driver the way netdev CI does, on a Debian 12 machine:
#   1. W=1 build with sparse (C=2) for every kernel of the matrix; any
#      compiler, sparse or modpost warning about our files fails.
#   2. checkpatch.pl --no-tree --strict over every drv/*.c and drv/*.h,
#      and the test module tests/vm/kmod/*.c.
#
#   scripts/lint.sh     prints "lint: OK", or a summary and exits non-zero
#
# Installs sparse and linux-source-6.1 (for checkpatch) if missing; the
# three checkpatch files are cached in build/checkpatch/.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo -E"
fi

failures=()
lint_tmp=
trap 'rm -rf "${lint_tmp:-/nonexistent}"' EXIT

apt_install() {
	export DEBIAN_FRONTEND=noninteractive
	# A fresh machine may have no package lists yet: update on failure.
	if ! $SUDO apt-get install -y -qq --no-install-recommends \
		-o Dpkg::Use-Pty=0 "$@" >/dev/null 2>&1; then
		$SUDO apt-get update -qq >/dev/null
		$SUDO apt-get install -y -qq --no-install-recommends \
			-o Dpkg::Use-Pty=0 "$@" >/dev/null
	fi
}

# -- 1. W=1 + sparse build ----------------------------------------------------

kernel_list() {
	if [ -f scripts/deps.sh ]; then
		bash scripts/deps.sh --kvers
		return
	fi
	local d
	for d in /lib/modules/*/build; do
		[ -d "$d" ] || continue
		d=${d%/build}
		printf '%s\n' "${d##*/}"
	done | sort -V
}

# Build a private copy of the tree so that every file is compiled (a warm
# build/<kver>/ would hide compiler warnings of up-to-date objects) and so
# that a concurrent scripts/build.sh of the work tree is not disturbed.
lint_build() {
	local kver=$1 work log line path rc=0
	local ours=0 ignored=()

	mkdir -p "$top/build/lint"
	work=$(mktemp -d "$top/build/lint/tree.XXXXXX")
	lint_tmp=$work
	mkdir -p "$work/scripts" "$work/tests/vm"
	cp -r drv Kbuild "$work/"
	cp -r tests/vm/kmod "$work/tests/vm/"
	cp scripts/build.sh scripts/root.sh "$work/scripts/"
	log=$top/build/lint/build-$kver.log

	echo "lint: build $kver C=2 W=1"
	bash "$work/scripts/build.sh" "$kver" C=2 W=1 >"$log" 2>&1 || rc=$?

	while IFS= read -r line; do
		case "$line" in
		*warning:* | *error:* | *WARNING:* | *ERROR:*) ;;
		*) continue ;;
		esac
		path=${line%%:*}
		case "$path" in
		"$work"/*/drv/* | drv/* | */drv/*.[ch])
			ours=$((ours + 1))
			printf '  %s\n' "${line//$work\/build\/$kver\//}"
			;;
		/usr/src/linux-headers-* | ./include/* | ./arch/* | include/* | arch/*)
			# Kernel headers are not ours to fix.
			ignored+=("$line")
			;;
		*)
			# modpost and kbuild messages: ours unless proven otherwise.
			ours=$((ours + 1))
			printf '  %s\n' "${line//$work\/build\/$kver\//}"
			;;
		esac
	done <"$log"

	if [ ${#ignored[@]} -gt 0 ]; then
		echo "lint: $kver: ignored ${#ignored[@]} kernel-header warning(s):"
		printf '    %s\n' "${ignored[@]}"
	fi
	if [ "$rc" -ne 0 ]; then
		echo "lint: $kver: build failed (exit $rc), log: $log"
		tail -n 20 "$log" | sed 's/^/    /'
		failures+=("build $kver failed")
	elif [ "$ours" -gt 0 ]; then
		failures+=("build $kver: $ours warning(s)")
	fi
	rm -rf "$work"
}

command -v sparse >/dev/null || apt_install sparse
# checkpatch needs more of perl than perl-base has, and tar -J needs xz.
perl -MTerm::ANSIColor -MEncode -e 1 2>/dev/null || apt_install perl
command -v xz >/dev/null || apt_install xz-utils

mapfile -t kvers < <(kernel_list)
if [ ${#kvers[@]} -eq 0 ]; then
	echo "lint: no kernel build tree under /lib/modules" >&2
	failures+=("no kernel to build against")
fi
for kver in "${kvers[@]}"; do
	lint_build "$kver"
done

# -- 2. checkpatch ------------------------------------------------------------

cpdir=$top/build/checkpatch
checkpatch=$cpdir/checkpatch.pl

fetch_checkpatch() {
	local tarball

	tarball=$(ls /usr/src/linux-source-6.1.tar.xz \
		     /usr/src/linux-source-6.12.tar.xz 2>/dev/null | head -n 1 ||
		  true)
	if [ -z "$tarball" ]; then
		echo "lint: installing linux-source-6.1 for checkpatch.pl"
		apt_install linux-source-6.1
		tarball=/usr/src/linux-source-6.1.tar.xz
	fi
	echo "lint: extracting checkpatch.pl from $tarball"
	rm -rf "$cpdir"
	mkdir -p "$cpdir"
	# Only the script and the two data files it reads from its own dir.
	tar -xJf "$tarball" -C "$cpdir" --strip-components=2 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
}

[ -f "$checkpatch" ] && [ -f "$cpdir/spelling.txt" ] &&
	[ -f "$cpdir/const_structs.checkpatch" ] || fetch_checkpatch

# Checks that cannot apply to this tree, each with its reason:
# - FILE_PATH_CHANGES: about MAINTAINERS entries for new files in a patch;
#   there is no MAINTAINERS file out of tree (and -f checks no patch).
cp_ignore=FILE_PATH_CHANGES
# Per file, on top of the above:
# - vnet_compat.h is by design (STYLE.md 1) the one place that tests
#   LINUX_VERSION_CODE: an out-of-tree module builds against several
#   kernels, which is exactly what that warning says in-tree code never does.
#   CONSTANT_COMPARISON fires on the same "#if LINUX_VERSION_CODE <
#   KERNEL_VERSION()" lines (both sides look like constants to it).
declare -A cp_file_ignore=(
	[drv/vnet_compat.h]=LINUX_VERSION_CODE,CONSTANT_COMPARISON
	# TRACE_EVENT() blocks are laid out as in include/trace/events/.
	[drv/vnet_trace.h]=OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT
	# The pure-C core compiles in userspace (unit tests, fuzzing) and the
	# issue asks for it to have no kernel types: stdint types are intended.
	[drv/vnet_flow.c]=PREFER_KERNEL_TYPES
	[drv/vnet_flow.h]=PREFER_KERNEL_TYPES
	[drv/vnet_reflect.c]=PREFER_KERNEL_TYPES
	[drv/vnet_reflect.h]=PREFER_KERNEL_TYPES
	[drv/vnet_ring.h]=PREFER_KERNEL_TYPES
	[drv/vnet_bytes.h]=PREFER_KERNEL_TYPES
)

cp_findings=0
# netdev keeps the historic 80 columns (STYLE.md 9); checkpatch's default
# has been 100 since 5.7.
echo "lint: checkpatch --strict --max-line-length=80"
for f in drv/*.c drv/*.h tests/vm/kmod/*.c; do
	ign=$cp_ignore${cp_file_ignore[$f]:+,${cp_file_ignore[$f]}}
	rc=0
	out=$(perl "$checkpatch" --no-tree --strict --terse --show-types \
		--max-line-length=80 --ignore "$ign" -f "$f" 2>&1) || rc=$?
	# --terse: one "file:line: TYPE:NAME: message" line per finding and a
	# "total:" line, or nothing at all (and exit 0) for a clean file.
	hits=$(grep -E '^[^ ]+:[0-9]+: (ERROR|WARNING|CHECK):' <<<"$out" || true)
	if [ -n "$hits" ]; then
		printf '  %s\n' "${hits//$'\n'/$'\n'  }"
		cp_findings=$((cp_findings + $(wc -l <<<"$hits")))
	elif [ "$rc" -ne 0 ] || [ -n "$out" ]; then
		# A perl error, or a finding without a line number.
		printf '  %s: %s\n' "$f" "${out//$'\n'/$'\n'  }"
		cp_findings=$((cp_findings + 1))
	fi
done
[ "$cp_findings" -eq 0 ] || failures+=("checkpatch: $cp_findings finding(s)")

# -- summary ------------------------------------------------------------------

if [ ${#failures[@]} -eq 0 ]; then
	echo "lint: OK"
	exit 0
fi
echo "lint: FAILED"
printf '  %s\n' "${failures[@]}"
exit 1
