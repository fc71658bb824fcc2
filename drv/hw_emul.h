/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The emulated device's internals, shared by its blocks (drv/hw_*.c) and
 * seen by nothing else: the driver knows only vnet_hw.h.
 */
#ifndef _VNET_HW_EMUL_H_
#define _VNET_HW_EMUL_H_

#include <linux/atomic.h>
#include <linux/etherdevice.h>
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/seqlock.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/u64_stats_sync.h>

#include "vnet_flow.h"
#include "vnet_hw.h"
#include "vnet_reflect.h"

struct vnet_hw_ring {
	/* Configuration registers, latched when the ring is enabled. */
	u32 base_lo;
	u32 base_hi;
	u32 len;
	/* Engine state: what the device actually walks. */
	u64 dma;			/* descriptor array's bus address */
	u32 size;
	u32 head;
	u32 tail;
	bool enabled;
	bool hung;			/* injected: idle until reset */
};

/* One buffer of a TX frame, as its descriptor gave it. */
struct vnet_hw_sg {
	const u8 *addr;
	u32 len;
};

/* The frame the TX engine is sending: its buffers and offload requests. */
struct vnet_hw_frame {
	u64 cmd;			/* first descriptor's, offload fields */
	u32 len;
	u32 nbufs;
	struct vnet_hw_sg buf[VNET_HW_MAX_TX_BUFS];
	/* Headers: the first bytes of the frame, contiguous. */
	const u8 *head;
	u32 head_len;
	struct vnet_flow flow;		/* parse of head, if parsed */
	bool parsed;
	/* Wire frames cut from it: 1 without TSO. */
	bool tso;
	u32 nsegs;
	u32 mss;
	u32 hdr_len;			/* TSO: header bytes in each segment */
};

struct vnet_hw_txq {
	/* Serializes the TX engine: doorbell service and ring control. */
	spinlock_t lock;
	struct vnet_hw_ring ring;
	u32 doorbell;			/* TX_TAIL as last written */
	struct hrtimer kick;		/* serves it when written IRQs-off */
	struct vnet_hw_frame frm;
	u8 hdr[VNET_HW_MAX_TSO_HDR];	/* head, when it spans buffers */
	u8 *bounce;			/* reflect mode: one wire frame */

	struct u64_stats_sync syncp;
	u64_stats_t errors;
	u64_stats_t no_link;
	u64_stats_t tso_segs;
	u64_stats_t fault_drops;
	u64_stats_t fault_corrupts;
	u64_stats_t fault_tx_hangs;
};

/* The posted RX buffers the engine has claimed for one frame. */
struct vnet_hw_rx_chain {
	u32 n;
	u32 room;			/* bytes they hold */
	struct vnet_rx_desc *desc[VNET_HW_MAX_RX_BUFS];
	u8 *buf[VNET_HW_MAX_RX_BUFS];
	u32 cap[VNET_HW_MAX_RX_BUFS];
};

/*
 * Receive segment coalescing: the RX engine's aggregation memory, per
 * queue. Up to VNET_HW_RSC_CTXS aggregates are open at once, each a list
 * of VNET_HW_RSC_CHUNK-byte chunks of VNET_HW_RSC_CHUNKS (256 KiB): 512
 * flows of a few segments each, or four of 64 KiB. An aggregate reaches
 * the ring only when it closes.
 */
#define VNET_HW_RSC_CTXS	512
#define VNET_HW_RSC_CHUNK	512
#define VNET_HW_RSC_CHUNKS	512
#define VNET_HW_RSC_BUCKETS	256
/*
 * An aggregate is closed after this many RSC_USECS even on a busy queue:
 * 3.2 ms at the default, about a jiffy, as long as software GRO may hold
 * a packet under load.
 */
#define VNET_HW_RSC_AGE_MULT	64
#define VNET_HW_RSC_NONE	U16_MAX
static_assert(VNET_HW_MAX_TSO_HDR <= VNET_HW_RSC_CHUNK);
static_assert(VNET_HW_RSC_CHUNKS < VNET_HW_RSC_NONE);

/*
 * One open aggregate: the frame so far, its first segment's headers first;
 * l3_off and ip_ver are the inner header's in IP in IP.
 */
struct vnet_hw_rsc_ctx {
	struct hlist_node node;		/* in its flow's bucket */
	struct list_head link;		/* open: oldest first; else free */
	u64 opened_ns;
	u16 first;			/* chunks, linked by vnet_hw_rsc.next */
	u16 last;
	u8 ip_ver;
	u8 outer_ver;
	u16 outer_off;			/* IP in IP: the outer header, else 0 */
	u8 fixed_id;			/* fixed IPv4 IDs: BIT(outer) */
	u8 tcp_flags;			/* PSH, FIN of segments that joined */
	u16 l3_off;
	u16 l4_off;
	u16 hdr_len;			/* headers through TCP's */
	u32 segs;
	u32 mss;			/* payload of the first segment */
	u32 len;			/* frame bytes so far */
	u32 max_len;			/* what the ring's buffers can take */
	u32 next_seq;
	u64 wb;				/* first write-back word (RSS hash) */
};

struct vnet_hw_rsc {
	struct vnet_hw_rsc_ctx *ctx;	/* VNET_HW_RSC_CTXS */
	u8 *mem;			/* VNET_HW_RSC_CHUNKS chunks */
	u16 *next;			/* each chunk's successor */
	u16 free;			/* free chunks, linked */
	u16 nfree;
	struct list_head open;
	struct list_head idle;
	struct hlist_head *bucket;	/* VNET_HW_RSC_BUCKETS, by flow */
	u32 seed;
	u64 busy_ns;			/* the queue's latest segment */
	struct hrtimer timer;		/* idle, or the oldest one's age */
};

struct vnet_hw_rxq {
	/* Serializes the RX engine: every delivery and ring control. */
	spinlock_t lock;
	struct vnet_hw_ring ring;
	struct vnet_hw_rx_chain chain;
	u8 *stage;			/* a frame that spans buffers */
	struct vnet_hw_rsc rsc;

	struct u64_stats_sync syncp;
	u64_stats_t missed;
	u64_stats_t oversize;
};

/*
 * The link partner in reflect mode, at the far end of one queue's "wire":
 * not part of the NIC, but what it decided about each frame is counted for
 * the test harness (vnet_partner.h). Written under the queue's rxq lock.
 */
struct vnet_partner_stats {
	struct u64_stats_sync syncp;
	u64_stats_t verdict[VNET_RFL_NR_VERDICTS];
};

#define VNET_HW_VEC_MASKED	0

/*
 * A vector is an MSI-X table entry: its message is a Linux interrupt of
 * the device's irq_domain, delivered to the CPU its affinity names, by IPI
 * when that is another CPU (hw_irq.c).
 */
struct vnet_hw_vec {
	struct hrtimer timer;
	unsigned long flags;
	atomic_t icr;
	/* Frames completed per cause since the vector last fired */
	atomic_t rx_done;
	atomic_t tx_done;
	u32 itr;
	u32 itr_frames;
	int idx;

	/* The message: Linux IRQ, target CPU (-1: none yet), how it travels */
	unsigned int virq;
	int cpu;
	struct irq_work self_ipi;
	call_single_data_t csd;
	/* Messages sent to another CPU that its IPI has not yet handled */
	atomic_t remote_pending;

	/* Only one CPU fires a vector between unmasks: that is the writer. */
	struct u64_stats_sync syncp;
	u64_stats_t irqs;
	u64_stats_t fault_lost_irqs;
	u64_stats_t fault_delays;
};

struct vnet_hw_queue {
	struct vnet_hw *hw;
	struct vnet_hw_txq txq;
	struct vnet_hw_rxq rxq;
	struct vnet_hw_vec vec;
	struct vnet_partner_stats partner;
};

/* Parts per million: a fault rate of VNET_HW_PPM always hits. */
#define VNET_HW_PPM	1000000
/* Longest injected completion delay: well below the TX watchdog's 5 s. */
#define VNET_HW_MAX_FAULT_DELAY_US	1000000

/* Faults a test injects through debugfs; each hit is counted. */
struct vnet_hw_faults {
	u32 drop_ppm;		/* TX frames lost on the wire */
	u32 corrupt_ppm;	/* TX frames with one byte flipped */
	u32 lost_irq_ppm;	/* fires dropped: vector masked, no handler */
	u32 delay_us;		/* added to every RX/TX completion interrupt */
	atomic_t tx_hang;	/* queue mask: hang at the next doorbell */
};

/* One flow rule, as FLT_CMD WRITE copies it from the staging registers. */
struct vnet_hw_flt_rule {
	bool on;
	u8 flow;			/* enum vnet_rss_flow */
	u8 src[16], src_mask[16];
	u8 dst[16], dst_mask[16];
	u32 ports, ports_mask;
	u32 action;
};

/* The rule table: staging registers, rules, and their hit counters. */
struct vnet_hw_flt {
	struct vnet_hw_flt_rule stage;
	seqlock_t lock;			/* rules[] against the RX engine */
	struct vnet_hw_flt_rule rules[VNET_HW_FLT_RULES];
	atomic64_t hits[VNET_HW_FLT_RULES];
	u32 nr_on;
	u64 hits_latch;
};

/* One RSS context: what its registers hold. */
struct vnet_hw_rss_ctx {
	u32 ctrl;
	u8 key[VNET_HW_RSS_KEY_LEN];
	u8 reta[VNET_HW_RSS_TABLE_SIZE];
};

struct vnet_hw {
	char name[16];
	struct platform_device *pdev;	/* the bus's: what drivers map for */
	struct vnet_hw_faults faults;
	struct dentry *dbg;
	u8 mac[ETH_ALEN];
	u32 ctrl;
	u32 max_frame;
	u32 rsc_usecs;
	/*
	 * Read by the RX engine without a lock, as hardware reads its SRAM:
	 * a frame hashed while the driver rewrites them may take either.
	 */
	u32 rss_fields[VNET_RSS_NR_FLOWS];
	struct vnet_hw_rss_ctx rss[VNET_HW_RSS_CONTEXTS];
	struct vnet_hw_flt flt;
	/* The interrupt controller: one Linux IRQ per vector */
	struct fwnode_handle *irq_fwnode;
	struct irq_domain *irq_domain;
	/* The port at the other end of the cable; NULL: the reflector. */
	struct vnet_hw *peer;
	struct vnet_hw_queue q[VNET_HW_MAX_QUEUES];
};

/* The device's DMA: a bus address is a kernel virtual address here. */
static inline void *vnet_hw_dma_addr(u64 addr)
{
	return (void *)(uintptr_t)addr;
}

static inline struct vnet_tx_desc *vnet_hw_txd(const struct vnet_hw_ring *ring,
					       u32 idx)
{
	return (struct vnet_tx_desc *)vnet_hw_dma_addr(ring->dma) + idx;
}

static inline struct vnet_rx_desc *vnet_hw_rxd(const struct vnet_hw_ring *ring,
					       u32 idx)
{
	return (struct vnet_rx_desc *)vnet_hw_dma_addr(ring->dma) + idx;
}

/* One writer per counter group: the group's lock holder, or the vector's. */
static inline void vnet_hw_stat_add(struct u64_stats_sync *syncp,
				    u64_stats_t *ctr, u64 n)
{
	u64_stats_update_begin(syncp);
	u64_stats_add(ctr, n);
	u64_stats_update_end(syncp);
}

/* hw_emul.c: the device object and its registers */
bool vnet_hw_link_up(const struct vnet_hw *hw);
void vnet_hw_ring_ctrl(struct vnet_hw *hw, struct vnet_hw_ring *ring,
		       u32 val);
u64 vnet_hw_stat_read(struct vnet_hw_queue *q, enum vnet_hw_stat n);

/* hw_irq.c: interrupt vectors */
void vnet_hw_vec_init(struct vnet_hw_vec *vec, int idx);
void vnet_hw_vec_stop(struct vnet_hw_vec *vec);
int vnet_hw_irq_domain_add(struct vnet_hw *hw);
void vnet_hw_irq_domain_remove(struct vnet_hw *hw);
void vnet_hw_irq_raise(struct vnet_hw_vec *vec, u32 cause, u32 frames);
void vnet_hw_irq_unmask(struct vnet_hw_vec *vec);
void vnet_hw_irq_mask(struct vnet_hw_vec *vec);
bool vnet_hw_irq_masked(const struct vnet_hw_vec *vec);
void vnet_hw_link_event(struct vnet_hw *hw);

/* hw_tx.c: the TX engine */
int vnet_hw_txq_init(struct vnet_hw_txq *txq);
void vnet_hw_txq_stop(struct vnet_hw_txq *txq);
void vnet_hw_txq_free(struct vnet_hw_txq *txq);
void vnet_hw_tx_doorbell(struct vnet_hw_queue *q, u32 tail);
void vnet_hw_txq_ctrl(struct vnet_hw *hw, struct vnet_hw_txq *txq, u32 val);

/* hw_offload.c: checksum insertion and TSO */
__wsum vnet_hw_frame_copy(const struct vnet_hw_frame *f, u32 off, u8 *dst,
			  u32 len, bool csum);
u32 vnet_hw_seg_len(const struct vnet_hw_frame *f, u32 seg);
u32 vnet_hw_seg_build(const struct vnet_hw_frame *f, u32 seg, u8 *dst,
		      __wsum *l3sum);

/* hw_rx.c: the RX engine, and where the wire leads */
int vnet_hw_rxq_init(struct vnet_hw_rxq *rxq);
void vnet_hw_rxq_stop(struct vnet_hw_rxq *rxq);
void vnet_hw_rxq_free(struct vnet_hw_rxq *rxq);
void vnet_hw_rxq_ctrl(struct vnet_hw *hw, struct vnet_hw_queue *q, u32 val);
int vnet_hw_rx_claim(struct vnet_hw_queue *q, u32 len);
int vnet_hw_rx_claim_any(struct vnet_hw_queue *q, u32 len);
int vnet_hw_rx_claim_more(struct vnet_hw_queue *q, u32 len);
u32 vnet_hw_rx_posted_cap(struct vnet_hw_queue *q);
u32 vnet_hw_rx_chain_seek(const struct vnet_hw_rx_chain *ch, u32 *off);
void vnet_hw_rx_chain_copy(struct vnet_hw_rx_chain *ch, u32 off,
			   const u8 *src, u32 len);
void vnet_hw_rx_writeback(struct vnet_hw_queue *q, u32 len, u64 wb,
			  u64 last);
u64 vnet_hw_rx_l4_verdict(const u8 *buf, u32 len, __wsum l3,
			  const struct vnet_flow *fl);
u64 vnet_hw_rx_l4_check(const u8 *buf, u32 len, __wsum l3);
bool vnet_hw_ip6_ext_before(const u8 *frame, u32 l3, u32 end, u8 type);
bool vnet_hw_ip6_has_ext(const u8 *frame, const struct vnet_flow *fl, u8 type);

/* hw_rsc.c: receive segment coalescing */
int vnet_hw_rsc_init(struct vnet_hw_rsc *rsc);
void vnet_hw_rsc_free(struct vnet_hw_rsc *rsc);
void vnet_hw_rsc_flush(struct vnet_hw_queue *q);
bool vnet_hw_rsc_offer(struct vnet_hw_queue *q, const u8 *frame, u32 len,
		       u64 wb, const __wsum *sum);
bool vnet_hw_rsc_tso(struct vnet_hw_queue *q, struct vnet_hw_queue *src,
		     const struct vnet_hw_frame *f, u64 wb);
void vnet_hw_rsc_abort(struct vnet_hw_queue *q);
void vnet_hw_rx_doorbell(struct vnet_hw_queue *q, u32 tail);
void vnet_hw_pair_deliver(struct vnet_hw_queue *src, struct vnet_hw *dst,
			  const struct vnet_hw_frame *f);
void vnet_hw_reflect_frame(struct vnet_hw_queue *q);

/* hw_fault.c: fault injection; each hook counts what it injects */
bool vnet_hw_fault_lost_irq(struct vnet_hw_vec *vec);
u32 vnet_hw_fault_delay_us(const struct vnet_hw *hw);
bool vnet_hw_fault_drop(struct vnet_hw_queue *q, u32 nsegs);
bool vnet_hw_fault_corrupt(struct vnet_hw_queue *src, u8 *buf, u32 len);
bool vnet_hw_fault_corrupt_armed(const struct vnet_hw_queue *src);
bool vnet_hw_fault_tx_hang(struct vnet_hw_queue *q);
void vnet_hw_flt_init(struct vnet_hw *hw);
u32 vnet_hw_flt_rd32(struct vnet_hw *hw, u32 reg);
void vnet_hw_flt_wr32(struct vnet_hw *hw, u32 reg, u32 val);
s64 vnet_hw_flt_match(struct vnet_hw *hw, const struct vnet_flow *fl,
		      u32 flow);
void vnet_hw_debugfs_add(struct vnet_hw *hw);
void vnet_hw_debugfs_del(struct vnet_hw *hw);

#endif /* _VNET_HW_EMUL_H_ */
