# SPDX-License-Identifier: GPL-2.0
# make shell's setup in the guest (tests/vm/init runs it, then a shell):
# vnet loaded with the arguments run.sh --shell was given, README's
# two-netns example set up in pair mode, a line on how to leave.
source /vnet/lib.sh
source /vnet/shell.env
# shellcheck disable=SC2086 # one word per module parameter
set -- $VNET_SHELL_ARGS
if ! vnet_load "$@"; then
	echo "vnet shell: insmod vnet.ko $* failed (dmesg says why)"
elif [ -d /sys/class/net/vnet1 ] && [ "$(cat /sys/module/vnet/parameters/mode)" = pair ]; then
	ip netns add a && ip netns add b &&
		ip link set vnet0 netns a && ip link set vnet1 netns b &&
		ip -n a addr add 10.9.0.1/24 dev vnet0 &&
		ip -n a link set vnet0 up && ip -n a link set lo up &&
		ip -n b addr add 10.9.0.2/24 dev vnet1 &&
		ip -n b link set vnet1 up && ip -n b link set lo up &&
		wait_for 5 eval '[ "$(ip netns exec a cat /sys/class/net/vnet0/carrier)" = 1 ]' &&
		echo "vnet shell: vnet loaded ($*): vnet0 in netns a as 10.9.0.1/24, vnet1 in netns b as 10.9.0.2/24" ||
		echo "vnet shell: vnet loaded ($*), but setting up the pair failed (see above)"
	echo "vnet shell: try: ip netns exec a ping -c 3 10.9.0.2; ip netns exec a ethtool -S vnet0"
else
	ip addr add 10.0.0.1/24 dev vnet0 && ip link set vnet0 up &&
		echo "vnet shell: vnet loaded ($*): vnet0 up as 10.0.0.1/24, the reflector answers 10.0.0.0/24" ||
		echo "vnet shell: vnet loaded ($*), but setting up vnet0 failed (see above)"
	echo "vnet shell: try: ping -c 3 10.0.0.2; ethtool -S vnet0"
fi
echo "vnet shell: type exit (or Ctrl-D) to power the VM off"
