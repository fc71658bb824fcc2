// SPDX-License-Identifier: GPL-2.0
/*
 * vnet netdev: probe/remove, open/stop, bring-up and teardown of the
 * datapath, and reconfiguration (rings, channels) done as "allocate
 * new, quiesce, swap, restart".
 */
#include <linux/bpf.h>
#include <linux/etherdevice.h>
#include <linux/netdevice.h>

#include "vnet.h"
#include "vnet_compat.h"
#include "vnet_trace.h"

/*
 * The MAC is on the link while the interface is up; RX offloads follow the
 * features, the longest frame it takes the MTU.
 */
static void vnet_write_ctrl(struct vnet_priv *priv)
{
	netdev_features_t features = priv->netdev->features;
	u32 ctrl;

	ctrl = 0;
	if (netif_running(priv->netdev))
		ctrl |= VNET_CTRL_MAC_EN;
	if (features & NETIF_F_RXCSUM)
		ctrl |= VNET_CTRL_RX_CSUM;
	if (features & NETIF_F_RXHASH)
		ctrl |= VNET_CTRL_RX_HASH;
	if (features & NETIF_F_NTUPLE)
		ctrl |= VNET_CTRL_FLT_EN;
	if (features & NETIF_F_GRO_HW)
		ctrl |= VNET_CTRL_RX_RSC;
	vnet_wr32(priv, VNET_REG_MAX_FRAME,
		  vnet_max_frame(READ_ONCE(priv->netdev->mtu)));
	vnet_wr32(priv, VNET_REG_RSC_USECS, priv->rsc_usecs);
	vnet_wr32(priv, VNET_REG_CTRL, ctrl);
}

/* @block: the ring's registers in queue @q, VNET_QREG_TX_RING or _RX_RING */
static void vnet_ring_program(struct vnet_priv *priv, u32 q, u32 block,
			      const struct vnet_ring *ring)
{
	vnet_wr32(priv, VNET_REG_Q(q, block + VNET_RING_BASE_LO),
		  lower_32_bits(ring->dma));
	vnet_wr32(priv, VNET_REG_Q(q, block + VNET_RING_BASE_HI),
		  upper_32_bits(ring->dma));
	vnet_wr32(priv, VNET_REG_Q(q, block + VNET_RING_LEN), ring->size);
	/* Rings that come back up after a failed -L resume where they were. */
	vnet_wr32(priv, VNET_REG_Q(q, block + VNET_RING_HEAD),
		  ring->next_to_clean);
	vnet_wr32(priv, VNET_REG_Q(q, block + VNET_RING_CTRL),
		  VNET_RING_CTRL_ENABLE);
}

/*
 * Resend what a TX ring holds posted but never sent: rings brought back
 * after a failed -L may hold such frames (a hung engine; a netpoll
 * doorbell whose deferred service the ring reset cancelled), and BQL
 * still counts them.
 */
static void vnet_tx_resume(struct vnet_priv *priv, u32 hwq,
			   const struct vnet_ring *tx)
{
	if (tx->next_to_use != tx->next_to_clean)
		vnet_wr32(priv, VNET_REG_Q(hwq, VNET_QREG_TX_TAIL),
			  tx->next_to_use);
}

/*
 * Queue @q's XDP TX ring is the TX ring of an unused queue pair, whose
 * vector then schedules queue @q's NAPI (its RX ring stays off: RSS and
 * the flow rules name active queues only).
 */
static void vnet_xdp_ring_start(struct vnet_priv *priv,
				struct vnet_rings *rings, u32 q)
{
	struct vnet_ring *tx = &rings->xdp_tx[q];

	priv->qv[q].xdp_tx = tx;
	priv->qv[tx->hwq].irq_qv = &priv->qv[q];
	vnet_ring_program(priv, tx->hwq, VNET_QREG_TX_RING, tx);
	vnet_tx_resume(priv, tx->hwq, tx);
}

/* Attach queue @q to its rings and start it, its vector still masked. */
static void vnet_queue_start(struct vnet_priv *priv, struct vnet_rings *rings,
			     u32 q)
{
	struct vnet_q_vector *qv = &priv->qv[q];

	qv->tx = &rings->tx[q];
	qv->rx = &rings->rx[q];
	if (rings->cfg.xdp)
		vnet_xdp_ring_start(priv, rings, q);
	vnet_xsk_queue_start(qv);
	vnet_rx_rearm(qv->rx);
	vnet_ring_program(priv, q, VNET_QREG_TX_RING, qv->tx);
	vnet_ring_program(priv, q, VNET_QREG_RX_RING, qv->rx);
	vnet_wr32(priv, VNET_REG_Q(q, VNET_QREG_RX_TAIL), qv->rx->next_to_use);
	vnet_tx_resume(priv, q, qv->tx);
	vnet_dim_restart(qv);
	vnet_napi_add(qv);
}

/* The vectors a configuration uses: its queues', its XDP TX rings'. */
static u32 vnet_nr_vectors(const struct vnet_ring_cfg *cfg)
{
	return cfg->xdp ? 2 * cfg->num_queues : cfg->num_queues;
}

/* Start the datapath on fully allocated rings. Cannot fail. */
static void vnet_up(struct vnet_priv *priv, struct vnet_rings *rings)
{
	u32 q, nq = rings->cfg.num_queues;

	priv->rings = rings;
	for (q = 0; q < nq; q++)
		vnet_queue_start(priv, rings, q);
	/* The MAC joins the link if open. */
	vnet_write_ctrl(priv);
	/* The rings before DOWN clears: pairs with vnet_xdp_xmit(). */
	smp_mb__before_atomic();
	clear_bit(VNET_STATE_DOWN, &priv->state);
	/*
	 * Wake, not start: after -G/-L the qdiscs may hold packets queued
	 * while xmit was stopped, and only a wake runs them again. TCP would
	 * not retransmit what still sits in a qdisc, so the flow would stall.
	 */
	netif_tx_wake_all_queues(priv->netdev);
	/*
	 * Carrier before unmasking: a link change that follows is then
	 * reported by queue 0's poll, never overwritten by this read.
	 */
	vnet_link_update(priv);
	for (q = 0; q < vnet_nr_vectors(&rings->cfg); q++)
		vnet_irq_unmask(&priv->qv[q]);
	for (q = 0; q < nq; q++)
		vnet_xsk_kick(&priv->qv[q]);
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

static void vnet_rings_disable(struct vnet_priv *priv, u32 q)
{
	vnet_wr32(priv, VNET_REG_Q(q, VNET_QREG_TX_CTRL), 0);
	vnet_wr32(priv, VNET_REG_Q(q, VNET_QREG_RX_CTRL), 0);
}

/* Collect what the stopped rings completed; they leave the queue. */
static void vnet_queue_detach(struct vnet_q_vector *qv)
{
	struct vnet_priv *priv = qv->priv;

	vnet_queue_reap(qv);
	if (qv->xdp_tx) {
		priv->qv[qv->xdp_tx->hwq].irq_qv = &priv->qv[qv->xdp_tx->hwq];
		qv->xdp_tx = NULL;
	}
	qv->tx = NULL;
	qv->rx = NULL;
}

/*
 * Quiesce the datapath and hand back its rings, still holding buffers and
 * the frames posted on them, which BQL still counts: vnet_rings_retire()
 * lets go of both, or vnet_up() resumes the rings where they stopped.
 * Also runs for ethtool -G, with the qdisc live: NAPI goes
 * first so that no TX completion can wake a queue once xmit is stopped.
 */
static struct vnet_rings *vnet_down(struct vnet_priv *priv)
{
	struct vnet_rings *rings = priv->rings;
	u32 nvec = vnet_nr_vectors(&rings->cfg);
	u32 q, nq = rings->cfg.num_queues;

	vnet_service_stop(priv);
	/*
	 * Polls stop unmasking, waking and raising carrier from here on,
	 * ndo_xdp_xmit stops taking frames.
	 */
	set_bit(VNET_STATE_DOWN, &priv->state);
	for (q = 0; q < nvec; q++)
		vnet_irq_mask(&priv->qv[q]);
	for (q = 0; q < nq; q++)
		vnet_napi_disable(&priv->qv[q]);
	for (q = 0; q < nq; q++)
		vnet_dim_flush(&priv->qv[q]);
	vnet_tx_pause(priv->netdev);
	/*
	 * The device stops touching the rings and raising causes (an XDP TX
	 * ring's queue pair has its RX ring off already)...
	 */
	for (q = 0; q < nvec; q++)
		vnet_rings_disable(priv, q);
	/* ...and its vectors stay masked, no handler running. */
	for (q = 0; q < nvec; q++)
		vnet_irq_sync(&priv->qv[q]);
	for (q = 0; q < nq; q++)
		vnet_napi_del(&priv->qv[q]);
	/*
	 * The grace period deleted NAPIs need before they are added again:
	 * one for all queues, not one per queue under RTNL. It also waits
	 * out every ndo_xdp_xmit that found DOWN clear.
	 */
	synchronize_rcu();
	for (q = 0; q < nq; q++)
		vnet_queue_detach(&priv->qv[q]);
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

/* @cfg is now the configuration; RSS follows a new queue count. */
static void vnet_reconfigured(struct vnet_priv *priv,
			      const struct vnet_ring_cfg *cfg)
{
	u32 old_nq = priv->cfg.num_queues;

	priv->cfg = *cfg;
	if (cfg->num_queues != old_nq)
		vnet_rss_set_queues(priv, cfg->num_queues);
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
			vnet_reconfigured(priv, cfg);
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
	vnet_reconfigured(priv, cfg);
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
	int err;

	err = vnet_irqs_request(priv);
	if (err)
		return err;
	rings = vnet_rings_alloc(priv, &priv->cfg);
	if (IS_ERR(rings)) {
		vnet_irqs_free(priv);
		return PTR_ERR(rings);
	}

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
	vnet_irqs_free(priv);
	vnet_rings_retire(priv, old);
	return 0;
}

/*
 * The device coalesces only segments whose checksums it has checked. An
 * XDP program sees frames as the wire carried them: no RSC while one is
 * attached.
 */
static netdev_features_t vnet_fix_features(struct net_device *netdev,
					   netdev_features_t features)
{
	struct vnet_priv *priv = netdev_priv(netdev);

	if (!(features & NETIF_F_RXCSUM) || priv->xdp_prog)
		features &= ~NETIF_F_GRO_HW;
	return features;
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

/* Whether @prog sees frames of @mtu: one buffer each, or it takes more. */
static bool vnet_xdp_mtu_ok(const struct bpf_prog *prog, u32 mtu)
{
	return !prog || prog->aux->xdp_has_frags || mtu <= VNET_XDP_MAX_MTU;
}

/*
 * Frames span RX buffers: the rings stay as they are, and only the MAC's
 * frame limit follows the MTU. An XDP program without multi-buffer
 * support sees frames of one buffer.
 */
static int vnet_change_mtu(struct net_device *netdev, int new_mtu)
{
	struct vnet_priv *priv = netdev_priv(netdev);

	if (!vnet_xdp_mtu_ok(priv->xdp_prog, new_mtu)) {
		netdev_warn(netdev,
			    "MTU %d too large for an XDP program without multi-buffer support: at most %u\n",
			    new_mtu, VNET_XDP_MAX_MTU);
		return -EINVAL;
	}
	if (!vnet_xsk_mtu_ok(priv, new_mtu)) {
		netdev_warn(netdev,
			    "MTU %d too large for a bound AF_XDP pool's frames\n",
			    new_mtu);
		return -EINVAL;
	}
	WRITE_ONCE(netdev->mtu, new_mtu);
	vnet_write_ctrl(netdev_priv(netdev));
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

/* What the device and the rings allow an XDP program. */
static int vnet_xdp_check(struct vnet_priv *priv, const struct bpf_prog *prog,
			  struct netlink_ext_ack *extack)
{
	if (!vnet_xdp_mtu_ok(prog, priv->netdev->mtu)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "MTU too large for a program without multi-buffer support (xdp.frags): a frame must fit one RX buffer");
		return -EOPNOTSUPP;
	}
	if (priv->cfg.num_queues > priv->max_queues / 2) {
		NL_SET_ERR_MSG_MOD(extack,
				   "XDP needs a TX ring of its own per queue: at most half the device's queues as channels");
		return -EINVAL;
	}
	return 0;
}

/*
 * Attach, detach or replace the XDP program. Replacing one keeps the
 * rings: polls pick up the new program at their next start, and
 * bpf_prog_put() frees the old one after a grace period, which the polls
 * running it are part of. Attaching or detaching one changes the rings'
 * layout (headroom, buffer length, XDP TX rings): new rings, swapped in
 * as for ethtool -G. Polls run a program only on rings with XDP's layout,
 * so the program may change before the rings do.
 */
static int vnet_xdp_setup(struct vnet_priv *priv, struct bpf_prog *prog,
			  struct netlink_ext_ack *extack)
{
	struct net_device *netdev = priv->netdev;
	struct bpf_prog *old = priv->xdp_prog;
	struct vnet_ring_cfg cfg = priv->cfg;
	int err;

	if (prog) {
		err = vnet_xdp_check(priv, prog, extack);
		if (err)
			return err;
	}

	cfg.xdp = prog;
	cfg.rx_buf_len = prog ? VNET_XDP_RX_BUF_LEN : VNET_RX_BUF_LEN;
	WRITE_ONCE(priv->xdp_prog, prog);
	/* rx-gro-hw goes while XDP is on (back with it, if wanted). */
	netdev_update_features(netdev);
	if (cfg.xdp != priv->cfg.xdp) {
		err = vnet_reconfigure(priv, &cfg);
		if (err) {
			WRITE_ONCE(priv->xdp_prog, old);
			netdev_update_features(netdev);
			return err;
		}
	}
	if (old)
		bpf_prog_put(old);

	/* Frames may be redirected to us while XDP TX rings exist. */
	if (prog)
		vnet_compat_xdp_set_redirect_target(netdev);
	else
		vnet_compat_xdp_clear_redirect_target(netdev);
	return 0;
}

static int vnet_bpf(struct net_device *netdev, struct netdev_bpf *bpf)
{
	struct vnet_priv *priv = netdev_priv(netdev);

	switch (bpf->command) {
	case XDP_SETUP_PROG:
		return vnet_xdp_setup(priv, bpf->prog, bpf->extack);
	case XDP_SETUP_XSK_POOL:
		return vnet_xsk_pool_setup(priv, bpf->xsk.pool,
					   bpf->xsk.queue_id, bpf->extack);
	default:
		return -EINVAL;
	}
}

static const struct net_device_ops vnet_netdev_ops = {
	.ndo_open		= vnet_open,
	.ndo_stop		= vnet_stop,
	.ndo_start_xmit		= vnet_start_xmit,
	.ndo_features_check	= vnet_features_check,
	.ndo_fix_features	= vnet_fix_features,
	.ndo_set_features	= vnet_set_features,
	.ndo_change_mtu		= vnet_change_mtu,
	.ndo_get_stats64	= vnet_get_stats64,
	.ndo_tx_timeout		= vnet_tx_timeout,
	.ndo_bpf		= vnet_bpf,
	.ndo_xdp_xmit		= vnet_xdp_xmit,
	.ndo_xsk_wakeup		= vnet_xsk_wakeup,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
};

/* Is this our device? How many queues has it? */
static int vnet_identify(struct vnet_priv *priv)
{
	u32 cap;

	if (vnet_rd32(priv, VNET_REG_ID) != VNET_HW_ID)
		return -ENODEV;
	cap = vnet_rd32(priv, VNET_REG_CAP);
	priv->max_queues = clamp_t(u32, FIELD_GET(VNET_CAP_MAX_QUEUES_MASK,
						  cap), 1, VNET_MAX_QUEUES);
	return 0;
}

/* The driver's state at its defaults, the device down. */
static void vnet_sw_init(struct vnet_priv *priv, u32 num_queues)
{
	u32 q;

	set_bit(VNET_STATE_DOWN, &priv->state);
	priv->cfg.num_queues = clamp(num_queues, 1, priv->max_queues);
	priv->cfg.tx_size = VNET_DEF_RING_SIZE;
	priv->cfg.rx_size = VNET_DEF_RING_SIZE;
	priv->cfg.rx_buf_len = VNET_RX_BUF_LEN;
	priv->rx_usecs = VNET_DEF_RX_USECS;
	priv->tx_usecs = VNET_DEF_TX_USECS;
	priv->adaptive_rx = VNET_DEF_ADAPTIVE_RX;
	mutex_init(&priv->itr_lock);
	INIT_WORK(&priv->reset_work, vnet_reset_work);
	vnet_service_init(priv);

	for (q = 0; q < VNET_MAX_QUEUES; q++) {
		struct vnet_q_vector *qv = &priv->qv[q];

		qv->priv = priv;
		qv->idx = q;
		qv->irq_qv = qv;
		qv->irq = vnet_hw_irq_vector(priv->hw, q);
		vnet_irq_spread(qv);
		vnet_qstats_init(&qv->stats);
		vnet_rx_refill_init(qv);
		vnet_dim_init(qv);
	}
}

static void vnet_netdev_init(struct net_device *netdev)
{
	netdev->netdev_ops = &vnet_netdev_ops;
	netdev->ethtool_ops = &vnet_ethtool_ops;
	vnet_compat_set_stat_ops(netdev, &vnet_stat_ops);
	netdev->watchdog_timeo = 5 * HZ;
	netdev->min_mtu = ETH_MIN_MTU;
	netdev->max_mtu = VNET_MAX_MTU;
	netdev->hw_features = NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_TSO |
			      NETIF_F_TSO6 | NETIF_F_RXCSUM | NETIF_F_RXHASH |
			      NETIF_F_NTUPLE | NETIF_F_GRO_HW;
	/*
	 * ntuple-filters on, as on i40e, ice and bnxt: with no rule set the
	 * RX engine's match costs it one load, and the user adds rules
	 * without a -K first. rx-gro-hw on, as on bnxt and qede: a TCP
	 * stream then costs the stack one skb per aggregate.
	 */
	netdev->features = netdev->hw_features;
	/* The device parses past one VLAN tag for TSO and checksums. */
	netdev->vlan_features = NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_TSO |
				NETIF_F_TSO6;
	netif_set_tso_max_size(netdev, VNET_HW_MAX_TSO);
	/* A redirect target only while a program gives it XDP TX rings. */
	vnet_compat_xdp_init_features(netdev);
#ifdef VNET_HAVE_XDP_METADATA
	netdev->xdp_metadata_ops = &vnet_xdp_metadata_ops;
#endif
}

/* The permanent MAC address, from the device's "EEPROM" registers. */
static void vnet_mac_read(struct vnet_priv *priv)
{
	u32 lo = vnet_rd32(priv, VNET_REG_MAC_LO);
	u32 hi = vnet_rd32(priv, VNET_REG_MAC_HI);
	u8 addr[ETH_ALEN];

	put_unaligned_le32(lo, addr);
	put_unaligned_le16(hi, addr + 4);
	eth_hw_addr_set(priv->netdev, addr);
}

struct vnet_priv *vnet_probe(struct vnet_hw *hw, u32 num_queues,
			     u32 rsc_usecs)
{
	struct net_device *netdev;
	struct vnet_priv *priv;
	int err;

	netdev = alloc_netdev_mqs(sizeof(*priv), "vnet%d", NET_NAME_ENUM,
				  ether_setup, VNET_MAX_QUEUES,
				  VNET_MAX_QUEUES);
	if (!netdev)
		return ERR_PTR(-ENOMEM);
	priv = netdev_priv(netdev);
	priv->netdev = netdev;
	priv->hw = hw;

	err = vnet_identify(priv);
	if (err)
		goto err_free_netdev;
	vnet_sw_init(priv, num_queues);
	priv->rsc_usecs = rsc_usecs;
	vnet_netdev_init(netdev);
	vnet_rss_init(priv);
	vnet_mac_read(priv);
	vnet_write_itr(priv);

	err = netif_set_real_num_queues(netdev, priv->cfg.num_queues,
					priv->cfg.num_queues);
	if (err)
		goto err_destroy_sw;
	/* No link until open finds one; also gives the first up an event. */
	netif_carrier_off(netdev);
	err = register_netdev(netdev);
	if (err)
		goto err_destroy_sw;

	netdev_info(netdev, "%s rev %u, %pM\n", vnet_hw_bus_name(hw),
		    vnet_rd32(priv, VNET_REG_REV), netdev->dev_addr);
	return priv;

err_destroy_sw:
	mutex_destroy(&priv->itr_lock);
err_free_netdev:
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
