#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install everything the vnet project needs on a Debian 12 machine.
#
#   scripts/deps.sh           install missing packages (idempotent; offline
#                             and fast when everything is already present)
#   scripts/deps.sh --kvers   print the kernel test matrix, one release per
#                             line: every /lib/modules/<kver> that has both
#                             /boot/vmlinuz-<kver> and a build/ directory
set -euo pipefail

PACKAGES=(
	qemu-system-x86
	linux-image-cloud-amd64 linux-headers-cloud-amd64
	linux-image-6.12-cloud-amd64 linux-headers-6.12-cloud-amd64
	busybox-static kmod iproute2 iputils-ping ethtool cpio gzip xz-utils
	gcc make libc6-dev libelf-dev bc iperf3 sparse bpftrace gnuplot-nox python3
	clang libclang-rt-14-dev socat
	linux-source-6.12 flex bison libssl-dev
	debootstrap
)

list_kvers() {
	local d kver
	for d in /lib/modules/*/; do
		[ -d "$d" ] || continue
		kver=$(basename "$d")
		[ -f "/boot/vmlinuz-$kver" ] || continue
		[ -d "/lib/modules/$kver/build" ] || continue
		printf '%s\n' "$kver"
	done | sort -V
}

case "${1:-}" in
--kvers)
	list_kvers
	exit 0
	;;
"") ;;
-h | --help)
	sed -n '3,10p' "$0"
	exit 0
	;;
*)
	echo "usage: $0 [--kvers]" >&2
	exit 2
	;;
esac

missing=()
for p in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all present"
	exit 0
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo -E"
fi

export DEBIAN_FRONTEND=noninteractive
# The guest boots with our own initramfs: tell the kernel postinst hook
# (/etc/kernel/postinst.d/initramfs-tools) not to build a distro one.
export INITRD=No

$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends \
	-o Dpkg::Use-Pty=0 "${missing[@]}" >/dev/null
echo "deps: installed ${missing[*]}"
