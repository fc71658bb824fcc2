// SPDX-License-Identifier: GPL-2.0
/* vnet emulated device: the flow rule table (ntuple) the RX engine tries. */
#include "hw_emul.h"

void vnet_hw_flt_init(struct vnet_hw *hw)
{
	u32 i;

	seqlock_init(&hw->flt.lock);
	for (i = 0; i < VNET_HW_FLT_RULES; i++)
		atomic64_set(&hw->flt.hits[i], 0);
}

/* FLT_CMD: WRITE and CLEAR change a rule under the table's seqlock. */
static void vnet_hw_flt_cmd(struct vnet_hw_flt *flt, u32 val)
{
	u32 idx = FIELD_GET(VNET_FLT_CMD_INDEX_MASK, val);
	struct vnet_hw_flt_rule *r;

	if (idx >= VNET_HW_FLT_RULES)
		return;
	r = &flt->rules[idx];
	switch (FIELD_GET(VNET_FLT_CMD_OP_MASK, val)) {
	case VNET_FLT_CMD_WRITE:
		write_seqlock(&flt->lock);
		flt->nr_on += !r->on;
		*r = flt->stage;
		r->on = true;
		write_sequnlock(&flt->lock);
		/* A new rule counts from 0. */
		atomic64_set(&flt->hits[idx], 0);
		break;
	case VNET_FLT_CMD_CLEAR:
		write_seqlock(&flt->lock);
		flt->nr_on -= r->on;
		r->on = false;
		write_sequnlock(&flt->lock);
		break;
	case VNET_FLT_CMD_READ_HITS:
		flt->hits_latch = atomic64_read(&flt->hits[idx]);
		break;
	}
}

/* @reg is one of the VNET_REG_FLT_* registers. */
u32 vnet_hw_flt_rd32(struct vnet_hw *hw, u32 reg)
{
	switch (reg) {
	case VNET_REG_FLT_HITS_LO:
		return lower_32_bits(hw->flt.hits_latch);
	case VNET_REG_FLT_HITS_HI:
		return upper_32_bits(hw->flt.hits_latch);
	}
	return 0;
}

void vnet_hw_flt_wr32(struct vnet_hw *hw, u32 reg, u32 val)
{
	struct vnet_hw_flt_rule *st = &hw->flt.stage;
	u32 n;

	switch (reg) {
	case VNET_REG_FLT_SRC(0) ... VNET_REG_FLT_SRC_MASK(0) - 1:
		n = (reg - VNET_REG_FLT_SRC(0)) / 4;
		put_unaligned_le32(val, &st->src[4 * n]);
		break;
	case VNET_REG_FLT_SRC_MASK(0) ... VNET_REG_FLT_DST(0) - 1:
		n = (reg - VNET_REG_FLT_SRC_MASK(0)) / 4;
		put_unaligned_le32(val, &st->src_mask[4 * n]);
		break;
	case VNET_REG_FLT_DST(0) ... VNET_REG_FLT_DST_MASK(0) - 1:
		n = (reg - VNET_REG_FLT_DST(0)) / 4;
		put_unaligned_le32(val, &st->dst[4 * n]);
		break;
	case VNET_REG_FLT_DST_MASK(0) ... VNET_REG_FLT_PORTS - 1:
		n = (reg - VNET_REG_FLT_DST_MASK(0)) / 4;
		put_unaligned_le32(val, &st->dst_mask[4 * n]);
		break;
	case VNET_REG_FLT_PORTS:
		st->ports = val;
		break;
	case VNET_REG_FLT_PORTS_MASK:
		st->ports_mask = val;
		break;
	case VNET_REG_FLT_MATCH:
		st->flow = FIELD_GET(VNET_FLT_MATCH_FLOW_MASK, val);
		break;
	case VNET_REG_FLT_ACTION:
		st->action = val & (VNET_FLT_ACTION_QUEUE_MASK |
				    VNET_FLT_ACTION_CTX_MASK |
				    VNET_FLT_ACTION_RSS | VNET_FLT_ACTION_DROP);
		break;
	case VNET_REG_FLT_CMD:
		vnet_hw_flt_cmd(&hw->flt, val);
		break;
	}
}

static bool vnet_hw_flt_addr_eq(const u8 *a, const u8 *want, const u8 *mask,
				u32 len)
{
	u32 i;

	for (i = 0; i < len; i++)
		if ((a[i] ^ want[i]) & mask[i])
			return false;
	return true;
}

static bool vnet_hw_flt_match_one(const struct vnet_hw_flt_rule *r,
				  const struct vnet_flow *fl, u32 flow)
{
	u32 ports;

	if (!r->on)
		return false;
	if (r->flow == VNET_RSS_FLOW_IP4 || r->flow == VNET_RSS_FLOW_IP6) {
		if (fl->ip_ver != (r->flow == VNET_RSS_FLOW_IP4 ? 4 : 6))
			return false;
	} else if (r->flow != flow) {
		return false;
	}
	if (!vnet_hw_flt_addr_eq(fl->saddr, r->src, r->src_mask,
				 fl->addr_len) ||
	    !vnet_hw_flt_addr_eq(fl->daddr, r->dst, r->dst_mask,
				 fl->addr_len))
		return false;
	if (r->flow == VNET_RSS_FLOW_IP4 || r->flow == VNET_RSS_FLOW_IP6)
		return true;
	ports = get_unaligned_be16(fl->ports) |
		(u32)get_unaligned_be16(fl->ports + 2) << 16;
	return !((ports ^ r->ports) & r->ports_mask);
}

/*
 * The action of the first rule that matches parsed frame @fl of flow type
 * @flow (counted as a hit), or -1. Called from the RX engine.
 */
s64 vnet_hw_flt_match(struct vnet_hw *hw, const struct vnet_flow *fl,
		      u32 flow)
{
	struct vnet_hw_flt *flt = &hw->flt;
	unsigned int seq;
	s64 action;
	int i, hit;

	if (!(READ_ONCE(hw->ctrl) & VNET_CTRL_FLT_EN) || !READ_ONCE(flt->nr_on))
		return -1;
	do {
		seq = read_seqbegin(&flt->lock);
		hit = -1;
		action = -1;
		for (i = 0; i < VNET_HW_FLT_RULES; i++)
			if (vnet_hw_flt_match_one(&flt->rules[i], fl, flow)) {
				hit = i;
				action = flt->rules[i].action;
				break;
			}
	} while (read_seqretry(&flt->lock, seq));
	if (hit >= 0)
		atomic64_inc(&flt->hits[hit]);
	return action;
}
