// SPDX-License-Identifier: GPL-2.0
/*
 * vnet emulated device: receive segment coalescing (RSC), the RX engine's
 * hardware GRO; vnet_hw.h has its rules. An open aggregate lives in the
 * buffers the queue's engine has claimed at the head of its ring: each
 * segment that joins adds its payload there, and anything else the queue
 * receives closes it first, so that frames stay in ring order.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <net/checksum.h>

#include "hw_emul.h"
#include "vnet_compat.h"

/* TCP flags, in the header's 14th byte */
#define VNET_TCPF_FIN	0x01
#define VNET_TCPF_SYN	0x02
#define VNET_TCPF_RST	0x04
#define VNET_TCPF_PSH	0x08
#define VNET_TCPF_URG	0x20
#define VNET_TCPF_CWR	0x80
/* A segment with these is delivered on its own. */
#define VNET_TCPF_ALONE	(VNET_TCPF_URG | VNET_TCPF_PSH | VNET_TCPF_RST | \
			 VNET_TCPF_SYN | VNET_TCPF_FIN)

/* Largest IP datagram an aggregate may grow to, plus one. */
#define VNET_RSC_IP_LIMIT	65536

/* A received TCP segment, as the aggregate looks at it. */
struct vnet_hw_rsc_seg {
	struct vnet_flow fl;
	const u8 *frame;
	const u8 *ip;
	const u8 *th;
	u32 hdr_len;		/* frame offset of the payload */
	u32 payload;		/* bytes after the TCP header, by IP length */
};

static u8 vnet_hw_rsc_flags(const u8 *th)
{
	return th[13];
}

/*
 * Can frame @frame of @len bytes, whose bytes after the Ethernet header
 * sum to @sum, take part in an aggregate? Fills @s if so.
 */
static bool vnet_hw_rsc_parse(const u8 *frame, u32 len, const __wsum *sum,
			      struct vnet_hw_rsc_seg *s)
{
	struct vnet_flow *fl = &s->fl;

	if (!sum || !vnet_flow_parse(frame, len, fl) ||
	    fl->l3_off != ETH_HLEN || fl->l4_proto != IPPROTO_TCP ||
	    !fl->l4_off || fl->frag || fl->ip_end > len)
		return false;
	s->frame = frame;
	s->ip = frame + fl->l3_off;
	s->th = frame + fl->l4_off;
	s->hdr_len = fl->l4_off + fl->l4_hlen;
	if (s->hdr_len > fl->ip_end || s->hdr_len > VNET_HW_MAX_TSO_HDR)
		return false;
	s->payload = fl->ip_end - s->hdr_len;

	if (fl->ip_ver == 4) {
		/* No options; a correct header checksum. */
		if (fl->l4_off != fl->l3_off + sizeof(struct iphdr) ||
		    csum_fold(csum_partial(s->ip, sizeof(struct iphdr), 0)))
			return false;
	} else if (vnet_hw_ip6_has_ext(frame, fl, IPPROTO_FRAGMENT)) {
		return false;
	}
	return vnet_hw_rx_l4_check(frame, len, *sum) == VNET_RXD_L4_OK;
}

/* Is @s of the aggregate's flow: same L2, addresses, ports, IPv6 chain? */
static bool vnet_hw_rsc_same_flow(const struct vnet_hw_rsc *rsc,
				  const u8 *h, const struct vnet_hw_rsc_seg *s)
{
	const u8 *hip = h + rsc->l3_off;

	if (s->fl.ip_ver != rsc->ip_ver || s->fl.l4_off != rsc->l4_off ||
	    memcmp(s->frame, h, ETH_HLEN) ||
	    memcmp(s->th, h + rsc->l4_off, 4))
		return false;
	if (rsc->ip_ver == 4)
		return !memcmp(s->ip + 12, hip + 12, 8);
	/* Version and flow label; addresses; next header and extensions */
	return !((get_unaligned_be32(s->ip) ^ get_unaligned_be32(hip)) &
		 0xf00fffff) &&
	       !memcmp(s->ip + 8, hip + 8, 32) && s->ip[6] == hip[6] &&
	       !memcmp(s->ip + sizeof(struct ipv6hdr),
		       hip + sizeof(struct ipv6hdr),
		       rsc->l4_off - rsc->l3_off - sizeof(struct ipv6hdr));
}

/* The IP header fields that must match, or follow, the first segment's */
static bool vnet_hw_rsc_ip_match(struct vnet_hw_rsc *rsc, const u8 *hip,
				 const u8 *ip)
{
	u16 id_delta;

	if (rsc->ip_ver == 6)
		/* Traffic class, hop limit */
		return !((get_unaligned_be32(ip) ^ get_unaligned_be32(hip)) &
			 0x0ff00000) && ip[7] == hip[7];

	/* TOS, TTL, DF */
	if (ip[1] != hip[1] || ip[8] != hip[8] || ((ip[6] ^ hip[6]) & 0x40))
		return false;
	/* The second segment says whether the ID is fixed or counts up. */
	id_delta = get_unaligned_be16(ip + 4) - get_unaligned_be16(hip + 4);
	if (rsc->segs == 1)
		rsc->fixed_id = !id_delta;
	return id_delta == (rsc->fixed_id ? 0 : rsc->segs);
}

/* May @s, of the aggregate's flow, join it? */
static bool vnet_hw_rsc_can_join(struct vnet_hw_rsc *rsc, const u8 *h,
				 const struct vnet_hw_rsc_seg *s)
{
	const u8 *hth = h + rsc->l4_off, *th = s->th;

	/* Data offset, flags but PSH and FIN, window; ACK; options */
	if (th[12] != hth[12] ||
	    ((th[13] ^ hth[13]) & ~(VNET_TCPF_PSH | VNET_TCPF_FIN)) ||
	    memcmp(th + 14, hth + 14, 2) || memcmp(th + 8, hth + 8, 4) ||
	    memcmp(th + sizeof(struct tcphdr), hth + sizeof(struct tcphdr),
		   rsc->hdr_len - rsc->l4_off - sizeof(struct tcphdr)))
		return false;
	if (!s->payload || s->payload > rsc->mss ||
	    get_unaligned_be32(th + 4) != rsc->next_seq ||
	    rsc->len - rsc->l3_off + s->payload >= VNET_RSC_IP_LIMIT)
		return false;
	return vnet_hw_rsc_ip_match(rsc, h + rsc->l3_off, s->ip);
}

/* Called with rxq->lock held: open an aggregate with @s. */
static bool vnet_hw_rsc_open(struct vnet_hw_queue *q,
			     const struct vnet_hw_rsc_seg *s, u64 wb)
{
	struct vnet_hw_rx_chain *ch = &q->rxq.chain;
	struct vnet_hw_rsc *rsc = &q->rxq.rsc;
	u32 len = s->fl.ip_end;

	if (!s->payload || (vnet_hw_rsc_flags(s->th) & VNET_TCPF_ALONE) ||
	    vnet_hw_rx_claim(q, len))
		return false;
	/* Its headers are rewritten at close: they stay in one buffer. */
	if (ch->cap[0] < s->hdr_len) {
		ch->n = 0;
		ch->room = 0;
		return false;
	}
	vnet_hw_rx_chain_copy(ch, 0, s->frame, len);

	rsc->open = true;
	rsc->ip_ver = s->fl.ip_ver;
	rsc->fixed_id = false;
	rsc->tcp_flags = 0;
	rsc->l3_off = s->fl.l3_off;
	rsc->l4_off = s->fl.l4_off;
	rsc->hdr_len = s->hdr_len;
	rsc->segs = 1;
	rsc->mss = s->payload;
	rsc->len = len;
	rsc->next_seq = get_unaligned_be32(s->th + 4) + s->payload;
	rsc->wb = wb;
	hrtimer_start(&rsc->timer,
		      ns_to_ktime(READ_ONCE(q->hw->rsc_usecs) * NSEC_PER_USEC),
		      HRTIMER_MODE_REL_SOFT);
	return true;
}

/*
 * Called with rxq->lock held: offer frame @frame of @len bytes (its sum
 * after the Ethernet header @sum, NULL if unknown) to RSC. Returns true if
 * it joined the open aggregate or opened one; false if the caller must
 * receive it as a frame of its own, after the aggregate (closed here when
 * the frame ends it).
 */
bool vnet_hw_rsc_offer(struct vnet_hw_queue *q, const u8 *frame, u32 len,
		       u64 wb, const __wsum *sum)
{
	struct vnet_hw_rxq *rxq = &q->rxq;
	struct vnet_hw_rsc *rsc = &rxq->rsc;
	struct vnet_hw_rsc_seg s;
	bool ok;
	u8 flags;

	/* Longer than MAX_FRAME: the caller's claim counts it oversize. */
	if (len > READ_ONCE(q->hw->max_frame))
		return false;
	ok = vnet_hw_rsc_parse(frame, len, sum, &s);
	if (rsc->open) {
		const u8 *h = rxq->chain.buf[0];

		if (ok && vnet_hw_rsc_same_flow(rsc, h, &s) &&
		    vnet_hw_rsc_can_join(rsc, h, &s) &&
		    !vnet_hw_rx_claim_more(q, rsc->len + s.payload)) {
			vnet_hw_rx_chain_copy(&rxq->chain, rsc->len,
					      frame + s.hdr_len, s.payload);
			flags = vnet_hw_rsc_flags(s.th);
			rsc->len += s.payload;
			rsc->next_seq += s.payload;
			rsc->tcp_flags |= flags & (VNET_TCPF_PSH |
						   VNET_TCPF_FIN);
			if (++rsc->segs == VNET_HW_RSC_MAX_SEGS ||
			    s.payload < rsc->mss ||
			    (flags & (VNET_TCPF_PSH | VNET_TCPF_FIN)))
				vnet_hw_rsc_close(q);
			return true;
		}
		vnet_hw_rsc_close(q);
	}
	return ok && vnet_hw_rsc_open(q, &s, wb);
}

/* Copy @len bytes from offset @src_off of TX frame @f into the chain. */
static void vnet_hw_rsc_copy_frame(struct vnet_hw_rx_chain *ch, u32 off,
				   const struct vnet_hw_frame *f, u32 src_off,
				   u32 len)
{
	u32 i = vnet_hw_rx_chain_seek(ch, &off), n;

	for (; len; i++, off = 0) {
		n = min(len, ch->cap[i] - off);
		vnet_hw_frame_copy(f, src_off, ch->buf[i] + off, n, false);
		src_off += n;
		len -= n;
	}
}

/* Would each segment of TSO frame @f join the one before? See below. */
static bool vnet_hw_rsc_tso_ok(struct vnet_hw_queue *q,
			       struct vnet_hw_queue *src,
			       const struct vnet_hw_frame *f)
{
	const struct vnet_flow *fl = &f->flow;
	u8 flags = f->head[fl->l4_off + 13];

	if (f->nsegs < 2 || fl->l3_off != ETH_HLEN ||
	    (flags & (VNET_TCPF_SYN | VNET_TCPF_RST | VNET_TCPF_URG |
		      VNET_TCPF_CWR)))
		return false;
	if (fl->ip_ver == 4 && fl->l4_off != fl->l3_off + sizeof(struct iphdr))
		return false;
	if (fl->ip_ver == 6 &&
	    (vnet_hw_ip6_has_ext(f->head, fl, IPPROTO_FRAGMENT) ||
	     vnet_hw_ip6_has_ext(f->head, fl, IPPROTO_ROUTING)))
		return false;
	return f->hdr_len + f->mss <= READ_ONCE(q->hw->max_frame) &&
	       !vnet_hw_fault_corrupt_armed(src);
}

/*
 * Called with rxq->lock held: receive TSO frame @f of a cabled peer whole,
 * as the aggregate its segments would make: one copy of its payload, no
 * segment built. Its segments' checksums are the device's own work, and
 * every one would join: IP IDs count up, only the last may carry PSH or
 * FIN. Returns false where that does not hold (one segment, CWR, which
 * only the first segment carries, URG/SYN/RST, IP options, an IPv6
 * fragment or routing header, an injected corruption to apply per
 * segment, a segment beyond MAX_FRAME, too few buffers): the caller then
 * takes it segment by segment.
 */
bool vnet_hw_rsc_tso(struct vnet_hw_queue *q, struct vnet_hw_queue *src,
		     const struct vnet_hw_frame *f, u64 wb)
{
	struct vnet_hw_rx_chain *ch = &q->rxq.chain;
	struct vnet_hw_rsc *rsc = &q->rxq.rsc;

	if (!vnet_hw_rsc_tso_ok(q, src, f) || vnet_hw_rx_claim_any(q, f->len))
		return false;
	if (ch->cap[0] < f->hdr_len) {
		ch->n = 0;
		ch->room = 0;
		return false;
	}
	vnet_hw_rx_chain_copy(ch, 0, f->head, f->hdr_len);
	vnet_hw_rsc_copy_frame(ch, f->hdr_len, f, f->hdr_len,
			       f->len - f->hdr_len);

	/* The aggregate the segments would have made, closed at once. */
	rsc->open = true;
	rsc->ip_ver = f->flow.ip_ver;
	rsc->tcp_flags = 0;
	rsc->l3_off = f->flow.l3_off;
	rsc->l4_off = f->flow.l4_off;
	rsc->segs = f->nsegs;
	rsc->mss = f->mss;
	rsc->len = f->len;
	rsc->wb = wb;
	vnet_hw_rsc_close(q);
	return true;
}

/*
 * Called with rxq->lock held: write the open aggregate back, if any. Of
 * two segments or more it is one datagram: its first segment's headers
 * get the lengths of the whole, and the PSH and FIN of any segment.
 */
void vnet_hw_rsc_close(struct vnet_hw_queue *q)
{
	struct vnet_hw_rsc *rsc = &q->rxq.rsc;
	u8 *h = q->rxq.chain.buf[0];
	u64 wb = rsc->wb;
	__sum16 check;
	u8 *ip;

	if (!rsc->open)
		return;
	rsc->open = false;
	/* From its own callback, or one waiting for the lock: either way. */
	hrtimer_try_to_cancel(&rsc->timer);

	/* One segment, as a TSO frame may be: its headers stand as they are. */
	if (rsc->segs > 1) {
		ip = h + rsc->l3_off;
		if (rsc->ip_ver == 4) {
			put_unaligned_be16(rsc->len - rsc->l3_off, ip + 2);
			put_unaligned(0, (__sum16 *)(ip + 10));
			check = csum_fold(csum_partial(ip, sizeof(struct iphdr),
						       0));
			put_unaligned(check, (__sum16 *)(ip + 10));
		} else {
			put_unaligned_be16(rsc->len - rsc->l3_off -
					   sizeof(struct ipv6hdr), ip + 4);
		}
		h[rsc->l4_off + 13] |= rsc->tcp_flags;
		wb |= FIELD_PREP(VNET_RXD_WB_RSC_SEGS_MASK, rsc->segs) |
		      FIELD_PREP(VNET_RXD_WB_RSC_MSS_MASK, rsc->mss);
	}
	/* Every segment's TCP checksum was checked as it arrived. */
	vnet_hw_rx_writeback(q, rsc->len, wb, VNET_RXD_L4_OK);
}

/* Called with rxq->lock held, the ring going down: the segments are lost. */
void vnet_hw_rsc_abort(struct vnet_hw_queue *q)
{
	struct vnet_hw_rxq *rxq = &q->rxq;

	if (!rxq->rsc.open)
		return;
	rxq->rsc.open = false;
	hrtimer_try_to_cancel(&rxq->rsc.timer);
	rxq->chain.n = 0;
	rxq->chain.room = 0;
	vnet_hw_stat_add(&rxq->syncp, &rxq->missed, rxq->rsc.segs);
}

static enum hrtimer_restart vnet_hw_rsc_timer(struct hrtimer *timer)
{
	struct vnet_hw_rxq *rxq = container_of(timer, struct vnet_hw_rxq,
					       rsc.timer);

	spin_lock(&rxq->lock);
	vnet_hw_rsc_close(container_of(rxq, struct vnet_hw_queue, rxq));
	spin_unlock(&rxq->lock);
	return HRTIMER_NORESTART;
}

void vnet_hw_rsc_init(struct vnet_hw_rsc *rsc)
{
	hrtimer_setup(&rsc->timer, vnet_hw_rsc_timer, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL_SOFT);
}
