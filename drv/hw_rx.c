// SPDX-License-Identifier: GPL-2.0
/* vnet emulated device: the RX engine and where the wire delivers. */
#include <linux/reciprocal_div.h>
#include <linux/skbuff.h>
#include <linux/vmalloc.h>
#include <net/ip6_checksum.h>

#include "hw_emul.h"
#include "vnet_partner.h"
#include "vnet_ring.h"

/*
 * Posted slots, write-back (length, checksum, RSS hash), the RSS queue
 * pick, and the two far ends of the wire: the peer port's TX engine (pair
 * mode), which delivers here in the sender's context with one copy per
 * frame, and the link partner (vnet_reflect()), which answers into the RX
 * ring of the queue that sent.
 */

/*
 * Called with rxq->lock held: claim more posted buffers, from the ring's
 * head on, until rxq->chain holds @len bytes. Returns 0, -EMSGSIZE if more
 * than VNET_HW_MAX_RX_BUFS buffers would be needed, or -ENOBUFS if the
 * driver has not posted enough; the chain is then as it was.
 */
int vnet_hw_rx_claim_more(struct vnet_hw_queue *q, u32 len)
{
	struct vnet_hw_rx_chain *ch = &q->rxq.chain;
	struct vnet_hw_ring *ring = &q->rxq.ring;
	u32 n = ch->n, room = ch->room, idx, tail;

	if (!ring->enabled)
		return -ENOBUFS;
	/* Tail published with release by the driver's doorbell write. */
	tail = smp_load_acquire(&ring->tail);
	idx = vnet_ring_add(ring->head, n, ring->size);
	while (room < len || !n) {
		struct vnet_rx_desc *desc;
		u64 cmd;

		if (idx == tail)
			return -ENOBUFS;
		if (n == VNET_HW_MAX_RX_BUFS)
			return -EMSGSIZE;
		desc = vnet_hw_rxd(ring, idx);
		cmd = le64_to_cpu(READ_ONCE(desc->cmd));
		ch->desc[n] = desc;
		ch->buf[n] =
			vnet_hw_dma_addr(le64_to_cpu(READ_ONCE(desc->addr)));
		ch->cap[n] = FIELD_GET(VNET_RXD_BUF_LEN_MASK, cmd);
		room += ch->cap[n];
		n++;
		idx = vnet_ring_next(idx, ring->size);
	}
	ch->n = n;
	ch->room = room;
	return 0;
}

/*
 * Called with rxq->lock held: the room of the next posted buffer, 0 if the
 * driver has posted none.
 */
u32 vnet_hw_rx_posted_cap(struct vnet_hw_queue *q)
{
	struct vnet_hw_ring *ring = &q->rxq.ring;
	u64 cmd;

	/* Tail published with release by the driver's doorbell write. */
	if (!ring->enabled || ring->head == smp_load_acquire(&ring->tail))
		return 0;
	cmd = le64_to_cpu(READ_ONCE(vnet_hw_rxd(ring, ring->head)->cmd));
	return FIELD_GET(VNET_RXD_BUF_LEN_MASK, cmd);
}

/*
 * Called with rxq->lock held: claim the posted buffers @len bytes fill
 * (rxq->chain). Returns 0 or as vnet_hw_rx_claim_more().
 */
int vnet_hw_rx_claim_any(struct vnet_hw_queue *q, u32 len)
{
	q->rxq.chain.n = 0;
	q->rxq.chain.room = 0;
	return vnet_hw_rx_claim_more(q, len);
}

/* As vnet_hw_rx_claim_any() for a wire frame: -EMSGSIZE past MAX_FRAME. */
int vnet_hw_rx_claim(struct vnet_hw_queue *q, u32 len)
{
	if (len > READ_ONCE(q->hw->max_frame))
		return -EMSGSIZE;
	return vnet_hw_rx_claim_any(q, len);
}

/*
 * The chain's buffer that offset @off of its frame falls in; *@off becomes
 * the offset in that buffer. The caller has claimed room past @off.
 */
u32 vnet_hw_rx_chain_seek(const struct vnet_hw_rx_chain *ch, u32 *off)
{
	u32 i = 0;

	while (*off >= ch->cap[i]) {
		*off -= ch->cap[i];
		i++;
	}
	return i;
}

/* Copy @len bytes to offset @off of the frame the chain's buffers hold. */
void vnet_hw_rx_chain_copy(struct vnet_hw_rx_chain *ch, u32 off,
			   const u8 *src, u32 len)
{
	u32 i = vnet_hw_rx_chain_seek(ch, &off), n;

	for (; len; i++, off = 0) {
		n = min(len, ch->cap[i] - off);
		memcpy(ch->buf[i] + off, src, n);
		src += n;
		len -= n;
	}
}

/* Count a frame the RX engine could not take, by vnet_hw_rx_claim()'s @err */
static void vnet_hw_rx_lost(struct vnet_hw_rxq *rxq, int err)
{
	vnet_hw_stat_add(&rxq->syncp, err == -EMSGSIZE ? &rxq->oversize :
			 &rxq->missed, 1);
}

/*
 * Where the engine assembles a claimed frame: in place when it fits the
 * first buffer, else in its staging buffer (VNET_HW_MAX_FRAME bytes), to
 * be spread over the chain. Returns that, and its room in *@cap.
 */
static u8 *vnet_hw_rx_frame_buf(struct vnet_hw_rxq *rxq, u32 *cap)
{
	if (rxq->chain.n == 1) {
		*cap = rxq->chain.cap[0];
		return rxq->chain.buf[0];
	}
	*cap = VNET_HW_MAX_FRAME;
	return rxq->stage;
}

/* The MAC pads runts on the wire: a claim was made for the padded length */
static u32 vnet_hw_rx_pad(u8 *frame, u32 len)
{
	if (len >= VNET_HW_MIN_FRAME)
		return len;
	memset(frame + len, 0, VNET_HW_MIN_FRAME - len);
	return VNET_HW_MIN_FRAME;
}

/* First write-back word: the RSS hash, if the port reports hashes. */
static u64 vnet_hw_rx_hash_wb(u32 ctrl, u32 hash, enum vnet_hash_type type)
{
	if (!(ctrl & VNET_CTRL_RX_HASH))
		return 0;
	return FIELD_PREP(VNET_RXD_WB_HASH_MASK, hash) |
	       FIELD_PREP(VNET_RXD_WB_HASH_TYPE_MASK, type);
}

/*
 * Does the IPv6 header at @l3 of @frame carry extension header @type
 * before offset @end? The parser has checked every length up to there.
 */
bool vnet_hw_ip6_ext_before(const u8 *frame, u32 l3, u32 end, u8 type)
{
	u32 off = l3 + sizeof(struct ipv6hdr);
	u8 nexthdr = frame[l3 + 6];

	while (off < end) {
		if (nexthdr == type)
			return true;
		nexthdr = frame[off];
		off += (frame[off + 1] + 1) * 8;
	}
	return false;
}

/* Does IPv6 datagram @fl of @frame carry extension header @type? */
bool vnet_hw_ip6_has_ext(const u8 *frame, const struct vnet_flow *fl, u8 type)
{
	return vnet_hw_ip6_ext_before(frame, fl->l3_off, fl->l4_off, type);
}

/*
 * The L4 verdict on TCP or UDP datagram @fl (parsed, its L4 header found)
 * of frame @buf of @len bytes, from @l3, the sum of the frame's bytes
 * after the Ethernet header: take out every IP header (both, IP in IP) and
 * whatever follows the datagram, add the pseudo-header. Returns
 * VNET_RXD_L4_OK, VNET_RXD_L4_BAD, or 0 if it cannot be checked (as many
 * NICs, it leaves IPv6 with a routing header alone).
 */
u64 vnet_hw_rx_l4_verdict(const u8 *buf, u32 len, __wsum l3,
			  const struct vnet_flow *fl)
{
	u32 l4_len;
	__sum16 res;

	if (!fl->l4_off || fl->frag || fl->ip_end > len)
		return 0;
	/* A routing header would change the pseudo-header: not checked. */
	if (fl->ip_ver == 6 && vnet_hw_ip6_has_ext(buf, fl, IPPROTO_ROUTING))
		return 0;
	if (fl->l4_proto == IPPROTO_UDP && fl->ip_ver == 4 &&
	    !get_unaligned((__be16 *)(buf + fl->l4_off + 6)))
		return 0;

	/* IP headers are whole 32-bit words, a tag too: an even offset. */
	l3 = csum_sub(l3, csum_partial(buf + ETH_HLEN, fl->l4_off - ETH_HLEN,
				       0));
	if (fl->ip_end < len)
		l3 = csum_block_sub(l3, csum_partial(buf + fl->ip_end,
						     len - fl->ip_end, 0),
				    fl->ip_end - ETH_HLEN);

	l4_len = fl->ip_end - fl->l4_off;
	if (fl->ip_ver == 4)
		res = csum_tcpudp_magic(get_unaligned((__be32 *)fl->saddr),
					get_unaligned((__be32 *)fl->daddr),
					l4_len, fl->l4_proto, l3);
	else
		res = csum_ipv6_magic((const struct in6_addr *)fl->saddr,
				      (const struct in6_addr *)fl->daddr,
				      l4_len, fl->l4_proto, l3);
	return res ? VNET_RXD_L4_BAD : VNET_RXD_L4_OK;
}

/* As vnet_hw_rx_l4_verdict(), for a frame not yet parsed (runts padded). */
u64 vnet_hw_rx_l4_check(const u8 *buf, u32 len, __wsum l3)
{
	struct vnet_flow fl;

	if (!vnet_flow_parse(buf, len, &fl))
		return 0;
	return vnet_hw_rx_l4_verdict(buf, len, l3, &fl);
}

/*
 * Called with rxq->lock held: hand the driver the frame of @len bytes in
 * the chain's first buffers: @wb as the first write-back word (RSS hash,
 * RSC), @last the flags of the last descriptor (checksum results).
 */
void vnet_hw_rx_writeback(struct vnet_hw_queue *q, u32 len, u64 wb, u64 last)
{
	struct vnet_hw_rx_chain *ch = &q->rxq.chain;
	struct vnet_hw_ring *ring = &q->rxq.ring;
	u32 i, off = 0;

	for (i = 0; off < len || !i; i++) {
		u32 n = min(len - off, ch->cap[i]);
		u64 cmd = FIELD_PREP(VNET_RXD_PKT_LEN_MASK, n) | VNET_RXD_DD;

		off += n;
		if (off == len)
			cmd |= VNET_RXD_EOP | last;
		WRITE_ONCE(ch->desc[i]->addr, cpu_to_le64(i ? 0 : wb));
		/* Frame data before DD: the driver's dma_rmb() equivalent. */
		smp_store_release(&ch->desc[i]->cmd, cpu_to_le64(cmd));
	}
	ring->head = vnet_ring_add(ring->head, i, ring->size);
	ch->n = 0;
	ch->room = 0;

	/*
	 * Raised under the lock so that once the driver has disabled the ring
	 * (which takes the lock) no delivery can raise the vector any more.
	 */
	vnet_hw_irq_raise(&q->vec, VNET_ICR_RX, 1);
}

/*
 * Called with rxq->lock held: write back the frame of @len bytes at @frame
 * (vnet_hw_rx_frame_buf()) into the claimed buffers it fills, with @wb as
 * the first write-back word (RSS hash). @sum, if not NULL, is the sum of
 * the bytes after the Ethernet header, taken while copying.
 */
static void vnet_hw_rx_complete(struct vnet_hw_queue *q, const u8 *frame,
				u32 len, u64 wb, const __wsum *sum)
{
	struct vnet_hw_rx_chain *ch = &q->rxq.chain;
	u64 last = 0;

	if ((READ_ONCE(q->hw->ctrl) & VNET_CTRL_RX_CSUM) && len > ETH_HLEN) {
		__wsum l3 = sum ? *sum :
			    csum_partial(frame + ETH_HLEN, len - ETH_HLEN, 0);

		/* The folded sum, not its complement: CHECKSUM_COMPLETE. */
		last = FIELD_PREP(VNET_RXD_CSUM_MASK,
				  (__force u16)(__sum16)~csum_fold(l3)) |
		       VNET_RXD_CSUM_VALID;
		last |= vnet_hw_rx_l4_check(frame, len, l3);
	}
	if (frame != ch->buf[0])
		vnet_hw_rx_chain_copy(ch, 0, frame, len);
	vnet_hw_rx_writeback(q, len, wb, last);
}

/* The RSS_FIELDS register holds the parser's field bits as they are. */
static_assert(VNET_FLOW_H_IP_SRC == VNET_RSS_F_IP_SRC);
static_assert(VNET_FLOW_H_IP_DST == VNET_RSS_F_IP_DST);
static_assert(VNET_FLOW_H_L4_SRC == VNET_RSS_F_L4_SRC);
static_assert(VNET_FLOW_H_L4_DST == VNET_RSS_F_L4_DST);
static_assert(VNET_FLOW_H_IP6_FL == VNET_RSS_F_IP6_FL);

/* The flow type whose RSS_FIELDS register applies to a parsed frame. */
static enum vnet_rss_flow vnet_hw_rss_flow(const struct vnet_flow *fl)
{
	bool v6 = fl->ip_ver == 6;

	if (fl->l4_off && !fl->frag) {
		if (fl->l4_proto == IPPROTO_TCP)
			return v6 ? VNET_RSS_FLOW_TCP6 : VNET_RSS_FLOW_TCP4;
		if (fl->l4_proto == IPPROTO_UDP)
			return v6 ? VNET_RSS_FLOW_UDP6 : VNET_RSS_FLOW_UDP4;
	}
	return v6 ? VNET_RSS_FLOW_IP6 : VNET_RSS_FLOW_IP4;
}

/* Context @ctx's RSS hash of parsed IP frame @fl of flow type @flow. */
static u32 vnet_hw_rx_hash(struct vnet_hw *hw,
			   const struct vnet_hw_rss_ctx *ctx,
			   const struct vnet_flow *fl, u32 flow,
			   enum vnet_hash_type *type)
{
	u32 ctrl = READ_ONCE(ctx->ctrl), xfrm = 0;

	if (ctrl & VNET_RSS_CTX_SYM_XOR)
		xfrm = VNET_FLOW_X_SYM_XOR;
	else if (ctrl & VNET_RSS_CTX_SYM_OR_XOR)
		xfrm = VNET_FLOW_X_SYM_OR_XOR;
	return vnet_flow_hash(fl, ctx->key, READ_ONCE(hw->rss_fields[flow]),
			      xfrm, type);
}

/*
 * Where parsed frame @fl (NULL: not parsed) goes: its RSS hash and type
 * (0, none if not IP), and the queue of the first flow rule it matches,
 * or the one the rule's RSS context or else context 0 names for the
 * hash; NULL if a rule drops it.
 */
static struct vnet_hw_queue *vnet_hw_rx_steer(struct vnet_hw *hw,
					      const struct vnet_flow *fl,
					      u32 *hash,
					      enum vnet_hash_type *type)
{
	const struct vnet_hw_rss_ctx *ctx = &hw->rss[0];
	u32 flow = 0, base = 0, c, entry;
	s64 action = -1;

	*hash = 0;
	*type = VNET_HASH_NONE;
	if (fl && fl->ip_ver) {
		flow = vnet_hw_rss_flow(fl);
		action = vnet_hw_flt_match(hw, fl, flow);
	}
	if (action >= 0) {
		if (action & VNET_FLT_ACTION_DROP)
			return NULL;
		base = FIELD_GET(VNET_FLT_ACTION_QUEUE_MASK, action);
		c = FIELD_GET(VNET_FLT_ACTION_CTX_MASK, action);
		if (!(action & VNET_FLT_ACTION_RSS))
			ctx = NULL;
		else if (READ_ONCE(hw->rss[c].ctrl) & VNET_RSS_CTX_EN)
			ctx = &hw->rss[c];
	}
	if (fl && fl->ip_ver)
		*hash = vnet_hw_rx_hash(hw, ctx ? ctx : &hw->rss[0], fl, flow,
					type);
	if (!ctx)
		return &hw->q[base];
	entry = READ_ONCE(ctx->reta[*hash % VNET_HW_RSS_TABLE_SIZE]);
	return &hw->q[(entry + base) % VNET_HW_MAX_QUEUES];
}

/*
 * Called with the RX queue's lock held: receive wire frame @seg of @src's
 * frame @f, its first write-back word @wb, summed if @ctrl has RX_CSUM.
 * With RSC on, a TCP frame (or IP in IP) is built in the staging buffer and
 * offered to it first.
 */
static void vnet_hw_pair_rx_seg(struct vnet_hw_queue *q,
				struct vnet_hw_queue *src,
				const struct vnet_hw_frame *f, u32 seg, u64 wb,
				u32 ctrl)
{
	bool rsc = (ctrl & (VNET_CTRL_RX_RSC | VNET_CTRL_RX_CSUM)) ==
		   (VNET_CTRL_RX_RSC | VNET_CTRL_RX_CSUM) && f->parsed &&
		   (f->flow.l4_proto == IPPROTO_TCP || f->flow.inner_off);
	u32 len = vnet_hw_seg_len(f, seg), cap;
	struct vnet_hw_rxq *rxq = &q->rxq;
	__wsum l3sum, *sum;
	u8 *frame;
	int err;

	sum = ctrl & VNET_CTRL_RX_CSUM ? &l3sum : NULL;
	if (rsc) {
		len = vnet_hw_seg_build(f, seg, rxq->stage, sum);
		if (vnet_hw_fault_corrupt(src, rxq->stage, len))
			sum = NULL;
		if (vnet_hw_rsc_offer(q, rxq->stage, len, wb, sum))
			return;
		len = vnet_hw_rx_pad(rxq->stage, len);
		err = vnet_hw_rx_claim(q, len);
		if (err) {
			vnet_hw_rx_lost(rxq, err);
			return;
		}
		vnet_hw_rx_complete(q, rxq->stage, len, wb, sum);
		return;
	}

	err = vnet_hw_rx_claim(q, max_t(u32, len, VNET_HW_MIN_FRAME));
	if (err) {
		vnet_hw_rx_lost(rxq, err);
		return;
	}
	frame = vnet_hw_rx_frame_buf(rxq, &cap);
	len = vnet_hw_seg_build(f, seg, frame, sum);
	/* The sum covers what arrived: none for a bad frame. */
	if (vnet_hw_fault_corrupt(src, frame, len))
		sum = NULL;
	/* Padding is zeros: it adds nothing to the sum. */
	len = vnet_hw_rx_pad(frame, len);
	vnet_hw_rx_complete(q, frame, len, wb, sum);
}

/*
 * Pair mode: the peer's RX engine takes the wire frames, on the queue its
 * RSS hash picks, and the "DMA" copies each straight from our TX buffers
 * into the posted RX buffer. A full ring drops the frame: it never waits.
 */
void vnet_hw_pair_deliver(struct vnet_hw_queue *src, struct vnet_hw *dst,
			  const struct vnet_hw_frame *f)
{
	u32 ctrl = READ_ONCE(dst->ctrl);
	enum vnet_hash_type type;
	struct vnet_hw_queue *q;
	u32 seg, hash;
	u64 wb;

	q = vnet_hw_rx_steer(dst, f->parsed ? &f->flow : NULL, &hash, &type);
	if (!q)
		return;		/* a flow rule's drop, counted as its hit */
	wb = vnet_hw_rx_hash_wb(ctrl, hash, type);

	spin_lock(&q->rxq.lock);
	/* RSC turned off: what it holds goes before anything newer. */
	if (!(ctrl & VNET_CTRL_RX_RSC && ctrl & VNET_CTRL_RX_CSUM) &&
	    !list_empty(&q->rxq.rsc.open))
		vnet_hw_rsc_flush(q);
	if (!(f->tso && (ctrl & VNET_CTRL_RX_RSC) &&
	      (ctrl & VNET_CTRL_RX_CSUM) && vnet_hw_rsc_tso(q, src, f, wb)))
		for (seg = 0; seg < f->nsegs; seg++)
			vnet_hw_pair_rx_seg(q, src, f, seg, wb, ctrl);
	spin_unlock(&q->rxq.lock);
}

/*
 * The link partner in reflect mode: answer into the same queue's RX ring.
 * A reply is never longer than the (padded) request: the buffers that
 * would take the request take it.
 */
static void vnet_hw_reflect(struct vnet_hw_queue *q, const u8 *frame, u32 len)
{
	u32 ctrl = READ_ONCE(q->hw->ctrl);
	struct vnet_hw_rxq *rxq = &q->rxq;
	enum vnet_rfl_verdict verdict;
	enum vnet_hash_type type;
	u32 cap, out_len, hash;
	struct vnet_flow fl;
	u8 *out;
	int err;

	spin_lock(&rxq->lock);
	err = vnet_hw_rx_claim(q, max_t(u32, len, VNET_HW_MIN_FRAME));
	if (!err) {
		out = vnet_hw_rx_frame_buf(rxq, &cap);
		verdict = vnet_reflect(frame, len, out, cap, &out_len);
		if (vnet_rfl_is_reply(verdict)) {
			vnet_hw_fault_corrupt(q, out, out_len);
			out_len = vnet_hw_rx_pad(out, out_len);
			/* The partner answers the queue that asked. */
			hash = 0;
			type = VNET_HASH_NONE;
			if (vnet_flow_parse(out, out_len, &fl))
				hash = vnet_hw_rx_hash(q->hw, &q->hw->rss[0],
						       &fl,
						       vnet_hw_rss_flow(&fl),
						       &type);
			vnet_hw_rx_complete(q, out, out_len,
					    vnet_hw_rx_hash_wb(ctrl, hash,
							       type), NULL);
		}
	} else {
		/* No buffer: a would-be reply reports it had no room. */
		verdict = vnet_reflect(frame, len, NULL, 0, &out_len);
	}

	/* A reply with no room is the NIC's drop, not the partner's. */
	if (verdict == VNET_RFL_DROP_NO_ROOM)
		vnet_hw_rx_lost(rxq, err ? err : -EMSGSIZE);
	else
		vnet_hw_stat_add(&q->partner.syncp,
				 &q->partner.verdict[verdict], 1);
	spin_unlock(&rxq->lock);
}

/* Reflect mode: the reflector needs each wire frame in one piece. */
void vnet_hw_reflect_frame(struct vnet_hw_queue *q)
{
	struct vnet_hw_txq *txq = &q->txq;
	const struct vnet_hw_frame *f = &txq->frm;
	u32 seg, len;

	/* A full-size one-buffer frame needing no offload goes out uncopied. */
	if (f->nbufs == 1 && f->len >= VNET_HW_MIN_FRAME &&
	    !(f->cmd & (VNET_TXD_CSUM | VNET_TXD_TSO))) {
		vnet_hw_reflect(q, f->buf[0].addr, f->len);
		return;
	}
	for (seg = 0; seg < f->nsegs; seg++) {
		len = vnet_hw_seg_build(f, seg, txq->bounce, NULL);
		/* A MAC pads runts: the partner sees what the wire carries. */
		if (len < VNET_HW_MIN_FRAME) {
			memset(txq->bounce + len, 0, VNET_HW_MIN_FRAME - len);
			len = VNET_HW_MIN_FRAME;
		}
		vnet_hw_reflect(q, txq->bounce, len);
	}
}

/*
 * RX_CTRL: the ring's control, as for TX. Open aggregates go with a reset:
 * their segments are missed. Their timer is stopped first: it takes the
 * lock.
 */
void vnet_hw_rxq_ctrl(struct vnet_hw *hw, struct vnet_hw_queue *q, u32 val)
{
	struct vnet_hw_rxq *rxq = &q->rxq;

	hrtimer_cancel(&rxq->rsc.timer);
	spin_lock_bh(&rxq->lock);
	vnet_hw_rsc_abort(q);
	vnet_hw_ring_ctrl(hw, &rxq->ring, val);
	spin_unlock_bh(&rxq->lock);
}

int vnet_hw_rxq_init(struct vnet_hw_rxq *rxq)
{
	int err;

	/* vmalloc: 9018 bytes would take a 16 KiB kmalloc slot. */
	rxq->stage = vmalloc(VNET_HW_MAX_FRAME);
	if (!rxq->stage)
		return -ENOMEM;
	err = vnet_hw_rsc_init(&rxq->rsc);
	if (err) {
		vfree(rxq->stage);
		return err;
	}
	spin_lock_init(&rxq->lock);
	u64_stats_init(&rxq->syncp);
	return 0;
}

/* Device teardown: the RSC timer can raise the vector, so first. */
void vnet_hw_rxq_stop(struct vnet_hw_rxq *rxq)
{
	hrtimer_cancel(&rxq->rsc.timer);
}

void vnet_hw_rxq_free(struct vnet_hw_rxq *rxq)
{
	vnet_hw_rsc_free(&rxq->rsc);
	vfree(rxq->stage);
}

/* RX_TAIL */
void vnet_hw_rx_doorbell(struct vnet_hw_queue *q, u32 tail)
{
	struct vnet_hw_ring *ring = &q->rxq.ring;

	/* Posted descriptors before the new tail: writel() ordering. */
	smp_store_release(&ring->tail, tail & (ring->size - 1));
}

u64 vnet_partner_verdicts(struct vnet_hw *hw, enum vnet_rfl_verdict v)
{
	u64 sum = 0;
	int i;

	for (i = 0; i < VNET_HW_MAX_QUEUES; i++) {
		const struct vnet_partner_stats *ps = &hw->q[i].partner;
		unsigned int start;
		u64 val;

		do {
			start = u64_stats_fetch_begin(&ps->syncp);
			val = u64_stats_read(&ps->verdict[v]);
		} while (u64_stats_fetch_retry(&ps->syncp, start));
		sum += val;
	}
	return sum;
}
