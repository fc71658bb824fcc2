// SPDX-License-Identifier: GPL-2.0
/*
 * t73_xdp_fwd.sh's forwarding program: every frame goes out of the device
 * the map gives for the one it came in on (a bridge of two ports made of
 * XDP_REDIRECT), dropped if the map has none. Multi-buffer frames too: it
 * is loaded as xdp.frags, and the ports it joins take fragments.
 *
 *   bpftool prog load vnet_xdp_fwd.bpf.o PIN pinmaps DIR
 *   bpftool map update pinned DIR/vnet_fwd key <in ifindex> value <out>
 *   ip link set dev DEV xdpdrv pinned PIN
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);	/* ifindex in */
	__type(value, __u32);	/* ifindex out */
} vnet_fwd SEC(".maps");

SEC("xdp.frags")
int xdp_fwd(struct xdp_md *ctx)
{
	return bpf_redirect_map(&vnet_fwd, ctx->ingress_ifindex, XDP_DROP);
}

char _license[] SEC("license") = "GPL";
