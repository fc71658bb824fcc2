// SPDX-License-Identifier: GPL-2.0
/*
 * RSS: the driver's copy of what the device's RSS registers hold for
 * context 0 (key, indirection table, input transform) and of the hash
 * fields per flow type; ethtool -x/-X and rx-flow-hash; the table's
 * default spread, which follows -L until the user sets a table; and the
 * additional contexts (6.11+), whose tables the core keeps.
 */
#include <linux/bitops.h>
#include <linux/ethtool.h>
#include <linux/netdevice.h>

#include "vnet.h"
#include "vnet_compat.h"

/* Context @c's registers: table, key, control (@xfrm; @en: on or off) */
static void vnet_rss_write_table(struct vnet_priv *priv, u32 c,
				 const u32 *indir)
{
	u32 i, val;

	for (i = 0; i < VNET_RSS_RETA_REGS; i++) {
		val = indir[4 * i] | indir[4 * i + 1] << 8 |
		      indir[4 * i + 2] << 16 | indir[4 * i + 3] << 24;
		vnet_wr32(priv, VNET_REG_RSS_CTX(c, VNET_RSS_CTX_RETA(i)), val);
	}
}

static void vnet_rss_write_key(struct vnet_priv *priv, u32 c, const u8 *key)
{
	u32 i;

	for (i = 0; i < VNET_RSS_KEY_REGS; i++)
		vnet_wr32(priv, VNET_REG_RSS_CTX(c, VNET_RSS_CTX_KEY(i)),
			  get_unaligned_le32(&key[4 * i]));
}

static void vnet_rss_write_ctrl(struct vnet_priv *priv, u32 c, u8 xfrm,
				bool en)
{
	u32 ctrl = en ? VNET_RSS_CTX_EN : 0;

	if (xfrm & RXH_XFRM_SYM_XOR)
		ctrl |= VNET_RSS_CTX_SYM_XOR;
	if (xfrm & VNET_RXH_XFRM_SYM_OR_XOR)
		ctrl |= VNET_RSS_CTX_SYM_OR_XOR;
	vnet_wr32(priv, VNET_REG_RSS_CTX(c, VNET_RSS_CTX_CTRL), ctrl);
}

/* Spread over @nq queues: entry i is queue i % nq, as the core's default. */
static void vnet_rss_default_table(u32 *indir, u32 nq)
{
	u32 i;

	for (i = 0; i < VNET_HW_RSS_TABLE_SIZE; i++)
		indir[i] = ethtool_rxfh_indir_default(i, nq);
}

static u32 vnet_rss_table_max(const u32 *indir)
{
	u32 i, max = 0;

	for (i = 0; i < VNET_HW_RSS_TABLE_SIZE; i++)
		max = max(max, indir[i]);
	return max;
}

/* Probe: a random key, the default spread and hash fields, no transform. */
void vnet_rss_init(struct vnet_priv *priv)
{
	u32 t;

	netdev_rss_key_fill(priv->rss.key, sizeof(priv->rss.key));
	vnet_rss_default_table(priv->rss.indir, priv->cfg.num_queues);
	priv->rss.ctx_max[0] = vnet_rss_table_max(priv->rss.indir);
	priv->rss.input_xfrm = 0;
	for (t = 0; t < VNET_RSS_NR_FLOWS; t++) {
		priv->rss.fields[t] = VNET_RSS_F_IP_SRC | VNET_RSS_F_IP_DST;
		if (t != VNET_RSS_FLOW_IP4 && t != VNET_RSS_FLOW_IP6)
			priv->rss.fields[t] |= VNET_RSS_F_L4_SRC |
					       VNET_RSS_F_L4_DST;
		vnet_wr32(priv, VNET_REG_RSS_FIELDS(t), priv->rss.fields[t]);
	}
	vnet_rss_write_key(priv, 0, priv->rss.key);
	vnet_rss_write_table(priv, 0, priv->rss.indir);
	vnet_rss_write_ctrl(priv, 0, priv->rss.input_xfrm, true);
}

/*
 * The queue count became @nq (-L). A table the user set stays: the core
 * refuses a count its entries would point past. The default one follows.
 */
void vnet_rss_set_queues(struct vnet_priv *priv, u32 nq)
{
	u32 i;

	if (netif_is_rxfh_configured(priv->netdev)) {
		for (i = 0; i < VNET_HW_RSS_TABLE_SIZE; i++)
			if (priv->rss.indir[i] >= nq)
				break;
		if (i == VNET_HW_RSS_TABLE_SIZE)
			return;
		netdev_warn(priv->netdev,
			    "RSS table points past %u queues: back to the default spread\n",
			    nq);
	}
	vnet_rss_default_table(priv->rss.indir, nq);
	priv->rss.ctx_max[0] = vnet_rss_table_max(priv->rss.indir);
	vnet_rss_write_table(priv, 0, priv->rss.indir);
}

u32 vnet_get_rxfh_key_size(struct net_device *netdev)
{
	return VNET_HW_RSS_KEY_LEN;
}

u32 vnet_get_rxfh_indir_size(struct net_device *netdev)
{
	return VNET_HW_RSS_TABLE_SIZE;
}

static bool vnet_rss_fields_symmetric(const u32 *fields)
{
	u32 t, f;

	for (t = 0; t < VNET_RSS_NR_FLOWS; t++) {
		f = fields[t];
		if (!(f & VNET_RSS_F_IP_SRC) != !(f & VNET_RSS_F_IP_DST) ||
		    !(f & VNET_RSS_F_L4_SRC) != !(f & VNET_RSS_F_L4_DST) ||
		    (f & VNET_RSS_F_IP6_FL))
			return false;
	}
	return true;
}

void vnet_rss_get(struct vnet_priv *priv, u32 *indir, u8 *key, u8 *xfrm)
{
	if (indir)
		memcpy(indir, priv->rss.indir, sizeof(priv->rss.indir));
	if (key)
		memcpy(key, priv->rss.key, sizeof(priv->rss.key));
	if (xfrm)
		*xfrm = priv->rss.input_xfrm;
}

/*
 * What ethtool -X may set for context @c: Toeplitz, a known transform,
 * a table of active queues, also with the queues flow rules add to it.
 */
static int vnet_rss_check(struct vnet_priv *priv, u32 c, const u32 *indir,
			  u8 hfunc, u8 xfrm, struct netlink_ext_ack *extack)
{
	int off = vnet_flt_ctx_offset(priv, c);
	u32 nq = priv->cfg.num_queues;

	if (hfunc != ETH_RSS_HASH_NO_CHANGE && hfunc != ETH_RSS_HASH_TOP) {
		NL_SET_ERR_MSG_MOD(extack, "Toeplitz is the only hash");
		return -EOPNOTSUPP;
	}
	if (xfrm != RXH_XFRM_NO_CHANGE) {
		if (xfrm & ~VNET_RXH_XFRM_SUPPORTED ||
		    hweight8(xfrm) > 1) {
			NL_SET_ERR_MSG_MOD(extack,
					   "input transform not supported");
			return -EOPNOTSUPP;
		}
		if (xfrm && !vnet_rss_fields_symmetric(priv->rss.fields)) {
			NL_SET_ERR_MSG_MOD(extack,
					   "a symmetric transform needs symmetric hash fields");
			return -EINVAL;
		}
	}
	if (indir && vnet_rss_table_max(indir) >= nq) {
		NL_SET_ERR_MSG_MOD(extack,
				   "a table entry names an inactive queue");
		return -EINVAL;
	}
	if (indir && off > 0 && vnet_rss_table_max(indir) + off >= nq) {
		NL_SET_ERR_MSG_MOD(extack,
				   "a flow rule's queue added to a table entry names an inactive queue");
		return -EINVAL;
	}
	return 0;
}

/*
 * ethtool -X: @indir, @key NULL and @hfunc ETH_RSS_HASH_NO_CHANGE, @xfrm
 * RXH_XFRM_NO_CHANGE leave that part as it is. Nothing changes unless all
 * of it is valid.
 */
int vnet_rss_set(struct vnet_priv *priv, const u32 *indir, const u8 *key,
		 u8 hfunc, u8 xfrm, struct netlink_ext_ack *extack)
{
	int err;
	u32 c;

	err = vnet_rss_check(priv, 0, indir, hfunc, xfrm, extack);
	if (err)
		return err;
	if (indir) {
		memcpy(priv->rss.indir, indir, sizeof(priv->rss.indir));
		priv->rss.ctx_max[0] = vnet_rss_table_max(indir);
		vnet_rss_write_table(priv, 0, priv->rss.indir);
	}
	if (key)
		memcpy(priv->rss.key, key, sizeof(priv->rss.key));
	if (xfrm != RXH_XFRM_NO_CHANGE)
		priv->rss.input_xfrm = xfrm;
	/* Additional contexts share context 0's key and transform. */
	for (c = 0; c < VNET_HW_RSS_CONTEXTS; c++) {
		if (c && !test_bit(c, priv->rss.ctx_used))
			continue;
		if (key)
			vnet_rss_write_key(priv, c, priv->rss.key);
		if (xfrm != RXH_XFRM_NO_CHANGE)
			vnet_rss_write_ctrl(priv, c, priv->rss.input_xfrm,
					    true);
	}
	return 0;
}

#ifdef VNET_HAVE_RXFH_CONTEXT
/*
 * Additional contexts: the core keeps each one's table in @ctx and gives
 * out IDs below rxfh_max_num_contexts, which are the device's context
 * numbers. They hash with context 0's key and transform (the device's
 * hash fields are not per context, and the core wants both or neither),
 * which the driver copies into their registers. A table @rxfh leaves out
 * stays @ctx's, or on create is the default spread.
 */
static int vnet_rss_ctx_apply(struct vnet_priv *priv,
			      struct ethtool_rxfh_context *ctx,
			      const struct ethtool_rxfh_param *rxfh,
			      bool create, struct netlink_ext_ack *extack)
{
	u32 c = rxfh->rss_context, *indir = ethtool_rxfh_context_indir(ctx);
	int err;

	if (!c || c >= VNET_HW_RSS_CONTEXTS)
		return -EINVAL;
	/* ethtool before 6.8 leaves input_xfrm 0: no change either */
	if (rxfh->key || (rxfh->input_xfrm != RXH_XFRM_NO_CHANGE &&
			  rxfh->input_xfrm &&
			  rxfh->input_xfrm != priv->rss.input_xfrm)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "contexts share context 0's key and transform");
		return -EOPNOTSUPP;
	}
	err = vnet_rss_check(priv, c, rxfh->indir, rxfh->hfunc,
			     RXH_XFRM_NO_CHANGE, extack);
	if (err)
		return err;

	if (rxfh->indir)
		memcpy(indir, rxfh->indir,
		       sizeof(*indir) * VNET_HW_RSS_TABLE_SIZE);
	else if (create)
		vnet_rss_default_table(indir, priv->cfg.num_queues);
	ctx->hfunc = ETH_RSS_HASH_TOP;
	/*
	 * 6.12's core wants a key filled in; 7.x reports none for contexts
	 * without keys of their own. No transform: 7.x would then ask for
	 * per-context hash fields on every change of the context.
	 */
	if (ctx->key_size == VNET_HW_RSS_KEY_LEN)
		memcpy(ethtool_rxfh_context_key(ctx), priv->rss.key,
		       VNET_HW_RSS_KEY_LEN);

	priv->rss.ctx_max[c] = vnet_rss_table_max(indir);
	vnet_rss_write_table(priv, c, indir);
	vnet_rss_write_key(priv, c, priv->rss.key);
	vnet_rss_write_ctrl(priv, c, priv->rss.input_xfrm, true);
	__set_bit(c, priv->rss.ctx_used);
	return 0;
}

int vnet_create_rxfh_context(struct net_device *netdev,
			     struct ethtool_rxfh_context *ctx,
			     const struct ethtool_rxfh_param *rxfh,
			     struct netlink_ext_ack *extack)
{
	return vnet_rss_ctx_apply(netdev_priv(netdev), ctx, rxfh, true, extack);
}

int vnet_modify_rxfh_context(struct net_device *netdev,
			     struct ethtool_rxfh_context *ctx,
			     const struct ethtool_rxfh_param *rxfh,
			     struct netlink_ext_ack *extack)
{
	return vnet_rss_ctx_apply(netdev_priv(netdev), ctx, rxfh, false,
				  extack);
}

int vnet_remove_rxfh_context(struct net_device *netdev,
			     struct ethtool_rxfh_context *ctx, u32 c,
			     struct netlink_ext_ack *extack)
{
	struct vnet_priv *priv = netdev_priv(netdev);

	if (!c || c >= VNET_HW_RSS_CONTEXTS)
		return -EINVAL;
	if (vnet_flt_ctx_offset(priv, c) >= 0) {
		NL_SET_ERR_MSG_MOD(extack,
				   "a flow rule still uses the context");
		return -EBUSY;
	}
	vnet_rss_write_ctrl(priv, c, 0, false);
	__clear_bit(c, priv->rss.ctx_used);
	return 0;
}
#endif

/* ethtool's flow types, as the device's RSS_FIELDS registers count them */
static int vnet_rss_flow(u32 flow_type)
{
	switch (flow_type & ~FLOW_RSS) {
	case TCP_V4_FLOW:
		return VNET_RSS_FLOW_TCP4;
	case UDP_V4_FLOW:
		return VNET_RSS_FLOW_UDP4;
	case IPV4_FLOW:
		return VNET_RSS_FLOW_IP4;
	case TCP_V6_FLOW:
		return VNET_RSS_FLOW_TCP6;
	case UDP_V6_FLOW:
		return VNET_RSS_FLOW_UDP6;
	case IPV6_FLOW:
		return VNET_RSS_FLOW_IP6;
	}
	return -EOPNOTSUPP;
}

/* RXH_* bits and the device's, for those it hashes */
static const struct {
	u32 rxh;
	u32 hw;
} vnet_rss_field_map[] = {
	{ RXH_IP_SRC,	VNET_RSS_F_IP_SRC },
	{ RXH_IP_DST,	VNET_RSS_F_IP_DST },
	{ RXH_L4_B_0_1,	VNET_RSS_F_L4_SRC },
	{ RXH_L4_B_2_3,	VNET_RSS_F_L4_DST },
	{ VNET_RXH_IP6_FL, VNET_RSS_F_IP6_FL },
};

int vnet_rss_get_fields(struct vnet_priv *priv, u32 flow_type, u64 *data)
{
	int t = vnet_rss_flow(flow_type);
	u32 i;

	if (t < 0)
		return t;
	*data = 0;
	for (i = 0; i < ARRAY_SIZE(vnet_rss_field_map); i++)
		if (priv->rss.fields[t] & vnet_rss_field_map[i].hw)
			*data |= vnet_rss_field_map[i].rxh;
	return 0;
}

int vnet_rss_set_fields(struct vnet_priv *priv, u32 flow_type, u64 data,
			struct netlink_ext_ack *extack)
{
	u32 fields[VNET_RSS_NR_FLOWS], allowed = VNET_RSS_F_IP_SRC |
						 VNET_RSS_F_IP_DST;
	int t = vnet_rss_flow(flow_type);
	u64 left = data;
	u32 i, f = 0;

	if (t < 0) {
		NL_SET_ERR_MSG_MOD(extack, "flow type not hashed");
		return t;
	}
	for (i = 0; i < ARRAY_SIZE(vnet_rss_field_map); i++) {
		u32 rxh = vnet_rss_field_map[i].rxh;

		if (rxh && data & rxh) {
			f |= vnet_rss_field_map[i].hw;
			left &= ~(u64)rxh;
		}
	}
	if (t != VNET_RSS_FLOW_IP4 && t != VNET_RSS_FLOW_IP6)
		allowed |= VNET_RSS_F_L4_SRC | VNET_RSS_F_L4_DST;
	if (t >= VNET_RSS_FLOW_TCP6)
		allowed |= VNET_RSS_F_IP6_FL;
	if (left || f & ~allowed) {
		NL_SET_ERR_MSG_MOD(extack,
				   "the device cannot hash these fields of this flow type");
		return -EINVAL;
	}

	memcpy(fields, priv->rss.fields, sizeof(fields));
	fields[t] = f;
	if (priv->rss.input_xfrm && !vnet_rss_fields_symmetric(fields)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "the symmetric transform needs symmetric hash fields");
		return -EINVAL;
	}
	priv->rss.fields[t] = f;
	vnet_wr32(priv, VNET_REG_RSS_FIELDS(t), f);
	return 0;
}
