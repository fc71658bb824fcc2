// SPDX-License-Identifier: GPL-2.0
/* vnet emulated device: the device object, its lifetime, register decode. */
#include <linux/dma-mapping.h>
#include <linux/etherdevice.h>
#include <linux/platform_device.h>
#include <linux/slab.h>

#include "hw_emul.h"
#include "vnet_board.h"
#include "vnet_compat.h"
#include "vnet_ring.h"

/*
 * Its blocks each have a file: interrupt vectors (hw_irq.c), the TX engine
 * (hw_tx.c) and its offloads (hw_offload.c), the RX engine and the far ends
 * of the wire (hw_rx.c), fault injection (hw_fault.c). The driver reaches
 * the device only through vnet_hw.h; main.c creates and cables devices
 * through vnet_board.h.
 */

/* The parser's hash types and key are the datasheet's. */
static_assert(VNET_HW_RSS_KEY_LEN == VNET_RSS_KEY_LEN);
static_assert(VNET_RXD_HASH_NONE == VNET_HASH_NONE);
static_assert(VNET_RXD_HASH_L3 == VNET_HASH_L3);
static_assert(VNET_RXD_HASH_L4 == VNET_HASH_L4);

static u64 vnet_hw_ring_base(const struct vnet_hw_ring *ring)
{
	return (u64)ring->base_hi << 32 | ring->base_lo;
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
bool vnet_hw_link_up(const struct vnet_hw *hw)
{
	return vnet_hw_mac_on(hw) && (!hw->peer || vnet_hw_mac_on(hw->peer));
}

/*
 * Ring configuration is latched when the ring is enabled: later writes to
 * BASE/LEN/HEAD cannot move a ring under a running engine. The engine
 * starts at HEAD with nothing to do (tail = head) until a doorbell.
 */
void vnet_hw_ring_ctrl(struct vnet_hw *hw, struct vnet_hw_ring *ring, u32 val)
{
	bool enable = val & VNET_RING_CTRL_ENABLE;

	if (enable && (!vnet_ring_size_valid(ring->len, VNET_HW_RING_MIN_SIZE,
					     VNET_HW_RING_MAX_SIZE) ||
		       !vnet_hw_ring_base(ring))) {
		pr_warn_ratelimited("%s: bad ring config, not enabled\n",
				    hw->name);
		enable = false;
	}
	ring->dma = vnet_hw_ring_base(ring);
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

static u32 vnet_hw_ring_rd(const struct vnet_hw_ring *ring, u32 off)
{
	switch (off) {
	case VNET_RING_BASE_LO:
		return ring->base_lo;
	case VNET_RING_BASE_HI:
		return ring->base_hi;
	case VNET_RING_LEN:
		return ring->len;
	case VNET_RING_TAIL:
		return READ_ONCE(ring->tail);
	case VNET_RING_HEAD:
		return READ_ONCE(ring->head);
	case VNET_RING_CTRL:
		return READ_ONCE(ring->enabled) * VNET_RING_CTRL_ENABLE;
	}
	return 0;
}

static u32 vnet_hw_q_rd32(struct vnet_hw_queue *q, u32 off)
{
	switch (off) {
	case VNET_QREG_TX_BASE_LO ... VNET_QREG_TX_CTRL:
		return vnet_hw_ring_rd(&q->txq.ring, off - VNET_QREG_TX_RING);
	case VNET_QREG_RX_BASE_LO ... VNET_QREG_RX_CTRL:
		return vnet_hw_ring_rd(&q->rxq.ring, off - VNET_QREG_RX_RING);
	case VNET_QREG_ICR:
		return atomic_xchg(&q->vec.icr, 0);
	case VNET_QREG_ITR:
		return READ_ONCE(q->vec.itr);
	case VNET_QREG_ITR_FRAMES:
		return READ_ONCE(q->vec.itr_frames);
	}
	return 0;
}

/* RSS registers: @reg is within the fields or a context's block. */
static u32 vnet_hw_rss_rd32(struct vnet_hw *hw, u32 reg)
{
	struct vnet_hw_rss_ctx *ctx;
	u32 off;

	if (reg < VNET_REG_RSS_CTX(0, 0))
		return READ_ONCE(hw->rss_fields[(reg - VNET_REG_RSS_FIELDS(0)) /
						4]);
	ctx = &hw->rss[(reg - VNET_REG_RSS_CTX(0, 0)) / 0x100];
	off = (reg - VNET_REG_RSS_CTX(0, 0)) % 0x100;
	switch (off) {
	case VNET_RSS_CTX_KEY(0) ... VNET_RSS_CTX_KEY(VNET_RSS_KEY_REGS) - 1:
		return get_unaligned_le32(&ctx->key[off & ~3]);
	case VNET_RSS_CTX_CTRL:
		/* Context 0 is always on. */
		return READ_ONCE(ctx->ctrl) |
		       (ctx == hw->rss ? VNET_RSS_CTX_EN : 0);
	case VNET_RSS_CTX_RETA(0) ... VNET_RSS_CTX_RETA(VNET_RSS_RETA_REGS) - 1:
		return get_unaligned_le32(&ctx->reta[(off & ~3) -
						     VNET_RSS_CTX_RETA(0)]);
	}
	return 0;
}

static void vnet_hw_rss_wr32(struct vnet_hw *hw, u32 reg, u32 val)
{
	struct vnet_hw_rss_ctx *ctx;
	u32 off;

	if (reg < VNET_REG_RSS_CTX(0, 0)) {
		WRITE_ONCE(hw->rss_fields[(reg - VNET_REG_RSS_FIELDS(0)) / 4],
			   val & VNET_RSS_F_MASK);
		return;
	}
	ctx = &hw->rss[(reg - VNET_REG_RSS_CTX(0, 0)) / 0x100];
	off = (reg - VNET_REG_RSS_CTX(0, 0)) % 0x100;
	switch (off) {
	case VNET_RSS_CTX_KEY(0) ... VNET_RSS_CTX_KEY(VNET_RSS_KEY_REGS) - 1:
		put_unaligned_le32(val, &ctx->key[off & ~3]);
		break;
	case VNET_RSS_CTX_CTRL:
		WRITE_ONCE(ctx->ctrl, val & (VNET_RSS_CTX_EN |
					     VNET_RSS_CTX_SYM_XOR |
					     VNET_RSS_CTX_SYM_OR_XOR));
		break;
	case VNET_RSS_CTX_RETA(0) ... VNET_RSS_CTX_RETA(VNET_RSS_RETA_REGS) - 1:
		/* Each entry keeps the bits that can name a queue. */
		val &= 0x01010101 * VNET_RSS_RETA_ENTRY_MASK;
		put_unaligned_le32(val, &ctx->reta[(off & ~3) -
						   VNET_RSS_CTX_RETA(0)]);
		break;
	}
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
	case VNET_REG_MAX_FRAME:
		return READ_ONCE(hw->max_frame);
	case VNET_REG_RSC_USECS:
		return READ_ONCE(hw->rsc_usecs);
	case VNET_REG_FLT_SRC(0) ... VNET_REG_FLT_HITS_HI:
		return vnet_hw_flt_rd32(hw, reg);
	case VNET_REG_RSS_FIELDS(0) ... VNET_REG_RSS_FIELDS_END - 1:
	case VNET_REG_RSS_CTX(0, 0) ... VNET_REG_RSS_END - 1:
		return vnet_hw_rss_rd32(hw, reg);
	}
	if (q)
		return vnet_hw_q_rd32(q, FIELD_GET(VNET_REG_Q_OFF_MASK, reg));
	return 0;
}

/* Where each statistics register's counter lives, and its writer's sync. */
struct vnet_hw_stat_loc {
	u16 ctr;
	u16 syncp;
};

#define VNET_HW_STAT_AT(ctr_off, syncp_off) {				\
	.ctr = (ctr_off),						\
	.syncp = (syncp_off),						\
}

#define VNET_HW_TXQ_STAT(field)						\
	VNET_HW_STAT_AT(offsetof(struct vnet_hw_queue, txq.field),	\
			offsetof(struct vnet_hw_queue, txq.syncp))
#define VNET_HW_RXQ_STAT(field)						\
	VNET_HW_STAT_AT(offsetof(struct vnet_hw_queue, rxq.field),	\
			offsetof(struct vnet_hw_queue, rxq.syncp))
#define VNET_HW_VEC_STAT(field)						\
	VNET_HW_STAT_AT(offsetof(struct vnet_hw_queue, vec.field),	\
			offsetof(struct vnet_hw_queue, vec.syncp))

static const struct vnet_hw_stat_loc vnet_hw_stat_locs[] = {
	[VNET_HW_STAT_IRQS]		= VNET_HW_VEC_STAT(irqs),
	[VNET_HW_STAT_TX_ERRORS]	= VNET_HW_TXQ_STAT(errors),
	[VNET_HW_STAT_RX_MISSED]	= VNET_HW_RXQ_STAT(missed),
	[VNET_HW_STAT_RX_OVERSIZE]	= VNET_HW_RXQ_STAT(oversize),
	[VNET_HW_STAT_TX_NO_LINK]	= VNET_HW_TXQ_STAT(no_link),
	[VNET_HW_STAT_TX_TSO_SEGS]	= VNET_HW_TXQ_STAT(tso_segs),
	[VNET_HW_STAT_FAULT_DROPS]	= VNET_HW_TXQ_STAT(fault_drops),
	[VNET_HW_STAT_FAULT_CORRUPTS]	= VNET_HW_TXQ_STAT(fault_corrupts),
	[VNET_HW_STAT_FAULT_LOST_IRQS]	= VNET_HW_VEC_STAT(fault_lost_irqs),
	[VNET_HW_STAT_FAULT_TX_HANGS]	= VNET_HW_TXQ_STAT(fault_tx_hangs),
	[VNET_HW_STAT_FAULT_DELAYS]	= VNET_HW_VEC_STAT(fault_delays),
};

static_assert(ARRAY_SIZE(vnet_hw_stat_locs) == VNET_HW_NR_STATS);
static_assert(sizeof(struct vnet_hw_queue) <= U16_MAX);

u64 vnet_hw_stat_read(struct vnet_hw_queue *q, enum vnet_hw_stat n)
{
	const struct vnet_hw_stat_loc *loc = &vnet_hw_stat_locs[n];
	const struct u64_stats_sync *syncp = (void *)q + loc->syncp;
	const u64_stats_t *ctr = (void *)q + loc->ctr;
	unsigned int start;
	u64 val;

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
	u32 n = (off - VNET_QREG_STAT(0)) / 8;

	if (!q || off < VNET_QREG_STAT(0) || (off - VNET_QREG_STAT(0)) % 8 ||
	    n >= VNET_HW_NR_STATS)
		return 0;
	return vnet_hw_stat_read(q, n);
}

static void vnet_hw_ring_wr(struct vnet_hw *hw, struct vnet_hw_ring *ring,
			    spinlock_t *lock, u32 off, u32 val)
{
	switch (off) {
	case VNET_RING_BASE_LO:
		ring->base_lo = val;
		break;
	case VNET_RING_BASE_HI:
		ring->base_hi = val;
		break;
	case VNET_RING_LEN:
		ring->len = val;
		break;
	case VNET_RING_HEAD:
		spin_lock_bh(lock);
		if (!ring->enabled)
			ring->head = val;
		spin_unlock_bh(lock);
		break;
	case VNET_RING_CTRL:
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
		vnet_hw_rx_doorbell(q, val);
		return;
	}

	switch (off) {
	case VNET_QREG_TX_CTRL:
		vnet_hw_txq_ctrl(hw, &q->txq, val);
		break;
	case VNET_QREG_TX_BASE_LO ... VNET_QREG_TX_HEAD:
		vnet_hw_ring_wr(hw, &q->txq.ring, &q->txq.lock,
				off - VNET_QREG_TX_RING, val);
		break;
	case VNET_QREG_RX_CTRL:
		vnet_hw_rxq_ctrl(hw, q, val);
		break;
	case VNET_QREG_RX_BASE_LO ... VNET_QREG_RX_CTRL - 1:
		vnet_hw_ring_wr(hw, &q->rxq.ring, &q->rxq.lock,
				off - VNET_QREG_RX_RING, val);
		break;
	case VNET_QREG_IMS:
		vnet_hw_irq_unmask(&q->vec);
		break;
	case VNET_QREG_IMC:
		vnet_hw_irq_mask(&q->vec);
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
				 VNET_CTRL_RX_HASH | VNET_CTRL_FLT_EN | \
				 VNET_CTRL_RX_RSC)

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
	case VNET_REG_MAX_FRAME:
		WRITE_ONCE(hw->max_frame, min_t(u32, val & VNET_MAX_FRAME_MASK,
						VNET_HW_MAX_FRAME));
		return;
	case VNET_REG_RSC_USECS:
		WRITE_ONCE(hw->rsc_usecs, val & VNET_RSC_USECS_MASK);
		return;
	case VNET_REG_FLT_SRC(0) ... VNET_REG_FLT_HITS_HI:
		vnet_hw_flt_wr32(hw, reg, val);
		return;
	case VNET_REG_RSS_FIELDS(0) ... VNET_REG_RSS_FIELDS_END - 1:
	case VNET_REG_RSS_CTX(0, 0) ... VNET_REG_RSS_END - 1:
		vnet_hw_rss_wr32(hw, reg, val);
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

struct device *vnet_hw_dma_dev(struct vnet_hw *hw)
{
	return &hw->pdev->dev;
}

/*
 * The device on the "bus": a platform device of the same name, with no
 * IOMMU in front of it, whose DMA mask takes any page (no bounce buffers).
 */
static int vnet_hw_bus_add(struct vnet_hw *hw, unsigned int port)
{
	hw->pdev = platform_device_register_simple("vnethw", port, NULL, 0);
	if (IS_ERR(hw->pdev))
		return PTR_ERR(hw->pdev);
	return dma_coerce_mask_and_coherent(&hw->pdev->dev, DMA_BIT_MASK(64));
}

static int vnet_hw_queue_init(struct vnet_hw *hw, struct vnet_hw_queue *q,
			      int idx)
{
	int err;

	q->hw = hw;
	u64_stats_init(&q->partner.syncp);
	vnet_hw_vec_init(&q->vec, idx);
	err = vnet_hw_rxq_init(&q->rxq);
	if (err)
		return err;
	err = vnet_hw_txq_init(&q->txq);
	if (err)
		vnet_hw_rxq_free(&q->rxq);
	return err;
}

static void vnet_hw_queue_free(struct vnet_hw_queue *q)
{
	vnet_hw_txq_free(&q->txq);
	vnet_hw_rxq_free(&q->rxq);
}

struct vnet_hw *vnet_hw_create(unsigned int port)
{
	struct vnet_hw *hw;
	int i;

	hw = kzalloc(sizeof(*hw), GFP_KERNEL);
	if (!hw)
		return NULL;

	snprintf(hw->name, sizeof(hw->name), "vnethw.%u", port);
	if (vnet_hw_bus_add(hw, port))
		goto err_bus_del;
	/* The "EEPROM" MAC: locally administered, unique per load. */
	eth_random_addr(hw->mac);
	hw->max_frame = VNET_MAX_FRAME_RESET;
	hw->rsc_usecs = VNET_RSC_USECS_RESET;
	vnet_hw_flt_init(hw);
	/* Reset values: TCP and UDP hash 4-tuples, the rest addresses. */
	for (i = 0; i < VNET_RSS_NR_FLOWS; i++)
		hw->rss_fields[i] = VNET_RSS_F_IP_SRC | VNET_RSS_F_IP_DST;
	for (i = 0; i < VNET_RSS_NR_FLOWS; i++)
		if (i != VNET_RSS_FLOW_IP4 && i != VNET_RSS_FLOW_IP6)
			hw->rss_fields[i] |= VNET_RSS_F_L4_SRC |
					     VNET_RSS_F_L4_DST;

	for (i = 0; i < VNET_HW_MAX_QUEUES; i++)
		if (vnet_hw_queue_init(hw, &hw->q[i], i))
			goto err_free_queues;
	if (vnet_hw_irq_domain_add(hw))
		goto err_free_queues;
	vnet_hw_debugfs_add(hw);
	return hw;

err_free_queues:
	while (i--)
		vnet_hw_queue_free(&hw->q[i]);
err_bus_del:
	if (!IS_ERR_OR_NULL(hw->pdev))
		platform_device_unregister(hw->pdev);
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

	vnet_hw_debugfs_del(hw);
	if (hw->peer)
		hw->peer->peer = NULL;
	for (i = 0; i < VNET_HW_MAX_QUEUES; i++) {
		/* Deferred work that can raise the vector goes first. */
		vnet_hw_txq_stop(&hw->q[i].txq);
		vnet_hw_rxq_stop(&hw->q[i].rxq);
		vnet_hw_vec_stop(&hw->q[i].vec);
		vnet_hw_queue_free(&hw->q[i]);
	}
	vnet_hw_irq_domain_remove(hw);
	platform_device_unregister(hw->pdev);
	kfree(hw);
}
