#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check's install test: "make install" with DKMS for one kernel of the
# matrix, then the installed module's vermagic must name that kernel, and
# "make uninstall" must remove it again. DKMS works in a scratch DESTDIR
# under build/ (its source, build and install trees), so the machine's own
# DKMS state and concurrent checkouts are left alone. A kernel of the
# Debian 13 root (scripts/root.sh) is built there, with its DKMS.
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

mkdir -p "$top/build"
dest=$(mktemp -d "$top/build/dkms-check.XXXXXX")
trap 'rm -rf "$dest"' EXIT

fail() {
	echo "TEST: $name [FAIL]"
	printf '\t%s\n' "$1"
	exit 1
}

# (env: the root's commands start with an empty environment)
log=$("${run[@]}" env DESTDIR="$dest" bash "$top/scripts/install.sh" install \
	"$kver" 2>&1) ||
	fail "install failed: $(tail -n 5 <<<"$log")"
ko=$(ls "$dest/lib/modules/$kver/updates/dkms/vnet.ko"* 2>/dev/null)
magic=$("${run[@]}" modinfo -F vermagic "$ko" 2>/dev/null)
"${run[@]}" env DESTDIR="$dest" bash "$top/scripts/install.sh" uninstall \
	"$kver" >/dev/null 2>&1 ||
	fail "uninstall failed"
[ -n "$ko" ] || fail "no vnet.ko under DESTDIR/lib/modules/$kver/updates/dkms"
[ "${magic%% *}" = "$kver" ] || fail "vermagic '$magic' of $ko"
left=$(ls "$dest/lib/modules/$kver/updates/dkms/vnet.ko"* "$dest"/usr/src/vnet-* \
	2>/dev/null)
[ -z "$left" ] || fail "left behind by uninstall: $left"
echo "TEST: $name [ OK ]"
