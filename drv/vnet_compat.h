/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only place that knows kernel versions. vnet is written against the
 * 7.x API; older kernels (Debian's 6.12 and 6.1) get the missing pieces here.
 */
#ifndef _VNET_COMPAT_H_
#define _VNET_COMPAT_H_

#include <linux/dim.h>
#include <linux/ethtool.h>
#include <linux/hrtimer.h>
#include <linux/irq.h>
#include <linux/version.h>
#include <net/netdev_queues.h>
#include <net/xdp.h>
#include <net/xdp_sock_drv.h>

/* 6.12 moved the unaligned accessors out of asm/. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* 6.6 split the page pool header. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#include <net/page_pool/helpers.h>
#else
#include <net/page_pool.h>
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 8, 0)
static inline void ethtool_puts(u8 **data, const char *str)
{
	strscpy(*data, str, ETH_GSTRING_LEN);
	*data += ETH_GSTRING_LEN;
}
#endif

/*
 * 6.1 has the lockless stop/wake macros but not the variant that completes
 * BQL first. Completing BQL, then checking the ring, matches what 6.12 does;
 * __netif_txq_maybe_wake() supplies the barrier the stop side pairs with.
 */
#ifndef __netif_txq_completed_wake
#define __netif_txq_completed_wake(txq, pkts, bytes, get_desc, start_thrs, \
				   down_cond)				\
	({								\
		struct netdev_queue *_txq = (txq);			\
									\
		netdev_tx_completed_queue(_txq, pkts, bytes);		\
		__netif_txq_maybe_wake(_txq, get_desc, start_thrs, down_cond); \
	})
#endif

/* 6.13 added hrtimer_setup(); 7.x no longer has hrtimer_init(). */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
static inline void
hrtimer_setup(struct hrtimer *timer,
	      enum hrtimer_restart (*function)(struct hrtimer *),
	      clockid_t clock_id, enum hrtimer_mode mode)
{
	hrtimer_init(timer, clock_id, mode);
	timer->function = function;
}
#endif

/* 6.13's net_dim() takes the sample by pointer. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
static inline void vnet_compat_net_dim(struct dim *dim,
				       const struct dim_sample *end_sample)
{
	net_dim(dim, *end_sample);
}

#define net_dim(dim, end_sample)	vnet_compat_net_dim(dim, end_sample)
#endif

/* 6.8 links queues to their NAPI for netlink; before, nothing to do. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 8, 0)
enum netdev_queue_type {
	NETDEV_QUEUE_TYPE_RX,
	NETDEV_QUEUE_TYPE_TX,
};

static inline void netif_queue_set_napi(struct net_device *dev,
					unsigned int queue_index,
					enum netdev_queue_type type,
					struct napi_struct *napi)
{
}
#endif

/* 6.8: a page pool names the netdev it serves, for page-pool-get. */
static inline void vnet_compat_pp_netdev(struct page_pool_params *pp,
					 struct net_device *netdev)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	pp->netdev = netdev;
#endif
}

/* 6.8 reports a NAPI's IRQ over netlink; before, nothing to do. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 8, 0)
static inline void netif_napi_set_irq(struct napi_struct *napi, int irq)
{
}
#endif

/*
 * Before 6.14 an IRQ's affinity changed only when the next interrupt
 * arrived unless IRQ_MOVE_PCNTXT said it may change from process context;
 * 6.14 made that the rule and dropped the flag.
 */
static inline void vnet_compat_irq_move_pcntxt(unsigned int virq)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 14, 0)
	irq_set_status_flags(virq, IRQ_MOVE_PCNTXT);
#endif
}

/* 6.9 has per-queue statistics over netlink (qstats); before, none. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 9, 0)
struct netdev_queue_stats_rx {
	u64 bytes, packets, alloc_fail, hw_drops, hw_drop_overruns, csum_none;
	u64 csum_unnecessary, csum_bad, hw_gro_packets, hw_gro_bytes;
	u64 hw_gro_wire_packets, hw_gro_wire_bytes;
};

struct netdev_queue_stats_tx {
	u64 bytes, packets, hw_drops, hw_drop_errors, needs_csum;
	u64 hw_gso_packets, hw_gso_wire_packets, stop, wake;
};

struct netdev_stat_ops {
	void (*get_queue_stats_rx)(struct net_device *dev, int idx,
				   struct netdev_queue_stats_rx *stats);
	void (*get_queue_stats_tx)(struct net_device *dev, int idx,
				   struct netdev_queue_stats_tx *stats);
	void (*get_base_stats)(struct net_device *dev,
			       struct netdev_queue_stats_rx *rx,
			       struct netdev_queue_stats_tx *tx);
};

static inline void vnet_compat_set_stat_ops(struct net_device *dev,
					    const struct netdev_stat_ops *ops)
{
}
#else
static inline void vnet_compat_set_stat_ops(struct net_device *dev,
					    const struct netdev_stat_ops *ops)
{
	dev->stat_ops = ops;
}
#endif

/* 6.15 counts CHECKSUM_COMPLETE frames in qstats. */
static inline void
vnet_compat_qstats_csum_complete(struct netdev_queue_stats_rx *rx, u64 n)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 15, 0)
	rx->csum_complete = n;
#endif
}

/* 6.13 keeps a NAPI's ID and settings per index across del and add. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
static inline void netif_napi_add_config(struct net_device *dev,
					 struct napi_struct *napi,
					 int (*poll)(struct napi_struct *, int),
					 int index)
{
	netif_napi_add(dev, napi, poll);
}
#endif

/* 6.16 renamed from_timer(). */
#ifndef timer_container_of
#define timer_container_of(var, timer, field)	from_timer(var, timer, field)
#endif

/* 6.8 transforms RSS input (symmetric-xor); later kernels sym-or-xor. */
#ifndef RXH_XFRM_SYM_XOR
#define RXH_XFRM_SYM_XOR	BIT(0)
#define RXH_XFRM_NO_CHANGE	0xff
#endif
#ifdef RXH_XFRM_SYM_OR_XOR
#define VNET_RXH_XFRM_SYM_OR_XOR	RXH_XFRM_SYM_OR_XOR
#else
#define VNET_RXH_XFRM_SYM_OR_XOR	0
#endif
#define VNET_RXH_XFRM_SUPPORTED	(RXH_XFRM_SYM_XOR | VNET_RXH_XFRM_SYM_OR_XOR)
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
#define VNET_HAVE_RXFH_PARAM	/* get/set_rxfh take ethtool_rxfh_param */
#endif
/* 6.11 creates additional RSS contexts through ethtool_ops of their own. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define VNET_HAVE_RXFH_CONTEXT
#endif
/* Kernels after 6.12 hash the IPv6 flow label; before, none asks. */
#ifdef RXH_IP6_FL
#define VNET_RXH_IP6_FL		RXH_IP6_FL
#else
#define VNET_RXH_IP6_FL		0
#endif

/* 6.5's XDP RX metadata kfuncs give the RSS hash with its type. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#define VNET_HAVE_XDP_METADATA
#endif

/*
 * AF_XDP zero-copy. The metadata kfuncs read a frame's write-back next to
 * its xdp_buff, which in a pool's buffer is the driver's area (cb) that
 * 6.8 added: 6.5 to 6.7 would read the pool's own fields, so zero-copy is
 * left out there; 6.1 has no kfuncs, and zero-copy without them.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
#define VNET_HAVE_XSK_CB
#endif
#if defined(VNET_HAVE_XSK_CB) || !defined(VNET_HAVE_XDP_METADATA)
#define VNET_HAVE_XSK_ZC
#endif

/* 6.10's CPU sync of a pool buffer no longer takes the pool. */
static inline void vnet_compat_xsk_sync_for_cpu(struct xdp_buff *xdp,
						struct xsk_buff_pool *pool)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
	xsk_buff_dma_sync_for_cpu(xdp);
#else
	xsk_buff_dma_sync_for_cpu(xdp, pool);
#endif
}

/*
 * 6.3 advertises what XDP a device does (xdp_features); before, nothing
 * to say. ndo_bpf runs under RTNL without the instance lock (vnet has no
 * queue_mgmt_ops), which the unlocked helpers take on 6.15+.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
static inline void vnet_compat_xdp_init_features(struct net_device *dev)
{
	dev->xdp_features = NETDEV_XDP_ACT_BASIC | NETDEV_XDP_ACT_REDIRECT |
			    NETDEV_XDP_ACT_RX_SG;
#ifdef VNET_HAVE_XSK_ZC
	dev->xdp_features |= NETDEV_XDP_ACT_XSK_ZEROCOPY;
#endif
}

static inline void vnet_compat_xdp_set_redirect_target(struct net_device *dev)
{
	xdp_features_set_redirect_target(dev, true);
}

static inline void
vnet_compat_xdp_clear_redirect_target(struct net_device *dev)
{
	xdp_features_clear_redirect_target(dev);
}
#else
static inline void vnet_compat_xdp_init_features(struct net_device *dev)
{
}

static inline void vnet_compat_xdp_set_redirect_target(struct net_device *dev)
{
}

static inline void
vnet_compat_xdp_clear_redirect_target(struct net_device *dev)
{
}
#endif

/*
 * 6.14 adds a page to an xdp_buff's fragments in one call, which also
 * keeps their truesize (7.x's skbs built from XDP read it). False if the
 * frame has no fragment left.
 */
static inline bool vnet_compat_xdp_add_frag(struct xdp_buff *xdp,
					    struct page *page, u32 off,
					    u32 size)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 14, 0)
	return xdp_buff_add_frag(xdp, page_to_netmem(page), off, size,
				 PAGE_SIZE);
#else
	struct skb_shared_info *sinfo = xdp_get_shared_info_from_buff(xdp);
	skb_frag_t *frag;

	if (!xdp_buff_has_frags(xdp)) {
		xdp_buff_set_frags_flag(xdp);
		sinfo->nr_frags = 0;
		sinfo->xdp_frags_size = 0;
	}
	if (sinfo->nr_frags == MAX_SKB_FRAGS)
		return false;
	frag = &sinfo->frags[sinfo->nr_frags++];
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	skb_frag_fill_page_desc(frag, page, off, size);
#else
	__skb_frag_set_page(frag, page);
	skb_frag_off_set(frag, off);
	skb_frag_size_set(frag, size);
#endif
	sinfo->xdp_frags_size += size;
	if (page_is_pfmemalloc(page))
		xdp_buff_set_frag_pfmemalloc(xdp);
	return true;
#endif
}

#endif /* _VNET_COMPAT_H_ */
