#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (once, then cached) the debug kernel `make check-debug` runs the VM
# suite on: the newest linux-source in the Debian 13 root of scripts/root.sh
# (trixie-backports', the matrix's newest kernel), built there with its gcc:
# x86_64 defconfig + kvm_guest.config + scripts/debug-kernel.config (KASAN,
# lockdep, DEBUG_ATOMIC_SLEEP, kmemleak, netdev/netns refcount trackers,
# debugobjects, fault injection).
#
#   scripts/debug-kernel.sh          build if needed, print the directory:
#                                    DIR/bzImage, DIR/root/lib/modules/KVER,
#                                    DIR/src (KDIR for out-of-tree modules),
#                                    DIR/kver
#   scripts/debug-kernel.sh --cached the same, but only if it is built
#                                    already (else exit 1)
#
# One build at a time: a second caller waits for the first (flock).
#
# The cache key is the source tarball, the fragment and RECIPE below (bump it
# when the build steps change); about 2100 objects, some 25 minutes on 2
# idle cores.
# The cache lives outside the clone (VNET_CACHE, default /var/cache/vnet)
# so that every checkout and CI run on this machine shares one build.
set -euo pipefail
RECIPE=2
top=$(cd "$(dirname "$0")/.." && pwd)
root=$(bash "$top/scripts/root.sh")
tarball=$(bash "$top/scripts/root.sh" --source)
srcname=$(basename "$tarball")
srcname=${srcname%.tar.*}
frag=$top/scripts/debug-kernel.config
key=$({
	stat -L -c '%n %s' "$tarball"
	chroot "$root" dpkg-query -W -f='${Version}\n' "$srcname" \
		2>/dev/null || true
	# (contents only: the key must not depend on where the clone is)
	sha256sum <"$frag"
	echo "recipe $RECIPE"
} | sha256sum | cut -c1-16)
cache=${VNET_CACHE:-/var/cache/vnet}
dir=$cache/debug-kernel/$key
if [ -f "$dir/done" ]; then
	echo "$dir"
	exit 0
fi
[ "${1:-}" != --cached ] || exit 1
mkdir -p "$cache/debug-kernel"
exec 9>"$cache/debug-kernel/.lock"
flock 9
if [ -f "$dir/done" ]; then
	# built by the caller we waited for
	echo "$dir"
	exit 0
fi

rm -rf "$dir"
mkdir -p "$dir"
log=$dir/build.log
echo "debug-kernel: building $srcname in $dir (log: $log)" >&2
t0=$SECONDS
tar -C "$dir" -xf "$tarball"
mv "$dir/$srcname" "$dir/src"
cp "$frag" "$dir/fragment.config"
cd "$dir/src"
jobs=$(nproc)
# in the root, with its compiler and tools; $dir is the same path there
inroot() {
	bash "$top/scripts/root.sh" --run "$dir" -- bash -c 'cd "$1" && shift && "$@"' _ "$dir/src" "$@"
}
{
	inroot make defconfig
	inroot make kvm_guest.config
	inroot scripts/kconfig/merge_config.sh -m .config "$dir/fragment.config"
	inroot make olddefconfig
} >"$log" 2>&1
# every option of the fragment must have survived olddefconfig
missing=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qxF "$line" .config || {
			echo "debug-kernel: $line did not stick" >&2
			missing=1
		}
		;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		grep -q "^$opt=" .config && {
			echo "debug-kernel: $opt should be unset" >&2
			missing=1
		}
		;;
	esac
done <"$frag"
[ "$missing" = 0 ] || exit 1
if ! inroot make -j"$jobs" bzImage modules >>"$log" 2>&1; then
	tail -n 40 "$log" >&2
	exit 1
fi
inroot make -s modules_install INSTALL_MOD_PATH="$dir/root" \
	INSTALL_MOD_STRIP=1 >>"$log" 2>&1
inroot make -s kernelrelease >"$dir/kver"
cp arch/x86/boot/bzImage "$dir/bzImage"
touch "$dir/done"
echo "debug-kernel: built $(cat "$dir/kver") in $((SECONDS - t0)) s" >&2
echo "$dir"
