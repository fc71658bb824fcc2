# SPDX-License-Identifier: GPL-2.0
# Last script of a debug-kernel run (make check-debug): every module is
# unloaded and every netns gone; kmemleak must find nothing unreferenced
# that was allocated since kmemleak_start.sh.
source /vnet/lib.sh

KML=/sys/kernel/debug/kmemleak

RET=0
if [ ! -e "$KML" ]; then
	log_skip "kmemleak finds no leak" "kernel without CONFIG_DEBUG_KMEMLEAK"
	lib_exit
fi
vnet_loaded && vnet_unload
echo scan >"$KML" && echo scan >"$KML"
check_err $? "kmemleak scan failed"
n=$(grep -c '^unreferenced object' "$KML")
check_eq "$n" 0 "suspected leaks (reports on the console)"
[ "$n" = 0 ] || head -n 100 "$KML"
log_test "kmemleak finds no leak after the suite"
lib_exit
