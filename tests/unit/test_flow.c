// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the emulated device's parser and RSS hash
 * (drv/vnet_flow.c).
 *
 * The hash is checked against the Microsoft RSS verification suite and
 * against a bit-at-a-time reference written differently from the code
 * under test. Every parse goes through parse(), which hands
 * vnet_flow_parse() a heap copy of exactly the bytes under test (so ASan
 * reports any read past them), pre-fills the result with garbage, and
 * checks invariants that must hold for any input, valid or not.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vnet_flow.h"
#include "frame.h"
#include "unit.h"

#define GARBAGE		0xa5

#define ETH_IP		0x0800
#define ETH_ARP		0x0806
#define ETH_IPV6	0x86dd
#define ETH_8021Q	0x8100
#define ETH_8021AD	0x88a8

#define SPORT		0xc001
#define DPORT		0x0050

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const uint8_t ms_key[VNET_RSS_KEY_LEN] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/*
 * "Verifying the RSS Hash Calculation" (Microsoft WDK docs), in the
 * table's column order: destination first. The hash input is source
 * address, destination address, source port, destination port.
 */
struct ms_vec {
	const char *dst;
	uint16_t dport;
	const char *src;
	uint16_t sport;
	uint32_t l3;	/* addresses only */
	uint32_t l4;	/* with TCP ports */
};

static const struct ms_vec ms_ipv4[] = {
	{ "161.142.100.80", 1766, "66.9.149.187", 2794,
	  0x323e8fc2, 0x51ccc178 },
	{ "65.69.140.83", 4739, "199.92.111.2", 14230,
	  0xd718262a, 0xc626b0ea },
	{ "12.22.207.184", 38024, "24.19.198.95", 12898,
	  0xd2d0a5de, 0x5c2b394a },
	{ "209.142.163.6", 2217, "38.27.205.30", 48228,
	  0x82989176, 0xafc7327f },
	{ "202.188.127.2", 1303, "153.39.163.191", 44251,
	  0x5d1809c5, 0x10e828a2 },
};

static const struct ms_vec ms_ipv6[] = {
	{ "3ffe:2501:200:3::1", 1766, "3ffe:2501:200:1fff::7", 2794,
	  0x2cc18cd5, 0x40207d3d },
	{ "ff02::1", 4739, "3ffe:501:8::260:97ff:fe40:efab", 14230,
	  0x0f0c461c, 0xdde51bbf },
	{ "fe80::200:f8ff:fe21:67cf", 38024,
	  "3ffe:1900:4545:3:200:f8ff:fe21:67cf", 44251,
	  0x4b61e985, 0x02d1feef },
};

/* Every byte distinct, so an address copied from the wrong place shows. */
struct addrs {
	uint8_t s[16], d[16];
};

static const struct addrs def_addrs = {
	.s = { 0x20, 0x01, 0x0d, 0xb8, 0x11, 0x12, 0x13, 0x14,
	       0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c },
	.d = { 0x20, 0x02, 0x0d, 0xb9, 0x21, 0x22, 0x23, 0x24,
	       0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c },
};

/* ---- reference Toeplitz ------------------------------------------------ */

static uint32_t key_bit(const uint8_t *key, uint32_t bit)
{
	return (key[bit / 8] >> (7 - bit % 8)) & 1;
}

/* For each set input bit i, XOR in key bits i..i+31, gathered one by one. */
static uint32_t ref_toeplitz(const uint8_t *key, const uint8_t *in,
			     uint32_t len)
{
	uint32_t hash = 0, i, j, w;

	for (i = 0; i < len * 8; i++) {
		if (!((in[i / 8] >> (7 - i % 8)) & 1))
			continue;
		for (w = 0, j = 0; j < 32; j++)
			w = w << 1 | key_bit(key, i + j);
		hash ^= w;
	}
	return hash;
}

/* vnet_toeplitz() on heap copies of exactly the key and the input. */
static uint32_t toeplitz(const uint8_t *key, const uint8_t *in, uint32_t len)
{
	uint8_t *k = malloc(VNET_RSS_KEY_LEN), *b = malloc(len ? len : 1);
	uint32_t hash;

	if (!k || !b)
		abort();
	memcpy(k, key, VNET_RSS_KEY_LEN);
	if (len)
		memcpy(b, in, len);
	hash = vnet_toeplitz(k, b, len);
	free(b);
	free(k);
	return hash;
}

static uint32_t rng_state = 0x2545f491;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* ---- frame builder ----------------------------------------------------- */

static void fill(struct frame *f, size_t n, uint8_t v)
{
	while (n--)
		put8(f, v);
}

static void eth(struct frame *f, uint16_t type)
{
	static const uint8_t macs[12] = {
		0x02, 0x00, 0x0a, 0x00, 0x00, 0x02,
		0x52, 0x54, 0x00, 0x12, 0x34, 0x56,
	};

	put_eth(f, macs, macs + 6, type);
}

/* Push a tag in front of the current ethertype: call inner tag first. */
static void tag(struct frame *f, uint16_t tpid, uint16_t tci)
{
	memmove(f->b + 16, f->b + 12, f->len - 12);
	wr16(f->b + 12, tpid);
	wr16(f->b + 14, tci);
	f->len += 4;
}

/* IPv4 header with @ihl words (NOP options); returns its offset. */
static uint32_t ipv4(struct frame *f, const struct addrs *a, uint8_t proto,
		     uint32_t ihl, uint16_t frag)
{
	uint32_t off = f->len;

	put8(f, (uint8_t)(0x40 | ihl));
	put8(f, 0);
	put16(f, 0);		/* tot_len, set by ip_done() */
	put16(f, 0x1234);
	put16(f, frag);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	putn(f, a->s, 4);
	putn(f, a->d, 4);
	fill(f, ihl > 5 ? (ihl - 5) * 4 : 0, 0x01);
	return off;
}

static uint32_t ipv6(struct frame *f, const struct addrs *a, uint8_t nexthdr)
{
	uint32_t off = f->len;

	put16(f, 0x6000);
	put16(f, 0x0001);
	put16(f, 0);		/* payload length, set by ip_done() */
	put8(f, nexthdr);
	put8(f, 64);
	putn(f, a->s, 16);
	putn(f, a->d, 16);
	return off;
}

/* Set the IP length fields to cover everything built after @off. */
static void ip_done(struct frame *f, uint32_t off)
{
	if ((f->b[off] >> 4) == 4)
		wr16(f->b + off + 2, (uint16_t)(f->len - off));
	else
		wr16(f->b + off + 4, (uint16_t)(f->len - off - 40));
}

/* Hop-by-hop, routing or destination options: (@units + 1) * 8 bytes. */
static void ext6(struct frame *f, uint8_t nexthdr, uint8_t units)
{
	put8(f, nexthdr);
	put8(f, units);
	fill(f, (units + 1u) * 8 - 2, 0x00);
}

static void frag6(struct frame *f, uint8_t nexthdr, uint16_t offset, int m)
{
	put8(f, nexthdr);
	put8(f, 0);
	put16(f, (uint16_t)(offset << 3 | (m ? 1 : 0)));
	put16(f, 0xdead);
	put16(f, 0xbeef);
}

/* @doff below 5 still writes the 20 fixed bytes. */
static void tcp(struct frame *f, uint16_t sport, uint16_t dport,
		uint8_t doff)
{
	put16(f, sport);
	put16(f, dport);
	put16(f, 0x0102);
	put16(f, 0x0304);
	put16(f, 0x0506);
	put16(f, 0x0708);
	put8(f, (uint8_t)(doff << 4));
	put8(f, 0x18);
	put16(f, 0xffff);
	put16(f, 0);
	put16(f, 0);
	fill(f, doff > 5 ? (doff - 5u) * 4 : 0, 0x01);
}

static void udp(struct frame *f, uint16_t sport, uint16_t dport,
		uint32_t payload)
{
	put16(f, sport);
	put16(f, dport);
	put16(f, (uint16_t)(8 + payload));
	put16(f, 0);
	fill(f, payload, 0x77);
}

/* ---- calling the code under test --------------------------------------- */

static bool is_ipv6_ext(uint8_t p)
{
	return p == IPPROTO_HOPOPTS || p == IPPROTO_ROUTING ||
	       p == IPPROTO_FRAGMENT || p == IPPROTO_DSTOPTS;
}

static int all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++)
			return 0;
	return 1;
}

/* What must hold whatever the frame was; @b is exactly @len bytes. */
static void check_invariants(const uint8_t *b, uint32_t len, bool ok,
			     const struct vnet_flow *fl, const char *what)
{
	uint32_t l3 = fl->l3_off, l4 = fl->l4_off, alen, ip_end;
	enum vnet_hash_type type = (enum vnet_hash_type)-1;
	uint32_t hash, hash2;

	hash = vnet_flow_hash(fl, ms_key, VNET_FLOW_H_ALL, 0, &type);
	hash2 = vnet_flow_hash(fl, ms_key, VNET_FLOW_H_ALL, 0, NULL);
	CHECK(hash == hash2, "%s: hash depends on type pointer", what);

	if (!ok) {
		CHECK(all_zero(fl, sizeof(*fl)), "%s: not IP, fl not zero",
		      what);
		CHECK(type == VNET_HASH_NONE && !hash,
		      "%s: not IP, hash %#x type %d", what, hash, type);
		return;
	}

	CHECK(l3 == 14 || (l3 == 18 && len >= 18 &&
			   (rd16(b + 12) == ETH_8021Q ||
			    rd16(b + 12) == ETH_8021AD)),
	      "%s: l3_off %u", what, l3);
	CHECK(type == (l4 ? VNET_HASH_L4 : VNET_HASH_L3),
	      "%s: hash type %d with l4_off %u", what, type, l4);

	if (fl->ip_ver == 4) {
		alen = 4;
		if (len < l3 + 20 || len < l3 + (b[l3] & 0xfu) * 4) {
			CHECK(0, "%s: IPv4 header past the frame", what);
			return;
		}
		CHECK(b[l3] >> 4 == 4, "%s: version", what);
		CHECK(rd16(b + l3 - 2) == ETH_IP, "%s: ethertype", what);
		CHECK(!memcmp(fl->saddr, b + l3 + 12, 4) &&
		      !memcmp(fl->daddr, b + l3 + 16, 4),
		      "%s: IPv4 addresses", what);
		CHECK(fl->l4_proto == b[l3 + 9], "%s: protocol", what);
		CHECK(fl->frag == !!(rd16(b + l3 + 6) & 0x3fff),
		      "%s: frag %d", what, fl->frag);
		ip_end = l3 + rd16(b + l3 + 2);
		CHECK(!l4 || l4 == l3 + (b[l3] & 0xfu) * 4,
		      "%s: l4_off %u", what, l4);
	} else if (fl->ip_ver == 6) {
		alen = 16;
		if (len < l3 + 40) {
			CHECK(0, "%s: IPv6 header past the frame", what);
			return;
		}
		CHECK(b[l3] >> 4 == 6, "%s: version", what);
		CHECK(rd16(b + l3 - 2) == ETH_IPV6, "%s: ethertype", what);
		CHECK(!memcmp(fl->saddr, b + l3 + 8, 16) &&
		      !memcmp(fl->daddr, b + l3 + 24, 16),
		      "%s: IPv6 addresses", what);
		ip_end = l3 + 40 + rd16(b + l3 + 4);
		/* Extension headers come in multiples of 8 bytes. */
		CHECK(!l4 || (l4 >= l3 + 40 && (l4 - l3 - 40) % 8 == 0),
		      "%s: l4_off %u", what, l4);
		CHECK(!l4 || !is_ipv6_ext(fl->l4_proto),
		      "%s: L4 after extension header %u", what, fl->l4_proto);
	} else {
		CHECK(0, "%s: ip_ver %u", what, fl->ip_ver);
		return;
	}
	CHECK(fl->ip_ver == 6 ?
	      (fl->flow_label[0] == 0 && fl->flow_label[1] == (b[l3 + 1] & 0xf) &&
	       fl->flow_label[2] == b[l3 + 2] && fl->flow_label[3] == b[l3 + 3]) :
	      all_zero(fl->flow_label, 4), "%s: flow label", what);
	CHECK(fl->ip_end == ip_end, "%s: ip_end %u, header says %u", what,
	      fl->ip_end, ip_end);
	CHECK(fl->addr_len == alen, "%s: addr_len %u", what, fl->addr_len);
	CHECK(all_zero(fl->saddr + alen, 16 - alen) &&
	      all_zero(fl->daddr + alen, 16 - alen),
	      "%s: bytes past the address", what);

	if (!l4) {
		CHECK(!fl->l4_hlen && all_zero(fl->ports, 4),
		      "%s: no L4 but hlen %u or ports", what, fl->l4_hlen);
		return;
	}
	CHECK(!fl->frag, "%s: L4 header of a fragment", what);
	if (l4 + fl->l4_hlen > len || l4 + fl->l4_hlen > ip_end ||
	    fl->l4_hlen < 8) {
		CHECK(0, "%s: L4 header %u+%u past frame %u or IP end %u",
		      what, l4, fl->l4_hlen, len, ip_end);
		return;
	}
	CHECK(!memcmp(fl->ports, b + l4, 4), "%s: ports", what);
	if (fl->l4_proto == IPPROTO_TCP)
		CHECK(fl->l4_hlen >= 20 &&
		      fl->l4_hlen == (b[l4 + 12] >> 4) * 4,
		      "%s: TCP hlen %u", what, fl->l4_hlen);
	else
		CHECK(fl->l4_proto == IPPROTO_UDP && fl->l4_hlen == 8,
		      "%s: L4 proto %u hlen %u", what, fl->l4_proto,
		      fl->l4_hlen);
}

/* vnet_flow_parse() on a heap copy of exactly the first @len bytes. */
static bool parse(const uint8_t *frame, uint32_t len, struct vnet_flow *fl,
		  const char *what)
{
	uint8_t *buf = malloc(len ? len : 1);
	bool ok;

	if (!buf)
		abort();
	if (len)
		memcpy(buf, frame, len);
	memset(fl, GARBAGE, sizeof(*fl));
	ok = vnet_flow_parse(buf, len, fl);
	check_invariants(buf, len, ok, fl, what);
	free(buf);
	return ok;
}

struct want {
	bool ok;
	uint8_t ip_ver, l4_proto;
	uint16_t l3_off, l4_off, l4_hlen;
	bool frag;
	uint16_t sport, dport;
};

static const struct want not_ip;

static struct want want_l4(uint8_t ver, uint16_t l3, uint8_t proto,
			   uint16_t l4, uint16_t hlen)
{
	return (struct want){
		.ok = true, .ip_ver = ver, .l4_proto = proto, .l3_off = l3,
		.l4_off = l4, .l4_hlen = hlen, .sport = SPORT, .dport = DPORT,
	};
}

static struct want want_l3(uint8_t ver, uint16_t l3, uint8_t proto,
			   bool frag)
{
	return (struct want){
		.ok = true, .ip_ver = ver, .l4_proto = proto, .l3_off = l3,
		.frag = frag,
	};
}

static void expect(const struct frame *f, struct want w, const char *what)
{
	struct vnet_flow fl;
	bool ok;

	ok = parse(f->b, f->len, &fl, what);
	CHECK(ok == w.ok, "%s: returned %d", what, ok);
	if (!w.ok || ok != w.ok)
		return;
	CHECK(fl.ip_ver == w.ip_ver, "%s: ip_ver %u, want %u", what,
	      fl.ip_ver, w.ip_ver);
	CHECK(fl.l3_off == w.l3_off, "%s: l3_off %u, want %u", what,
	      fl.l3_off, w.l3_off);
	CHECK(fl.l4_proto == w.l4_proto, "%s: l4_proto %u, want %u", what,
	      fl.l4_proto, w.l4_proto);
	CHECK(fl.frag == w.frag, "%s: frag %d, want %d", what, fl.frag,
	      w.frag);
	CHECK(fl.l4_off == w.l4_off, "%s: l4_off %u, want %u", what,
	      fl.l4_off, w.l4_off);
	CHECK(fl.l4_hlen == w.l4_hlen, "%s: l4_hlen %u, want %u", what,
	      fl.l4_hlen, w.l4_hlen);
	CHECK(rd16(fl.ports) == w.sport && rd16(fl.ports + 2) == w.dport,
	      "%s: ports %u %u, want %u %u", what, rd16(fl.ports),
	      rd16(fl.ports + 2), w.sport, w.dport);
	if (fl.ip_ver == 4)
		CHECK(!memcmp(fl.saddr, def_addrs.s, 4) &&
		      !memcmp(fl.daddr, def_addrs.d, 4), "%s: addresses",
		      what);
	else
		CHECK(!memcmp(fl.saddr, def_addrs.s, 16) &&
		      !memcmp(fl.daddr, def_addrs.d, 16), "%s: addresses",
		      what);
}

/* ---- RSS hash ---------------------------------------------------------- */

static uint32_t ms_input(const struct ms_vec *v, int af, uint8_t *in,
			 int ports)
{
	uint32_t alen = af == AF_INET ? 4 : 16;

	if (inet_pton(af, v->src, in) != 1 ||
	    inet_pton(af, v->dst, in + alen) != 1)
		abort();
	if (!ports)
		return 2 * alen;
	wr16(in + 2 * alen, v->sport);
	wr16(in + 2 * alen + 2, v->dport);
	return 2 * alen + 4;
}

static void check_ms_table(const struct ms_vec *tbl, size_t n, int af)
{
	uint8_t in[36];
	uint32_t len, h;
	size_t i;

	for (i = 0; i < n; i++) {
		len = ms_input(&tbl[i], af, in, 0);
		h = toeplitz(ms_key, in, len);
		CHECK(h == tbl[i].l3, "%s: addresses %#010x, want %#010x",
		      tbl[i].src, h, tbl[i].l3);
		len = ms_input(&tbl[i], af, in, 1);
		h = toeplitz(ms_key, in, len);
		CHECK(h == tbl[i].l4, "%s: with ports %#010x, want %#010x",
		      tbl[i].src, h, tbl[i].l4);
	}
}

static void test_toeplitz_ms_ipv4(void)
{
	check_ms_table(ms_ipv4, ARRAY_SIZE(ms_ipv4), AF_INET);
}

static void test_toeplitz_ms_ipv6(void)
{
	check_ms_table(ms_ipv6, ARRAY_SIZE(ms_ipv6), AF_INET6);
}

/* Random keys and inputs of every length against the reference. */
static void test_toeplitz_reference(void)
{
	uint8_t key[VNET_RSS_KEY_LEN], in[VNET_RSS_KEY_LEN];
	uint32_t iter, len, i, h, r;

	for (iter = 0; iter < 2000; iter++) {
		for (i = 0; i < sizeof(key); i++)
			key[i] = (uint8_t)rng();
		for (i = 0; i < sizeof(in); i++)
			in[i] = (uint8_t)rng();
		for (len = 0; len <= VNET_RSS_KEY_LEN - 4; len++) {
			h = toeplitz(key, in, len);
			r = ref_toeplitz(key, in, len);
			CHECK(h == r, "len %u: %#x, reference %#x", len, h, r);
		}
		if (unit_fails)
			break;
	}

	/* The last input bit uses the key's last bit, and no more. */
	memset(in, 0, sizeof(in));
	in[35] = 0x01;
	CHECK(toeplitz(ms_key, in, 36) == ref_toeplitz(ms_key, in, 36),
	      "last input bit");
	/* Key bits 287..318: the low bit of 0x3b, 0xbeac01, 0xfa >> 1. */
	CHECK(toeplitz(ms_key, in, 36) == 0xdf5600fd,
	      "last input bit: %#x", toeplitz(ms_key, in, 36));

	/* The first input bit selects the first 32 key bits. */
	in[35] = 0;
	in[0] = 0x80;
	CHECK(toeplitz(ms_key, in, 1) == 0x6d5a56da, "first input bit");
	CHECK(toeplitz(ms_key, in, 0) == 0, "empty input");
}

/*
 * Input is cut after VNET_RSS_KEY_LEN bytes (the key used once more from
 * its start), never read past that.
 */
static void test_toeplitz_long_input(void)
{
	uint32_t len, h40;
	uint8_t in[64], *b;
	size_t i;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)rng();
	CHECK(vnet_toeplitz(ms_key, in, 36) == toeplitz(ms_key, in, 36),
	      "36 bytes");
	h40 = vnet_toeplitz(ms_key, in, 40);
	for (len = 41; len <= sizeof(in); len++)
		CHECK(vnet_toeplitz(ms_key, in, len) == h40, "len %u", len);

	/* Only 40 bytes are there: a huge length must not read more. */
	b = malloc(40);
	if (!b)
		abort();
	memcpy(b, in, 40);
	CHECK(vnet_toeplitz(ms_key, b, 0xffffffff) == h40, "huge len");
	free(b);
}

/* The suite's fields: the frames built here carry IPv6 flow labels. */
#define MS_FIELDS	(VNET_FLOW_H_ALL & ~VNET_FLOW_H_IP6_FL)

/* Parse real frames carrying the Microsoft flows and hash them. */
static void check_ms_frames(const struct ms_vec *v, int af)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	enum vnet_hash_type type;
	struct vnet_flow fl;
	struct addrs a = {};
	struct frame f;
	uint32_t h, ip;
	size_t i;

	if (inet_pton(af, v->src, a.s) != 1 ||
	    inet_pton(af, v->dst, a.d) != 1)
		abort();

	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		if (af == AF_INET) {
			eth(&f, ETH_IP);
			tag(&f, ETH_8021Q, 0x0064);
			ip = ipv4(&f, &a, protos[i], 7, 0x4000);
		} else {
			eth(&f, ETH_IPV6);
			ip = ipv6(&f, &a, IPPROTO_HOPOPTS);
			ext6(&f, IPPROTO_DSTOPTS, 1);
			ext6(&f, IPPROTO_FRAGMENT, 0);
			/* Atomic fragment: offset 0, no M flag. */
			frag6(&f, protos[i], 0, 0);
		}
		if (protos[i] == IPPROTO_TCP)
			tcp(&f, v->sport, v->dport, 8);
		else
			udp(&f, v->sport, v->dport, 12);
		ip_done(&f, ip);

		parse(f.b, f.len, &fl, v->src);
		h = vnet_flow_hash(&fl, ms_key, MS_FIELDS, 0, &type);
		CHECK(h == v->l4 && type == VNET_HASH_L4,
		      "%s proto %u: %#010x type %d, want %#010x", v->src,
		      protos[i], h, type, v->l4);

		/* A fragment hashes on the addresses only. */
		if (af == AF_INET)
			wr16(f.b + ip + 6, 0x2000);
		else
			wr16(f.b + ip + 40 + 16 + 8 + 2, 0x0001);
		parse(f.b, f.len, &fl, v->src);
		h = vnet_flow_hash(&fl, ms_key, MS_FIELDS, 0, &type);
		CHECK(h == v->l3 && type == VNET_HASH_L3,
		      "%s fragment: %#010x type %d, want %#010x", v->src, h,
		      type, v->l3);
	}

	/* As does a protocol without ports. */
	if (af == AF_INET) {
		eth(&f, ETH_IP);
		ip = ipv4(&f, &a, IPPROTO_ICMP, 5, 0);
	} else {
		eth(&f, ETH_IPV6);
		ip = ipv6(&f, &a, IPPROTO_ICMPV6);
	}
	fill(&f, 16, 0x08);
	ip_done(&f, ip);
	parse(f.b, f.len, &fl, v->src);
	h = vnet_flow_hash(&fl, ms_key, MS_FIELDS, 0, &type);
	CHECK(h == v->l3 && type == VNET_HASH_L3,
	      "%s ICMP: %#010x type %d, want %#010x", v->src, h, type, v->l3);
}

static void test_hash_ms_frames(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ms_ipv4); i++)
		check_ms_frames(&ms_ipv4[i], AF_INET);
	for (i = 0; i < ARRAY_SIZE(ms_ipv6); i++)
		check_ms_frames(&ms_ipv6[i], AF_INET6);
}

/*
 * The flow the parser leaves for an untagged frame carrying @v over @proto
 * (TCP or UDP) with no options or extension headers.
 */
static void ms_flow(struct vnet_flow *fl, const struct ms_vec *v, int af,
		    uint8_t proto)
{
	bool v4 = af == AF_INET;

	memset(fl, 0, sizeof(*fl));
	fl->ip_ver = v4 ? 4 : 6;
	fl->addr_len = v4 ? 4 : 16;
	fl->l3_off = 14;
	fl->l4_off = v4 ? 14 + 20 : 14 + 40;
	fl->l4_hlen = proto == IPPROTO_TCP ? 20 : 8;
	fl->l4_proto = proto;
	inet_pton(af, v->src, fl->saddr);
	inet_pton(af, v->dst, fl->daddr);
	wr16(fl->ports, v->sport);
	wr16(fl->ports + 2, v->dport);
}

/* Hash type rules on hand-made flows, without the parser. */
static void test_hash_types(void)
{
	static const uint8_t protos[] = {
		IPPROTO_ICMP, IPPROTO_GRE, IPPROTO_SCTP, IPPROTO_ICMPV6,
		IPPROTO_NONE,
	};
	const struct ms_vec *v4 = &ms_ipv4[0], *v6 = &ms_ipv6[0];
	enum vnet_hash_type type;
	struct vnet_flow fl = {};
	uint32_t h;
	size_t i;

	type = VNET_HASH_L4;
	CHECK(!vnet_flow_hash(&fl, ms_key, VNET_FLOW_H_ALL, 0, &type) && type == VNET_HASH_NONE,
	      "zeroed flow");
	fl.ip_ver = 5;
	type = VNET_HASH_L4;
	CHECK(!vnet_flow_hash(&fl, ms_key, VNET_FLOW_H_ALL, 0, &type) && type == VNET_HASH_NONE,
	      "ip_ver 5");
	CHECK(!vnet_flow_hash(&fl, ms_key, VNET_FLOW_H_ALL, 0, NULL), "NULL type");

	ms_flow(&fl, v4, AF_INET, IPPROTO_TCP);
	h = vnet_flow_hash(&fl, ms_key, VNET_FLOW_H_ALL, 0, &type);
	CHECK(h == v4->l4 && type == VNET_HASH_L4, "tcp %#x", h);
	fl.l4_proto = IPPROTO_UDP;
	h = vnet_flow_hash(&fl, ms_key, VNET_FLOW_H_ALL, 0, &type);
	CHECK(h == v4->l4 && type == VNET_HASH_L4, "udp %#x", h);
	fl.frag = true;
	h = vnet_flow_hash(&fl, ms_key, VNET_FLOW_H_ALL, 0, &type);
	CHECK(h == v4->l3 && type == VNET_HASH_L3, "frag %#x", h);
	fl.frag = false;
	fl.l4_off = 0;
	h = vnet_flow_hash(&fl, ms_key, VNET_FLOW_H_ALL, 0, &type);
	CHECK(h == v4->l3 && type == VNET_HASH_L3, "no l4_off %#x", h);
	fl.l4_off = 34;
	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		fl.l4_proto = protos[i];
		h = vnet_flow_hash(&fl, ms_key, VNET_FLOW_H_ALL, 0, &type);
		CHECK(h == v4->l3 && type == VNET_HASH_L3, "proto %u: %#x",
		      protos[i], h);
	}

	ms_flow(&fl, v6, AF_INET6, IPPROTO_UDP);
	h = vnet_flow_hash(&fl, ms_key, VNET_FLOW_H_ALL, 0, &type);
	CHECK(h == v6->l4 && type == VNET_HASH_L4, "v6 udp %#x", h);
	CHECK(vnet_flow_hash(&fl, ms_key, VNET_FLOW_H_ALL, 0, NULL) == v6->l4, "v6 NULL type");
	fl.frag = true;
	h = vnet_flow_hash(&fl, ms_key, VNET_FLOW_H_ALL, 0, &type);
	CHECK(h == v6->l3 && type == VNET_HASH_L3, "v6 frag %#x", h);
}

/* Field selection, symmetric input and the IPv6 flow label. */
static void test_hash_fields(void)
{
	const uint32_t addrs = VNET_FLOW_H_IP_SRC | VNET_FLOW_H_IP_DST;
	const struct ms_vec *v4 = &ms_ipv4[0], *v6 = &ms_ipv6[0];
	static const uint32_t xfrms[] = {
		VNET_FLOW_X_SYM_XOR, VNET_FLOW_X_SYM_OR_XOR,
	};
	struct vnet_flow fl, rev;
	enum vnet_hash_type type;
	uint8_t in[40] = {};
	uint32_t h, hr;
	size_t i;

	ms_flow(&fl, v4, AF_INET, IPPROTO_TCP);
	h = vnet_flow_hash(&fl, ms_key, addrs, 0, &type);
	CHECK(h == v4->l3 && type == VNET_HASH_L3, "addresses only %#x", h);
	type = VNET_HASH_L4;
	h = vnet_flow_hash(&fl, ms_key, 0, 0, &type);
	CHECK(!h && type == VNET_HASH_NONE, "no field: %#x type %d", h, type);
	h = vnet_flow_hash(&fl, ms_key, VNET_FLOW_H_IP_SRC, 0, &type);
	CHECK(h != v4->l3 && type == VNET_HASH_L3, "source only %#x", h);
	h = vnet_flow_hash(&fl, ms_key, addrs | VNET_FLOW_H_IP6_FL, 0, &type);
	CHECK(h == v4->l3, "flow label on IPv4 %#x", h);

	/* Reversed flows hash alike only with a symmetric transform. */
	rev = fl;
	memcpy(rev.saddr, fl.daddr, 4);
	memcpy(rev.daddr, fl.saddr, 4);
	memcpy(rev.ports, fl.ports + 2, 2);
	memcpy(rev.ports + 2, fl.ports, 2);
	CHECK(vnet_flow_hash(&fl, ms_key, VNET_FLOW_H_ALL, 0, NULL) !=
	      vnet_flow_hash(&rev, ms_key, VNET_FLOW_H_ALL, 0, NULL),
	      "reversed flow, no transform");
	for (i = 0; i < ARRAY_SIZE(xfrms); i++) {
		h = vnet_flow_hash(&fl, ms_key, VNET_FLOW_H_ALL, xfrms[i],
				   &type);
		hr = vnet_flow_hash(&rev, ms_key, VNET_FLOW_H_ALL, xfrms[i],
				    NULL);
		CHECK(h == hr && h != v4->l4 && type == VNET_HASH_L4,
		      "xfrm %#x: %#x vs reversed %#x", xfrms[i], h, hr);
	}

	/* IPv6: a flow label is hashed after the ports, the key wrapping. */
	ms_flow(&fl, v6, AF_INET6, IPPROTO_UDP);
	fl.flow_label[1] = 0x0a;
	fl.flow_label[3] = 0x5c;
	h = vnet_flow_hash(&fl, ms_key, VNET_FLOW_H_ALL & ~VNET_FLOW_H_IP6_FL,
			   0, &type);
	CHECK(h == v6->l4 && type == VNET_HASH_L4, "v6 without label %#x", h);
	h = vnet_flow_hash(&fl, ms_key, VNET_FLOW_H_ALL, 0, &type);
	CHECK(h != v6->l4 && type == VNET_HASH_L4, "v6 with label %#x", h);
	fl.flow_label[1] = 0;
	fl.flow_label[3] = 0;
	h = vnet_flow_hash(&fl, ms_key, VNET_FLOW_H_ALL, 0, &type);
	CHECK(h == v6->l4, "v6 with label 0 %#x", h);
	h = vnet_flow_hash(&fl, ms_key, VNET_FLOW_H_IP6_FL, 0, &type);
	CHECK(!h && type == VNET_HASH_L3, "label 0 alone %#x type %d", h,
	      type);

	/* Past 36 bytes the key starts again: zeros add nothing. */
	for (i = 0; i < 36; i++)
		in[i] = (uint8_t)(i * 37 + 1);
	CHECK(vnet_toeplitz(ms_key, in, 36) == vnet_toeplitz(ms_key, in, 40),
	      "trailing zeros");
	in[36] = 0x80;
	CHECK((vnet_toeplitz(ms_key, in, 36) ^ vnet_toeplitz(ms_key, in, 40)) ==
	      rd32(ms_key + 36),
	      "byte 36's top bit uses key bytes 36..39");
}

/* ---- IPv4 -------------------------------------------------------------- */

static void test_ipv4_tcp(void)
{
	struct vnet_flow fl;
	struct frame f;
	uint32_t ip;

	eth(&f, ETH_IP);
	ip = ipv4(&f, &def_addrs, IPPROTO_TCP, 5, 0x4000);
	tcp(&f, SPORT, DPORT, 5);
	fill(&f, 100, 0x42);
	ip_done(&f, ip);
	expect(&f, want_l4(4, 14, IPPROTO_TCP, 34, 20), "ipv4 tcp");

	parse(f.b, f.len, &fl, "ipv4 tcp");
	CHECK(fl.addr_len == 4 && !memcmp(fl.saddr, def_addrs.s, 4) &&
	      !memcmp(fl.daddr, def_addrs.d, 4), "addresses");

	/* TCP options: the longest header. */
	eth(&f, ETH_IP);
	ip = ipv4(&f, &def_addrs, IPPROTO_TCP, 5, 0);
	tcp(&f, SPORT, DPORT, 15);
	ip_done(&f, ip);
	expect(&f, want_l4(4, 14, IPPROTO_TCP, 34, 60), "tcp doff 15");

	/* The reserved flag bit is not a fragment. */
	wr16(f.b + ip + 6, 0x8000);
	expect(&f, want_l4(4, 14, IPPROTO_TCP, 34, 60), "reserved bit");
}

static void test_ipv4_udp(void)
{
	struct frame f;
	uint32_t ip;

	eth(&f, ETH_IP);
	ip = ipv4(&f, &def_addrs, IPPROTO_UDP, 5, 0);
	udp(&f, SPORT, DPORT, 0);
	ip_done(&f, ip);
	expect(&f, want_l4(4, 14, IPPROTO_UDP, 34, 8), "udp, no payload");

	/* Ethernet padding past tot_len is ignored. */
	fill(&f, 18, 0);
	expect(&f, want_l4(4, 14, IPPROTO_UDP, 34, 8), "udp, padded");

	/* A UDP header one byte short, in tot_len or in the frame. */
	wr16(f.b + ip + 2, 27);
	expect(&f, want_l3(4, 14, IPPROTO_UDP, false), "tot_len cuts udp");
	wr16(f.b + ip + 2, 28);
	f.len = 14 + 27;
	expect(&f, want_l3(4, 14, IPPROTO_UDP, false), "frame cuts udp");
}

static void test_ipv4_options(void)
{
	struct frame f;
	uint32_t ihl, ip;

	for (ihl = 5; ihl <= 15; ihl++) {
		eth(&f, ETH_IP);
		ip = ipv4(&f, &def_addrs, IPPROTO_TCP, ihl, 0);
		tcp(&f, SPORT, DPORT, 6);
		ip_done(&f, ip);
		expect(&f, want_l4(4, 14, IPPROTO_TCP,
				   (uint16_t)(14 + ihl * 4), 24), "ihl");

		eth(&f, ETH_IP);
		tag(&f, ETH_8021Q, 0x0fff);
		ip = ipv4(&f, &def_addrs, IPPROTO_UDP, ihl, 0);
		udp(&f, SPORT, DPORT, 3);
		ip_done(&f, ip);
		expect(&f, want_l4(4, 18, IPPROTO_UDP,
				   (uint16_t)(18 + ihl * 4), 8), "vlan ihl");
	}
}

static void test_ipv4_bad_ihl(void)
{
	struct frame f;
	uint32_t ihl, ip;

	for (ihl = 0; ihl < 5; ihl++) {
		eth(&f, ETH_IP);
		ip = ipv4(&f, &def_addrs, IPPROTO_TCP, 5, 0);
		tcp(&f, SPORT, DPORT, 5);
		ip_done(&f, ip);
		f.b[ip] = (uint8_t)(0x40 | ihl);
		expect(&f, not_ip, "ihl < 5");
	}

	/* IHL past the frame: 20 bytes of IP and nothing after. */
	for (ihl = 6; ihl <= 15; ihl++) {
		eth(&f, ETH_IP);
		ip = ipv4(&f, &def_addrs, IPPROTO_TCP, 5, 0);
		ip_done(&f, ip);
		f.b[ip] = (uint8_t)(0x40 | ihl);
		wr16(f.b + ip + 2, (uint16_t)(ihl * 4));
		expect(&f, not_ip, "ihl past frame");
	}

	/* IHL 15 with one byte missing, then exactly there. */
	eth(&f, ETH_IP);
	ip = ipv4(&f, &def_addrs, IPPROTO_TCP, 15, 0);
	ip_done(&f, ip);
	f.len--;
	expect(&f, not_ip, "ihl 15 one short");
	f.len++;
	expect(&f, want_l3(4, 14, IPPROTO_TCP, false), "ihl 15 exact");
}

static void test_ipv4_bad_version(void)
{
	static const uint8_t vers[] = { 0, 1, 5, 6, 7, 15 };
	struct frame f;
	uint32_t ip;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vers); i++) {
		eth(&f, ETH_IP);
		ip = ipv4(&f, &def_addrs, IPPROTO_UDP, 5, 0);
		udp(&f, SPORT, DPORT, 40);
		ip_done(&f, ip);
		f.b[ip] = (uint8_t)(vers[i] << 4 | 5);
		expect(&f, not_ip, "version");
	}

	/* An IPv4 header under the IPv6 ethertype, and the reverse. */
	eth(&f, ETH_IPV6);
	ip = ipv4(&f, &def_addrs, IPPROTO_UDP, 5, 0);
	udp(&f, SPORT, DPORT, 40);
	ip_done(&f, ip);
	expect(&f, not_ip, "ipv4 in 0x86dd");
	eth(&f, ETH_IP);
	ip = ipv6(&f, &def_addrs, IPPROTO_UDP);
	udp(&f, SPORT, DPORT, 40);
	ip_done(&f, ip);
	expect(&f, not_ip, "ipv6 in 0x0800");
}

static void test_ipv4_tot_len_lies(void)
{
	static const uint16_t short_lens[] = { 0, 1, 19, 20, 23 };
	struct frame f;
	uint32_t ip;
	size_t i;

	/* Shorter than the header (IHL 6 here) is malformed. */
	for (i = 0; i < ARRAY_SIZE(short_lens); i++) {
		eth(&f, ETH_IP);
		ip = ipv4(&f, &def_addrs, IPPROTO_TCP, 6, 0);
		tcp(&f, SPORT, DPORT, 5);
		wr16(f.b + ip + 2, short_lens[i]);
		expect(&f, not_ip, "tot_len < ihl");
	}

	/* Exactly the header: IP, but no room for TCP. */
	wr16(f.b + ip + 2, 24);
	expect(&f, want_l3(4, 14, IPPROTO_TCP, false), "tot_len == ihl");

	/* TCP cut by tot_len although the frame holds all of it. */
	wr16(f.b + ip + 2, 24 + 19);
	expect(&f, want_l3(4, 14, IPPROTO_TCP, false), "tot_len cuts tcp");
	wr16(f.b + ip + 2, 24 + 20);
	expect(&f, want_l4(4, 14, IPPROTO_TCP, 38, 20), "tot_len fits tcp");

	/*
	 * Longer than the frame: a truncated datagram. Its header is still
	 * found, and the L4 header too if the frame holds all of it.
	 */
	wr16(f.b + ip + 2, (uint16_t)(f.len - 14 + 1));
	expect(&f, want_l4(4, 14, IPPROTO_TCP, 38, 20), "tot_len + 1");
	wr16(f.b + ip + 2, 0xffff);
	expect(&f, want_l4(4, 14, IPPROTO_TCP, 38, 20), "tot_len 65535");
	f.len--;
	expect(&f, want_l3(4, 14, IPPROTO_TCP, false), "truncated tcp");
}

static void test_ipv4_fragment(void)
{
	static const uint16_t frags[] = {
		0x2000, 0x6000, 0x0001, 0x4001, 0x1fff, 0x0100, 0x3fff, 0xffff,
		0xa000,
	};
	static const uint16_t whole[] = { 0x0000, 0x4000, 0x8000, 0xc000 };
	struct frame f;
	uint32_t ip;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(frags); i++) {
		eth(&f, ETH_IP);
		ip = ipv4(&f, &def_addrs, IPPROTO_UDP, 5, frags[i]);
		udp(&f, SPORT, DPORT, 30);
		ip_done(&f, ip);
		expect(&f, want_l3(4, 14, IPPROTO_UDP, true), "fragment");

		/* Later fragments carry no L4 header at all. */
		f.len = 14 + 20 + 3;
		ip_done(&f, ip);
		expect(&f, want_l3(4, 14, IPPROTO_UDP, true), "short frag");
	}
	for (i = 0; i < ARRAY_SIZE(whole); i++) {
		eth(&f, ETH_IP);
		ip = ipv4(&f, &def_addrs, IPPROTO_TCP, 5, whole[i]);
		tcp(&f, SPORT, DPORT, 5);
		ip_done(&f, ip);
		expect(&f, want_l4(4, 14, IPPROTO_TCP, 34, 20), "not a frag");
	}
}

static void test_tcp_doff(void)
{
	struct frame f;
	uint32_t ip;
	uint8_t doff;

	for (doff = 0; doff < 5; doff++) {
		eth(&f, ETH_IP);
		ip = ipv4(&f, &def_addrs, IPPROTO_TCP, 5, 0);
		tcp(&f, SPORT, DPORT, doff);
		fill(&f, 60, 0);
		ip_done(&f, ip);
		expect(&f, want_l3(4, 14, IPPROTO_TCP, false), "doff < 5");

		eth(&f, ETH_IPV6);
		ip = ipv6(&f, &def_addrs, IPPROTO_TCP);
		tcp(&f, SPORT, DPORT, doff);
		fill(&f, 60, 0);
		ip_done(&f, ip);
		expect(&f, want_l3(6, 14, IPPROTO_TCP, false), "v6 doff < 5");
	}

	/* doff * 4 past the end of the frame, by one byte or many. */
	for (doff = 6; doff <= 15; doff++) {
		eth(&f, ETH_IP);
		ip = ipv4(&f, &def_addrs, IPPROTO_TCP, 5, 0);
		tcp(&f, SPORT, DPORT, doff);
		ip_done(&f, ip);
		f.len--;
		expect(&f, want_l3(4, 14, IPPROTO_TCP, false), "doff past end");
		f.len = 14 + 20 + 20;
		expect(&f, want_l3(4, 14, IPPROTO_TCP, false), "doff past end");
	}

	/* doff * 4 past tot_len, with padding to cover it in the frame. */
	eth(&f, ETH_IP);
	ip = ipv4(&f, &def_addrs, IPPROTO_TCP, 5, 0);
	tcp(&f, SPORT, DPORT, 8);
	ip_done(&f, ip);
	wr16(f.b + ip + 2, 20 + 20);
	expect(&f, want_l3(4, 14, IPPROTO_TCP, false), "doff past tot_len");
}

/* ---- VLAN and non-IP --------------------------------------------------- */

static void test_vlan(void)
{
	static const uint16_t tpids[] = { ETH_8021Q, ETH_8021AD };
	struct frame f;
	uint32_t ip, n;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tpids); i++) {
		eth(&f, ETH_IP);
		tag(&f, tpids[i], 0x2005);
		ip = ipv4(&f, &def_addrs, IPPROTO_UDP, 5, 0);
		udp(&f, SPORT, DPORT, 10);
		ip_done(&f, ip);
		expect(&f, want_l4(4, 18, IPPROTO_UDP, 38, 8), "vlan udp");

		eth(&f, ETH_IPV6);
		tag(&f, tpids[i], 0xffff);
		ip = ipv6(&f, &def_addrs, IPPROTO_TCP);
		tcp(&f, SPORT, DPORT, 5);
		ip_done(&f, ip);
		expect(&f, want_l4(6, 18, IPPROTO_TCP, 58, 20), "vlan v6 tcp");

		/* A tag cut short. */
		for (n = 14; n < 18; n++) {
			f.len = n;
			expect(&f, not_ip, "short tag");
		}

		/* A tag in front of ARP. */
		eth(&f, ETH_ARP);
		tag(&f, tpids[i], 1);
		fill(&f, 28, 0);
		expect(&f, not_ip, "vlan arp");
	}
}

/* Only one tag is looked through: QinQ is not IP to the parser. */
static void test_qinq(void)
{
	static const uint16_t pairs[][2] = {
		{ ETH_8021AD, ETH_8021Q }, { ETH_8021Q, ETH_8021Q },
		{ ETH_8021AD, ETH_8021AD }, { ETH_8021Q, ETH_8021AD },
	};
	struct frame f;
	uint32_t ip;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pairs); i++) {
		eth(&f, ETH_IP);
		tag(&f, pairs[i][1], 100);
		tag(&f, pairs[i][0], 200);
		ip = ipv4(&f, &def_addrs, IPPROTO_TCP, 5, 0);
		tcp(&f, SPORT, DPORT, 5);
		ip_done(&f, ip);
		expect(&f, not_ip, "qinq ipv4");

		eth(&f, ETH_IPV6);
		tag(&f, pairs[i][1], 100);
		tag(&f, pairs[i][0], 200);
		ip = ipv6(&f, &def_addrs, IPPROTO_UDP);
		udp(&f, SPORT, DPORT, 4);
		ip_done(&f, ip);
		expect(&f, not_ip, "qinq ipv6");
	}
}

static void test_not_ip(void)
{
	static const uint16_t types[] = {
		ETH_ARP, 0x8035, 0x88cc, 0x8847, 0x9100, 0x0000, 0x05dc,
		0x0801, 0x86de, 0x86dc, 0xffff,
	};
	struct frame f;
	uint32_t ip, n;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		eth(&f, types[i]);
		ip = ipv4(&f, &def_addrs, IPPROTO_TCP, 5, 0);
		tcp(&f, SPORT, DPORT, 5);
		ip_done(&f, ip);
		expect(&f, not_ip, "ethertype");
	}

	/* A real ARP request. */
	eth(&f, ETH_ARP);
	put16(&f, 1);
	put16(&f, ETH_IP);
	put8(&f, 6);
	put8(&f, 4);
	put16(&f, 1);
	fill(&f, 20, 0x0a);
	fill(&f, 18, 0);
	expect(&f, not_ip, "arp");

	/* Shorter than an Ethernet header. */
	eth(&f, ETH_IP);
	for (n = 0; n < 14; n++) {
		f.len = n;
		expect(&f, not_ip, "runt");
	}
	f.len = 14;
	expect(&f, not_ip, "bare header");
}

/* ---- IPv6 -------------------------------------------------------------- */

static void test_ipv6_tcp(void)
{
	struct vnet_flow fl;
	struct frame f;
	uint32_t ip;

	eth(&f, ETH_IPV6);
	ip = ipv6(&f, &def_addrs, IPPROTO_TCP);
	tcp(&f, SPORT, DPORT, 10);
	fill(&f, 64, 0x33);
	ip_done(&f, ip);
	expect(&f, want_l4(6, 14, IPPROTO_TCP, 54, 40), "ipv6 tcp");

	parse(f.b, f.len, &fl, "ipv6 tcp");
	CHECK(fl.addr_len == 16 && !memcmp(fl.saddr, def_addrs.s, 16) &&
	      !memcmp(fl.daddr, def_addrs.d, 16), "addresses");

	/* Padding past the payload length is ignored... */
	fill(&f, 7, 0);
	expect(&f, want_l4(6, 14, IPPROTO_TCP, 54, 40), "padded");

	/* ...and a payload length past the frame is truncation. */
	wr16(f.b + ip + 4, 0xffff);
	expect(&f, want_l4(6, 14, IPPROTO_TCP, 54, 40), "payload 65535");
	f.len = 54 + 39;
	expect(&f, want_l3(6, 14, IPPROTO_TCP, false), "truncated tcp");

	/* A payload length that cuts the TCP header. */
	eth(&f, ETH_IPV6);
	ip = ipv6(&f, &def_addrs, IPPROTO_TCP);
	tcp(&f, SPORT, DPORT, 5);
	fill(&f, 20, 0);
	wr16(f.b + ip + 4, 19);
	expect(&f, want_l3(6, 14, IPPROTO_TCP, false), "payload cuts tcp");

	/* Zero (a jumbogram's) leaves no room for anything after. */
	wr16(f.b + ip + 4, 0);
	expect(&f, want_l3(6, 14, IPPROTO_TCP, false), "payload 0");
}

static void test_ipv6_bad(void)
{
	static const uint8_t vers[] = { 0, 4, 5, 7, 15 };
	struct frame f;
	uint32_t ip, n;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vers); i++) {
		eth(&f, ETH_IPV6);
		ip = ipv6(&f, &def_addrs, IPPROTO_UDP);
		udp(&f, SPORT, DPORT, 30);
		ip_done(&f, ip);
		f.b[ip] = (uint8_t)(vers[i] << 4);
		expect(&f, not_ip, "version");
	}

	/* Anything shorter than the fixed header. */
	eth(&f, ETH_IPV6);
	ip = ipv6(&f, &def_addrs, IPPROTO_NONE);
	ip_done(&f, ip);
	for (n = 14; n < 54; n++) {
		f.len = n;
		expect(&f, not_ip, "short header");
	}
	f.len = 54;
	expect(&f, want_l3(6, 14, IPPROTO_NONE, false), "bare header");
}

static void test_ipv6_ext_headers(void)
{
	static const uint8_t exts[] = {
		IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_DSTOPTS,
	};
	struct frame f;
	uint32_t ip, l4;
	uint8_t units;
	size_t i;

	/* The brief's case: hop-by-hop, destination options, then UDP. */
	eth(&f, ETH_IPV6);
	ip = ipv6(&f, &def_addrs, IPPROTO_HOPOPTS);
	ext6(&f, IPPROTO_DSTOPTS, 0);
	ext6(&f, IPPROTO_UDP, 2);
	udp(&f, SPORT, DPORT, 20);
	ip_done(&f, ip);
	expect(&f, want_l4(6, 14, IPPROTO_UDP, 54 + 8 + 24, 8),
	       "hop + dest + udp");

	/* Each type alone, each length. */
	for (i = 0; i < ARRAY_SIZE(exts); i++) {
		for (units = 0; units < 8; units++) {
			eth(&f, ETH_IPV6);
			tag(&f, ETH_8021Q, 7);
			ip = ipv6(&f, &def_addrs, exts[i]);
			ext6(&f, IPPROTO_TCP, units);
			l4 = f.len;
			tcp(&f, SPORT, DPORT, 7);
			ip_done(&f, ip);
			expect(&f, want_l4(6, 18, IPPROTO_TCP, (uint16_t)l4,
					   28), "one ext");
		}
	}

	/* The longest possible option header. */
	eth(&f, ETH_IPV6);
	ip = ipv6(&f, &def_addrs, IPPROTO_DSTOPTS);
	ext6(&f, IPPROTO_UDP, 255);
	udp(&f, SPORT, DPORT, 0);
	ip_done(&f, ip);
	expect(&f, want_l4(6, 14, IPPROTO_UDP, 54 + 2048, 8), "ext 2048");

	/* Other next headers end the chain without ports. */
	eth(&f, ETH_IPV6);
	ip = ipv6(&f, &def_addrs, IPPROTO_HOPOPTS);
	ext6(&f, IPPROTO_ICMPV6, 0);
	fill(&f, 24, 0x80);
	ip_done(&f, ip);
	expect(&f, want_l3(6, 14, IPPROTO_ICMPV6, false), "icmpv6");
	f.b[54] = IPPROTO_NONE;
	expect(&f, want_l3(6, 14, IPPROTO_NONE, false), "no next header");
	f.b[54] = 51;	/* AH is not walked */
	expect(&f, want_l3(6, 14, 51, false), "ah");
}

static void test_ipv6_ext_limit(void)
{
	static const uint8_t exts[] = {
		IPPROTO_HOPOPTS, IPPROTO_DSTOPTS, IPPROTO_ROUTING,
		IPPROTO_FRAGMENT, IPPROTO_DSTOPTS, IPPROTO_ROUTING,
		IPPROTO_DSTOPTS, IPPROTO_ROUTING, IPPROTO_DSTOPTS,
		IPPROTO_DSTOPTS,
	};
	struct frame f;
	uint32_t ip, l4, n, i;

	for (n = 0; n <= ARRAY_SIZE(exts); n++) {
		eth(&f, ETH_IPV6);
		ip = ipv6(&f, &def_addrs, n ? exts[0] : IPPROTO_UDP);
		for (i = 0; i < n; i++) {
			uint8_t next = i + 1 < n ? exts[i + 1] : IPPROTO_UDP;

			if (exts[i] == IPPROTO_FRAGMENT)
				frag6(&f, next, 0, 0);
			else
				ext6(&f, next, (uint8_t)(i % 2));
		}
		l4 = f.len;
		udp(&f, SPORT, DPORT, 8);
		ip_done(&f, ip);
		if (n <= 8)
			expect(&f, want_l4(6, 14, IPPROTO_UDP, (uint16_t)l4,
					   8), "up to 8 ext headers");
		else
			/* Parsing stops in front of the ninth. */
			expect(&f, want_l3(6, 14, exts[8], false),
			       "more than 8 ext headers");
	}
}

/* Extension headers that do not fit stop the walk where they start. */
static void test_ipv6_ext_truncated(void)
{
	struct frame f;
	uint32_t ip, n;

	eth(&f, ETH_IPV6);
	ip = ipv6(&f, &def_addrs, IPPROTO_HOPOPTS);
	ext6(&f, IPPROTO_ROUTING, 0);
	ext6(&f, IPPROTO_TCP, 4);
	tcp(&f, SPORT, DPORT, 5);
	ip_done(&f, ip);

	/* Cut by the frame: at every byte of the second header. */
	for (n = 62; n < 62 + 40; n++) {
		f.len = n;
		expect(&f, want_l3(6, 14, IPPROTO_ROUTING, false),
		       "frame cuts routing header");
	}
	for (n = 54; n < 62; n++) {
		f.len = n;
		expect(&f, want_l3(6, 14, IPPROTO_HOPOPTS, false),
		       "frame cuts hop-by-hop");
	}

	/* Cut by the payload length with the frame still holding it all. */
	f.len = 62 + 40 + 20;
	wr16(f.b + ip + 4, 8 + 39);
	expect(&f, want_l3(6, 14, IPPROTO_ROUTING, false),
	       "payload cuts routing header");
	wr16(f.b + ip + 4, 8 + 40);
	expect(&f, want_l3(6, 14, IPPROTO_TCP, false), "payload cuts tcp");
	wr16(f.b + ip + 4, 8 + 40 + 20);
	expect(&f, want_l4(6, 14, IPPROTO_TCP, 102, 20), "all there");

	/* A fragment header missing its last byte is not a fragment. */
	eth(&f, ETH_IPV6);
	ip = ipv6(&f, &def_addrs, IPPROTO_FRAGMENT);
	frag6(&f, IPPROTO_UDP, 5, 1);
	f.len--;
	ip_done(&f, ip);
	expect(&f, want_l3(6, 14, IPPROTO_FRAGMENT, false), "short frag");
}

static void test_ipv6_fragment(void)
{
	static const struct {
		uint16_t offset;
		int m;
	} frags[] = { { 0, 1 }, { 1, 0 }, { 1, 1 }, { 8191, 0 }, { 185, 1 } };
	struct frame f;
	uint32_t ip;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(frags); i++) {
		eth(&f, ETH_IPV6);
		ip = ipv6(&f, &def_addrs, IPPROTO_FRAGMENT);
		frag6(&f, IPPROTO_TCP, frags[i].offset, frags[i].m);
		tcp(&f, SPORT, DPORT, 5);
		ip_done(&f, ip);
		expect(&f, want_l3(6, 14, IPPROTO_TCP, true), "fragment");

		/* Behind other extension headers, and stopping the walk. */
		eth(&f, ETH_IPV6);
		ip = ipv6(&f, &def_addrs, IPPROTO_HOPOPTS);
		ext6(&f, IPPROTO_FRAGMENT, 1);
		frag6(&f, IPPROTO_DSTOPTS, frags[i].offset, frags[i].m);
		ext6(&f, IPPROTO_UDP, 0);
		udp(&f, SPORT, DPORT, 0);
		ip_done(&f, ip);
		expect(&f, want_l3(6, 14, IPPROTO_DSTOPTS, true),
		       "fragment, then dest opts");
	}

	/* An atomic fragment is a whole datagram (RFC 6946). */
	eth(&f, ETH_IPV6);
	ip = ipv6(&f, &def_addrs, IPPROTO_FRAGMENT);
	frag6(&f, IPPROTO_TCP, 0, 0);
	tcp(&f, SPORT, DPORT, 5);
	ip_done(&f, ip);
	expect(&f, want_l4(6, 14, IPPROTO_TCP, 62, 20), "atomic fragment");

	/* The reserved bits next to the M flag are not the M flag. */
	wr16(f.b + 56, 0x0006);
	expect(&f, want_l4(6, 14, IPPROTO_TCP, 62, 20), "reserved bits");
}

/* inner(): vnet_flow_parse() then vnet_flow_parse_inner() on a heap copy. */
static bool inner(const struct frame *f, struct vnet_flow *out,
		  struct vnet_flow *in, const char *what)
{
	uint8_t *buf = malloc(f->len);
	bool ok;

	if (!buf)
		abort();
	memcpy(buf, f->b, f->len);
	ok = vnet_flow_parse(buf, f->len, out);
	check_invariants(buf, f->len, ok, out, what);
	memset(in, GARBAGE, sizeof(*in));
	ok = ok && vnet_flow_parse_inner(buf, f->len, out, in);
	if (!ok)
		CHECK(all_zero(in, sizeof(*in)), "%s: inner not zero", what);
	free(buf);
	return ok;
}

static void test_ip_in_ip(void)
{
	struct vnet_flow out, in;
	uint32_t o, i;
	struct frame f;

	/* IPv4 in IPv4: the outer one has no ports, the inner one has them. */
	eth(&f, ETH_IP);
	o = ipv4(&f, &def_addrs, 4, 5, 0x4000);
	i = ipv4(&f, &def_addrs, IPPROTO_TCP, 5, 0x4000);
	tcp(&f, SPORT, DPORT, 5);
	fill(&f, 100, 0x42);
	ip_done(&f, i);
	ip_done(&f, o);
	CHECK(inner(&f, &out, &in, "ipip"), "ipip: inner parses");
	CHECK(out.l4_proto == 4 && !out.l4_off && out.inner_off == 34,
	      "ipip: outer proto %u l4 %u inner %u", out.l4_proto,
	      out.l4_off, out.inner_off);
	CHECK(in.ip_ver == 4 && in.l3_off == 34 && in.l4_off == 54 &&
	      in.l4_proto == IPPROTO_TCP && in.ip_end == f.len &&
	      rd16(in.ports) == SPORT && !in.inner_off,
	      "ipip: inner l3 %u l4 %u end %u", in.l3_off, in.l4_off,
	      in.ip_end);

	/* An inner IPv6 header where IPv4 was announced: not parsed. */
	eth(&f, ETH_IP);
	o = ipv4(&f, &def_addrs, 4, 5, 0);
	i = ipv6(&f, &def_addrs, IPPROTO_TCP);
	tcp(&f, SPORT, DPORT, 5);
	ip_done(&f, i);
	ip_done(&f, o);
	CHECK(!inner(&f, &out, &in, "ipip v6"), "ipip: v6 inside refused");

	/* The outer length cuts the inner TCP header short: no ports. */
	eth(&f, ETH_IP);
	o = ipv4(&f, &def_addrs, 4, 5, 0);
	i = ipv4(&f, &def_addrs, IPPROTO_TCP, 5, 0);
	tcp(&f, SPORT, DPORT, 5);
	ip_done(&f, i);
	ip_done(&f, o);
	wr16(f.b + o + 2, 20 + 20 + 10);
	CHECK(inner(&f, &out, &in, "ipip short"), "ipip short: inner IP");
	CHECK(!in.l4_off && in.ip_end == 14 + 20 + 40,
	      "ipip short: l4 %u end %u", in.l4_off, in.ip_end);

	/* An outer fragment: nothing inside is trusted. */
	eth(&f, ETH_IP);
	o = ipv4(&f, &def_addrs, 4, 5, 0x2000);
	i = ipv4(&f, &def_addrs, IPPROTO_TCP, 5, 0);
	tcp(&f, SPORT, DPORT, 5);
	ip_done(&f, i);
	ip_done(&f, o);
	CHECK(!inner(&f, &out, &in, "ipip frag") && !out.inner_off,
	      "ipip: outer fragment");

	/* IPv6 in IPv6 behind a destination options header. */
	eth(&f, ETH_IPV6);
	o = ipv6(&f, &def_addrs, 60);
	ext6(&f, 41, 0);
	i = ipv6(&f, &def_addrs, IPPROTO_TCP);
	tcp(&f, SPORT, DPORT, 5);
	fill(&f, 10, 0x42);
	ip_done(&f, i);
	ip_done(&f, o);
	CHECK(inner(&f, &out, &in, "ip6ip6"), "ip6ip6: inner parses");
	CHECK(out.l4_proto == 41 && out.inner_off == 14 + 40 + 8 &&
	      in.ip_ver == 6 && in.l3_off == 62 && in.l4_off == 102 &&
	      rd16(in.ports + 2) == DPORT,
	      "ip6ip6: inner_off %u l3 %u l4 %u", out.inner_off, in.l3_off,
	      in.l4_off);

	/* An inner IPv4 header where IPv6 was announced: not parsed. */
	eth(&f, ETH_IPV6);
	o = ipv6(&f, &def_addrs, 41);
	i = ipv4(&f, &def_addrs, IPPROTO_TCP, 5, 0);
	tcp(&f, SPORT, DPORT, 5);
	ip_done(&f, i);
	ip_done(&f, o);
	CHECK(!inner(&f, &out, &in, "ip6ip6 v4"), "ip6ip6: v4 inside refused");

	/* Nothing after the outer header. */
	eth(&f, ETH_IP);
	o = ipv4(&f, &def_addrs, 4, 5, 0);
	ip_done(&f, o);
	CHECK(!inner(&f, &out, &in, "ipip empty") && !out.inner_off,
	      "ipip: empty payload");
}


/* ---- truncation and mutation ------------------------------------------- */

/*
 * Valid frames for the sweeps below. Each returns where its IP header
 * chain ends (IPv4 options or the last IPv6 extension header): from there
 * on a prefix of the frame parses to the same protocol and fragment flag.
 */
static uint32_t base_v4_tcp_opts(struct frame *f)
{
	uint32_t ip;

	eth(f, ETH_IP);
	ip = ipv4(f, &def_addrs, IPPROTO_TCP, 7, 0x4000);
	tcp(f, SPORT, DPORT, 8);
	fill(f, 16, 0x5a);
	ip_done(f, ip);
	return ip + 28;
}

static uint32_t base_vlan_v4_udp(struct frame *f)
{
	uint32_t ip;

	eth(f, ETH_IP);
	tag(f, ETH_8021Q, 0x0123);
	ip = ipv4(f, &def_addrs, IPPROTO_UDP, 5, 0);
	udp(f, SPORT, DPORT, 5);
	ip_done(f, ip);
	fill(f, 9, 0);		/* Ethernet padding */
	return ip + 20;
}

static uint32_t base_v4_frag(struct frame *f)
{
	uint32_t ip;

	eth(f, ETH_IP);
	ip = ipv4(f, &def_addrs, IPPROTO_UDP, 6, 0x2000);
	udp(f, SPORT, DPORT, 8);
	ip_done(f, ip);
	return ip + 24;
}

static uint32_t base_v6_ext_udp(struct frame *f)
{
	uint32_t ip, end;

	eth(f, ETH_IPV6);
	ip = ipv6(f, &def_addrs, IPPROTO_HOPOPTS);
	ext6(f, IPPROTO_ROUTING, 1);
	ext6(f, IPPROTO_DSTOPTS, 0);
	ext6(f, IPPROTO_UDP, 2);
	end = f->len;
	udp(f, SPORT, DPORT, 3);
	ip_done(f, ip);
	return end;
}

static uint32_t base_v6_frag(struct frame *f)
{
	uint32_t ip, end;

	eth(f, ETH_IPV6);
	ip = ipv6(f, &def_addrs, IPPROTO_HOPOPTS);
	ext6(f, IPPROTO_FRAGMENT, 0);
	frag6(f, IPPROTO_TCP, 0, 1);
	end = f->len;
	tcp(f, SPORT, DPORT, 5);
	ip_done(f, ip);
	return end;
}

static uint32_t base_ad_v6_atomic_tcp(struct frame *f)
{
	uint32_t ip, end;

	eth(f, ETH_IPV6);
	tag(f, ETH_8021AD, 0x0042);
	ip = ipv6(f, &def_addrs, IPPROTO_FRAGMENT);
	frag6(f, IPPROTO_TCP, 0, 0);
	end = f->len;
	tcp(f, SPORT, DPORT, 6);
	ip_done(f, ip);
	return end;
}

static uint32_t (*const bases[])(struct frame *f) = {
	base_v4_tcp_opts, base_vlan_v4_udp, base_v4_frag, base_v6_ext_udp,
	base_v6_frag, base_ad_v6_atomic_tcp,
};

/*
 * Every prefix of a valid frame: not IP until the fixed IP header is
 * there, then the same addresses, then the same protocol once the header
 * chain is whole, and the L4 header exactly when all of it is there.
 */
static void test_runts(void)
{
	struct vnet_flow full, fl;
	uint32_t chain_end, hdr_end, l4_end, n;
	struct frame f;
	size_t i;
	bool ok;

	for (i = 0; i < ARRAY_SIZE(bases); i++) {
		chain_end = bases[i](&f);
		if (!parse(f.b, f.len, &full, "base frame")) {
			CHECK(0, "base frame %zu not IP", i);
			continue;
		}
		hdr_end = full.l3_off + (full.ip_ver == 4 ?
					 (f.b[full.l3_off] & 0xfu) * 4 : 40);
		l4_end = full.l4_off + full.l4_hlen;
		CHECK(full.frag || full.l4_off, "base frame %zu has no L4", i);

		for (n = 0; n < f.len; n++) {
			ok = parse(f.b, n, &fl, "runt");
			if (n < hdr_end) {
				CHECK(!ok, "frame %zu len %u: IP", i, n);
				continue;
			}
			CHECK(ok && fl.ip_ver == full.ip_ver &&
			      fl.l3_off == full.l3_off &&
			      !memcmp(fl.saddr, full.saddr, 16) &&
			      !memcmp(fl.daddr, full.daddr, 16),
			      "frame %zu len %u: IP header", i, n);
			if (n < chain_end) {
				CHECK(!fl.frag && !fl.l4_off &&
				      is_ipv6_ext(fl.l4_proto),
				      "frame %zu len %u: in the chain", i, n);
				continue;
			}
			CHECK(fl.l4_proto == full.l4_proto &&
			      fl.frag == full.frag,
			      "frame %zu len %u: proto %u frag %d", i, n,
			      fl.l4_proto, fl.frag);
			if (full.l4_off && n >= l4_end)
				CHECK(fl.l4_off == full.l4_off &&
				      fl.l4_hlen == full.l4_hlen &&
				      !memcmp(fl.ports, full.ports, 4),
				      "frame %zu len %u: L4 missing", i, n);
			else
				CHECK(!fl.l4_off,
				      "frame %zu len %u: L4 at %u past %u",
				      i, n, fl.l4_off, n);
		}
	}
}

/*
 * Every byte of every base frame set to values that matter to a parser
 * (lengths, versions, flags, boundaries), each parsed at full length and
 * cut just after the changed byte. parse() checks the invariants.
 */
static void test_byte_sweep(void)
{
	static const uint8_t vals[] = {
		0x00, 0x01, 0x04, 0x05, 0x06, 0x0f, 0x11, 0x2c, 0x3c, 0x45,
		0x4f, 0x50, 0x60, 0x80, 0x81, 0x86, 0x88, 0xa8, 0xdd, 0xf0,
		0xff,
	};
	static const uint8_t flips[] = { 0x01, 0x08, 0x10, 0x80 };
	struct vnet_flow fl;
	uint32_t pos, k;
	struct frame f;
	uint8_t orig;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bases); i++) {
		bases[i](&f);
		for (pos = 0; pos < f.len; pos++) {
			orig = f.b[pos];
			for (k = 0; k < sizeof(vals) + sizeof(flips); k++) {
				if (k < sizeof(vals))
					f.b[pos] = vals[k];
				else
					f.b[pos] = orig ^
						   flips[k - sizeof(vals)];
				parse(f.b, f.len, &fl, "sweep");
				parse(f.b, pos + 1, &fl, "sweep cut");
			}
			f.b[pos] = orig;
			if (unit_fails)
				return;
		}
	}
}

/* Random multi-byte damage, mostly in the headers, and random lengths. */
static void test_fuzz(void)
{
	struct vnet_flow fl;
	uint32_t iter, k;
	struct frame f;

	for (iter = 0; iter < 200000; iter++) {
		bases[rng() % ARRAY_SIZE(bases)](&f);
		for (k = rng() % 6 + 1; k; k--) {
			uint32_t at = rng() % f.len;

			if (rng() % 4)
				at %= f.len < 80 ? f.len : 80;
			f.b[at] = (uint8_t)rng();
		}
		if (rng() % 4 == 0)
			f.len = rng() % (f.len + 1);
		parse(f.b, f.len, &fl, "fuzz");
		if (unit_fails)
			break;
	}
}

int main(void)
{
	RUN_TEST(test_toeplitz_ms_ipv4);
	RUN_TEST(test_toeplitz_ms_ipv6);
	RUN_TEST(test_toeplitz_reference);
	RUN_TEST(test_toeplitz_long_input);
	RUN_TEST(test_hash_ms_frames);
	RUN_TEST(test_hash_types);
	RUN_TEST(test_hash_fields);
	RUN_TEST(test_ipv4_tcp);
	RUN_TEST(test_ipv4_udp);
	RUN_TEST(test_ipv4_options);
	RUN_TEST(test_ipv4_bad_ihl);
	RUN_TEST(test_ipv4_bad_version);
	RUN_TEST(test_ipv4_tot_len_lies);
	RUN_TEST(test_ipv4_fragment);
	RUN_TEST(test_tcp_doff);
	RUN_TEST(test_vlan);
	RUN_TEST(test_qinq);
	RUN_TEST(test_not_ip);
	RUN_TEST(test_ipv6_tcp);
	RUN_TEST(test_ipv6_bad);
	RUN_TEST(test_ipv6_ext_headers);
	RUN_TEST(test_ipv6_ext_limit);
	RUN_TEST(test_ipv6_ext_truncated);
	RUN_TEST(test_ipv6_fragment);
	RUN_TEST(test_ip_in_ip);
	RUN_TEST(test_runts);
	RUN_TEST(test_byte_sweep);
	RUN_TEST(test_fuzz);
	return unit_exit_code();
}
