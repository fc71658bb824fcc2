#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the BASE initramfs for the vnet QEMU test guest.
#
#   tests/vm/mkinitramfs.sh KVER OUT.cpio      build it (newc cpio, not
#                                              compressed: a debug kernel
#                                              took 63 s to inflate 97 MB)
#   tests/vm/mkinitramfs.sh --key KVER         print the cache key: changes
#                                              whenever this script, init,
#                                              the tool list, VNET_KMODS or
#                                              any host file copied changes
#
# Contents: busybox-static applets, the real tools of VNET_TOOLS with their
# shared libraries (and Python's standard library and packages, if python3
# is one), all from VNET_USERLAND, the distro kernel modules of VNET_KMODS
# (with their dependencies) for KVER, a minimal /etc, and tests/vm/init as
# /init. Must run as root (device nodes, ownership, chroot).
#
# Environment:
#   VNET_TOOLS        host tools to copy (default below). Entry syntax:
#                       name            required tool, found in $PATH
#                       name?           optional: skipped silently if absent
#                       name=a,b        also create symlinks a, b -> name
#   VNET_EXTRA_TOOLS  appended to VNET_TOOLS (same syntax)
#   VNET_EXTRA_KMODS  appended to VNET_KMODS (bench/run: QEMU's NICs)
#   VNET_KMODS        distro modules to include (default below: veth,
#                     dummy, pktgen, 8021q, netconsole, and what the
#                     kernel's selftests of tests/ksft load); "name?" is
#                     optional: skipped when the kernel lacks it (the
#                     debug kernel built here has no qdisc modules)
#   VNET_USERLAND     the root directory the programs come from: the
#                     Debian 13 root of scripts/root.sh (run.sh's default
#                     when it exists), or empty for the host itself
#   VNET_MODROOT      take the modules from VNET_MODROOT/lib/modules/KVER
#                     instead of /lib/modules/KVER (a kernel built here, or
#                     the Debian 13 root of scripts/root.sh); for a kernel
#                     without BTF (the one built here) its build tree's
#                     headers go to /lib/modules/KVER/build for bpftrace
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

VNET_TOOLS=${VNET_TOOLS:-"bash=sh ip tc bridge ping=ping4,ping6 ethtool \
kmod=insmod,rmmod,modprobe,lsmod,depmod,modinfo timeout \
socat taskset iperf3? bpftrace? perf? python3? bpftool? devlink?"}
VNET_TOOLS="$VNET_TOOLS ${VNET_EXTRA_TOOLS:-}"
# configfs to vxlan: what the kernel's NIC driver selftests load (tests/ksft);
# ipip and ip6_tunnel: t70's tunnels
VNET_KMODS=${VNET_KMODS:-"veth dummy pktgen 8021q netconsole configfs sch_fq? \
sch_etf? sch_mqprio? sch_prio? sch_ingress? cls_bpf? cls_fw? cls_flower? \
cls_matchall? act_bpf? act_skbedit? macsec? vxlan? ipip? ip6_tunnel?"}
VNET_KMODS="$VNET_KMODS ${VNET_EXTRA_KMODS:-}"
MODROOT=${VNET_MODROOT:-}
U=${VNET_USERLAND:-}
[ "$U" != / ] || U=

export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH"

die() {
	echo "mkinitramfs: $*" >&2
	exit 1
}

usage() {
	echo "usage: $0 KVER OUT.cpio | $0 --key KVER" >&2
	exit 2
}

# in_userland CMD...: run CMD in the userland's root (chroot; CMD needs
# neither /proc nor /dev), or on the host.
in_userland() {
	if [ -n "$U" ]; then
		chroot "$U" "$@"
	else
		"$@"
	fi
}

# userland_path NAME: where the userland's $PATH finds NAME.
userland_path() {
	in_userland sh -c 'command -v "$1"' _ "$1" 2>/dev/null
}

# Emit "TOOLPATH<TAB>name<TAB>aliases" for every tool that will be copied.
resolve_tools() {
	local entry name aliases optional path
	for entry in $VNET_TOOLS; do
		optional=0
		name=${entry%%=*}
		aliases=
		[[ $entry == *=* ]] && aliases=${entry#*=}
		if [[ $name == *\? ]]; then
			optional=1
			name=${name%\?}
		fi
		if ! path=$(userland_path "$name") || [[ $path != /* ]]; then
			[ "$optional" = 1 ] && continue
			die "required tool '$name' not found in ${U:-the host} (run scripts/deps.sh)"
		fi
		printf '%s\t%s\t%s\n' "$path" "$name" "$aliases"
	done
}

# Shared libraries (and the loader) of the given ELF files (userland
# paths), one per line.
libs_of() {
	local f
	for f in "$@"; do
		# "not a dynamic executable" -> no output (static binary / script)
		in_userland ldd "$f" 2>/dev/null | awk '
			$2 == "=>" && $3 ~ /^\// { print $3 }
			$1 ~ /^\// { print $1 }'
	done
	echo /lib64/ld-linux-x86-64.so.2
	# glibc dlopens it to cancel a thread or unwind (iperf3 aborts
	# without it); nothing links it
	[ ! -e "$U/lib/x86_64-linux-gnu/libgcc_s.so.1" ] ||
		echo /lib/x86_64-linux-gnu/libgcc_s.so.1
}

# Python's own trees (standard library, packages), if python3 is a tool:
# userland directories, one per line.
python_trees() {
	local d
	userland_path python3 >/dev/null || return 0
	for d in "$U"/usr/lib/python3.[0-9]* "$U/usr/lib/python3/dist-packages"; do
		[ -d "$d" ] && printf '%s\n' "${d#"$U"}"
	done
}

# The extension modules in those trees (they need their libraries).
python_sos() {
	local d
	for d in $(python_trees); do
		find "$U$d" -name '*.so' -printf "$d/%P\n"
	done
}

# Module files (absolute host paths) for VNET_KMODS and their dependencies.
kmod_files() {
	local kver=$1 m out
	local dopt=()
	[ -z "$MODROOT" ] || dopt=(-d "$MODROOT")
	for m in $VNET_KMODS; do
		if [[ $m == *\? ]]; then
			m=${m%\?}
			out=$(modprobe "${dopt[@]}" -S "$kver" --show-depends "$m" 2>&1) ||
				continue
		else
			out=$(modprobe "${dopt[@]}" -S "$kver" --show-depends "$m" 2>&1) ||
				die "module '$m' not found for $kver: $out"
		fi
		awk '$1 == "insmod" { print $2 }' <<<"$out"
	done
}

# Every file the image is made of (for the cache key): userland paths,
# then host ones (the modules).
host_files() {
	local kver=$1
	local tools
	tools=$(resolve_tools | cut -f1)
	# shellcheck disable=SC2086
	{
		echo "$tools"
		libs_of $tools $(python_sos)
		python_trees
		echo /bin/busybox
	} | sort -u | sed "s|^|$U|"
	kmod_files "$kver" | sort -u
}

cache_key() {
	local kver=$1
	{
		echo "kver=$kver"
		echo "userland=$U"
		echo "tools=$VNET_TOOLS"
		echo "kmods=$VNET_KMODS"
		echo "modroot=$MODROOT"
		[ -z "$MODROOT" ] || stat -L -c '%n %Y' \
			"$MODROOT/lib/modules/$kver/build/include/generated/autoconf.h" 2>/dev/null || true
		cat "$HERE/mkinitramfs.sh" "$HERE/init" | sha256sum
		host_files "$kver" | xargs -r stat -L -c '%n %s %Y'
	} | sha256sum | cut -d' ' -f1
}

# copy_file SRC [DST]: copy host file SRC (dereferenced) to STAGE/DST
# (default: SRC).
copy_file() {
	local src=$1 dst=${2:-$1}
	mkdir -p "$STAGE$(dirname "$dst")"
	cp -L --preserve=mode "$src" "$STAGE$dst"
}

# copy_userland PATH: the userland's PATH to the same place in STAGE, its
# symbolic links resolved in the userland (an absolute link there points
# into the userland, not the host).
copy_userland() {
	local real
	real=$(in_userland readlink -f "$1") || die "cannot resolve $1 in ${U:-/}"
	copy_file "$U$real" "$1"
}

build() {
	local kver=$1 out=$2
	local path name aliases a apath f m
	local -A provided=()

	[ "$(id -u)" = 0 ] || die "must run as root"
	[ -d "$MODROOT/lib/modules/$kver" ] || die "no $MODROOT/lib/modules/$kver"
	[ -x "$U/bin/busybox" ] || die "$U/bin/busybox missing (install busybox-static)"
	[ -f "$HERE/init" ] || die "$HERE/init missing"

	mkdir -p "$(dirname "$out")"
	STAGE=$(mktemp -d "$(dirname "$out")/stage.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$STAGE'" EXIT

	# merged-/usr layout, like the Debian 12 host
	mkdir -p "$STAGE"/usr/{bin,sbin,lib,lib64} "$STAGE"/usr/local/{bin,sbin}
	ln -s usr/bin "$STAGE/bin"
	ln -s usr/sbin "$STAGE/sbin"
	ln -s usr/lib "$STAGE/lib"
	ln -s usr/lib64 "$STAGE/lib64"
	mkdir -p "$STAGE"/{proc,sys,dev,run,tmp,etc,root,var,mnt,vnet}
	chmod 1777 "$STAGE/tmp"
	chmod 700 "$STAGE/root"
	ln -s ../run "$STAGE/var/run"
	mknod -m 600 "$STAGE/dev/console" c 5 1
	mknod -m 666 "$STAGE/dev/null" c 1 3

	# real tools + their libraries
	local tools=()
	while IFS=$'\t' read -r path name aliases; do
		copy_userland "$path"
		tools+=("$path")
		provided[$name]=1
		IFS=, read -r -a al <<<"$aliases"
		for a in "${al[@]}"; do
			[ -n "$a" ] || continue
			# where the userland has it (e.g. /usr/sbin/modprobe, which
			# the kernel runs as /sbin/modprobe), else next to the tool
			apath=$(userland_path "$a") && [[ $apath == /* ]] ||
				apath=$(dirname "$path")/$a
			mkdir -p "$STAGE$(dirname "$apath")"
			ln -sf "$path" "$STAGE$apath"
			provided[$a]=1
		done
	done < <(resolve_tools)
	# Python's standard library and packages, without their own tests
	for f in $(python_trees); do
		mkdir -p "$STAGE$f"
		tar -C "$U$f" --exclude=test --exclude=tests --exclude=idlelib \
			--exclude=tkinter --exclude=turtledemo --exclude=ensurepip \
			--exclude=__pycache__ -cf - . | tar -C "$STAGE$f" -xf -
	done
	while read -r f; do
		copy_userland "$f"
	done < <(libs_of "${tools[@]}" $(python_sos) | sort -u)

	# busybox applets, except those provided by real tools
	copy_file "$U/bin/busybox" /bin/busybox
	while read -r f; do
		name=$(basename "$f")
		[ -n "${provided[$name]:-}" ] && continue
		[ -e "$STAGE/$f" ] || [ -L "$STAGE/$f" ] && continue
		ln -s /bin/busybox "$STAGE/$f"
	done < <(in_userland /bin/busybox --list-full)

	# kernel modules (host paths under $MODROOT, guest paths without it)
	local mdir=/lib/modules/$kver
	mkdir -p "$STAGE$mdir"
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[ -f "$MODROOT$mdir/$f" ] && copy_file "$MODROOT$mdir/$f" "$mdir/$f"
	done
	while read -r m; do
		[ -n "$m" ] || continue
		m=$(realpath -m "$m")
		copy_file "$m" "${m#"$MODROOT"}"
	done < <(kmod_files "$kver" | sort -u)
	depmod -b "$STAGE" "$kver"
	# Only for a kernel without BTF: a distro kernel in a root (scripts/
	# root.sh) has BTF, and its build/ holds just the generated headers,
	# which bpftrace would take for a whole tree and fail on.
	if [ -n "$MODROOT" ] && [ -d "$MODROOT$mdir/build/include" ] &&
		! grep -qx 'CONFIG_DEBUG_INFO_BTF=y' "$MODROOT$mdir/build/.config" 2>/dev/null; then
		mkdir -p "$STAGE$mdir/build"
		tar -C "$MODROOT$mdir/build" -cf - include arch/x86/include |
			tar -C "$STAGE$mdir/build" -xf -
	fi

	# minimal /etc
	echo 'root:x:0:0:root:/root:/bin/bash' >"$STAGE/etc/passwd"
	echo 'root:x:0:' >"$STAGE/etc/group"
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
		>"$STAGE/etc/hosts"
	printf 'passwd: files\ngroup: files\nhosts: files\nservices: files\nprotocols: files\n' \
		>"$STAGE/etc/nsswitch.conf"
	for f in /etc/protocols /etc/services; do
		if [ -f "$U$f" ]; then
			copy_file "$U$f" "$f"
		elif [ -f "$f" ]; then
			copy_file "$f"
		fi
	done
	echo vnet-guest >"$STAGE/etc/hostname"

	install -m 755 "$HERE/init" "$STAGE/init"

	(cd "$STAGE" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) >"$out.tmp"
	mv -f "$out.tmp" "$out"
}

case "${1:-}" in
--key)
	[ $# -eq 2 ] || usage
	cache_key "$2"
	;;
-h | --help | "") usage ;;
*)
	[ $# -eq 2 ] || usage
	build "$1" "$2"
	;;
esac
