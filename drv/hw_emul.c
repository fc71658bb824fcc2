// SPDX-License-Identifier: GPL-2.0
/*
 * The emulated vnet NIC: everything a real device would do in silicon. The
 * driver reaches it only through vnet_hw.h (registers, descriptors, an
 * interrupt line).
 *
 * Emulation shortcuts, each standing in for a piece of hardware:
 * - A TX doorbell write runs the TX engine synchronously in the writer's
 *   context (ndo_start_xmit, bottom halves disabled): the "DMA" is a memcpy
 *   from the buffer addresses in the descriptors. Written with interrupts
 *   off (netpoll), the doorbell is served from a softirq instead.
 * - The wire leads either to the link partner (vnet_reflect()), which
 *   answers into the RX ring of the same queue, or, for cabled ports, to
 *   the peer port's RX engine, which runs in the sender's context too and
 *   copies each frame once, from the TX buffers into its RX buffer.
 * - An interrupt vector is an hrtimer programmed from ITR; a zero delay
 *   calls the handler at once from the context that raised the cause.
 */
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/etherdevice.h>
#include <linux/hrtimer.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/ipv6.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/u64_stats_sync.h>
#include <net/checksum.h>
#include <net/ip6_checksum.h>
#include <net/tcp.h>

#include "vnet_compat.h"
#include "vnet_flow.h"
#include "vnet_hw.h"
#include "vnet_reflect.h"
#include "vnet_ring.h"
#include "vnet_trace.h"

/* The parser's hash types and key are the datasheet's. */
static_assert(VNET_HW_RSS_KEY_LEN == VNET_RSS_KEY_LEN);
static_assert(VNET_RXD_HASH_NONE == VNET_HASH_NONE);
static_assert(VNET_RXD_HASH_L3 == VNET_HASH_L3);
static_assert(VNET_RXD_HASH_L4 == VNET_HASH_L4);

struct vnet_hw_ring {
	/* Configuration registers, latched when the ring is enabled. */
	u32 base_lo;
	u32 base_hi;
	u32 len;
	/* Engine state: what the device actually walks. */
	void *desc;
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

struct vnet_hw_rxq {
	/* Serializes the RX engine: every delivery and ring control. */
	spinlock_t lock;
	struct vnet_hw_ring ring;

	struct u64_stats_sync syncp;
	u64_stats_t missed;
	u64_stats_t oversize;
	u64_stats_t verdict[VNET_RFL_NR_VERDICTS];
};

#define VNET_HW_VEC_MASKED	0

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
	vnet_hw_irq_handler_t handler;
	/* Published last: a non-NULL cookie means the handler is valid. */
	void __rcu *data;

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

struct vnet_hw {
	char name[16];
	struct vnet_hw_faults faults;
	struct dentry *dbg;
	u8 mac[ETH_ALEN];
	u32 ctrl;
	u8 rss_key[VNET_HW_RSS_KEY_LEN];
	/* The port at the other end of the cable; NULL: the reflector. */
	struct vnet_hw *peer;
	struct vnet_hw_queue q[VNET_HW_MAX_QUEUES];
};

static void *vnet_hw_ring_base(const struct vnet_hw_ring *ring)
{
	return (void *)(uintptr_t)((u64)ring->base_hi << 32 | ring->base_lo);
}

/* Register offset to queue, or NULL outside the per-queue blocks. */
static struct vnet_hw_queue *vnet_hw_reg_queue(struct vnet_hw *hw, u32 reg)
{
	if (reg < VNET_REG_Q(0, 0) || reg >= VNET_REG_Q(VNET_HW_MAX_QUEUES, 0))
		return NULL;
	return &hw->q[FIELD_GET(VNET_REG_Q_IDX_MASK, reg - VNET_REG_Q(0, 0))];
}

static bool vnet_hw_mac_on(const struct vnet_hw *hw)
{
	return READ_ONCE(hw->ctrl) & VNET_CTRL_MAC_EN;
}

/* The reflector is always there; a cabled peer must have its MAC on. */
static bool vnet_hw_link_up(const struct vnet_hw *hw)
{
	return vnet_hw_mac_on(hw) && (!hw->peer || vnet_hw_mac_on(hw->peer));
}

/* A fault with rate @ppm (parts per million) hits this time. */
static bool vnet_hw_fault(const u32 *ppm)
{
	u32 rate = READ_ONCE(*ppm);

	return rate && get_random_u32() % VNET_HW_PPM < rate;
}

/* Interrupt vector */

/*
 * @expires: when the moderation timer was due; 0 for an unmoderated fire.
 * @delayed: the fire was held back by an injected completion delay.
 */
static void vnet_hw_irq_fire(struct vnet_hw_vec *vec, ktime_t expires,
			     bool delayed)
{
	struct vnet_hw_queue *q = container_of(vec, struct vnet_hw_queue, vec);
	ktime_t now;
	void *data;

	/* Auto-mask: exactly one delivery until the driver writes IMS. */
	if (test_and_set_bit(VNET_HW_VEC_MASKED, &vec->flags))
		return;

	/* rx/tx-frames count the completions each interrupt covers. */
	atomic_set(&vec->rx_done, 0);
	atomic_set(&vec->tx_done, 0);

	/* Injected: the message never arrives; the vector stays masked. */
	if (vnet_hw_fault(&q->hw->faults.lost_irq_ppm)) {
		u64_stats_update_begin(&vec->syncp);
		u64_stats_inc(&vec->fault_lost_irqs);
		u64_stats_update_end(&vec->syncp);
		return;
	}

	if (trace_vnet_hw_irq_enabled()) {
		now = ktime_get();
		trace_vnet_hw_irq(q->hw->name, vec->idx, atomic_read(&vec->icr),
				  expires != 0, expires ?: now, now);
	}

	/* vnet_hw_sync_irqs() waits for this section to finish. */
	rcu_read_lock();
	data = rcu_dereference(vec->data);
	if (data) {
		u64_stats_update_begin(&vec->syncp);
		u64_stats_inc(&vec->irqs);
		if (delayed)
			u64_stats_inc(&vec->fault_delays);
		u64_stats_update_end(&vec->syncp);

		vec->handler(vec->idx, data);
	}
	rcu_read_unlock();
}

/* Delay before @cause fires: 0 once its frame count is reached. */
static u32 vnet_hw_cause_delay(struct vnet_hw_vec *vec, u32 cause)
{
	u32 frames = READ_ONCE(vec->itr_frames);
	u32 itr = READ_ONCE(vec->itr);
	u32 usecs, limit;
	atomic_t *done;

	if (cause == VNET_ICR_RX) {
		usecs = FIELD_GET(VNET_ITR_RX_USECS_MASK, itr);
		limit = FIELD_GET(VNET_ITR_RX_FRAMES_MASK, frames);
		done = &vec->rx_done;
	} else {
		usecs = FIELD_GET(VNET_ITR_TX_USECS_MASK, itr);
		limit = FIELD_GET(VNET_ITR_TX_FRAMES_MASK, frames);
		done = &vec->tx_done;
	}
	if (limit && atomic_read(done) >= limit)
		return 0;
	return usecs;
}

/* Deliver pending causes now or arm the moderation timer for them. */
static void vnet_hw_irq_eval(struct vnet_hw_vec *vec)
{
	struct vnet_hw_queue *q = container_of(vec, struct vnet_hw_queue, vec);
	u32 icr = atomic_read(&vec->icr);
	u32 usecs = U32_MAX;
	ktime_t expires;

	if (!icr || test_bit(VNET_HW_VEC_MASKED, &vec->flags))
		return;

	/* A link change is never moderated, nor delayed. */
	if (icr & VNET_ICR_LSC) {
		usecs = 0;
	} else {
		if (icr & VNET_ICR_RX)
			usecs = vnet_hw_cause_delay(vec, VNET_ICR_RX);
		if (icr & VNET_ICR_TX)
			usecs = min(usecs,
				    vnet_hw_cause_delay(vec, VNET_ICR_TX));
		/* Injected: completions reach the CPU late. */
		if (usecs != U32_MAX)
			usecs += READ_ONCE(q->hw->faults.delay_us);
	}

	if (!usecs) {
		vnet_hw_irq_fire(vec, 0, false);
		return;
	}

	/* Keep an earlier expiry already programmed; pull a later one in. */
	expires = ktime_add_us(ktime_get(), usecs);
	if (!hrtimer_is_queued(&vec->timer) ||
	    ktime_before(expires, hrtimer_get_expires(&vec->timer)))
		hrtimer_start(&vec->timer, expires, HRTIMER_MODE_ABS);
}

/* Raise @cause for @frames completed frames (RX and TX causes count). */
static void vnet_hw_irq_raise(struct vnet_hw_vec *vec, u32 cause, u32 frames)
{
	if (cause & VNET_ICR_RX)
		atomic_add(frames, &vec->rx_done);
	else if (cause & VNET_ICR_TX)
		atomic_add(frames, &vec->tx_done);
	atomic_or(cause, &vec->icr);
	/* Cause before mask check; pairs with the barrier in the IMS write. */
	smp_mb__after_atomic();
	vnet_hw_irq_eval(vec);
}

static enum hrtimer_restart vnet_hw_irq_timer(struct hrtimer *timer)
{
	struct vnet_hw_vec *vec = container_of(timer, struct vnet_hw_vec,
					       timer);
	struct vnet_hw_queue *q = container_of(vec, struct vnet_hw_queue, vec);

	if (atomic_read(&vec->icr) &&
	    !test_bit(VNET_HW_VEC_MASKED, &vec->flags))
		vnet_hw_irq_fire(vec, hrtimer_get_expires(timer),
				 READ_ONCE(q->hw->faults.delay_us) != 0);

	return HRTIMER_NORESTART;
}

/*
 * Keep the handler's contract when a vector is evaluated from process
 * context (IMS, CTRL writes): a pending cause fires with bottom halves
 * disabled, and the NAPI softirq it raises runs on local_bh_enable().
 */
static void vnet_hw_irq_eval_bh(struct vnet_hw_vec *vec)
{
	local_bh_disable();
	vnet_hw_irq_eval(vec);
	local_bh_enable();
}

static void vnet_hw_irq_unmask(struct vnet_hw_vec *vec)
{
	clear_bit(VNET_HW_VEC_MASKED, &vec->flags);
	/* Unmask before reading causes; pairs with vnet_hw_irq_raise(). */
	smp_mb__after_atomic();
	vnet_hw_irq_eval_bh(vec);
}

void vnet_hw_request_irq(struct vnet_hw *hw, int vec,
			 vnet_hw_irq_handler_t handler, void *data)
{
	struct vnet_hw_vec *v = &hw->q[vec].vec;

	set_bit(VNET_HW_VEC_MASKED, &v->flags);
	v->handler = handler;
	rcu_assign_pointer(v->data, data);
}

void vnet_hw_free_irq(struct vnet_hw *hw, int vec)
{
	struct vnet_hw_vec *v = &hw->q[vec].vec;

	set_bit(VNET_HW_VEC_MASKED, &v->flags);
	hrtimer_cancel(&v->timer);
	RCU_INIT_POINTER(v->data, NULL);
	/* A link change stays pending: the next driver must see it. */
	atomic_and(VNET_ICR_LSC, &v->icr);
}

void vnet_hw_sync_irqs(struct vnet_hw *hw)
{
	/* A zero-delay fire on another CPU may still be in a handler. */
	synchronize_rcu();
}

/* Link: both ends of the cable learn of a MAC turned on or off. */
static void vnet_hw_link_event(struct vnet_hw *hw)
{
	local_bh_disable();
	vnet_hw_irq_raise(&hw->q[0].vec, VNET_ICR_LSC, 0);
	if (hw->peer)
		vnet_hw_irq_raise(&hw->peer->q[0].vec, VNET_ICR_LSC, 0);
	local_bh_enable();
}

/* RX engine */

/* Called with rxq->lock held. Returns the next posted buffer, if any. */
static struct vnet_rx_desc *vnet_hw_rx_slot(struct vnet_hw_rxq *rxq,
					    u8 **buf, u32 *cap)
{
	struct vnet_hw_ring *ring = &rxq->ring;
	struct vnet_rx_desc *desc;
	u64 cmd;

	/* Tail published with release by the driver's doorbell write. */
	if (!ring->enabled || ring->head == smp_load_acquire(&ring->tail))
		return NULL;

	desc = (struct vnet_rx_desc *)ring->desc + ring->head;
	cmd = le64_to_cpu(READ_ONCE(desc->cmd));
	*buf = (u8 *)(uintptr_t)le64_to_cpu(READ_ONCE(desc->addr));
	*cap = FIELD_GET(VNET_RXD_BUF_LEN_MASK, cmd);
	return desc;
}

/* First write-back word: the RSS hash, if the port reports hashes. */
static u64 vnet_hw_rx_hash_wb(u32 ctrl, u32 hash, enum vnet_hash_type type)
{
	if (!(ctrl & VNET_CTRL_RX_HASH))
		return 0;
	return FIELD_PREP(VNET_RXD_WB_HASH_MASK, hash) |
	       FIELD_PREP(VNET_RXD_WB_HASH_TYPE_MASK, type);
}

/*
 * Called with rxq->lock held: write back a received frame of @len bytes,
 * with @wb as the first write-back word (RSS hash). @sum, if not NULL, is
 * the sum of the bytes after the Ethernet header, taken while copying.
 */
static void vnet_hw_rx_complete(struct vnet_hw_queue *q,
				struct vnet_rx_desc *desc, u8 *buf, u32 cap,
				u32 len, u64 wb, const __wsum *sum)
{
	struct vnet_hw_rxq *rxq = &q->rxq;
	u64 cmd;

	/* The MAC pads runts on the wire; the receiver sees the padding. */
	if (len < VNET_HW_MIN_FRAME && cap >= VNET_HW_MIN_FRAME) {
		memset(buf + len, 0, VNET_HW_MIN_FRAME - len);
		len = VNET_HW_MIN_FRAME;
	}

	cmd = FIELD_PREP(VNET_RXD_PKT_LEN_MASK, len) | VNET_RXD_EOP |
	      VNET_RXD_DD;
	if ((READ_ONCE(q->hw->ctrl) & VNET_CTRL_RX_CSUM) && len > ETH_HLEN) {
		/* Runt padding is zeros: it adds nothing to the sum. */
		__wsum l3 = sum ? *sum :
			    csum_partial(buf + ETH_HLEN, len - ETH_HLEN, 0);

		/* The folded sum, not its complement: CHECKSUM_COMPLETE. */
		cmd |= FIELD_PREP(VNET_RXD_CSUM_MASK,
				  (__force u16)(__sum16)~csum_fold(l3)) |
		       VNET_RXD_CSUM_VALID;
	}

	WRITE_ONCE(desc->addr, cpu_to_le64(wb));
	/* Frame data before DD: the driver's dma_rmb() equivalent pairs. */
	smp_store_release(&desc->cmd, cpu_to_le64(cmd));
	rxq->ring.head = vnet_ring_next(rxq->ring.head, rxq->ring.size);

	/*
	 * Raised under the lock so that once the driver has disabled the ring
	 * (which takes the lock) no delivery can raise the vector any more.
	 */
	vnet_hw_irq_raise(&q->vec, VNET_ICR_RX, 1);
}

static void vnet_hw_tx_stat_add(struct vnet_hw_txq *txq, u64_stats_t *ctr,
				u32 n)
{
	u64_stats_update_begin(&txq->syncp);
	u64_stats_add(ctr, n);
	u64_stats_update_end(&txq->syncp);
}

static void vnet_hw_rx_stat_inc(struct vnet_hw_rxq *rxq, u64_stats_t *ctr)
{
	u64_stats_update_begin(&rxq->syncp);
	u64_stats_inc(ctr);
	u64_stats_update_end(&rxq->syncp);
}

/*
 * Injected: one byte after the Ethernet header of a frame @src sent (or, in
 * reflect mode, of the answer to it) goes bad on the wire, so the stack's
 * checksums catch it. Returns true if it did.
 */
static bool vnet_hw_wire_corrupt(struct vnet_hw_queue *src, u8 *buf, u32 len)
{
	if (len <= ETH_HLEN || !vnet_hw_fault(&src->hw->faults.corrupt_ppm))
		return false;

	buf[ETH_HLEN + get_random_u32() % (len - ETH_HLEN)] ^= 0xff;
	vnet_hw_tx_stat_add(&src->txq, &src->txq.fault_corrupts, 1);
	return true;
}

/* The link partner in reflect mode: answer into the same queue's RX ring. */
static void vnet_hw_reflect(struct vnet_hw_queue *q, const u8 *frame, u32 len)
{
	u32 ctrl = READ_ONCE(q->hw->ctrl);
	struct vnet_hw_rxq *rxq = &q->rxq;
	enum vnet_rfl_verdict verdict;
	enum vnet_hash_type type;
	struct vnet_rx_desc *desc;
	u32 cap, out_len, hash;
	struct vnet_flow fl;
	u8 *buf;

	spin_lock(&rxq->lock);
	desc = vnet_hw_rx_slot(rxq, &buf, &cap);
	if (desc) {
		verdict = vnet_reflect(frame, len, buf, cap, &out_len);
		if (vnet_rfl_is_reply(verdict)) {
			vnet_hw_wire_corrupt(q, buf, out_len);
			vnet_flow_parse(buf, out_len, &fl);
			hash = vnet_flow_hash(&fl, q->hw->rss_key, &type);
			vnet_hw_rx_complete(q, desc, buf, cap, out_len,
					    vnet_hw_rx_hash_wb(ctrl, hash,
							       type), NULL);
		}
	} else {
		/* No buffer: a would-be reply reports it had no room. */
		verdict = vnet_reflect(frame, len, NULL, 0, &out_len);
	}

	if (!desc && verdict == VNET_RFL_DROP_NO_ROOM)
		vnet_hw_rx_stat_inc(rxq, &rxq->missed);
	else if (desc && verdict == VNET_RFL_DROP_NO_ROOM)
		vnet_hw_rx_stat_inc(rxq, &rxq->oversize);
	else
		vnet_hw_rx_stat_inc(rxq, &rxq->verdict[verdict]);
	spin_unlock(&rxq->lock);
}

/* TX engine */

/*
 * Copy @len bytes from offset @off of the frame's buffers to @dst. Callers
 * stay within the frame (off + len <= f->len), so the walk never runs past
 * the last buffer. With @csum the copy also sums the bytes (one pass, as a
 * NIC's DMA engine does) and returns their sum, as if @dst were aligned.
 */
static __wsum vnet_hw_frame_copy(const struct vnet_hw_frame *f, u32 off,
				 u8 *dst, u32 len, bool csum)
{
	const struct vnet_hw_sg *sg = f->buf;
	__wsum sum = 0;
	u32 pos = 0;

	if (!len)
		return 0;
	while (off >= sg->len) {
		off -= sg->len;
		sg++;
	}
	while (pos < len) {
		u32 n = min(len - pos, sg->len - off);
		const u8 *src = sg->addr + off;
		__wsum part;

		if (csum) {
			part = csum_partial_copy_nocheck(src, dst + pos, n);
			sum = csum_block_add(sum, part, pos);
		} else {
			memcpy(dst + pos, src, n);
		}
		pos += n;
		off = 0;
		sg++;
	}
	return sum;
}

/* Bytes of wire frame @seg: headers plus its share of the payload. */
static u32 vnet_hw_seg_len(const struct vnet_hw_frame *f, u32 seg)
{
	if (!f->tso)
		return f->len;
	return f->hdr_len + min(f->mss, f->len - f->hdr_len - seg * f->mss);
}

/*
 * Checksum insertion works on the device's own copy of the frame: the
 * buffers may be shared (TCP keeps clones for retransmission). @l3sum, if
 * not NULL, is the sum of the frame after its Ethernet header: the sum to
 * insert is derived from it rather than read again, and it is updated for
 * the inserted field.
 */
static void vnet_hw_tx_csum(u8 *frame, u32 len, u64 cmd, __wsum *l3sum)
{
	u32 start = FIELD_GET(VNET_TXD_CSUM_START_MASK, cmd);
	u32 pos = start + FIELD_GET(VNET_TXD_CSUM_OFF_MASK, cmd);
	__wsum l4, old;
	__sum16 check;

	if (l3sum && start < ETH_HLEN) {
		/* A field in the Ethernet header: nothing to derive from. */
		vnet_hw_tx_csum(frame, len, cmd, NULL);
		*l3sum = csum_partial(frame + ETH_HLEN, len - ETH_HLEN, 0);
		return;
	}

	/* The field holds the pseudo-header sum; fold it in with the rest. */
	if (l3sum) {
		l4 = csum_sub(*l3sum, csum_partial(frame + ETH_HLEN,
						   start - ETH_HLEN, 0));
		/* Undo the odd-offset byte swap (a swap is its own inverse). */
		l4 = csum_shift(l4, start - ETH_HLEN);
	} else {
		l4 = csum_partial(frame + start, len - start, 0);
	}
	check = csum_fold(l4);
	/* As skb_checksum_help(): 0 means "no checksum" to UDP. */
	if (!check)
		check = CSUM_MANGLED_0;

	old = csum_partial(frame + pos, sizeof(check), 0);
	memcpy(frame + pos, &check, sizeof(check));
	if (l3sum) {
		*l3sum = csum_block_sub(*l3sum, old, pos - ETH_HLEN);
		*l3sum = csum_block_add(*l3sum,
					csum_partial(frame + pos, sizeof(check),
						     0),
					pos - ETH_HLEN);
	}
}

/*
 * Rewrite the headers copied into TSO segment @seg of @len bytes; @paysum
 * is the sum of its payload.
 */
static void vnet_hw_tso_fixup(const struct vnet_hw_frame *f, u8 *frame,
			      u32 len, u32 seg, __wsum paysum)
{
	const struct vnet_flow *fl = &f->flow;
	u32 l4_len = len - fl->l4_off;
	u8 *ip = frame + fl->l3_off;
	u8 *th = frame + fl->l4_off;
	__sum16 check = 0;
	__wsum sum;

	if (fl->ip_ver == 4) {
		struct iphdr *iph = (struct iphdr *)ip;
		u32 ihl = fl->l4_off - fl->l3_off;

		put_unaligned_be16(len - fl->l3_off, &iph->tot_len);
		put_unaligned_be16(get_unaligned_be16(&iph->id) + seg,
				   &iph->id);
		memset(&iph->check, 0, sizeof(iph->check));
		/* Any alignment: csum_partial(), not ip_fast_csum(). */
		check = csum_fold(csum_partial(iph, ihl, 0));
		memcpy(&iph->check, &check, sizeof(check));
	} else {
		put_unaligned_be16(len - fl->l3_off - sizeof(struct ipv6hdr),
				   &((struct ipv6hdr *)ip)->payload_len);
	}

	put_unaligned_be32(get_unaligned_be32(th + 4) + seg * f->mss, th + 4);
	if (seg != f->nsegs - 1)
		th[13] &= ~(TCPHDR_FIN | TCPHDR_PSH);
	if (seg)
		th[13] &= ~TCPHDR_CWR;

	memset(th + 16, 0, sizeof(check));
	/* TCP headers are whole 32-bit words: the payload sum is aligned. */
	sum = csum_add(csum_partial(th, fl->l4_hlen, 0), paysum);
	if (fl->ip_ver == 4) {
		check = csum_tcpudp_magic(get_unaligned((__be32 *)(ip + 12)),
					  get_unaligned((__be32 *)(ip + 16)),
					  l4_len, IPPROTO_TCP, sum);
	} else {
		struct in6_addr saddr, daddr;

		memcpy(&saddr, ip + 8, sizeof(saddr));
		memcpy(&daddr, ip + 24, sizeof(daddr));
		check = csum_ipv6_magic(&saddr, &daddr, l4_len, IPPROTO_TCP,
					sum);
	}
	memcpy(th + 16, &check, sizeof(check));
}

/*
 * Build wire frame @seg into @dst (vnet_hw_seg_len() bytes). With @l3sum,
 * also return the sum of the frame after its Ethernet header, for the
 * receiver's CHECKSUM_COMPLETE: every byte is read once.
 */
static u32 vnet_hw_seg_build(const struct vnet_hw_frame *f, u32 seg, u8 *dst,
			     __wsum *l3sum)
{
	u32 len = vnet_hw_seg_len(f, seg);
	__wsum paysum;

	if (!f->tso) {
		if (l3sum) {
			/* frame_check() made sure len >= ETH_HLEN. */
			vnet_hw_frame_copy(f, 0, dst, ETH_HLEN, false);
			*l3sum = vnet_hw_frame_copy(f, ETH_HLEN, dst + ETH_HLEN,
						    len - ETH_HLEN, true);
		} else {
			vnet_hw_frame_copy(f, 0, dst, len, false);
		}
		if (f->cmd & VNET_TXD_CSUM)
			vnet_hw_tx_csum(dst, len, f->cmd, l3sum);
		return len;
	}

	memcpy(dst, f->head, f->hdr_len);
	paysum = vnet_hw_frame_copy(f, f->hdr_len + seg * f->mss,
				    dst + f->hdr_len, len - f->hdr_len, true);
	vnet_hw_tso_fixup(f, dst, len, seg, paysum);
	if (l3sum)
		*l3sum = csum_block_add(csum_partial(dst + ETH_HLEN,
						     f->hdr_len - ETH_HLEN, 0),
					paysum, f->hdr_len - ETH_HLEN);
	return len;
}

/* Make the first bytes of the frame contiguous, copying only if needed. */
static void vnet_hw_frame_head(struct vnet_hw_txq *txq)
{
	struct vnet_hw_frame *f = &txq->frm;

	f->head_len = min_t(u32, f->len, sizeof(txq->hdr));
	if (f->buf[0].len >= f->head_len) {
		f->head = f->buf[0].addr;
	} else {
		vnet_hw_frame_copy(f, 0, txq->hdr, f->head_len, false);
		f->head = txq->hdr;
	}
	f->parsed = vnet_flow_parse(f->head, f->head_len, &f->flow);
}

/* Check a gathered frame's length and offloads; plan its wire frames. */
static bool vnet_hw_frame_check(struct vnet_hw_txq *txq)
{
	struct vnet_hw_frame *f = &txq->frm;
	const struct vnet_flow *fl = &f->flow;
	u32 start, off;

	start = FIELD_GET(VNET_TXD_CSUM_START_MASK, f->cmd);
	off = FIELD_GET(VNET_TXD_CSUM_OFF_MASK, f->cmd);
	if ((f->cmd & VNET_TXD_CSUM) && start + off + sizeof(__sum16) > f->len)
		return false;

	f->nsegs = 1;
	f->tso = f->cmd & VNET_TXD_TSO;
	if (!f->tso)
		return f->len >= ETH_HLEN && f->len <= VNET_HW_MAX_FRAME;

	/*
	 * TSO: TCP over IP, headers where the descriptor says they are. The
	 * device computes the whole TCP checksum itself, at its usual place.
	 */
	if (f->len > VNET_HW_MAX_TSO || !f->parsed || fl->frag ||
	    fl->l4_proto != IPPROTO_TCP || !fl->l4_off ||
	    fl->l4_off != start ||
	    fl->l4_off + fl->l4_hlen > f->head_len)
		return false;

	f->hdr_len = fl->l4_off + fl->l4_hlen;
	f->mss = FIELD_GET(VNET_TXD_MSS_MASK, f->cmd);
	if (!f->mss || f->len <= f->hdr_len ||
	    f->hdr_len + f->mss > VNET_HW_MAX_FRAME)
		return false;
	f->nsegs = DIV_ROUND_UP(f->len - f->hdr_len, f->mss);
	return true;
}

/*
 * Pair mode: the peer's RX engine takes the wire frames, on the queue its
 * RSS hash picks, and the "DMA" copies each straight from our TX buffers
 * into the posted RX buffer. A full ring drops the frame: it never waits.
 */
static void vnet_hw_pair_deliver(struct vnet_hw_queue *src,
				 struct vnet_hw *dst,
				 const struct vnet_hw_frame *f)
{
	enum vnet_hash_type type = VNET_HASH_NONE;
	u32 ctrl = READ_ONCE(dst->ctrl);
	bool rx_csum = ctrl & VNET_CTRL_RX_CSUM;
	u32 seg, nq, hash = 0;
	struct vnet_hw_queue *q;
	struct vnet_hw_rxq *rxq;
	u64 wb;

	if (f->parsed)
		hash = vnet_flow_hash(&f->flow, dst->rss_key, &type);
	wb = vnet_hw_rx_hash_wb(ctrl, hash, type);
	nq = FIELD_GET(VNET_CTRL_RSS_QUEUES_MASK, ctrl);
	nq = clamp_t(u32, nq, 1, VNET_HW_MAX_QUEUES);
	q = &dst->q[reciprocal_scale(hash, nq)];
	rxq = &q->rxq;

	spin_lock(&rxq->lock);
	for (seg = 0; seg < f->nsegs; seg++) {
		u32 len = vnet_hw_seg_len(f, seg);
		struct vnet_rx_desc *desc;
		__wsum l3sum, *sum;
		u32 cap;
		u8 *buf;

		desc = vnet_hw_rx_slot(rxq, &buf, &cap);
		if (!desc) {
			vnet_hw_rx_stat_inc(rxq, &rxq->missed);
			continue;
		}
		if (len > cap) {
			vnet_hw_rx_stat_inc(rxq, &rxq->oversize);
			continue;
		}
		len = vnet_hw_seg_build(f, seg, buf, rx_csum ? &l3sum : NULL);
		sum = rx_csum ? &l3sum : NULL;
		/* The sum covers what arrived: none for a bad frame. */
		if (vnet_hw_wire_corrupt(src, buf, len))
			sum = NULL;
		vnet_hw_rx_complete(q, desc, buf, cap, len, wb, sum);
	}
	spin_unlock(&rxq->lock);
}

/* Reflect mode: the reflector needs each wire frame in one piece. */
static void vnet_hw_reflect_frame(struct vnet_hw_queue *q)
{
	struct vnet_hw_txq *txq = &q->txq;
	const struct vnet_hw_frame *f = &txq->frm;
	u32 seg, len;

	/* A full-size one-buffer frame needing no offload goes out uncopied. */
	if (f->nbufs == 1 && f->len >= VNET_HW_MIN_FRAME &&
	    !(f->cmd & (VNET_TXD_CSUM | VNET_TXD_TSO))) {
		vnet_hw_reflect(q, f->buf[0].addr, f->len);
		return;
	}
	for (seg = 0; seg < f->nsegs; seg++) {
		len = vnet_hw_seg_build(f, seg, txq->bounce, NULL);
		/* A MAC pads runts: the partner sees what the wire carries. */
		if (len < VNET_HW_MIN_FRAME) {
			memset(txq->bounce + len, 0, VNET_HW_MIN_FRAME - len);
			len = VNET_HW_MIN_FRAME;
		}
		vnet_hw_reflect(q, txq->bounce, len);
	}
}

/* Put the gathered frame on the wire. Returns false for a TX error. */
static bool vnet_hw_tx_frame(struct vnet_hw_queue *q)
{
	struct vnet_hw_txq *txq = &q->txq;
	struct vnet_hw_frame *f = &txq->frm;
	struct vnet_hw *hw = q->hw;

	/* Headers matter to TSO and to the peer's RSS, not the reflector. */
	f->parsed = false;
	if ((f->cmd & VNET_TXD_TSO) || hw->peer)
		vnet_hw_frame_head(txq);
	if (!vnet_hw_frame_check(txq))
		return false;

	if (!vnet_hw_link_up(hw)) {
		vnet_hw_tx_stat_add(txq, &txq->no_link, f->nsegs);
		return true;
	}
	if (f->cmd & VNET_TXD_TSO)
		vnet_hw_tx_stat_add(txq, &txq->tso_segs, f->nsegs);

	/* Injected: the frame (all its segments) never reaches the far end. */
	if (vnet_hw_fault(&hw->faults.drop_ppm)) {
		vnet_hw_tx_stat_add(txq, &txq->fault_drops, f->nsegs);
		return true;
	}

	if (hw->peer)
		vnet_hw_pair_deliver(q, hw->peer, f);
	else
		vnet_hw_reflect_frame(q);
	return true;
}

/*
 * Move every complete frame between head and tail onto the wire and mark
 * its EOP descriptor done. Called with txq->lock held.
 */
static void vnet_hw_tx_process(struct vnet_hw_queue *q)
{
	struct vnet_hw_ring *ring = &q->txq.ring;
	struct vnet_tx_desc *descs = ring->desc;
	struct vnet_hw_frame *f = &q->txq.frm;
	struct vnet_hw_txq *txq = &q->txq;
	u32 done = 0, errors = 0;
	u32 head, tail;

	head = ring->head;
	tail = ring->tail;
	while (head != tail) {
		u32 idx = head, last;
		bool too_long = false;
		u64 cmd;

		f->len = 0;
		f->nbufs = 0;
		do {
			u32 blen;

			last = idx;
			cmd = le64_to_cpu(READ_ONCE(descs[idx].cmd));
			idx = vnet_ring_next(idx, ring->size);
			if (last == head)
				f->cmd = cmd;
			if (f->nbufs == VNET_HW_MAX_TX_BUFS) {
				too_long = true;
				continue;
			}
			blen = FIELD_GET(VNET_TXD_LEN_MASK, cmd);
			f->buf[f->nbufs].addr = (u8 *)(uintptr_t)
				le64_to_cpu(READ_ONCE(descs[last].addr));
			f->buf[f->nbufs].len = blen;
			f->nbufs++;
			f->len += blen;
		} while (!(cmd & VNET_TXD_EOP) && idx != tail);

		/* The driver has not posted the rest of this frame yet. */
		if (!(cmd & VNET_TXD_EOP))
			break;

		if (too_long || !vnet_hw_tx_frame(q))
			errors++;

		/* Buffers are no longer read: hand the slots back. */
		smp_store_release(&descs[last].cmd,
				  cpu_to_le64(cmd | VNET_TXD_DD));
		head = idx;
		done++;
	}

	WRITE_ONCE(ring->head, head);
	if (errors)
		vnet_hw_tx_stat_add(txq, &txq->errors, errors);
	if (done)
		vnet_hw_irq_raise(&q->vec, VNET_ICR_TX, done);
}

/* Injected: this queue's TX engine is due to hang (once per request). */
static bool vnet_hw_fault_hang(struct vnet_hw_queue *q)
{
	atomic_t *mask = &q->hw->faults.tx_hang;
	u32 bit = BIT(q->vec.idx);

	return (atomic_read(mask) & bit) &&
	       (atomic_fetch_andnot(bit, mask) & bit);
}

/* Serve the last doorbell: send what the driver posted up to it. */
static void vnet_hw_tx_run(struct vnet_hw_queue *q)
{
	struct vnet_hw_txq *txq = &q->txq;

	spin_lock(&txq->lock);
	if (txq->ring.enabled) {
		/* Descriptors are read after the tail: pairs with the write. */
		txq->ring.tail = smp_load_acquire(&txq->doorbell) &
				 (txq->ring.size - 1);
		if (!txq->ring.hung && vnet_hw_fault_hang(q)) {
			txq->ring.hung = true;
			vnet_hw_tx_stat_add(txq, &txq->fault_tx_hangs, 1);
		}
		if (!txq->ring.hung)
			vnet_hw_tx_process(q);
	}
	spin_unlock(&txq->lock);
}

static enum hrtimer_restart vnet_hw_tx_kick(struct hrtimer *timer)
{
	struct vnet_hw_txq *txq = container_of(timer, struct vnet_hw_txq,
					       kick);

	vnet_hw_tx_run(container_of(txq, struct vnet_hw_queue, txq));
	return HRTIMER_NORESTART;
}

static void vnet_hw_tx_doorbell(struct vnet_hw_queue *q, u32 tail)
{
	struct vnet_hw_txq *txq = &q->txq;

	/* Posted descriptors before the new tail: writel() ordering. */
	smp_store_release(&txq->doorbell, tail);

	/*
	 * netpoll (netconsole) transmits with interrupts off, possibly from a
	 * hard IRQ that interrupted this engine, or the peer's RX engine, on
	 * this very CPU: taking their locks here could deadlock. The engine
	 * serves such a doorbell from a softirq (a zero-delay soft hrtimer).
	 */
	if (unlikely(irqs_disabled())) {
		hrtimer_start(&txq->kick, 0, HRTIMER_MODE_REL_SOFT);
		return;
	}
	/* The engine runs in BH context, whoever writes the register. */
	local_bh_disable();
	vnet_hw_tx_run(q);
	local_bh_enable();
}

/*
 * Ring configuration is latched when the ring is enabled: later writes to
 * BASE/LEN/HEAD cannot move a ring under a running engine. The engine
 * starts at HEAD with nothing to do (tail = head) until a doorbell.
 */
static void vnet_hw_ring_ctrl(struct vnet_hw *hw, struct vnet_hw_ring *ring,
			      u32 val)
{
	bool enable = val & VNET_RING_CTRL_ENABLE;

	if (enable && (!vnet_ring_size_valid(ring->len) ||
		       !vnet_hw_ring_base(ring))) {
		pr_warn_ratelimited("%s: bad ring config, not enabled\n",
				    hw->name);
		enable = false;
	}
	ring->desc = vnet_hw_ring_base(ring);
	ring->size = ring->len;
	/* Resetting the ring clears an injected hang. */
	if (!enable)
		ring->hung = false;
	if (enable) {
		ring->head &= ring->size - 1;
		ring->tail = ring->head;
	}
	WRITE_ONCE(ring->enabled, enable);
}

/* Register access */

static u32 vnet_hw_ring_rd(const struct vnet_hw_ring *ring, u32 off)
{
	switch (off) {
	case VNET_QREG_TX_BASE_LO:
		return ring->base_lo;
	case VNET_QREG_TX_BASE_HI:
		return ring->base_hi;
	case VNET_QREG_TX_LEN:
		return ring->len;
	case VNET_QREG_TX_TAIL:
		return READ_ONCE(ring->tail);
	case VNET_QREG_TX_HEAD:
		return READ_ONCE(ring->head);
	case VNET_QREG_TX_CTRL:
		return READ_ONCE(ring->enabled) * VNET_RING_CTRL_ENABLE;
	}
	return 0;
}

static u32 vnet_hw_q_rd32(struct vnet_hw_queue *q, u32 off)
{
	switch (off) {
	case VNET_QREG_TX_BASE_LO ... VNET_QREG_TX_CTRL:
		return vnet_hw_ring_rd(&q->txq.ring, off);
	case VNET_QREG_RX_BASE_LO ... VNET_QREG_RX_CTRL:
		off -= VNET_QREG_RX_BASE_LO;
		return vnet_hw_ring_rd(&q->rxq.ring, off);
	case VNET_QREG_ICR:
		return atomic_xchg(&q->vec.icr, 0);
	case VNET_QREG_ITR:
		return READ_ONCE(q->vec.itr);
	case VNET_QREG_ITR_FRAMES:
		return READ_ONCE(q->vec.itr_frames);
	}
	return 0;
}

u32 vnet_hw_rd32(struct vnet_hw *hw, u32 reg)
{
	struct vnet_hw_queue *q = vnet_hw_reg_queue(hw, reg);

	switch (reg) {
	case VNET_REG_ID:
		return VNET_HW_ID;
	case VNET_REG_REV:
		return VNET_HW_REV;
	case VNET_REG_CAP:
		return FIELD_PREP(VNET_CAP_MAX_QUEUES_MASK, VNET_HW_MAX_QUEUES);
	case VNET_REG_MAC_LO:
		return hw->mac[0] | hw->mac[1] << 8 | hw->mac[2] << 16 |
		       (u32)hw->mac[3] << 24;
	case VNET_REG_MAC_HI:
		return hw->mac[4] | hw->mac[5] << 8;
	case VNET_REG_STATUS:
		return vnet_hw_link_up(hw) ? VNET_STATUS_LINK_UP : 0;
	case VNET_REG_CTRL:
		return READ_ONCE(hw->ctrl);
	case VNET_REG_RSS_KEY(0) ... VNET_REG_RSS_KEY(VNET_RSS_KEY_REGS - 1):
		return get_unaligned_le32(&hw->rss_key[reg -
						       VNET_REG_RSS_KEY(0)]);
	}
	if (q)
		return vnet_hw_q_rd32(q, FIELD_GET(VNET_REG_Q_OFF_MASK, reg));
	return 0;
}

static u64 vnet_hw_stat_rd(struct vnet_hw_queue *q, u32 n)
{
	const struct u64_stats_sync *syncp;
	const u64_stats_t *ctr;
	unsigned int start;
	u64 val;

	switch (n) {
	case VNET_HW_STAT_IRQS:
		syncp = &q->vec.syncp;
		ctr = &q->vec.irqs;
		break;
	case VNET_HW_STAT_TX_ERRORS:
		syncp = &q->txq.syncp;
		ctr = &q->txq.errors;
		break;
	case VNET_HW_STAT_TX_NO_LINK:
		syncp = &q->txq.syncp;
		ctr = &q->txq.no_link;
		break;
	case VNET_HW_STAT_TX_TSO_SEGS:
		syncp = &q->txq.syncp;
		ctr = &q->txq.tso_segs;
		break;
	case VNET_HW_STAT_RX_MISSED:
		syncp = &q->rxq.syncp;
		ctr = &q->rxq.missed;
		break;
	case VNET_HW_STAT_RX_OVERSIZE:
		syncp = &q->rxq.syncp;
		ctr = &q->rxq.oversize;
		break;
	case VNET_HW_STAT_FAULT_DROPS:
		syncp = &q->txq.syncp;
		ctr = &q->txq.fault_drops;
		break;
	case VNET_HW_STAT_FAULT_CORRUPTS:
		syncp = &q->txq.syncp;
		ctr = &q->txq.fault_corrupts;
		break;
	case VNET_HW_STAT_FAULT_LOST_IRQS:
		syncp = &q->vec.syncp;
		ctr = &q->vec.fault_lost_irqs;
		break;
	case VNET_HW_STAT_FAULT_TX_HANGS:
		syncp = &q->txq.syncp;
		ctr = &q->txq.fault_tx_hangs;
		break;
	case VNET_HW_STAT_FAULT_DELAYS:
		syncp = &q->vec.syncp;
		ctr = &q->vec.fault_delays;
		break;
	default:
		if (n >= VNET_HW_NR_STATS)
			return 0;
		syncp = &q->rxq.syncp;
		ctr = &q->rxq.verdict[n - VNET_HW_STAT_REFLECT];
	}

	do {
		start = u64_stats_fetch_begin(syncp);
		val = u64_stats_read(ctr);
	} while (u64_stats_fetch_retry(syncp, start));
	return val;
}

u64 vnet_hw_rd64(struct vnet_hw *hw, u32 reg)
{
	struct vnet_hw_queue *q = vnet_hw_reg_queue(hw, reg);
	u32 off = FIELD_GET(VNET_REG_Q_OFF_MASK, reg);

	if (!q || off < VNET_QREG_STAT(0) || (off - VNET_QREG_STAT(0)) % 8)
		return 0;
	return vnet_hw_stat_rd(q, (off - VNET_QREG_STAT(0)) / 8);
}

static void vnet_hw_ring_wr(struct vnet_hw *hw, struct vnet_hw_ring *ring,
			    spinlock_t *lock, u32 off, u32 val)
{
	switch (off) {
	case VNET_QREG_TX_BASE_LO:
		ring->base_lo = val;
		break;
	case VNET_QREG_TX_BASE_HI:
		ring->base_hi = val;
		break;
	case VNET_QREG_TX_LEN:
		ring->len = val;
		break;
	case VNET_QREG_TX_HEAD:
		spin_lock_bh(lock);
		if (!ring->enabled)
			ring->head = val;
		spin_unlock_bh(lock);
		break;
	case VNET_QREG_TX_CTRL:
		/* Control path: process context, engines run in BH. */
		spin_lock_bh(lock);
		vnet_hw_ring_ctrl(hw, ring, val);
		spin_unlock_bh(lock);
		break;
	}
}

/*
 * TX ring control: as for RX, and a deferred doorbell must not reach the
 * ring once it is reset, nor a stale one after it is enabled again.
 */
static void vnet_hw_txq_ctrl(struct vnet_hw *hw, struct vnet_hw_txq *txq,
			     u32 val)
{
	hrtimer_cancel(&txq->kick);
	spin_lock_bh(&txq->lock);
	vnet_hw_ring_ctrl(hw, &txq->ring, val);
	txq->doorbell = txq->ring.tail;
	spin_unlock_bh(&txq->lock);
}

static void vnet_hw_q_wr32(struct vnet_hw *hw, struct vnet_hw_queue *q,
			   u32 off, u32 val)
{
	/* The doorbells: the hot path, ahead of the configuration registers */
	if (off == VNET_QREG_TX_TAIL) {
		vnet_hw_tx_doorbell(q, val);
		return;
	}
	if (off == VNET_QREG_RX_TAIL) {
		/* Posted descriptors before the new tail: writel() ordering. */
		smp_store_release(&q->rxq.ring.tail,
				  val & (q->rxq.ring.size - 1));
		return;
	}

	switch (off) {
	case VNET_QREG_TX_CTRL:
		vnet_hw_txq_ctrl(hw, &q->txq, val);
		break;
	case VNET_QREG_TX_BASE_LO ... VNET_QREG_TX_HEAD:
		vnet_hw_ring_wr(hw, &q->txq.ring, &q->txq.lock, off, val);
		break;
	case VNET_QREG_RX_BASE_LO ... VNET_QREG_RX_CTRL:
		vnet_hw_ring_wr(hw, &q->rxq.ring, &q->rxq.lock,
				off - VNET_QREG_RX_BASE_LO, val);
		break;
	case VNET_QREG_IMS:
		vnet_hw_irq_unmask(&q->vec);
		break;
	case VNET_QREG_IMC:
		set_bit(VNET_HW_VEC_MASKED, &q->vec.flags);
		break;
	case VNET_QREG_ITR:
		WRITE_ONCE(q->vec.itr, val & (VNET_ITR_RX_USECS_MASK |
					      VNET_ITR_TX_USECS_MASK));
		break;
	case VNET_QREG_ITR_FRAMES:
		WRITE_ONCE(q->vec.itr_frames, val & (VNET_ITR_RX_FRAMES_MASK |
						     VNET_ITR_TX_FRAMES_MASK));
		break;
	}
}

#define VNET_CTRL_RW_MASK	(VNET_CTRL_MAC_EN | VNET_CTRL_RX_CSUM | \
				 VNET_CTRL_RX_HASH | VNET_CTRL_RSS_QUEUES_MASK)

void vnet_hw_wr32(struct vnet_hw *hw, u32 reg, u32 val)
{
	struct vnet_hw_queue *q = vnet_hw_reg_queue(hw, reg);
	u32 old;

	switch (reg) {
	case VNET_REG_CTRL:
		old = xchg(&hw->ctrl, val & VNET_CTRL_RW_MASK);
		if ((old ^ val) & VNET_CTRL_MAC_EN)
			vnet_hw_link_event(hw);
		return;
	case VNET_REG_RSS_KEY(0) ... VNET_REG_RSS_KEY(VNET_RSS_KEY_REGS - 1):
		put_unaligned_le32(val, &hw->rss_key[reg -
						     VNET_REG_RSS_KEY(0)]);
		return;
	}
	/* Every other global register is read-only. */
	if (q)
		vnet_hw_q_wr32(hw, q, FIELD_GET(VNET_REG_Q_OFF_MASK, reg), val);
}

const char *vnet_hw_bus_name(struct vnet_hw *hw)
{
	return hw->name;
}

/* Device lifetime */

/* Fault injection files: debugfs vnet/<device>/, root only. */

static struct dentry *vnet_hw_dbg_root;

void vnet_hw_debugfs_init(void)
{
	vnet_hw_dbg_root = debugfs_create_dir("vnet", NULL);
}

void vnet_hw_debugfs_exit(void)
{
	debugfs_remove_recursive(vnet_hw_dbg_root);
}

static int vnet_hw_u32_get(void *data, u64 *val)
{
	*val = READ_ONCE(*(u32 *)data);
	return 0;
}

static int vnet_hw_ppm_set(void *data, u64 val)
{
	if (val > VNET_HW_PPM)
		return -EINVAL;
	WRITE_ONCE(*(u32 *)data, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(vnet_hw_ppm_fops, vnet_hw_u32_get, vnet_hw_ppm_set,
			 "%llu\n");

static int vnet_hw_delay_set(void *data, u64 val)
{
	if (val > VNET_HW_MAX_FAULT_DELAY_US)
		return -EINVAL;
	WRITE_ONCE(*(u32 *)data, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(vnet_hw_delay_fops, vnet_hw_u32_get,
			 vnet_hw_delay_set, "%llu\n");

/* Reads the queues still due to hang; a write adds queues to the mask. */
static int vnet_hw_hang_get(void *data, u64 *val)
{
	*val = (u32)atomic_read(data);
	return 0;
}

static int vnet_hw_hang_set(void *data, u64 val)
{
	if (val >= BIT(VNET_HW_MAX_QUEUES))
		return -EINVAL;
	atomic_or(val, data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(vnet_hw_hang_fops, vnet_hw_hang_get,
			 vnet_hw_hang_set, "0x%llx\n");

/*
 * "queues": the device's side of every queue, as a register dump would show
 * it: ring state (enabled, hung, size, head, tail) and the vector's (mask,
 * pending causes, moderation timer armed, fires). A stalled queue shows
 * here: a disabled or empty RX ring, a vector left masked with causes.
 * A snapshot without the engines' locks: each value is current, together
 * they may be a few frames apart.
 */
static void vnet_hw_ring_show(struct seq_file *m, const char *name,
			      const struct vnet_hw_ring *ring)
{
	seq_printf(m, " %s %s%s size %u head %u tail %u", name,
		   READ_ONCE(ring->enabled) ? "on" : "off",
		   READ_ONCE(ring->hung) ? " hung" : "",
		   READ_ONCE(ring->size), READ_ONCE(ring->head),
		   READ_ONCE(ring->tail));
}

static int vnet_hw_queues_show(struct seq_file *m, void *v)
{
	struct vnet_hw *hw = m->private;
	int i;

	seq_printf(m, "ctrl 0x%08x\n", READ_ONCE(hw->ctrl));
	for (i = 0; i < VNET_HW_MAX_QUEUES; i++) {
		struct vnet_hw_queue *q = &hw->q[i];
		struct vnet_hw_vec *vec = &q->vec;

		seq_printf(m, "q%d:", i);
		vnet_hw_ring_show(m, "tx", &q->txq.ring);
		vnet_hw_ring_show(m, "rx", &q->rxq.ring);
		seq_printf(m, " vec %s icr 0x%x timer %d irqs %llu\n",
			   test_bit(VNET_HW_VEC_MASKED, &vec->flags) ?
			   "masked" : "unmasked", atomic_read(&vec->icr),
			   hrtimer_is_queued(&vec->timer),
			   vnet_hw_stat_rd(q, VNET_HW_STAT_IRQS));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vnet_hw_queues);

static void vnet_hw_debugfs_add(struct vnet_hw *hw)
{
	struct vnet_hw_faults *f = &hw->faults;

	hw->dbg = debugfs_create_dir(hw->name, vnet_hw_dbg_root);
	debugfs_create_file_unsafe("fault_drop_ppm", 0600, hw->dbg,
				   &f->drop_ppm, &vnet_hw_ppm_fops);
	debugfs_create_file_unsafe("fault_corrupt_ppm", 0600, hw->dbg,
				   &f->corrupt_ppm, &vnet_hw_ppm_fops);
	debugfs_create_file_unsafe("fault_lost_irq_ppm", 0600, hw->dbg,
				   &f->lost_irq_ppm, &vnet_hw_ppm_fops);
	debugfs_create_file_unsafe("fault_delay_us", 0600, hw->dbg,
				   &f->delay_us, &vnet_hw_delay_fops);
	debugfs_create_file_unsafe("fault_tx_hang", 0600, hw->dbg,
				   &f->tx_hang, &vnet_hw_hang_fops);
	debugfs_create_file("queues", 0400, hw->dbg, hw, &vnet_hw_queues_fops);
}

struct vnet_hw *vnet_hw_create(unsigned int port)
{
	struct vnet_hw *hw;
	int i;

	hw = kzalloc(sizeof(*hw), GFP_KERNEL);
	if (!hw)
		return NULL;

	snprintf(hw->name, sizeof(hw->name), "vnethw.%u", port);
	/* The "EEPROM" MAC: locally administered, unique per load. */
	eth_random_addr(hw->mac);

	for (i = 0; i < VNET_HW_MAX_QUEUES; i++) {
		struct vnet_hw_queue *q = &hw->q[i];

		q->txq.bounce = kmalloc(VNET_HW_MAX_FRAME, GFP_KERNEL);
		if (!q->txq.bounce)
			goto err_free_bounce;
		q->hw = hw;
		spin_lock_init(&q->txq.lock);
		spin_lock_init(&q->rxq.lock);
		u64_stats_init(&q->txq.syncp);
		u64_stats_init(&q->rxq.syncp);
		u64_stats_init(&q->vec.syncp);
		q->vec.idx = i;
		q->vec.flags = BIT(VNET_HW_VEC_MASKED);
		hrtimer_setup(&q->vec.timer, vnet_hw_irq_timer,
			      CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
		hrtimer_setup(&q->txq.kick, vnet_hw_tx_kick, CLOCK_MONOTONIC,
			      HRTIMER_MODE_REL_SOFT);
	}
	vnet_hw_debugfs_add(hw);
	return hw;

err_free_bounce:
	while (i--)
		kfree(hw->q[i].txq.bounce);
	kfree(hw);
	return NULL;
}

void vnet_hw_connect(struct vnet_hw *a, struct vnet_hw *b)
{
	a->peer = b;
	b->peer = a;
}

void vnet_hw_destroy(struct vnet_hw *hw)
{
	int i;

	debugfs_remove_recursive(hw->dbg);
	if (hw->peer)
		hw->peer->peer = NULL;
	for (i = 0; i < VNET_HW_MAX_QUEUES; i++) {
		/* A deferred doorbell can raise the vector: it goes first. */
		hrtimer_cancel(&hw->q[i].txq.kick);
		hrtimer_cancel(&hw->q[i].vec.timer);
		kfree(hw->q[i].txq.bounce);
	}
	kfree(hw);
}
