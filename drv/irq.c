// SPDX-License-Identifier: GPL-2.0
/*
 * vnet interrupts: the vector handler, its mask, moderation (static ITR
 * and DIM's adaptive-rx), link changes, and the service task that finds a
 * vector that lost its interrupt.
 */
#include <linux/interrupt.h>
#include <linux/netdevice.h>

#include "vnet.h"
#include "vnet_compat.h"
#include "vnet_trace.h"

static irqreturn_t vnet_irq(int vec, void *data)
{
	struct vnet_q_vector *qv = data;

	/*
	 * The vector auto-masked; NAPI unmasks it when it is done. A vector
	 * lending its TX ring to XDP wakes the NAPI of the queue it serves.
	 */
	napi_schedule(&READ_ONCE(qv->irq_qv)->napi);
	return IRQ_HANDLED;
}

/*
 * Probe: queue N's vector starts on the Nth CPU, as drivers spread their
 * vectors, instead of every CPU (the default). It is the initial setting
 * only: a user's smp_affinity replaces it and outlives down/up. Should it
 * fail, the default stays.
 */
void vnet_irq_spread(struct vnet_q_vector *qv)
{
	unsigned int cpu = cpumask_local_spread(qv->idx, NUMA_NO_NODE);

	if (irq_set_affinity(qv->irq, cpumask_of(cpu)))
		netdev_dbg(qv->priv->netdev, "IRQ %u stays on every CPU\n",
			   qv->irq);
}

/*
 * Every vector the device has is requested while the interface is up,
 * used by a queue or not (as gve does): -L and -G then never request or
 * free an IRQ, and cannot fail for it. The vectors are masked until the
 * queue's NAPI unmasks them. An IRQ keeps its affinity when freed, so the
 * user's smp_affinity survives down/up.
 */
int vnet_irqs_request(struct vnet_priv *priv)
{
	struct vnet_q_vector *qv;
	u32 q;
	int err;

	for (q = 0; q < priv->max_queues; q++) {
		qv = &priv->qv[q];
		snprintf(qv->irq_name, sizeof(qv->irq_name), "%s-TxRx-%u",
			 priv->netdev->name, q);
		err = request_irq(qv->irq, vnet_irq, 0, qv->irq_name, qv);
		if (err) {
			netdev_err(priv->netdev, "request_irq %s: %d\n",
				   qv->irq_name, err);
			goto err_free;
		}
	}
	return 0;

err_free:
	while (q--)
		free_irq(priv->qv[q].irq, &priv->qv[q]);
	return err;
}

/* Every vector masked: no handler runs once this returns. */
void vnet_irqs_free(struct vnet_priv *priv)
{
	u32 q;

	for (q = 0; q < priv->max_queues; q++)
		free_irq(priv->qv[q].irq, &priv->qv[q]);
}

void vnet_irq_unmask(struct vnet_q_vector *qv)
{
	vnet_wr32(qv->priv, VNET_REG_Q(qv->idx, VNET_QREG_IMS), 1);
}

void vnet_irq_mask(struct vnet_q_vector *qv)
{
	vnet_wr32(qv->priv, VNET_REG_Q(qv->idx, VNET_QREG_IMC), 1);
}

/* The vector masked: a handler that already started has finished. */
void vnet_irq_sync(struct vnet_q_vector *qv)
{
	synchronize_irq(qv->irq);
}

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
	/* DIM's contract: the profile is applied, measure again. */
	dim->state = DIM_START_MEASURE;
}

/*
 * A DIM as drivers start one (zeroed, with its mode and work): it measures
 * afresh from the lowest-latency profile, with no history. Its work must
 * not be queued or running.
 */
void vnet_dim_init(struct vnet_q_vector *qv)
{
	qv->rx_dim = (struct dim){
		.mode = DIM_CQ_PERIOD_MODE_START_FROM_EQE,
	};
	INIT_WORK(&qv->rx_dim.work, vnet_rx_dim_work);
	vnet_dim_apply_profile(qv);
}

/*
 * After a down: the next sample starts a new measurement, as the DIM work
 * does after applying a profile (DIM's contract). Unlike vnet_dim_init(),
 * the profile DIM chose is kept across down/up.
 */
void vnet_dim_restart(struct vnet_q_vector *qv)
{
	qv->rx_dim.state = DIM_START_MEASURE;
}

/*
 * A profile DIM chose last may still be on its way to the device: let it
 * land, so that DIM leaves its "applying" state (a cancelled work would
 * leave it there and the queue would never adapt again).
 */
void vnet_dim_flush(struct vnet_q_vector *qv)
{
	flush_work(&qv->rx_dim.work);
}

/*
 * One interrupt cycle is over: let DIM judge the traffic it carried
 * (NAPI counts it in dim_packets and dim_bytes).
 */
void vnet_rx_dim_sample(struct vnet_q_vector *qv)
{
	struct dim_sample sample;

	/* Pairs with the release in vnet_set_adaptive_rx(). */
	if (!smp_load_acquire(&qv->priv->adaptive_rx))
		return;
	dim_update_sample(++qv->dim_events, qv->dim_packets, qv->dim_bytes,
			  &sample);
	net_dim(&qv->rx_dim, &sample);
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

	/* Off until now: no poll has sampled, no work is queued. */
	for (q = 0; q < VNET_MAX_QUEUES; q++)
		vnet_dim_init(&priv->qv[q]);
	mutex_lock(&priv->itr_lock);
	/* Polls see the reset state before they see adaptive-rx on. */
	smp_store_release(&priv->adaptive_rx, true);
	for (q = 0; q < VNET_MAX_QUEUES; q++)
		vnet_write_qitr(priv, &priv->qv[q]);
	mutex_unlock(&priv->itr_lock);
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

/* Interrupts plus NAPI polls of one queue so far. */
static u64 vnet_queue_events(struct vnet_q_vector *qv)
{
	u64 snap[VNET_QS_NR];

	vnet_qstats_read(&qv->stats, snap);
	return snap[VNET_QS_NAPI_POLLS] +
	       vnet_rd64(qv->priv, VNET_REG_Q_STAT(qv->idx,
						   VNET_HW_STAT_IRQS));
}

/*
 * An XDP TX ring is none of the stack's queues, so no watchdog sees its
 * engine hang: frames pending and none completed for as long as the
 * stack's watchdog waits (lost interrupts kicked meanwhile) is a hang.
 */
static bool vnet_xdp_tx_hung(struct vnet_q_vector *qv)
{
	struct vnet_ring *tx = qv->xdp_tx;
	u32 ntc;

	if (!tx)
		return false;
	ntc = READ_ONCE(tx->next_to_clean);
	if (ntc == READ_ONCE(tx->next_to_use) || ntc != qv->xdp_tx_ntc) {
		qv->xdp_tx_ntc = ntc;
		qv->xdp_tx_stuck = 0;
		return false;
	}
	return ++qv->xdp_tx_stuck * HZ >= qv->priv->netdev->watchdog_timeo;
}

static void vnet_xdp_tx_watchdog(struct vnet_q_vector *qv)
{
	struct vnet_priv *priv = qv->priv;

	if (!vnet_xdp_tx_hung(qv))
		return;
	atomic64_inc(&priv->dev_stats[VNET_DEV_STAT_TX_TIMEOUTS]);
	netdev_err(priv->netdev,
		   "XDP TX ring of queue %u hung, resetting the datapath\n",
		   qv->idx);
	qv->xdp_tx_stuck = 0;
	schedule_work(&priv->reset_work);
}

/*
 * Once a second while the device is up: a vector that neither fired nor
 * was polled since the last look may have lost an interrupt (it then stays
 * masked with causes pending). Kick its NAPI; the poll unmasks it when
 * done. A disabled or already scheduled NAPI is left alone. A hung XDP TX
 * ring resets the datapath, as the stack's watchdog does for its queues.
 */
static void vnet_service_work(struct work_struct *work)
{
	struct vnet_priv *priv = container_of(to_delayed_work(work),
					      struct vnet_priv, service_work);
	u32 nq = READ_ONCE(priv->cfg.num_queues);
	u32 q;

	for (q = 0; q < nq; q++) {
		struct vnet_q_vector *qv = &priv->qv[q];
		u64 events = vnet_queue_events(qv);

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
		vnet_xdp_tx_watchdog(qv);
	}
	schedule_delayed_work(&priv->service_work, HZ);
}

void vnet_service_init(struct vnet_priv *priv)
{
	INIT_DELAYED_WORK(&priv->service_work, vnet_service_work);
}

void vnet_service_start(struct vnet_priv *priv)
{
	u32 q;

	/* The first look only takes the baseline. */
	for (q = 0; q < VNET_MAX_QUEUES; q++) {
		priv->qv[q].service_events = U64_MAX;
		priv->qv[q].xdp_tx_stuck = 0;
	}
	schedule_delayed_work(&priv->service_work, HZ);
}

/*
 * It kicks NAPIs, so it stops before they go. It takes no RTNL, so
 * vnet_down() may wait for it under RTNL.
 */
void vnet_service_stop(struct vnet_priv *priv)
{
	cancel_delayed_work_sync(&priv->service_work);
}
