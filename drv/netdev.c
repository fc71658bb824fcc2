// SPDX-License-Identifier: GPL-2.0
/*
 * vnet netdev: probe/remove, open/stop, and reconfiguration (ring size,
 * MTU) done as "allocate new, quiesce, swap, restart".
 */
#include <linux/etherdevice.h>
#include <linux/netdevice.h>

#include "vnet.h"
#include "vnet_compat.h"
#include "vnet_trace.h"

/* Program one vector's moderation: RX from DIM if adaptive-rx is on. */
static void vnet_write_qitr(struct vnet_priv *priv, struct vnet_q_vector *qv)
{
	u32 rx_usecs = priv->rx_usecs, rx_frames = priv->rx_frames;
	u32 itr, frames;

	lockdep_assert_held(&priv->itr_lock);
	if (priv->adaptive_rx) {
		rx_usecs = qv->dim_usecs;
		rx_frames = qv->dim_frames;
	}
	itr = FIELD_PREP(VNET_ITR_RX_USECS_MASK, rx_usecs) |
	      FIELD_PREP(VNET_ITR_TX_USECS_MASK, priv->tx_usecs);
	frames = FIELD_PREP(VNET_ITR_RX_FRAMES_MASK, rx_frames) |
		 FIELD_PREP(VNET_ITR_TX_FRAMES_MASK, priv->tx_frames);
	vnet_wr32(priv, VNET_REG_Q(qv->idx, VNET_QREG_ITR), itr);
	vnet_wr32(priv, VNET_REG_Q(qv->idx, VNET_QREG_ITR_FRAMES), frames);
}

void vnet_write_itr(struct vnet_priv *priv)
{
	u32 q;

	mutex_lock(&priv->itr_lock);
	for (q = 0; q < VNET_MAX_QUEUES; q++)
		vnet_write_qitr(priv, &priv->qv[q]);
	mutex_unlock(&priv->itr_lock);
}

/* DIM's moderation for @qv's current profile, within the ITR fields. */
static void vnet_dim_apply_profile(struct vnet_q_vector *qv)
{
	struct dim *dim = &qv->rx_dim;
	struct dim_cq_moder m;

	m = net_dim_get_rx_moderation(dim->mode, dim->profile_ix);

	qv->dim_usecs = min_t(u32, m.usec, FIELD_MAX(VNET_ITR_RX_USECS_MASK));
	qv->dim_frames = min_t(u32, m.pkts,
			       FIELD_MAX(VNET_ITR_RX_FRAMES_MASK));
}

/* Measure afresh, from the lowest-latency profile, with no history. */
static void vnet_dim_start(struct vnet_q_vector *qv)
{
	struct dim *dim = &qv->rx_dim;

	dim->state = DIM_START_MEASURE;
	dim->prev_stats = (struct dim_stats){};
	dim->tune_state = DIM_GOING_RIGHT;
	dim->profile_ix = 0;
	dim->steps_left = 0;
	dim->steps_right = 0;
	dim->tired = 0;
	vnet_dim_apply_profile(qv);
}

/* DIM decided on a new profile for one queue: program it. */
static void vnet_rx_dim_work(struct work_struct *work)
{
	struct dim *dim = container_of(work, struct dim, work);
	struct vnet_q_vector *qv = container_of(dim, struct vnet_q_vector,
						rx_dim);
	struct vnet_priv *priv = qv->priv;

	mutex_lock(&priv->itr_lock);
	/* adaptive-rx may have been switched off since DIM decided. */
	if (priv->adaptive_rx) {
		vnet_dim_apply_profile(qv);
		vnet_write_qitr(priv, qv);
		trace_vnet_rx_dim(priv->netdev, qv->idx, dim->profile_ix,
				  qv->dim_usecs, qv->dim_frames);
	}
	mutex_unlock(&priv->itr_lock);
	dim->state = DIM_START_MEASURE;
}

/*
 * Switch adaptive-rx. On: every queue starts measuring afresh from the
 * lowest-latency profile. Off: once no poll can sample any more and no
 * work is left, the static rx-usecs/rx-frames apply again.
 */
void vnet_set_adaptive_rx(struct vnet_priv *priv, bool on)
{
	u32 q;

	ASSERT_RTNL();
	if (on == priv->adaptive_rx)
		return;

	if (!on) {
		mutex_lock(&priv->itr_lock);
		WRITE_ONCE(priv->adaptive_rx, false);
		mutex_unlock(&priv->itr_lock);
		/* NAPI polls sample with BHs off: an RCU grace period. */
		synchronize_net();
		for (q = 0; q < VNET_MAX_QUEUES; q++)
			cancel_work_sync(&priv->qv[q].rx_dim.work);
		vnet_write_itr(priv);
		return;
	}

	for (q = 0; q < VNET_MAX_QUEUES; q++)
		vnet_dim_start(&priv->qv[q]);
	mutex_lock(&priv->itr_lock);
	/* Polls see the reset state before they see adaptive-rx on. */
	smp_store_release(&priv->adaptive_rx, true);
	for (q = 0; q < VNET_MAX_QUEUES; q++)
		vnet_write_qitr(priv, &priv->qv[q]);
	mutex_unlock(&priv->itr_lock);
}

/*
 * The MAC is on the link while the interface is up; RX offloads follow the
 * features; RSS spreads over the queues that have rings.
 */
void vnet_write_ctrl(struct vnet_priv *priv)
{
	netdev_features_t features = priv->netdev->features;
	u32 ctrl;

	ctrl = FIELD_PREP(VNET_CTRL_RSS_QUEUES_MASK, priv->cfg.num_queues);
	if (netif_running(priv->netdev))
		ctrl |= VNET_CTRL_MAC_EN;
	if (features & NETIF_F_RXCSUM)
		ctrl |= VNET_CTRL_RX_CSUM;
	if (features & NETIF_F_RXHASH)
		ctrl |= VNET_CTRL_RX_HASH;
	vnet_wr32(priv, VNET_REG_CTRL, ctrl);
}

/*
 * Carrier follows the link while the datapath runs. While it is down for a
 * reconfiguration carrier stays as it was: vnet_up() reads the link again,
 * and vnet_stop() takes carrier off itself.
 */
void vnet_link_update(struct vnet_priv *priv)
{
	bool up = vnet_rd32(priv, VNET_REG_STATUS) & VNET_STATUS_LINK_UP;

	if (test_bit(VNET_STATE_DOWN, &priv->state))
		return;
	if (up)
		netif_carrier_on(priv->netdev);
	else
		netif_carrier_off(priv->netdev);
}

/* @block: the ring's registers in queue @q, VNET_QREG_TX_RING or _RX_RING */
static void vnet_ring_program(struct vnet_priv *priv, u32 q, u32 block,
			      const struct vnet_ring *ring)
{
	u64 dma = (uintptr_t)ring->desc;

	vnet_wr32(priv, VNET_REG_Q(q, block + VNET_RING_BASE_LO),
		  lower_32_bits(dma));
	vnet_wr32(priv, VNET_REG_Q(q, block + VNET_RING_BASE_HI),
		  upper_32_bits(dma));
	vnet_wr32(priv, VNET_REG_Q(q, block + VNET_RING_LEN), ring->size);
	/* Rings that come back up after a failed -L resume where they were. */
	vnet_wr32(priv, VNET_REG_Q(q, block + VNET_RING_HEAD),
		  ring->next_to_clean);
	vnet_wr32(priv, VNET_REG_Q(q, block + VNET_RING_CTRL),
		  VNET_RING_CTRL_ENABLE);
}

/*
 * A queue's NAPI exists while the queue has rings, under the queue's
 * index: NAPIs come and go with -L in queue order, and on kernels with
 * per-NAPI config (6.13+) their IDs and settings (threaded,
 * defer-hard-irqs) persist across -L and down/up.
 */
static void vnet_napi_add(struct vnet_priv *priv, struct vnet_q_vector *qv)
{
	struct net_device *netdev = priv->netdev;

	netif_napi_add_config(netdev, &qv->napi, vnet_poll, qv->idx);
	napi_enable(&qv->napi);
	netif_queue_set_napi(netdev, qv->idx, NETDEV_QUEUE_TYPE_RX, &qv->napi);
	netif_queue_set_napi(netdev, qv->idx, NETDEV_QUEUE_TYPE_TX, &qv->napi);
}

/* The reverse, with NAPI disabled; an RCU grace period must follow. */
static void vnet_napi_del(struct vnet_priv *priv, struct vnet_q_vector *qv)
{
	struct net_device *netdev = priv->netdev;

	netif_queue_set_napi(netdev, qv->idx, NETDEV_QUEUE_TYPE_RX, NULL);
	netif_queue_set_napi(netdev, qv->idx, NETDEV_QUEUE_TYPE_TX, NULL);
	__netif_napi_del(&qv->napi);
}

/*
 * Once a second while the device is up: a vector that neither fired nor
 * was polled since the last look may have lost an interrupt (it then stays
 * masked with causes pending). Kick its NAPI; the poll unmasks it when
 * done. A disabled or already scheduled NAPI is left alone.
 */
static void vnet_service_work(struct work_struct *work)
{
	struct vnet_priv *priv = container_of(to_delayed_work(work),
					      struct vnet_priv, service_work);
	u32 nq = READ_ONCE(priv->cfg.num_queues);
	u32 q;

	for (q = 0; q < nq; q++) {
		struct vnet_q_vector *qv = &priv->qv[q];
		struct vnet_qstats_snap snap;
		u64 events;

		vnet_qstats_read(&qv->stats, &snap);
		events = snap.napi_polls +
			 vnet_hw_rd64(priv->hw,
				      VNET_REG_Q_STAT(q, VNET_HW_STAT_IRQS));
		if (events == qv->service_events &&
		    !test_bit(VNET_STATE_DOWN, &priv->state)) {
			local_bh_disable();
			if (napi_schedule_prep(&qv->napi)) {
				WRITE_ONCE(qv->kicked, true);
				__napi_schedule(&qv->napi);
			}
			local_bh_enable();
		}
		qv->service_events = events;
	}
	schedule_delayed_work(&priv->service_work, HZ);
}

static void vnet_service_start(struct vnet_priv *priv)
{
	u32 q;

	/* The first look only takes the baseline. */
	for (q = 0; q < VNET_MAX_QUEUES; q++)
		priv->qv[q].service_events = U64_MAX;
	schedule_delayed_work(&priv->service_work, HZ);
}

/* Start the datapath on fully allocated rings. Cannot fail. */
static void vnet_up(struct vnet_priv *priv, struct vnet_rings *rings)
{
	struct net_device *netdev = priv->netdev;
	u32 q, nq = rings->cfg.num_queues;

	priv->rings = rings;
	for (q = 0; q < nq; q++) {
		struct vnet_q_vector *qv = &priv->qv[q];

		qv->tx = &rings->tx[q];
		qv->rx = &rings->rx[q];
		/* Vectors come up masked; nothing fires before the unmask. */
		vnet_hw_request_irq(priv->hw, q, vnet_irq, qv);
		vnet_rx_rearm(qv->rx);
		vnet_ring_program(priv, q, VNET_QREG_TX_RING, qv->tx);
		vnet_ring_program(priv, q, VNET_QREG_RX_RING, qv->rx);
		vnet_wr32(priv, VNET_REG_Q(q, VNET_QREG_RX_TAIL),
			  qv->rx->next_to_use);
		/*
		 * Rings brought back after a failed -L may hold frames posted
		 * but never sent (a hung engine; a netpoll doorbell whose
		 * deferred service the ring reset cancelled): BQL still counts
		 * them, so send them now.
		 */
		if (qv->tx->next_to_use != qv->tx->next_to_clean)
			vnet_wr32(priv, VNET_REG_Q(q, VNET_QREG_TX_TAIL),
				  qv->tx->next_to_use);
		/* DIM's first sample after a down is a new start. */
		qv->rx_dim.state = DIM_START_MEASURE;
		vnet_napi_add(priv, qv);
	}

	/* RSS may now pick the new queues; the MAC joins the link if open. */
	vnet_write_ctrl(priv);

	clear_bit(VNET_STATE_DOWN, &priv->state);
	/*
	 * Wake, not start: after -G/-L/MTU the qdiscs may hold packets queued
	 * while xmit was stopped, and only a wake runs them again. TCP would
	 * not retransmit what still sits in a qdisc, so the flow would stall.
	 */
	netif_tx_wake_all_queues(netdev);
	/*
	 * Carrier before unmasking: a link change that follows is then
	 * reported by queue 0's poll, never overwritten by this read.
	 */
	vnet_link_update(priv);
	for (q = 0; q < nq; q++)
		vnet_wr32(priv, VNET_REG_Q(q, VNET_QREG_IMS), 1);
	vnet_service_start(priv);
}

/*
 * Stop every TX queue; no xmit runs once this returns. The link stays up
 * through a reconfiguration (pktgen, bonding and routing daemons all act
 * on carrier), so the TX watchdog, which times each stopped queue from its
 * last transmit, must not count the pause: restart its clock.
 */
static void vnet_tx_pause(struct net_device *netdev)
{
	u32 q;

	/* First: the watchdog may run as soon as a queue is stopped. */
	for (q = 0; q < netdev->num_tx_queues; q++)
		txq_trans_cond_update(netdev_get_tx_queue(netdev, q));
	/* Takes every xmit lock: no doorbell is in flight after this. */
	netif_tx_disable(netdev);
}

/*
 * Quiesce the datapath and hand back its rings, still holding buffers and
 * the frames posted on them, which BQL still counts: vnet_rings_retire()
 * lets go of both, or vnet_up() resumes the rings where they stopped.
 * Also runs for ethtool -G and MTU changes, with the qdisc live: NAPI goes
 * first so that no TX completion can wake a queue once xmit is stopped.
 */
static struct vnet_rings *vnet_down(struct vnet_priv *priv)
{
	struct vnet_rings *rings = priv->rings;
	u32 q, nq = rings->cfg.num_queues;

	/*
	 * The service task kicks NAPIs, which are about to go: it stops first
	 * (it takes no RTNL, so waiting for it here is safe).
	 */
	cancel_delayed_work_sync(&priv->service_work);
	/* Polls stop unmasking, waking and raising carrier from here on. */
	set_bit(VNET_STATE_DOWN, &priv->state);
	for (q = 0; q < nq; q++)
		vnet_wr32(priv, VNET_REG_Q(q, VNET_QREG_IMC), 1);
	for (q = 0; q < nq; q++) {
		napi_disable(&priv->qv[q].napi);
		/* Only a poll arms it, and none runs any more. */
		timer_delete_sync(&priv->qv[q].refill_timer);
	}
	/*
	 * A profile DIM chose last may still be on its way to the device: let
	 * it land, so that DIM leaves its "applying" state (a cancelled work
	 * would leave it there and the queue would never adapt again).
	 */
	for (q = 0; q < nq; q++)
		flush_work(&priv->qv[q].rx_dim.work);

	vnet_tx_pause(priv->netdev);

	/* The device stops touching the rings and raising causes... */
	for (q = 0; q < nq; q++) {
		vnet_wr32(priv, VNET_REG_Q(q, VNET_QREG_TX_CTRL), 0);
		vnet_wr32(priv, VNET_REG_Q(q, VNET_QREG_RX_CTRL), 0);
	}
	/*
	 * ...and its vectors stay masked with no timer or handler running:
	 * one wait for all of them, not a grace period per vector under RTNL.
	 * It is also the grace period the deleted NAPIs need before they can
	 * be added again.
	 */
	for (q = 0; q < nq; q++) {
		vnet_hw_free_irq(priv->hw, q);
		vnet_napi_del(priv, &priv->qv[q]);
	}
	vnet_hw_sync_irqs(priv->hw);

	for (q = 0; q < nq; q++) {
		struct vnet_q_vector *qv = &priv->qv[q];

		vnet_queue_reap(qv);
		qv->tx = NULL;
		qv->rx = NULL;
	}

	priv->rings = NULL;
	return rings;
}

/*
 * Let go of rings vnet_down() returned: frames that never completed are
 * freed with them, so BQL forgets them too, before any new ring starts.
 */
static void vnet_rings_retire(struct vnet_priv *priv, struct vnet_rings *old)
{
	u32 q;

	for (q = 0; q < old->cfg.num_queues; q++)
		netdev_tx_reset_queue(netdev_get_tx_queue(priv->netdev, q));
	vnet_rings_free(old);
}

static int vnet_set_num_queues(struct vnet_priv *priv, u32 nq)
{
	return netif_set_real_num_queues(priv->netdev, nq, nq);
}

/*
 * Apply a new ring configuration. While the device is up the new rings are
 * allocated first; the queue count is the one step that can still fail
 * once the old rings are down, and then the old rings come back up.
 */
int vnet_reconfigure(struct vnet_priv *priv, const struct vnet_ring_cfg *cfg)
{
	struct vnet_rings *rings, *old;
	int err;

	ASSERT_RTNL();
	if (!netif_running(priv->netdev)) {
		err = vnet_set_num_queues(priv, cfg->num_queues);
		if (!err)
			priv->cfg = *cfg;
		return err;
	}

	rings = vnet_rings_alloc(priv, cfg);
	if (IS_ERR(rings))
		return PTR_ERR(rings);

	old = vnet_down(priv);
	err = vnet_set_num_queues(priv, cfg->num_queues);
	if (err) {
		/* BQL still counts what the old rings hold: resume them. */
		vnet_up(priv, old);
		vnet_rings_free(rings);
		return err;
	}
	priv->cfg = *cfg;
	vnet_rings_retire(priv, old);
	vnet_up(priv, rings);
	trace_vnet_ring_resize(priv->netdev, cfg->num_queues, cfg->tx_size,
			       cfg->rx_size, cfg->rx_buf_len);
	return 0;
}

static int vnet_open(struct net_device *netdev)
{
	struct vnet_priv *priv = netdev_priv(netdev);
	struct vnet_rings *rings;

	rings = vnet_rings_alloc(priv, &priv->cfg);
	if (IS_ERR(rings))
		return PTR_ERR(rings);

	vnet_up(priv, rings);
	return 0;
}

static int vnet_stop(struct net_device *netdev)
{
	struct vnet_priv *priv = netdev_priv(netdev);
	struct vnet_rings *old;

	/* netif_running() is false here: this takes the MAC off the link. */
	vnet_write_ctrl(priv);
	old = vnet_down(priv);
	/* No poll can raise it again now. */
	netif_carrier_off(netdev);
	vnet_rings_retire(priv, old);
	return 0;
}

static int vnet_set_features(struct net_device *netdev,
			     netdev_features_t features)
{
	struct vnet_priv *priv = netdev_priv(netdev);

	/* The RX offloads are device settings; TX ones are per descriptor. */
	netdev->features = features;
	vnet_write_ctrl(priv);
	return 0;
}

static int vnet_change_mtu(struct net_device *netdev, int new_mtu)
{
	struct vnet_priv *priv = netdev_priv(netdev);
	struct vnet_ring_cfg cfg = priv->cfg;
	int err;

	/* RX buffers are sized from the MTU: re-post them all. */
	cfg.rx_buf_len = vnet_rx_buf_len(new_mtu);
	err = vnet_reconfigure(priv, &cfg);
	if (err)
		return err;

	WRITE_ONCE(netdev->mtu, new_mtu);
	return 0;
}

/*
 * The stack's watchdog saw a stopped TX queue make no progress. Called
 * with every TX queue frozen: the reset runs from a work item.
 */
static void vnet_tx_timeout(struct net_device *netdev, unsigned int txqueue)
{
	struct vnet_priv *priv = netdev_priv(netdev);

	atomic64_inc(&priv->dev_stats[VNET_DEV_STAT_TX_TIMEOUTS]);
	netdev_err(netdev, "TX queue %u hung, resetting the datapath\n",
		   txqueue);
	schedule_work(&priv->reset_work);
}

/*
 * Reset: fresh rings swapped in as for ethtool -G. Disabling the old rings
 * resets the device's engines; descriptors that never completed are freed
 * with their skbs, BQL is reset and the queues are woken.
 */
static void vnet_reset_work(struct work_struct *work)
{
	struct vnet_priv *priv = container_of(work, struct vnet_priv,
					      reset_work);
	int err;

	rtnl_lock();
	if (netif_running(priv->netdev)) {
		err = vnet_reconfigure(priv, &priv->cfg);
		if (err)
			netdev_err(priv->netdev, "reset failed: %d\n", err);
		else
			atomic64_inc(&priv->dev_stats[VNET_DEV_STAT_RESETS]);
	}
	rtnl_unlock();
}

static u64 vnet_read_hw_stat(struct vnet_priv *priv, u32 q,
			     enum vnet_hw_stat n)
{
	return vnet_hw_rd64(priv->hw, VNET_REG_Q_STAT(q, n));
}

/* Counters of every queue, active or not: totals survive channel changes. */
static void vnet_get_stats64(struct net_device *netdev,
			     struct rtnl_link_stats64 *stats)
{
	struct vnet_priv *priv = netdev_priv(netdev);
	struct vnet_qstats_snap snap;
	u32 q;

	for (q = 0; q < VNET_MAX_QUEUES; q++) {
		vnet_qstats_read(&priv->qv[q].stats, &snap);
		stats->tx_packets += snap.tx_packets;
		stats->tx_bytes += snap.tx_bytes;
		stats->rx_packets += snap.rx_packets;
		stats->rx_bytes += snap.rx_bytes;
		stats->rx_dropped += snap.rx_dropped;
		stats->tx_dropped += snap.tx_dropped;

		stats->rx_missed_errors +=
			vnet_read_hw_stat(priv, q, VNET_HW_STAT_RX_MISSED);
		stats->rx_length_errors +=
			vnet_read_hw_stat(priv, q, VNET_HW_STAT_RX_OVERSIZE);
		stats->tx_errors +=
			vnet_read_hw_stat(priv, q, VNET_HW_STAT_TX_ERRORS);
		stats->tx_carrier_errors +=
			vnet_read_hw_stat(priv, q, VNET_HW_STAT_TX_NO_LINK);
	}
	stats->rx_errors = stats->rx_length_errors;
	stats->tx_errors += stats->tx_carrier_errors;
}

static const struct net_device_ops vnet_netdev_ops = {
	.ndo_open		= vnet_open,
	.ndo_stop		= vnet_stop,
	.ndo_start_xmit		= vnet_start_xmit,
	.ndo_features_check	= vnet_features_check,
	.ndo_set_features	= vnet_set_features,
	.ndo_change_mtu		= vnet_change_mtu,
	.ndo_get_stats64	= vnet_get_stats64,
	.ndo_tx_timeout		= vnet_tx_timeout,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
};

struct vnet_priv *vnet_probe(struct vnet_hw *hw, u32 num_queues)
{
	struct net_device *netdev;
	struct vnet_priv *priv;
	u8 key[VNET_HW_RSS_KEY_LEN];
	u8 addr[ETH_ALEN];
	u32 lo, hi, nq, q;
	int err;

	if (vnet_hw_rd32(hw, VNET_REG_ID) != VNET_HW_ID)
		return ERR_PTR(-ENODEV);
	nq = FIELD_GET(VNET_CAP_MAX_QUEUES_MASK,
		       vnet_hw_rd32(hw, VNET_REG_CAP));
	nq = clamp_t(u32, nq, 1, VNET_MAX_QUEUES);

	netdev = alloc_netdev_mqs(sizeof(*priv), "vnet%d", NET_NAME_ENUM,
				  ether_setup, nq, nq);
	if (!netdev)
		return ERR_PTR(-ENOMEM);

	priv = netdev_priv(netdev);
	priv->netdev = netdev;
	priv->hw = hw;
	set_bit(VNET_STATE_DOWN, &priv->state);
	priv->cfg.num_queues = clamp(num_queues, 1, nq);
	priv->cfg.tx_size = VNET_DEF_RING_SIZE;
	priv->cfg.rx_size = VNET_DEF_RING_SIZE;
	priv->cfg.rx_buf_len = vnet_rx_buf_len(ETH_DATA_LEN);
	priv->rx_usecs = VNET_DEF_RX_USECS;
	priv->tx_usecs = VNET_DEF_TX_USECS;
	mutex_init(&priv->itr_lock);
	INIT_WORK(&priv->reset_work, vnet_reset_work);
	INIT_DELAYED_WORK(&priv->service_work, vnet_service_work);

	netdev->netdev_ops = &vnet_netdev_ops;
	netdev->ethtool_ops = &vnet_ethtool_ops;
	netdev->watchdog_timeo = 5 * HZ;
	netdev->min_mtu = ETH_MIN_MTU;
	netdev->max_mtu = VNET_MAX_MTU;
	netdev->hw_features = NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_TSO |
			      NETIF_F_TSO6 | NETIF_F_RXCSUM | NETIF_F_RXHASH;
	netdev->features = netdev->hw_features;
	/* The device parses past one VLAN tag for TSO and checksums. */
	netdev->vlan_features = NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_TSO |
				NETIF_F_TSO6;
	netif_set_tso_max_size(netdev, VNET_HW_MAX_TSO);

	netdev_rss_key_fill(key, sizeof(key));
	for (q = 0; q < VNET_RSS_KEY_REGS; q++)
		vnet_hw_wr32(hw, VNET_REG_RSS_KEY(q),
			     get_unaligned_le32(&key[q * 4]));

	lo = vnet_hw_rd32(hw, VNET_REG_MAC_LO);
	hi = vnet_hw_rd32(hw, VNET_REG_MAC_HI);
	for (q = 0; q < ETH_ALEN; q++)
		addr[q] = (q < 4 ? lo >> (8 * q) : hi >> (8 * (q - 4))) & 0xff;
	eth_hw_addr_set(netdev, addr);

	for (q = 0; q < VNET_MAX_QUEUES; q++) {
		struct vnet_q_vector *qv = &priv->qv[q];

		qv->priv = priv;
		qv->idx = q;
		u64_stats_init(&qv->stats.napi_syncp);
		u64_stats_init(&qv->stats.xmit_syncp);
		vnet_rx_refill_init(qv);
		INIT_WORK(&qv->rx_dim.work, vnet_rx_dim_work);
		qv->rx_dim.mode = DIM_CQ_PERIOD_MODE_START_FROM_EQE;
	}

	err = netif_set_real_num_queues(netdev, priv->cfg.num_queues,
					priv->cfg.num_queues);
	if (err)
		goto err_free_netdev;

	for (q = 0; q < VNET_MAX_QUEUES; q++)
		vnet_dim_start(&priv->qv[q]);
	priv->adaptive_rx = VNET_DEF_ADAPTIVE_RX;
	vnet_write_itr(priv);
	/* No link until open finds one; also gives the first up an event. */
	netif_carrier_off(netdev);

	err = register_netdev(netdev);
	if (err)
		goto err_free_netdev;

	netdev_info(netdev, "%s rev %u, %pM\n", vnet_hw_bus_name(hw),
		    vnet_hw_rd32(hw, VNET_REG_REV), netdev->dev_addr);
	return priv;

err_free_netdev:
	mutex_destroy(&priv->itr_lock);
	free_netdev(netdev);
	return ERR_PTR(err);
}

void vnet_remove(struct vnet_priv *priv)
{
	struct net_device *netdev = priv->netdev;

	/*
	 * Closes the device first if it is up (which stops the service
	 * task); no watchdog runs after.
	 */
	unregister_netdev(netdev);
	cancel_work_sync(&priv->reset_work);
	mutex_destroy(&priv->itr_lock);
	free_netdev(netdev);
}
