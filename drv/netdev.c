// SPDX-License-Identifier: GPL-2.0
/*
 * vnet netdev: probe/remove, open/stop, and reconfiguration (ring size,
 * MTU) done as "allocate new, quiesce, swap, restart".
 */
#include <linux/etherdevice.h>
#include <linux/netdevice.h>

#include "vnet.h"

void vnet_write_itr(struct vnet_priv *priv)
{
	u32 itr = FIELD_PREP(VNET_ITR_RX_USECS_MASK, priv->rx_usecs) |
		  FIELD_PREP(VNET_ITR_TX_USECS_MASK, priv->tx_usecs);
	u32 q;

	for (q = 0; q < VNET_MAX_QUEUES; q++)
		vnet_wr32(priv, VNET_REG_Q(q, VNET_QREG_ITR), itr);
}

static void vnet_ring_program(struct vnet_priv *priv, u32 q, u32 reg_base,
			      const struct vnet_ring *ring)
{
	u64 dma = (uintptr_t)ring->desc;

	vnet_wr32(priv, VNET_REG_Q(q, reg_base + VNET_QREG_TX_BASE_LO),
		  lower_32_bits(dma));
	vnet_wr32(priv, VNET_REG_Q(q, reg_base + VNET_QREG_TX_BASE_HI),
		  upper_32_bits(dma));
	vnet_wr32(priv, VNET_REG_Q(q, reg_base + VNET_QREG_TX_LEN),
		  ring->size);
	vnet_wr32(priv, VNET_REG_Q(q, reg_base + VNET_QREG_TX_CTRL),
		  VNET_RING_CTRL_ENABLE);
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
		vnet_ring_program(priv, q, VNET_QREG_TX_BASE_LO, qv->tx);
		vnet_ring_program(priv, q, VNET_QREG_RX_BASE_LO, qv->rx);
		vnet_wr32(priv, VNET_REG_Q(q, VNET_QREG_RX_TAIL),
			  qv->rx->next_to_use);
		napi_enable(&qv->napi);
	}

	clear_bit(VNET_STATE_DOWN, &priv->state);
	for (q = 0; q < nq; q++)
		vnet_wr32(priv, VNET_REG_Q(q, VNET_QREG_IMS), 1);

	netif_tx_start_all_queues(netdev);
	if (vnet_rd32(priv, VNET_REG_STATUS) & VNET_STATUS_LINK_UP)
		netif_carrier_on(netdev);
}

/*
 * Quiesce the datapath and hand back its rings, still holding buffers.
 * Also runs for ethtool -G and MTU changes, with the qdisc live: NAPI goes
 * first so that no TX completion can wake a queue once xmit is stopped.
 */
static struct vnet_rings *vnet_down(struct vnet_priv *priv)
{
	struct net_device *netdev = priv->netdev;
	struct vnet_rings *rings = priv->rings;
	u32 q, nq = rings->cfg.num_queues;

	/* Polls stop unmasking and waking from here on. */
	set_bit(VNET_STATE_DOWN, &priv->state);
	for (q = 0; q < nq; q++)
		vnet_wr32(priv, VNET_REG_Q(q, VNET_QREG_IMC), 1);
	for (q = 0; q < nq; q++)
		napi_disable(&priv->qv[q].napi);

	netif_carrier_off(netdev);
	/* Takes every xmit lock: no doorbell is in flight after this. */
	netif_tx_disable(netdev);

	/* The device stops touching the rings and raising causes... */
	for (q = 0; q < nq; q++) {
		vnet_wr32(priv, VNET_REG_Q(q, VNET_QREG_TX_CTRL), 0);
		vnet_wr32(priv, VNET_REG_Q(q, VNET_QREG_RX_CTRL), 0);
	}
	/* ...and its vectors stay masked with no timer or handler running. */
	for (q = 0; q < nq; q++) {
		struct vnet_q_vector *qv = &priv->qv[q];

		vnet_hw_free_irq(priv->hw, q);
		vnet_tx_reap(qv);
		netdev_tx_reset_queue(netdev_get_tx_queue(netdev, q));
		qv->tx = NULL;
		qv->rx = NULL;
	}

	priv->rings = NULL;
	return rings;
}

int vnet_reconfigure(struct vnet_priv *priv, const struct vnet_ring_cfg *cfg)
{
	struct vnet_rings *rings, *old;

	ASSERT_RTNL();
	if (!netif_running(priv->netdev)) {
		priv->cfg = *cfg;
		return 0;
	}

	rings = vnet_rings_alloc(priv, cfg);
	if (IS_ERR(rings))
		return PTR_ERR(rings);

	/* Swap point: nothing below can fail. */
	old = vnet_down(priv);
	priv->cfg = *cfg;
	vnet_up(priv, rings);
	vnet_rings_free(old);
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

	vnet_rings_free(vnet_down(priv));
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

		stats->rx_missed_errors +=
			vnet_read_hw_stat(priv, q, VNET_HW_STAT_RX_MISSED);
		stats->rx_length_errors +=
			vnet_read_hw_stat(priv, q, VNET_HW_STAT_RX_OVERSIZE);
		stats->tx_errors +=
			vnet_read_hw_stat(priv, q, VNET_HW_STAT_TX_ERRORS);
	}
	stats->rx_errors = stats->rx_length_errors;
}

static const struct net_device_ops vnet_netdev_ops = {
	.ndo_open		= vnet_open,
	.ndo_stop		= vnet_stop,
	.ndo_start_xmit		= vnet_start_xmit,
	.ndo_change_mtu		= vnet_change_mtu,
	.ndo_get_stats64	= vnet_get_stats64,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
};

struct vnet_priv *vnet_probe(struct vnet_hw *hw)
{
	struct net_device *netdev;
	struct vnet_priv *priv;
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
	priv->cfg.num_queues = 1;
	priv->cfg.tx_size = VNET_RING_DEF_SIZE;
	priv->cfg.rx_size = VNET_RING_DEF_SIZE;
	priv->cfg.rx_buf_len = vnet_rx_buf_len(ETH_DATA_LEN);
	priv->rx_usecs = VNET_DEF_RX_USECS;
	priv->tx_usecs = VNET_DEF_TX_USECS;

	netdev->netdev_ops = &vnet_netdev_ops;
	netdev->ethtool_ops = &vnet_ethtool_ops;
	netdev->min_mtu = ETH_MIN_MTU;
	netdev->max_mtu = ETH_DATA_LEN;
	netdev->hw_features = NETIF_F_SG | NETIF_F_HW_CSUM;
	netdev->features = netdev->hw_features;

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
		netif_napi_add(netdev, &qv->napi, vnet_poll);
	}

	err = netif_set_real_num_queues(netdev, priv->cfg.num_queues,
					priv->cfg.num_queues);
	if (err)
		goto err_del_napi;

	vnet_write_itr(priv);

	err = register_netdev(netdev);
	if (err)
		goto err_del_napi;

	netdev_info(netdev, "%s rev %u, %pM\n", vnet_hw_bus_name(hw),
		    vnet_hw_rd32(hw, VNET_REG_REV), netdev->dev_addr);
	return priv;

err_del_napi:
	for (q = 0; q < VNET_MAX_QUEUES; q++)
		netif_napi_del(&priv->qv[q].napi);
	free_netdev(netdev);
	return ERR_PTR(err);
}

void vnet_remove(struct vnet_priv *priv)
{
	struct net_device *netdev = priv->netdev;
	u32 q;

	/* Closes the device first if it is up. */
	unregister_netdev(netdev);
	for (q = 0; q < VNET_MAX_QUEUES; q++)
		netif_napi_del(&priv->qv[q].napi);
	free_netdev(netdev);
}
