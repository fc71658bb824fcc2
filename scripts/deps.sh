#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install everything the vnet project needs on a Debian 12 machine.
#
#   scripts/deps.sh           install missing packages (idempotent; offline
#                             and fast when everything is already present),
#                             then make or complete the Debian 13 root of
#                             scripts/root.sh (cached outside the clone)
#   scripts/deps.sh --kvers   print the kernel test matrix, one release per
#                             line: every /lib/modules/<kver> of the host
#                             that has both /boot/vmlinuz-<kver> and a
#                             build/ directory (Debian 12's 6.1 and 6.12),
#                             and the root's newest trixie-backports kernel
set -euo pipefail

PACKAGES=(
	qemu-system-x86
	linux-image-cloud-amd64 linux-headers-cloud-amd64
	linux-image-6.12-cloud-amd64 linux-headers-6.12-cloud-amd64
	busybox-static kmod iproute2 iputils-ping ethtool cpio gzip xz-utils
	gcc make libc6-dev libelf-dev bc iperf3 sparse bpftrace gnuplot-nox python3
	clang libclang-rt-14-dev socat
	linux-source-6.12 flex bison libssl-dev
	debootstrap dkms tmux
)

list_kvers() {
	local d kver
	{
		for d in /lib/modules/*/; do
			[ -d "$d" ] || continue
			kver=$(basename "$d")
			[ -f "/boot/vmlinuz-$kver" ] || continue
			[ -d "/lib/modules/$kver/build" ] || continue
			printf '%s\n' "$kver"
		done
		bash "$(dirname "$0")/root.sh" --kvers
	} | sort -uV
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

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo -E"
fi

# The Debian 13 root: the newest kernel, its toolchain, the guest userland
# (made as root: debootstrap, chroot).
ensure_root() {
	$SUDO bash "$(dirname "$0")/root.sh" >/dev/null
}

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all present"
	ensure_root
	exit 0
fi

export DEBIAN_FRONTEND=noninteractive
# The guest boots with our own initramfs: tell the kernel postinst hook
# (/etc/kernel/postinst.d/initramfs-tools) not to build a distro one.
export INITRD=No

$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends \
	-o Dpkg::Use-Pty=0 "${missing[@]}" >/dev/null
echo "deps: installed ${missing[*]}"
ensure_root
