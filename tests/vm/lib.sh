#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Helpers for vnet VM tests (sourced inside the guest by bash; in the style
# of tools/testing/selftests/net/forwarding/lib.sh).
#
#   source "${VNET_LIB:-/vnet/lib.sh}"
#
#   RET=0
#   ip link set vnet0 up; check_err $? "could not set vnet0 up"
#   log_test "vnet0 comes up"          # -> TEST: vnet0 comes up [ OK ]
#   log_test "direct form" 1 "reason"  # -> TEST: direct form [FAIL] + \treason
#   ...
#   lib_exit                           # exit 1 if any test of this script failed
#
# Every test prints exactly one line "TEST: <name> [ OK ]" or
# "TEST: <name> [FAIL]" (followed by "\t<reason>"), or "TEST: <name> [SKIP]".
# Environment (set by the guest /init): VNET_KO (module under test),
# VNET_KVER (uname -r); VNET_DEV (default vnet0) is the device vnet_load
# waits for.
# This file has no side effects besides defining functions and variables, so
# the host side (tests/vm/run.sh) sources it too for VNET_SPLAT_RE.

# Kernel log lines that mean something went wrong (extended regex).
# slub_debug reports start "BUG <cache> (...): ...", KFENCE "BUG: KFENCE".
VNET_SPLAT_RE='WARNING:|BUG:|BUG [a-z0-9_.:-]+ \(|Oops|general protection|Call Trace|lockdep is turned off|turning off the locking correctness validator|possible recursive locking|circular locking|inconsistent lock state|refcount_t|ref_tracker|to become free|UBSAN|KASAN|KFENCE|new suspected memory leak|list_add corruption|list_del corruption|soft lockup|hung task|blocked for more than|detected stall|Kernel panic|hw csum failure'
# Lines matching this (extended regex) are never reported as splats.
VNET_SPLAT_IGNORE=${VNET_SPLAT_IGNORE:-}

VNET_KO=${VNET_KO:-/vnet/vnet.ko}
VNET_DEV=${VNET_DEV:-vnet0}
VNET_MODNAME=${VNET_MODNAME:-vnet}

RET=0
RETMSG=
VNET_NUM_OK=0
VNET_NUM_FAIL=0
VNET_NUM_SKIP=0
# Start of the current check: log_test and log_skip put its duration on the
# console ("### +N s", not a TEST line) to show where a suite's time goes.
VNET_T_CHECK=$SECONDS

# check_err ERR MSG: record a failure if ERR != 0 (first message wins).
check_err() {
	local err=$1 msg=$2
	if [ "$RET" -eq 0 ] && [ "$err" -ne 0 ]; then
		RET=$err
		RETMSG=$msg
	fi
}

# check_fail ERR MSG: record a failure if ERR == 0 (for expected failures).
check_fail() {
	local err=$1 msg=$2
	if [ "$RET" -eq 0 ] && [ "$err" -eq 0 ]; then
		RET=1
		RETMSG=$msg
	fi
}

# check_eq ACTUAL EXPECTED MSG: record a failure if ACTUAL != EXPECTED.
check_eq() {
	local actual=$1 expected=$2 msg=$3
	if [ "$actual" != "$expected" ]; then
		check_err 1 "$msg: got '$actual', expected '$expected'"
	fi
}

vnet_check_time() {
	printf '### +%d s\n' $((SECONDS - VNET_T_CHECK))
	VNET_T_CHECK=$SECONDS
}

# log_test NAME [RC [REASON]]
# Without RC: uses (and resets) the RET/RETMSG accumulator. Returns RC.
log_test() {
	local name=$1 rc msg
	if [ $# -ge 2 ]; then
		rc=$2
		msg=${3:-}
	else
		rc=$RET
		msg=$RETMSG
	fi
	RET=0
	RETMSG=
	vnet_check_time
	if [ "$rc" -eq 0 ]; then
		printf 'TEST: %s [ OK ]\n' "$name"
		VNET_NUM_OK=$((VNET_NUM_OK + 1))
		return 0
	fi
	printf 'TEST: %s [FAIL]\n' "$name"
	[ -n "$msg" ] && printf '\t%s\n' "$msg"
	VNET_NUM_FAIL=$((VNET_NUM_FAIL + 1))
	return "$rc"
}

# log_skip NAME [REASON]: the test could not run (missing tool, ...).
log_skip() {
	vnet_check_time
	printf 'TEST: %s [SKIP]\n' "$1"
	[ -n "${2:-}" ] && printf '\t%s\n' "$2"
	VNET_NUM_SKIP=$((VNET_NUM_SKIP + 1))
	RET=0
	RETMSG=
	return 0
}

# lib_exit: exit the script, 1 if any of its tests failed, else 0.
lib_exit() {
	[ "$VNET_NUM_FAIL" -eq 0 ] && exit 0
	exit 1
}

# vnet_fast NAME: true on a kernel of normal speed; on a debug kernel
# (VNET_SLOW=1: KASAN and lockdep under TCG run several times slower) logs
# NAME as skipped and is false. For checks of rates and timing only.
vnet_fast() {
	[ "${VNET_SLOW:-0}" != 1 ] && return 0
	log_skip "$1" "needs distro-kernel speed (debug kernel)"
	return 1
}

# wait_for TIMEOUT_S CMD...: run CMD every 0.05 s until it succeeds (0) or
# TIMEOUT_S (may be fractional) passed (1).
wait_for() {
	local timeout=$1
	shift
	local now deadline
	now=${EPOCHREALTIME/./}
	deadline=$((now + ${timeout%.*} * 1000000))
	if [[ $timeout == *.* ]]; then
		local frac=${timeout#*.}000000
		deadline=$((deadline + 10#${frac:0:6}))
	fi
	while :; do
		"$@" && return 0
		now=${EPOCHREALTIME/./}
		[ "$now" -ge "$deadline" ] && return 1
		vnet_sleep 0.05
	done
}

# vnet_sleep SECONDS: sleep without a process (a fork and exec takes 0.2 s
# on a debug kernel): read with a timeout from a pipe nobody writes to.
vnet_sleep() {
	[ -n "${VNET_SLEEP_FD:-}" ] || exec {VNET_SLEEP_FD}<> <(:)
	read -r -t "$1" -u "$VNET_SLEEP_FD" _ 2>/dev/null
	return 0
}

# vnet_load [PARAMS...]: insmod $VNET_KO with PARAMS and wait (<= 10 s) for
# /sys/class/net/$VNET_DEV. Distro modules listed in the module's
# "depends" are modprobe'd first.
vnet_load() {
	local dep deps
	if [ ! -f "$VNET_KO" ]; then
		echo "vnet_load: $VNET_KO not found (run.sh --module?)" >&2
		return 1
	fi
	deps=$(modinfo -F depends "$VNET_KO" 2>/dev/null)
	for dep in ${deps//,/ }; do
		modprobe "$dep" || {
			echo "vnet_load: modprobe $dep failed" >&2
			return 1
		}
	done
	insmod "$VNET_KO" "$@" || {
		echo "vnet_load: insmod $VNET_KO $* failed" >&2
		return 1
	}
	wait_for 10 test -e "/sys/class/net/$VNET_DEV" || {
		echo "vnet_load: /sys/class/net/$VNET_DEV did not appear" >&2
		return 1
	}
}

# vnet_unload: rmmod the module and wait (<= 10 s) until it is gone.
vnet_unload() {
	rmmod "$VNET_MODNAME" || {
		echo "vnet_unload: rmmod $VNET_MODNAME failed" >&2
		return 1
	}
	wait_for 10 eval "[ ! -e /sys/module/$VNET_MODNAME ] && [ ! -e /sys/class/net/$VNET_DEV ]" || {
		echo "vnet_unload: $VNET_MODNAME still present" >&2
		return 1
	}
}

# vnet_loaded: true if the module is loaded.
vnet_loaded() {
	[ -e "/sys/module/$VNET_MODNAME" ]
}

# vnet_ethtool ARGS...: the ethtool the helpers below read devices with
# (vnet_common.sh makes it run in another netns for in_ns).
vnet_ethtool() {
	ethtool "$@"
}

# ethtool_stat DEV NAME: print the value of NAME from "ethtool -S DEV".
ethtool_stat() {
	local dev=$1 name=$2 out line
	if ! out=$(vnet_ethtool -S "$dev" 2>&1); then
		echo "ethtool_stat: ethtool -S $dev failed: $out" >&2
		return 1
	fi
	# parsed by bash: an awk per counter read costs a process
	while read -r line; do
		if [[ $line == "$name:"?* ]]; then
			line=${line#"$name:"}
			echo "${line#"${line%%[![:space:]]*}"}"
			return 0
		fi
	done <<<"$out"
	echo "ethtool_stat: $dev has no stat '$name'" >&2
	return 1
}

# link_stat DEV FIELD: print /sys/class/net/DEV/statistics/FIELD
# (rx_packets rx_bytes tx_packets tx_bytes rx_dropped tx_dropped rx_errors
# tx_errors, or any other file there).
link_stat() {
	local f=/sys/class/net/$1/statistics/$2
	local v
	if [ ! -r "$f" ]; then
		echo "link_stat: no $f" >&2
		return 1
	fi
	read -r v <"$f" && echo "$v"
}

# _ethtool_section_value OUTPUT MAXHDR CURHDR KEY WHICH(cur|max)
_ethtool_section_value() {
	awk -v key="$4" -v want="$5" -v maxh="$2" -v curh="$3" '
		index($0, maxh) == 1 { sec = "max"; next }
		index($0, curh) == 1 { sec = "cur"; next }
		sec == want && index($0, key ":") == 1 {
			v = substr($0, length(key) + 2); gsub(/[ \t]/, "", v)
			print v; found = 1; exit
		}
		END { exit !found }' <<<"$1"
}

# _ethtool_max_cur CALLER FLAG DEV KEY [max]: KEY's current (or maximum)
# value from the "Pre-set maximums" / "Current hardware settings" sections
# that ethtool -g and -l print.
_ethtool_max_cur() {
	local caller=$1 flag=$2 dev=$3 key=$4 sec=cur out
	[ "${5:-}" = max ] && sec=max
	if ! out=$(vnet_ethtool "$flag" "$dev" 2>&1); then
		echo "$caller: ethtool $flag $dev failed: $out" >&2
		return 1
	fi
	_ethtool_section_value "$out" "Pre-set maximums" \
		"Current hardware settings" "$key" "$sec" && return 0
	echo "$caller: no $key $sec in ethtool $flag $dev" >&2
	return 1
}

# ring_param DEV rx|tx [max]: current (or maximum) ring size from ethtool -g.
ring_param() {
	local key
	case "$2" in
	rx) key=RX ;;
	tx) key=TX ;;
	*)
		echo "ring_param: want rx or tx, got '$2'" >&2
		return 2
		;;
	esac
	_ethtool_max_cur ring_param -g "$1" "$key" "${3:-}"
}

# channel_param DEV rx|tx|other|combined [max]: from ethtool -l.
channel_param() {
	local key
	case "$2" in
	rx) key=RX ;;
	tx) key=TX ;;
	other) key=Other ;;
	combined) key=Combined ;;
	*)
		echo "channel_param: want rx|tx|other|combined, got '$2'" >&2
		return 2
		;;
	esac
	_ethtool_max_cur channel_param -l "$1" "$key" "${3:-}"
}

# coalesce_param DEV NAME: value of NAME (e.g. rx-usecs) from ethtool -c.
coalesce_param() {
	local dev=$1 name=$2 out
	if ! out=$(vnet_ethtool -c "$dev" 2>&1); then
		echo "coalesce_param: ethtool -c $dev failed: $out" >&2
		return 1
	fi
	awk -v n="$name" '
		index($0, n ":") == 1 {
			v = substr($0, length(n) + 2); gsub(/[ \t]/, "", v)
			print v; found = 1; exit
		}
		END { exit !found }' <<<"$out" && return 0
	echo "coalesce_param: no '$name' in ethtool -c $dev" >&2
	return 1
}

# feature_state DEV FEATURE: "on" or "off" (from ethtool -k; "[fixed]" dropped).
feature_state() {
	local dev=$1 name=$2 out line
	if ! out=$(vnet_ethtool -k "$dev" 2>&1); then
		echo "feature_state: ethtool -k $dev failed: $out" >&2
		return 1
	fi
	while read -r line; do
		if [[ $line == "$name: "* ]]; then
			line=${line#"$name: "}
			echo "${line%% *}"
			return 0
		fi
	done <<<"$out"
	echo "feature_state: no feature '$name' on $dev" >&2
	return 1
}

# dmesg_mark: remember the current end of the kernel log; a later
# kernel_splat_check only looks at what came after it.
dmesg_mark() {
	VNET_DMESG_MARK=$(dmesg | wc -l)
}

# kernel_splat_check: non-zero (and print the lines) if the kernel log (since
# dmesg_mark, if called) shows a warning, BUG, oops, lockdep report, ...
kernel_splat_check() {
	local lines
	lines=$(dmesg | tail -n +"$((${VNET_DMESG_MARK:-0} + 1))" |
		grep -E -- "$VNET_SPLAT_RE")
	if [ -n "$VNET_SPLAT_IGNORE" ] && [ -n "$lines" ]; then
		lines=$(grep -Ev -- "$VNET_SPLAT_IGNORE" <<<"$lines")
	fi
	[ -z "$lines" ] && return 0
	echo "kernel_splat_check: kernel log shows:" >&2
	printf '%s\n' "$lines" | head -n 40 >&2
	return 1
}
