// SPDX-License-Identifier: GPL-2.0
/*
 * The emulated device's header parser and Toeplitz RSS hash. Pure C with
 * no kernel helpers so the same file is unit tested and fuzzed in userspace
 * (tests/unit). Frames are unaligned byte buffers that the guest fully
 * controls, so fields are read byte-wise in network order and every read is
 * checked against both the frame length and the IP header's own lengths.
 */
#include "vnet_bytes.h"
#include "vnet_flow.h"

/* The parser's own; those it shares with the partner are in vnet_bytes.h. */
#define VNET_PKT_VLAN_HLEN		4
#define VNET_PKT_ETH_P_IPV6		0x86dd
#define VNET_PKT_ETH_P_8021Q		0x8100
#define VNET_PKT_ETH_P_8021AD		0x88a8

#define VNET_PKT_IPV6_HLEN		40
#define VNET_PKT_IPV6_ALEN		16
#define VNET_PKT_IPV6_FRAG_HLEN		8
#define VNET_PKT_IPV6_FRAG_MF		0x0001
#define VNET_PKT_IPV6_FRAG_OFFSET	0xfff8
#define VNET_PKT_IPV6_MAX_EXT		8

#define VNET_PKT_NEXTHDR_HOP		0
#define VNET_PKT_NEXTHDR_ROUTING	43
#define VNET_PKT_NEXTHDR_FRAGMENT	44
#define VNET_PKT_NEXTHDR_DEST		60

/* In the IPv4 protocol field and as an IPv6 next header alike. */
#define VNET_PKT_IPPROTO_TCP		6
#define VNET_PKT_IPPROTO_UDP		17
#define VNET_PKT_IPPROTO_IPIP		4
#define VNET_PKT_IPPROTO_IPV6		41

#define VNET_PKT_TCP_HLEN		20
#define VNET_PKT_UDP_HLEN		8

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/*
 * TCP or UDP header at @l4, which must end by @end (the frame or the IP
 * payload, whichever is shorter). Anything else, or a header that does not
 * fit, leaves l4_off at 0 so nobody trusts the ports. An IP header in IP
 * is noted in inner_off.
 */
static void flow_parse_l4(const uint8_t *frame, uint32_t l4, uint32_t end,
			  struct vnet_flow *fl)
{
	uint32_t hlen;

	switch (fl->l4_proto) {
	case VNET_PKT_IPPROTO_IPIP:
	case VNET_PKT_IPPROTO_IPV6:
		if (l4 < end)
			fl->inner_off = (uint16_t)l4;
		return;
	case VNET_PKT_IPPROTO_TCP:
		if (l4 + VNET_PKT_TCP_HLEN > end)
			return;
		hlen = (uint32_t)(frame[l4 + 12] >> 4) * 4;
		if (hlen < VNET_PKT_TCP_HLEN || l4 + hlen > end)
			return;
		break;
	case VNET_PKT_IPPROTO_UDP:
		if (l4 + VNET_PKT_UDP_HLEN > end)
			return;
		hlen = VNET_PKT_UDP_HLEN;
		break;
	default:
		return;
	}

	/*
	 * l4 is at most 18 + 40 + 8 * 2048 (the longest extension header
	 * chain), so it fits the 16-bit offset.
	 */
	fl->l4_off = (uint16_t)l4;
	fl->l4_hlen = (uint16_t)hlen;
	memcpy(fl->ports, frame + l4, sizeof(fl->ports));
}

static bool flow_parse_ipv4(const uint8_t *frame, uint32_t len, uint32_t l3,
			    struct vnet_flow *fl)
{
	const uint8_t *ip = frame + l3;
	uint32_t ihl, tot_len, end;

	if (len - l3 < VNET_PKT_IP_HLEN || (ip[0] >> 4) != 4)
		return false;
	ihl = (uint32_t)(ip[0] & 0xf) * 4;
	tot_len = vnet_get_be16(ip + 2);
	if (ihl < VNET_PKT_IP_HLEN || ihl > len - l3 || tot_len < ihl)
		return false;

	fl->l3_off = (uint16_t)l3;
	fl->ip_end = l3 + tot_len;
	fl->ip_ver = 4;
	fl->l4_proto = ip[9];
	fl->addr_len = VNET_PKT_IP_ALEN;
	memcpy(fl->saddr, ip + 12, VNET_PKT_IP_ALEN);
	memcpy(fl->daddr, ip + 16, VNET_PKT_IP_ALEN);

	/* The offset alone is not enough: the first fragment has offset 0. */
	if (vnet_get_be16(ip + 6) & (VNET_PKT_IP_MF | VNET_PKT_IP_OFFSET)) {
		fl->frag = true;
		return true;
	}

	/*
	 * Bytes past tot_len are Ethernet padding; a tot_len past the frame
	 * is a truncated datagram whose L4 header may still be whole.
	 */
	end = l3 + min_u32(tot_len, len - l3);
	flow_parse_l4(frame, l3 + ihl, end, fl);
	return true;
}

static bool ipv6_is_ext(uint8_t nexthdr)
{
	return nexthdr == VNET_PKT_NEXTHDR_HOP ||
	       nexthdr == VNET_PKT_NEXTHDR_ROUTING ||
	       nexthdr == VNET_PKT_NEXTHDR_FRAGMENT ||
	       nexthdr == VNET_PKT_NEXTHDR_DEST;
}

/*
 * Walk the IPv6 extension headers from @*off, @*nexthdr naming the first,
 * up to @end. On return @*off is past the last header walked and @*nexthdr
 * names the next one. Returns true if that is the payload of a fragment
 * that is not whole, whose L4 header must not be trusted.
 *
 * The cap bounds the work per frame (a guest can chain thousands of empty
 * options headers) and keeps offsets within 16 bits. The walk stops at a
 * header that does not fit.
 */
static bool ipv6_skip_ext(const uint8_t *frame, uint32_t end, uint32_t *off,
			  uint8_t *nexthdr)
{
	uint32_t hlen, n;

	for (n = 0; n < VNET_PKT_IPV6_MAX_EXT && ipv6_is_ext(*nexthdr); n++) {
		if (*nexthdr == VNET_PKT_NEXTHDR_FRAGMENT)
			hlen = VNET_PKT_IPV6_FRAG_HLEN;
		else if (*off + 2 <= end)
			hlen = ((uint32_t)frame[*off + 1] + 1) * 8;
		else
			break;
		if (*off + hlen > end)
			break;

		/*
		 * Only the first fragment holds the L4 header, and even its
		 * ports would spread one flow over two queues. An atomic
		 * fragment (offset 0, no M flag, RFC 6946) is whole.
		 */
		if (*nexthdr == VNET_PKT_NEXTHDR_FRAGMENT &&
		    (vnet_get_be16(frame + *off + 2) &
		     (VNET_PKT_IPV6_FRAG_OFFSET | VNET_PKT_IPV6_FRAG_MF))) {
			*nexthdr = frame[*off];
			return true;
		}
		*nexthdr = frame[*off];
		*off += hlen;
	}
	return false;
}

static bool flow_parse_ipv6(const uint8_t *frame, uint32_t len, uint32_t l3,
			    struct vnet_flow *fl)
{
	const uint8_t *ip = frame + l3;
	uint32_t off, end;
	uint8_t nexthdr;

	if (len - l3 < VNET_PKT_IPV6_HLEN || (ip[0] >> 4) != 6)
		return false;

	fl->l3_off = (uint16_t)l3;
	fl->ip_end = l3 + VNET_PKT_IPV6_HLEN + vnet_get_be16(ip + 4);
	fl->ip_ver = 6;
	fl->flow_label[1] = ip[1] & 0x0f;
	fl->flow_label[2] = ip[2];
	fl->flow_label[3] = ip[3];
	fl->addr_len = VNET_PKT_IPV6_ALEN;
	memcpy(fl->saddr, ip + 8, VNET_PKT_IPV6_ALEN);
	memcpy(fl->daddr, ip + 24, VNET_PKT_IPV6_ALEN);

	/*
	 * As for IPv4: padding past the payload length is ignored and a
	 * truncated payload is parsed as far as it goes. A payload length of
	 * 0 (a jumbogram) means no payload: a jumbogram cannot be an
	 * Ethernet frame.
	 */
	end = l3 + VNET_PKT_IPV6_HLEN +
	      min_u32(vnet_get_be16(ip + 4), len - l3 - VNET_PKT_IPV6_HLEN);
	off = l3 + VNET_PKT_IPV6_HLEN;
	nexthdr = ip[6];

	fl->frag = ipv6_skip_ext(frame, end, &off, &nexthdr);
	/*
	 * A fragment's payload protocol; else the L4 header, or an extension
	 * header left over because it was cut short or the ninth.
	 */
	fl->l4_proto = nexthdr;
	if (!fl->frag)
		flow_parse_l4(frame, off, end, fl);
	return true;
}

bool vnet_flow_parse(const uint8_t *frame, uint32_t len, struct vnet_flow *fl)
{
	uint32_t l3 = VNET_PKT_ETH_HLEN;
	uint16_t proto;

	/*
	 * The IP helpers return false only before writing to @fl, so a
	 * frame that is not IP always leaves it all zero.
	 */
	memset(fl, 0, sizeof(*fl));
	if (len < VNET_PKT_ETH_HLEN)
		return false;

	/* One tag only: a second one (QinQ) is not looked into. */
	proto = vnet_get_be16(frame + 12);
	if (proto == VNET_PKT_ETH_P_8021Q || proto == VNET_PKT_ETH_P_8021AD) {
		if (len < VNET_PKT_ETH_HLEN + VNET_PKT_VLAN_HLEN)
			return false;
		proto = vnet_get_be16(frame + 16);
		l3 += VNET_PKT_VLAN_HLEN;
	}

	switch (proto) {
	case VNET_PKT_ETH_P_IP:
		return flow_parse_ipv4(frame, len, l3, fl);
	case VNET_PKT_ETH_P_IPV6:
		return flow_parse_ipv6(frame, len, l3, fl);
	default:
		return false;
	}
}

bool vnet_flow_parse_inner(const uint8_t *frame, uint32_t len,
			   const struct vnet_flow *outer,
			   struct vnet_flow *inner)
{
	uint32_t l3 = outer->inner_off;

	memset(inner, 0, sizeof(*inner));
	/* The outer datagram bounds the inner one, Ethernet padding aside. */
	len = min_u32(len, outer->ip_end);
	if (!l3 || l3 >= len)
		return false;
	switch (frame[l3] >> 4) {
	case 4:
		return outer->l4_proto == VNET_PKT_IPPROTO_IPIP &&
		       flow_parse_ipv4(frame, len, l3, inner);
	case 6:
		return outer->l4_proto == VNET_PKT_IPPROTO_IPV6 &&
		       flow_parse_ipv6(frame, len, l3, inner);
	default:
		return false;
	}
}

uint32_t vnet_toeplitz(const uint8_t *key, const uint8_t *in, uint32_t len)
{
	uint32_t window, hash = 0, i, next = 4;
	int bit;

	if (len > VNET_RSS_KEY_LEN)
		len = VNET_RSS_KEY_LEN;
	window = vnet_get_be32(key);
	for (i = 0; i < len; i++) {
		for (bit = 7; bit >= 0; bit--) {
			if (in[i] & (1u << bit))
				hash ^= window;
			/* Slide the window one key bit to the right. */
			window <<= 1;
			window |= (key[next] >> bit) & 1;
		}
		next = next + 1 < VNET_RSS_KEY_LEN ? next + 1 : 0;
	}
	return hash;
}

/* Append @n bytes of @a and of @b to @in at @*off, as @xfrm says. */
static void flow_hash_pair(uint8_t *in, uint32_t *off, const uint8_t *a,
			   const uint8_t *b, uint32_t n, uint32_t xfrm,
			   uint32_t fields, uint32_t fa, uint32_t fb)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint8_t x = a[i], y = b[i];

		if (xfrm & VNET_FLOW_X_SYM_XOR) {
			x = a[i] ^ b[i];
			y = x;
		} else if (xfrm & VNET_FLOW_X_SYM_OR_XOR) {
			x = a[i] | b[i];
			y = a[i] ^ b[i];
		}
		if (fields & fa)
			in[*off + i] = x;
		if (fields & fb)
			in[*off + ((fields & fa) ? n : 0) + i] = y;
	}
	*off += ((fields & fa) ? n : 0) + ((fields & fb) ? n : 0);
}

uint32_t vnet_flow_hash(const struct vnet_flow *fl, const uint8_t *key,
			uint32_t fields, uint32_t xfrm,
			enum vnet_hash_type *type)
{
	uint8_t in[2 * VNET_PKT_IPV6_ALEN + 4 + 4];
	enum vnet_hash_type t = VNET_HASH_NONE;
	uint32_t n = 0, hash;

	if (fl->ip_ver != 4 && fl->ip_ver != 6)
		fields = 0;
	if (!((fl->l4_proto == VNET_PKT_IPPROTO_TCP ||
	       fl->l4_proto == VNET_PKT_IPPROTO_UDP) &&
	      !fl->frag && fl->l4_off))
		fields &= ~(VNET_FLOW_H_L4_SRC | VNET_FLOW_H_L4_DST);
	if (fl->ip_ver != 6)
		fields &= ~VNET_FLOW_H_IP6_FL;

	flow_hash_pair(in, &n, fl->saddr, fl->daddr, fl->addr_len, xfrm,
		       fields, VNET_FLOW_H_IP_SRC, VNET_FLOW_H_IP_DST);
	if (n)
		t = VNET_HASH_L3;
	flow_hash_pair(in, &n, fl->ports, fl->ports + 2, 2, xfrm, fields,
		       VNET_FLOW_H_L4_SRC, VNET_FLOW_H_L4_DST);
	if (fields & (VNET_FLOW_H_L4_SRC | VNET_FLOW_H_L4_DST))
		t = VNET_HASH_L4;
	if (fields & VNET_FLOW_H_IP6_FL) {
		memcpy(in + n, fl->flow_label, sizeof(fl->flow_label));
		n += sizeof(fl->flow_label);
		if (t == VNET_HASH_NONE)
			t = VNET_HASH_L3;
	}

	hash = t == VNET_HASH_NONE ? 0 : vnet_toeplitz(key, in, n);
	if (type)
		*type = t;
	return hash;
}
