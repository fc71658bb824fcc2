// SPDX-License-Identifier: GPL-2.0
/*
 * vnet counters: the per-queue driver counters, the device's statistics
 * registers, the link partner's verdicts and the device-wide driver
 * counters, each named once here, and what reads them: ethtool -S,
 * ndo_get_stats64 and qstats.
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <net/netdev_queues.h>

#include "vnet.h"
#include "vnet_compat.h"
#include "vnet_partner.h"

/*
 * Driver counters, kept per queue, in ethtool -S order. The global name is
 * prefix + name; the per-queue one is prefix + "queue_<n>_" + name
 * (tx_queue_0_packets).
 */
struct vnet_qstat_desc {
	enum vnet_qstat idx;
	const char *prefix;
	const char *name;
};

static const struct vnet_qstat_desc vnet_qstats_desc[] = {
	{ VNET_QS_TX_PACKETS,		"tx_",	"packets" },
	{ VNET_QS_TX_BYTES,		"tx_",	"bytes" },
	{ VNET_QS_TX_STOPS,		"tx_",	"stops" },
	{ VNET_QS_TX_WAKES,		"tx_",	"wakes" },
	{ VNET_QS_TX_BUSY,		"tx_",	"busy" },
	{ VNET_QS_TX_TSO,		"tx_",	"tso" },
	{ VNET_QS_TX_DROPPED,		"tx_",	"dropped" },
	{ VNET_QS_RX_PACKETS,		"rx_",	"packets" },
	{ VNET_QS_RX_BYTES,		"rx_",	"bytes" },
	{ VNET_QS_RX_ALLOC_FAIL,	"rx_",	"alloc_fail" },
	{ VNET_QS_RX_DROPPED,		"rx_",	"dropped" },
	{ VNET_QS_RX_CSUM_COMPLETE,	"rx_",	"csum_complete" },
	{ VNET_QS_NAPI_POLLS,		"",	"napi_polls" },
	{ VNET_QS_IRQ_RECOVERIES,	"",	"irq_recoveries" },
	{ VNET_QS_RX_CSUM_NONE,		"rx_",	"csum_none" },
	{ VNET_QS_TX_NEEDS_CSUM,	"tx_",	"needs_csum" },
	{ VNET_QS_RX_CSUM_UNNECESSARY,	"rx_",	"csum_unnecessary" },
	{ VNET_QS_RX_CSUM_BAD,		"rx_",	"csum_bad" },
	{ VNET_QS_RX_HW_GRO_PACKETS,	"rx_",	"hw_gro_packets" },
	{ VNET_QS_RX_HW_GRO_BYTES,	"rx_",	"hw_gro_bytes" },
	{ VNET_QS_RX_HW_GRO_WIRE_PACKETS, "rx_",	"hw_gro_wire_packets" },
	{ VNET_QS_RX_HW_GRO_WIRE_BYTES,	"rx_",	"hw_gro_wire_bytes" },
	{ VNET_QS_RX_XDP_PASS,		"rx_",	"xdp_pass" },
	{ VNET_QS_RX_XDP_DROP,		"rx_",	"xdp_drop" },
	{ VNET_QS_RX_XDP_TX,		"rx_",	"xdp_tx" },
	{ VNET_QS_RX_XDP_TX_ERRORS,	"rx_",	"xdp_tx_errors" },
	{ VNET_QS_RX_XDP_REDIRECT,	"rx_",	"xdp_redirect" },
	{ VNET_QS_RX_XDP_REDIRECT_ERRORS, "rx_",	"xdp_redirect_errors" },
	{ VNET_QS_RX_XDP_ABORTED,	"rx_",	"xdp_aborted" },
	{ VNET_QS_TX_XDP_XMIT,		"tx_",	"xdp_xmit" },
	{ VNET_QS_TX_XDP_XMIT_ERRORS,	"tx_",	"xdp_xmit_errors" },
};

static_assert(ARRAY_SIZE(vnet_qstats_desc) == VNET_QS_NR);

/* Device counters from the statistics registers, summed over queues. */
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

/* Device-wide driver counters. */
static const char *const vnet_dev_stats_names[VNET_NR_DEV_STATS] = {
	[VNET_DEV_STAT_TX_TIMEOUTS]	= "tx_timeouts",
	[VNET_DEV_STAT_RESETS]		= "resets",
};

/*
 * ethtool -S: driver totals, device totals, the link partner's verdicts
 * (reflect_<verdict>), device-wide driver counters, then per active queue
 * its driver counters and its vector's interrupt count, then each flow
 * rule's hits.
 */
#define VNET_NR_GLOBAL_STATS	(VNET_QS_NR + VNET_HW_NR_STATS + \
				 VNET_RFL_NR_VERDICTS + VNET_NR_DEV_STATS)
#define VNET_NR_QUEUE_STATS	(VNET_QS_NR + 1)

void vnet_qstats_init(struct vnet_qstats *qs)
{
	u64_stats_init(&qs->napi_syncp);
	u64_stats_init(&qs->xmit_syncp);
	u64_stats_init(&qs->xdp_syncp);
}

static void vnet_qstats_fetch(const struct u64_stats_sync *syncp,
			      const u64_stats_t *ctr, u64 *snap, u32 n)
{
	unsigned int start;
	u32 i;

	do {
		start = u64_stats_fetch_begin(syncp);
		for (i = 0; i < n; i++)
			snap[i] = u64_stats_read(&ctr[i]);
	} while (u64_stats_fetch_retry(syncp, start));
}

/* A consistent copy of each writer's counters: VNET_QS_NR values. */
void vnet_qstats_read(const struct vnet_qstats *qs, u64 *snap)
{
	vnet_qstats_fetch(&qs->napi_syncp, qs->ctr, snap, VNET_QS_NR_NAPI);
	vnet_qstats_fetch(&qs->xmit_syncp, &qs->ctr[VNET_QS_NR_NAPI],
			  &snap[VNET_QS_NR_NAPI],
			  VNET_QS_NR_XMIT - VNET_QS_NR_NAPI);
	vnet_qstats_fetch(&qs->xdp_syncp, &qs->ctr[VNET_QS_NR_XMIT],
			  &snap[VNET_QS_NR_XMIT], VNET_QS_NR - VNET_QS_NR_XMIT);
}

/* The end of a NAPI poll (or a reap with NAPI off): one update for all. */
void vnet_qstats_publish(struct vnet_qstats *qs,
			 const struct vnet_poll_stats *ps)
{
	u32 i;

	u64_stats_update_begin(&qs->napi_syncp);
	for (i = 0; i < VNET_QS_NR_NAPI; i++)
		u64_stats_add(&qs->ctr[i], ps->ctr[i]);
	u64_stats_update_end(&qs->napi_syncp);
}

/* ndo_start_xmit, under the queue's xmit lock. */
void vnet_qstats_xmit_inc(struct vnet_qstats *qs, enum vnet_qstat n)
{
	/* NAPI's counters have another writer, under another syncp. */
	DEBUG_NET_WARN_ON_ONCE(n < VNET_QS_NR_NAPI || n >= VNET_QS_NR_XMIT);
	u64_stats_update_begin(&qs->xmit_syncp);
	u64_stats_inc(&qs->ctr[n]);
	u64_stats_update_end(&qs->xmit_syncp);
}

/* ndo_xdp_xmit, under the XDP TX ring's lock: one call's frames. */
void vnet_qstats_xdp_xmit(struct vnet_qstats *qs, u32 sent, u32 failed)
{
	u64_stats_update_begin(&qs->xdp_syncp);
	u64_stats_add(&qs->ctr[VNET_QS_TX_XDP_XMIT], sent);
	u64_stats_add(&qs->ctr[VNET_QS_TX_XDP_XMIT_ERRORS], failed);
	u64_stats_update_end(&qs->xdp_syncp);
}

static u32 vnet_nr_queues(struct vnet_priv *priv)
{
	return priv->cfg.num_queues;
}

int vnet_get_sset_count(struct net_device *netdev, int sset)
{
	struct vnet_priv *priv = netdev_priv(netdev);

	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return VNET_NR_GLOBAL_STATS +
	       vnet_nr_queues(priv) * VNET_NR_QUEUE_STATS +
	       priv->flt.nr_used;
}

void vnet_get_strings(struct net_device *netdev, u32 sset, u8 *data)
{
	struct vnet_priv *priv = netdev_priv(netdev);
	const struct vnet_qstat_desc *d;
	u32 i, q;

	if (sset != ETH_SS_STATS)
		return;

	for (i = 0; i < VNET_QS_NR; i++) {
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
		for (i = 0; i < VNET_QS_NR; i++) {
			d = &vnet_qstats_desc[i];
			ethtool_sprintf(&data, "%squeue_%u_%s", d->prefix, q,
					d->name);
		}
		ethtool_sprintf(&data, "queue_%u_irqs", q);
	}
	/* Then each flow rule's hits, by location. */
	for (i = 0; i < VNET_HW_FLT_RULES; i++)
		if (priv->flt.used[i])
			ethtool_sprintf(&data, "ntuple_%u_hits", i);
}

static u64 vnet_read_hw_stat(struct vnet_priv *priv, u32 q,
			     enum vnet_hw_stat n)
{
	return vnet_rd64(priv, VNET_REG_Q_STAT(q, n));
}

void vnet_get_ethtool_stats(struct net_device *netdev,
			    struct ethtool_stats *estats, u64 *data)
{
	struct vnet_priv *priv = netdev_priv(netdev);
	u64 *hw_data = data + VNET_QS_NR;
	u64 *rfl_data = hw_data + VNET_HW_NR_STATS;
	u64 *dev_data = rfl_data + VNET_RFL_NR_VERDICTS;
	u64 *qdata = dev_data + VNET_NR_DEV_STATS;
	u64 snap[VNET_QS_NR];
	u32 i, q;

	memset(data, 0, (VNET_QS_NR + VNET_HW_NR_STATS) * sizeof(*data));
	for (i = 0; i < VNET_RFL_NR_VERDICTS; i++)
		rfl_data[i] = vnet_partner_verdicts(priv->hw, i);
	for (i = 0; i < VNET_NR_DEV_STATS; i++)
		dev_data[i] = atomic64_read(&priv->dev_stats[i]);

	/* Totals include inactive queues, so they never go backwards. */
	for (q = 0; q < VNET_MAX_QUEUES; q++) {
		bool active = q < vnet_nr_queues(priv);

		vnet_qstats_read(&priv->qv[q].stats, snap);
		for (i = 0; i < VNET_QS_NR; i++) {
			u64 val = snap[vnet_qstats_desc[i].idx];

			data[i] += val;
			if (active)
				*qdata++ = val;
		}
		for (i = 0; i < VNET_HW_NR_STATS; i++)
			hw_data[i] += vnet_read_hw_stat(priv, q, i);
		if (active)
			*qdata++ = vnet_read_hw_stat(priv, q,
						     VNET_HW_STAT_IRQS);
	}
	for (i = 0; i < VNET_HW_FLT_RULES; i++)
		if (priv->flt.used[i])
			*qdata++ = vnet_flt_hits(priv, i);
}

/* Counters of every queue, active or not: totals survive channel changes. */
void vnet_get_stats64(struct net_device *netdev,
		      struct rtnl_link_stats64 *stats)
{
	struct vnet_priv *priv = netdev_priv(netdev);
	u64 snap[VNET_QS_NR];
	u32 q;

	for (q = 0; q < VNET_MAX_QUEUES; q++) {
		vnet_qstats_read(&priv->qv[q].stats, snap);
		stats->tx_packets += snap[VNET_QS_TX_PACKETS];
		stats->tx_bytes += snap[VNET_QS_TX_BYTES];
		stats->rx_packets += snap[VNET_QS_RX_PACKETS];
		stats->rx_bytes += snap[VNET_QS_RX_BYTES];
		stats->rx_dropped += snap[VNET_QS_RX_DROPPED];
		stats->tx_dropped += snap[VNET_QS_TX_DROPPED];

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

/*
 * qstats (netdev netlink): the counters of queues [@start, @end): one
 * active queue, or the inactive ones for the base, so that base plus
 * active queues make the device's totals, as stats64 reports them.
 */
static void vnet_qstats_rx(struct vnet_priv *priv, u32 start, u32 end,
			   struct netdev_queue_stats_rx *rx)
{
	u64 snap[VNET_QS_NR], sum[VNET_QS_NR] = {}, missed = 0, oversize = 0;
	u32 q, i;

	for (q = start; q < end; q++) {
		vnet_qstats_read(&priv->qv[q].stats, snap);
		for (i = 0; i < VNET_QS_NR; i++)
			sum[i] += snap[i];
		missed += vnet_read_hw_stat(priv, q, VNET_HW_STAT_RX_MISSED);
		oversize += vnet_read_hw_stat(priv, q,
					      VNET_HW_STAT_RX_OVERSIZE);
	}
	rx->packets = sum[VNET_QS_RX_PACKETS];
	rx->bytes = sum[VNET_QS_RX_BYTES];
	rx->alloc_fail = sum[VNET_QS_RX_ALLOC_FAIL];
	rx->hw_drops = missed + oversize;
	rx->hw_drop_overruns = missed;
	rx->csum_none = sum[VNET_QS_RX_CSUM_NONE];
	rx->csum_unnecessary = sum[VNET_QS_RX_CSUM_UNNECESSARY];
	rx->csum_bad = sum[VNET_QS_RX_CSUM_BAD];
	rx->hw_gro_packets = sum[VNET_QS_RX_HW_GRO_PACKETS];
	rx->hw_gro_bytes = sum[VNET_QS_RX_HW_GRO_BYTES];
	rx->hw_gro_wire_packets = sum[VNET_QS_RX_HW_GRO_WIRE_PACKETS];
	rx->hw_gro_wire_bytes = sum[VNET_QS_RX_HW_GRO_WIRE_BYTES];
	vnet_compat_qstats_csum_complete(rx, sum[VNET_QS_RX_CSUM_COMPLETE]);
}

static void vnet_qstats_tx(struct vnet_priv *priv, u32 start, u32 end,
			   struct netdev_queue_stats_tx *tx)
{
	u64 snap[VNET_QS_NR], sum[VNET_QS_NR] = {}, errors = 0, no_link = 0;
	u64 segs = 0;
	u32 q, i;

	for (q = start; q < end; q++) {
		vnet_qstats_read(&priv->qv[q].stats, snap);
		for (i = 0; i < VNET_QS_NR; i++)
			sum[i] += snap[i];
		errors += vnet_read_hw_stat(priv, q, VNET_HW_STAT_TX_ERRORS);
		no_link += vnet_read_hw_stat(priv, q, VNET_HW_STAT_TX_NO_LINK);
		segs += vnet_read_hw_stat(priv, q, VNET_HW_STAT_TX_TSO_SEGS);
	}
	tx->packets = sum[VNET_QS_TX_PACKETS];
	tx->bytes = sum[VNET_QS_TX_BYTES];
	tx->hw_drops = errors + no_link;
	tx->hw_drop_errors = errors;
	tx->needs_csum = sum[VNET_QS_TX_NEEDS_CSUM];
	tx->hw_gso_packets = sum[VNET_QS_TX_TSO];
	tx->hw_gso_wire_packets = segs;
	tx->stop = sum[VNET_QS_TX_STOPS];
	tx->wake = sum[VNET_QS_TX_WAKES];
}

static void vnet_get_queue_stats_rx(struct net_device *netdev, int idx,
				    struct netdev_queue_stats_rx *rx)
{
	vnet_qstats_rx(netdev_priv(netdev), idx, idx + 1, rx);
}

static void vnet_get_queue_stats_tx(struct net_device *netdev, int idx,
				    struct netdev_queue_stats_tx *tx)
{
	vnet_qstats_tx(netdev_priv(netdev), idx, idx + 1, tx);
}

/* What queues counted before -L took them away, and never goes back. */
static void vnet_get_base_stats(struct net_device *netdev,
				struct netdev_queue_stats_rx *rx,
				struct netdev_queue_stats_tx *tx)
{
	struct vnet_priv *priv = netdev_priv(netdev);

	vnet_qstats_rx(priv, netdev->real_num_rx_queues, VNET_MAX_QUEUES, rx);
	vnet_qstats_tx(priv, netdev->real_num_tx_queues, VNET_MAX_QUEUES, tx);
}

const struct netdev_stat_ops vnet_stat_ops = {
	.get_queue_stats_rx	= vnet_get_queue_stats_rx,
	.get_queue_stats_tx	= vnet_get_queue_stats_tx,
	.get_base_stats		= vnet_get_base_stats,
};
