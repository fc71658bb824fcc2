# SPDX-License-Identifier: GPL-2.0
# First script of a debug-kernel run (make check-debug): whatever kmemleak
# suspects from boot is marked seen, so that kmemleak_check.sh at the end
# reports only what the suite leaked.
source /vnet/lib.sh

KML=/sys/kernel/debug/kmemleak

RET=0
if [ ! -e "$KML" ]; then
	log_skip "kmemleak baseline" "kernel without CONFIG_DEBUG_KMEMLEAK"
	lib_exit
fi
# An object is reported once two scans found it unreferenced and unchanged.
echo scan >"$KML" && echo scan >"$KML" && echo clear >"$KML"
check_err $? "kmemleak scan/clear failed"
log_test "kmemleak baseline: $(grep -c '^unreferenced object' "$KML") suspects left after clear"
lib_exit
