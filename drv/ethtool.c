// SPDX-License-Identifier: GPL-2.0
/* vnet ethtool_ops: driver info, rings, coalescing, channels; stats.c counts */
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/stringify.h>

#include "vnet.h"
#include "vnet_compat.h"

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

/* @val fits the device's field; if not, extack names the setting. */
#define VNET_COALESCE_FITS(val, name, extack) ({			\
	bool __fits = (val) <= VNET_COALESCE_MAX;			\
									\
	if (!__fits)							\
		NL_SET_ERR_MSG_MOD(extack, name				\
				   " above the device limit of "	\
				   __stringify(VNET_COALESCE_MAX));	\
	__fits;								\
})

/* Values the device cannot hold, or that adaptive-rx would override. */
static int vnet_coalesce_check(struct vnet_priv *priv,
			       const struct ethtool_coalesce *ec,
			       struct netlink_ext_ack *extack)
{
	BUILD_BUG_ON(FIELD_MAX(VNET_ITR_RX_USECS_MASK) != VNET_COALESCE_MAX);
	BUILD_BUG_ON(FIELD_MAX(VNET_ITR_TX_USECS_MASK) != VNET_COALESCE_MAX);
	BUILD_BUG_ON(FIELD_MAX(VNET_ITR_RX_FRAMES_MASK) != VNET_COALESCE_MAX);
	BUILD_BUG_ON(FIELD_MAX(VNET_ITR_TX_FRAMES_MASK) != VNET_COALESCE_MAX);

	if (!VNET_COALESCE_FITS(ec->rx_coalesce_usecs, "rx-usecs", extack) ||
	    !VNET_COALESCE_FITS(ec->tx_coalesce_usecs, "tx-usecs", extack) ||
	    !VNET_COALESCE_FITS(ec->rx_max_coalesced_frames, "rx-frames",
				extack) ||
	    !VNET_COALESCE_FITS(ec->tx_max_coalesced_frames, "tx-frames",
				extack))
		return -EINVAL;

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
	return 0;
}

static int vnet_set_coalesce(struct net_device *netdev,
			     struct ethtool_coalesce *ec,
			     struct kernel_ethtool_coalesce *kec,
			     struct netlink_ext_ack *extack)
{
	struct vnet_priv *priv = netdev_priv(netdev);
	int err;

	err = vnet_coalesce_check(priv, ec, extack);
	if (err)
		return err;

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

/* Each vector serves one TX and one RX ring: combined channels only. */
static void vnet_get_channels(struct net_device *netdev,
			      struct ethtool_channels *ch)
{
	struct vnet_priv *priv = netdev_priv(netdev);

	/* With XDP, half of them lend their TX rings to it. */
	ch->max_combined = priv->cfg.xdp ? priv->max_queues / 2 :
					   priv->max_queues;
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
	/* Newer cores check this too; 6.1's does not. */
	if (vnet_flt_max_queue(priv) >= (int)cfg.num_queues)
		return -EINVAL;
	/* Each queue's XDP TX ring is the TX ring of an unused queue pair. */
	if (cfg.xdp && cfg.num_queues > priv->max_queues / 2) {
		netdev_warn(netdev, "XDP takes a TX ring per queue: at most %u channels\n",
			    priv->max_queues / 2);
		return -EINVAL;
	}
	return vnet_reconfigure(priv, &cfg);
}

/*
 * RSS over the ethtool API each kernel has: struct ethtool_rxfh_param
 * since 6.8, hash fields in get_rxnfc until they got ops of their own
 * (probed by Kbuild: stable kernels have them too), and the RX ring count
 * in get_rxnfc until get_rx_ring_count.
 */
#ifdef VNET_HAVE_RXFH_PARAM
static int vnet_get_rxfh(struct net_device *netdev,
			 struct ethtool_rxfh_param *rxfh)
{
	rxfh->hfunc = ETH_RSS_HASH_TOP;
	vnet_rss_get(netdev_priv(netdev), rxfh->indir, rxfh->key,
		     &rxfh->input_xfrm);
	return 0;
}

static int vnet_set_rxfh(struct net_device *netdev,
			 struct ethtool_rxfh_param *rxfh,
			 struct netlink_ext_ack *extack)
{
	if (rxfh->rss_context)
		return -EOPNOTSUPP;
	return vnet_rss_set(netdev_priv(netdev), rxfh->indir, rxfh->key,
			    rxfh->hfunc, rxfh->input_xfrm, extack);
}
#else
static int vnet_get_rxfh(struct net_device *netdev, u32 *indir, u8 *key,
			 u8 *hfunc)
{
	if (hfunc)
		*hfunc = ETH_RSS_HASH_TOP;
	vnet_rss_get(netdev_priv(netdev), indir, key, NULL);
	return 0;
}

static int vnet_set_rxfh(struct net_device *netdev, const u32 *indir,
			 const u8 *key, const u8 hfunc)
{
	return vnet_rss_set(netdev_priv(netdev), indir, key, hfunc,
			    RXH_XFRM_NO_CHANGE, NULL);
}
#endif

#ifdef VNET_HAVE_RXFH_FIELDS
static int vnet_get_rxfh_fields(struct net_device *netdev,
				struct ethtool_rxfh_fields *f)
{
	u64 data;
	int err;

	err = vnet_rss_get_fields(netdev_priv(netdev), f->flow_type, &data);
	f->data = data;
	return err;
}

static int vnet_set_rxfh_fields(struct net_device *netdev,
				const struct ethtool_rxfh_fields *f,
				struct netlink_ext_ack *extack)
{
	return vnet_rss_set_fields(netdev_priv(netdev), f->flow_type, f->data,
				   extack);
}
#endif

#ifdef VNET_HAVE_RX_RING_COUNT
static u32 vnet_get_rx_ring_count(struct net_device *netdev)
{
	struct vnet_priv *priv = netdev_priv(netdev);

	return priv->cfg.num_queues;
}
#endif

static int vnet_get_rxnfc(struct net_device *netdev,
			  struct ethtool_rxnfc *info, u32 *rule_locs)
{
	struct vnet_priv *priv = netdev_priv(netdev);

	switch (info->cmd) {
	case ETHTOOL_GRXRINGS:
		info->data = priv->cfg.num_queues;
		return 0;
	case ETHTOOL_GRXCLSRLCNT:
	case ETHTOOL_GRXCLSRULE:
	case ETHTOOL_GRXCLSRLALL:
		return vnet_flt_get_rxnfc(priv, info, rule_locs);
#ifndef VNET_HAVE_RXFH_FIELDS
	case ETHTOOL_GRXFH:
		return vnet_rss_get_fields(priv, info->flow_type, &info->data);
#endif
	}
	return -EOPNOTSUPP;
}

static int vnet_set_rxnfc(struct net_device *netdev,
			  struct ethtool_rxnfc *info)
{
#ifndef VNET_HAVE_RXFH_FIELDS
	if (info->cmd == ETHTOOL_SRXFH)
		return vnet_rss_set_fields(netdev_priv(netdev),
					   info->flow_type, info->data, NULL);
#endif
	return vnet_flt_set_rxnfc(netdev_priv(netdev), info);
}

const struct ethtool_ops vnet_ethtool_ops = {
#ifdef VNET_HAVE_RXFH_PARAM
	.supported_input_xfrm	= VNET_RXH_XFRM_SUPPORTED,
#endif
#ifdef VNET_HAVE_RXFH_CONTEXT
	.rxfh_max_num_contexts	= VNET_HW_RSS_CONTEXTS,
	/* A rule's queue is added to its context's table entry. */
	.cap_rss_rxnfc_adds	= 1,
	.create_rxfh_context	= vnet_create_rxfh_context,
	.modify_rxfh_context	= vnet_modify_rxfh_context,
	.remove_rxfh_context	= vnet_remove_rxfh_context,
#endif
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
	.get_rxnfc		= vnet_get_rxnfc,
	.set_rxnfc		= vnet_set_rxnfc,
#ifdef VNET_HAVE_RX_RING_COUNT
	.get_rx_ring_count	= vnet_get_rx_ring_count,
#endif
	.get_rxfh_key_size	= vnet_get_rxfh_key_size,
	.get_rxfh_indir_size	= vnet_get_rxfh_indir_size,
	.get_rxfh		= vnet_get_rxfh,
	.set_rxfh		= vnet_set_rxfh,
#ifdef VNET_HAVE_RXFH_FIELDS
	.get_rxfh_fields	= vnet_get_rxfh_fields,
	.set_rxfh_fields	= vnet_set_rxfh_fields,
#endif
	.get_sset_count		= vnet_get_sset_count,
	.get_strings		= vnet_get_strings,
	.get_ethtool_stats	= vnet_get_ethtool_stats,
};
