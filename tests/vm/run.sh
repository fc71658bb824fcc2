#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a Debian kernel in QEMU and run vnet VM test scripts inside it.
#
# usage: tests/vm/run.sh --kver KVER --tests "a.sh b.sh ..." [options]
#   --kver KVER        kernel release (/boot/vmlinuz-KVER, /lib/modules/KVER)
#   --kernel IMAGE     boot IMAGE instead of /boot/vmlinuz-KVER
#   --modroot DIR      take KVER's modules from DIR/lib/modules/KVER (a
#                      kernel built here, see scripts/debug-kernel.sh)
#   --tests "LIST"     test scripts, run in order with bash in the guest; a
#                      path relative to the cwd, to the repo root, or a name
#                      in tests/vm/
#   --module PATH.ko   module under test, available as $VNET_KO=/vnet/vnet.ko
#   --files "LIST"     extra files (helpers, test binaries) for the tests,
#                      copied to /vnet/tests/<basename> with their mode;
#                      resolved like --tests
#   --log FILE         console log (default build/vm/KVER/console.log)
#   --append "ARGS"    extra kernel command line arguments
#   --timeout S        overall QEMU timeout in seconds (default 1200)
#   --test-timeout S   per-script timeout inside the guest (default 600)
#   --results FILE     write "passed=N failed=M" there
#   --mem MB           guest memory (default 2048)
#   --no-mm-debug      boot without the allocator checks below (bench/)
#   --shell "ARGS"     no tests: load the module with ARGS (as insmod takes
#                      them), set up README's two-netns example for
#                      mode=pair (vnet0 in netns a as 10.9.0.1/24, vnet1 in
#                      b as 10.9.0.2/24) or vnet0 up as 10.0.0.1/24, and
#                      give an interactive bash on the serial console (this
#                      terminal); "exit" powers the VM off
#
# Every guest boots with slub_debug=FZPU (red zones, poisoning, sanity
# checks, owner tracking: a use-after-free or overflow in any slab cache is
# reported) and KFENCE sampling every 10 ms instead of 100 ms.
#
# Environment: VNET_USERLAND (the root directory the guest's programs come
# from: default the Debian 13 root of scripts/root.sh if it exists, "/"
# for the host's), VNET_ACCEL (default tcg; kvm possible), VNET_CPU (QEMU's
# -cpu, default max,la57=off), VNET_QUIET=1 (print
# only the result lines, not the console), VNET_SMP (default 2), VNET_KMODS
# / VNET_EXTRA_KMODS / VNET_TOOLS / VNET_EXTRA_TOOLS (base image contents,
# see mkinitramfs.sh), VNET_QEMU_ARGS (more QEMU arguments, split at
# blanks: bench/run's emulated NICs),
# VNET_SPLAT_IGNORE (ERE of kernel log lines never counted as splats),
# MEM (default for --mem).
#
# Every "TEST: ... [ OK ]" / "[FAIL]" line of the guest counts; a kernel
# splat anywhere in the console/dmesg adds "TEST: kernel log clean [FAIL]",
# a guest that never reaches "### VNET-DONE" adds
# "TEST: guest completed [FAIL]". Exit status 0 only if nothing failed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

usage() {
	sed -n "3,/^set -euo/{/^#/p}" "${BASH_SOURCE[0]}" | sed "s/^# \{0,1\}//" >&2
	exit 2
}

die() {
	echo "run.sh: $*" >&2
	exit 2
}

KVER=
KERNEL=
MODROOT=
MODULE=
TESTS=
FILES=
LOG=
APPEND=${VNET_APPEND:-}
TIMEOUT=1200
TEST_TIMEOUT=${VNET_TEST_TIMEOUT:-600}
RESULTS=
SHELL_MODE=0
SHELL_ARGS=
MEM_MB=${MEM:-2048}
MM_DEBUG="slub_debug=FZPU kfence.sample_interval=10"

while [ $# -gt 0 ]; do
	case "$1" in
	--kver) KVER=${2:?}; shift 2 ;;
	--kernel) KERNEL=${2:?}; shift 2 ;;
	--modroot) MODROOT=${2:?}; shift 2 ;;
	--module) MODULE=${2:?}; shift 2 ;;
	--tests) TESTS=${2:?}; shift 2 ;;
	--files) FILES=${2-}; shift 2 ;;
	--log) LOG=${2:?}; shift 2 ;;
	--append) APPEND=${2-}; shift 2 ;;
	--timeout) TIMEOUT=${2:?}; shift 2 ;;
	--test-timeout) TEST_TIMEOUT=${2:?}; shift 2 ;;
	--results) RESULTS=${2:?}; shift 2 ;;
	--mem) MEM_MB=${2:?}; shift 2 ;;
	--no-mm-debug) MM_DEBUG=; shift ;;
	--shell) SHELL_MODE=1; SHELL_ARGS=${2?--shell wants the module arguments}; shift 2 ;;
	-h | --help) usage ;;
	*) die "unknown argument '$1' (--help)" ;;
	esac
done

[ -n "$KVER" ] || die "--kver is required"
[ -n "$TESTS" ] || [ "$SHELL_MODE" = 1 ] || die "--tests is required"
# The Debian 13 root (scripts/root.sh): the guest's programs come from it
# for every kernel, and a kernel only it has boots from it.
if [ -z "${VNET_USERLAND+set}" ]; then
	VNET_USERLAND=$(bash "$ROOT/scripts/root.sh" --path 2>/dev/null || true)
fi
export VNET_USERLAND
if [ -z "$KERNEL" ] && [ ! -r "/boot/vmlinuz-$KVER" ] &&
	bash "$ROOT/scripts/root.sh" --kvers | grep -qxF -- "$KVER"; then
	KERNEL=$(bash "$ROOT/scripts/root.sh" --path)/boot/vmlinuz-$KVER
	MODROOT=${MODROOT:-${KERNEL%/boot/*}}
fi
KERNEL=${KERNEL:-/boot/vmlinuz-$KVER}
[ -r "$KERNEL" ] || die "no readable $KERNEL"
[ -d "$MODROOT/lib/modules/$KVER" ] || die "no $MODROOT/lib/modules/$KVER"
[ -z "$MODROOT" ] || MODROOT=$(cd "$MODROOT" && pwd)
export VNET_MODROOT=$MODROOT
[[ $TIMEOUT =~ ^[0-9]+$ ]] || die "--timeout wants seconds"
[[ $TEST_TIMEOUT =~ ^[0-9]+$ ]] || die "--test-timeout wants seconds"
[[ $MEM_MB =~ ^[0-9]+$ ]] || die "--mem wants megabytes"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (scripts/deps.sh)"

abspath() {
	case "$1" in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s\n' "$PWD/$1" ;;
	esac
}

# resolve a test name: cwd-relative, repo-relative, or tests/vm/NAME
resolve_test() {
	local t=$1 c
	for c in "$(abspath "$t")" "$ROOT/$t" "$HERE/$t"; do
		[ -f "$c" ] && { printf '%s\n' "$c"; return 0; }
	done
	return 1
}

test_files=()
for t in $TESTS; do
	f=$(resolve_test "$t") || die "test script '$t' not found"
	test_files+=("$f")
done
extra_files=()
for t in $FILES; do
	f=$(resolve_test "$t") || die "file '$t' (--files) not found"
	extra_files+=("$f")
done
if [ -n "$MODULE" ]; then
	MODULE=$(abspath "$MODULE")
	[ -f "$MODULE" ] || die "module $MODULE not found"
fi

VMDIR=$ROOT/build/vm/$KVER
mkdir -p "$VMDIR"
LOG=$(abspath "${LOG:-$VMDIR/console.log}")
mkdir -p "$(dirname "$LOG")"
[ -z "$RESULTS" ] || RESULTS=$(abspath "$RESULTS")

# ---- base initramfs (cached per KVER, outside the clone) -------------------
# Its key covers everything it is made of (mkinitramfs.sh --key), so a
# fresh clone reuses it: about 15 s per kernel.
BASEDIR=${VNET_CACHE:-/var/cache/vnet}/initramfs/$KVER
mkdir -p "$BASEDIR"
BASE=$BASEDIR/base.cpio
ensure_base() {
	local key
	key=$("$HERE/mkinitramfs.sh" --key "$KVER")
	if [ -f "$BASE" ] && [ "$(cat "$BASE.key" 2>/dev/null)" = "$key" ]; then
		return 0
	fi
	local t0=$SECONDS
	echo "run.sh: building base initramfs for $KVER" >&2
	rm -f "$BASE.key"
	"$HERE/mkinitramfs.sh" "$KVER" "$BASE"
	echo "$key" >"$BASE.key"
	echo "run.sh: base initramfs built in $((SECONDS - t0)) s ($(du -h "$BASE" | cut -f1))" >&2
}
(
	flock 9
	ensure_base
) 9>"$BASEDIR/.lock"

# ---- overlay with the module and tests ----------------------------------------
WORK=$(mktemp -d "$VMDIR/run.XXXXXX")
cleanup() {
	local pid
	pid=$(cat "$WORK/qemu.pid" 2>/dev/null) && kill "$pid" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

OV=$WORK/overlay
mkdir -p "$OV/vnet/tests"
install -m 644 "$HERE/lib.sh" "$OV/vnet/lib.sh"
[ -z "$MODULE" ] || install -m 644 "$MODULE" "$OV/vnet/vnet.ko"
: >"$OV/vnet/tests.list"
declare -A seen=()
for f in "${extra_files[@]}" "${test_files[@]}"; do
	b=$(basename "$f")
	if [ -n "${seen[$b]:-}" ] && [ "${seen[$b]}" != "$f" ]; then
		die "two different files named $b ($f, ${seen[$b]})"
	fi
	seen[$b]=$f
	cp -L --preserve=mode "$f" "$OV/vnet/tests/$b"
done
for f in "${test_files[@]}"; do
	echo "/vnet/tests/$(basename "$f")" >>"$OV/vnet/tests.list"
done
if [ "$SHELL_MODE" = 1 ]; then
	[ -n "$MODULE" ] || die "--shell needs --module"
	install -m 644 "$HERE/vnet_common.sh" "$OV/vnet/tests/vnet_common.sh"
	printf 'VNET_SHELL_ARGS=%q\n' "$SHELL_ARGS" >"$OV/vnet/shell.env"
	install -m 644 "$HERE/shell.sh" "$OV/vnet/shell.sh"
fi
(cd "$OV" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --quiet) >"$WORK/overlay.cpio"
cat "$BASE" "$WORK/overlay.cpio" >"$WORK/initrd.img"

# ---- boot ------------------------------------------------------------------
CMDLINE="console=ttyS0 loglevel=4 panic=-1 vnettest.timeout=$TEST_TIMEOUT${MM_DEBUG:+ $MM_DEBUG}${APPEND:+ $APPEND}"
ACCEL=${VNET_ACCEL:-tcg}
# la57=off: with 5-level paging, Debian's 7.3 and KASAN kernels take a
# wild page fault in an interrupt during early boot under TCG (identify_cpu,
# before userspace; seen once in CI, at 2 s): the guest keeps 4 levels.
CPU=${VNET_CPU:-max,la57=off}
serial=(-serial stdio)
# make shell: this terminal is the console; Ctrl-C goes to the guest.
[ "$SHELL_MODE" = 0 ] ||
	serial=(-chardev stdio,id=con,signal=off -serial chardev:con)
qemu=(qemu-system-x86_64
	-accel "$ACCEL" -cpu "$CPU" -smp "${VNET_SMP:-2}" -m "$MEM_MB"
	-nodefaults -no-user-config -display none -nic none
	"${serial[@]}" -monitor none -no-reboot
	-kernel "$KERNEL" -initrd "$WORK/initrd.img" -append "$CMDLINE")
# shellcheck disable=SC2206 # split at blanks, as documented
qemu+=(${VNET_QEMU_ARGS:-})

say() { # result lines: always to stdout
	printf '%s\n' "$*"
}
[ "${VNET_QUIET:-0}" = 1 ] ||
	say "run.sh: [$KVER] booting ($ACCEL, timeout ${TIMEOUT}s): ${test_files[*]##*/}"

t_boot=$SECONDS
# In the background + wait, so that INT/TERM reach our trap (which kills
# qemu) at once.
# The console goes to a private file (what is evaluated: concurrent runs may
# share --log) and, live, to $LOG and (unless VNET_QUIET=1) stdout.
CONSOLE=$WORK/console.log
if [ "$SHELL_MODE" = 1 ]; then
	rc=0
	"${qemu[@]}" || rc=$?
	exit $rc
fi
{
	rc=0
	timeout -k 10 "$TIMEOUT" "${qemu[@]}" -pidfile "$WORK/qemu.pid" </dev/null 2>&1 || rc=$?
	echo "$rc" >"$WORK/qemu.rc"
} | sed -u 's/\r$//' | if [ "${VNET_QUIET:-0}" = 1 ]; then
	tee "$CONSOLE" >"$LOG"
else
	tee "$CONSOLE" "$LOG"
fi &
wait $! || true
qemu_rc=$(cat "$WORK/qemu.rc" 2>/dev/null || echo 255)
cp -f "$CONSOLE" "$LOG"
elapsed=$((SECONDS - t_boot))
ln -f "$WORK/initrd.img" "$VMDIR/initrd.img"

# ---- evaluate ----------------------------------------------------------------
# shellcheck disable=SC1091 # tests/vm/lib.sh (shellcheck -x to follow)
source "$HERE/lib.sh"

passed=0
failed=0
skipped=0
lines=()

# Prefer the guest's clean copy of the TEST lines (the console can have
# kernel messages interleaved); fall back to the console when it is missing.
# TEST lines, and the tab-indented reason lines right after them
if grep -q '^### RESULTS END$' "$CONSOLE"; then
	mapfile -t tlines < <(sed -n '/^### RESULTS BEGIN$/,/^### RESULTS END$/p' "$CONSOLE" |
		awk '/^TEST: / { t = 1; print; next } t && /^\t/ { print; next } { t = 0 }')
else
	mapfile -t tlines < <(awk '/^TEST: / { t = 1; print; next }
		t && /^\t/ { print; next } { t = 0 }' "$CONSOLE")
fi
for l in "${tlines[@]}"; do
	case "$l" in
	TEST:*'[ OK ]') passed=$((passed + 1)); lines+=("$l") ;;
	TEST:*'[FAIL]') failed=$((failed + 1)); lines+=("$l") ;;
	TEST:*'[SKIP]') skipped=$((skipped + 1)); lines+=("$l") ;;
	$'\t'*) [ ${#lines[@]} -gt 0 ] && lines+=("$l") ;;
	esac
done

# kernel splats: timestamped kernel lines on the console or in the dmesg dump
splats=$(grep -aE "\[ *[0-9]+\.[0-9]+\].*($VNET_SPLAT_RE)" "$CONSOLE" |
	{ if [ -n "$VNET_SPLAT_IGNORE" ]; then grep -Ev -- "$VNET_SPLAT_IGNORE"; else cat; fi } |
	awk '!seen[$0]++' || true)
if [ -n "$splats" ]; then
	failed=$((failed + 1))
	lines+=("TEST: kernel log clean ($KVER) [FAIL]")
else
	passed=$((passed + 1))
	lines+=("TEST: kernel log clean ($KVER) [ OK ]")
fi

done_reason=
if ! grep -q '### VNET-DONE' "$CONSOLE"; then
	if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
		done_reason="killed after ${TIMEOUT}s timeout"
	else
		done_reason="qemu exited $qemu_rc without ### VNET-DONE (crash/panic?)"
	fi
	failed=$((failed + 1))
	lines+=("TEST: guest completed ($KVER) [FAIL]")
fi

[ "${VNET_QUIET:-0}" = 1 ] || echo
for l in "${lines[@]}"; do
	say "[$KVER] $l"
	# reason lines for our own FAIL lines
	case "$l" in
	"TEST: guest completed ($KVER) [FAIL]")
		say "[$KVER] 	$done_reason; last console lines:"
		tail -n 15 "$CONSOLE" | sed "s/^/[$KVER] 	| /"
		;;
	"TEST: kernel log clean ($KVER) [FAIL]")
		printf '%s\n' "$splats" | head -n 40 | sed "s/^/[$KVER] 	/"
		;;
	esac
done
say "[$KVER] passed=$passed failed=$failed skipped=$skipped (${elapsed}s, log: $LOG)"
[ -z "$RESULTS" ] || echo "passed=$passed failed=$failed" >"$RESULTS"
[ "$failed" -eq 0 ]
