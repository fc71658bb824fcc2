// SPDX-License-Identifier: GPL-2.0
/*
 * The emulated vnet NIC: everything a real device would do in silicon. The
 * driver reaches it only through vnet_hw.h (registers, descriptors, an
 * interrupt line).
 *
 * Emulation shortcuts, each standing in for a piece of hardware:
 * - A TX doorbell write runs the TX engine synchronously in the writer's
 *   context (ndo_start_xmit, bottom halves disabled): the "DMA" is a memcpy
 *   from the buffer addresses in the descriptors.
 * - The wire leads to the link partner (vnet_reflect()), which answers into
 *   the RX ring of the same queue.
 * - An interrupt vector is an hrtimer programmed from ITR; a zero delay
 *   calls the handler at once from the context that raised the cause.
 */
#include <linux/atomic.h>
#include <linux/etherdevice.h>
#include <linux/hrtimer.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/u64_stats_sync.h>
#include <net/checksum.h>

#include "vnet_hw.h"
#include "vnet_reflect.h"
#include "vnet_ring.h"

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
};

struct vnet_hw_txq {
	/* Serializes the TX engine: doorbell writes and ring control. */
	spinlock_t lock;
	struct vnet_hw_ring ring;
	u8 *frame;			/* gather buffer: one whole frame */

	struct u64_stats_sync syncp;
	u64_stats_t errors;
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
	u32 itr;
	int idx;
	vnet_hw_irq_handler_t handler;
	/* Published last: a non-NULL cookie means the handler is valid. */
	void __rcu *data;

	/* Only one CPU fires a vector between unmasks: that is the writer. */
	struct u64_stats_sync syncp;
	u64_stats_t irqs;
};

struct vnet_hw_queue {
	struct vnet_hw_txq txq;
	struct vnet_hw_rxq rxq;
	struct vnet_hw_vec vec;
};

struct vnet_hw {
	char name[16];
	u8 mac[ETH_ALEN];
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

/* Interrupt vector */

static void vnet_hw_irq_fire(struct vnet_hw_vec *vec)
{
	void *data;

	/* Auto-mask: exactly one delivery until the driver writes IMS. */
	if (test_and_set_bit(VNET_HW_VEC_MASKED, &vec->flags))
		return;

	/* vnet_hw_free_irq() waits for this section to finish. */
	rcu_read_lock();
	data = rcu_dereference(vec->data);
	if (data) {
		u64_stats_update_begin(&vec->syncp);
		u64_stats_inc(&vec->irqs);
		u64_stats_update_end(&vec->syncp);

		vec->handler(vec->idx, data);
	}
	rcu_read_unlock();
}

/* Deliver pending causes now or arm the moderation timer for them. */
static void vnet_hw_irq_eval(struct vnet_hw_vec *vec)
{
	u32 icr = atomic_read(&vec->icr);
	u32 itr = READ_ONCE(vec->itr);
	u32 usecs = U32_MAX;
	ktime_t expires;

	if (!icr || test_bit(VNET_HW_VEC_MASKED, &vec->flags))
		return;

	if (icr & VNET_ICR_RX)
		usecs = min(usecs, FIELD_GET(VNET_ITR_RX_USECS_MASK, itr));
	if (icr & VNET_ICR_TX)
		usecs = min(usecs, FIELD_GET(VNET_ITR_TX_USECS_MASK, itr));

	if (!usecs) {
		vnet_hw_irq_fire(vec);
		return;
	}

	/* Keep an earlier expiry already programmed; pull a later one in. */
	expires = ktime_add_us(ktime_get(), usecs);
	if (!hrtimer_is_queued(&vec->timer) ||
	    ktime_before(expires, hrtimer_get_expires(&vec->timer)))
		hrtimer_start(&vec->timer, expires, HRTIMER_MODE_ABS);
}

static void vnet_hw_irq_raise(struct vnet_hw_vec *vec, u32 cause)
{
	atomic_or(cause, &vec->icr);
	/* Cause before mask check; pairs with the barrier in the IMS write. */
	smp_mb__after_atomic();
	vnet_hw_irq_eval(vec);
}

static enum hrtimer_restart vnet_hw_irq_timer(struct hrtimer *timer)
{
	struct vnet_hw_vec *vec = container_of(timer, struct vnet_hw_vec,
					       timer);

	if (atomic_read(&vec->icr) &&
	    !test_bit(VNET_HW_VEC_MASKED, &vec->flags))
		vnet_hw_irq_fire(vec);

	return HRTIMER_NORESTART;
}

static void vnet_hw_irq_unmask(struct vnet_hw_vec *vec)
{
	clear_bit(VNET_HW_VEC_MASKED, &vec->flags);
	/* Unmask before reading causes; pairs with vnet_hw_irq_raise(). */
	smp_mb__after_atomic();
	/* Keep the handler's contract when the driver unmasks from process
	 * context: a pending cause fires with bottom halves disabled.
	 */
	local_bh_disable();
	vnet_hw_irq_eval(vec);
	local_bh_enable();
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
	/* A zero-delay fire on another CPU may still be in the handler. */
	synchronize_rcu();
	atomic_set(&v->icr, 0);
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

/* Called with rxq->lock held: write back a received frame of @len bytes. */
static void vnet_hw_rx_complete(struct vnet_hw_queue *q,
				struct vnet_rx_desc *desc, u8 *buf, u32 cap,
				u32 len)
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
	/* Frame data before DD: the driver's dma_rmb() equivalent pairs. */
	smp_store_release(&desc->cmd, cpu_to_le64(cmd));
	rxq->ring.head = vnet_ring_next(rxq->ring.head, rxq->ring.size);

	/*
	 * Raised under the lock so that once the driver has disabled the ring
	 * (which takes the lock) no delivery can raise the vector any more.
	 */
	vnet_hw_irq_raise(&q->vec, VNET_ICR_RX);
}

/* The link partner in reflect mode: answer into the same queue's RX ring. */
static void vnet_hw_reflect(struct vnet_hw_queue *q, const u8 *frame, u32 len)
{
	struct vnet_hw_rxq *rxq = &q->rxq;
	enum vnet_rfl_verdict verdict;
	struct vnet_rx_desc *desc;
	u32 cap, out_len;
	u8 *buf;

	spin_lock(&rxq->lock);
	desc = vnet_hw_rx_slot(rxq, &buf, &cap);
	if (desc) {
		verdict = vnet_reflect(frame, len, buf, cap, &out_len);
		if (vnet_rfl_is_reply(verdict))
			vnet_hw_rx_complete(q, desc, buf, cap, out_len);
	} else {
		/* No buffer: a would-be reply reports it had no room. */
		verdict = vnet_reflect(frame, len, NULL, 0, &out_len);
	}

	u64_stats_update_begin(&rxq->syncp);
	if (!desc && verdict == VNET_RFL_DROP_NO_ROOM)
		u64_stats_inc(&rxq->missed);
	else if (desc && verdict == VNET_RFL_DROP_NO_ROOM)
		u64_stats_inc(&rxq->oversize);
	else
		u64_stats_inc(&rxq->verdict[verdict]);
	u64_stats_update_end(&rxq->syncp);
	spin_unlock(&rxq->lock);
}

/* TX engine */

/*
 * Checksum insertion works on the device's own copy of the frame: the
 * buffers may be shared (TCP keeps clones for retransmission).
 */
static bool vnet_hw_tx_csum(u8 *frame, u32 len, u64 cmd)
{
	u32 start = FIELD_GET(VNET_TXD_CSUM_START_MASK, cmd);
	u32 off = start + FIELD_GET(VNET_TXD_CSUM_OFF_MASK, cmd);
	__sum16 sum;

	if (off + sizeof(sum) > len)
		return false;

	/* The field holds the pseudo-header sum; fold it in with the rest. */
	sum = csum_fold(csum_partial(frame + start, len - start, 0));
	/* As skb_checksum_help(): 0 means "no checksum" to UDP. */
	if (!sum)
		sum = CSUM_MANGLED_0;
	memcpy(frame + off, &sum, sizeof(sum));
	return true;
}

/*
 * Move every complete frame between head and tail onto the wire and mark
 * its EOP descriptor done. Called with txq->lock held.
 */
static void vnet_hw_tx_process(struct vnet_hw_queue *q)
{
	struct vnet_hw_txq *txq = &q->txq;
	struct vnet_hw_ring *ring = &txq->ring;
	struct vnet_tx_desc *descs = ring->desc;
	u32 head = ring->head, tail = ring->tail;
	u32 done = 0, errors = 0;

	while (head != tail) {
		u32 idx = head, last, len = 0;
		u64 cmd, first_cmd = 0;
		const u8 *frame;
		bool bad = false;

		/* A one-buffer frame needing no checksum goes out uncopied. */
		cmd = le64_to_cpu(READ_ONCE(descs[idx].cmd));
		if ((cmd & (VNET_TXD_EOP | VNET_TXD_CSUM)) == VNET_TXD_EOP) {
			last = idx;
			idx = vnet_ring_next(idx, ring->size);
			frame = (u8 *)(uintptr_t)
				le64_to_cpu(READ_ONCE(descs[last].addr));
			len = FIELD_GET(VNET_TXD_LEN_MASK, cmd);
			goto wire;
		}

		do {
			u32 blen;
			u8 *buf;

			last = idx;
			cmd = le64_to_cpu(READ_ONCE(descs[idx].cmd));
			buf = (u8 *)(uintptr_t)
			      le64_to_cpu(READ_ONCE(descs[idx].addr));
			blen = FIELD_GET(VNET_TXD_LEN_MASK, cmd);
			idx = vnet_ring_next(idx, ring->size);
			if (last == head)
				first_cmd = cmd;

			if (len + blen > VNET_HW_MAX_FRAME) {
				bad = true;
				continue;
			}
			memcpy(txq->frame + len, buf, blen);
			len += blen;
		} while (!(cmd & VNET_TXD_EOP) && idx != tail);

		/* The driver has not posted the rest of this frame yet. */
		if (!(cmd & VNET_TXD_EOP))
			break;

		frame = txq->frame;
		if ((first_cmd & VNET_TXD_CSUM) && !bad)
			bad = !vnet_hw_tx_csum(txq->frame, len, first_cmd);
wire:
		if (bad || len < ETH_HLEN || len > VNET_HW_MAX_FRAME)
			errors++;
		else
			vnet_hw_reflect(q, frame, len);

		/* Buffers are no longer read: hand the slots back. */
		smp_store_release(&descs[last].cmd,
				  cpu_to_le64(cmd | VNET_TXD_DD));
		head = idx;
		done++;
	}

	WRITE_ONCE(ring->head, head);
	if (errors) {
		u64_stats_update_begin(&txq->syncp);
		u64_stats_add(&txq->errors, errors);
		u64_stats_update_end(&txq->syncp);
	}
	if (done)
		vnet_hw_irq_raise(&q->vec, VNET_ICR_TX);
}

static void vnet_hw_tx_doorbell(struct vnet_hw_queue *q, u32 tail)
{
	struct vnet_hw_txq *txq = &q->txq;

	spin_lock(&txq->lock);
	if (txq->ring.enabled) {
		txq->ring.tail = tail & (txq->ring.size - 1);
		vnet_hw_tx_process(q);
	}
	spin_unlock(&txq->lock);
}

/*
 * Ring configuration is latched when the ring is enabled: later writes to
 * BASE/LEN cannot move a ring under a running engine.
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
	ring->head = 0;
	ring->tail = 0;
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
		/* The reflector is always there: the link is always up. */
		return VNET_STATUS_LINK_UP;
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
	case VNET_HW_STAT_RX_MISSED:
		syncp = &q->rxq.syncp;
		ctr = &q->rxq.missed;
		break;
	case VNET_HW_STAT_RX_OVERSIZE:
		syncp = &q->rxq.syncp;
		ctr = &q->rxq.oversize;
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
	case VNET_QREG_TX_CTRL:
		/* Control path: process context, engines run in BH. */
		spin_lock_bh(lock);
		vnet_hw_ring_ctrl(hw, ring, val);
		spin_unlock_bh(lock);
		break;
	}
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
	case VNET_QREG_TX_BASE_LO ... VNET_QREG_TX_CTRL:
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
	}
}

void vnet_hw_wr32(struct vnet_hw *hw, u32 reg, u32 val)
{
	struct vnet_hw_queue *q = vnet_hw_reg_queue(hw, reg);

	/* Every global register is read-only. */
	if (q)
		vnet_hw_q_wr32(hw, q, FIELD_GET(VNET_REG_Q_OFF_MASK, reg), val);
}

const char *vnet_hw_bus_name(struct vnet_hw *hw)
{
	return hw->name;
}

/* Device lifetime */

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

		q->txq.frame = kmalloc(VNET_HW_MAX_FRAME, GFP_KERNEL);
		if (!q->txq.frame)
			goto err_free_frames;
		spin_lock_init(&q->txq.lock);
		spin_lock_init(&q->rxq.lock);
		u64_stats_init(&q->txq.syncp);
		u64_stats_init(&q->rxq.syncp);
		u64_stats_init(&q->vec.syncp);
		q->vec.idx = i;
		q->vec.flags = BIT(VNET_HW_VEC_MASKED);
		hrtimer_init(&q->vec.timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
		q->vec.timer.function = vnet_hw_irq_timer;
	}
	return hw;

err_free_frames:
	while (i--)
		kfree(hw->q[i].txq.frame);
	kfree(hw);
	return NULL;
}

void vnet_hw_destroy(struct vnet_hw *hw)
{
	int i;

	for (i = 0; i < VNET_HW_MAX_QUEUES; i++) {
		hrtimer_cancel(&hw->q[i].vec.timer);
		kfree(hw->q[i].txq.frame);
	}
	kfree(hw);
}
