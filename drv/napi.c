// SPDX-License-Identifier: GPL-2.0
/*
 * vnet datapath: descriptor rings, ndo_start_xmit, the interrupt handler
 * and NAPI poll (TX completion, then RX up to budget).
 */
#include <linux/etherdevice.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <net/netdev_queues.h>

#include "vnet.h"
#include "vnet_compat.h"
#include "vnet_trace.h"

/* Counters one poll accumulates before publishing them at once. */
struct vnet_poll_stats {
	u64 tx_packets;
	u64 tx_bytes;
	u64 tx_wakes;
	u64 rx_packets;
	u64 rx_bytes;
	u64 rx_alloc_fail;
	u64 rx_dropped;
	u64 rx_csum_complete;
	u64 napi_polls;
	u64 irq_recoveries;
};

static u32 vnet_tx_unused(const struct vnet_ring *tx)
{
	/* Both indices are re-read: the stop/wake macros need fresh values. */
	return vnet_ring_unused(READ_ONCE(tx->next_to_clean),
				READ_ONCE(tx->next_to_use), tx->size);
}

/* Rings */

static void vnet_rx_post(struct vnet_ring *rx, u32 idx, struct page *page)
{
	struct vnet_rx_desc *desc = (struct vnet_rx_desc *)rx->desc + idx;

	rx->rx_buf[idx].page = page;
	desc->addr = cpu_to_le64((uintptr_t)page_address(page) +
				 VNET_RX_HEADROOM);
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

static void vnet_ring_free(struct vnet_ring *tx, struct vnet_ring *rx)
{
	u32 i;

	/* Frames never reaped: the device has let go of them already. */
	for (i = 0; tx->tx_buf && i < tx->size; i++)
		dev_kfree_skb_any(tx->tx_buf[i].skb);
	for (i = 0; rx->rx_buf && i < rx->size; i++)
		if (rx->rx_buf[i].page)
			page_pool_put_full_page(rx->pp, rx->rx_buf[i].page,
						false);
	/* Pages still held by skbs return to the pool as they are freed. */
	if (rx->pp)
		page_pool_destroy(rx->pp);

	kvfree(tx->tx_buf);
	kvfree(tx->desc);
	kvfree(rx->rx_buf);
	kvfree(rx->desc);
}

void vnet_rings_free(struct vnet_rings *rings)
{
	u32 q;

	if (!rings)
		return;
	for (q = 0; q < rings->cfg.num_queues; q++)
		vnet_ring_free(&rings->tx[q], &rings->rx[q]);
	kfree(rings);
}

static int vnet_ring_alloc(struct vnet_ring *tx, struct vnet_ring *rx,
			   const struct vnet_ring_cfg *cfg)
{
	struct page_pool_params pp_params = {
		.pool_size = cfg->rx_size,
		.nid = NUMA_NO_NODE,
	};
	u64 alloc_fail = 0;
	u32 need;

	tx->size = cfg->tx_size;
	tx->desc = kvcalloc(tx->size, sizeof(struct vnet_tx_desc), GFP_KERNEL);
	tx->tx_buf = kvcalloc(tx->size, sizeof(*tx->tx_buf), GFP_KERNEL);

	rx->size = cfg->rx_size;
	rx->buf_len = cfg->rx_buf_len;
	/* One buffer per page (or compound page, for jumbo frames). */
	need = SKB_DATA_ALIGN(VNET_RX_HEADROOM + rx->buf_len) +
	       SKB_DATA_ALIGN(sizeof(struct skb_shared_info));
	pp_params.order = get_order(need);
	rx->truesize = PAGE_SIZE << pp_params.order;
	rx->desc = kvcalloc(rx->size, sizeof(struct vnet_rx_desc), GFP_KERNEL);
	rx->rx_buf = kvcalloc(rx->size, sizeof(*rx->rx_buf), GFP_KERNEL);

	if (!tx->desc || !tx->tx_buf || !rx->desc || !rx->rx_buf)
		return -ENOMEM;

	rx->pp = page_pool_create(&pp_params);
	if (IS_ERR(rx->pp)) {
		int err = PTR_ERR(rx->pp);

		rx->pp = NULL;
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
		err = vnet_ring_alloc(&rings->tx[q], &rings->rx[q], cfg);
		if (err)
			goto err_free_rings;
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
	struct vnet_tx_desc *desc = (struct vnet_tx_desc *)tx->desc + idx;

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

static void vnet_xmit_stat_inc(struct vnet_q_vector *qv, u64_stats_t *ctr)
{
	u64_stats_update_begin(&qv->stats.xmit_syncp);
	u64_stats_inc(ctr);
	u64_stats_update_end(&qv->stats.xmit_syncp);
}

/*
 * Drop an skb xmit cannot send. The descriptors of an xmit_more batch
 * before it are posted but not yet announced: if this was the batch's last
 * skb, ring the doorbell for them, or they wait for the next transmit.
 */
static netdev_tx_t vnet_tx_drop(struct vnet_priv *priv,
				struct vnet_q_vector *qv, struct sk_buff *skb)
{
	struct vnet_ring *tx = qv->tx;

	vnet_xmit_stat_inc(qv, &qv->stats.tx_dropped);
	dev_kfree_skb_any(skb);
	if (tx && !netdev_xmit_more())
		vnet_wr32(priv, VNET_REG_Q(qv->idx, VNET_QREG_TX_TAIL),
			  tx->next_to_use);
	return NETDEV_TX_OK;
}

netdev_tx_t vnet_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct vnet_priv *priv = netdev_priv(dev);
	u32 nr_frags = skb_shinfo(skb)->nr_frags;
	u32 first, idx, f, bytes, segs, needed;
	u16 qidx = skb_get_queue_mapping(skb);
	struct vnet_q_vector *qv;
	struct netdev_queue *txq;
	struct vnet_ring *tx;
	s64 flags;

	qv = &priv->qv[qidx];
	/*
	 * A queue ethtool -L has removed has no ring. Its skbs had their
	 * queue picked before the change: pktgen resends one skb, AF_PACKET
	 * with PACKET_QDISC_BYPASS picks outside the qdisc lock. The queue is
	 * awake all the same: the TX watchdog times every stopped queue.
	 */
	tx = qv->tx;
	if (unlikely(!tx))
		return vnet_tx_drop(priv, qv, skb);
	txq = netdev_get_tx_queue(dev, qidx);
	needed = nr_frags + 1;
	if (unlikely(vnet_tx_unused(tx) < needed)) {
		/* The stop after the previous frame should prevent this. */
		vnet_xmit_stat_inc(qv, &qv->stats.tx_busy);
		/* Re-check after stopping, or nothing might ever wake us. */
		if (!netif_txq_try_stop(txq, vnet_tx_unused(tx), needed))
			return NETDEV_TX_BUSY;
	}

	/* pktgen and netpoll skip ndo_features_check(): checksum here. */
	flags = vnet_tx_offload_flags(skb);
	if (unlikely(flags < 0)) {
		flags = 0;
		if (skb_checksum_help(skb))
			return vnet_tx_drop(priv, qv, skb);
	}

	first = tx->next_to_use;
	idx = first;
	vnet_tx_desc_set(tx, idx, skb->data, skb_headlen(skb),
			 flags | (nr_frags ? 0 : VNET_TXD_EOP));
	for (f = 0; f < nr_frags; f++) {
		const skb_frag_t *frag = &skb_shinfo(skb)->frags[f];

		idx = vnet_ring_next(idx, tx->size);
		vnet_tx_desc_set(tx, idx, skb_frag_address(frag),
				 skb_frag_size(frag),
				 f == nr_frags - 1 ? VNET_TXD_EOP : 0);
	}

	/* BQL and tx_bytes count what the wire carries: every header copy. */
	bytes = skb->len;
	segs = 1;
	if (flags & VNET_TXD_TSO) {
		segs = max_t(u32, skb_shinfo(skb)->gso_segs, 1);
		bytes += (segs - 1) * skb_tcp_all_headers(skb);
		vnet_xmit_stat_inc(qv, &qv->stats.tx_tso);
	}
	tx->tx_buf[first].skb = skb;
	tx->tx_buf[first].bytes = bytes;
	tx->tx_buf[first].segs = segs;
	tx->tx_buf[first].ndesc = needed;
	skb_tx_timestamp(skb);
	trace_vnet_tx_post(dev, qidx, first, skb);

	/* tx_buf before the index: NAPI reads them after an acquire. */
	smp_store_release(&tx->next_to_use, vnet_ring_next(idx, tx->size));

	if (!netif_txq_maybe_stop(txq, vnet_tx_unused(tx), VNET_TX_DESC_NEEDED,
				  VNET_TX_WAKE_THRESH)) {
		vnet_xmit_stat_inc(qv, &qv->stats.tx_stops);
		trace_vnet_tx_stop(dev, qidx, vnet_tx_unused(tx));
	}

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

/* Interrupt and NAPI */

irqreturn_t vnet_irq(int vec, void *data)
{
	struct vnet_q_vector *qv = data;

	/* The vector auto-masked; NAPI unmasks it when it is done. */
	napi_schedule(&qv->napi);
	return IRQ_HANDLED;
}

static void vnet_clean_tx(struct vnet_q_vector *qv, int budget,
			  struct vnet_poll_stats *ps)
{
	struct vnet_priv *priv = qv->priv;
	struct vnet_ring *tx = qv->tx;
	struct vnet_tx_desc *descs = tx->desc;
	u32 ntc = tx->next_to_clean;
	u32 ntu, pkts = 0, bytes = 0;
	struct netdev_queue *txq;

	/* Pairs with the release in vnet_start_xmit(). */
	ntu = smp_load_acquire(&tx->next_to_use);
	while (ntc != ntu) {
		struct vnet_tx_buf *buf = &tx->tx_buf[ntc];
		u32 last = vnet_ring_add(ntc, buf->ndesc - 1, tx->size);

		/* dma_rmb() equivalent: DD before anything else of the frame */
		if (!(le64_to_cpu(smp_load_acquire(&descs[last].cmd)) &
		      VNET_TXD_DD))
			break;

		trace_vnet_tx_done(priv->netdev, qv->idx, ntc, buf->segs,
				   buf->bytes);
		pkts += buf->segs;
		bytes += buf->bytes;
		napi_consume_skb(buf->skb, budget);
		buf->skb = NULL;
		ntc = vnet_ring_add(ntc, buf->ndesc, tx->size);
	}
	if (ntc == tx->next_to_clean)
		return;

	/* Slots (and their cleared skb pointers) before xmit may reuse them */
	smp_store_release(&tx->next_to_clean, ntc);
	ps->tx_packets += pkts;
	ps->tx_bytes += bytes;

	/* Never wake a queue that is being torn down under the qdisc. */
	txq = netdev_get_tx_queue(priv->netdev, qv->idx);
	if (!__netif_txq_completed_wake(txq, pkts, bytes, vnet_tx_unused(tx),
					VNET_TX_WAKE_THRESH,
					test_bit(VNET_STATE_DOWN,
						 &priv->state))) {
		ps->tx_wakes++;
		trace_vnet_tx_wake(priv->netdev, qv->idx, vnet_tx_unused(tx));
	}
}

static const enum pkt_hash_types vnet_hash_types[] = {
	[VNET_RXD_HASH_NONE]	= PKT_HASH_TYPE_NONE,
	[VNET_RXD_HASH_L3]	= PKT_HASH_TYPE_L3,
	[VNET_RXD_HASH_L4]	= PKT_HASH_TYPE_L4,
};

/* Checksum and RSS hash from the write-back, if the features are on. */
static void vnet_rx_offloads(struct net_device *netdev, struct sk_buff *skb,
			     u64 wb, u64 cmd, struct vnet_poll_stats *ps)
{
	u32 type = FIELD_GET(VNET_RXD_WB_HASH_TYPE_MASK, wb);

	/*
	 * The device's sum starts after the Ethernet header: skb->data once
	 * eth_type_trans() has pulled it, as CHECKSUM_COMPLETE wants.
	 */
	if ((netdev->features & NETIF_F_RXCSUM) &&
	    (cmd & VNET_RXD_CSUM_VALID)) {
		skb->csum = (__force __wsum)FIELD_GET(VNET_RXD_CSUM_MASK, cmd);
		skb->ip_summed = CHECKSUM_COMPLETE;
		ps->rx_csum_complete++;
	}

	if ((netdev->features & NETIF_F_RXHASH) && type != VNET_RXD_HASH_NONE &&
	    type < ARRAY_SIZE(vnet_hash_types))
		skb_set_hash(skb, FIELD_GET(VNET_RXD_WB_HASH_MASK, wb),
			     vnet_hash_types[type]);
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
					 struct page *page, u32 len)
{
	struct sk_buff *skb;

	skb = napi_alloc_skb(&qv->napi, len);
	if (likely(skb))
		skb_put_data(skb, page_address(page) + VNET_RX_HEADROOM, len);
	vnet_rx_recycle(rx, page);
	return skb;
}

static struct sk_buff *vnet_rx_build(struct vnet_ring *rx, struct page *page,
				     u32 len)
{
	struct sk_buff *skb;

	skb = napi_build_skb(page_address(page), rx->truesize);
	if (unlikely(!skb)) {
		vnet_rx_recycle(rx, page);
		return NULL;
	}
	/* Freeing the skb hands the page back to the pool. */
	skb_mark_for_recycle(skb);
	skb_reserve(skb, VNET_RX_HEADROOM);
	skb_put(skb, len);
	return skb;
}

static int vnet_clean_rx(struct vnet_q_vector *qv, int budget,
			 struct vnet_poll_stats *ps)
{
	struct net_device *netdev = qv->priv->netdev;
	struct vnet_ring *rx = qv->rx;
	struct vnet_rx_desc *descs = rx->desc;
	u32 ntc = rx->next_to_clean;
	int done = 0;

	while (done < budget && ntc != rx->next_to_use) {
		struct sk_buff *skb;
		struct page *page;
		u32 idx, len;
		u64 cmd, wb;

		/* dma_rmb() equivalent: DD before the length and the data. */
		cmd = le64_to_cpu(smp_load_acquire(&descs[ntc].cmd));
		if (!(cmd & VNET_RXD_DD))
			break;
		wb = le64_to_cpu(READ_ONCE(descs[ntc].addr));

		idx = ntc;
		page = rx->rx_buf[idx].page;
		rx->rx_buf[idx].page = NULL;
		ntc = vnet_ring_next(ntc, rx->size);
		done++;

		/* Never trust the device's length beyond what we posted. */
		len = FIELD_GET(VNET_RXD_PKT_LEN_MASK, cmd);
		if (unlikely(len < ETH_HLEN || len > rx->buf_len ||
			     !(cmd & VNET_RXD_EOP))) {
			vnet_rx_recycle(rx, page);
			ps->rx_dropped++;
			continue;
		}

		if (len <= VNET_RX_COPYBREAK)
			skb = vnet_rx_copybreak(qv, rx, page, len);
		else
			skb = vnet_rx_build(rx, page, len);
		if (unlikely(!skb)) {
			ps->rx_dropped++;
			continue;
		}
		vnet_rx_offloads(netdev, skb, wb, cmd, ps);
		trace_vnet_rx(netdev, qv->idx, idx, skb);
		skb->protocol = eth_type_trans(skb, netdev);
		skb_record_rx_queue(skb, qv->idx);

		ps->rx_packets++;
		ps->rx_bytes += len;
		napi_gro_receive(&qv->napi, skb);
	}
	rx->next_to_clean = ntc;

	if (vnet_rx_fill(rx, true, &ps->rx_alloc_fail))
		vnet_wr32(qv->priv, VNET_REG_Q(qv->idx, VNET_QREG_RX_TAIL),
			  rx->next_to_use);
	return done;
}

static void vnet_poll_stats_publish(struct vnet_qstats *qs,
				    const struct vnet_poll_stats *ps)
{
	u64_stats_update_begin(&qs->napi_syncp);
	u64_stats_add(&qs->tx_packets, ps->tx_packets);
	u64_stats_add(&qs->tx_bytes, ps->tx_bytes);
	u64_stats_add(&qs->tx_wakes, ps->tx_wakes);
	u64_stats_add(&qs->rx_packets, ps->rx_packets);
	u64_stats_add(&qs->rx_bytes, ps->rx_bytes);
	u64_stats_add(&qs->rx_alloc_fail, ps->rx_alloc_fail);
	u64_stats_add(&qs->rx_dropped, ps->rx_dropped);
	u64_stats_add(&qs->rx_csum_complete, ps->rx_csum_complete);
	u64_stats_add(&qs->napi_polls, ps->napi_polls);
	u64_stats_add(&qs->irq_recoveries, ps->irq_recoveries);
	u64_stats_update_end(&qs->napi_syncp);
}

/* One interrupt cycle is over: let DIM judge the traffic it carried. */
static void vnet_rx_dim_sample(struct vnet_q_vector *qv)
{
	struct dim_sample sample;

	dim_update_sample(++qv->dim_events, qv->dim_packets, qv->dim_bytes,
			  &sample);
	net_dim(&qv->rx_dim, &sample);
}

int vnet_poll(struct napi_struct *napi, int budget)
{
	struct vnet_q_vector *qv = container_of(napi, struct vnet_q_vector,
						napi);
	struct vnet_poll_stats ps = { .napi_polls = 1 };
	struct vnet_priv *priv = qv->priv;
	bool starved, complete;
	u32 icr, polls;
	int work;

	/* netpoll: reap TX only, and leave the causes to the real poll. */
	if (unlikely(!budget)) {
		vnet_clean_tx(qv, budget, &ps);
		vnet_poll_stats_publish(&qv->stats, &ps);
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
	work = vnet_clean_rx(qv, budget, &ps);
	/* The service task kicked us: did it find what no interrupt told? */
	if (unlikely(READ_ONCE(qv->kicked))) {
		WRITE_ONCE(qv->kicked, false);
		if (work || ps.tx_packets)
			ps.irq_recoveries++;
	}
	vnet_poll_stats_publish(&qv->stats, &ps);
	polls = ++qv->cycle_polls;
	qv->dim_packets += ps.rx_packets;
	qv->dim_bytes += ps.rx_bytes;

	if (work == budget) {
		trace_vnet_napi_poll(priv->netdev, qv->idx, work, budget,
				     ps.tx_packets, polls, false);
		return budget;
	}

	/*
	 * With no buffer posted nothing can be received, so no RX interrupt
	 * will come to retry the refill. Polling again at once would spin
	 * for as long as memory is short: retry from a timer instead.
	 */
	starved = qv->rx->next_to_use == qv->rx->next_to_clean;

	/* Reset first: once complete, the next cycle may start elsewhere. */
	qv->cycle_polls = 0;
	complete = napi_complete_done(napi, work);
	trace_vnet_napi_poll(priv->netdev, qv->idx, work, budget,
			     ps.tx_packets, polls, complete);
	if (complete && !test_bit(VNET_STATE_DOWN, &priv->state)) {
		if (unlikely(starved))
			mod_timer(&qv->refill_timer, jiffies +
				  msecs_to_jiffies(VNET_RX_REFILL_RETRY_MS));
		/* Pairs with the release in vnet_set_adaptive_rx(). */
		if (smp_load_acquire(&priv->adaptive_rx))
			vnet_rx_dim_sample(qv);
		vnet_wr32(priv, VNET_REG_Q(qv->idx, VNET_QREG_IMS), 1);
	}
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
 * With NAPI disabled and the rings stopped (the stats writer is this
 * context then): reap what the device completed but no poll collected, so
 * that counters and BQL stay exact, and count the frames it wrote back
 * that no poll will deliver now as dropped.
 */
void vnet_queue_reap(struct vnet_q_vector *qv)
{
	struct vnet_rx_desc *descs = qv->rx->desc;
	struct vnet_poll_stats ps = {};
	struct vnet_ring *rx = qv->rx;
	u32 i;

	vnet_clean_tx(qv, 0, &ps);
	for (i = rx->next_to_clean; i != rx->next_to_use;
	     i = vnet_ring_next(i, rx->size)) {
		/* Pairs with the device's release of DD, as in clean_rx. */
		if (!(le64_to_cpu(smp_load_acquire(&descs[i].cmd)) &
		      VNET_RXD_DD))
			break;
		ps.rx_dropped++;
	}
	vnet_poll_stats_publish(&qv->stats, &ps);
}

void vnet_qstats_read(const struct vnet_qstats *qs,
		      struct vnet_qstats_snap *snap)
{
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&qs->napi_syncp);
		snap->tx_packets = u64_stats_read(&qs->tx_packets);
		snap->tx_bytes = u64_stats_read(&qs->tx_bytes);
		snap->tx_wakes = u64_stats_read(&qs->tx_wakes);
		snap->rx_packets = u64_stats_read(&qs->rx_packets);
		snap->rx_bytes = u64_stats_read(&qs->rx_bytes);
		snap->rx_alloc_fail = u64_stats_read(&qs->rx_alloc_fail);
		snap->rx_dropped = u64_stats_read(&qs->rx_dropped);
		snap->rx_csum_complete = u64_stats_read(&qs->rx_csum_complete);
		snap->napi_polls = u64_stats_read(&qs->napi_polls);
		snap->irq_recoveries = u64_stats_read(&qs->irq_recoveries);
	} while (u64_stats_fetch_retry(&qs->napi_syncp, start));

	do {
		start = u64_stats_fetch_begin(&qs->xmit_syncp);
		snap->tx_stops = u64_stats_read(&qs->tx_stops);
		snap->tx_busy = u64_stats_read(&qs->tx_busy);
		snap->tx_tso = u64_stats_read(&qs->tx_tso);
		snap->tx_dropped = u64_stats_read(&qs->tx_dropped);
	} while (u64_stats_fetch_retry(&qs->xmit_syncp, start));
}
