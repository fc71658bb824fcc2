#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's YNL netlink tool (tools/net/ynl/pyynl and the netlink specs
# of Documentation/netlink) from the newest linux-source in the Debian 13
# root, packed for the VM tests: they unpack it and run
# python3 tools/net/ynl/pyynl/cli.py --spec Documentation/netlink/specs/...
#
#   scripts/ynl.sh     print the tarball's path (made once, cached)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
root=$(bash "$top/scripts/root.sh")
tarball=$(bash "$top/scripts/root.sh" --source)
src=$(basename "$tarball")
src=${src%.tar.*}
out=${VNET_CACHE:-/var/cache/vnet}/ynl/$src/ynl.tar
if [ ! -f "$out" ]; then
	mkdir -p "$(dirname "$out")"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	tar -C "$tmp" -xf "$tarball" "$src/tools/net/ynl/pyynl" \
		"$src/Documentation/netlink"
	tar -C "$tmp/$src" -cf "$out.tmp" tools Documentation
	mv "$out.tmp" "$out"
fi
echo "$out"
