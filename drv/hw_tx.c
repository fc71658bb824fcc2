// SPDX-License-Identifier: GPL-2.0
/* vnet emulated device: the TX engine (doorbell, gather, frame check). */
#include <linux/hrtimer.h>
#include <linux/in.h>
#include <linux/slab.h>

#include "hw_emul.h"
#include "vnet_compat.h"
#include "vnet_ring.h"

/*
 * A doorbell write runs the engine synchronously in the writer's context
 * (bottom halves disabled); written with interrupts off (netpoll), it is
 * served from a softirq instead. The engine then puts each frame on the
 * wire: to the peer port's RX engine or to the link partner.
 */

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
		vnet_hw_stat_add(&txq->syncp, &txq->no_link, f->nsegs);
		return true;
	}
	if (f->cmd & VNET_TXD_TSO)
		vnet_hw_stat_add(&txq->syncp, &txq->tso_segs, f->nsegs);

	/* Injected: the frame (all its segments) never reaches the far end. */
	if (vnet_hw_fault_drop(q, f->nsegs))
		return true;

	if (hw->peer)
		vnet_hw_pair_deliver(q, hw->peer, f);
	else
		vnet_hw_reflect_frame(q);
	return true;
}

/*
 * Gather the frame whose first descriptor is at @head, up to @tail, into
 * txq->frm. Returns false if the driver has not posted its EOP descriptor
 * yet. Otherwise *@eop is the EOP slot, *@eop_cmd what it holds, and
 * *@too_long says whether the chain has more buffers than the device takes
 * (the chain is still walked to its end, so that its slots can be handed
 * back).
 */
static bool vnet_hw_tx_gather(struct vnet_hw_txq *txq, u32 head, u32 tail,
			      u32 *eop, u64 *eop_cmd, bool *too_long)
{
	struct vnet_hw_ring *ring = &txq->ring;
	struct vnet_hw_frame *f = &txq->frm;
	u32 idx = head;
	u64 cmd;

	f->len = 0;
	f->nbufs = 0;
	*too_long = false;
	do {
		struct vnet_tx_desc *desc = vnet_hw_txd(ring, idx);
		u32 blen;

		*eop = idx;
		idx = vnet_ring_next(idx, ring->size);
		cmd = le64_to_cpu(READ_ONCE(desc->cmd));
		if (*eop == head)
			f->cmd = cmd;
		if (f->nbufs == VNET_HW_MAX_TX_BUFS) {
			*too_long = true;
			continue;
		}
		blen = FIELD_GET(VNET_TXD_LEN_MASK, cmd);
		f->buf[f->nbufs].addr =
			vnet_hw_dma_addr(le64_to_cpu(READ_ONCE(desc->addr)));
		f->buf[f->nbufs].len = blen;
		f->nbufs++;
		f->len += blen;
	} while (!(cmd & VNET_TXD_EOP) && idx != tail);

	*eop_cmd = cmd;
	return cmd & VNET_TXD_EOP;
}

/*
 * Move every complete frame between head and tail onto the wire and mark
 * its EOP descriptor done. Called with txq->lock held.
 */
static void vnet_hw_tx_process(struct vnet_hw_queue *q)
{
	struct vnet_hw_txq *txq = &q->txq;
	struct vnet_hw_ring *ring = &txq->ring;
	u32 head = ring->head, tail = ring->tail;
	u32 done = 0, errors = 0;

	while (head != tail) {
		bool too_long;
		u64 cmd;
		u32 eop;

		if (!vnet_hw_tx_gather(txq, head, tail, &eop, &cmd, &too_long))
			break;
		if (too_long || !vnet_hw_tx_frame(q))
			errors++;

		/* Buffers are no longer read: hand the slots back. */
		smp_store_release(&vnet_hw_txd(ring, eop)->cmd,
				  cpu_to_le64(cmd | VNET_TXD_DD));
		head = vnet_ring_next(eop, ring->size);
		done++;
	}

	WRITE_ONCE(ring->head, head);
	if (errors)
		vnet_hw_stat_add(&txq->syncp, &txq->errors, errors);
	if (done)
		vnet_hw_irq_raise(&q->vec, VNET_ICR_TX, done);
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
		if (!txq->ring.hung && vnet_hw_fault_tx_hang(q))
			txq->ring.hung = true;
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

/* TX_TAIL */
void vnet_hw_tx_doorbell(struct vnet_hw_queue *q, u32 tail)
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
 * TX_CTRL: as for RX, and a deferred doorbell must not reach the ring once
 * it is reset, nor a stale one after it is enabled again.
 */
void vnet_hw_txq_ctrl(struct vnet_hw *hw, struct vnet_hw_txq *txq, u32 val)
{
	hrtimer_cancel(&txq->kick);
	spin_lock_bh(&txq->lock);
	vnet_hw_ring_ctrl(hw, &txq->ring, val);
	txq->doorbell = txq->ring.tail;
	spin_unlock_bh(&txq->lock);
}

int vnet_hw_txq_init(struct vnet_hw_txq *txq)
{
	txq->bounce = kmalloc(VNET_HW_MAX_FRAME, GFP_KERNEL);
	if (!txq->bounce)
		return -ENOMEM;
	spin_lock_init(&txq->lock);
	u64_stats_init(&txq->syncp);
	hrtimer_setup(&txq->kick, vnet_hw_tx_kick, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL_SOFT);
	return 0;
}

/* Device teardown: a deferred doorbell can raise the vector, so first. */
void vnet_hw_txq_stop(struct vnet_hw_txq *txq)
{
	hrtimer_cancel(&txq->kick);
}

void vnet_hw_txq_free(struct vnet_hw_txq *txq)
{
	kfree(txq->bounce);
}
