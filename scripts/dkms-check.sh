#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check's install test: "make install" with DKMS for one kernel of the
# matrix, then the installed module's vermagic must name that kernel, and
# "make uninstall" must remove it again. A kernel of the Debian 13 root
# (scripts/root.sh) is installed into the root, with its DKMS.
#
#   scripts/dkms-check.sh KVER     prints "TEST: ... [ OK ]" or "[FAIL]"
set -uo pipefail
kver=${1:?usage: dkms-check.sh KVER}
top=$(cd "$(dirname "$0")/.." && pwd)
name="make install with DKMS, vermagic ($kver)"
run=()
if [ ! -d "/lib/modules/$kver/build" ] &&
	bash "$top/scripts/root.sh" --kvers | grep -qxF -- "$kver"; then
	run=(bash "$top/scripts/root.sh" --run "$top" --)
fi

fail() {
	echo "TEST: $name [FAIL]"
	printf '\t%s\n' "$1"
	exit 1
}

log=$("${run[@]}" bash "$top/scripts/install.sh" install "$kver" 2>&1) ||
	fail "install failed: $(tail -n 5 <<<"$log")"
ko=$("${run[@]}" bash -c 'ls /lib/modules/"$1"/updates/dkms/vnet.ko* 2>/dev/null' \
	_ "$kver")
magic=$("${run[@]}" modinfo -F vermagic "$ko" 2>/dev/null)
"${run[@]}" bash "$top/scripts/install.sh" uninstall "$kver" >/dev/null 2>&1 ||
	fail "uninstall failed"
[ -n "$ko" ] || fail "no vnet.ko under /lib/modules/$kver/updates/dkms"
[ "${magic%% *}" = "$kver" ] || fail "vermagic '$magic' of $ko"
left=$("${run[@]}" bash -c 'ls /lib/modules/"$1"/updates/dkms/vnet.ko* /usr/src/vnet-* 2>/dev/null' \
	_ "$kver")
[ -z "$left" ] || fail "left behind by uninstall: $left"
echo "TEST: $name [ OK ]"
