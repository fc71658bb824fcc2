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
		copy_sources
		dkms status -m vnet -v "$ver" | grep -q . ||
			dkms add -m vnet -v "$ver"
		dkms install -m vnet -v "$ver" -k "$kver"
	else
		kdir=/lib/modules/$kver/build
		[ -d "$kdir" ] || {
			echo "install: no $kdir: install the headers of $kver" >&2
			exit 1
		}
		make -C "$kdir" M="$top" modules
		make -C "$kdir" M="$top" INSTALL_MOD_DIR=updates \
			${dest:+INSTALL_MOD_PATH=$dest} modules_install
		depmod ${dest:+-b "$dest"} "$kver"
	fi
	;;
uninstall)
	if use_dkms && dkms status -m vnet -v "$ver" | grep -q .; then
		dkms remove -m vnet -v "$ver" --all
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
