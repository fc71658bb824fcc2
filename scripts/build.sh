#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build drv/vnet.ko (and the tests' tests/vm/kmod/vnet_printk.ko) for one
# kernel in its own tree under build/<kver>/ so the kernels of the matrix
# never share objects. Extra args go to kbuild (W=1...).
#
# A kernel whose headers the host lacks but the Debian 13 root of
# scripts/root.sh has (scripts/root.sh --kvers) is built inside that root,
# with its compiler; build/<kver>/ is bind-mounted there at the same path.
set -euo pipefail
kver=${1:?usage: build.sh KVER [kbuild args]}
shift
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/$kver
# KDIR: a kernel tree built here (make check-debug), else the distro's.
kdir=${KDIR:-/lib/modules/$kver/build}
run=()
if [ -z "${KDIR:-}" ] && [ ! -d "$kdir" ] &&
	bash "$top/scripts/root.sh" --kvers | grep -qxF -- "$kver"; then
	run=(bash "$top/scripts/root.sh" --run "$out" --)
elif [ ! -d "$kdir" ]; then
	echo "vnet: no kernel build tree at $kdir: apt-get install linux-headers-$kver" >&2
	exit 1
elif [ -n "${KDIR:-}" ] &&
	! grep -q "^CONFIG_CC_VERSION_TEXT=\"$(gcc --version | head -n1 |
		sed 's/^gcc/[^ ]*gcc[^ ]*/')" "$kdir/.config" 2>/dev/null; then
	# A tree built by another compiler than the host's (the debug kernel,
	# built in the root): build there too, the tree bind-mounted.
	run=(bash "$top/scripts/root.sh" --run "$out" "$kdir" --)
fi
mkdir -p "$out/drv" "$out/kmod"
cp "$top/Kbuild" "$out/"
# Copy only what changed so kbuild's dependency tracking stays useful.
for f in "$top"/drv/*.c "$top"/drv/*.h "$top"/drv/Kbuild; do
	cmp -s "$f" "$out/drv/${f##*/}" || cp "$f" "$out/drv/"
done
"${run[@]}" make -s -C "$kdir" M="$out" "$@" modules

# The test suite's own module (tests/vm/kmod), built the same way.
for f in "$top"/tests/vm/kmod/*.c "$top"/tests/vm/kmod/Kbuild; do
	cmp -s "$f" "$out/kmod/${f##*/}" || cp "$f" "$out/kmod/"
done
"${run[@]}" make -s -C "$kdir" M="$out/kmod" "$@" modules
