#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A Debian 13 (trixie) root with the newest cloud kernel of trixie-backports
# (image, headers, linux-source if there is one) and gcc: where vnet is
# built for kernels the Debian 12 host has no toolchain or headers for.
#
#   scripts/root.sh               create the root if needed (once, cached),
#                                 print its directory
#   scripts/root.sh --kvers       print the root's kernel releases, one a
#                                 line (a /lib/modules/<kver> with build/
#                                 and /boot/vmlinuz-<kver>); nothing if the
#                                 root does not exist yet; never creates it
#   scripts/root.sh --path        print the root's directory if it exists
#                                 (exit 1 if not); never creates it
#   scripts/root.sh --source      print the newest linux-source tarball in
#                                 the root (exit 1 if none); never creates it
#   scripts/root.sh --run DIR... -- CMD [ARG...]
#                                 run CMD in the root (chroot, /proc /sys
#                                 /dev mounted) with each host DIR bind-
#                                 mounted at the same path inside
#
# The root lives outside the clone, in ${VNET_CACHE:-/var/cache/vnet}/
# root-trixie, shared by every checkout on the machine; RECIPE below is
# stored with it, and a root made by another recipe is made again. The
# kernel is chosen when the root is made: remove the directory to pick up
# a newer one. VNET_MIRROR overrides the Debian mirror (default: the host's
# own, from its apt sources). Must run as root.
set -euo pipefail
RECIPE=1
SUITE=trixie
INCLUDE=gcc,make,libc6-dev,libelf-dev,bc,xz-utils,kmod,ca-certificates
# Installed into the root, whatever its age (missing ones are added at the
# next call): the guest userland of every VM (tests/vm/mkinitramfs.sh),
# DKMS and sparse for the 7.x builds, what the debug kernel's build needs,
# and what building the kernel's NIC driver selftests needs (scripts/
# ksft.sh: clang and llvm for their BPF programs, bpftool for the guest).
PACKAGES=(
	busybox-static bash iproute2 iputils-ping ethtool kmod util-linux
	procps iperf3 socat python3 python3-yaml bpftrace
	dkms sparse
	flex bison libssl-dev cpio
	clang llvm libbpf-dev bpftool libmnl-dev libcap-dev libnuma-dev
	pkg-config python3-jsonschema rsync
)

cache=${VNET_CACHE:-/var/cache/vnet}
dir=$cache/root-$SUITE

die() {
	echo "root.sh: $*" >&2
	exit 1
}

usage() {
	sed -n '3,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

list_kvers() {
	local d kver
	[ -f "$dir/.vnet-root" ] || return 0
	for d in "$dir"/lib/modules/*/; do
		[ -d "$d" ] || continue
		kver=$(basename "$d")
		[ -f "$dir/boot/vmlinuz-$kver" ] || continue
		[ -d "$d/build" ] || continue
		printf '%s\n' "$kver"
	done | sort -V
}

# The host's Debian mirror: the first URI of a deb source for its own suite.
host_mirror() {
	local codename uri
	# shellcheck disable=SC1091
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk -v s="$codename" '
		/^URIs:/ { u = $2 }
		/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) { print u; exit } }')
	[ -n "$uri" ] || uri=$(awk -v s="$codename" \
		'$1 == "deb" && $3 == s { print $2; exit }' \
		/etc/apt/sources.list 2>/dev/null || true)
	printf '%s\n' "${uri:-http://deb.debian.org/debian}"
}

# chroot_run ROOT DIR... -- CMD...: in a private mount namespace, so that
# nothing mounted here is ever seen by the host (an rm -rf of the root can
# not reach the host's /dev), and unmounted by the trap as well.
chroot_run() {
	local root=$1 binds=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		binds+=("$(cd "$1" && pwd)")
		shift
	done
	[ "${1:-}" = -- ] || die "--run: missing -- before the command"
	shift
	[ $# -gt 0 ] || die "--run: no command"
	unshare --mount --propagation private -- \
		bash -c "$(declare -f die chroot_inner); chroot_inner \"\$@\"" \
		chroot_inner "$root" "${#binds[@]}" "${binds[@]}" "$@"
}

chroot_inner() {
	local root=$1 n=$2 b i mounted=()
	shift 2
	# shellcheck disable=SC2317 # called by the trap
	undo() {
		local j
		for ((j = ${#mounted[@]} - 1; j >= 0; j--)); do
			umount "${mounted[j]}" 2>/dev/null ||
				umount -l "${mounted[j]}" || true
		done
	}
	trap undo EXIT
	mount -t proc proc "$root/proc" && mounted+=("$root/proc")
	mount -t sysfs sysfs "$root/sys" && mounted+=("$root/sys")
	mount --bind /dev "$root/dev" && mounted+=("$root/dev")
	mount --bind /dev/pts "$root/dev/pts" && mounted+=("$root/dev/pts")
	for ((i = 0; i < n; i++)); do
		b=$1
		shift
		mkdir -p "$root$b"
		mount --bind "$b" "$root$b" && mounted+=("$root$b")
	done
	# INITRD=No: the guest boots with our own initramfs; the kernel's
	# postinst hooks need not build one (as scripts/deps.sh).
	chroot "$root" /usr/bin/env -i \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive INITRD=No \
		"$@"
}

# newest linux-image-<kver>-cloud-amd64 that trixie-backports offers
newest_backports_kver() {
	local root=$1 pkgs
	mapfile -t pkgs < <(chroot_run "$root" -- apt-cache search --names-only \
		'^linux-image-[0-9].*-cloud-amd64$' | awk '{ print $1 }')
	[ ${#pkgs[@]} -gt 0 ] || return 0
	# "linux-image-<kver>-cloud-amd64 | <version> | <mirror> <suite>/main ..."
	chroot_run "$root" -- apt-cache madison "${pkgs[@]}" |
		awk -v s=" $SUITE-backports/" 'index($0, s) { print $1 }' |
		sed -e 's/^linux-image-//' | sort -uV | tail -n1
}

create() {
	local mirror tmp kver mm t0=$SECONDS t1
	mirror=${VNET_MIRROR:-$(host_mirror)}
	command -v debootstrap >/dev/null ||
		die "debootstrap missing (scripts/deps.sh)"
	tmp=$dir.tmp
	# a previous attempt that died; its mounts were private to it
	rm -rf "$tmp"
	mkdir -p "$tmp"
	echo "root.sh: debootstrap $SUITE from $mirror into $tmp" >&2
	debootstrap --variant=minbase --include="$INCLUDE" \
		"$SUITE" "$tmp" "$mirror" >"$cache/root-$SUITE.log" 2>&1 || {
		tail -n 20 "$cache/root-$SUITE.log" >&2
		die "debootstrap failed (log: $cache/root-$SUITE.log)"
	}
	t1=$SECONDS
	echo "root.sh: debootstrap took $((t1 - t0)) s" >&2

	cat >"$tmp/etc/apt/sources.list.d/$SUITE-backports.sources" <<-EOF
		Types: deb
		URIs: $mirror
		Suites: $SUITE-backports
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
	# Neither the hook nor update-initramfs has anything to do here: no
	# initramfs is ever built for these kernels (INITRD=No, and the hook
	# is not even installed).
	echo 'path-exclude=/etc/kernel/postinst.d/initramfs-tools' \
		>"$tmp/etc/dpkg/dpkg.cfg.d/vnet-no-initramfs"
	cp -L /etc/resolv.conf "$tmp/etc/resolv.conf"
	chroot_run "$tmp" -- apt-get update -qq >&2

	kver=$(newest_backports_kver "$tmp")
	[ -n "$kver" ] || die "no linux-image-*-cloud-amd64 in $SUITE-backports"
	mm=$(echo "$kver" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
	local pkgs=("linux-image-$kver" "linux-headers-$kver")
	if chroot_run "$tmp" -- apt-cache madison "linux-source-$mm" |
		grep -q "$SUITE-backports"; then
		pkgs+=("linux-source-$mm")
	else
		echo "root.sh: no linux-source-$mm in $SUITE-backports" >&2
	fi
	echo "root.sh: installing ${pkgs[*]}" >&2
	chroot_run "$tmp" -- apt-get install -y -qq --no-install-recommends \
		-o Dpkg::Use-Pty=0 -t "$SUITE-backports" "${pkgs[@]}" \
		>>"$cache/root-$SUITE.log" 2>&1 || {
		tail -n 20 "$cache/root-$SUITE.log" >&2
		die "installing the kernel failed (log: $cache/root-$SUITE.log)"
	}
	chroot_run "$tmp" -- apt-get clean
	if [ ! -d "$tmp/lib/modules/$kver/build" ] ||
		[ ! -f "$tmp/boot/vmlinuz-$kver" ]; then
		die "$kver: no /boot/vmlinuz or build tree after installing"
	fi
	echo "recipe $RECIPE" >"$tmp/.vnet-root"
	rm -rf "$dir"
	mv "$tmp" "$dir"
	echo "root.sh: $SUITE root with $kver made in $((SECONDS - t0)) s" \
		"(debootstrap $((t1 - t0)) s)" >&2
}

case "${1:-}" in
--kvers)
	list_kvers
	exit 0
	;;
--path)
	[ -f "$dir/.vnet-root" ] || exit 1
	echo "$dir"
	exit 0
	;;
--source)
	src=$(ls "$dir"/usr/src/linux-source-*.tar.* 2>/dev/null | sort -V |
		tail -n1)
	[ -n "$src" ] || die "no linux-source-*.tar.* in $dir/usr/src"
	echo "$src"
	exit 0
	;;
--run)
	shift
	[ -f "$dir/.vnet-root" ] || die "no root at $dir (run $0 first)"
	[ "$(id -u)" = 0 ] || die "must run as root"
	chroot_run "$dir" "$@"
	exit
	;;
-h | --help) usage ;;
"") ;;
*) usage ;;
esac

# Install what PACKAGES lists and the root lacks.
ensure_packages() {
	local status missing
	# (dpkg-query fails when some are not installed: that is the point)
	status=$(chroot "$dir" dpkg-query -W -f='${Package} ${Status}\n' \
		"${PACKAGES[@]}" 2>/dev/null || true)
	missing=$(awk -v want="${PACKAGES[*]}" '$NF == "installed" { ok[$1] = 1 }
		END {
			n = split(want, p, " ")
			for (i = 1; i <= n; i++) if (!ok[p[i]]) print p[i]
		}' <<<"$status")
	[ -n "$missing" ] || return 0
	echo "root.sh: installing" $missing >&2
	# shellcheck disable=SC2086 # one word per package
	chroot_run "$dir" -- apt-get install -y -qq --no-install-recommends \
		-o Dpkg::Use-Pty=0 $missing >>"$cache/root-$SUITE.log" 2>&1 || {
		chroot_run "$dir" -- apt-get update -qq >&2 &&
			chroot_run "$dir" -- apt-get install -y -qq \
				--no-install-recommends -o Dpkg::Use-Pty=0 \
				$missing >>"$cache/root-$SUITE.log" 2>&1
	} || die "installing $missing failed (log: $cache/root-$SUITE.log)"
	chroot_run "$dir" -- apt-get clean
}

[ "$(id -u)" = 0 ] || die "must run as root"
mkdir -p "$cache"
exec 9>"$cache/root-$SUITE.lock"
flock 9
if [ "$(cat "$dir/.vnet-root" 2>/dev/null)" != "recipe $RECIPE" ]; then
	create
fi
ensure_packages
echo "$dir"
