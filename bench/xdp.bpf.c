// SPDX-License-Identifier: GPL-2.0
/*
 * XDP programs for bench/guest.sh's xdp stage, one per section, loaded
 * with "ip link set dev DEV xdpdrv obj xdp.bpf.o sec SECTION" on the
 * receiving end of a pair. They count nothing: the rates come from the
 * drivers' own XDP counters (vnet's rx_xdp_drop and rx_xdp_tx, veth's
 * rx_queue_<n>_xdp_drops and rx_queue_<n>_xdp_tx), so that the program
 * costs the same on every device. xdp_pass goes on veth's sending end
 * during the stage: veth hands XDP_TX frames only to a peer with a program
 * of its own (veth_xdp_flush() schedules no other peer's NAPI).
 *
 * Built in the Debian 13 root by bench/run (clang, libbpf's headers).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

SEC("xdp_pass")
int xdp_pass_prog(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp_drop")
int xdp_drop_prog(struct xdp_md *ctx)
{
	return XDP_DROP;
}

/* Back out of the port it came in on, addressed to its sender. */
SEC("xdp_tx")
int xdp_tx_prog(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	unsigned char mac[ETH_ALEN];

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
