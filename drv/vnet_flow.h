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
	uint32_t ip_end;	/* where the IP header says the datagram ends:
				 * may be short of the frame (padding) or past
				 * it (truncated); 0 if not IP */
	uint8_t ip_ver;		/* 4, 6, or 0 if not IP */
	uint8_t l4_proto;	/* IPPROTO_* of the last header, 0 if not IP */
	bool frag;		/* an IP fragment: no L4 header is trusted */
	uint8_t addr_len;	/* 4 (IPv4), 16 (IPv6), 0 */
	uint8_t saddr[16];
	uint8_t daddr[16];
	uint8_t ports[4];	/* TCP/UDP source then destination port, BE */
	uint8_t flow_label[4];	/* IPv6 flow label, BE, top 12 bits zero */
};

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
 * vnet_toeplitz() - Toeplitz hash as defined by Microsoft RSS
 * @key: VNET_RSS_KEY_LEN bytes
 * @in: input bytes
 * @len: bytes in @in; only the first VNET_RSS_KEY_LEN - 4 are hashed
 */
uint32_t vnet_toeplitz(const uint8_t *key, const uint8_t *in, uint32_t len);

/**
 * vnet_flow_hash() - RSS hash of a parsed flow
 * @fl: from vnet_flow_parse()
 * @key: VNET_RSS_KEY_LEN bytes
 * @type: set to what was hashed, unless NULL
 *
 * Hashes source address, destination address and, for TCP and UDP that
 * are not fragments, source and destination port, in the byte order of the
 * Microsoft RSS verification suite.
 */
uint32_t vnet_flow_hash(const struct vnet_flow *fl, const uint8_t *key,
			enum vnet_hash_type *type);

#endif /* _VNET_FLOW_H_ */
