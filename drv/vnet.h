/* SPDX-License-Identifier: GPL-2.0 */
/* vnet driver: private structures shared by the driver's files */
#ifndef _VNET_H_
#define _VNET_H_

#include <linux/dim.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/u64_stats_sync.h>
#include <net/xdp.h>

#include "vnet_compat.h"
#include "vnet_hw.h"
#include "vnet_ring.h"

struct page_pool;
struct xsk_buff_pool;

#define VNET_DRV_NAME		"vnet"
#define VNET_MAX_QUEUES		VNET_HW_MAX_QUEUES
#define VNET_DEF_RING_SIZE	256

/* Worst case descriptors one skb needs: its head plus every fragment. */
#define VNET_TX_DESC_NEEDED	(MAX_SKB_FRAGS + 1)
/* Wake with hysteresis so a stopped queue takes more than one skb. */
#define VNET_TX_WAKE_THRESH	(2 * VNET_TX_DESC_NEEDED)
/* The smallest ring must be able to wake, or a stopped queue stays so. */
static_assert(VNET_HW_RING_MIN_SIZE - 1 > VNET_TX_WAKE_THRESH);
/* The default ring is one the device takes. */
static_assert(VNET_HW_RING_MIN_SIZE <= VNET_DEF_RING_SIZE);
static_assert(VNET_HW_RING_MAX_SIZE >= VNET_DEF_RING_SIZE);
/* Every skb must fit the device's descriptor chain limit. */
static_assert(VNET_TX_DESC_NEEDED <= VNET_HW_MAX_TX_BUFS);

/* The MAC moves a 9000-byte MTU; the RX buffer adds Ethernet and VLAN. */
#define VNET_MAX_MTU		(VNET_HW_MAX_FRAME - ETH_HLEN - VLAN_HLEN)

#define VNET_RX_HEADROOM	(NET_SKB_PAD + NET_IP_ALIGN)
/* With an XDP program the buffer leaves bpf_xdp_adjust_head() its room. */
#define VNET_XDP_HEADROOM	XDP_PACKET_HEADROOM
/*
 * An RX buffer is one page of the ring's pool: headroom, the bytes the
 * device may write, and build_skb()'s shared info. Longer frames span
 * buffers; the device's limit on that must fit an skb's fragments.
 */
#define VNET_RX_SHINFO_LEN	SKB_DATA_ALIGN(sizeof(struct skb_shared_info))
#define VNET_RX_BUF_LEN_HROOM(hroom) \
	min_t(u32, FIELD_MAX(VNET_RXD_BUF_LEN_MASK), \
	      PAGE_SIZE - (hroom) - VNET_RX_SHINFO_LEN)
#define VNET_RX_BUF_LEN		VNET_RX_BUF_LEN_HROOM(VNET_RX_HEADROOM)
#define VNET_XDP_RX_BUF_LEN	VNET_RX_BUF_LEN_HROOM(VNET_XDP_HEADROOM)
/*
 * A program without multi-buffer support (xdp.frags) sees one buffer per
 * frame: the MTU is what one XDP buffer holds, the longest frame the MAC
 * then takes included. With it, the device's MTU.
 */
#define VNET_XDP_MAX_MTU	(VNET_XDP_RX_BUF_LEN - ETH_HLEN - VLAN_HLEN)
/* What XDP and its metadata kfuncs see of a frame. */
struct vnet_xdp_buff {
	struct xdp_buff xdp;	/* first: the kfuncs' ctx is its address */
	u64 wb;			/* the frame's first write-back word */
	const u8 *frame;	/* where the device wrote the frame */
	u32 len;		/* what its first buffer holds */
};

/*
 * XDP_TX and ndo_xdp_xmit use a TX ring per queue of their own. The
 * device has VNET_HW_MAX_QUEUES TX rings, one per queue pair: queue q's
 * XDP TX ring is the TX ring of the unused queue pair num_queues + q, so
 * XDP takes at most half the queues.
 */
#define VNET_MAX_XDP_QUEUES	(VNET_MAX_QUEUES / 2)
static_assert(MAX_SKB_FRAGS + 1 >= VNET_HW_MAX_RX_BUFS);
/* Frames up to this long are copied out and their buffer reused. */
#define VNET_RX_COPYBREAK	256
/* An RX ring left without buffers retries its refill this often. */
#define VNET_RX_REFILL_RETRY_MS	10

#define VNET_DEF_RX_USECS	50
/*
 * Open RSC aggregates wait no longer for the queue's next segment than the
 * default moderation holds a frame back; a stream fills them long before,
 * and Linux's TCP ends each write with PSH, which closes one. The most is
 * what the register holds (65 ms).
 */
#define VNET_DEF_RSC_USECS	VNET_DEF_RX_USECS
#define VNET_MAX_RSC_USECS	65535
static_assert(VNET_MAX_RSC_USECS <= VNET_RSC_USECS_MASK);
#define VNET_DEF_TX_USECS	50
/* adaptive-rx: DIM picks the RX moderation from the traffic it sees. */
#define VNET_DEF_ADAPTIVE_RX	true

/* What a TX slot holds until its frame completes. */
enum vnet_tx_buf_type {
	VNET_TX_SKB,		/* the stack's, from ndo_start_xmit */
	VNET_TX_XDP_TX,		/* XDP_TX: a page of this queue's RX pool */
	VNET_TX_XDP_FRAME,	/* ndo_xdp_xmit: a frame redirected to us */
	VNET_TX_XSK,		/* AF_XDP: a frame of the pool's TX ring */
};

struct vnet_tx_buf {
	union {
		struct sk_buff *skb;
		struct page *page;
		struct xdp_frame *xdpf;
	};
	u32 bytes;		/* on the wire: TSO repeats the headers */
	u16 segs;		/* frames on the wire */
	u8 ndesc;
	u8 type;		/* enum vnet_tx_buf_type */
};

static_assert(VNET_HW_MAX_TX_BUFS <= U8_MAX);

/*
 * An RX buffer is a page of the ring's page pool, wrapped by build_skb, or
 * on a ring an AF_XDP pool fills (xsk.c), one of the pool's buffers.
 */
struct vnet_rx_buf {
	union {
		struct page *page;
		struct xdp_buff *xsk;
	};
};

/* xsk_buff_alloc_batch() fills the ring's buffer array in place. */
static_assert(sizeof(struct vnet_rx_buf) == sizeof(struct xdp_buff *));

struct vnet_ring {
	union {			/* the descriptor array the device walks */
		struct vnet_tx_desc *tx_desc;
		struct vnet_rx_desc *rx_desc;
	};
	union {
		struct vnet_tx_buf *tx_buf;
		struct vnet_rx_buf *rx_buf;
	};
	u64 dma;		/* bus address of the descriptor array */
	u32 size;
	u32 next_to_use;	/* producer: xmit (TX) or refill (RX) */
	u32 next_to_clean;	/* consumer: NAPI poll */
	u32 buf_len;		/* RX: frame bytes one buffer holds */
	u32 headroom;		/* RX: bytes before the frame in its page */
	struct page_pool *pp;	/* RX: where buffers come from and go back */
	/* RX: a frame whose first buffers are polled, not yet its last */
	struct sk_buff *skb;
	/* RX with XDP: the same, gathered for the program (frags on) */
	struct vnet_xdp_buff xdp_mb;
	bool xdp_open;		/* RX: xdp_mb holds a frame's first buffers */
	bool discard;		/* RX: dropping the rest of a frame */
	bool xdp;		/* RX: laid out for XDP, xdp_rxq registered */
	u32 hwq;		/* XDP TX: the device queue whose ring it is */
	/*
	 * RX: the AF_XDP pool buffers come from; XDP TX: the pool whose TX
	 * ring it also sends, and how many of its frames the last reap
	 * completed (xsk.c)
	 */
	struct xsk_buff_pool *xsk_pool;
	u32 xsk_done;
	/* XDP TX: producers are XDP_TX and ndo_xdp_xmit on any CPU */
	spinlock_t xdp_lock;
	struct xdp_rxq_info xdp_rxq;	/* RX, with an XDP layout */
};

/*
 * Per-queue driver counters: each is named once, in stats.c's table, from
 * which ethtool -S is built; ndo_get_stats64 adds up those it reports.
 */
enum vnet_qstat {
	/* Written by NAPI poll, or by vnet_queue_reap() with NAPI off. */
	VNET_QS_TX_PACKETS,
	VNET_QS_TX_BYTES,
	VNET_QS_TX_WAKES,
	VNET_QS_RX_PACKETS,
	VNET_QS_RX_BYTES,
	VNET_QS_RX_ALLOC_FAIL,
	VNET_QS_RX_DROPPED,
	VNET_QS_RX_CSUM_COMPLETE,
	VNET_QS_RX_CSUM_NONE,
	VNET_QS_RX_CSUM_UNNECESSARY,
	VNET_QS_RX_CSUM_BAD,
	VNET_QS_RX_HW_GRO_PACKETS,	/* RSC aggregates of 2+ segments */
	VNET_QS_RX_HW_GRO_BYTES,
	VNET_QS_RX_HW_GRO_WIRE_PACKETS,	/* the segments in them */
	VNET_QS_RX_HW_GRO_WIRE_BYTES,
	VNET_QS_NAPI_POLLS,
	VNET_QS_IRQ_RECOVERIES,
	/* XDP verdicts on this queue's RX ring */
	VNET_QS_RX_XDP_PASS,
	VNET_QS_RX_XDP_DROP,
	VNET_QS_RX_XDP_TX,
	VNET_QS_RX_XDP_TX_ERRORS,	/* XDP TX ring full */
	VNET_QS_RX_XDP_REDIRECT,
	VNET_QS_RX_XDP_REDIRECT_ERRORS,
	VNET_QS_RX_XDP_ABORTED,		/* and unknown verdicts */
	VNET_QS_NR_NAPI,
	/* Written by ndo_start_xmit under the queue's xmit lock. */
	VNET_QS_TX_STOPS = VNET_QS_NR_NAPI,
	VNET_QS_TX_BUSY,
	VNET_QS_TX_TSO,
	VNET_QS_TX_DROPPED,
	VNET_QS_TX_NEEDS_CSUM,
	VNET_QS_NR_XMIT,
	/* Written by ndo_xdp_xmit under the XDP TX ring's lock. */
	VNET_QS_TX_XDP_XMIT = VNET_QS_NR_XMIT,
	VNET_QS_TX_XDP_XMIT_ERRORS,
	VNET_QS_NR
};

/* They live in vnet_priv, so they outlive the rings. */
struct vnet_qstats {
	struct u64_stats_sync napi_syncp;	/* below VNET_QS_NR_NAPI */
	struct u64_stats_sync xmit_syncp;	/* below VNET_QS_NR_XMIT */
	struct u64_stats_sync xdp_syncp;	/* the rest */
	u64_stats_t ctr[VNET_QS_NR];
};

/* What one NAPI poll counts, published at its end in one update. */
struct vnet_poll_stats {
	u64 ctr[VNET_QS_NR_NAPI];
};

struct vnet_q_vector {
	struct napi_struct napi;
	struct vnet_priv *priv;
	struct vnet_ring *tx;
	struct vnet_ring *rx;
	struct vnet_ring *xdp_tx;	/* while the rings have XDP's layout */
	/*
	 * The NAPI this vector's interrupt schedules: its own, or for the
	 * vector of a queue pair lending its TX ring to XDP, the NAPI of the
	 * queue that ring serves. Changed only with the vector masked.
	 */
	struct vnet_q_vector *irq_qv;
	u32 idx;
	u32 cycle_polls;	/* NAPI polls since the interrupt (tracing) */
	/* The vector's Linux IRQ, and its name while requested */
	unsigned int irq;
	char irq_name[IFNAMSIZ + 16];
	struct vnet_qstats stats;

	/*
	 * adaptive-rx: DIM's state, fed by NAPI; its choice, written by the
	 * DIM work under itr_lock (or while no work can be queued).
	 */
	struct dim rx_dim;
	u16 dim_events;
	u64 dim_packets;
	u64 dim_bytes;
	u32 dim_usecs;
	u32 dim_frames;

	/* Service task: interrupts + polls at its last look; set if it kicks */
	u64 service_events;
	bool kicked;
	/* and the XDP TX ring's next_to_clean, looks it has not moved */
	u32 xdp_tx_ntc;
	u32 xdp_tx_stuck;

	/* A poll that could not post a single RX buffer retries from here. */
	struct timer_list refill_timer;
};

/* Everything the rings of one configuration need, allocated up front. */
struct vnet_ring_cfg {
	u32 num_queues;
	u32 tx_size;
	u32 rx_size;
	u32 rx_buf_len;
	/* XDP's layout: RX headroom, xdp_rxq, an XDP TX ring per queue */
	bool xdp;
};

struct vnet_rings {
	struct vnet_ring_cfg cfg;
	struct vnet_ring tx[VNET_MAX_QUEUES];
	struct vnet_ring rx[VNET_MAX_QUEUES];
	struct vnet_ring xdp_tx[VNET_MAX_XDP_QUEUES];
};

/* Device-wide driver counters (ethtool -S, after the device's) */
enum vnet_dev_stat {
	VNET_DEV_STAT_TX_TIMEOUTS,	/* ndo_tx_timeout calls */
	VNET_DEV_STAT_RESETS,		/* datapath resets that succeeded */
	VNET_NR_DEV_STATS
};

enum vnet_state {
	VNET_STATE_DOWN,	/* datapath quiesced: do not unmask vectors */
};

/* What the device's RSS registers hold (context 0), and the hash fields. */
struct vnet_rss {
	u32 indir[VNET_HW_RSS_TABLE_SIZE];
	u8 key[VNET_HW_RSS_KEY_LEN];
	u8 input_xfrm;			/* RXH_XFRM_* */
	u32 fields[VNET_RSS_NR_FLOWS];	/* VNET_RSS_F_* */
	/* Additional contexts on (their settings are the core's) */
	DECLARE_BITMAP(ctx_used, VNET_HW_RSS_CONTEXTS);
	/* The highest queue each context's table names (0's: indir) */
	u32 ctx_max[VNET_HW_RSS_CONTEXTS];
};

/* ntuple rules as the user gave them, by location (the device's index). */
struct vnet_flt {
	struct ethtool_rx_flow_spec rules[VNET_HW_FLT_RULES];
	u32 ctx[VNET_HW_FLT_RULES];	/* with FLOW_RSS: its RSS context */
	bool used[VNET_HW_FLT_RULES];
	u32 nr_used;
};

struct vnet_priv {
	struct net_device *netdev;
	struct vnet_hw *hw;
	unsigned long state;
	u32 max_queues;			/* the device's, from CAP */

	struct vnet_ring_cfg cfg;	/* applies from the next open */
	struct vnet_rings *rings;	/* non-NULL while the device is up */
	u32 rx_usecs;
	u32 tx_usecs;
	u32 rx_frames;
	u32 tx_frames;
	bool adaptive_rx;
	u32 rsc_usecs;			/* module parameter */
	/*
	 * The XDP program, under RTNL; NAPI runs it on rings with XDP's
	 * layout only, and reads it once per poll.
	 */
	struct bpf_prog *xdp_prog;
	/*
	 * AF_XDP zero-copy pools by queue, under RTNL: the rings of queues
	 * that have one take it while the rings have XDP's layout.
	 */
	struct xsk_buff_pool *xsk_pools[VNET_MAX_QUEUES];
	struct vnet_rss rss;		/* under RTNL */
	struct vnet_flt flt;		/* under RTNL */
	/* Serializes ITR register writes: ethtool -C and DIM's work. */
	struct mutex itr_lock;

	/* Recovery: a reset after a TX timeout; a look for lost interrupts */
	struct work_struct reset_work;
	struct delayed_work service_work;
	atomic64_t dev_stats[VNET_NR_DEV_STATS];

	struct vnet_q_vector qv[VNET_MAX_QUEUES];
};

/* The device's registers, as ioread32/iowrite32 on a BAR would reach them */
static inline u32 vnet_rd32(struct vnet_priv *priv, u32 reg)
{
	return vnet_hw_rd32(priv->hw, reg);
}

static inline u64 vnet_rd64(struct vnet_priv *priv, u32 reg)
{
	return vnet_hw_rd64(priv->hw, reg);
}

static inline void vnet_wr32(struct vnet_priv *priv, u32 reg, u32 val)
{
	vnet_hw_wr32(priv->hw, reg, val);
}

/* The longest frame an MTU lets the device take: Ethernet, VLAN tag. */
static inline u32 vnet_max_frame(unsigned int mtu)
{
	return mtu + ETH_HLEN + VLAN_HLEN;
}

/*
 * The driver's files call down this list, never up it: main.c (the
 * "bus") and ethtool.c use netdev.c (probe, up/down, reconfiguration),
 * which uses napi.c (rings and datapath), which uses irq.c (interrupts,
 * moderation, link), which uses stats.c.
 */

/* netdev.c */
int vnet_reconfigure(struct vnet_priv *priv, const struct vnet_ring_cfg *cfg);
struct vnet_priv *vnet_probe(struct vnet_hw *hw, u32 num_queues,
			     u32 rsc_usecs);
void vnet_remove(struct vnet_priv *priv);

/* napi.c */
struct vnet_rings *vnet_rings_alloc(struct vnet_priv *priv,
				    const struct vnet_ring_cfg *cfg);
void vnet_rings_free(struct vnet_rings *rings);
void vnet_rx_rearm(struct vnet_ring *rx);
netdev_tx_t vnet_start_xmit(struct sk_buff *skb, struct net_device *dev);
netdev_features_t vnet_features_check(struct sk_buff *skb,
				      struct net_device *dev,
				      netdev_features_t features);
void vnet_rx_refill_init(struct vnet_q_vector *qv);
void vnet_napi_add(struct vnet_q_vector *qv);
void vnet_napi_disable(struct vnet_q_vector *qv);
void vnet_napi_del(struct vnet_q_vector *qv);
void vnet_queue_reap(struct vnet_q_vector *qv);
int vnet_xdp_xmit(struct net_device *netdev, int n, struct xdp_frame **frames,
		  u32 flags);
/* For xsk.c, the other half of the datapath (as ice_xsk.c to ice_txrx.c) */
void vnet_rx_hash(struct net_device *netdev, struct sk_buff *skb, u64 wb);
void vnet_rx_deliver(struct vnet_q_vector *qv, struct sk_buff *skb, u32 idx,
		     u64 cmd, bool xdp, struct vnet_poll_stats *ps);
bool vnet_xdp_taken(struct vnet_q_vector *qv, struct bpf_prog *prog,
		    u32 act, bool sent, u32 len, struct vnet_poll_stats *ps);
bool vnet_xdp_post(struct vnet_ring *tx, enum vnet_tx_buf_type type,
		   void *owner, void *data, u32 len,
		   const struct skb_shared_info *sinfo);
void vnet_xdp_doorbell(struct vnet_priv *priv, struct vnet_ring *tx);

/* xsk.c: AF_XDP zero-copy, called by netdev.c and napi.c */
int vnet_xsk_pool_setup(struct vnet_priv *priv, struct xsk_buff_pool *pool,
			u16 qid, struct netlink_ext_ack *extack);
int vnet_xsk_wakeup(struct net_device *netdev, u32 qid, u32 flags);
bool vnet_xsk_mtu_ok(struct vnet_priv *priv, unsigned int mtu);
struct xsk_buff_pool *vnet_xsk_pool(struct vnet_priv *priv,
				    const struct vnet_ring_cfg *cfg, u32 q);
int vnet_xsk_rx_ring_init(struct net_device *netdev, struct vnet_ring *rx,
			  u32 q, u32 size, struct xsk_buff_pool *pool);
void vnet_xsk_rx_ring_free(struct vnet_ring *rx);
void vnet_xsk_rx_rearm(struct vnet_ring *rx);
void vnet_xsk_queue_start(struct vnet_q_vector *qv);
void vnet_xsk_kick(struct vnet_q_vector *qv);
int vnet_xsk_clean_rx(struct vnet_q_vector *qv, struct bpf_prog *prog,
		      int budget, struct vnet_poll_stats *ps);
bool vnet_xsk_xmit(struct vnet_q_vector *qv, int budget);
void vnet_xsk_tx_completed(struct vnet_ring *tx);
#ifdef VNET_HAVE_XDP_METADATA
extern const struct xdp_metadata_ops vnet_xdp_metadata_ops;
#endif

/* irq.c */
void vnet_irq_spread(struct vnet_q_vector *qv);
int vnet_irqs_request(struct vnet_priv *priv);
void vnet_irqs_free(struct vnet_priv *priv);
void vnet_irq_unmask(struct vnet_q_vector *qv);
void vnet_irq_mask(struct vnet_q_vector *qv);
void vnet_irq_sync(struct vnet_q_vector *qv);
void vnet_write_itr(struct vnet_priv *priv);
void vnet_dim_init(struct vnet_q_vector *qv);
void vnet_dim_restart(struct vnet_q_vector *qv);
void vnet_dim_flush(struct vnet_q_vector *qv);
void vnet_rx_dim_sample(struct vnet_q_vector *qv);
void vnet_set_adaptive_rx(struct vnet_priv *priv, bool on);
void vnet_link_update(struct vnet_priv *priv);
void vnet_service_init(struct vnet_priv *priv);
void vnet_service_start(struct vnet_priv *priv);
void vnet_service_stop(struct vnet_priv *priv);

/* stats.c */
void vnet_rss_init(struct vnet_priv *priv);
void vnet_rss_set_queues(struct vnet_priv *priv, u32 nq);
u32 vnet_get_rxfh_key_size(struct net_device *netdev);
u32 vnet_get_rxfh_indir_size(struct net_device *netdev);
void vnet_rss_get(struct vnet_priv *priv, u32 *indir, u8 *key, u8 *xfrm);
int vnet_rss_set(struct vnet_priv *priv, const u32 *indir, const u8 *key,
		 u8 hfunc, u8 xfrm, struct netlink_ext_ack *extack);
int vnet_rss_get_fields(struct vnet_priv *priv, u32 flow_type, u64 *data);
int vnet_rss_set_fields(struct vnet_priv *priv, u32 flow_type, u64 data,
			struct netlink_ext_ack *extack);

int vnet_flt_set_rxnfc(struct vnet_priv *priv, struct ethtool_rxnfc *info);
int vnet_flt_get_rxnfc(struct vnet_priv *priv, struct ethtool_rxnfc *info,
		       u32 *rule_locs);
u64 vnet_flt_hits(struct vnet_priv *priv, u32 loc);
int vnet_flt_max_queue(struct vnet_priv *priv);
int vnet_flt_ctx_offset(struct vnet_priv *priv, u32 c);
#ifdef VNET_HAVE_RXFH_CONTEXT
int vnet_create_rxfh_context(struct net_device *netdev,
			     struct ethtool_rxfh_context *ctx,
			     const struct ethtool_rxfh_param *rxfh,
			     struct netlink_ext_ack *extack);
int vnet_modify_rxfh_context(struct net_device *netdev,
			     struct ethtool_rxfh_context *ctx,
			     const struct ethtool_rxfh_param *rxfh,
			     struct netlink_ext_ack *extack);
int vnet_remove_rxfh_context(struct net_device *netdev,
			     struct ethtool_rxfh_context *ctx, u32 c,
			     struct netlink_ext_ack *extack);
#endif

void vnet_qstats_init(struct vnet_qstats *qs);
void vnet_qstats_read(const struct vnet_qstats *qs, u64 *snap);
void vnet_qstats_publish(struct vnet_qstats *qs,
			 const struct vnet_poll_stats *ps);
void vnet_qstats_xmit_inc(struct vnet_qstats *qs, enum vnet_qstat n);
void vnet_qstats_xdp_xmit(struct vnet_qstats *qs, u32 sent, u32 failed);
int vnet_get_sset_count(struct net_device *netdev, int sset);
void vnet_get_strings(struct net_device *netdev, u32 sset, u8 *data);
void vnet_get_ethtool_stats(struct net_device *netdev,
			    struct ethtool_stats *estats, u64 *data);
void vnet_get_stats64(struct net_device *netdev,
		      struct rtnl_link_stats64 *stats);
extern const struct netdev_stat_ops vnet_stat_ops;

/* ethtool.c */
extern const struct ethtool_ops vnet_ethtool_ops;

#endif /* _VNET_H_ */
