# SPDX-License-Identifier: GPL-2.0
# make demo: load vnet, ping the link partner through the rings, show ethtool.
source /vnet/lib.sh

demo() {
	echo "# $*"
	"$@"
	echo
}

vnet_load || exit 1
demo ethtool -i vnet0
demo ip addr add 10.0.0.1/24 dev vnet0
demo ip link set vnet0 up
wait_for 5 grep -qx 1 /sys/class/net/vnet0/carrier
demo ping -c 3 10.0.0.2
demo ip neigh show dev vnet0
demo ping -f -q -c 2000 10.0.0.3
demo ethtool -g vnet0
demo ethtool -c vnet0
demo ethtool -S vnet0
demo ip -s link show vnet0
vnet_unload
