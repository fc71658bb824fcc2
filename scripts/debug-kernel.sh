#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (once, then cached) the debug kernel `make check-debug` runs the VM
# suite on: Debian's linux-source-6.12, x86_64 defconfig + kvm_guest.config +
# scripts/debug-kernel.config (KASAN, lockdep, DEBUG_ATOMIC_SLEEP, kmemleak,
# netdev/netns refcount trackers, debugobjects).
#
#   scripts/debug-kernel.sh          build if needed, print the directory:
#                                    DIR/bzImage, DIR/root/lib/modules/KVER,
#                                    DIR/src (KDIR for out-of-tree modules),
#                                    DIR/kver
#
# The cache key is the source tarball, the fragment and RECIPE below (bump it
# when the build steps change); a build takes about 15 minutes on 2 cores.
# The cache lives outside the clone (VNET_CACHE, default /var/cache/vnet)
# so that every checkout and CI run on this machine shares one build.
set -euo pipefail
RECIPE=1
top=$(cd "$(dirname "$0")/.." && pwd)
tarball=$(ls /usr/src/linux-source-6.12.tar.* 2>/dev/null | head -n1)
[ -n "$tarball" ] || {
	echo "debug-kernel: no /usr/src/linux-source-6.12.tar.*: apt-get install linux-source-6.12" >&2
	exit 1
}
frag=$top/scripts/debug-kernel.config
key=$({
	stat -L -c '%n %s %Y' "$tarball"
	sha256sum "$frag"
	echo "recipe $RECIPE"
} | sha256sum | cut -c1-16)
cache=${VNET_CACHE:-/var/cache/vnet}
dir=$cache/debug-kernel/$key
if [ -f "$dir/done" ]; then
	echo "$dir"
	exit 0
fi

rm -rf "$dir"
mkdir -p "$dir"
log=$dir/build.log
echo "debug-kernel: building in $dir (log: $log)" >&2
t0=$SECONDS
tar -C "$dir" -xf "$tarball"
mv "$dir"/linux-source-6.12 "$dir/src"
cd "$dir/src"
jobs=$(nproc)
{
	make defconfig
	make kvm_guest.config
	scripts/kconfig/merge_config.sh -m .config "$frag"
	make olddefconfig
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
if ! make -j"$jobs" bzImage modules >>"$log" 2>&1; then
	tail -n 40 "$log" >&2
	exit 1
fi
make -s modules_install INSTALL_MOD_PATH="$dir/root" INSTALL_MOD_STRIP=1 >>"$log" 2>&1
make -s kernelrelease >"$dir/kver"
cp arch/x86/boot/bzImage "$dir/bzImage"
touch "$dir/done"
echo "debug-kernel: built $(cat "$dir/kver") in $((SECONDS - t0)) s" >&2
echo "$dir"
