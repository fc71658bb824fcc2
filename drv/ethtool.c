// SPDX-License-Identifier: GPL-2.0
/* vnet ethtool_ops: driver info, rings, coalescing, statistics */
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/stringify.h>

#include "vnet.h"
#include "vnet_compat.h"
#include "vnet_partner.h"

/*
 * Driver counters, kept per queue. The global name is prefix + name; the
 * per-queue one is prefix + "queue_<n>_" + name (tx_queue_0_packets).
 */
struct vnet_qstat_desc {
	const char *prefix;
	const char *name;
	u16 offset;
};

#define VNET_QSTAT(_prefix, _field, _name) {				\
	.prefix = _prefix,						\
	.name = _name,							\
	.offset = offsetof(struct vnet_qstats_snap, _field),		\
}

static const struct vnet_qstat_desc vnet_qstats_desc[] = {
	VNET_QSTAT("tx_", tx_packets, "packets"),
	VNET_QSTAT("tx_", tx_bytes, "bytes"),
	VNET_QSTAT("tx_", tx_stops, "stops"),
	VNET_QSTAT("tx_", tx_wakes, "wakes"),
	VNET_QSTAT("tx_", tx_busy, "busy"),
	VNET_QSTAT("tx_", tx_tso, "tso"),
	VNET_QSTAT("tx_", tx_dropped, "dropped"),
	VNET_QSTAT("rx_", rx_packets, "packets"),
	VNET_QSTAT("rx_", rx_bytes, "bytes"),
	VNET_QSTAT("rx_", rx_alloc_fail, "alloc_fail"),
	VNET_QSTAT("rx_", rx_dropped, "dropped"),
	VNET_QSTAT("rx_", rx_csum_complete, "csum_complete"),
	VNET_QSTAT("", napi_polls, "napi_polls"),
	VNET_QSTAT("", irq_recoveries, "irq_recoveries"),
};

#define VNET_NR_QSTATS		ARRAY_SIZE(vnet_qstats_desc)

/*
 * Device counters from the statistics registers, summed over queues. The
 * link partner's verdicts follow as reflect_<verdict>.
 */
static const char *const vnet_hw_stats_names[VNET_HW_NR_STATS] = {
	[VNET_HW_STAT_IRQS]		= "irqs",
	[VNET_HW_STAT_TX_ERRORS]	= "hw_tx_errors",
	[VNET_HW_STAT_RX_MISSED]	= "hw_rx_missed",
	[VNET_HW_STAT_RX_OVERSIZE]	= "hw_rx_oversize",
	[VNET_HW_STAT_TX_NO_LINK]	= "hw_tx_no_link",
	[VNET_HW_STAT_TX_TSO_SEGS]	= "hw_tx_tso_segs",
	[VNET_HW_STAT_FAULT_DROPS]	= "hw_fault_drops",
	[VNET_HW_STAT_FAULT_CORRUPTS]	= "hw_fault_corrupts",
	[VNET_HW_STAT_FAULT_LOST_IRQS]	= "hw_fault_lost_irqs",
	[VNET_HW_STAT_FAULT_TX_HANGS]	= "hw_fault_tx_hangs",
	[VNET_HW_STAT_FAULT_DELAYS]	= "hw_fault_delays",
};

/* Device-wide driver counters, after the device's. */
static const char *const vnet_dev_stats_names[VNET_NR_DEV_STATS] = {
	[VNET_DEV_STAT_TX_TIMEOUTS]	= "tx_timeouts",
	[VNET_DEV_STAT_RESETS]		= "resets",
};

/* Per queue, after the driver counters: the vector's interrupt count. */
#define VNET_NR_QSTATS_ALL	(VNET_NR_QSTATS + 1)

static u32 vnet_nr_queues(struct vnet_priv *priv)
{
	return priv->cfg.num_queues;
}

static int vnet_get_sset_count(struct net_device *netdev, int sset)
{
	struct vnet_priv *priv = netdev_priv(netdev);

	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;

	return VNET_NR_QSTATS + VNET_HW_NR_STATS + VNET_RFL_NR_VERDICTS +
	       VNET_NR_DEV_STATS +
	       vnet_nr_queues(priv) * VNET_NR_QSTATS_ALL;
}

static void vnet_get_strings(struct net_device *netdev, u32 sset, u8 *data)
{
	struct vnet_priv *priv = netdev_priv(netdev);
	const struct vnet_qstat_desc *d;
	u32 i, q;

	if (sset != ETH_SS_STATS)
		return;

	for (i = 0; i < VNET_NR_QSTATS; i++) {
		d = &vnet_qstats_desc[i];
		ethtool_sprintf(&data, "%s%s", d->prefix, d->name);
	}
	for (i = 0; i < VNET_HW_NR_STATS; i++)
		ethtool_puts(&data, vnet_hw_stats_names[i]);
	for (i = 0; i < VNET_RFL_NR_VERDICTS; i++)
		ethtool_sprintf(&data, "reflect_%s", vnet_rfl_verdict_names[i]);
	for (i = 0; i < VNET_NR_DEV_STATS; i++)
		ethtool_puts(&data, vnet_dev_stats_names[i]);

	for (q = 0; q < vnet_nr_queues(priv); q++) {
		for (i = 0; i < VNET_NR_QSTATS; i++) {
			d = &vnet_qstats_desc[i];
			ethtool_sprintf(&data, "%squeue_%u_%s", d->prefix, q,
					d->name);
		}
		ethtool_sprintf(&data, "queue_%u_irqs", q);
	}
}

static u64 vnet_snap_field(const struct vnet_qstats_snap *snap, u32 i)
{
	return *(const u64 *)((const u8 *)snap + vnet_qstats_desc[i].offset);
}

static void vnet_get_ethtool_stats(struct net_device *netdev,
				   struct ethtool_stats *estats, u64 *data)
{
	struct vnet_priv *priv = netdev_priv(netdev);
	u64 *hw_data = data + VNET_NR_QSTATS;
	u64 *rfl_data = hw_data + VNET_HW_NR_STATS;
	u64 *dev_data = rfl_data + VNET_RFL_NR_VERDICTS;
	u64 *qdata = dev_data + VNET_NR_DEV_STATS;
	struct vnet_qstats_snap snap;
	struct vnet_hw *hw = priv->hw;
	u32 i, q;

	memset(data, 0, (VNET_NR_QSTATS + VNET_HW_NR_STATS) * sizeof(*data));
	for (i = 0; i < VNET_RFL_NR_VERDICTS; i++)
		rfl_data[i] = vnet_partner_verdicts(hw, i);
	for (i = 0; i < VNET_NR_DEV_STATS; i++)
		dev_data[i] = atomic64_read(&priv->dev_stats[i]);

	/* Totals include inactive queues, so they never go backwards. */
	for (q = 0; q < VNET_MAX_QUEUES; q++) {
		bool active = q < vnet_nr_queues(priv);

		vnet_qstats_read(&priv->qv[q].stats, &snap);
		for (i = 0; i < VNET_NR_QSTATS; i++) {
			data[i] += vnet_snap_field(&snap, i);
			if (active)
				*qdata++ = vnet_snap_field(&snap, i);
		}
		for (i = 0; i < VNET_HW_NR_STATS; i++)
			hw_data[i] += vnet_hw_rd64(hw, VNET_REG_Q_STAT(q, i));
		if (active)
			*qdata++ = vnet_hw_rd64(hw, VNET_REG_Q_STAT(q,
							VNET_HW_STAT_IRQS));
	}
}

static void vnet_get_drvinfo(struct net_device *netdev,
			     struct ethtool_drvinfo *info)
{
	struct vnet_priv *priv = netdev_priv(netdev);

	strscpy(info->driver, VNET_DRV_NAME, sizeof(info->driver));
	strscpy(info->bus_info, vnet_hw_bus_name(priv->hw),
		sizeof(info->bus_info));
	snprintf(info->fw_version, sizeof(info->fw_version), "emul rev %u",
		 vnet_rd32(priv, VNET_REG_REV));
}

static void vnet_get_ringparam(struct net_device *netdev,
			       struct ethtool_ringparam *ring,
			       struct kernel_ethtool_ringparam *kring,
			       struct netlink_ext_ack *extack)
{
	struct vnet_priv *priv = netdev_priv(netdev);

	ring->rx_max_pending = VNET_HW_RING_MAX_SIZE;
	ring->tx_max_pending = VNET_HW_RING_MAX_SIZE;
	ring->rx_pending = priv->cfg.rx_size;
	ring->tx_pending = priv->cfg.tx_size;
}

#define VNET_RING_LIMITS_MSG						\
	"ring size must be a power of two from "			\
	__stringify(VNET_HW_RING_MIN_SIZE) " to "			\
	__stringify(VNET_HW_RING_MAX_SIZE)

static int vnet_set_ringparam(struct net_device *netdev,
			      struct ethtool_ringparam *ring,
			      struct kernel_ethtool_ringparam *kring,
			      struct netlink_ext_ack *extack)
{
	struct vnet_priv *priv = netdev_priv(netdev);
	struct vnet_ring_cfg cfg = priv->cfg;

	if (ring->rx_mini_pending || ring->rx_jumbo_pending) {
		NL_SET_ERR_MSG_MOD(extack, "no mini or jumbo rings");
		return -EINVAL;
	}
	if (!vnet_ring_size_valid(ring->rx_pending, VNET_HW_RING_MIN_SIZE,
				  VNET_HW_RING_MAX_SIZE)) {
		NL_SET_ERR_MSG_MOD(extack, "RX " VNET_RING_LIMITS_MSG);
		return -EINVAL;
	}
	if (!vnet_ring_size_valid(ring->tx_pending, VNET_HW_RING_MIN_SIZE,
				  VNET_HW_RING_MAX_SIZE)) {
		NL_SET_ERR_MSG_MOD(extack, "TX " VNET_RING_LIMITS_MSG);
		return -EINVAL;
	}

	cfg.rx_size = ring->rx_pending;
	cfg.tx_size = ring->tx_pending;
	if (cfg.rx_size == priv->cfg.rx_size &&
	    cfg.tx_size == priv->cfg.tx_size)
		return 0;

	return vnet_reconfigure(priv, &cfg);
}

static int vnet_get_coalesce(struct net_device *netdev,
			     struct ethtool_coalesce *ec,
			     struct kernel_ethtool_coalesce *kec,
			     struct netlink_ext_ack *extack)
{
	struct vnet_priv *priv = netdev_priv(netdev);

	ec->rx_coalesce_usecs = priv->rx_usecs;
	ec->tx_coalesce_usecs = priv->tx_usecs;
	ec->rx_max_coalesced_frames = priv->rx_frames;
	ec->tx_max_coalesced_frames = priv->tx_frames;
	ec->use_adaptive_rx_coalesce = priv->adaptive_rx;
	return 0;
}

/* ITR and ITR_FRAMES hold every value in a 12-bit field. */
#define VNET_COALESCE_MAX	4095

#define VNET_COALESCE_LIMIT(name)					\
	name " above the device limit of " __stringify(VNET_COALESCE_MAX)

static int vnet_set_coalesce(struct net_device *netdev,
			     struct ethtool_coalesce *ec,
			     struct kernel_ethtool_coalesce *kec,
			     struct netlink_ext_ack *extack)
{
	struct vnet_priv *priv = netdev_priv(netdev);

	BUILD_BUG_ON(FIELD_MAX(VNET_ITR_RX_USECS_MASK) != VNET_COALESCE_MAX);
	BUILD_BUG_ON(FIELD_MAX(VNET_ITR_TX_USECS_MASK) != VNET_COALESCE_MAX);
	BUILD_BUG_ON(FIELD_MAX(VNET_ITR_RX_FRAMES_MASK) != VNET_COALESCE_MAX);
	BUILD_BUG_ON(FIELD_MAX(VNET_ITR_TX_FRAMES_MASK) != VNET_COALESCE_MAX);

	if (ec->rx_coalesce_usecs > VNET_COALESCE_MAX) {
		NL_SET_ERR_MSG_MOD(extack, VNET_COALESCE_LIMIT("rx-usecs"));
		return -EINVAL;
	}
	if (ec->tx_coalesce_usecs > VNET_COALESCE_MAX) {
		NL_SET_ERR_MSG_MOD(extack, VNET_COALESCE_LIMIT("tx-usecs"));
		return -EINVAL;
	}
	if (ec->rx_max_coalesced_frames > VNET_COALESCE_MAX) {
		NL_SET_ERR_MSG_MOD(extack, VNET_COALESCE_LIMIT("rx-frames"));
		return -EINVAL;
	}
	if (ec->tx_max_coalesced_frames > VNET_COALESCE_MAX) {
		NL_SET_ERR_MSG_MOD(extack, VNET_COALESCE_LIMIT("tx-frames"));
		return -EINVAL;
	}

	/*
	 * While adaptive-rx is on, DIM programs the RX moderation and a
	 * static rx-usecs/rx-frames would silently not apply: a change must
	 * come with adaptive-rx off in the same request.
	 */
	if (ec->use_adaptive_rx_coalesce &&
	    (ec->rx_coalesce_usecs != priv->rx_usecs ||
	     ec->rx_max_coalesced_frames != priv->rx_frames)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "rx-usecs and rx-frames are set by adaptive-rx while it is on; turn adaptive-rx off to set them");
		return -EINVAL;
	}

	/* DIM's work reads them while it programs a queue. */
	mutex_lock(&priv->itr_lock);
	priv->rx_usecs = ec->rx_coalesce_usecs;
	priv->tx_usecs = ec->tx_coalesce_usecs;
	priv->rx_frames = ec->rx_max_coalesced_frames;
	priv->tx_frames = ec->tx_max_coalesced_frames;
	mutex_unlock(&priv->itr_lock);
	/* The static RX values are kept for when adaptive-rx goes off. */
	vnet_set_adaptive_rx(priv, ec->use_adaptive_rx_coalesce);
	vnet_write_itr(priv);
	return 0;
}

static u32 vnet_max_queues(struct vnet_priv *priv)
{
	return min_t(u32, VNET_MAX_QUEUES,
		     FIELD_GET(VNET_CAP_MAX_QUEUES_MASK,
			       vnet_rd32(priv, VNET_REG_CAP)));
}

/* Each vector serves one TX and one RX ring: combined channels only. */
static void vnet_get_channels(struct net_device *netdev,
			      struct ethtool_channels *ch)
{
	struct vnet_priv *priv = netdev_priv(netdev);

	ch->max_combined = vnet_max_queues(priv);
	ch->combined_count = priv->cfg.num_queues;
}

static int vnet_set_channels(struct net_device *netdev,
			     struct ethtool_channels *ch)
{
	struct vnet_priv *priv = netdev_priv(netdev);
	struct vnet_ring_cfg cfg = priv->cfg;

	/* The core has checked the counts against get_channels' maxima. */
	if (!ch->combined_count || ch->rx_count || ch->tx_count ||
	    ch->other_count)
		return -EINVAL;

	cfg.num_queues = ch->combined_count;
	if (cfg.num_queues == priv->cfg.num_queues)
		return 0;
	return vnet_reconfigure(priv, &cfg);
}

const struct ethtool_ops vnet_ethtool_ops = {
	.supported_coalesce_params = ETHTOOL_COALESCE_USECS |
				     ETHTOOL_COALESCE_MAX_FRAMES |
				     ETHTOOL_COALESCE_USE_ADAPTIVE_RX,
	.get_drvinfo		= vnet_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_ringparam		= vnet_get_ringparam,
	.set_ringparam		= vnet_set_ringparam,
	.get_coalesce		= vnet_get_coalesce,
	.set_coalesce		= vnet_set_coalesce,
	.get_channels		= vnet_get_channels,
	.set_channels		= vnet_set_channels,
	.get_sset_count		= vnet_get_sset_count,
	.get_strings		= vnet_get_strings,
	.get_ethtool_stats	= vnet_get_ethtool_stats,
};
