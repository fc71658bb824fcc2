// SPDX-License-Identifier: GPL-2.0
/*
 * vnet_inject - send hostile Ethernet frames out of an interface through an
 * AF_PACKET SOCK_RAW socket, to check that a NIC (its link partner, its
 * parser, its checksum offload) survives them and counts what it drops.
 *
 * Every frame is built here, byte by byte, in one of several classes:
 * runts, truncated and lying ARP, IPv4 and ICMP headers, bad IHL and total
 * lengths, IP options, fragments, non-unicast addresses, TCP/UDP headers
 * that are cut short or lie about their length, VLAN-tagged and IPv6
 * frames, MTU-sized and larger frames, seeded random bytes, and frames that
 * ask for checksum insertion (PACKET_VNET_HDR with NEEDS_CSUM) at odd,
 * early and late positions. Each class is built so that all its frames get
 * the same verdict from the vnet link partner (drv/vnet_reflect.c), which
 * the class list (-l) names, so a test can compare per-class counters;
 * only arp_short's verdict depends on where each frame is cut.
 *
 * Frames leave the socket through the qdisc and ndo_start_xmit like any
 * other; the kernel itself refuses some (shorter than an Ethernet header,
 * longer than the MTU allows): those are counted as refused, not sent.
 *
 * usage: see usage_exit() or run with -h.
 *
 * Output, one line per class in the order given:
 *   class=NAME sent=N refused=R failed=F [refused_errno=E]
 * sent: frames the kernel took (send() succeeded); refused: EINVAL or
 * EMSGSIZE from send(), the kernel's own checks; failed: any other error.
 * Exit status: 0 if no frame failed, 1 if one did, 2 on usage/setup errors.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define VNET_TOOL_NAME "vnet_inject"
#include "vnet_tool.h"

#define DEF_COUNT		16
#define MAX_COUNT		100000
#define DEF_SEED		1
#define BUF_LEN			65536

/* Protocol numbers and offsets, private to avoid libc header clashes. */
#define ETHERTYPE_IPV4		0x0800
#define ETHERTYPE_ARP		0x0806
#define ETHERTYPE_IPV6		0x86dd
#define ETHERTYPE_8021Q		0x8100
#define ETHERTYPE_8021AD	0x88a8
#define ETHERTYPE_LOCAL		0x88b5	/* IEEE local experimental */
#define VLAN_HLEN		4

#define ARP_HLEN		28
#define ARP_OP_REQUEST		1

#define IP_HLEN			20
#define IP_MAX_HLEN		60
#define IP_DF			0x4000
#define IP_MF			0x2000
#define IP_OFFSET		0x1fff
#define PROTO_ICMP		1
#define PROTO_TCP		6
#define PROTO_UDP		17
#define PROTO_NONE6		59
#define PROTO_HOPOPTS		0
#define PROTO_ROUTING		43
#define PROTO_FRAGMENT		44
#define PROTO_DSTOPTS		60

#define IPOPT_EOL		0
#define IPOPT_NOP		1
#define IPOPT_RR		7
#define IPOPT_TS		68

#define IP6_HLEN		40
#define ICMP_HLEN		8
#define ICMP_ECHOREPLY_T	0
#define ICMP_ECHO_T		8
#define ICMP_INFO_REQ_T		15
#define ICMP_ADDRESS_T		17
#define TCP_HLEN		20
#define UDP_HLEN		8
#define UDP_DST_PORT		9	/* discard: nobody listens in the tests */
#define TCP_DST_PORT		9

/* One frame to send, and what it asks of the device's checksum offload. */
struct frame {
	uint8_t *b;
	unsigned int len;
	bool needs_csum;	/* sent with a virtio_net_hdr: NEEDS_CSUM */
	uint16_t csum_start;
	uint16_t csum_off;
};

struct ctx {
	/* options */
	const char *ifname;
	uint8_t dst_mac[ETH_ALEN];
	uint8_t src_ip[4];
	uint8_t dst_ip[4];
	unsigned int count;
	uint32_t seed;

	/* interface */
	int ifindex;
	unsigned int mtu;
	uint8_t src_mac[ETH_ALEN];

	/* sockets: plain, and with PACKET_VNET_HDR (opened on first use) */
	int fd;
	int vh_fd;

	uint32_t rng;
	uint16_t ip_id;		/* every IPv4 frame gets its own ID */
	uint8_t *buf;
	uint8_t *scratch;
};

struct inject_class {
	const char *name;
	const char *verdict;	/* of the vnet reflector, for -l */
	const char *help;
	void (*build)(struct ctx *c, unsigned int i, struct frame *f);
};

static void __noreturn usage_exit(int status);

/* Byte helpers: frames are unaligned byte buffers in network order. */

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* xorshift32: the random class must be the same on every run. */
static uint32_t rnd(struct ctx *c)
{
	uint32_t x = c->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	c->rng = x;
	return x;
}

/* Payload byte @i of frame @seq: never constant over a frame. */
static uint8_t pattern_byte(unsigned int seq, unsigned int i)
{
	return (uint8_t)((i * 151u) ^ (seq * 37u + 0xa5u) ^ (i >> 8));
}

static void fill_pattern(uint8_t *p, unsigned int len, unsigned int seq)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		p[i] = pattern_byte(seq, i);
}

/* Frame builders */

/* Ethernet header with @ntags VLAN tags (TPIDs in @tpid); returns length. */
static unsigned int put_eth(const struct ctx *c, uint8_t *p, uint16_t type,
			    const uint16_t *tpid, unsigned int ntags)
{
	unsigned int off = 2 * ETH_ALEN, t;

	memcpy(p, c->dst_mac, ETH_ALEN);
	memcpy(p + ETH_ALEN, c->src_mac, ETH_ALEN);
	for (t = 0; t < ntags; t++) {
		put16(p + off, tpid[t]);
		put16(p + off + 2, (uint16_t)(5 + t));	/* PCP 0, VID 5, 6 */
		off += VLAN_HLEN;
	}
	put16(p + off, type);
	return off + 2;
}

/*
 * IPv4 header of @hlen bytes (the caller writes options from byte 20 on
 * and then calls ip4_csum()), claiming @ihl words and @tot_len bytes.
 */
static void put_ip4(struct ctx *c, uint8_t *ip, unsigned int ihl,
		    unsigned int tot_len, uint16_t frag, uint8_t proto)
{
	ip[0] = (uint8_t)(0x40 | (ihl & 0xf));
	ip[1] = 0;
	put16(ip + 2, (uint16_t)tot_len);
	put16(ip + 4, c->ip_id++);
	put16(ip + 6, frag);
	ip[8] = 64;
	ip[9] = proto;
	put16(ip + 10, 0);
	memcpy(ip + 12, c->src_ip, 4);
	memcpy(ip + 16, c->dst_ip, 4);
}

/* Header checksum over the first @hlen bytes (as the receiver sums it). */
static void ip4_csum(uint8_t *ip, unsigned int hlen)
{
	put16(ip + 10, 0);
	put16(ip + 10, csum_field(csum_add(0, ip, hlen)));
}

/* ICMP message of @type/@code with @plen pattern bytes; returns length. */
static unsigned int put_icmp(uint8_t *p, uint8_t type, uint8_t code,
			     unsigned int seq, unsigned int plen)
{
	p[0] = type;
	p[1] = code;
	put16(p + 2, 0);
	put16(p + 4, 0x7e57);
	put16(p + 6, (uint16_t)seq);
	fill_pattern(p + ICMP_HLEN, plen, seq);
	put16(p + 2, csum_field(csum_add(0, p, ICMP_HLEN + plen)));
	return ICMP_HLEN + plen;
}

/*
 * A complete, valid ICMP echo request at @l3 with @opt_len bytes of IP
 * options from @opt (a multiple of 4) and @plen payload bytes. Returns the
 * frame length.
 */
static unsigned int put_echo(struct ctx *c, uint8_t *f, unsigned int l3,
			     const uint8_t *opt, unsigned int opt_len,
			     unsigned int plen, unsigned int seq)
{
	unsigned int hlen = IP_HLEN + opt_len;
	uint8_t *ip = f + l3;

	put_ip4(c, ip, hlen / 4, hlen + ICMP_HLEN + plen, 0, PROTO_ICMP);
	if (opt_len)
		memcpy(ip + IP_HLEN, opt, opt_len);
	ip4_csum(ip, hlen);
	put_icmp(ip + hlen, ICMP_ECHO_T, 0, seq, plen);
	return l3 + hlen + ICMP_HLEN + plen;
}

/* Untagged echo request with @plen payload bytes and no options. */
static unsigned int echo_frame(struct ctx *c, uint8_t *f, unsigned int plen,
			       unsigned int seq)
{
	unsigned int l3 = put_eth(c, f, ETHERTYPE_IPV4, NULL, 0);

	return put_echo(c, f, l3, NULL, 0, plen, seq);
}

/*
 * ARP request (Ethernet/IPv4 layout) asking for @tpa on behalf of @spa;
 * returns the frame length (42).
 */
static unsigned int arp_frame(const struct ctx *c, uint8_t *f, uint16_t op,
			      const uint8_t *spa, const uint8_t *tpa)
{
	unsigned int l3 = put_eth(c, f, ETHERTYPE_ARP, NULL, 0);
	uint8_t *arp = f + l3;

	put16(arp, ARPHRD_ETHER);
	put16(arp + 2, ETHERTYPE_IPV4);
	arp[4] = ETH_ALEN;
	arp[5] = 4;
	put16(arp + 6, op);
	memcpy(arp + 8, c->src_mac, ETH_ALEN);
	memcpy(arp + 14, spa, 4);
	memset(arp + 18, 0, ETH_ALEN);
	memcpy(arp + 24, tpa, 4);
	return l3 + ARP_HLEN;
}

/* Ones-complement sum of the IPv4 pseudo header. */
static uint32_t pseudo4(const uint8_t *ip, uint8_t proto, unsigned int l4len)
{
	uint32_t sum = csum_add(0, ip + 12, 8);

	return sum + proto + l4len;
}

/* Classes. @i counts the frames of a class; variants cycle with it. */

static void build_runt(struct ctx *c, unsigned int i, struct frame *f)
{
	/* 1..13 bytes of a well-formed echo request. */
	echo_frame(c, f->b, 18, i);
	f->len = 1 + i % (ETH_HLEN - 1);
}

static void build_ip_short(struct ctx *c, unsigned int i, struct frame *f)
{
	/*
	 * 14..33 bytes: the IPv4 header of a 1028-byte datagram cut short.
	 * Malformed with or without the MAC's zero padding to 60 bytes.
	 */
	echo_frame(c, f->b, 1000, i);
	f->len = ETH_HLEN + i % IP_HLEN;
}

static void build_arp_short(struct ctx *c, unsigned int i, struct frame *f)
{
	/*
	 * 14..41 bytes: the ARP body is cut short. A MAC pads it with zeros
	 * to 60 bytes, so the cut decides what arrives: a header with a zero
	 * field, opcode 0, target 0, or a request for the target address
	 * with its last byte zero.
	 */
	arp_frame(c, f->b, ARP_OP_REQUEST, c->src_ip, c->dst_ip);
	f->len = ETH_HLEN + i % ARP_HLEN;
}

static void build_arp_lying(struct ctx *c, unsigned int i, struct frame *f)
{
	static const uint8_t hlens[] = { 0, 5, 7, 255 }, plens[] = { 0, 3, 255 };
	unsigned int v = i % 10;
	uint8_t *arp;

	f->len = arp_frame(c, f->b, ARP_OP_REQUEST, c->src_ip, c->dst_ip);
	arp = f->b + ETH_HLEN;
	switch (v) {
	case 0: case 1: case 2: case 3:
		/* hardware address length 0, 5, 7, 255 */
		arp[4] = hlens[v];
		break;
	case 4: case 5: case 6:
		/* protocol address length 0, 3, 255 */
		arp[5] = plens[v - 4];
		break;
	case 7:
		/*
		 * Ethernet byte-swapped. (Not 6, IEEE 802: Linux accepts
		 * that on Ethernet, the reflector does not.)
		 */
		put16(arp, 0x0100);
		break;
	case 8:
		put16(arp + 2, ETHERTYPE_IPV6);	/* IPv6 protocol */
		break;
	default:
		/*
		 * 16-byte addresses laid out as claimed: a parser trusting
		 * the lengths reads up to byte 86 and stays inside.
		 */
		arp[4] = 16;
		arp[5] = 16;
		fill_pattern(arp + 8, 4 * 16, i);
		f->len = ETH_HLEN + 8 + 4 * 16;
		break;
	}
}

static void build_arp_op(struct ctx *c, unsigned int i, struct frame *f)
{
	static const uint16_t ops[] = { 0, 2, 3, 4, 0xffff };

	f->len = arp_frame(c, f->b, ops[i % ARRAY_SIZE(ops)], c->src_ip,
			   c->dst_ip);
}

static void build_arp_probe(struct ctx *c, unsigned int i, struct frame *f)
{
	static const uint8_t zero[4], mcast[4] = { 224, 0, 0, 251 },
		bcast[4] = { 255, 255, 255, 255 };

	switch (i % 5) {
	case 0:
		/* DAD probe (RFC 5227), for our own address */
		f->len = arp_frame(c, f->b, ARP_OP_REQUEST, zero, c->src_ip);
		break;
	case 1:
		/* announcement: sender and target address the same */
		f->len = arp_frame(c, f->b, ARP_OP_REQUEST, c->src_ip,
				   c->src_ip);
		break;
	case 2:
		f->len = arp_frame(c, f->b, ARP_OP_REQUEST, c->src_ip, zero);
		break;
	case 3:
		f->len = arp_frame(c, f->b, ARP_OP_REQUEST, c->src_ip, mcast);
		break;
	default:
		f->len = arp_frame(c, f->b, ARP_OP_REQUEST, c->src_ip, bcast);
		break;
	}
}

static void build_bad_src_mac(struct ctx *c, unsigned int i, struct frame *f)
{
	static const uint8_t macs[][ETH_ALEN] = {
		{ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 },
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 },
		{ 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 },
	};

	/* A valid echo request, from a source MAC no station can have. */
	f->len = echo_frame(c, f->b, 24, i);
	memcpy(f->b + ETH_ALEN, macs[i % ARRAY_SIZE(macs)], ETH_ALEN);
}

static void build_ip_version(struct ctx *c, unsigned int i, struct frame *f)
{
	static const uint8_t vers[] = { 0, 1, 6, 15 };
	uint8_t *ip = f->b + ETH_HLEN;

	f->len = echo_frame(c, f->b, 24, i);
	ip[0] = (uint8_t)(vers[i % ARRAY_SIZE(vers)] << 4 | 5);
	ip4_csum(ip, IP_HLEN);
}

static void build_ihl_short(struct ctx *c, unsigned int i, struct frame *f)
{
	uint8_t *ip = f->b + ETH_HLEN;

	/* IHL 0..4 on an otherwise complete echo request */
	f->len = echo_frame(c, f->b, 24, i);
	ip[0] = (uint8_t)(0x40 | i % 5);
	ip4_csum(ip, IP_HLEN);
}

static void build_ihl_long(struct ctx *c, unsigned int i, struct frame *f)
{
	unsigned int v = i % 5, ihl;
	uint8_t *ip = f->b + ETH_HLEN;

	put_eth(c, f->b, ETHERTYPE_IPV4, NULL, 0);
	if (v < 4) {
		/*
		 * IHL 12..15 in a 60-byte frame, which holds 46 bytes of
		 * IP; tot_len agrees with the IHL, not with the frame.
		 */
		ihl = 12 + v;
		put_ip4(c, ip, ihl, ihl * 4 + ICMP_HLEN, 0, PROTO_ICMP);
		memset(ip + IP_HLEN, IPOPT_NOP, 60 - ETH_HLEN - IP_HLEN);
		ip4_csum(ip, 60 - ETH_HLEN);
		f->len = 60;
		return;
	}
	/* IHL 15 with all its options present, total length 24 < 60 */
	put_ip4(c, ip, 15, 24, 0, PROTO_ICMP);
	memset(ip + IP_HLEN, IPOPT_NOP, IP_MAX_HLEN - IP_HLEN);
	ip4_csum(ip, IP_MAX_HLEN);
	put_icmp(ip + IP_MAX_HLEN, ICMP_ECHO_T, 0, i, 0);
	f->len = ETH_HLEN + IP_MAX_HLEN + ICMP_HLEN;
}

static void build_totlen_long(struct ctx *c, unsigned int i, struct frame *f)
{
	static const uint16_t extra[] = { 1, 2, 100, 1500, 0 };
	unsigned int v = i % ARRAY_SIZE(extra);
	uint8_t *ip = f->b + ETH_HLEN;
	unsigned int tot;

	/*
	 * The frame (66 bytes, no room for MAC padding) ends where the
	 * datagram should; tot_len claims more.
	 */
	f->len = echo_frame(c, f->b, 24, i);
	tot = get16(ip + 2);
	put16(ip + 2, v == ARRAY_SIZE(extra) - 1 ? 0xffff :
		      (uint16_t)(tot + extra[v]));
	ip4_csum(ip, IP_HLEN);
}

static void build_totlen_short(struct ctx *c, unsigned int i, struct frame *f)
{
	static const uint8_t nops[4] = { IPOPT_NOP, IPOPT_NOP, IPOPT_NOP,
					 IPOPT_NOP };
	static const uint16_t tot5[] = { 0, 1, 19 }, tot6[] = { 20, 23 };
	unsigned int v = i % 5, l3 = ETH_HLEN;
	uint8_t *ip = f->b + l3;

	/* tot_len < IHL * 4, on a frame that holds the whole echo request */
	if (v < 3) {
		f->len = echo_frame(c, f->b, 24, i);
		put16(ip + 2, tot5[v]);
		ip4_csum(ip, IP_HLEN);
		return;
	}
	put_eth(c, f->b, ETHERTYPE_IPV4, NULL, 0);
	f->len = put_echo(c, f->b, l3, nops, sizeof(nops), 24, i);
	put16(ip + 2, tot6[v - 3]);
	ip4_csum(ip, IP_HLEN + sizeof(nops));
}

static void build_pad(struct ctx *c, unsigned int i, struct frame *f)
{
	uint8_t *ip = f->b + ETH_HLEN;

	/*
	 * Echo requests of 42, 50, 58 bytes whose tot_len (46) counts the
	 * zeros a MAC pads them with to 60: valid once on the wire (zeros
	 * do not change the ICMP checksum), truncated before.
	 */
	f->len = echo_frame(c, f->b, (i % 3) * 8, i);
	put16(ip + 2, 60 - ETH_HLEN);
	ip4_csum(ip, IP_HLEN);
}

static void build_ip_csum(struct ctx *c, unsigned int i, struct frame *f)
{
	uint8_t *ip = f->b + ETH_HLEN;

	f->len = echo_frame(c, f->b, 24, i);
	put16(ip + 10, get16(ip + 10) ^ (uint16_t)(1u << (i % 16)));
}

static void build_frag(struct ctx *c, unsigned int i, struct frame *f)
{
	static const uint16_t frags[] = {
		IP_MF,			/* first fragment: a whole echo inside */
		IP_MF | IP_DF,		/* contradictory, still a fragment */
		1,			/* last fragment at offset 8 */
		IP_OFFSET,		/* last fragment at the largest offset */
		IP_MF | 185,		/* a middle fragment */
	};
	uint8_t *ip = f->b + ETH_HLEN;

	/* Checksums are all valid: only the fragment fields are wrong. */
	f->len = echo_frame(c, f->b, 32 + i % 8, i);
	put16(ip + 6, frags[i % ARRAY_SIZE(frags)]);
	ip4_csum(ip, IP_HLEN);
}

static void build_ip_not_unicast(struct ctx *c, unsigned int i,
				 struct frame *f)
{
	static const uint8_t zero[4], mcast[4] = { 224, 0, 0, 1 },
		bcast[4] = { 255, 255, 255, 255 };
	uint8_t *ip = f->b + ETH_HLEN;

	f->len = echo_frame(c, f->b, 24, i);
	switch (i % 6) {
	case 0:
		memcpy(ip + 16, mcast, 4);
		break;
	case 1:
		memcpy(ip + 16, bcast, 4);
		break;
	case 2:
		memcpy(ip + 16, zero, 4);
		break;
	case 3:
		memcpy(ip + 12, zero, 4);
		break;
	case 4:
		memcpy(ip + 12, mcast, 4);
		break;
	default:
		/* unicast datagram in a link-layer multicast frame */
		memcpy(f->b, (const uint8_t[]){ 0x01, 0x00, 0x5e, 0, 0, 1 },
		       ETH_ALEN);
		break;
	}
	ip4_csum(ip, IP_HLEN);
}

/* Option block @v of the ipopt class; returns its length (4-aligned). */
static unsigned int ip_options_valid(unsigned int v, uint8_t *opt)
{
	switch (v) {
	case 0:
		memset(opt, IPOPT_NOP, 4);
		return 4;
	case 1:
		/* end of options, then padding */
		memset(opt, 0, 8);
		opt[0] = IPOPT_EOL;
		return 8;
	case 2:
		/* record route with room for 9 addresses: IHL 15 */
		memset(opt, 0, 40);
		opt[0] = IPOPT_RR;
		opt[1] = 39;
		opt[2] = 4;
		return 40;
	default:
		/* timestamps only, room for 2 */
		memset(opt, 0, 12);
		opt[0] = IPOPT_TS;
		opt[1] = 12;
		opt[2] = 5;
		return 12;
	}
}

static void build_ipopt(struct ctx *c, unsigned int i, struct frame *f)
{
	static const unsigned int plens[] = { 0, 56, 201 };
	unsigned int l3 = put_eth(c, f->b, ETHERTYPE_IPV4, NULL, 0);
	uint8_t opt[40];
	unsigned int olen;

	olen = ip_options_valid(i % 4, opt);
	f->len = put_echo(c, f->b, l3, opt, olen, plens[i % 3], i);
}

static void build_ipopt_bad(struct ctx *c, unsigned int i, struct frame *f)
{
	unsigned int l3 = put_eth(c, f->b, ETHERTYPE_IPV4, NULL, 0);
	uint8_t opt[8] = { 0 };

	switch (i % 5) {
	case 0:
		opt[0] = IPOPT_RR;	/* length 0 */
		break;
	case 1:
		opt[0] = IPOPT_RR;	/* length 1 */
		opt[1] = 1;
		break;
	case 2:
		opt[0] = IPOPT_RR;	/* length past the header */
		opt[1] = 40;
		opt[2] = 4;
		break;
	case 3:
		opt[0] = IPOPT_RR;	/* pointer inside the option header */
		opt[1] = 7;
		opt[2] = 2;
		break;
	default:
		opt[0] = IPOPT_NOP;	/* timestamp of length 2 */
		opt[1] = IPOPT_TS;
		opt[2] = 2;
		break;
	}
	f->len = put_echo(c, f->b, l3, opt, sizeof(opt), 24, i);
}

static void build_icmp_short(struct ctx *c, unsigned int i, struct frame *f)
{
	unsigned int l3 = put_eth(c, f->b, ETHERTYPE_IPV4, NULL, 0);
	unsigned int icmp_len = i % ICMP_HLEN;
	uint8_t *ip = f->b + l3;

	/*
	 * tot_len leaves 0..7 bytes for ICMP; the frame goes on with
	 * non-zero padding up to 60 bytes, which the receiver must ignore.
	 */
	put_ip4(c, ip, 5, IP_HLEN + icmp_len, 0, PROTO_ICMP);
	ip4_csum(ip, IP_HLEN);
	put_icmp(ip + IP_HLEN, ICMP_ECHO_T, 0, i, 0);
	memset(ip + IP_HLEN + icmp_len, 0xa5, 60 - l3 - IP_HLEN - icmp_len);
	f->len = 60;
}

static void build_icmp_csum(struct ctx *c, unsigned int i, struct frame *f)
{
	uint8_t *icmp = f->b + ETH_HLEN + IP_HLEN;

	f->len = echo_frame(c, f->b, 24 + i % 3, i);
	put16(icmp + 2, get16(icmp + 2) ^ (uint16_t)(1u << (i % 16)));
}

static void build_icmp_type(struct ctx *c, unsigned int i, struct frame *f)
{
	static const uint8_t types[] = {
		ICMP_ECHOREPLY_T, ICMP_INFO_REQ_T, ICMP_ADDRESS_T,
	};
	unsigned int l3 = put_eth(c, f->b, ETHERTYPE_IPV4, NULL, 0);
	uint8_t *ip = f->b + l3;
	unsigned int len;

	len = put_icmp(ip + IP_HLEN, types[i % ARRAY_SIZE(types)], 0, i, 24);
	put_ip4(c, ip, 5, IP_HLEN + len, 0, PROTO_ICMP);
	ip4_csum(ip, IP_HLEN);
	f->len = l3 + IP_HLEN + len;
}

/* TCP header at @th: ports, sequence, data offset @doff words, flags ACK. */
static void put_tcp(uint8_t *th, unsigned int i, unsigned int doff)
{
	memset(th, 0, TCP_HLEN);
	put16(th, (uint16_t)(40000 + i));
	put16(th + 2, TCP_DST_PORT);
	put32(th + 4, 0x01020304u + i);
	th[12] = (uint8_t)(doff << 4);
	th[13] = 0x10;
	put16(th + 14, 512);
}

static void put_udp(uint8_t *uh, unsigned int i, unsigned int ulen)
{
	put16(uh, (uint16_t)(40000 + i));
	put16(uh + 2, UDP_DST_PORT);
	put16(uh + 4, (uint16_t)ulen);
	put16(uh + 6, 0);
}

/* A wrong, non-zero checksum for the L4 datagram at @l4 of @len bytes. */
static uint16_t bad_l4_csum(const uint8_t *ip, const uint8_t *l4,
			    unsigned int len, uint8_t proto)
{
	uint16_t good = csum_field(csum_add(pseudo4(ip, proto, len), l4, len));

	return good == 0x0101 ? 0x0202 : good ^ 0x0101;
}

static void build_l4_lying(struct ctx *c, unsigned int i, struct frame *f)
{
	static const unsigned int cut[] = { 0, 10, 19 };
	unsigned int l3 = put_eth(c, f->b, ETHERTYPE_IPV4, NULL, 0);
	unsigned int v = i % 14, l4len, wire, pay = 12;
	uint8_t *ip = f->b + l3, *l4 = ip + IP_HLEN;
	uint8_t proto = v < 8 || v == 13 ? PROTO_TCP : PROTO_UDP;

	/* The addresses first: the bad checksums below need them. */
	put_ip4(c, ip, 5, IP_HLEN, 0, proto);
	/* l4len: what tot_len claims; wire: L4 bytes actually sent */
	switch (v) {
	case 0: case 1: case 2:
		/* TCP header cut to 0, 10, 19 bytes */
		l4len = cut[v];
		put_tcp(l4, i, 5);
		wire = l4len;
		break;
	case 3: case 4:
		/* data offset 4 or 0 words: shorter than a TCP header */
		put_tcp(l4, i, v == 3 ? 4 : 0);
		l4len = TCP_HLEN + pay;
		wire = l4len;
		break;
	case 5:
		/* data offset 15 words, 20 bytes of header sent */
		put_tcp(l4, i, 15);
		l4len = TCP_HLEN;
		wire = l4len;
		break;
	case 6:
		/* data offset 8 words in the frame, tot_len covers 5 */
		put_tcp(l4, i, 8);
		l4len = TCP_HLEN;
		wire = 32;
		break;
	case 7:
		/* whole header and payload, wrong checksum */
		put_tcp(l4, i, 5);
		l4len = TCP_HLEN + pay;
		wire = l4len;
		fill_pattern(l4 + TCP_HLEN, pay, i);
		put16(l4 + 16, bad_l4_csum(ip, l4, l4len, proto));
		break;
	case 8: case 9:
		/* UDP header cut to 0 or 7 bytes */
		l4len = v == 8 ? 0 : 7;
		wire = l4len;
		put_udp(l4, i, UDP_HLEN);
		break;
	case 10:
		/* UDP length past the datagram */
		l4len = UDP_HLEN + pay;
		wire = l4len;
		put_udp(l4, i, 100);
		fill_pattern(l4 + UDP_HLEN, pay, i);
		break;
	case 11:
		/* UDP length shorter than its own header */
		l4len = UDP_HLEN + pay;
		wire = l4len;
		put_udp(l4, i, 4);
		fill_pattern(l4 + UDP_HLEN, pay, i);
		break;
	case 12:
		/* whole datagram, wrong (non-zero) checksum */
		l4len = UDP_HLEN + pay;
		wire = l4len;
		put_udp(l4, i, l4len);
		fill_pattern(l4 + UDP_HLEN, pay, i);
		put16(l4 + 6, bad_l4_csum(ip, l4, l4len, proto));
		break;
	default:
		/* tot_len ends 4 bytes into a TCP header the frame holds */
		put_tcp(l4, i, 5);
		fill_pattern(l4 + TCP_HLEN, pay, i);
		l4len = 4;
		wire = TCP_HLEN + pay;
		break;
	}
	put16(ip + 2, (uint16_t)(IP_HLEN + l4len));
	ip4_csum(ip, IP_HLEN);
	f->len = l3 + IP_HLEN + wire;
}

/* IPv6 header at @ip6 claiming @plen payload bytes of @next. */
static void put_ip6(uint8_t *ip6, unsigned int plen, uint8_t next)
{
	memset(ip6, 0, IP6_HLEN);
	ip6[0] = 0x60;
	put16(ip6 + 4, (uint16_t)plen);
	ip6[6] = next;
	ip6[7] = 64;
	ip6[8] = 0xfd;		/* fd00::1 -> fd00::2 */
	ip6[23] = 1;
	ip6[24] = 0xfd;
	ip6[39] = 2;
}

static void build_vlan(struct ctx *c, unsigned int i, struct frame *f)
{
	static const uint16_t q[] = { ETHERTYPE_8021Q },
		qinq[] = { ETHERTYPE_8021AD, ETHERTYPE_8021Q };
	unsigned int v = i % 9, l3;
	uint8_t *l4;

	switch (v) {
	case 0:
		l3 = put_eth(c, f->b, ETHERTYPE_IPV4, q, 1);
		f->len = put_echo(c, f->b, l3, NULL, 0, 24, i);
		break;
	case 1:
		l3 = put_eth(c, f->b, ETHERTYPE_IPV4, qinq, 2);
		f->len = put_echo(c, f->b, l3, NULL, 0, 24, i);
		break;
	case 2:
		/* tagged IPv6/UDP */
		l3 = put_eth(c, f->b, ETHERTYPE_IPV6, q, 1);
		put_ip6(f->b + l3, UDP_HLEN + 8, PROTO_UDP);
		l4 = f->b + l3 + IP6_HLEN;
		put_udp(l4, i, UDP_HLEN + 8);
		fill_pattern(l4 + UDP_HLEN, 8, i);
		f->len = l3 + IP6_HLEN + UDP_HLEN + 8;
		break;
	case 3:
		/* tagged ARP request */
		arp_frame(c, f->b + VLAN_HLEN, ARP_OP_REQUEST, c->src_ip,
			  c->dst_ip);
		put_eth(c, f->b, ETHERTYPE_ARP, q, 1);
		f->len = ETH_HLEN + VLAN_HLEN + ARP_HLEN;
		break;
	case 4: case 5: case 6: case 7:
		/* the tag itself cut short: 14..17 bytes */
		put_eth(c, f->b, ETHERTYPE_IPV4, q, 1);
		f->len = ETH_HLEN + v - 4;
		break;
	default:
		/* tagged, IPv4 header cut after 10 bytes */
		l3 = put_eth(c, f->b, ETHERTYPE_IPV4, q, 1);
		put_echo(c, f->b, l3, NULL, 0, 24, i);
		f->len = l3 + 10;
		break;
	}
}

static void build_ipv6(struct ctx *c, unsigned int i, struct frame *f)
{
	unsigned int l3 = put_eth(c, f->b, ETHERTYPE_IPV6, NULL, 0);
	uint8_t *ip6 = f->b + l3, *p = ip6 + IP6_HLEN;
	unsigned int v = i % 10, n;

	memset(p, 0, 128);
	switch (v) {
	case 0:
		/* header cut to 0..39 bytes */
		put_ip6(ip6, UDP_HLEN, PROTO_UDP);
		f->len = l3 + (i * 7) % IP6_HLEN;
		return;
	case 1:
		/* payload length past the frame */
		put_ip6(ip6, 1000, PROTO_UDP);
		put_udp(p, i, 1000);
		f->len = l3 + IP6_HLEN + UDP_HLEN + 8;
		return;
	case 2:
		/* payload length 0, a whole UDP datagram behind it */
		put_ip6(ip6, 0, PROTO_UDP);
		put_udp(p, i, UDP_HLEN + 8);
		f->len = l3 + IP6_HLEN + UDP_HLEN + 8;
		return;
	case 3:
		/* hop-by-hop options claiming (255 + 1) * 8 bytes */
		put_ip6(ip6, 16, PROTO_HOPOPTS);
		p[0] = PROTO_UDP;
		p[1] = 255;
		f->len = l3 + IP6_HLEN + 16;
		return;
	case 4:
		/* nine destination options headers, then UDP */
		put_ip6(ip6, 9 * 8 + UDP_HLEN, PROTO_DSTOPTS);
		for (n = 0; n < 9; n++) {
			p[n * 8] = n < 8 ? PROTO_DSTOPTS : PROTO_UDP;
			p[n * 8 + 1] = 0;
			p[n * 8 + 2] = 1;	/* PadN covering the rest */
			p[n * 8 + 3] = 4;
		}
		put_udp(p + 9 * 8, i, UDP_HLEN);
		f->len = l3 + IP6_HLEN + 9 * 8 + UDP_HLEN;
		return;
	case 5:
		/* fragment header with M set, UDP behind it */
		put_ip6(ip6, 8 + UDP_HLEN + 8, PROTO_FRAGMENT);
		p[0] = PROTO_UDP;
		put16(p + 2, 1);
		put32(p + 4, 0xdead0000u + i);
		put_udp(p + 8, i, UDP_HLEN + 8);
		f->len = l3 + IP6_HLEN + 8 + UDP_HLEN + 8;
		return;
	case 6:
		/* fragment header cut after 4 bytes */
		put_ip6(ip6, 8, PROTO_FRAGMENT);
		p[0] = PROTO_UDP;
		f->len = l3 + IP6_HLEN + 4;
		return;
	case 7:
		/* TCP data offset 15 words, 20 bytes of header sent */
		put_ip6(ip6, TCP_HLEN, PROTO_TCP);
		put_tcp(p, i, 15);
		f->len = l3 + IP6_HLEN + TCP_HLEN;
		return;
	case 8:
		/* UDP header cut to 4 bytes */
		put_ip6(ip6, 4, PROTO_UDP);
		put_udp(p, i, UDP_HLEN);
		f->len = l3 + IP6_HLEN + 4;
		return;
	default:
		/* routing header claiming 16 bytes, 8 present */
		put_ip6(ip6, 8, PROTO_ROUTING);
		p[0] = PROTO_UDP;
		p[1] = 1;
		f->len = l3 + IP6_HLEN + 8;
		return;
	}
}

static void build_max(struct ctx *c, unsigned int i, struct frame *f)
{
	/* An echo request of exactly the MTU. */
	f->len = echo_frame(c, f->b, c->mtu - IP_HLEN - ICMP_HLEN, i);
}

static void build_max_vlan(struct ctx *c, unsigned int i, struct frame *f)
{
	static const uint16_t q[] = { ETHERTYPE_8021Q };
	unsigned int l3 = put_eth(c, f->b, ETHERTYPE_IPV4, q, 1);

	/* MTU-sized datagram plus a tag: the longest frame sockets allow */
	f->len = put_echo(c, f->b, l3, NULL, 0, c->mtu - IP_HLEN - ICMP_HLEN,
			  i);
}

static void build_oversize(struct ctx *c, unsigned int i, struct frame *f)
{
	static const uint16_t q[] = { ETHERTYPE_8021Q };
	unsigned int v = i % 5, l3;

	if (v < 4) {
		/* untagged, 1..4 bytes over the MTU */
		f->len = echo_frame(c, f->b, c->mtu - IP_HLEN - ICMP_HLEN +
				    v + 1, i);
		return;
	}
	/* tagged, one byte over what a tag may add */
	l3 = put_eth(c, f->b, ETHERTYPE_IPV4, q, 1);
	f->len = put_echo(c, f->b, l3, NULL, 0,
			  c->mtu - IP_HLEN - ICMP_HLEN + 1, i);
}

static void build_random(struct ctx *c, unsigned int i, struct frame *f)
{
	static const uint16_t types[] = {
		ETHERTYPE_IPV4, ETHERTYPE_ARP, ETHERTYPE_IPV6, ETHERTYPE_8021Q,
	};
	unsigned int n, r = rnd(c) % (ARRAY_SIZE(types) + 1);

	(void)i;
	/* Our MACs, a likely ethertype, then noise; never over the MTU. */
	put_eth(c, f->b, r < ARRAY_SIZE(types) ? types[r] : (uint16_t)rnd(c),
		NULL, 0);
	f->len = ETH_HLEN + rnd(c) % (c->mtu + 1);
	for (n = ETH_HLEN; n < f->len; n++)
		f->b[n] = (uint8_t)rnd(c);
}

static void build_csum_icmp(struct ctx *c, unsigned int i, struct frame *f)
{
	static const unsigned int plens[] = { 0, 1, 57, 33, 100 };
	unsigned int v = i % 6, l3, olen = 0, plen, hlen;
	uint8_t opt[40], *icmp;

	/*
	 * Echo requests whose ICMP checksum the device must insert: the
	 * field is zero (ICMP has no pseudo header) and NEEDS_CSUM covers
	 * the ICMP message.
	 */
	l3 = put_eth(c, f->b, ETHERTYPE_IPV4, NULL, 0);
	if (v == 3)
		olen = ip_options_valid(0, opt);
	else if (v == 4)
		olen = ip_options_valid(2, opt);
	plen = v == 5 ? c->mtu - IP_HLEN - ICMP_HLEN : plens[v];
	f->len = put_echo(c, f->b, l3, opt, olen, plen, i);
	hlen = IP_HLEN + olen;
	icmp = f->b + l3 + hlen;
	put16(icmp + 2, 0);
	f->needs_csum = true;
	f->csum_start = (uint16_t)(l3 + hlen);
	f->csum_off = 2;
}

/*
 * The datasheet's checksum insertion, done here on a copy: store the
 * ones-complement sum of bytes @start..@len-1 (summed from @start as if
 * it were even) at @start + @off, 0 becoming 0xffff.
 */
static void emulate_csum_insert(uint8_t *p, unsigned int len,
				unsigned int start, unsigned int off)
{
	uint16_t ck = csum_field(csum_add(0, p + start, len - start));

	put16(p + start + off, ck ? ck : 0xffff);
}

static void build_csum_udp(struct ctx *c, unsigned int i, struct frame *f)
{
	static const unsigned int plens[] = { 20, 33, 64, 255, 1000, 21 };
	unsigned int v = i % 6, l3, l4, plen, ulen, start, off;
	uint8_t *ip, *uh, *copy = c->scratch;
	uint16_t ck;

	l3 = put_eth(c, f->b, ETHERTYPE_IPV4, NULL, 0);
	l4 = l3 + IP_HLEN;
	plen = plens[v];
	ulen = UDP_HLEN + plen;
	f->len = l4 + ulen;
	ip = f->b + l3;
	uh = f->b + l4;
	put_ip4(c, ip, 5, IP_HLEN + ulen, 0, PROTO_UDP);
	ip4_csum(ip, IP_HLEN);
	put_udp(uh, i, ulen);
	fill_pattern(uh + UDP_HLEN, plen, i);

	switch (v) {
	case 0:
		start = l4;			/* the UDP checksum field */
		off = 6;
		break;
	case 1:
		start = l4 + UDP_HLEN + 1;	/* odd start, odd field */
		off = 0;
		break;
	case 2:
		start = l4 + UDP_HLEN + 1;	/* odd start, even field */
		off = 1;
		break;
	case 3:
		start = l4 + UDP_HLEN + 2;	/* even start, odd field */
		off = 3;
		break;
	case 4:
		start = l4 + UDP_HLEN + 3;	/* far field */
		off = 200;
		break;
	default:
		start = f->len - 2;		/* the frame's last two bytes */
		off = 0;
		break;
	}

	if (start == l4) {
		/* CHECKSUM_PARTIAL: the field holds the pseudo-header sum */
		put16(uh + 6, csum_fold(pseudo4(ip, PROTO_UDP, ulen)));
	} else {
		/*
		 * The device writes into the payload, after the UDP header.
		 * Give the datagram the UDP checksum it has once the device
		 * has done exactly what the datasheet says: a wrong
		 * insertion (or a wrong receive sum) then shows as a UDP
		 * checksum error at the receiver.
		 */
		memcpy(copy, f->b, f->len);
		emulate_csum_insert(copy, f->len, start, off);
		ck = csum_field(csum_add(pseudo4(ip, PROTO_UDP, ulen),
					 copy + l4, ulen));
		put16(uh + 6, ck ? ck : 0xffff);	/* 0: "no checksum" */
	}
	f->needs_csum = true;
	f->csum_start = (uint16_t)start;
	f->csum_off = (uint16_t)off;
}

static void build_csum_eth(struct ctx *c, unsigned int i, struct frame *f)
{
	static const uint16_t starts[] = { 0, 1, 4, 20, 21, 0, 15 };
	static const uint16_t offs[] = { 0, 2, 0, 0, 0, 0, 200 };
	unsigned int v = i % ARRAY_SIZE(starts);

	/*
	 * An unknown ethertype asking for a checksum over the Ethernet
	 * header (into the destination MAC), at an odd position, into the
	 * frame's last two bytes (v 5) and far from its start. Kernels
	 * from 6.12 refuse a checksum start before byte 20.
	 */
	put_eth(c, f->b, ETHERTYPE_LOCAL, NULL, 0);
	f->len = ETH_HLEN + 46 + 2 * v + 200 * (v == 6);
	fill_pattern(f->b + ETH_HLEN, f->len - ETH_HLEN, i);
	f->needs_csum = true;
	f->csum_start = v == 5 ? (uint16_t)(f->len - 2) : starts[v];
	f->csum_off = offs[v];
}

static const struct inject_class classes[] = {
	{ "runt", "refused (EINVAL)",
	  "1..13 bytes, shorter than an Ethernet header", build_runt },
	{ "ip_short", "drop_ip_malformed",
	  "IPv4 ethertype, 14..33 bytes: header cut short", build_ip_short },
	{ "arp_short", "drop_arp_*, arp_reply",
	  "ARP ethertype, 14..41 bytes: body cut short", build_arp_short },
	{ "arp_lying", "drop_arp_malformed",
	  "ARP with lying hlen/plen (0, 5, 7, 16, 255) or htype/ptype",
	  build_arp_lying },
	{ "arp_op", "drop_arp_not_request",
	  "ARP opcodes 0, 2, 3, 4, 0xffff", build_arp_op },
	{ "arp_probe", "drop_arp_probe",
	  "ARP probe, announcement, target 0/multicast/broadcast",
	  build_arp_probe },
	{ "bad_src_mac", "drop_bad_src_mac",
	  "echo requests from a zero/broadcast/multicast source MAC",
	  build_bad_src_mac },
	{ "ip_version", "drop_ip_malformed",
	  "IPv4 ethertype, version 0, 1, 6, 15", build_ip_version },
	{ "ihl_short", "drop_ip_malformed", "IHL 0..4", build_ihl_short },
	{ "ihl_long", "drop_ip_malformed",
	  "IHL 12..15 past a 60-byte frame, or past tot_len",
	  build_ihl_long },
	{ "totlen_long", "drop_ip_malformed",
	  "tot_len larger than the frame (up to 65535)", build_totlen_long },
	{ "totlen_short", "drop_ip_malformed",
	  "tot_len smaller than IHL * 4", build_totlen_short },
	{ "pad", "icmp_reply",
	  "echo in < 60 bytes, tot_len counting the MAC's padding",
	  build_pad },
	{ "ip_csum", "drop_ip_csum",
	  "echo requests with a wrong IPv4 header checksum", build_ip_csum },
	{ "frag", "drop_ip_fragment",
	  "echo requests with MF and/or a fragment offset", build_frag },
	{ "ip_not_unicast", "drop_ip_not_unicast",
	  "echo to/from 0, multicast, broadcast; unicast in L2 multicast",
	  build_ip_not_unicast },
	{ "ipopt", "icmp_reply",
	  "valid echo requests with NOP, EOL, RR (IHL 15), TS options",
	  build_ipopt },
	{ "ipopt_bad", "icmp_reply",
	  "echo requests with lying option lengths/pointers",
	  build_ipopt_bad },
	{ "icmp_short", "drop_icmp_malformed",
	  "tot_len leaves 0..7 ICMP bytes, non-zero padding follows",
	  build_icmp_short },
	{ "icmp_csum", "drop_icmp_csum",
	  "echo requests with a wrong ICMP checksum", build_icmp_csum },
	{ "icmp_type", "drop_icmp_not_echo",
	  "ICMP echo reply, information and address mask requests",
	  build_icmp_type },
	{ "l4_lying", "drop_not_icmp",
	  "TCP/UDP cut short, lying data offset/length, bad checksums",
	  build_l4_lying },
	{ "vlan", "drop_ethertype",
	  "802.1Q/QinQ echo, IPv6, ARP; tags and headers cut short",
	  build_vlan },
	{ "ipv6", "drop_ethertype",
	  "IPv6 cut short, lying payload/extension lengths, 9 ext headers",
	  build_ipv6 },
	{ "max", "icmp_reply", "echo requests of exactly the MTU", build_max },
	{ "max_vlan", "drop_ethertype",
	  "802.1Q-tagged MTU-sized echo: MTU + 18 bytes", build_max_vlan },
	{ "oversize", "refused (EMSGSIZE)",
	  "frames longer than the MTU (and a tag) allow", build_oversize },
	{ "random", "any drop, no reply",
	  "our MACs, a random (mostly IP/ARP/VLAN) ethertype, random bytes",
	  build_random },
	{ "csum_icmp", "icmp_reply",
	  "echo requests whose ICMP checksum the device inserts",
	  build_csum_icmp },
	{ "csum_udp", "drop_not_icmp",
	  "UDP, checksum inserted at odd/even/far/last positions",
	  build_csum_udp },
	{ "csum_eth", "drop_ethertype",
	  "checksum into the Ethernet header (6.12 refuses), last bytes",
	  build_csum_eth },
};

static void __noreturn usage_exit(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: vnet_inject -i IFNAME -s SRC_IP -d DST_IP [-m DST_MAC]\n"
		"                   [-c CLASS[,CLASS...]] [-n COUNT] [-S SEED]\n"
		"       vnet_inject -l\n"
		"  -i IFNAME  send on this interface (AF_PACKET, SOCK_RAW)\n"
		"  -s, -d     IPv4 source and destination of IP frames\n"
		"  -m DST_MAC destination MAC (default 02:00:<DST_IP>, the\n"
		"             vnet reflector's MAC for DST_IP)\n"
		"  -c CLASSES comma-separated class names, or all (default)\n"
		"  -n COUNT   frames per class, 1..%d (default %d); variants\n"
		"             of a class cycle with the frame number\n"
		"  -S SEED    seed of the random class (default %d)\n"
		"  -l         list the classes and the vnet reflector's\n"
		"             verdict for each, then exit\n"
		"Prints \"class=NAME sent=N refused=R failed=F\" per class;\n"
		"refused: the kernel rejected the frame (EINVAL, EMSGSIZE).\n"
		"Exit 0 if no frame failed (refusals do not count), 1 if\n"
		"one did, 2 on usage or setup errors.\n",
		MAX_COUNT, DEF_COUNT, DEF_SEED);
	exit(status);
}

static void list_classes(void)
{
	size_t k;

	for (k = 0; k < ARRAY_SIZE(classes); k++)
		printf("%-15s %-22s %s\n", classes[k].name, classes[k].verdict,
		       classes[k].help);
}

static const struct inject_class *find_class(const char *name, size_t len)
{
	size_t k;

	for (k = 0; k < ARRAY_SIZE(classes); k++)
		if (strlen(classes[k].name) == len &&
		    !strncmp(classes[k].name, name, len))
			return &classes[k];
	return NULL;
}

static void parse_ip(const char *s, uint8_t *ip)
{
	if (inet_pton(AF_INET, s, ip) != 1)
		die("invalid IPv4 address '%s'", s);
}

/* Split @list at commas into @sel; returns how many classes were named. */
static size_t parse_classes(const char *list,
			    const struct inject_class **sel, size_t max)
{
	const char *p = list, *end;
	size_t n = 0, k;

	if (!strcmp(list, "all")) {
		for (k = 0; k < ARRAY_SIZE(classes); k++)
			sel[k] = &classes[k];
		return ARRAY_SIZE(classes);
	}
	for (;;) {
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		if (n == max)
			die("too many classes in '%s'", list);
		sel[n] = find_class(p, (size_t)(end - p));
		if (!sel[n])
			die("unknown class '%.*s' (-l lists them)",
			    (int)(end - p), p);
		n++;
		if (!*end)
			return n;
		p = end + 1;
	}
}

static void setup_interface(struct ctx *c)
{
	int mtu = if_lookup(c->ifname, &c->ifindex, c->src_mac);

	/* Room for the options and headers the classes put in front. */
	if (mtu < 256 || mtu > BUF_LEN - 128)
		die("MTU %d of %s out of range 256..%d", mtu, c->ifname,
		    BUF_LEN - 128);
	c->mtu = (unsigned int)mtu;
}

/*
 * A socket bound to the interface with protocol 0: it sends only, no
 * receive hook is registered. Blocking, so a full socket buffer waits for
 * TX completions instead of failing.
 */
static int open_packet(const struct ctx *c, bool vnet_hdr)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = 0,
		.sll_ifindex = c->ifindex,
	};
	int fd, one = 1;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket(AF_PACKET): %s", strerror(errno));
	if (vnet_hdr && setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one,
				   sizeof(one)) < 0)
		die("PACKET_VNET_HDR: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		die("bind AF_PACKET to %s: %s", c->ifname, strerror(errno));
	return fd;
}

static uint16_t cpu_to_le16(uint16_t v)
{
	const uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	uint16_t le;

	memcpy(&le, b, sizeof(le));
	return le;
}

/* Send one frame; 0 or the errno send() failed with. */
static int send_frame(struct ctx *c, const struct frame *f)
{
	struct virtio_net_hdr vh;
	struct iovec iov[2];
	struct msghdr msg;
	ssize_t n;

	if (!f->needs_csum) {
		n = send(c->fd, f->b, f->len, 0);
		return n < 0 ? errno : 0;
	}

	if (c->vh_fd < 0)
		c->vh_fd = open_packet(c, true);
	/* Legacy virtio header: little-endian fields on every host. */
	memset(&vh, 0, sizeof(vh));
	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	vh.csum_start = cpu_to_le16(f->csum_start);
	vh.csum_offset = cpu_to_le16(f->csum_off);
	iov[0].iov_base = &vh;
	iov[0].iov_len = sizeof(vh);
	iov[1].iov_base = f->b;
	iov[1].iov_len = f->len;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = 2;
	n = sendmsg(c->vh_fd, &msg, 0);
	return n < 0 ? errno : 0;
}

/* Send @c->count frames of @cl; returns the number that failed. */
static unsigned int run_class(struct ctx *c, const struct inject_class *cl)
{
	unsigned int i, sent = 0, refused = 0, failed = 0;
	int refused_err = 0, err;
	struct frame f;

	/* Every class starts from the seed: runs can be compared. */
	c->rng = c->seed ? c->seed : DEF_SEED;
	for (i = 0; i < c->count; i++) {
		memset(&f, 0, sizeof(f));
		f.b = c->buf;
		memset(f.b, 0, BUF_LEN);
		cl->build(c, i, &f);

		err = send_frame(c, &f);
		if (!err) {
			sent++;
		} else if (err == EINVAL || err == EMSGSIZE) {
			refused++;
			refused_err = err;
		} else {
			if (!failed)
				fprintf(stderr,
					"vnet_inject: %s frame %u (%u bytes): %s\n",
					cl->name, i, f.len, strerror(err));
			failed++;
		}
	}

	printf("class=%s sent=%u refused=%u failed=%u", cl->name, sent,
	       refused, failed);
	if (refused)
		printf(" refused_errno=%s",
		       refused_err == EINVAL ? "EINVAL" : "EMSGSIZE");
	putchar('\n');
	fflush(stdout);
	return failed;
}

int main(int argc, char **argv)
{
	const struct inject_class *sel[ARRAY_SIZE(classes) * 4];
	bool have_src = false, have_dst = false, have_mac = false;
	const char *list = "all";
	unsigned int failed = 0;
	struct ctx c;
	size_t n, k;
	int opt;

	memset(&c, 0, sizeof(c));
	c.count = DEF_COUNT;
	c.seed = DEF_SEED;
	c.fd = -1;
	c.vh_fd = -1;

	while ((opt = getopt(argc, argv, "i:s:d:m:c:n:S:lh")) != -1) {
		switch (opt) {
		case 'i':
			if (!*optarg || strlen(optarg) >= IFNAMSIZ)
				die("invalid interface name '%s'", optarg);
			c.ifname = optarg;
			break;
		case 's':
			parse_ip(optarg, c.src_ip);
			have_src = true;
			break;
		case 'd':
			parse_ip(optarg, c.dst_ip);
			have_dst = true;
			break;
		case 'm':
			parse_mac(optarg, c.dst_mac);
			have_mac = true;
			break;
		case 'c':
			list = optarg;
			break;
		case 'n':
			c.count = parse_ulong(optarg, "count", 1, MAX_COUNT);
			break;
		case 'S':
			c.seed = parse_ulong(optarg, "seed", 0, UINT32_MAX);
			break;
		case 'l':
			list_classes();
			return EXIT_PASS;
		case 'h':
			usage_exit(EXIT_PASS);
		default:
			usage_exit(EXIT_SETUP);
		}
	}
	if (optind != argc || !c.ifname || !have_src || !have_dst)
		usage_exit(EXIT_SETUP);
	if (!have_mac) {
		/* The reflector answers for every address as 02:00:<ip>. */
		c.dst_mac[0] = 0x02;
		c.dst_mac[1] = 0x00;
		memcpy(c.dst_mac + 2, c.dst_ip, 4);
	}

	n = parse_classes(list, sel, ARRAY_SIZE(sel));
	c.buf = malloc(BUF_LEN);
	c.scratch = malloc(BUF_LEN);
	if (!c.buf || !c.scratch)
		die("out of memory");

	setup_interface(&c);
	c.fd = open_packet(&c, false);

	for (k = 0; k < n; k++)
		failed += run_class(&c, sel[k]);

	close(c.fd);
	if (c.vh_fd >= 0)
		close(c.vh_fd);
	free(c.buf);
	free(c.scratch);
	return failed ? EXIT_FAIL : EXIT_PASS;
}
