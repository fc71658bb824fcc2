#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check's test of make shell, without a terminal: tmux runs it,
# send-keys types at the guest's prompt, capture-pane reads the screen.
#
#   scripts/shell-check.sh KVER   prints "TEST: ... [ OK ]" or "[FAIL]"
set -uo pipefail
kver=${1:?usage: shell-check.sh KVER}
top=$(cd "$(dirname "$0")/.." && pwd)
name="make shell: the pair is set up, commands run, exit powers off ($kver)"
sess=vnet-shell-check-$$
log=$(mktemp)
trap 'tmux kill-session -t "$sess" 2>/dev/null; rm -f "$log"' EXIT

fail() {
	echo "TEST: $name [FAIL]"
	printf '\t%s\n' "$1"
	tmux capture-pane -p -t "$sess" 2>/dev/null | grep -v '^$' | tail -n 8 |
		sed 's/^/\t| /'
	exit 1
}

# screen_has TEXT: the pane shows TEXT.
screen_has() {
	tmux capture-pane -p -J -S -200 -t "$sess" 2>/dev/null | grep -qF -- "$1"
}

# wait_screen S TEXT: up to S seconds for TEXT.
wait_screen() {
	local i
	for ((i = 0; i < $1 * 2; i++)); do
		screen_has "$2" && return 0
		sleep 0.5
	done
	return 1
}

tmux new-session -d -s "$sess" -x 160 -y 50 \
	"cd '$top' && make -s shell KVER='$kver' ARGS='mode=pair queues=2'; echo \"### shell ended: \$?\"; sleep 600" ||
	fail "tmux did not start"
wait_screen 300 "type exit" || fail "no prompt line within 300 s"
screen_has "vnet0 in netns a as 10.9.0.1/24" || fail "the pair was not set up"
tmux send-keys -t "$sess" "ip netns exec a ping -c 3 -i 0.2 10.9.0.2 | tail -n 2" Enter
wait_screen 30 "3 packets transmitted, 3 received" || fail "ping between the netns failed"
# (the pane shows tabs as spaces: print the figure alone)
tmux send-keys -t "$sess" "ip netns exec b ethtool -l vnet1 | awk '/^Combined/ { n = \$2 } END { print \"channels=\" n }'" Enter
wait_screen 30 "channels=2" || fail "ethtool -l vnet1 does not say 2 channels"
tmux send-keys -t "$sess" "exit" Enter
wait_screen 60 "### shell ended" || fail "exit did not end the VM"
screen_has "### shell ended: 0" || fail "make shell did not exit 0"
echo "TEST: $name [ OK ]"
