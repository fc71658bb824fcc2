// SPDX-License-Identifier: GPL-2.0
/*
 * XDP programs for t71_xdp.sh and t73_xdp_fwd.sh (and bench/: xdp_pass,
 * xdp_drop, xdp_tx), one per section, loaded with
 * "ip link set dev DEV xdpdrv obj vnet_xdp.bpf.o sec SECTION".
 *
 * xdp_echo_tx and xdp_echo_redirect answer ICMP echo requests to any IPv4
 * address themselves (MACs and addresses swapped, type 0), by XDP_TX and by
 * a redirect into the device they came in on (its ndo_xdp_xmit): a ping
 * through them succeeds only if the driver sends what the program built.
 * xdp_room passes every frame after moving its start back by 128 bytes and
 * its end on by 64, and forward again: ABORTED if the driver left no room.
 * The one xdp.frags program (multi-buffer) answers the echo requests that
 * span buffers by XDP_TX, its reply spanning them too, after growing and
 * shrinking the last fragment; it passes everything else.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* <linux/icmp.h> pulls in libc's headers, which a BPF target lacks. */
#define ICMP_ECHOREPLY	0
#define ICMP_ECHO	8

struct icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be32 rest;
};

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

SEC("xdp_aborted")
int xdp_aborted_prog(struct xdp_md *ctx)
{
	return XDP_ABORTED;
}

/* Turn an ICMP echo request into its reply in place; false if not one. */
static __always_inline int echo_reply(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	unsigned char mac[ETH_ALEN];
	struct icmphdr *icmp;
	struct iphdr *iph;
	__u32 csum;
	__be32 addr;

	if ((void *)(eth + 1) > data_end ||
	    eth->h_proto != bpf_htons(ETH_P_IP))
		return 0;
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end || iph->ihl != 5 ||
	    iph->protocol != IPPROTO_ICMP)
		return 0;
	icmp = (void *)(iph + 1);
	if ((void *)(icmp + 1) > data_end || icmp->type != ICMP_ECHO ||
	    icmp->code != 0)
		return 0;

	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
	/* Swapping the addresses leaves the IP header checksum as it is. */
	addr = iph->saddr;
	iph->saddr = iph->daddr;
	iph->daddr = addr;
	/* Type 8 -> 0: the checksum grows by 0x0800 (RFC 1624). */
	icmp->type = ICMP_ECHOREPLY;
	csum = (__u32)icmp->checksum + bpf_htons(ICMP_ECHO << 8);
	icmp->checksum = (__u16)(csum + (csum >> 16));
	return 1;
}

SEC("xdp_echo_tx")
int xdp_echo_tx_prog(struct xdp_md *ctx)
{
	return echo_reply(ctx) ? XDP_TX : XDP_PASS;
}

SEC("xdp_echo_redirect")
int xdp_echo_redirect_prog(struct xdp_md *ctx)
{
	if (!echo_reply(ctx))
		return XDP_PASS;
	return bpf_redirect(ctx->ingress_ifindex, 0);
}

/* Any frame back out of the port it came in on, to its sender (bench/). */
SEC("xdp_tx")
int xdp_tx_prog(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)(long)ctx->data;
	unsigned char mac[ETH_ALEN];

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
	return XDP_TX;
}

SEC("xdp_room")
int xdp_room_prog(struct xdp_md *ctx)
{
	if (bpf_xdp_adjust_head(ctx, -128))
		return XDP_ABORTED;
	if (bpf_xdp_adjust_head(ctx, 128))
		return XDP_ABORTED;
	if (bpf_xdp_adjust_tail(ctx, 64))
		return XDP_ABORTED;
	if (bpf_xdp_adjust_tail(ctx, -64))
		return XDP_ABORTED;
	return XDP_PASS;
}

SEC("xdp.frags")
int xdp_frags_prog(struct xdp_md *ctx)
{
	__u32 linear = ctx->data_end - ctx->data;

	if (bpf_xdp_get_buff_len(ctx) <= linear || !echo_reply(ctx))
		return XDP_PASS;
	if (bpf_xdp_adjust_tail(ctx, 64))
		return XDP_ABORTED;
	if (bpf_xdp_adjust_tail(ctx, -64))
		return XDP_ABORTED;
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
