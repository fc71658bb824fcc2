/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The emulated device's packet parser and RSS hash: pure functions over a
 * byte buffer, with no kernel types, so they are unit tested and fuzzed in
 * userspace (tests/unit). The TX engine uses them to find the headers it
 * rewrites for TSO, the RX engine to pick a queue by flow.
 */
#ifndef _VNET_FLOW_H_
#define _VNET_FLOW_H_

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stdint.h>
#endif

#define VNET_RSS_KEY_LEN	40

/* What the parser found; offsets count from the destination MAC. */
struct vnet_flow {
	uint16_t l3_off;	/* IPv4/IPv6 header; 0 if not IP */
	uint16_t l4_off;	/* TCP/UDP header; 0 if none or not parsed */
	uint16_t l4_hlen;	/* TCP: doff * 4; UDP: 8; else 0 */
	/* The datagram's end by its IP header, 0 if not IP: short of @len
	 * with Ethernet padding, past it when truncated.
	 */
	uint32_t ip_end;
	uint8_t ip_ver;		/* 4, 6, or 0 if not IP */
	uint8_t l4_proto;	/* IPPROTO_* of the last header, 0 if not IP */
	bool frag;		/* an IP fragment: no L4 header is trusted */
	uint8_t addr_len;	/* 4 (IPv4), 16 (IPv6), 0 */
	uint8_t saddr[16];
	uint8_t daddr[16];
	uint8_t ports[4];	/* TCP/UDP source then destination port, BE */
	uint8_t flow_label[4];	/* IPv6 flow label, BE, top 12 bits zero */
	/* IP in IP (IPPROTO_IPIP, IPPROTO_IPV6, not a fragment): the inner
	 * IP header (vnet_flow_parse_inner()); 0 if none.
	 */
	uint16_t inner_off;
};

/* What an RSS hash may take in (vnet_flow_hash()'s @fields). */
#define VNET_FLOW_H_IP_SRC	0x01
#define VNET_FLOW_H_IP_DST	0x02
#define VNET_FLOW_H_L4_SRC	0x04	/* TCP/UDP, not a fragment */
#define VNET_FLOW_H_L4_DST	0x08	/* TCP/UDP, not a fragment */
#define VNET_FLOW_H_IP6_FL	0x10	/* IPv6 */
#define VNET_FLOW_H_ALL		0x1f
/* How the input is transformed first (@xfrm): symmetric variants. */
#define VNET_FLOW_X_SYM_XOR	0x01	/* src, dst -> src ^ dst, src ^ dst */
#define VNET_FLOW_X_SYM_OR_XOR	0x02	/* src, dst -> src | dst, src ^ dst */

/* Which fields went into an RSS hash. */
enum vnet_hash_type {
	VNET_HASH_NONE,		/* not IP: hash is 0 */
	VNET_HASH_L3,		/* addresses only (fragments, other L4) */
	VNET_HASH_L4,		/* addresses and TCP/UDP ports */
};

/**
 * vnet_flow_parse() - find the L3 and L4 headers of an Ethernet frame
 * @frame: the frame, starting at the destination MAC
 * @len: bytes available in @frame
 * @fl: filled in (zeroed first)
 *
 * Understands Ethernet II with at most one 802.1Q/802.1ad tag, IPv4 (any
 * valid IHL, options skipped) and IPv6 with hop-by-hop, routing,
 * destination-options and fragment extension headers (at most 8), then TCP
 * or UDP. Every read is bounds checked against @len and against the IP
 * header's own lengths; a frame that lies about a length parses as far as
 * it is consistent and no further: @fl->l4_off stays 0 when the L4 header
 * is cut short, and @fl->l4_proto then names the last header reached (for
 * IPv6 possibly an extension header that did not fit, or the ninth one).
 * A fragment gets @fl->frag and the protocol of its payload, never ports.
 *
 * Return: true if an IP header was found (@fl->l3_off set), false if the
 * frame is not IP or is malformed before the end of the IP header; @fl is
 * then all zero.
 */
bool vnet_flow_parse(const uint8_t *frame, uint32_t len, struct vnet_flow *fl);

/**
 * vnet_flow_parse_inner() - parse the inner datagram of IP in IP
 * @frame: the frame @outer was parsed from
 * @len: bytes available in @frame
 * @outer: what vnet_flow_parse() found; @outer->inner_off names the inner
 *	IP header
 * @inner: filled in as vnet_flow_parse() would, from the inner IP header
 *	on, within the outer datagram (zeroed first)
 *
 * Return: true if @outer has an inner IP header and it parses.
 */
bool vnet_flow_parse_inner(const uint8_t *frame, uint32_t len,
			   const struct vnet_flow *outer,
			   struct vnet_flow *inner);

/**
 * vnet_toeplitz() - Toeplitz hash as defined by Microsoft RSS
 * @key: VNET_RSS_KEY_LEN bytes
 * @in: input bytes
 * @len: bytes in @in, at most VNET_RSS_KEY_LEN of which are hashed; past
 *	VNET_RSS_KEY_LEN - 4 the key is used again from its start (the
 *	standard stops there; only IPv6 with ports and flow label goes on)
 */
uint32_t vnet_toeplitz(const uint8_t *key, const uint8_t *in, uint32_t len);

/**
 * vnet_flow_hash() - RSS hash of a parsed flow
 * @fl: from vnet_flow_parse()
 * @key: VNET_RSS_KEY_LEN bytes
 * @fields: VNET_FLOW_H_*: what to hash; fields the frame lacks are skipped
 * @xfrm: VNET_FLOW_X_* or 0
 * @type: set to what was hashed, unless NULL
 *
 * Hashes source address, destination address, source and destination
 * port, then the flow label, in the byte order of the Microsoft RSS
 * verification suite; each only if @fields has it and the frame has it
 * (ports: TCP or UDP that is not a fragment). Nothing hashed gives 0 and
 * VNET_HASH_NONE.
 */
uint32_t vnet_flow_hash(const struct vnet_flow *fl, const uint8_t *key,
			uint32_t fields, uint32_t xfrm,
			enum vnet_hash_type *type);

#endif /* _VNET_FLOW_H_ */
