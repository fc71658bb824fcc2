#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install vnet.ko on this machine, or remove it.
#
#   scripts/install.sh install [KVER]     with DKMS if it is installed: the
#                                         sources go to /usr/src/vnet-<ver>
#                                         and DKMS builds and installs the
#                                         module for KVER (default: the
#                                         running kernel) and every kernel
#                                         installed later; without DKMS,
#                                         kbuild's modules_install into
#                                         /lib/modules/KVER/updates
#   scripts/install.sh uninstall [KVER]   the reverse (DKMS: every kernel)
#
# Environment: DESTDIR (a root to install into; default /), DKMS=no (use
# modules_install even where DKMS is installed).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
op=${1:-}
kver=${2:-$(uname -r)}
dest=${DESTDIR:-}
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
[ -n "$ver" ] || { echo "install: no PACKAGE_VERSION in dkms.conf" >&2; exit 1; }
src=$dest/usr/src/vnet-$ver

use_dkms() {
	[ "${DKMS:-}" != no ] && command -v dkms >/dev/null
}

# DKMS's trees under DESTDIR when one is given, else its defaults.
dkms_opts=()
if [ -n "$dest" ]; then
	dkms_opts=(--sourcetree "$dest/usr/src" --dkmstree "$dest/var/lib/dkms"
		--installtree "$dest/lib/modules")
	mkdir -p "$dest/usr/src" "$dest/var/lib/dkms" "$dest/lib/modules/$kver"
fi

# dkms_has: this version is registered with DKMS
dkms_has() {
	[ -n "$(dkms status "${dkms_opts[@]}" -m vnet -v "$ver" 2>/dev/null)" ]
}

# The files a module build needs, and no build products.
copy_sources() {
	rm -rf "$src"
	mkdir -p "$src/drv"
	cp "$top/Kbuild" "$top/dkms.conf" "$src/"
	cp "$top"/drv/*.c "$top"/drv/*.h "$top/drv/Kbuild" "$src/drv/"
}

case $op in
install)
	if use_dkms; then
		# A reinstall replaces what an earlier make install left (same
		# version number, other sources).
		if dkms_has; then
			dkms remove "${dkms_opts[@]}" -m vnet -v "$ver" --all
		fi
		copy_sources
		dkms add "${dkms_opts[@]}" -m vnet -v "$ver"
		# (the headers stay where the kernel's package put them)
		dkms install "${dkms_opts[@]}" -m vnet -v "$ver" -k "$kver" \
			${dest:+--kernelsourcedir "/lib/modules/$kver/build"}
	else
		kdir=/lib/modules/$kver/build
		[ -d "$kdir" ] || {
			echo "install: no $kdir: install the headers of $kver" >&2
			exit 1
		}
		# built in build/<kver>/ as make does, not in the checkout
		bash "$top/scripts/build.sh" "$kver"
		make -C "$kdir" M="$top/build/$kver" INSTALL_MOD_DIR=updates \
			${dest:+INSTALL_MOD_PATH=$dest} modules_install
		depmod ${dest:+-b "$dest"} "$kver"
	fi
	;;
uninstall)
	if use_dkms && dkms_has; then
		dkms remove "${dkms_opts[@]}" -m vnet -v "$ver" --all
		rm -rf "$src"
	else
		rm -f "$dest/lib/modules/$kver/updates/drv/vnet.ko"* \
			"$dest/lib/modules/$kver/updates/vnet.ko"*
		depmod ${dest:+-b "$dest"} "$kver"
	fi
	;;
*)
	sed -n '3,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
