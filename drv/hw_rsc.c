// SPDX-License-Identifier: GPL-2.0
/*
 * vnet emulated device: receive segment coalescing (RSC), the RX engine's
 * hardware GRO; vnet_hw.h has its rules. Open aggregates live in the
 * queue's aggregation memory (hw_emul.h), found by their hosts' addresses:
 * each segment that joins adds its payload there, and the aggregate
 * reaches the ring, as one frame, when it closes. Frames of other flows
 * pass it by; one of its own flow that cannot join closes it first, so a
 * flow's frames stay in order.
 */
#include <linux/hash.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/tcp.h>
#include <linux/vmalloc.h>
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

/*
 * A received TCP segment, as the aggregate looks at it; in IP in IP, @fl,
 * @ip and @th are the inner datagram's.
 */
struct vnet_hw_rsc_seg {
	struct vnet_flow fl;
	const u8 *frame;
	const u8 *ip;
	const u8 *th;
	u16 outer_off;		/* IP in IP: the outer IP header, else 0 */
	u8 outer_ver;
	u32 outer_end;		/* the outer datagram's end */
	u32 hdr_len;		/* frame offset of the payload */
	u32 payload;		/* bytes after the TCP header, by IP length */
};

static u8 vnet_hw_rsc_flags(const u8 *th)
{
	return th[13];
}

/* RSC_USECS: how long the queue may be idle before its aggregates close */
static u64 vnet_hw_rsc_idle_ns(const struct vnet_hw_queue *q)
{
	return (u64)READ_ONCE(q->hw->rsc_usecs) * NSEC_PER_USEC;
}

/* What a received frame is to the aggregates */
enum vnet_hw_rsc_kind {
	VNET_RSC_OTHER,		/* no aggregate's business */
	VNET_RSC_HOSTS,		/* IP, ports unknown: closes its hosts' */
	VNET_RSC_FLOW,		/* TCP that cannot join: closes its flow's */
	VNET_RSC_SEG,		/* a segment that may join or open one */
};

/*
 * IP in IP: make @s's flow the inner datagram's, the outer header
 * @outer's. False if the inner one does not parse: @s keeps the outer.
 */
static bool vnet_hw_rsc_parse_inner(const u8 *frame, u32 len,
				    struct vnet_hw_rsc_seg *s)
{
	struct vnet_flow outer = s->fl;

	if (!vnet_flow_parse_inner(frame, len, &outer, &s->fl)) {
		s->fl = outer;
		return false;
	}
	s->outer_off = outer.l3_off;
	s->outer_ver = outer.ip_ver;
	s->outer_end = outer.ip_end;
	s->ip = frame + s->fl.l3_off;
	return true;
}

/*
 * May the outer header of IP in IP segment @s (inner header parsed) be
 * coalesced over: one IP version in both (as gro.c tests them), the
 * datagrams end together, no IPv4 options (and a good header checksum),
 * no IPv6 fragment header?
 */
static bool vnet_hw_rsc_outer_ok(const u8 *frame,
				 const struct vnet_hw_rsc_seg *s)
{
	const u8 *oip = frame + s->outer_off;

	if (s->fl.ip_ver != s->outer_ver || s->fl.ip_end != s->outer_end)
		return false;
	if (s->outer_ver == 6)
		return !vnet_hw_ip6_ext_before(frame, s->outer_off,
					       s->fl.l3_off, IPPROTO_FRAGMENT);
	return s->fl.l3_off == s->outer_off + sizeof(struct iphdr) &&
	       !csum_fold(csum_partial(oip, sizeof(struct iphdr), 0));
}

/*
 * What is frame @frame of @len bytes, whose bytes after the Ethernet header
 * sum to @sum (NULL: unknown), to RSC? Fills @s as far as it is known.
 */
static enum vnet_hw_rsc_kind vnet_hw_rsc_parse(const u8 *frame, u32 len,
					       const __wsum *sum,
					       struct vnet_hw_rsc_seg *s)
{
	struct vnet_flow *fl = &s->fl;

	if (!vnet_flow_parse(frame, len, fl) || fl->l3_off != ETH_HLEN)
		return VNET_RSC_OTHER;
	s->frame = frame;
	s->ip = frame + fl->l3_off;
	s->outer_off = 0;
	s->outer_ver = 0;
	if (fl->inner_off && !vnet_hw_rsc_parse_inner(frame, len, s))
		return VNET_RSC_HOSTS;
	if (fl->frag || (fl->l4_proto == IPPROTO_TCP && !fl->l4_off))
		return VNET_RSC_HOSTS;
	if (fl->l4_proto != IPPROTO_TCP)
		return VNET_RSC_OTHER;
	s->th = frame + fl->l4_off;
	s->hdr_len = fl->l4_off + fl->l4_hlen;
	if (!sum || fl->ip_end > len || s->hdr_len > fl->ip_end ||
	    s->hdr_len > VNET_HW_MAX_TSO_HDR ||
	    (s->outer_off && !vnet_hw_rsc_outer_ok(frame, s)))
		return VNET_RSC_FLOW;
	s->payload = fl->ip_end - s->hdr_len;

	if (fl->ip_ver == 4) {
		/* No options; a correct header checksum. */
		if (fl->l4_off != fl->l3_off + sizeof(struct iphdr) ||
		    csum_fold(csum_partial(s->ip, sizeof(struct iphdr), 0)))
			return VNET_RSC_FLOW;
	} else if (vnet_hw_ip6_has_ext(frame, fl, IPPROTO_FRAGMENT)) {
		return VNET_RSC_FLOW;
	}
	return vnet_hw_rx_l4_verdict(frame, len, *sum, fl) == VNET_RXD_L4_OK ?
	       VNET_RSC_SEG : VNET_RSC_FLOW;
}

static u8 *vnet_hw_rsc_mem(const struct vnet_hw_rsc *rsc, u16 chunk)
{
	return rsc->mem + (size_t)chunk * VNET_HW_RSC_CHUNK;
}

/* The headers of @ctx's first segment, rewritten when it closes */
static u8 *vnet_hw_rsc_hdr(const struct vnet_hw_rsc *rsc,
			   const struct vnet_hw_rsc_ctx *ctx)
{
	return vnet_hw_rsc_mem(rsc, ctx->first);
}

/* Where IP header @ip (version @ver) keeps its two addresses, and their size */
static const u8 *vnet_hw_rsc_addrs(const u8 *ip, u8 ver, u32 *len)
{
	*len = ver == 4 ? 8 : 32;
	return ip + (ver == 4 ? 12 : 8);
}

/* The bucket of the aggregates of TCP segment @s's addresses and ports */
static struct hlist_head *vnet_hw_rsc_bucket(struct vnet_hw_rsc *rsc,
					     const struct vnet_hw_rsc_seg *s)
{
	const u8 *a;
	u32 len;

	a = vnet_hw_rsc_addrs(s->ip, s->fl.ip_ver, &len);
	return &rsc->bucket[hash_32(jhash(a, len, get_unaligned((u32 *)s->th) ^
					  rsc->seed),
				    ilog2(VNET_HW_RSC_BUCKETS))];
}

/* Is @ctx between @s's hosts, the same way? */
static bool vnet_hw_rsc_same_hosts(const struct vnet_hw_rsc *rsc,
				   const struct vnet_hw_rsc_ctx *ctx,
				   const struct vnet_hw_rsc_seg *s)
{
	const u8 *a, *b;
	u32 len;

	if (ctx->ip_ver != s->fl.ip_ver)
		return false;
	a = vnet_hw_rsc_addrs(s->ip, ctx->ip_ver, &len);
	b = vnet_hw_rsc_addrs(vnet_hw_rsc_hdr(rsc, ctx) + ctx->l3_off,
			      ctx->ip_ver, &len);
	return !memcmp(a, b, len);
}

/* The open aggregate of TCP segment @s's addresses and ports, if any */
static struct vnet_hw_rsc_ctx *
vnet_hw_rsc_find(struct vnet_hw_rsc *rsc, const struct vnet_hw_rsc_seg *s)
{
	struct vnet_hw_rsc_ctx *ctx;

	hlist_for_each_entry(ctx, vnet_hw_rsc_bucket(rsc, s), node)
		if (vnet_hw_rsc_same_hosts(rsc, ctx, s) &&
		    !memcmp(s->th, vnet_hw_rsc_hdr(rsc, ctx) + ctx->l4_off, 4))
			return ctx;
	return NULL;
}

/*
 * Do IP headers @hip and @ip (version @ver), each @hlen bytes with its
 * extension headers, name one flow: protocol and addresses; for IPv6 flow
 * label and extension headers too.
 */
static bool vnet_hw_rsc_same_ip(u8 ver, const u8 *hip, const u8 *ip,
				u32 hlen)
{
	if (ver == 4)
		return ip[9] == hip[9] && !memcmp(ip + 12, hip + 12, 8);
	/* Version and flow label; next header; addresses and extensions */
	return !((get_unaligned_be32(ip) ^ get_unaligned_be32(hip)) &
		 0xf00fffff) && ip[6] == hip[6] &&
	       !memcmp(ip + 8, hip + 8, hlen - 8);
}

/*
 * Is @s of @ctx's flow in every header field that tells flows apart: L2,
 * protocol, IPv6 flow label and extension headers, the outer header of IP
 * in IP? @s has its addresses and ports (vnet_hw_rsc_find()).
 */
static bool vnet_hw_rsc_same_flow(const struct vnet_hw_rsc_ctx *ctx,
				  const u8 *h, const struct vnet_hw_rsc_seg *s)
{
	if (s->fl.l4_off != ctx->l4_off || s->outer_off != ctx->outer_off ||
	    memcmp(s->frame, h, ETH_HLEN))
		return false;
	if (ctx->outer_off &&
	    (s->outer_ver != ctx->outer_ver ||
	     !vnet_hw_rsc_same_ip(ctx->outer_ver, h + ctx->outer_off,
				  s->frame + ctx->outer_off,
				  ctx->l3_off - ctx->outer_off)))
		return false;
	return vnet_hw_rsc_same_ip(ctx->ip_ver, h + ctx->l3_off, s->ip,
				   ctx->l4_off - ctx->l3_off);
}

/*
 * The fields of IP header @ip (version @ver; @outer: the outer one of IP
 * in IP) that must match, or follow, @hip's, the first segment's.
 */
static bool vnet_hw_rsc_ip_match(struct vnet_hw_rsc_ctx *ctx, u8 ver,
				 bool outer, const u8 *hip, const u8 *ip)
{
	u16 id_delta;

	if (ver == 6)
		/* Traffic class, hop limit */
		return !((get_unaligned_be32(ip) ^ get_unaligned_be32(hip)) &
			 0x0ff00000) && ip[7] == hip[7];

	/* TOS, TTL, DF */
	if (ip[1] != hip[1] || ip[8] != hip[8] || ((ip[6] ^ hip[6]) & 0x40))
		return false;
	/* The second segment says whether the ID is fixed or counts up. */
	id_delta = get_unaligned_be16(ip + 4) - get_unaligned_be16(hip + 4);
	if (ctx->segs == 1 && !id_delta)
		ctx->fixed_id |= BIT(outer);
	return id_delta == (ctx->fixed_id & BIT(outer) ? 0 : ctx->segs);
}

/* May @s, of the aggregate's flow, join it? */
static bool vnet_hw_rsc_can_join(struct vnet_hw_rsc_ctx *ctx, const u8 *h,
				 const struct vnet_hw_rsc_seg *s)
{
	const u8 *hth = h + ctx->l4_off, *th = s->th;

	/* Data offset, flags but PSH and FIN, window; ACK; options */
	if (th[12] != hth[12] ||
	    ((th[13] ^ hth[13]) & ~(VNET_TCPF_PSH | VNET_TCPF_FIN)) ||
	    memcmp(th + 14, hth + 14, 2) || memcmp(th + 8, hth + 8, 4) ||
	    memcmp(th + sizeof(struct tcphdr), hth + sizeof(struct tcphdr),
		   ctx->hdr_len - ctx->l4_off - sizeof(struct tcphdr)))
		return false;
	if (!s->payload || s->payload > ctx->mss ||
	    get_unaligned_be32(th + 4) != ctx->next_seq ||
	    ctx->len - (ctx->outer_off ?: ctx->l3_off) + s->payload >=
	    VNET_RSC_IP_LIMIT || ctx->len + s->payload > ctx->max_len)
		return false;
	if (ctx->outer_off &&
	    !vnet_hw_rsc_ip_match(ctx, ctx->outer_ver, true, h + ctx->outer_off,
				  s->frame + ctx->outer_off))
		return false;
	return vnet_hw_rsc_ip_match(ctx, ctx->ip_ver, false, h + ctx->l3_off,
				    s->ip);
}

/*
 * Make IP header @ip (version @ver) that of a datagram of @len bytes: IPv4
 * total length and header checksum, or IPv6 payload length.
 */
static void vnet_hw_rsc_ip_len(u8 *ip, u8 ver, u32 len)
{
	__sum16 check;

	if (ver == 4) {
		put_unaligned_be16(len, ip + 2);
		put_unaligned(0, (__sum16 *)(ip + 10));
		check = csum_fold(csum_partial(ip, sizeof(struct iphdr), 0));
		put_unaligned(check, (__sum16 *)(ip + 10));
	} else {
		put_unaligned_be16(len - sizeof(struct ipv6hdr), ip + 4);
	}
}

/* Chunks @len bytes of an aggregate take */
static u32 vnet_hw_rsc_chunks(u32 len)
{
	return DIV_ROUND_UP(len, VNET_HW_RSC_CHUNK);
}

/* Can @ctx (NULL: a new one) take @len more bytes? */
static bool vnet_hw_rsc_room(const struct vnet_hw_rsc *rsc,
			     const struct vnet_hw_rsc_ctx *ctx, u32 len)
{
	u32 have = ctx ? ctx->len : 0;

	return vnet_hw_rsc_chunks(have + len) - vnet_hw_rsc_chunks(have) <=
	       rsc->nfree;
}

/* Add @len bytes at @src to @ctx, which has the room (vnet_hw_rsc_room()) */
static void vnet_hw_rsc_append(struct vnet_hw_rsc *rsc,
			       struct vnet_hw_rsc_ctx *ctx, const u8 *src,
			       u32 len)
{
	u32 off, n;
	u16 c;

	while (len) {
		off = ctx->len % VNET_HW_RSC_CHUNK;
		if (!off) {
			c = rsc->free;
			rsc->free = rsc->next[c];
			rsc->nfree--;
			rsc->next[c] = VNET_HW_RSC_NONE;
			if (ctx->len)
				rsc->next[ctx->last] = c;
			else
				ctx->first = c;
			ctx->last = c;
		}
		n = min(len, VNET_HW_RSC_CHUNK - off);
		memcpy(vnet_hw_rsc_mem(rsc, ctx->last) + off, src, n);
		ctx->len += n;
		src += n;
		len -= n;
	}
}

/* Give @ctx's chunks and @ctx back. */
static void vnet_hw_rsc_release(struct vnet_hw_rsc *rsc,
				struct vnet_hw_rsc_ctx *ctx)
{
	rsc->next[ctx->last] = rsc->free;
	rsc->free = ctx->first;
	rsc->nfree += vnet_hw_rsc_chunks(ctx->len);
	hlist_del(&ctx->node);
	list_move(&ctx->link, &rsc->idle);
}

/* Copy @ctx's frame into the claimed buffers of the queue's chain. */
static void vnet_hw_rsc_copy_out(struct vnet_hw_queue *q,
				 const struct vnet_hw_rsc_ctx *ctx)
{
	const struct vnet_hw_rsc *rsc = &q->rxq.rsc;
	u32 off = 0, n;
	u16 c = ctx->first;

	for (; off < ctx->len; c = rsc->next[c]) {
		n = min_t(u32, ctx->len - off, VNET_HW_RSC_CHUNK);
		vnet_hw_rx_chain_copy(&q->rxq.chain, off,
				      vnet_hw_rsc_mem(rsc, c), n);
		off += n;
	}
}

/*
 * Called with rxq->lock held: write aggregate @ctx back and free it. Of
 * two segments or more it is one datagram: its first segment's headers
 * get the lengths of the whole, and the PSH and FIN of any segment. No
 * room in the ring: its segments are missed.
 */
static void vnet_hw_rsc_close(struct vnet_hw_queue *q,
			      struct vnet_hw_rsc_ctx *ctx)
{
	struct vnet_hw_rsc *rsc = &q->rxq.rsc;
	u8 *h = vnet_hw_rsc_hdr(rsc, ctx);
	u64 wb = ctx->wb;

	/* One segment: its headers stand as they are. */
	if (ctx->segs > 1) {
		if (ctx->outer_off)
			vnet_hw_rsc_ip_len(h + ctx->outer_off, ctx->outer_ver,
					   ctx->len - ctx->outer_off);
		vnet_hw_rsc_ip_len(h + ctx->l3_off, ctx->ip_ver,
				   ctx->len - ctx->l3_off);
		h[ctx->l4_off + 13] |= ctx->tcp_flags;
		wb |= FIELD_PREP(VNET_RXD_WB_RSC_SEGS_MASK, ctx->segs) |
		      FIELD_PREP(VNET_RXD_WB_RSC_MSS_MASK, ctx->mss);
	}
	if (!vnet_hw_rx_claim_any(q, ctx->len)) {
		vnet_hw_rsc_copy_out(q, ctx);
		/* Every segment's TCP checksum was checked as it arrived. */
		vnet_hw_rx_writeback(q, ctx->len, wb, VNET_RXD_L4_OK);
	} else {
		vnet_hw_stat_add(&q->rxq.syncp, &q->rxq.missed, ctx->segs);
	}
	vnet_hw_rsc_release(rsc, ctx);
}

/*
 * Close every open aggregate between the hosts of @s, whose ports are not
 * known (an IP fragment): rare, so the open ones are walked.
 */
static void vnet_hw_rsc_close_hosts(struct vnet_hw_queue *q,
				    const struct vnet_hw_rsc_seg *s)
{
	struct vnet_hw_rsc *rsc = &q->rxq.rsc;
	struct vnet_hw_rsc_ctx *ctx, *tmp;

	list_for_each_entry_safe(ctx, tmp, &rsc->open, link)
		if (vnet_hw_rsc_same_hosts(rsc, ctx, s))
			vnet_hw_rsc_close(q, ctx);
}

/* Called with rxq->lock held: close every open aggregate, oldest first. */
void vnet_hw_rsc_flush(struct vnet_hw_queue *q)
{
	struct vnet_hw_rsc *rsc = &q->rxq.rsc;
	struct vnet_hw_rsc_ctx *ctx, *tmp;

	list_for_each_entry_safe(ctx, tmp, &rsc->open, link)
		vnet_hw_rsc_close(q, ctx);
}

/*
 * Called with rxq->lock held: open an aggregate with @s, if the engine has
 * a context and memory free and the ring posted buffers (their size bounds
 * the aggregate: VNET_HW_MAX_RX_BUFS of the first).
 */
static bool vnet_hw_rsc_open(struct vnet_hw_queue *q,
			     const struct vnet_hw_rsc_seg *s, u64 wb)
{
	struct vnet_hw_rsc *rsc = &q->rxq.rsc;
	struct vnet_hw_rsc_ctx *ctx;
	u32 len = s->fl.ip_end, cap;

	if (!s->payload || (vnet_hw_rsc_flags(s->th) & VNET_TCPF_ALONE) ||
	    list_empty(&rsc->idle) || !vnet_hw_rsc_room(rsc, NULL, len))
		return false;
	cap = vnet_hw_rx_posted_cap(q);
	if (cap < s->hdr_len || len > cap * VNET_HW_MAX_RX_BUFS)
		return false;

	ctx = list_first_entry(&rsc->idle, struct vnet_hw_rsc_ctx, link);
	ctx->len = 0;
	vnet_hw_rsc_append(rsc, ctx, s->frame, len);
	ctx->max_len = cap * VNET_HW_MAX_RX_BUFS;
	ctx->ip_ver = s->fl.ip_ver;
	ctx->outer_off = s->outer_off;
	ctx->outer_ver = s->outer_ver;
	ctx->fixed_id = 0;
	ctx->tcp_flags = 0;
	ctx->l3_off = s->fl.l3_off;
	ctx->l4_off = s->fl.l4_off;
	ctx->hdr_len = s->hdr_len;
	ctx->segs = 1;
	ctx->mss = s->payload;
	ctx->next_seq = get_unaligned_be32(s->th + 4) + s->payload;
	ctx->wb = wb;
	/* Else the segment offered has just set it. */
	if (list_empty(&rsc->open))
		rsc->busy_ns = ktime_get_ns();
	ctx->opened_ns = rsc->busy_ns;
	hlist_add_head(&ctx->node, vnet_hw_rsc_bucket(rsc, s));
	/* The oldest first: the timer is set for it. */
	list_move_tail(&ctx->link, &rsc->open);
	if (list_is_first(&ctx->link, &rsc->open))
		hrtimer_start(&rsc->timer, ns_to_ktime(rsc->busy_ns +
						       vnet_hw_rsc_idle_ns(q)),
			      HRTIMER_MODE_ABS_SOFT);
	return true;
}

/* Called with rxq->lock held: @s joins @ctx; closes it if @s ends it. */
static void vnet_hw_rsc_join(struct vnet_hw_queue *q,
			     struct vnet_hw_rsc_ctx *ctx,
			     const struct vnet_hw_rsc_seg *s)
{
	u8 flags = vnet_hw_rsc_flags(s->th);

	vnet_hw_rsc_append(&q->rxq.rsc, ctx, s->frame + s->hdr_len,
			   s->payload);
	ctx->next_seq += s->payload;
	ctx->tcp_flags |= flags & (VNET_TCPF_PSH | VNET_TCPF_FIN);
	if (++ctx->segs == VNET_HW_RSC_MAX_SEGS || s->payload < ctx->mss ||
	    (flags & (VNET_TCPF_PSH | VNET_TCPF_FIN)))
		vnet_hw_rsc_close(q, ctx);
}

/*
 * Called with rxq->lock held: offer frame @frame of @len bytes (its sum
 * after the Ethernet header @sum, NULL if unknown) to RSC. Returns true if
 * it joined an open aggregate or opened one; false if the caller must
 * receive it as a frame of its own, after any aggregate of its flow
 * (closed here).
 */
bool vnet_hw_rsc_offer(struct vnet_hw_queue *q, const u8 *frame, u32 len,
		       u64 wb, const __wsum *sum)
{
	struct vnet_hw_rsc *rsc = &q->rxq.rsc;
	struct vnet_hw_rsc_ctx *ctx = NULL;
	struct vnet_hw_rsc_seg s;

	/* The queue is busy: its aggregates wait on (see the timer). */
	if (!list_empty(&rsc->open))
		rsc->busy_ns = ktime_get_ns();
	/* Longer than MAX_FRAME: the caller's claim counts it oversize. */
	if (len > READ_ONCE(q->hw->max_frame))
		return false;
	switch (vnet_hw_rsc_parse(frame, len, sum, &s)) {
	case VNET_RSC_OTHER:
		return false;
	case VNET_RSC_HOSTS:
		vnet_hw_rsc_close_hosts(q, &s);
		return false;
	case VNET_RSC_FLOW:
		ctx = vnet_hw_rsc_find(rsc, &s);
		if (ctx)
			vnet_hw_rsc_close(q, ctx);
		return false;
	case VNET_RSC_SEG:
		ctx = vnet_hw_rsc_find(rsc, &s);
		break;
	}
	if (ctx) {
		const u8 *h = vnet_hw_rsc_hdr(rsc, ctx);

		if (vnet_hw_rsc_same_flow(ctx, h, &s) &&
		    vnet_hw_rsc_can_join(ctx, h, &s) &&
		    vnet_hw_rsc_room(rsc, ctx, s.payload)) {
			vnet_hw_rsc_join(q, ctx, &s);
			return true;
		}
		vnet_hw_rsc_close(q, ctx);
	}
	return vnet_hw_rsc_open(q, &s, wb);
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
 * FIN. An open aggregate of its flow closes first. Returns false where
 * that does not hold (one segment, CWR, which only the first segment
 * carries, URG/SYN/RST, IP options, an IPv6 fragment or routing header, an
 * injected corruption to apply per segment, a segment beyond MAX_FRAME,
 * too few buffers): the caller then takes it segment by segment.
 */
bool vnet_hw_rsc_tso(struct vnet_hw_queue *q, struct vnet_hw_queue *src,
		     const struct vnet_hw_frame *f, u64 wb)
{
	struct vnet_hw_rx_chain *ch = &q->rxq.chain;
	const struct vnet_flow *fl = &f->flow;
	struct vnet_hw_rsc_seg s = {
		.fl = *fl,
		.frame = f->head,
		.ip = f->head + fl->l3_off,
		.th = f->head + fl->l4_off,
	};
	struct vnet_hw_rsc_ctx *ctx;

	if (!vnet_hw_rsc_tso_ok(q, src, f))
		return false;
	if (!list_empty(&q->rxq.rsc.open))
		q->rxq.rsc.busy_ns = ktime_get_ns();
	ctx = vnet_hw_rsc_find(&q->rxq.rsc, &s);
	if (ctx)
		vnet_hw_rsc_close(q, ctx);
	if (vnet_hw_rx_claim_any(q, f->len))
		return false;
	if (ch->cap[0] < f->hdr_len) {
		ch->n = 0;
		ch->room = 0;
		return false;
	}
	vnet_hw_rx_chain_copy(ch, 0, f->head, f->hdr_len);
	vnet_hw_rsc_copy_frame(ch, f->hdr_len, f, f->hdr_len,
			       f->len - f->hdr_len);
	vnet_hw_rsc_ip_len(ch->buf[0] + fl->l3_off, fl->ip_ver,
			   f->len - fl->l3_off);
	wb |= FIELD_PREP(VNET_RXD_WB_RSC_SEGS_MASK, f->nsegs) |
	      FIELD_PREP(VNET_RXD_WB_RSC_MSS_MASK, f->mss);
	vnet_hw_rx_writeback(q, f->len, wb, VNET_RXD_L4_OK);
	return true;
}

/* Called with rxq->lock held, the ring going down: aggregates are lost. */
void vnet_hw_rsc_abort(struct vnet_hw_queue *q)
{
	struct vnet_hw_rsc *rsc = &q->rxq.rsc;
	struct vnet_hw_rsc_ctx *ctx, *tmp;

	list_for_each_entry_safe(ctx, tmp, &rsc->open, link) {
		vnet_hw_stat_add(&q->rxq.syncp, &q->rxq.missed, ctx->segs);
		vnet_hw_rsc_release(rsc, ctx);
	}
}

/*
 * Close the aggregates whose time is up: all of them once the queue has
 * had no segment for RSC_USECS, else those open for VNET_HW_RSC_AGE_MULT
 * times that, oldest first. Then set the timer for the next. It is started
 * again, not restarted: the engine may have started it for a new
 * aggregate while this waited for the lock.
 */
static enum hrtimer_restart vnet_hw_rsc_timer(struct hrtimer *timer)
{
	struct vnet_hw_rsc *rsc = container_of(timer, struct vnet_hw_rsc,
					       timer);
	struct vnet_hw_rxq *rxq = container_of(rsc, struct vnet_hw_rxq, rsc);
	struct vnet_hw_queue *q = container_of(rxq, struct vnet_hw_queue,
					       rxq);
	u64 now = ktime_get_ns(), idle = vnet_hw_rsc_idle_ns(q), quiet, old;
	struct vnet_hw_rsc_ctx *ctx;

	spin_lock(&rxq->lock);
	quiet = rsc->busy_ns + idle;
	while ((ctx = list_first_entry_or_null(&rsc->open,
					       struct vnet_hw_rsc_ctx,
					       link))) {
		old = ctx->opened_ns + idle * VNET_HW_RSC_AGE_MULT;
		if (now < quiet && now < old) {
			hrtimer_start(timer, ns_to_ktime(min(quiet, old)),
				      HRTIMER_MODE_ABS_SOFT);
			break;
		}
		vnet_hw_rsc_close(q, ctx);
	}
	spin_unlock(&rxq->lock);
	return HRTIMER_NORESTART;
}

int vnet_hw_rsc_init(struct vnet_hw_rsc *rsc)
{
	u32 i;

	/* The device's own memory: vmalloc, no slab (t97 watches slabs). */
	rsc->mem = vmalloc(VNET_HW_RSC_CHUNKS * VNET_HW_RSC_CHUNK);
	if (!rsc->mem)
		goto err;
	rsc->next = vmalloc(VNET_HW_RSC_CHUNKS * sizeof(*rsc->next));
	if (!rsc->next)
		goto err_free_mem;
	rsc->ctx = vzalloc(VNET_HW_RSC_CTXS * sizeof(*rsc->ctx));
	if (!rsc->ctx)
		goto err_free_next;
	rsc->bucket = vmalloc(VNET_HW_RSC_BUCKETS * sizeof(*rsc->bucket));
	if (!rsc->bucket)
		goto err_free_ctx;

	for (i = 0; i < VNET_HW_RSC_CHUNKS; i++)
		rsc->next[i] = i + 1 < VNET_HW_RSC_CHUNKS ? i + 1 :
			       VNET_HW_RSC_NONE;
	rsc->free = 0;
	rsc->nfree = VNET_HW_RSC_CHUNKS;
	INIT_LIST_HEAD(&rsc->open);
	INIT_LIST_HEAD(&rsc->idle);
	for (i = 0; i < VNET_HW_RSC_CTXS; i++)
		list_add_tail(&rsc->ctx[i].link, &rsc->idle);
	for (i = 0; i < VNET_HW_RSC_BUCKETS; i++)
		INIT_HLIST_HEAD(&rsc->bucket[i]);
	/* Chains a sender cannot predict */
	rsc->seed = get_random_u32();
	hrtimer_setup(&rsc->timer, vnet_hw_rsc_timer, CLOCK_MONOTONIC,
		      HRTIMER_MODE_ABS_SOFT);
	return 0;

err_free_ctx:
	vfree(rsc->ctx);
err_free_next:
	vfree(rsc->next);
err_free_mem:
	vfree(rsc->mem);
err:
	return -ENOMEM;
}

void vnet_hw_rsc_free(struct vnet_hw_rsc *rsc)
{
	vfree(rsc->bucket);
	vfree(rsc->ctx);
	vfree(rsc->next);
	vfree(rsc->mem);
}
