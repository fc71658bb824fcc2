// SPDX-License-Identifier: GPL-2.0
/*
 * vnet AF_XDP zero-copy: a queue with an XSK buffer pool receives into the
 * pool's buffers (the socket's UMEM) and its XDP TX ring also sends from
 * the pool's TX ring. The other half of the datapath, next to napi.c.
 *
 * The device takes kernel virtual addresses in its descriptors (there is
 * no IOMMU in the emulation): a pool is mapped for the bus's device, as
 * AF_XDP wants of a zero-copy driver, but descriptors carry xdp->data and
 * xsk_buff_raw_get_data(), never the DMA addresses.
 */
#include <linux/bpf_trace.h>
#include <linux/filter.h>
#include <net/xdp_sock_drv.h>

#include "vnet.h"
#include "vnet_compat.h"

/* Setup */

/* The pool queue @q's rings take in configuration @cfg, if any. */
struct xsk_buff_pool *vnet_xsk_pool(struct vnet_priv *priv,
				    const struct vnet_ring_cfg *cfg, u32 q)
{
	ASSERT_RTNL();
	/* Only XDP's layout runs a program, which redirects to the socket. */
	if (!cfg->xdp || q >= cfg->num_queues)
		return NULL;
	return priv->xsk_pools[q];
}

/* The bytes of a frame one buffer of @pool holds, as the device counts. */
static u32 vnet_xsk_buf_len(struct xsk_buff_pool *pool)
{
	return min_t(u32, xsk_pool_get_rx_frame_size(pool),
		     FIELD_MAX(VNET_RXD_BUF_LEN_MASK));
}

/* Does every bound pool's buffer take the longest frame of @mtu? */
bool vnet_xsk_mtu_ok(struct vnet_priv *priv, unsigned int mtu)
{
	u32 q;

	for (q = 0; q < VNET_MAX_QUEUES; q++)
		if (priv->xsk_pools[q] &&
		    vnet_xsk_buf_len(priv->xsk_pools[q]) < vnet_max_frame(mtu))
			return false;
	return true;
}

/* The rings with a queue's pool change as the rings do: anew, swapped in. */
static int vnet_xsk_rings_update(struct vnet_priv *priv)
{
	if (!netif_running(priv->netdev) || !priv->cfg.xdp)
		return 0;
	return vnet_reconfigure(priv, &priv->cfg);
}

#ifdef VNET_HAVE_XSK_ZC
static int vnet_xsk_pool_enable(struct vnet_priv *priv,
				struct xsk_buff_pool *pool, u16 qid,
				struct netlink_ext_ack *extack)
{
	int err;

	if (qid >= priv->cfg.num_queues) {
		NL_SET_ERR_MSG_MOD(extack, "AF_XDP: no such queue");
		return -EINVAL;
	}
	if (priv->xsk_pools[qid])
		return -EBUSY;
	if (vnet_xsk_buf_len(pool) < vnet_max_frame(priv->netdev->mtu)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "AF_XDP: the pool's frames are too short for the MTU");
		return -EINVAL;
	}
	/* A frame the socket sends fills at most a chunk. */
	if (xsk_pool_get_chunk_size(pool) > VNET_HW_MAX_FRAME) {
		NL_SET_ERR_MSG_MOD(extack,
				   "AF_XDP: the pool's chunks are longer than the longest frame the device sends");
		return -EINVAL;
	}
	err = xsk_pool_dma_map(pool, vnet_hw_dma_dev(priv->hw), 0);
	if (err)
		return err;

	priv->xsk_pools[qid] = pool;
	err = vnet_xsk_rings_update(priv);
	if (err) {
		priv->xsk_pools[qid] = NULL;
		xsk_pool_dma_unmap(pool, 0);
	}
	return err;
}

/*
 * Unbinding cannot fail: the socket goes whatever the driver says, and its
 * pool with it. If no rings can be allocated to replace those holding the
 * pool's buffers, the interface is closed, which frees them.
 */
static int vnet_xsk_pool_disable(struct vnet_priv *priv, u16 qid)
{
	struct xsk_buff_pool *pool;
	int err;

	if (qid >= VNET_MAX_QUEUES || !priv->xsk_pools[qid])
		return -EINVAL;
	pool = priv->xsk_pools[qid];
	priv->xsk_pools[qid] = NULL;
	err = vnet_xsk_rings_update(priv);
	if (err) {
		netdev_err(priv->netdev,
			   "AF_XDP: queue %u keeps its pool (%d): closing\n",
			   qid, err);
		dev_close(priv->netdev);
	}
	xsk_pool_dma_unmap(pool, 0);
	return 0;
}

#endif

/* ndo_bpf XDP_SETUP_XSK_POOL: @pool to bind to queue @qid, NULL to unbind */
int vnet_xsk_pool_setup(struct vnet_priv *priv, struct xsk_buff_pool *pool,
			u16 qid, struct netlink_ext_ack *extack)
{
#ifdef VNET_HAVE_XSK_ZC
	if (pool)
		return vnet_xsk_pool_enable(priv, pool, qid, extack);
	return vnet_xsk_pool_disable(priv, qid);
#else
	return -EOPNOTSUPP;
#endif
}

/*
 * ndo_xsk_wakeup: the socket has filled its fill ring or queued frames
 * to send; the queue's NAPI does both. Runs in an RCU read-side section,
 * as ndo_xdp_xmit does, which vnet_down() waits out once DOWN is set.
 */
int vnet_xsk_wakeup(struct net_device *netdev, u32 qid, u32 flags)
{
	struct vnet_priv *priv = netdev_priv(netdev);
	struct vnet_rings *rings;
	struct vnet_q_vector *qv;

	if (unlikely(test_bit(VNET_STATE_DOWN, &priv->state)))
		return -ENETDOWN;
	/* Pairs with smp_mb__before_atomic() in vnet_up(). */
	smp_rmb();
	rings = READ_ONCE(priv->rings);
	if (unlikely(!rings || qid >= rings->cfg.num_queues ||
		     !rings->rx[qid].xsk_pool))
		return -ENXIO;
	qv = &priv->qv[qid];
	/* A poll running now polls again; else one is scheduled. */
	if (!napi_if_scheduled_mark_missed(&qv->napi)) {
		local_bh_disable();
		napi_schedule(&qv->napi);
		local_bh_enable();
	}
	return 0;
}

/* RX ring */

static void vnet_xsk_rx_post(struct vnet_ring *rx, u32 idx)
{
	struct vnet_rx_desc *desc = &rx->rx_desc[idx];
	struct xdp_buff *xdp = rx->rx_buf[idx].xsk;

	/*
	 * The device's address for the buffer is its kernel one: where
	 * xsk_buff_set_size() puts the frame (the batch allocation leaves
	 * xdp->data as the buffer's last user did).
	 */
	desc->addr = cpu_to_le64((uintptr_t)xdp->data_hard_start +
				 XDP_PACKET_HEADROOM);
	desc->cmd = cpu_to_le64(FIELD_PREP(VNET_RXD_BUF_LEN_MASK,
					   rx->buf_len));
}

/* As vnet_rx_rearm(): every buffer between clean and use posted anew. */
void vnet_xsk_rx_rearm(struct vnet_ring *rx)
{
	u32 i;

	for (i = rx->next_to_clean; i != rx->next_to_use;
	     i = vnet_ring_next(i, rx->size))
		vnet_xsk_rx_post(rx, i);
}

/*
 * Post a buffer of the pool in every free slot, as many as its fill ring
 * gives, and return how many. A fill ring that runs short counts in
 * rx_alloc_fail and asks the socket for a wakeup once it has refilled.
 */
static u32 vnet_xsk_rx_fill(struct vnet_ring *rx, u64 *alloc_fail)
{
	u32 ntu = rx->next_to_use, want, posted = 0;
	struct xsk_buff_pool *pool = rx->xsk_pool;

	want = vnet_ring_unused(rx->next_to_clean, ntu, rx->size);
	while (want) {
		/* The batch fills rx_buf in place, up to the ring's end. */
		u32 n = min(want, rx->size - ntu), got, i;

		got = xsk_buff_alloc_batch(pool, &rx->rx_buf[ntu].xsk, n);
		for (i = 0; i < got; i++)
			vnet_xsk_rx_post(rx, ntu + i);
		ntu = vnet_ring_add(ntu, got, rx->size);
		posted += got;
		want -= got;
		if (got < n)
			break;
	}
	rx->next_to_use = ntu;
	if (want)
		(*alloc_fail)++;
	if (xsk_uses_need_wakeup(pool)) {
		if (want)
			xsk_set_rx_need_wakeup(pool);
		else
			xsk_clear_rx_need_wakeup(pool);
	}
	return posted;
}

/*
 * An RX ring on @pool: XDP's registration with the pool as memory model.
 * Its buffers come when its queue starts (vnet_xsk_queue_start()).
 */
int vnet_xsk_rx_ring_init(struct net_device *netdev, struct vnet_ring *rx,
			  u32 q, u32 size, struct xsk_buff_pool *pool)
{
	int err;

	rx->size = size;
	rx->buf_len = vnet_xsk_buf_len(pool);
	rx->headroom = xsk_pool_get_headroom(pool);
	rx->rx_desc = kvcalloc(rx->size, sizeof(*rx->rx_desc), GFP_KERNEL);
	rx->rx_buf = kvcalloc(rx->size, sizeof(*rx->rx_buf), GFP_KERNEL);
	if (!rx->rx_desc || !rx->rx_buf)
		return -ENOMEM;
	rx->dma = (uintptr_t)rx->rx_desc;

	err = xdp_rxq_info_reg(&rx->xdp_rxq, netdev, q, 0);
	if (err)
		return err;
	err = xdp_rxq_info_reg_mem_model(&rx->xdp_rxq, MEM_TYPE_XSK_BUFF_POOL,
					 NULL);
	if (err) {
		xdp_rxq_info_unreg(&rx->xdp_rxq);
		return err;
	}
	rx->xdp = true;
	rx->xsk_pool = pool;
	return 0;
}

/* The pool's buffers the ring holds go back to it (the rest is napi.c's). */
void vnet_xsk_rx_ring_free(struct vnet_ring *rx)
{
	u32 i;

	for (i = 0; rx->rx_buf && i < rx->size; i++) {
		if (rx->rx_buf[i].xsk)
			xsk_buff_free(rx->rx_buf[i].xsk);
		rx->rx_buf[i].xsk = NULL;
	}
}

/*
 * A queue starts on its rings, NAPI not yet enabled: the pool's buffers
 * name this ring's xdp_rxq, and the ring takes what the fill ring has.
 * Only here: the pool's allocator is NAPI's alone while the queue runs,
 * and rings are allocated while the old ones still run (and may be freed
 * unused after a failed -L).
 */
void vnet_xsk_queue_start(struct vnet_q_vector *qv)
{
	struct vnet_ring *rx = qv->rx;
	u64 alloc_fail = 0;

	if (!rx->xsk_pool)
		return;
	xsk_pool_set_rxq_info(rx->xsk_pool, &rx->xdp_rxq);
	/* A short fill ring is no failure: the socket fills it later. */
	vnet_xsk_rx_fill(rx, &alloc_fail);
}

/*
 * Once the queue runs: a poll fills what the ring could not get at
 * allocation (the old rings still held the pool's buffers) and sends what
 * the socket queued meanwhile. No interrupt would come for either.
 */
void vnet_xsk_kick(struct vnet_q_vector *qv)
{
	if (!qv->rx->xsk_pool)
		return;
	local_bh_disable();
	napi_schedule(&qv->napi);
	local_bh_enable();
}

/* XDP_PASS: the frame is copied into an skb, its buffer back to the pool. */
static void vnet_xsk_rx_pass(struct vnet_q_vector *qv, struct xdp_buff *xdp,
			     u32 idx, u64 cmd, u64 wb,
			     struct vnet_poll_stats *ps)
{
	u32 metalen = xdp->data - xdp->data_meta;
	u32 len = xdp->data_end - xdp->data;
	struct sk_buff *skb = NULL;

	/*
	 * vnet_rx_deliver() does eth_type_trans(), GRO and the counters for
	 * every frame: xdp_build_skb_from_zc() (6.15+) would do the first.
	 */
	if (likely(len >= ETH_HLEN))
		skb = napi_alloc_skb(&qv->napi, metalen + len);
	if (unlikely(!skb)) {
		ps->ctr[VNET_QS_RX_DROPPED]++;
		xsk_buff_free(xdp);
		return;
	}
	skb_put_data(skb, xdp->data_meta, metalen + len);
	if (metalen) {
		__skb_pull(skb, metalen);
		skb_metadata_set(skb, metalen);
	}
	xsk_buff_free(xdp);
	vnet_rx_hash(qv->priv->netdev, skb, wb);
	vnet_rx_deliver(qv, skb, idx, cmd, true, ps);
}

/* XDP_TX: a copy of the frame goes out; the pool's buffer is freed. */
static bool vnet_xsk_rx_tx(struct vnet_q_vector *qv, struct xdp_buff *xdp)
{
	struct vnet_ring *tx = qv->xdp_tx;
	struct xdp_frame *xdpf;
	bool sent;

	/* Frees the pool's buffer once it has copied it. */
	xdpf = xdp_convert_buff_to_frame(xdp);
	if (unlikely(!xdpf)) {
		xsk_buff_free(xdp);
		return false;
	}
	spin_lock(&tx->xdp_lock);
	sent = vnet_xdp_post(tx, VNET_TX_XDP_FRAME, xdpf, xdpf->data,
			     xdpf->len, NULL);
	spin_unlock(&tx->xdp_lock);
	if (unlikely(!sent))
		xdp_return_frame(xdpf);
	return sent;
}

/*
 * Run @prog on a frame in a pool's buffer and carry out its verdict; no
 * program (it is being detached) passes. Counted as vnet_rx_xdp() counts.
 */
static void vnet_xsk_rx_xdp(struct vnet_q_vector *qv, struct bpf_prog *prog,
			    struct xdp_buff *xdp, u32 idx, u64 cmd, u64 wb,
			    struct vnet_poll_stats *ps)
{
	struct net_device *netdev = qv->priv->netdev;
	u32 len = xdp->data_end - xdp->data;
	u32 act = XDP_PASS;
	bool sent;

#ifdef VNET_HAVE_XSK_CB
	{
		/* The kfuncs' view lives in the buffer's driver area (cb). */
		struct vnet_xdp_buff *vxb = container_of(xdp,
							 struct vnet_xdp_buff,
							 xdp);

		XSK_CHECK_PRIV_TYPE(struct vnet_xdp_buff);
		vxb->wb = wb;
		vxb->frame = xdp->data;
		vxb->len = len;
	}
#endif
	if (prog)
		act = bpf_prog_run_xdp(prog, xdp);
	if (act == XDP_PASS) {
		if (prog)
			ps->ctr[VNET_QS_RX_XDP_PASS]++;
		vnet_xsk_rx_pass(qv, xdp, idx, cmd, wb, ps);
		return;
	}

	switch (act) {
	case XDP_REDIRECT:
		/* To the socket: zero-copy, the buffer is its now. */
		sent = !xdp_do_redirect(netdev, xdp, prog);
		break;
	case XDP_TX:
		sent = vnet_xsk_rx_tx(qv, xdp);
		break;
	default:
		sent = false;
		break;
	}
	/* A copy for XDP_TX took the buffer, sent or not. */
	if (!vnet_xdp_taken(qv, prog, act, sent, len, ps) && act != XDP_TX)
		xsk_buff_free(xdp);
}

/*
 * vnet_clean_rx() for a ring the pool fills: frames of one buffer only
 * (the pool's frame size holds the MTU's frame); one the device spread
 * over more is dropped whole, and counted once.
 */
int vnet_xsk_clean_rx(struct vnet_q_vector *qv, struct bpf_prog *prog,
		      int budget, struct vnet_poll_stats *ps)
{
	struct vnet_ring *rx = qv->rx;
	u32 ntc = rx->next_to_clean;
	int done = 0;

	while (done < budget && ntc != rx->next_to_use) {
		struct vnet_rx_desc *desc = &rx->rx_desc[ntc];
		struct xdp_buff *xdp;
		u32 len;
		u64 cmd;
		bool eop;

		/* dma_rmb() equivalent: DD before the length and the data. */
		cmd = le64_to_cpu(smp_load_acquire(&desc->cmd));
		if (!(cmd & VNET_RXD_DD))
			break;
		len = FIELD_GET(VNET_RXD_PKT_LEN_MASK, cmd);
		eop = cmd & VNET_RXD_EOP;
		xdp = rx->rx_buf[ntc].xsk;
		rx->rx_buf[ntc].xsk = NULL;
		if (unlikely(rx->discard || !eop || len > rx->buf_len)) {
			if (!rx->discard)
				ps->ctr[VNET_QS_RX_DROPPED]++;
			rx->discard = !eop;
			xsk_buff_free(xdp);
		} else {
			xsk_buff_set_size(xdp, len);
			vnet_compat_xsk_sync_for_cpu(xdp, rx->xsk_pool);
			vnet_xsk_rx_xdp(qv, prog, xdp, ntc, cmd,
					le64_to_cpu(READ_ONCE(desc->addr)), ps);
		}
		done += eop;
		ntc = vnet_ring_next(ntc, rx->size);
	}
	rx->next_to_clean = ntc;

	if (vnet_xsk_rx_fill(rx, &ps->ctr[VNET_QS_RX_ALLOC_FAIL]))
		vnet_wr32(qv->priv, VNET_REG_Q(qv->idx, VNET_QREG_RX_TAIL),
			  rx->next_to_use);
	return done;
}

/* TX */

/*
 * Send what the socket queued on its TX ring, at most @budget frames, on
 * the queue's XDP TX ring (under its lock: XDP_TX and ndo_xdp_xmit share
 * it). True if the ring may hold more: NAPI polls again.
 */
bool vnet_xsk_xmit(struct vnet_q_vector *qv, int budget)
{
	struct vnet_ring *tx = qv->xdp_tx;
	struct xsk_buff_pool *pool = tx->xsk_pool;
	u32 sent = 0, room;
	struct xdp_desc desc;

	spin_lock(&tx->xdp_lock);
	room = min_t(u32, budget, vnet_ring_unused(tx->next_to_clean,
						   tx->next_to_use,
						   tx->size));
	while (sent < room && xsk_tx_peek_desc(pool, &desc)) {
		dma_addr_t dma = xsk_buff_raw_get_dma(pool, desc.addr);
		void *data = xsk_buff_raw_get_data(pool, desc.addr);

		/* The mapping is AF_XDP's; the device reads @data. */
		xsk_buff_raw_dma_sync_for_device(pool, dma, desc.len);
		/* Any non-NULL owner: the frame is the pool's. */
		vnet_xdp_post(tx, VNET_TX_XSK, pool, data, desc.len, NULL);
		sent++;
	}
	if (sent) {
		vnet_xdp_doorbell(qv->priv, tx);
		xsk_tx_release(pool);
	}
	spin_unlock(&tx->xdp_lock);

	/* Nothing polls for more but a wakeup, or the reap's interrupt. */
	if (xsk_uses_need_wakeup(pool))
		xsk_set_tx_need_wakeup(pool);
	/* A full ring is reaped on its interrupt, which polls again. */
	return sent && sent == room;
}

/* The pool's frames the last reap (or a ring's end) let go of: complete. */
void vnet_xsk_tx_completed(struct vnet_ring *tx)
{
	if (!tx->xsk_done)
		return;
	xsk_tx_completed(tx->xsk_pool, tx->xsk_done);
	tx->xsk_done = 0;
}
