// SPDX-License-Identifier: GPL-2.0
/*
 * vnet datapath: descriptor rings, ndo_start_xmit, and NAPI: its lifetime
 * and its poll (TX completion, then RX up to budget).
 */
#include <linux/bpf_trace.h>
#include <linux/etherdevice.h>
#include <linux/filter.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <net/gro.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <net/netdev_queues.h>
#include <net/tcp.h>

#include "vnet.h"
#include "vnet_compat.h"
#include "vnet_trace.h"

static u32 vnet_tx_unused(const struct vnet_ring *tx)
{
	/* Both indices are re-read: the stop/wake macros need fresh values. */
	return vnet_ring_unused(READ_ONCE(tx->next_to_clean),
				READ_ONCE(tx->next_to_use), tx->size);
}

/* Rings */

static void vnet_rx_post(struct vnet_ring *rx, u32 idx, struct page *page)
{
	struct vnet_rx_desc *desc = &rx->rx_desc[idx];

	rx->rx_buf[idx].page = page;
	desc->addr = cpu_to_le64((uintptr_t)page_address(page) +
				 rx->headroom);
	desc->cmd = cpu_to_le64(FIELD_PREP(VNET_RXD_BUF_LEN_MASK,
					   rx->buf_len));
}

/*
 * Hand every posted buffer back to the device as new, before a ring is
 * (re-)enabled: a ring brought back up after a failed reconfiguration may
 * hold frames written back but never polled, which are dropped.
 */
void vnet_rx_rearm(struct vnet_ring *rx)
{
	u32 i;

	if (rx->xsk_pool)
		return vnet_xsk_rx_rearm(rx);
	for (i = rx->next_to_clean; i != rx->next_to_use;
	     i = vnet_ring_next(i, rx->size))
		vnet_rx_post(rx, i, rx->rx_buf[i].page);
}

/*
 * Post buffers in every free slot and return how many were posted.
 * @napi: called from the ring's NAPI poll (atomic), else process context.
 * Pages the stack has freed come back through the pool without being
 * cleared again, unlike fresh ones (init_on_alloc).
 */
static u32 vnet_rx_fill(struct vnet_ring *rx, bool napi, u64 *alloc_fail)
{
	u32 ntu = rx->next_to_use, posted = 0;

	while (vnet_ring_unused(rx->next_to_clean, ntu, rx->size)) {
		struct page *page;

		if (napi)
			page = page_pool_dev_alloc_pages(rx->pp);
		else
			page = page_pool_alloc_pages(rx->pp, GFP_KERNEL);
		if (unlikely(!page)) {
			(*alloc_fail)++;
			break;
		}
		vnet_rx_post(rx, ntu, page);
		ntu = vnet_ring_next(ntu, rx->size);
		posted++;
	}
	rx->next_to_use = ntu;
	return posted;
}

/*
 * A TX slot's frame is done with. @budget: NAPI's (0 outside NAPI), which
 * also says whether XDP_TX pages may go straight to the RX pool's cache:
 * only in the NAPI that owns the pool.
 */
static void vnet_tx_buf_free(struct vnet_ring *tx, struct vnet_tx_buf *buf,
			     int budget)
{
	if (!buf->skb)		/* a later slot of its frame */
		return;
	switch (buf->type) {
	case VNET_TX_SKB:
		napi_consume_skb(buf->skb, budget);
		break;
	case VNET_TX_XDP_TX:
		page_pool_put_full_page(tx->pp, buf->page, budget != 0);
		break;
	case VNET_TX_XDP_FRAME:
		xdp_return_frame(buf->xdpf);
		break;
	case VNET_TX_XSK:
		/* The pool's completion ring hears of it after the reap. */
		tx->xsk_done++;
		break;
	}
	buf->skb = NULL;
}

/* The frame whose first slot is @first: XDP_TX gave each slot a page. */
static void vnet_tx_frame_free(struct vnet_ring *tx, u32 first, int budget)
{
	struct vnet_tx_buf *buf = &tx->tx_buf[first];
	u32 idx = first, i;

	if (unlikely(buf->type == VNET_TX_XDP_TX)) {
		for (i = 1; i < buf->ndesc; i++) {
			idx = vnet_ring_next(idx, tx->size);
			vnet_tx_buf_free(tx, &tx->tx_buf[idx], budget);
		}
	}
	vnet_tx_buf_free(tx, buf, budget);
}

static void vnet_tx_ring_free(struct vnet_ring *tx)
{
	u32 i;

	/* Frames never reaped: the device has let go of them already. */
	for (i = 0; tx->tx_buf && i < tx->size; i++) {
		struct vnet_tx_buf *buf = &tx->tx_buf[i];

		if (!buf->skb)
			continue;
		if (buf->type == VNET_TX_SKB)
			dev_kfree_skb_any(buf->skb);
		else
			vnet_tx_buf_free(tx, buf, 0);
	}
	if (tx->xsk_pool)
		vnet_xsk_tx_completed(tx);
	kvfree(tx->tx_buf);
	kvfree(tx->tx_desc);
}

/* The fragments of @xdp, if it has any; else NULL. */
static struct skb_shared_info *vnet_xdp_frags(struct xdp_buff *xdp)
{
	return unlikely(xdp_buff_has_frags(xdp)) ?
		xdp_get_shared_info_from_buff(xdp) : NULL;
}

/*
 * The pages of a frame nothing took go back to the pool: to its NAPI
 * cache from the ring's poll (@napi), else to the pool itself.
 */
static void vnet_xdp_recycle(struct vnet_ring *rx, struct xdp_buff *xdp,
			     bool napi)
{
	struct skb_shared_info *sinfo = vnet_xdp_frags(xdp);
	u32 f;

	for (f = 0; sinfo && f < sinfo->nr_frags; f++)
		page_pool_put_full_page(rx->pp,
					skb_frag_page(&sinfo->frags[f]), napi);
	page_pool_put_full_page(rx->pp, virt_to_page(xdp->data_hard_start),
				napi);
}

/* A frame gathered for XDP whose end will not be polled: its pages go. */
static void vnet_xdp_discard(struct vnet_ring *rx, bool napi)
{
	if (rx->xdp_open)
		vnet_xdp_recycle(rx, &rx->xdp_mb.xdp, napi);
	rx->xdp_open = false;
}

static void vnet_rx_ring_free(struct vnet_ring *rx)
{
	u32 i;

	if (rx->xsk_pool)
		vnet_xsk_rx_ring_free(rx);
	for (i = 0; rx->pp && rx->rx_buf && i < rx->size; i++)
		if (rx->rx_buf[i].page)
			page_pool_put_full_page(rx->pp, rx->rx_buf[i].page,
						false);
	/* vnet_queue_reap() has dropped a partial frame; this is the net. */
	dev_kfree_skb_any(rx->skb);
	vnet_xdp_discard(rx, false);
	/* Drops its hold on the pool (the memory model's) first. */
	if (xdp_rxq_info_is_reg(&rx->xdp_rxq))
		xdp_rxq_info_unreg(&rx->xdp_rxq);
	/*
	 * Pages still held by skbs or redirected frames return to the pool
	 * as they are freed.
	 */
	if (rx->pp)
		page_pool_destroy(rx->pp);
	kvfree(rx->rx_buf);
	kvfree(rx->rx_desc);
}

void vnet_rings_free(struct vnet_rings *rings)
{
	u32 q;

	if (!rings)
		return;
	for (q = 0; q < rings->cfg.num_queues; q++) {
		vnet_tx_ring_free(&rings->tx[q]);
		/* Its XDP_TX pages go back to the RX ring's pool: first. */
		if (rings->cfg.xdp)
			vnet_tx_ring_free(&rings->xdp_tx[q]);
		vnet_rx_ring_free(&rings->rx[q]);
	}
	kfree(rings);
}

static int vnet_tx_ring_alloc(struct vnet_ring *tx, u32 size)
{
	tx->size = size;
	tx->tx_desc = kvcalloc(size, sizeof(*tx->tx_desc), GFP_KERNEL);
	tx->tx_buf = kvcalloc(size, sizeof(*tx->tx_buf), GFP_KERNEL);
	if (!tx->tx_desc || !tx->tx_buf)
		return -ENOMEM;
	tx->dma = (uintptr_t)tx->tx_desc;
	return 0;
}

/*
 * An XDP TX ring takes XDP_TX pages of queue @q's RX ring, which it hands
 * back to that ring's pool, and is queue pair @nq + @q's TX ring in the
 * device.
 */
static int vnet_xdp_tx_ring_alloc(struct vnet_rings *rings, u32 q)
{
	struct vnet_ring *tx = &rings->xdp_tx[q];
	int err;

	err = vnet_tx_ring_alloc(tx, rings->cfg.tx_size);
	if (err)
		return err;
	spin_lock_init(&tx->xdp_lock);
	tx->hwq = rings->cfg.num_queues + q;
	tx->pp = rings->rx[q].pp;
	tx->xsk_pool = rings->rx[q].xsk_pool;
	return 0;
}

/* XDP's view of an RX ring: the queue's, and its pool for XDP_TX/redirect */
static int vnet_rx_ring_xdp_reg(struct net_device *netdev,
				struct vnet_ring *rx, u32 q)
{
	int err;

	/* A fragment may grow to its page's end (bpf_xdp_adjust_tail). */
	err = __xdp_rxq_info_reg(&rx->xdp_rxq, netdev, q, 0, PAGE_SIZE);
	if (err)
		return err;
	err = xdp_rxq_info_reg_mem_model(&rx->xdp_rxq, MEM_TYPE_PAGE_POOL,
					 rx->pp);
	if (err) {
		xdp_rxq_info_unreg(&rx->xdp_rxq);
		return err;
	}
	rx->xdp = true;
	return 0;
}

/*
 * An RX ring comes with a page pool and a buffer posted in every slot;
 * @buf_len must leave a page room for headroom and shared info. With
 * @xdp, the headroom is XDP's and the ring is registered with XDP as
 * queue @q.
 */
static int vnet_rx_ring_alloc(struct net_device *netdev, struct vnet_ring *rx,
			      u32 q, u32 size, u32 buf_len, bool xdp)
{
	struct page_pool_params pp_params = {
		.pool_size = size,
		.nid = NUMA_NO_NODE,
		/*
		 * XDP_TX sends the page it received in. Nothing maps pages
		 * in the emulation (no IOMMU, no PP_FLAG_DMA_MAP), but this
		 * is the direction the mapping would need.
		 */
		.dma_dir = xdp ? DMA_BIDIRECTIONAL : DMA_FROM_DEVICE,
	};
	u64 alloc_fail = 0;
	int err;

	/* One buffer per page: longer frames span buffers. */
	vnet_compat_pp_netdev(&pp_params, netdev);
	rx->size = size;
	rx->buf_len = buf_len;
	rx->headroom = xdp ? VNET_XDP_HEADROOM : VNET_RX_HEADROOM;
	rx->rx_desc = kvcalloc(size, sizeof(*rx->rx_desc), GFP_KERNEL);
	rx->rx_buf = kvcalloc(size, sizeof(*rx->rx_buf), GFP_KERNEL);
	if (!rx->rx_desc || !rx->rx_buf)
		return -ENOMEM;
	rx->dma = (uintptr_t)rx->rx_desc;

	rx->pp = page_pool_create(&pp_params);
	if (IS_ERR(rx->pp)) {
		err = PTR_ERR(rx->pp);
		rx->pp = NULL;
		return err;
	}
	if (xdp) {
		err = vnet_rx_ring_xdp_reg(netdev, rx, q);
		if (err)
			return err;
	}

	/* A ring short of buffers is a failed open, not a slow one. */
	vnet_rx_fill(rx, false, &alloc_fail);
	return alloc_fail ? -ENOMEM : 0;
}

/*
 * Allocate everything a configuration needs, so that swapping it in later
 * cannot fail. Runs with the old rings still live.
 */
struct vnet_rings *vnet_rings_alloc(struct vnet_priv *priv,
				    const struct vnet_ring_cfg *cfg)
{
	struct vnet_rings *rings;
	u32 q;
	int err;

	rings = kzalloc(sizeof(*rings), GFP_KERNEL);
	if (!rings)
		return ERR_PTR(-ENOMEM);
	rings->cfg = *cfg;

	for (q = 0; q < cfg->num_queues; q++) {
		struct xsk_buff_pool *pool = vnet_xsk_pool(priv, cfg, q);

		err = vnet_tx_ring_alloc(&rings->tx[q], cfg->tx_size);
		if (err)
			goto err_free_rings;
		if (pool)
			err = vnet_xsk_rx_ring_init(priv->netdev, &rings->rx[q],
						    q, cfg->rx_size, pool);
		else
			err = vnet_rx_ring_alloc(priv->netdev, &rings->rx[q],
						 q, cfg->rx_size,
						 cfg->rx_buf_len, cfg->xdp);
		if (err)
			goto err_free_rings;
		if (cfg->xdp) {
			err = vnet_xdp_tx_ring_alloc(rings, q);
			if (err)
				goto err_free_rings;
		}
	}
	return rings;

err_free_rings:
	vnet_rings_free(rings);
	return ERR_PTR(err);
}

/* Transmit */

static void vnet_tx_desc_set(struct vnet_ring *tx, u32 idx, const void *addr,
			     u32 len, u64 flags)
{
	struct vnet_tx_desc *desc = &tx->tx_desc[idx];

	desc->addr = cpu_to_le64((uintptr_t)addr);
	desc->cmd = cpu_to_le64(FIELD_PREP(VNET_TXD_LEN_MASK, len) | flags);
}

/*
 * Offload flags for a frame's first descriptor: checksum insertion, and
 * segmentation for GSO skbs (vnet_features_check() has made sure the device
 * can do it). -1 if software must compute the checksum.
 */
static s64 vnet_tx_offload_flags(struct sk_buff *skb)
{
	u32 start, off;
	u64 flags;

	if (skb->ip_summed != CHECKSUM_PARTIAL)
		return 0;

	start = skb_checksum_start_offset(skb);
	off = skb->csum_offset;
	if (start > FIELD_MAX(VNET_TXD_CSUM_START_MASK) ||
	    off > FIELD_MAX(VNET_TXD_CSUM_OFF_MASK))
		return -1;

	flags = VNET_TXD_CSUM | FIELD_PREP(VNET_TXD_CSUM_START_MASK, start) |
		FIELD_PREP(VNET_TXD_CSUM_OFF_MASK, off);
	if (skb_is_gso(skb))
		flags |= VNET_TXD_TSO |
			 FIELD_PREP(VNET_TXD_MSS_MASK,
				    skb_shinfo(skb)->gso_size);
	return flags;
}

/*
 * What the device cannot offload for this skb goes back to software: TSO
 * needs plain TCP whose headers and MSS fit the descriptor fields.
 */
netdev_features_t vnet_features_check(struct sk_buff *skb,
				      struct net_device *dev,
				      netdev_features_t features)
{
	u32 start, tag;

	/* The device parses one VLAN tag, not stacked ones. */
	features = vlan_features_check(skb, features);
	if (skb->ip_summed != CHECKSUM_PARTIAL)
		return features;

	/*
	 * A tag still in skb metadata goes into the frame after this check
	 * (the device does not insert tags): offsets grow by its length.
	 */
	tag = skb_vlan_tag_present(skb) ? VLAN_HLEN : 0;
	start = skb_checksum_start_offset(skb) + tag;
	if (start > FIELD_MAX(VNET_TXD_CSUM_START_MASK) ||
	    skb->csum_offset > FIELD_MAX(VNET_TXD_CSUM_OFF_MASK))
		return features & ~(NETIF_F_CSUM_MASK | NETIF_F_GSO_MASK);

	if (skb_is_gso(skb) &&
	    (!(skb_shinfo(skb)->gso_type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)) ||
	     skb_shinfo(skb)->gso_size > FIELD_MAX(VNET_TXD_MSS_MASK) ||
	     skb_tcp_all_headers(skb) + tag > VNET_HW_MAX_TSO_HDR))
		return features & ~NETIF_F_GSO_MASK;

	return features;
}

/*
 * Drop an skb xmit cannot send. The descriptors of an xmit_more batch
 * before it are posted but not yet announced: if this was the batch's last
 * skb, ring the doorbell for them, or they wait for the next transmit.
 */
static netdev_tx_t vnet_tx_drop(struct vnet_q_vector *qv, struct sk_buff *skb)
{
	struct vnet_ring *tx = qv->tx;

	vnet_qstats_xmit_inc(&qv->stats, VNET_QS_TX_DROPPED);
	dev_kfree_skb_any(skb);
	if (tx && !netdev_xmit_more())
		vnet_wr32(qv->priv, VNET_REG_Q(qv->idx, VNET_QREG_TX_TAIL),
			  tx->next_to_use);
	return NETDEV_TX_OK;
}

/* Room for @needed descriptors, or the queue stopped (false). */
static bool vnet_tx_room(struct vnet_q_vector *qv, struct netdev_queue *txq,
			 u32 needed)
{
	struct vnet_ring *tx = qv->tx;

	if (likely(vnet_tx_unused(tx) >= needed))
		return true;
	/* The stop after the previous frame should prevent this. */
	vnet_qstats_xmit_inc(&qv->stats, VNET_QS_TX_BUSY);
	/*
	 * Re-check after stopping, or nothing might ever wake us: 0 means
	 * stopped, -1 that room appeared meanwhile and the queue runs again.
	 */
	return netif_txq_try_stop(txq, vnet_tx_unused(tx), needed) != 0;
}

/* Post one descriptor per buffer of @skb; returns the last slot used. */
static u32 vnet_tx_map(struct vnet_ring *tx, struct sk_buff *skb, u64 flags)
{
	u32 nr_frags = skb_shinfo(skb)->nr_frags;
	u32 idx = tx->next_to_use, f;

	vnet_tx_desc_set(tx, idx, skb->data, skb_headlen(skb),
			 flags | (nr_frags ? 0 : VNET_TXD_EOP));
	for (f = 0; f < nr_frags; f++) {
		const skb_frag_t *frag = &skb_shinfo(skb)->frags[f];

		idx = vnet_ring_next(idx, tx->size);
		vnet_tx_desc_set(tx, idx, skb_frag_address(frag),
				 skb_frag_size(frag),
				 f == nr_frags - 1 ? VNET_TXD_EOP : 0);
	}
	return idx;
}

/*
 * Remember @skb in its first slot for completion. BQL and tx_bytes count
 * what the wire carries, every header copy of TSO included: returns that.
 */
static u32 vnet_tx_record(struct vnet_q_vector *qv, struct sk_buff *skb,
			  u32 first, u32 ndesc, u64 flags)
{
	struct vnet_tx_buf *buf = &qv->tx->tx_buf[first];
	u32 bytes = skb->len, segs = 1;

	if (flags & VNET_TXD_TSO) {
		segs = max_t(u32, skb_shinfo(skb)->gso_segs, 1);
		bytes += (segs - 1) * skb_tcp_all_headers(skb);
		vnet_qstats_xmit_inc(&qv->stats, VNET_QS_TX_TSO);
	}
	if (flags & VNET_TXD_CSUM)
		vnet_qstats_xmit_inc(&qv->stats, VNET_QS_TX_NEEDS_CSUM);
	buf->skb = skb;
	buf->type = VNET_TX_SKB;
	buf->bytes = bytes;
	buf->segs = segs;
	buf->ndesc = ndesc;
	return bytes;
}

/* Stop while the next skb might not fit; NAPI wakes with hysteresis. */
static void vnet_tx_maybe_stop(struct vnet_q_vector *qv,
			       struct netdev_queue *txq)
{
	struct vnet_ring *tx = qv->tx;

	if (netif_txq_maybe_stop(txq, vnet_tx_unused(tx), VNET_TX_DESC_NEEDED,
				 VNET_TX_WAKE_THRESH))
		return;
	vnet_qstats_xmit_inc(&qv->stats, VNET_QS_TX_STOPS);
	trace_vnet_tx_stop(qv->priv->netdev, qv->idx, vnet_tx_unused(tx));
}

netdev_tx_t vnet_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	u32 needed = skb_shinfo(skb)->nr_frags + 1;
	struct vnet_priv *priv = netdev_priv(dev);
	u16 qidx = skb_get_queue_mapping(skb);
	struct vnet_q_vector *qv = &priv->qv[qidx];
	struct vnet_ring *tx = qv->tx;
	struct netdev_queue *txq;
	u32 first, last, bytes;
	s64 flags;

	/*
	 * A queue ethtool -L has removed has no ring. Its skbs had their
	 * queue picked before the change: pktgen resends one skb, AF_PACKET
	 * with PACKET_QDISC_BYPASS picks outside the qdisc lock. The queue is
	 * awake all the same: the TX watchdog times every stopped queue.
	 */
	if (unlikely(!tx))
		return vnet_tx_drop(qv, skb);
	txq = netdev_get_tx_queue(dev, qidx);
	if (unlikely(!vnet_tx_room(qv, txq, needed)))
		return NETDEV_TX_BUSY;

	/* pktgen and netpoll skip ndo_features_check(): checksum here. */
	flags = vnet_tx_offload_flags(skb);
	if (unlikely(flags < 0)) {
		flags = 0;
		if (skb_checksum_help(skb))
			return vnet_tx_drop(qv, skb);
	}

	first = tx->next_to_use;
	last = vnet_tx_map(tx, skb, flags);
	bytes = vnet_tx_record(qv, skb, first, needed, flags);
	skb_tx_timestamp(skb);
	trace_vnet_tx_post(dev, qidx, first, skb);

	/* tx_buf before the index: NAPI reads them after an acquire. */
	smp_store_release(&tx->next_to_use, vnet_ring_next(last, tx->size));

	vnet_tx_maybe_stop(qv, txq);

	/*
	 * BQL must see the bytes before the doorbell: the device completes
	 * the frame inside the register write. The skb may be freed by NAPI
	 * on another CPU from then on.
	 */
	if (__netdev_tx_sent_queue(txq, bytes, netdev_xmit_more()))
		vnet_wr32(priv, VNET_REG_Q(qidx, VNET_QREG_TX_TAIL),
			  tx->next_to_use);

	return NETDEV_TX_OK;
}

/* NAPI */

/*
 * Free the frames of @tx the device has completed and count them; false
 * if there were none. A TX ring's producer is xmit, an XDP TX ring's
 * XDP_TX and ndo_xdp_xmit under its lock; this is the consumer.
 */
static bool vnet_tx_reap(struct vnet_q_vector *qv, struct vnet_ring *tx,
			 int budget, u32 *pkts, u32 *bytes)
{
	struct vnet_tx_desc *descs = tx->tx_desc;
	u32 ntc = tx->next_to_clean;
	u32 ntu, n;

	*pkts = 0;
	*bytes = 0;
	/* Pairs with the release in vnet_start_xmit() or vnet_xdp_post(). */
	ntu = smp_load_acquire(&tx->next_to_use);
	while (ntc != ntu) {
		struct vnet_tx_buf *buf = &tx->tx_buf[ntc];
		u32 last = vnet_ring_add(ntc, buf->ndesc - 1, tx->size);

		/* dma_rmb() equivalent: DD before anything else of the frame */
		if (!(le64_to_cpu(smp_load_acquire(&descs[last].cmd)) &
		      VNET_TXD_DD))
			break;

		trace_vnet_tx_done(qv->priv->netdev, qv->idx, ntc, buf->segs,
				   buf->bytes);
		*pkts += buf->segs;
		*bytes += buf->bytes;
		n = buf->ndesc;
		vnet_tx_frame_free(tx, ntc, budget);
		ntc = vnet_ring_add(ntc, n, tx->size);
	}
	if (ntc == tx->next_to_clean)
		return false;

	/* Slots (and their cleared pointers) before producers reuse them */
	smp_store_release(&tx->next_to_clean, ntc);
	return true;
}

/*
 * The queue's XDP TX ring: its frames count as the queue's TX packets
 * (the wire carried them), without BQL, which is the stack's queue's.
 */
static void vnet_clean_xdp_tx(struct vnet_q_vector *qv, int budget,
			      struct vnet_poll_stats *ps)
{
	u32 pkts, bytes;

	if (!vnet_tx_reap(qv, qv->xdp_tx, budget, &pkts, &bytes))
		return;
	if (qv->xdp_tx->xsk_pool)
		vnet_xsk_tx_completed(qv->xdp_tx);
	ps->ctr[VNET_QS_TX_PACKETS] += pkts;
	ps->ctr[VNET_QS_TX_BYTES] += bytes;
}

static void vnet_clean_tx(struct vnet_q_vector *qv, int budget,
			  struct vnet_poll_stats *ps)
{
	struct vnet_priv *priv = qv->priv;
	struct vnet_ring *tx = qv->tx;
	struct netdev_queue *txq;
	u32 pkts, bytes;

	if (!vnet_tx_reap(qv, tx, budget, &pkts, &bytes))
		return;
	ps->ctr[VNET_QS_TX_PACKETS] += pkts;
	ps->ctr[VNET_QS_TX_BYTES] += bytes;

	/* Never wake a queue that is being torn down under the qdisc. */
	txq = netdev_get_tx_queue(priv->netdev, qv->idx);
	if (!__netif_txq_completed_wake(txq, pkts, bytes, vnet_tx_unused(tx),
					VNET_TX_WAKE_THRESH,
					test_bit(VNET_STATE_DOWN,
						 &priv->state))) {
		ps->ctr[VNET_QS_TX_WAKES]++;
		trace_vnet_tx_wake(priv->netdev, qv->idx, vnet_tx_unused(tx));
	}
}

static const enum pkt_hash_types vnet_hash_types[] = {
	[VNET_RXD_HASH_NONE]	= PKT_HASH_TYPE_NONE,
	[VNET_RXD_HASH_L3]	= PKT_HASH_TYPE_L3,
	[VNET_RXD_HASH_L4]	= PKT_HASH_TYPE_L4,
};

/* The RSS hash from a frame's first write-back word, if RXHASH is on. */
void vnet_rx_hash(struct net_device *netdev, struct sk_buff *skb, u64 wb)
{
	u32 type = FIELD_GET(VNET_RXD_WB_HASH_TYPE_MASK, wb);

	if ((netdev->features & NETIF_F_RXHASH) && type != VNET_RXD_HASH_NONE &&
	    type < ARRAY_SIZE(vnet_hash_types))
		skb_set_hash(skb, FIELD_GET(VNET_RXD_WB_HASH_MASK, wb),
			     vnet_hash_types[type]);
}

/*
 * The checksum from a frame's last descriptor, if RXCSUM is on. After an
 * XDP program (@xdp) the device's sum may no longer be the frame's: the
 * program may have rewritten or moved bytes. Its verdict on the L4
 * checksum stands, as on mlx5: a program that rewrites a datagram is
 * expected to fix its checksum.
 */
static void vnet_rx_csum(struct net_device *netdev, struct sk_buff *skb,
			 u64 cmd, bool xdp, struct vnet_poll_stats *ps)
{
	if (!(netdev->features & NETIF_F_RXCSUM)) {
		ps->ctr[VNET_QS_RX_CSUM_NONE]++;
		return;
	}
	if (xdp)
		cmd &= ~VNET_RXD_CSUM_VALID;
	if ((cmd & VNET_RXD_L4_OK) && (xdp || skb->len <= ETH_ZLEN)) {
		/*
		 * A frame this short may carry the sender's MAC padding, and
		 * its sum covers it: the stack would have to trim and adjust
		 * it first. The device's verdict on the datagram alone needs
		 * nothing (mlx5 does the same for short frames).
		 */
		skb->ip_summed = CHECKSUM_UNNECESSARY;
		ps->ctr[VNET_QS_RX_CSUM_UNNECESSARY]++;
	} else if (cmd & VNET_RXD_CSUM_VALID) {
		/*
		 * The device's sum starts after the Ethernet header: skb->data
		 * once eth_type_trans() has pulled it, as CHECKSUM_COMPLETE
		 * wants.
		 */
		skb->csum = (__force __wsum)FIELD_GET(VNET_RXD_CSUM_MASK, cmd);
		skb->ip_summed = CHECKSUM_COMPLETE;
		ps->ctr[VNET_QS_RX_CSUM_COMPLETE]++;
	} else if (cmd & VNET_RXD_L4_OK) {
		/* RSC: each segment was checked, there is no sum of all */
		skb->ip_summed = CHECKSUM_UNNECESSARY;
		ps->ctr[VNET_QS_RX_CSUM_UNNECESSARY]++;
	} else {
		ps->ctr[VNET_QS_RX_CSUM_NONE]++;
	}
	/* Counted whatever the stack is told: it checks the sum again. */
	if (cmd & VNET_RXD_L4_BAD)
		ps->ctr[VNET_QS_RX_CSUM_BAD]++;
}

/* A buffer the stack did not take goes back to the pool's NAPI cache. */
static void vnet_rx_recycle(struct vnet_ring *rx, struct page *page)
{
	page_pool_recycle_direct(rx->pp, page);
}

/*
 * A small frame is copied into a small skb and its page goes straight
 * back to the pool: a page of truesize per ping or TCP ACK would fill
 * socket receive buffers long before their byte limit.
 */
static struct sk_buff *vnet_rx_copybreak(struct vnet_q_vector *qv,
					 struct vnet_ring *rx,
					 struct page *page, u32 off, u32 len)
{
	struct sk_buff *skb;

	skb = napi_alloc_skb(&qv->napi, len);
	if (likely(skb))
		skb_put_data(skb, page_address(page) + off, len);
	vnet_rx_recycle(rx, page);
	return skb;
}

/* @metalen: bytes of XDP metadata just before the frame at @off */
static struct sk_buff *vnet_rx_build(struct vnet_ring *rx, struct page *page,
				     u32 off, u32 len, u32 metalen)
{
	struct sk_buff *skb;

	skb = napi_build_skb(page_address(page), PAGE_SIZE);
	if (unlikely(!skb)) {
		vnet_rx_recycle(rx, page);
		return NULL;
	}
	/* Freeing the skb hands its pages, fragments too, back to the pool. */
	skb_mark_for_recycle(skb);
	skb_reserve(skb, off);
	skb_put(skb, len);
	if (metalen)
		skb_metadata_set(skb, metalen);
	return skb;
}

/*
 * A frame's first buffer, its frame @len bytes at @off in @page (after
 * @metalen bytes an XDP program left): its skb, with the frame's RSS hash
 * and, for an RSC aggregate, its segment count and MSS (gso_segs,
 * gso_size) until it is whole.
 */
static struct sk_buff *vnet_rx_first(struct vnet_q_vector *qv,
				     struct page *page, u32 off, u32 len,
				     u32 metalen, u64 cmd, u64 wb)
{
	struct vnet_ring *rx = qv->rx;
	struct sk_buff *skb;

	/* The headers must be in the head for eth_type_trans() and GRO. */
	if (unlikely(len < ETH_HLEN)) {
		vnet_rx_recycle(rx, page);
		return NULL;
	}
	/* A copy would leave XDP's metadata behind. */
	if ((cmd & VNET_RXD_EOP) && len <= VNET_RX_COPYBREAK && !metalen)
		skb = vnet_rx_copybreak(qv, rx, page, off, len);
	else
		skb = vnet_rx_build(rx, page, off, len, metalen);
	if (unlikely(!skb))
		return NULL;
	vnet_rx_hash(qv->priv->netdev, skb, wb);
	if (FIELD_GET(VNET_RXD_WB_RSC_SEGS_MASK, wb) > 1) {
		skb_shinfo(skb)->gso_segs = FIELD_GET(VNET_RXD_WB_RSC_SEGS_MASK,
						      wb);
		skb_shinfo(skb)->gso_size = FIELD_GET(VNET_RXD_WB_RSC_MSS_MASK,
						      wb);
	}
	return skb;
}

/* A later buffer of the frame in @skb: a fragment. False if none is left. */
static bool vnet_rx_add_frag(struct vnet_ring *rx, struct sk_buff *skb,
			     struct page *page, u32 len)
{
	struct skb_shared_info *shinfo = skb_shinfo(skb);

	/* Written back with nothing in it: the frame needs no more. */
	if (!len) {
		vnet_rx_recycle(rx, page);
		return true;
	}
	if (unlikely(shinfo->nr_frags >= MAX_SKB_FRAGS)) {
		vnet_rx_recycle(rx, page);
		return false;
	}
	skb_add_rx_frag(skb, shinfo->nr_frags, page, rx->headroom, len,
			PAGE_SIZE);
	return true;
}

/*
 * The IP header at @off of @skb's head, version @ver: its protocol (the
 * last extension header's next header for IPv6), and in *@next where what
 * follows it starts. -1 if the head does not hold it or it is a fragment.
 */
static int vnet_rx_rsc_ip(struct sk_buff *skb, u32 off, u8 ver, u32 *next)
{
	u32 hlen = skb_headlen(skb);
	const struct iphdr *iph;
	__be16 frag;
	u8 proto;
	int ret;

	if (ver == 4) {
		if (off + sizeof(*iph) > hlen)
			return -1;
		iph = (const struct iphdr *)(skb->data + off);
		*next = off + iph->ihl * 4;
		return iph->ihl * 4 < sizeof(*iph) ? -1 : iph->protocol;
	}
	if (off + sizeof(struct ipv6hdr) > hlen)
		return -1;
	proto = ((const struct ipv6hdr *)(skb->data + off))->nexthdr;
	ret = ipv6_skip_exthdr(skb, off + sizeof(struct ipv6hdr), &proto,
			       &frag);
	if (ret < 0 || frag)
		return -1;
	*next = ret;
	return proto;
}

/*
 * The TCP header of an RSC aggregate whose (outer) IP header skb->data
 * points at, through one IP in IP header: sets the network header to the
 * IP header before TCP (for IP in IP the inner headers and encapsulation
 * too, as GRO's own completion does), the transport header, *@gso_type and
 * *@len, the bytes from TCP's header on. NULL if the device wrote back
 * something else: it is dropped.
 */
static struct tcphdr *vnet_rx_rsc_tcp(struct sk_buff *skb, u32 *gso_type,
				      u32 *len)
{
	u8 ver = skb->protocol == htons(ETH_P_IP) ? 4 : 6;
	u32 hlen = skb_headlen(skb), l3 = 0, off;
	struct tcphdr *th;
	int proto;

	if (skb->protocol != htons(ETH_P_IP) &&
	    skb->protocol != htons(ETH_P_IPV6))
		return NULL;
	*gso_type = 0;
	proto = vnet_rx_rsc_ip(skb, l3, ver, &off);
	if (proto == IPPROTO_IPIP || proto == IPPROTO_IPV6) {
		*gso_type = ver == 4 ? SKB_GSO_IPXIP4 : SKB_GSO_IPXIP6;
		ver = proto == IPPROTO_IPIP ? 4 : 6;
		l3 = off;
		proto = vnet_rx_rsc_ip(skb, l3, ver, &off);
	}
	if (proto != IPPROTO_TCP || off + sizeof(*th) > hlen)
		return NULL;
	skb_set_transport_header(skb, off);
	th = tcp_hdr(skb);
	if (th->doff * 4 < sizeof(*th) || off + th->doff * 4 >= skb->len)
		return NULL;
	*gso_type |= ver == 4 ? SKB_GSO_TCPV4 : SKB_GSO_TCPV6;
	if (l3) {
		skb->encapsulation = 1;
		skb_set_inner_protocol(skb, ver == 4 ? htons(ETH_P_IP) :
						       htons(ETH_P_IPV6));
		skb_set_inner_network_header(skb, l3);
		skb_set_inner_transport_header(skb, off);
		skb_set_network_header(skb, l3);
	}
	*len = skb->len - off;
	return th;
}

/*
 * An RSC aggregate becomes the GSO skb GRO would have built of its
 * segments (gso_segs, gso_size set at its first buffer), its checksum
 * left to whoever resegments it. Returns the header bytes each segment
 * carried on the wire, Ethernet included; 0 to drop it.
 */
static u32 vnet_rx_rsc(struct sk_buff *skb)
{
	struct skb_shared_info *shinfo = skb_shinfo(skb);
	u32 len, gso_type;
	struct tcphdr *th;

	skb_reset_network_header(skb);
	th = vnet_rx_rsc_tcp(skb, &gso_type, &len);
	if (!th || !shinfo->gso_size)
		return 0;
	if (gso_type & SKB_GSO_TCPV4)
		th->check = ~tcp_v4_check(len, ip_hdr(skb)->saddr,
					  ip_hdr(skb)->daddr, 0);
	else
		th->check = ~tcp_v6_check(len, &ipv6_hdr(skb)->saddr,
					  &ipv6_hdr(skb)->daddr, 0);
	shinfo->gso_type = gso_type;
	/* tcp_gro_complete() takes the count from here, as for GRO's own. */
	NAPI_GRO_CB(skb)->count = shinfo->gso_segs;
	tcp_gro_complete(skb);
	/* The stack's receive path wants the network header outermost. */
	skb_reset_network_header(skb);
	return ETH_HLEN + skb_transport_offset(skb) + th->doff * 4;
}

/*
 * Hand a whole frame to the stack, its last descriptor @cmd at @idx.
 * Packets and bytes count what the wire carried: an RSC aggregate's
 * segments, each with its headers.
 */
void vnet_rx_deliver(struct vnet_q_vector *qv, struct sk_buff *skb, u32 idx,
		     u64 cmd, bool xdp, struct vnet_poll_stats *ps)
{
	struct net_device *netdev = qv->priv->netdev;
	u32 segs = skb_shinfo(skb)->gso_segs, len = skb->len, hdrs;

	vnet_rx_csum(netdev, skb, cmd, xdp, ps);
	trace_vnet_rx(netdev, qv->idx, idx, skb);
	skb->protocol = eth_type_trans(skb, netdev);
	skb_record_rx_queue(skb, qv->idx);
	if (segs > 1) {
		hdrs = vnet_rx_rsc(skb);
		if (unlikely(!hdrs)) {
			ps->ctr[VNET_QS_RX_DROPPED]++;
			kfree_skb(skb);
			return;
		}
		ps->ctr[VNET_QS_RX_HW_GRO_PACKETS]++;
		ps->ctr[VNET_QS_RX_HW_GRO_BYTES] += len;
		len += (segs - 1) * hdrs;
		ps->ctr[VNET_QS_RX_HW_GRO_WIRE_PACKETS] += segs;
		ps->ctr[VNET_QS_RX_HW_GRO_WIRE_BYTES] += len;
	} else {
		segs = 1;
	}
	ps->ctr[VNET_QS_RX_PACKETS] += segs;
	ps->ctr[VNET_QS_RX_BYTES] += len;
	napi_gro_receive(&qv->napi, skb);
}

/* XDP */

/*
 * Post a frame on an XDP TX ring, its lock held: @len bytes at @data and
 * the fragments in @sinfo, if any. False if the ring has no room for it,
 * or the device would refuse it as too long.
 * What vnet_tx_buf_free() frees: @owner, in the first slot (@type
 * VNET_TX_XDP_FRAME, which returns its fragments too), or each slot's page
 * (VNET_TX_XDP_TX, @owner the first buffer's).
 */
bool vnet_xdp_post(struct vnet_ring *tx, enum vnet_tx_buf_type type,
		   void *owner, void *data, u32 len,
		   const struct skb_shared_info *sinfo)
{
	u32 nr_frags = sinfo ? sinfo->nr_frags : 0;
	u32 idx = tx->next_to_use, bytes = len, f;
	struct vnet_tx_buf *buf;

	lockdep_assert_held(&tx->xdp_lock);
	if (unlikely(vnet_tx_unused(tx) < nr_frags + 1))
		return false;
	/* A program may grow a frame past what the device sends. */
	if (unlikely(len + (sinfo ? sinfo->xdp_frags_size : 0) >
		     VNET_HW_MAX_FRAME))
		return false;
	buf = &tx->tx_buf[idx];
	buf->skb = owner;
	buf->type = type;
	buf->segs = 1;
	buf->ndesc = nr_frags + 1;
	vnet_tx_desc_set(tx, idx, data, len, nr_frags ? 0 : VNET_TXD_EOP);
	for (f = 0; f < nr_frags; f++) {
		const skb_frag_t *frag = &sinfo->frags[f];
		struct vnet_tx_buf *fbuf;

		idx = vnet_ring_next(idx, tx->size);
		fbuf = &tx->tx_buf[idx];
		fbuf->type = type;
		fbuf->skb = NULL;
		if (type == VNET_TX_XDP_TX)
			fbuf->page = skb_frag_page(frag);
		vnet_tx_desc_set(tx, idx, skb_frag_address(frag),
				 skb_frag_size(frag),
				 f == nr_frags - 1 ? VNET_TXD_EOP : 0);
		bytes += skb_frag_size(frag);
	}
	buf->bytes = bytes;
	/* tx_buf before the index: NAPI reads them after an acquire. */
	smp_store_release(&tx->next_to_use, vnet_ring_next(idx, tx->size));
	return true;
}

/* Announce what the XDP TX ring holds, its lock held. */
void vnet_xdp_doorbell(struct vnet_priv *priv, struct vnet_ring *tx)
{
	lockdep_assert_held(&tx->xdp_lock);
	/*
	 * Under the lock: a tail written by another CPU after ours but
	 * computed before it would move the device's tail backwards.
	 */
	vnet_wr32(priv, VNET_REG_Q(tx->hwq, VNET_QREG_TX_TAIL),
		  tx->next_to_use);
}

/* XDP_TX: the frame's pages go out on this queue's XDP TX ring as they are. */
static bool vnet_xdp_tx(struct vnet_q_vector *qv, struct xdp_buff *xdp)
{
	struct vnet_ring *tx = qv->xdp_tx;
	bool sent;

	spin_lock(&tx->xdp_lock);
	sent = vnet_xdp_post(tx, VNET_TX_XDP_TX,
			     virt_to_page(xdp->data_hard_start), xdp->data,
			     xdp->data_end - xdp->data, vnet_xdp_frags(xdp));
	spin_unlock(&tx->xdp_lock);
	return sent;
}

/* The end of a poll that sent XDP_TX frames: one doorbell for them all. */
static void vnet_xdp_tx_flush(struct vnet_q_vector *qv)
{
	struct vnet_ring *tx = qv->xdp_tx;

	spin_lock(&tx->xdp_lock);
	vnet_xdp_doorbell(qv->priv, tx);
	spin_unlock(&tx->xdp_lock);
}

/* A frame's first buffer: what XDP sees of the frame, until its last. */
static void vnet_xdp_start(struct vnet_ring *rx, struct page *page, u32 len,
			   u64 wb)
{
	struct vnet_xdp_buff *vxb = &rx->xdp_mb;

	xdp_init_buff(&vxb->xdp, PAGE_SIZE, &rx->xdp_rxq);
	xdp_prepare_buff(&vxb->xdp, page_address(page), rx->headroom, len,
			 true);
	vxb->wb = wb;
	vxb->frame = vxb->xdp.data;
	vxb->len = len;
	rx->xdp_open = true;
}

/* A later buffer of the frame for XDP: a fragment. False if none is left. */
static bool vnet_xdp_add_frag(struct vnet_ring *rx, struct page *page,
			      u32 len)
{
	/* Written back with nothing in it: the frame needs no more. */
	if (!len) {
		vnet_rx_recycle(rx, page);
		return true;
	}
	if (unlikely(!vnet_compat_xdp_add_frag(&rx->xdp_mb.xdp, page,
					       rx->headroom, len))) {
		vnet_rx_recycle(rx, page);
		return false;
	}
	return true;
}

/*
 * XDP_PASS: the skb of what the program left, its fragments those of the
 * frame; NULL, the pages back in the pool, if none could be built. @cmd
 * is the frame's last write-back.
 */
static struct sk_buff *vnet_xdp_build_skb(struct vnet_q_vector *qv,
					  struct vnet_xdp_buff *vxb, u64 cmd)
{
	struct xdp_buff *xdp = &vxb->xdp;
	struct skb_shared_info *sinfo = vnet_xdp_frags(xdp);
	u32 nr_frags = sinfo ? sinfo->nr_frags : 0, f;
	u32 frags_len = sinfo ? sinfo->xdp_frags_size : 0;
	struct sk_buff *skb;

	/* Only a frame of one buffer may be copied out. */
	if (nr_frags)
		cmd &= ~VNET_RXD_EOP;
	/* Builds the skb around the shared info that holds the fragments. */
	skb = vnet_rx_first(qv, virt_to_page(xdp->data_hard_start),
			    xdp->data - xdp->data_hard_start,
			    xdp->data_end - xdp->data,
			    xdp->data - xdp->data_meta, cmd, vxb->wb);
	if (unlikely(!skb)) {
		for (f = 0; f < nr_frags; f++)
			vnet_rx_recycle(qv->rx,
					skb_frag_page(&sinfo->frags[f]));
		return NULL;
	}
	if (nr_frags) {
		/* The skb's own view of the fragments build_skb() kept. */
		sinfo = skb_shinfo(skb);
		sinfo->nr_frags = nr_frags;
		/* 7.x shares the fragments' sizes with destructor_arg. */
		sinfo->destructor_arg = NULL;
		skb->len += frags_len;
		skb->data_len += frags_len;
		skb->truesize += nr_frags * PAGE_SIZE;
		skb->pfmemalloc |= !!(xdp->flags & XDP_FLAGS_FRAGS_PF_MEMALLOC);
	}
	return skb;
}

/*
 * A frame XDP took (any verdict but XDP_PASS), @sent if XDP_TX or the
 * redirect got it out: counted, the frame in RX packets and bytes too
 * (XDP is the stack's first layer), failures traced. False if its
 * buffers are the caller's to free.
 */
bool vnet_xdp_taken(struct vnet_q_vector *qv, struct bpf_prog *prog,
		    u32 act, bool sent, u32 len, struct vnet_poll_stats *ps)
{
	ps->ctr[VNET_QS_RX_PACKETS]++;
	ps->ctr[VNET_QS_RX_BYTES] += len;
	switch (act) {
	case XDP_TX:
		ps->ctr[sent ? VNET_QS_RX_XDP_TX : VNET_QS_RX_XDP_TX_ERRORS]++;
		break;
	case XDP_REDIRECT:
		ps->ctr[sent ? VNET_QS_RX_XDP_REDIRECT :
			       VNET_QS_RX_XDP_REDIRECT_ERRORS]++;
		break;
	case XDP_DROP:
		ps->ctr[VNET_QS_RX_XDP_DROP]++;
		return false;
	default:
		bpf_warn_invalid_xdp_action(qv->priv->netdev, prog, act);
		fallthrough;
	case XDP_ABORTED:
		ps->ctr[VNET_QS_RX_XDP_ABORTED]++;
		sent = false;
		break;
	}
	if (!sent)
		trace_xdp_exception(qv->priv->netdev, prog, act);
	return sent;
}

/*
 * Run @prog on the frame gathered in the ring's xdp_mb, which ended in
 * slot @idx with write-back @cmd: a frame of fragments only if the program
 * takes them (xdp.frags), else it is dropped. A program replaced by none
 * while a frame was gathered passes it. What XDP takes (sends, redirects,
 * drops) counts in RX packets and bytes, XDP being the stack's first
 * layer; what it passes counts as the stack receives it.
 */
static void vnet_rx_xdp(struct vnet_q_vector *qv, struct bpf_prog *prog,
			u32 idx, u64 cmd, struct vnet_poll_stats *ps)
{
	struct net_device *netdev = qv->priv->netdev;
	struct vnet_ring *rx = qv->rx;
	struct xdp_buff *xdp = &rx->xdp_mb.xdp;
	u32 len = xdp_get_buff_len(xdp);
	struct sk_buff *skb;
	bool sent;
	u32 act;

	rx->xdp_open = false;
	if (unlikely(prog && xdp_buff_has_frags(xdp) &&
		     !prog->aux->xdp_has_frags)) {
		ps->ctr[VNET_QS_RX_DROPPED]++;
		vnet_xdp_recycle(rx, xdp, true);
		return;
	}
	act = prog ? bpf_prog_run_xdp(prog, xdp) : XDP_PASS;
	if (act == XDP_PASS) {
		if (prog)
			ps->ctr[VNET_QS_RX_XDP_PASS]++;
		skb = vnet_xdp_build_skb(qv, &rx->xdp_mb, cmd);
		if (unlikely(!skb)) {
			ps->ctr[VNET_QS_RX_DROPPED]++;
			return;
		}
		vnet_rx_deliver(qv, skb, idx, cmd, true, ps);
		return;
	}

	switch (act) {
	case XDP_TX:
		sent = vnet_xdp_tx(qv, xdp);
		break;
	case XDP_REDIRECT:
		sent = !xdp_do_redirect(netdev, xdp, prog);
		break;
	default:
		sent = false;
		break;
	}
	if (!vnet_xdp_taken(qv, prog, act, sent, len, ps))
		vnet_xdp_recycle(rx, xdp, true);
}

/*
 * ndo_xdp_xmit: frames redirected to vnet go out on the XDP TX ring of
 * the queue this CPU picks; its lock serializes them with that queue's
 * XDP_TX and with other CPUs. Returns how many were taken, in order; the
 * caller frees the rest.
 */
int vnet_xdp_xmit(struct net_device *netdev, int n, struct xdp_frame **frames,
		  u32 flags)
{
	struct vnet_priv *priv = netdev_priv(netdev);
	struct vnet_q_vector *qv;
	struct vnet_rings *rings;
	struct vnet_ring *tx;
	int i;

	if (unlikely(flags & ~XDP_XMIT_FLAGS_MASK))
		return -EINVAL;
	/*
	 * Callers run in an RCU read-side section (BH): vnet_down() sets
	 * DOWN, then waits them out with synchronize_rcu() before the rings
	 * go, so rings seen with DOWN clear stay for this call.
	 */
	if (unlikely(test_bit(VNET_STATE_DOWN, &priv->state)))
		return -ENETDOWN;
	/* Pairs with smp_mb__before_atomic() in vnet_up(). */
	smp_rmb();
	rings = READ_ONCE(priv->rings);
	if (unlikely(!rings || !rings->cfg.xdp))
		return -ENXIO;
	qv = &priv->qv[smp_processor_id() % rings->cfg.num_queues];
	tx = qv->xdp_tx;

	spin_lock(&tx->xdp_lock);
	for (i = 0; i < n; i++) {
		struct xdp_frame *xdpf = frames[i];
		struct skb_shared_info *sinfo = NULL;

		if (unlikely(xdp_frame_has_frags(xdpf)))
			sinfo = xdp_get_shared_info_from_frame(xdpf);
		if (unlikely(!vnet_xdp_post(tx, VNET_TX_XDP_FRAME, xdpf,
					    xdpf->data, xdpf->len, sinfo)))
			break;
	}
	if (flags & XDP_XMIT_FLUSH)
		vnet_xdp_doorbell(priv, tx);
	vnet_qstats_xdp_xmit(&qv->stats, i, n - i);
	spin_unlock(&tx->xdp_lock);
	return i;
}

#ifdef VNET_HAVE_XDP_METADATA
/*
 * bpf_xdp_metadata_rx_hash(): the device's RSS hash. Its write-back tells
 * addresses (L3) from addresses and ports (L4), not the IP version: that
 * is the EtherType (after one VLAN tag, as the device parses) of the
 * frame as the device wrote it, which the program may have rewritten
 * since, as any other byte of it.
 */
static int vnet_xdp_rx_hash(const struct xdp_md *ctx, u32 *hash,
			    enum xdp_rss_hash_type *rss_type)
{
	const struct vnet_xdp_buff *vxb = (const void *)ctx;
	u32 type = FIELD_GET(VNET_RXD_WB_HASH_TYPE_MASK, vxb->wb);
	u32 off = offsetof(struct ethhdr, h_proto);
	__be16 proto;

	if ((type != VNET_RXD_HASH_L3 && type != VNET_RXD_HASH_L4) ||
	    vxb->len < ETH_HLEN)
		return -ENODATA;
	proto = get_unaligned((const __be16 *)(vxb->frame + off));
	if (eth_type_vlan(proto) && vxb->len >= VLAN_ETH_HLEN)
		proto = get_unaligned((const __be16 *)(vxb->frame + off +
						       VLAN_HLEN));
	if (proto == htons(ETH_P_IP))
		*rss_type = XDP_RSS_L3_IPV4;
	else if (proto == htons(ETH_P_IPV6))
		*rss_type = XDP_RSS_L3_IPV6;
	else
		return -ENODATA;
	if (type == VNET_RXD_HASH_L4)
		*rss_type |= XDP_RSS_L4;
	*hash = FIELD_GET(VNET_RXD_WB_HASH_MASK, vxb->wb);
	return 0;
}

const struct xdp_metadata_ops vnet_xdp_metadata_ops = {
	.xmo_rx_hash	= vnet_xdp_rx_hash,
};
#endif

/*
 * Take the buffer the device wrote back in @idx: a frame's first, middle
 * or last (EOP). A frame goes to XDP (@prog) or the stack whole, or is
 * counted dropped once: a length beyond what we posted, a first buffer
 * without the Ethernet header, more buffers than an skb holds, no memory,
 * fragments for a program that does not take them. Returns 1 when a frame
 * ends here, else 0.
 */
static int vnet_rx_one(struct vnet_q_vector *qv, struct bpf_prog *prog,
		       u32 idx, u64 cmd, u64 wb, struct vnet_poll_stats *ps)
{
	u32 len = FIELD_GET(VNET_RXD_PKT_LEN_MASK, cmd);
	bool eop = cmd & VNET_RXD_EOP;
	struct vnet_ring *rx = qv->rx;
	struct sk_buff *skb = rx->skb;
	struct page *page;

	page = rx->rx_buf[idx].page;
	rx->rx_buf[idx].page = NULL;
	if (unlikely(rx->discard || len > rx->buf_len)) {
		vnet_rx_recycle(rx, page);
		goto drop;
	}
	if (rx->xdp_open || (!skb && prog)) {
		/* XDP gathers the frame and sees it whole. */
		if (!rx->xdp_open)
			vnet_xdp_start(rx, page, len, wb);
		else if (unlikely(!vnet_xdp_add_frag(rx, page, len)))
			goto drop;
		if (!eop)
			return 0;
		vnet_rx_xdp(qv, prog, idx, cmd, ps);
		return 1;
	}
	if (!skb) {
		skb = vnet_rx_first(qv, page, rx->headroom, len, 0, cmd, wb);
		if (unlikely(!skb))
			goto drop;
	} else if (unlikely(!vnet_rx_add_frag(rx, skb, page, len))) {
		goto drop;
	}

	if (!eop) {
		rx->skb = skb;
		return 0;
	}
	rx->skb = NULL;
	vnet_rx_deliver(qv, skb, idx, cmd, !!prog, ps);
	return 1;

drop:
	/* Counted when the frame goes bad; its later buffers are skipped. */
	if (!rx->discard) {
		ps->ctr[VNET_QS_RX_DROPPED]++;
		if (skb)
			kfree_skb(skb);
		rx->skb = NULL;
		vnet_xdp_discard(rx, true);
	}
	rx->discard = !eop;
	return eop;
}

/* @prog: the XDP program, if the ring has XDP's layout */
static int vnet_clean_rx(struct vnet_q_vector *qv, struct bpf_prog *prog,
			 int budget, struct vnet_poll_stats *ps)
{
	struct vnet_ring *rx = qv->rx;
	u32 ntc = rx->next_to_clean;
	int done = 0;

	while (done < budget && ntc != rx->next_to_use) {
		struct vnet_rx_desc *desc = &rx->rx_desc[ntc];
		u64 cmd;

		/* dma_rmb() equivalent: DD before the length and the data. */
		cmd = le64_to_cpu(smp_load_acquire(&desc->cmd));
		if (!(cmd & VNET_RXD_DD))
			break;
		done += vnet_rx_one(qv, prog, ntc, cmd,
				    le64_to_cpu(READ_ONCE(desc->addr)), ps);
		ntc = vnet_ring_next(ntc, rx->size);
	}
	rx->next_to_clean = ntc;

	if (vnet_rx_fill(rx, true, &ps->ctr[VNET_QS_RX_ALLOC_FAIL]))
		vnet_wr32(qv->priv, VNET_REG_Q(qv->idx, VNET_QREG_RX_TAIL),
			  rx->next_to_use);
	return done;
}

/*
 * The poll that did less than its budget ends the interrupt cycle: NAPI
 * completes, DIM samples the cycle, and the vector is unmasked, unless the
 * datapath is going down. @tx_done and @polls are for the trace only.
 */
static void vnet_poll_complete(struct vnet_q_vector *qv, int work,
			       int budget, u64 tx_done, u32 polls)
{
	struct vnet_priv *priv = qv->priv;
	bool starved, complete;

	/*
	 * With no buffer posted nothing can be received, so no RX interrupt
	 * will come to retry the refill. Polling again at once would spin
	 * for as long as memory is short: retry from a timer instead.
	 */
	starved = qv->rx->next_to_use == qv->rx->next_to_clean;

	/* Reset first: once complete, the next cycle may start elsewhere. */
	qv->cycle_polls = 0;
	complete = napi_complete_done(&qv->napi, work);
	trace_vnet_napi_poll(priv->netdev, qv->idx, work, budget, tx_done,
			     polls, complete);
	if (!complete || test_bit(VNET_STATE_DOWN, &priv->state))
		return;
	if (unlikely(starved))
		mod_timer(&qv->refill_timer,
			  jiffies + msecs_to_jiffies(VNET_RX_REFILL_RETRY_MS));
	vnet_rx_dim_sample(qv);
	vnet_irq_unmask(qv);
	if (qv->xdp_tx)
		vnet_irq_unmask(&priv->qv[qv->xdp_tx->hwq]);
}

static int vnet_poll(struct napi_struct *napi, int budget)
{
	struct vnet_q_vector *qv = container_of(napi, struct vnet_q_vector,
						napi);
	struct vnet_poll_stats ps = { .ctr[VNET_QS_NAPI_POLLS] = 1 };
	struct vnet_priv *priv = qv->priv;
	struct bpf_prog *prog = NULL;
	bool xsk_busy = false;
	u32 icr, polls;
	int work;

	/* netpoll: reap TX only, and leave the causes to the real poll. */
	if (unlikely(!budget)) {
		vnet_clean_tx(qv, budget, &ps);
		vnet_qstats_publish(&qv->stats, &ps);
		return 0;
	}

	/*
	 * Clear the causes before looking at the rings: anything the device
	 * completes from here on raises them again and fires on unmask.
	 */
	icr = vnet_rd32(priv, VNET_REG_Q(qv->idx, VNET_QREG_ICR));
	if (unlikely(icr & VNET_ICR_LSC))
		vnet_link_update(priv);

	vnet_clean_tx(qv, budget, &ps);
	if (qv->xdp_tx) {
		/* The XDP TX ring's queue pair has only its TX cause. */
		vnet_rd32(priv, VNET_REG_Q(qv->xdp_tx->hwq, VNET_QREG_ICR));
		vnet_clean_xdp_tx(qv, budget, &ps);
		if (qv->xdp_tx->xsk_pool)
			xsk_busy = vnet_xsk_xmit(qv, budget);
		/* Swapped under RTNL; bpf_prog_put() waits for this poll. */
		prog = READ_ONCE(priv->xdp_prog);
	}
	if (qv->rx->xsk_pool)
		work = vnet_xsk_clean_rx(qv, prog, budget, &ps);
	else
		work = vnet_clean_rx(qv, prog, budget, &ps);
	/* Frames XDP sent or redirected leave before NAPI may complete. */
	if (ps.ctr[VNET_QS_RX_XDP_TX])
		vnet_xdp_tx_flush(qv);
	if (ps.ctr[VNET_QS_RX_XDP_REDIRECT])
		xdp_do_flush();
	/* The service task kicked us: did it find what no interrupt told? */
	if (unlikely(READ_ONCE(qv->kicked))) {
		WRITE_ONCE(qv->kicked, false);
		if (work || ps.ctr[VNET_QS_TX_PACKETS])
			ps.ctr[VNET_QS_IRQ_RECOVERIES]++;
	}
	vnet_qstats_publish(&qv->stats, &ps);
	polls = ++qv->cycle_polls;
	qv->dim_packets += ps.ctr[VNET_QS_RX_PACKETS];
	qv->dim_bytes += ps.ctr[VNET_QS_RX_BYTES];

	/* The AF_XDP TX ring may hold more than this poll sent: again. */
	if (work == budget || xsk_busy) {
		trace_vnet_napi_poll(priv->netdev, qv->idx, work, budget,
				     ps.ctr[VNET_QS_TX_PACKETS], polls, false);
		return budget;
	}
	vnet_poll_complete(qv, work, budget, ps.ctr[VNET_QS_TX_PACKETS],
			   polls);
	return work;
}

/* A starved RX ring's retry: the poll refills it, or arms this again. */
static void vnet_rx_refill_timer(struct timer_list *t)
{
	struct vnet_q_vector *qv = timer_container_of(qv, t, refill_timer);

	/* A no-op once vnet_down() has disabled NAPI. */
	napi_schedule(&qv->napi);
}

void vnet_rx_refill_init(struct vnet_q_vector *qv)
{
	timer_setup(&qv->refill_timer, vnet_rx_refill_timer, 0);
}

/*
 * A queue's NAPI exists while the queue has rings, under the queue's
 * index: NAPIs come and go with -L in queue order, and on kernels with
 * per-NAPI config (6.13+) their IDs and settings (threaded,
 * defer-hard-irqs) persist across -L and down/up.
 */
void vnet_napi_add(struct vnet_q_vector *qv)
{
	struct net_device *netdev = qv->priv->netdev;

	netif_napi_add_config(netdev, &qv->napi, vnet_poll, qv->idx);
	netif_napi_set_irq(&qv->napi, qv->irq);
	napi_enable(&qv->napi);
	netif_queue_set_napi(netdev, qv->idx, NETDEV_QUEUE_TYPE_RX, &qv->napi);
	netif_queue_set_napi(netdev, qv->idx, NETDEV_QUEUE_TYPE_TX, &qv->napi);
}

void vnet_napi_disable(struct vnet_q_vector *qv)
{
	napi_disable(&qv->napi);
	/* Only a poll arms it, and none runs any more. */
	timer_delete_sync(&qv->refill_timer);
}

/* The reverse of vnet_napi_add() once disabled; a grace period follows. */
void vnet_napi_del(struct vnet_q_vector *qv)
{
	struct net_device *netdev = qv->priv->netdev;

	netif_queue_set_napi(netdev, qv->idx, NETDEV_QUEUE_TYPE_RX, NULL);
	netif_queue_set_napi(netdev, qv->idx, NETDEV_QUEUE_TYPE_TX, NULL);
	__netif_napi_del(&qv->napi);
}

/*
 * With NAPI disabled and the rings stopped (the stats writer is this
 * context then): reap what the device completed but no poll collected, so
 * that counters and BQL stay exact, and count the frames it wrote back
 * that no poll will deliver now as dropped: a frame partly polled is one
 * of them, and its skb goes, since its buffers will not come back.
 */
void vnet_queue_reap(struct vnet_q_vector *qv)
{
	struct vnet_rx_desc *descs = qv->rx->rx_desc;
	struct vnet_poll_stats ps = {};
	struct vnet_ring *rx = qv->rx;
	bool open, counted;
	u64 cmd;
	u32 i;

	vnet_clean_tx(qv, 0, &ps);
	if (qv->xdp_tx)
		vnet_clean_xdp_tx(qv, 0, &ps);
	/*
	 * A frame in progress, buffers polled but not its end: not counted
	 * yet if it has an skb, already if it is being discarded.
	 */
	open = rx->skb || rx->xdp_open;
	counted = rx->discard;
	dev_kfree_skb_any(rx->skb);
	rx->skb = NULL;
	vnet_xdp_discard(rx, false);
	rx->discard = false;
	for (i = rx->next_to_clean; i != rx->next_to_use;
	     i = vnet_ring_next(i, rx->size)) {
		/* Pairs with the device's release of DD, as in clean_rx. */
		cmd = le64_to_cpu(smp_load_acquire(&descs[i].cmd));
		if (!(cmd & VNET_RXD_DD))
			break;
		if (!(cmd & VNET_RXD_EOP)) {
			open |= !counted;
			continue;
		}
		if (!counted)
			ps.ctr[VNET_QS_RX_DROPPED]++;
		open = false;
		counted = false;
	}
	/* A frame whose end the device never wrote back counts too. */
	if (open)
		ps.ctr[VNET_QS_RX_DROPPED]++;
	vnet_qstats_publish(&qv->stats, &ps);
}
