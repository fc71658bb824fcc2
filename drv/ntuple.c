// SPDX-License-Identifier: GPL-2.0
/*
 * ntuple flow rules (ethtool -N flow-type ... action Q|-1, delete, -n):
 * the driver's copy of each rule as the user gave it, and the device's
 * rule table it programs through the FLT_* staging registers.
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>

#include "vnet.h"

/* Stage @val's bytes as address words from @reg0 on. */
static void vnet_flt_stage_addr(struct vnet_priv *priv, u32 reg0,
				const void *val, u32 len)
{
	u8 word[4 * VNET_FLT_ADDR_WORDS] = {};
	u32 i;

	memcpy(word, val, len);
	for (i = 0; i < VNET_FLT_ADDR_WORDS; i++)
		vnet_wr32(priv, reg0 + 4 * i, get_unaligned_le32(&word[4 * i]));
}

static void vnet_flt_stage_ports(struct vnet_priv *priv, __be16 src,
				 __be16 dst, __be16 src_m, __be16 dst_m)
{
	vnet_wr32(priv, VNET_REG_FLT_PORTS, be16_to_cpu(src) |
		  (u32)be16_to_cpu(dst) << 16);
	vnet_wr32(priv, VNET_REG_FLT_PORTS_MASK, be16_to_cpu(src_m) |
		  (u32)be16_to_cpu(dst_m) << 16);
}

/*
 * The device's flow type for rule @fs, or -EOPNOTSUPP: TCP and UDP over
 * IPv4/IPv6 by addresses and ports, other IP by addresses; nothing of
 * ToS/traffic class, L4 protocol or the first L4 bytes, nor MAC/VLAN.
 */
static int vnet_flt_flow(const struct ethtool_rx_flow_spec *fs,
			 struct netlink_ext_ack *extack)
{
	u32 type = fs->flow_type & ~FLOW_RSS;

	if (fs->flow_type & (FLOW_EXT | FLOW_MAC_EXT)) {
		NL_SET_ERR_MSG_MOD(extack, "no MAC or VLAN match");
		return -EOPNOTSUPP;
	}
	switch (type) {
	case TCP_V4_FLOW:
	case UDP_V4_FLOW:
		if (fs->m_u.tcp_ip4_spec.tos)
			break;
		return type == TCP_V4_FLOW ? VNET_RSS_FLOW_TCP4 :
					     VNET_RSS_FLOW_UDP4;
	case IPV4_USER_FLOW:
		if (fs->m_u.usr_ip4_spec.l4_4_bytes ||
		    fs->m_u.usr_ip4_spec.tos || fs->m_u.usr_ip4_spec.proto ||
		    fs->h_u.usr_ip4_spec.ip_ver != ETH_RX_NFC_IP4)
			break;
		return VNET_RSS_FLOW_IP4;
	case TCP_V6_FLOW:
	case UDP_V6_FLOW:
		if (fs->m_u.tcp_ip6_spec.tclass)
			break;
		return type == TCP_V6_FLOW ? VNET_RSS_FLOW_TCP6 :
					     VNET_RSS_FLOW_UDP6;
	case IPV6_USER_FLOW:
		if (fs->m_u.usr_ip6_spec.l4_4_bytes ||
		    fs->m_u.usr_ip6_spec.tclass ||
		    fs->m_u.usr_ip6_spec.l4_proto)
			break;
		return VNET_RSS_FLOW_IP6;
	default:
		NL_SET_ERR_MSG_MOD(extack, "flow type not supported");
		return -EOPNOTSUPP;
	}
	NL_SET_ERR_MSG_MOD(extack,
			   "only addresses and ports can be matched");
	return -EOPNOTSUPP;
}

/*
 * Program rule @fs of device flow type @flow at its location; with
 * FLOW_RSS its queue is an offset into RSS context @ctx's spread.
 */
static void vnet_flt_program(struct vnet_priv *priv,
			     const struct ethtool_rx_flow_spec *fs, int flow,
			     u32 ctx)
{
	const struct ethtool_tcpip4_spec *h4 = &fs->h_u.tcp_ip4_spec;
	const struct ethtool_tcpip4_spec *m4 = &fs->m_u.tcp_ip4_spec;
	const struct ethtool_tcpip6_spec *h6 = &fs->h_u.tcp_ip6_spec;
	const struct ethtool_tcpip6_spec *m6 = &fs->m_u.tcp_ip6_spec;
	u32 action;

	BUILD_BUG_ON(FIELD_MAX(VNET_FLT_ACTION_QUEUE_MASK) + 1 <
		     VNET_HW_MAX_QUEUES);
	BUILD_BUG_ON(FIELD_MAX(VNET_FLT_ACTION_CTX_MASK) + 1 <
		     VNET_HW_RSS_CONTEXTS);
	switch (flow) {
	case VNET_RSS_FLOW_TCP4:
	case VNET_RSS_FLOW_UDP4:
	case VNET_RSS_FLOW_IP4:
		/* usr_ip4_spec starts with the same two addresses */
		vnet_flt_stage_addr(priv, VNET_REG_FLT_SRC(0), &h4->ip4src, 4);
		vnet_flt_stage_addr(priv, VNET_REG_FLT_SRC_MASK(0),
				    &m4->ip4src, 4);
		vnet_flt_stage_addr(priv, VNET_REG_FLT_DST(0), &h4->ip4dst, 4);
		vnet_flt_stage_addr(priv, VNET_REG_FLT_DST_MASK(0),
				    &m4->ip4dst, 4);
		if (flow == VNET_RSS_FLOW_IP4)
			vnet_flt_stage_ports(priv, 0, 0, 0, 0);
		else
			vnet_flt_stage_ports(priv, h4->psrc, h4->pdst,
					     m4->psrc, m4->pdst);
		break;
	default:
		vnet_flt_stage_addr(priv, VNET_REG_FLT_SRC(0), h6->ip6src, 16);
		vnet_flt_stage_addr(priv, VNET_REG_FLT_SRC_MASK(0),
				    m6->ip6src, 16);
		vnet_flt_stage_addr(priv, VNET_REG_FLT_DST(0), h6->ip6dst, 16);
		vnet_flt_stage_addr(priv, VNET_REG_FLT_DST_MASK(0),
				    m6->ip6dst, 16);
		if (flow == VNET_RSS_FLOW_IP6)
			vnet_flt_stage_ports(priv, 0, 0, 0, 0);
		else
			vnet_flt_stage_ports(priv, h6->psrc, h6->pdst,
					     m6->psrc, m6->pdst);
		break;
	}
	vnet_wr32(priv, VNET_REG_FLT_MATCH,
		  FIELD_PREP(VNET_FLT_MATCH_FLOW_MASK, flow));
	action = FIELD_PREP(VNET_FLT_ACTION_QUEUE_MASK,
			    ethtool_get_flow_spec_ring(fs->ring_cookie));
	if (fs->flow_type & FLOW_RSS)
		action |= VNET_FLT_ACTION_RSS |
			  FIELD_PREP(VNET_FLT_ACTION_CTX_MASK, ctx);
	if (fs->ring_cookie == RX_CLS_FLOW_DISC)
		action = VNET_FLT_ACTION_DROP;
	vnet_wr32(priv, VNET_REG_FLT_ACTION, action);
	vnet_wr32(priv, VNET_REG_FLT_CMD,
		  FIELD_PREP(VNET_FLT_CMD_OP_MASK, VNET_FLT_CMD_WRITE) |
		  FIELD_PREP(VNET_FLT_CMD_INDEX_MASK, fs->location));
}

/*
 * Where a rule without a location goes: the first free location, or
 * VNET_HW_FLT_RULES if none is; -EEXIST if a set rule matches the frames
 * @fs matches (one of the two would never be hit).
 */
static int vnet_flt_loc_any(struct vnet_priv *priv,
			    const struct ethtool_rx_flow_spec *fs)
{
	const struct ethtool_rx_flow_spec *r;
	u32 loc, free = VNET_HW_FLT_RULES;

	for (loc = 0; loc < VNET_HW_FLT_RULES; loc++) {
		r = &priv->flt.rules[loc];
		if (!priv->flt.used[loc]) {
			if (free == VNET_HW_FLT_RULES)
				free = loc;
			continue;
		}
		if ((r->flow_type & ~FLOW_RSS) == (fs->flow_type & ~FLOW_RSS) &&
		    !memcmp(&r->h_u, &fs->h_u, sizeof(r->h_u)) &&
		    !memcmp(&r->m_u, &fs->m_u, sizeof(r->m_u)))
			return -EEXIST;
	}
	return free;
}

static int vnet_flt_add(struct vnet_priv *priv,
			struct ethtool_rx_flow_spec *fs, u32 ctx,
			struct netlink_ext_ack *extack)
{
	u64 ring = ethtool_get_flow_spec_ring(fs->ring_cookie);
	int flow, err;
	u32 loc;

	if (!(priv->netdev->features & NETIF_F_NTUPLE)) {
		NL_SET_ERR_MSG_MOD(extack, "ntuple-filters is off");
		return -EOPNOTSUPP;
	}
	flow = vnet_flt_flow(fs, extack);
	if (flow < 0)
		return flow;
	if (fs->ring_cookie != RX_CLS_FLOW_DISC &&
	    (ethtool_get_flow_spec_ring_vf(fs->ring_cookie) ||
	     ring >= priv->cfg.num_queues)) {
		NL_SET_ERR_MSG_MOD(extack, "no such queue");
		return -EINVAL;
	}
	if (fs->flow_type & FLOW_RSS && fs->ring_cookie == RX_CLS_FLOW_DISC) {
		NL_SET_ERR_MSG_MOD(extack, "a drop rule spreads nothing");
		return -EINVAL;
	}
	/* Context 0 is the main one; others must have been created. */
	if (fs->flow_type & FLOW_RSS &&
	    (ctx >= VNET_HW_RSS_CONTEXTS ||
	     (ctx && !test_bit(ctx, priv->rss.ctx_used)))) {
		NL_SET_ERR_MSG_MOD(extack, "no such RSS context");
		return -EINVAL;
	}
	if (fs->flow_type & FLOW_RSS &&
	    ring + priv->rss.ctx_max[ctx] >= priv->cfg.num_queues) {
		NL_SET_ERR_MSG_MOD(extack,
				   "the rule's queue added to the context's entries names an inactive queue");
		return -EINVAL;
	}
	if (fs->location == RX_CLS_LOC_ANY) {
		err = vnet_flt_loc_any(priv, fs);
		if (err == -EEXIST) {
			NL_SET_ERR_MSG_MOD(extack,
					   "a rule matching the same frames is set");
			return err;
		}
		loc = err;
		if (loc == VNET_HW_FLT_RULES) {
			NL_SET_ERR_MSG_MOD(extack, "rule table full");
			return -ENOSPC;
		}
		fs->location = loc;
	} else if (fs->location >= VNET_HW_FLT_RULES) {
		NL_SET_ERR_MSG_MOD(extack, "no such location");
		return -EINVAL;
	}

	priv->flt.rules[fs->location] = *fs;
	priv->flt.ctx[fs->location] = fs->flow_type & FLOW_RSS ? ctx : 0;
	priv->flt.nr_used += !priv->flt.used[fs->location];
	priv->flt.used[fs->location] = true;
	vnet_flt_program(priv, fs, flow, priv->flt.ctx[fs->location]);
	return 0;
}

static int vnet_flt_del(struct vnet_priv *priv, u32 loc)
{
	if (loc >= VNET_HW_FLT_RULES || !priv->flt.used[loc])
		return -ENOENT;
	vnet_wr32(priv, VNET_REG_FLT_CMD,
		  FIELD_PREP(VNET_FLT_CMD_OP_MASK, VNET_FLT_CMD_CLEAR) |
		  FIELD_PREP(VNET_FLT_CMD_INDEX_MASK, loc));
	priv->flt.used[loc] = false;
	priv->flt.nr_used--;
	return 0;
}

int vnet_flt_set_rxnfc(struct vnet_priv *priv, struct ethtool_rxnfc *info)
{
	switch (info->cmd) {
	case ETHTOOL_SRXCLSRLINS:
		return vnet_flt_add(priv, &info->fs, info->rss_context, NULL);
	case ETHTOOL_SRXCLSRLDEL:
		return vnet_flt_del(priv, info->fs.location);
	}
	return -EOPNOTSUPP;
}

int vnet_flt_get_rxnfc(struct vnet_priv *priv, struct ethtool_rxnfc *info,
		       u32 *rule_locs)
{
	u32 loc, n = 0;

	switch (info->cmd) {
	case ETHTOOL_GRXCLSRLCNT:
		info->rule_cnt = priv->flt.nr_used;
		info->data = VNET_HW_FLT_RULES | RX_CLS_LOC_SPECIAL;
		return 0;
	case ETHTOOL_GRXCLSRULE:
		loc = info->fs.location;
		if (loc >= VNET_HW_FLT_RULES || !priv->flt.used[loc])
			return -ENOENT;
		info->fs = priv->flt.rules[loc];
		if (info->fs.flow_type & FLOW_RSS)
			info->rss_context = priv->flt.ctx[loc];
		return 0;
	case ETHTOOL_GRXCLSRLALL:
		for (loc = 0; loc < VNET_HW_FLT_RULES; loc++) {
			if (!priv->flt.used[loc])
				continue;
			if (n == info->rule_cnt)
				return -EMSGSIZE;
			rule_locs[n++] = loc;
		}
		info->rule_cnt = n;
		info->data = VNET_HW_FLT_RULES;
		return 0;
	}
	return -EOPNOTSUPP;
}

/*
 * The highest queue a rule spreading with RSS context @c adds to the
 * context's entries, or -1 if no rule uses @c.
 */
int vnet_flt_ctx_offset(struct vnet_priv *priv, u32 c)
{
	const struct ethtool_rx_flow_spec *fs;
	int max = -1, q;
	u32 loc;

	for (loc = 0; loc < VNET_HW_FLT_RULES; loc++) {
		fs = &priv->flt.rules[loc];
		if (!priv->flt.used[loc] || !(fs->flow_type & FLOW_RSS) ||
		    priv->flt.ctx[loc] != c)
			continue;
		q = ethtool_get_flow_spec_ring(fs->ring_cookie);
		max = max(max, q);
	}
	return max;
}

/*
 * The highest queue a rule sends frames to, or -1. A rule that spreads
 * with a context reaches its queue plus the context's highest entry.
 * Context 0's default table follows -L, so there only the rule's queue
 * counts: with the default table (every queue) a rule on context 0 can
 * only have queue 0, as adding one checks it and so does resetting the
 * table (vnet_rss_check()).
 */
int vnet_flt_max_queue(struct vnet_priv *priv)
{
	const struct ethtool_rx_flow_spec *fs;
	int max = -1, q;
	u32 loc, c;

	for (loc = 0; loc < VNET_HW_FLT_RULES; loc++) {
		fs = &priv->flt.rules[loc];
		if (!priv->flt.used[loc] || fs->ring_cookie == RX_CLS_FLOW_DISC)
			continue;
		q = ethtool_get_flow_spec_ring(fs->ring_cookie);
		c = priv->flt.ctx[loc];
		if (fs->flow_type & FLOW_RSS &&
		    (c || netif_is_rxfh_configured(priv->netdev)))
			q += priv->rss.ctx_max[c];
		max = max(max, q);
	}
	return max;
}

/* The hits of the rule at @loc, as the device counts them. */
u64 vnet_flt_hits(struct vnet_priv *priv, u32 loc)
{
	u64 lo, hi;

	vnet_wr32(priv, VNET_REG_FLT_CMD,
		  FIELD_PREP(VNET_FLT_CMD_OP_MASK, VNET_FLT_CMD_READ_HITS) |
		  FIELD_PREP(VNET_FLT_CMD_INDEX_MASK, loc));
	lo = vnet_rd32(priv, VNET_REG_FLT_HITS_LO);
	hi = vnet_rd32(priv, VNET_REG_FLT_HITS_HI);
	return hi << 32 | lo;
}
