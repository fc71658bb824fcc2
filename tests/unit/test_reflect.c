// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the reflect-mode link partner (drv/vnet_reflect.c).
 *
 * Frames are built byte by byte here and replies are checked with a
 * checksum routine of this file, written differently from the one under
 * test. Every call goes through reflect(), which gives vnet_reflect() an
 * input buffer of exactly the frame's size and an output buffer of exactly
 * out_cap bytes (so ASan catches any access past either), fills the output
 * with a canary and checks it is untouched on drops and past the reply.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vnet_reflect.h"
#include "frame.h"
#include "unit.h"

#define CANARY		0xa5
#define NO_LEN		0xdeadbeefu
#define MAX_PAYLOAD	1472	/* fills a 1500-byte MTU */
#define FULL_CAP	1514

static unsigned long verdict_hits[VNET_RFL_NR_VERDICTS];

static const uint8_t host_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t host_ip[4] = { 10, 0, 0, 1 };
static const uint8_t peer_ip[4] = { 10, 0, 0, 2 };

/* ---- independent checksum -------------------------------------------- */

/*
 * RFC 1071 checksum, summing even and odd bytes separately and folding in
 * a loop; returns the complemented value, so a region that includes a
 * correct checksum field yields 0.
 */
static uint16_t ref_csum(const uint8_t *p, size_t len)
{
	uint64_t hi = 0, lo = 0, sum;
	size_t i;

	for (i = 0; i < len; i++) {
		if (i % 2)
			lo += p[i];
		else
			hi += p[i];
	}
	sum = hi * 256 + lo;
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)(~sum & 0xffff);
}

/* ---- frame builder ----------------------------------------------------- */

struct arp {
	uint8_t eth_dst[6], eth_src[6];
	uint16_t htype, ptype, op;
	uint8_t hlen, plen;
	uint8_t sha[6], spa[4], tha[6], tpa[4];
	uint32_t pad;
};

static struct arp arp_default(void)
{
	struct arp a = {
		.htype = 1, .ptype = 0x0800, .hlen = 6, .plen = 4, .op = 1,
		.tpa = { 10, 0, 0, 2 },
	};

	memcpy(a.eth_dst, bcast_mac, 6);
	memcpy(a.eth_src, host_mac, 6);
	memcpy(a.sha, host_mac, 6);
	memcpy(a.spa, host_ip, 4);
	return a;
}

static void build_arp(struct frame *f, const struct arp *a)
{
	uint32_t i;

	put_eth(f, a->eth_dst, a->eth_src, 0x0806);
	put16(f, a->htype);
	put16(f, a->ptype);
	put8(f, a->hlen);
	put8(f, a->plen);
	put16(f, a->op);
	putn(f, a->sha, 6);
	putn(f, a->spa, 4);
	putn(f, a->tha, 6);
	putn(f, a->tpa, 4);
	for (i = 0; i < a->pad; i++)
		put8(f, 0xee);
}

struct echo {
	uint8_t eth_dst[6], eth_src[6];
	uint16_t ethertype;
	uint8_t tos, ttl, proto;
	uint16_t id, frag;
	uint8_t saddr[4], daddr[4];
	uint32_t opt_len;	/* IP option bytes, multiple of 4, <= 40 */
	uint8_t type, code;
	uint16_t ident, seq;
	uint32_t payload_len;
	uint32_t seed;		/* payload pattern; 0 means all zero */
	uint32_t pad;		/* Ethernet padding after the datagram */
};

static struct echo echo_default(void)
{
	struct echo e = {
		.eth_dst = { 0x02, 0x00, 10, 0, 0, 2 },
		.ethertype = 0x0800,
		.ttl = 64, .proto = 1, .id = 0x1234, .frag = 0x4000,
		.type = 8, .ident = 0x4242, .seq = 1,
		.payload_len = 56, .seed = 1,
	};

	memcpy(e.eth_src, host_mac, 6);
	memcpy(e.saddr, host_ip, 4);
	memcpy(e.daddr, peer_ip, 4);
	return e;
}

static uint8_t payload_byte(uint32_t seed, uint32_t i)
{
	return seed ? (uint8_t)(seed * 131 + i * 7 + (i >> 8)) : 0;
}

/* Offsets into a built echo frame. */
#define IP_OFF		14
static uint32_t icmp_off(const struct frame *f)
{
	return IP_OFF + (f->b[IP_OFF] & 0xf) * 4;
}

static void fix_ip_csum(struct frame *f)
{
	uint8_t *ip = f->b + IP_OFF;

	wr16(ip + 10, 0);
	wr16(ip + 10, ref_csum(ip, (ip[0] & 0xf) * 4));
}

static void fix_icmp_csum(struct frame *f)
{
	uint8_t *ip = f->b + IP_OFF, *icmp = f->b + icmp_off(f);
	uint32_t icmp_len = rd16(ip + 2) - (ip[0] & 0xf) * 4;

	wr16(icmp + 2, 0);
	wr16(icmp + 2, ref_csum(icmp, icmp_len));
}

static void build_echo(struct frame *f, const struct echo *e)
{
	uint32_t i, icmp_len = 8 + e->payload_len;

	put_eth(f, e->eth_dst, e->eth_src, e->ethertype);
	put8(f, 0x40 | (5 + e->opt_len / 4));
	put8(f, e->tos);
	put16(f, (uint16_t)(20 + e->opt_len + icmp_len));
	put16(f, e->id);
	put16(f, e->frag);
	put8(f, e->ttl);
	put8(f, e->proto);
	put16(f, 0);
	putn(f, e->saddr, 4);
	putn(f, e->daddr, 4);
	/* Arbitrary option bytes: NOPs, filler, end of list. */
	for (i = 0; i < e->opt_len; i++)
		put8(f, i + 1 == e->opt_len ? 0 : i < 4 ? 1 : 0x40 + i);
	put8(f, e->type);
	put8(f, e->code);
	put16(f, 0);
	put16(f, e->ident);
	put16(f, e->seq);
	for (i = 0; i < e->payload_len; i++)
		put8(f, payload_byte(e->seed, i));
	fix_ip_csum(f);
	fix_icmp_csum(f);
	for (i = 0; i < e->pad; i++)
		put8(f, 0xee);
}

/* ---- calling the code under test --------------------------------------- */

static const char *vname(enum vnet_rfl_verdict v)
{
	if ((unsigned int)v >= VNET_RFL_NR_VERDICTS ||
	    !vnet_rfl_verdict_names[v])
		return "(invalid)";
	return vnet_rfl_verdict_names[v];
}

/*
 * Run vnet_reflect() on the first @len bytes of @in with an output buffer
 * of @out_cap bytes. The reply, if any, is copied to @rep/@rep_len.
 */
static enum vnet_rfl_verdict reflect_cap(const uint8_t *in, uint32_t len,
					 uint32_t out_cap, struct frame *rep)
{
	uint8_t *ibuf = calloc(1, len), *obuf = malloc(out_cap);
	uint32_t out_len = NO_LEN, i, end;
	enum vnet_rfl_verdict v;

	/* Exact sizes (even 0) so ASan sees any access past either end. */
	if ((!ibuf && len) || (!obuf && out_cap)) {
		CHECK(0, "out of memory");
		exit(2);
	}
	if (len)
		memcpy(ibuf, in, len);
	memset(obuf, CANARY, out_cap);

	v = vnet_reflect(ibuf, len, obuf, out_cap, &out_len);

	CHECK((unsigned int)v < VNET_RFL_NR_VERDICTS, "verdict %d", v);
	if ((unsigned int)v < VNET_RFL_NR_VERDICTS)
		verdict_hits[v]++;
	CHECK(!len || !memcmp(ibuf, in, len), "input modified");

	end = 0;
	if (vnet_rfl_is_reply(v)) {
		CHECK(out_len != NO_LEN && out_len <= out_cap,
		      "reply length %u cap %u", out_len, out_cap);
		if (out_len <= out_cap)
			end = out_len;
	} else {
		CHECK(out_len == NO_LEN, "out_len written on %s", vname(v));
	}
	for (i = end; i < out_cap; i++) {
		if (obuf[i] != CANARY) {
			CHECK(0, "out[%u] written (%s, len %u)", i,
			      vname(v), len);
			break;
		}
	}
	if (rep) {
		rep->len = end;
		memcpy(rep->b, obuf, end);
	}
	free(ibuf);
	free(obuf);
	return v;
}

static enum vnet_rfl_verdict reflect(const struct frame *f, struct frame *rep)
{
	return reflect_cap(f->b, f->len, FULL_CAP, rep);
}

#define CHECK_VERDICT(got, want)					\
	do {								\
		enum vnet_rfl_verdict got_ = (got);			\
									\
		CHECK(got_ == (want), "verdict %s, want %s",		\
		      vname(got_), vname(want));			\
	} while (0)

/* Expect a drop with @want; reflect_cap() already checked out is intact. */
static void expect_drop(const struct frame *f, enum vnet_rfl_verdict want,
			const char *what)
{
	enum vnet_rfl_verdict v = reflect(f, NULL);

	CHECK(v == want, "%s: verdict %s, want %s", what, vname(v),
	      vname(want));
}

/* ---- reply checkers ---------------------------------------------------- */

static void check_arp_reply(const struct arp *a, const struct frame *r)
{
	const uint8_t mac[6] = { 2, 0, a->tpa[0], a->tpa[1], a->tpa[2],
				 a->tpa[3] };
	const uint8_t *p = r->b + 14;

	CHECK(r->len == 42, "arp reply length %u", r->len);
	if (r->len != 42)
		return;
	CHECK(!memcmp(r->b, a->eth_src, 6), "eth dst");
	CHECK(!memcmp(r->b + 6, mac, 6), "eth src");
	CHECK(rd16(r->b + 12) == 0x0806, "ethertype %#x", rd16(r->b + 12));
	CHECK(rd16(p) == 1, "htype");
	CHECK(rd16(p + 2) == 0x0800, "ptype");
	CHECK(p[4] == 6 && p[5] == 4, "hlen %u plen %u", p[4], p[5]);
	CHECK(rd16(p + 6) == 2, "op %u", rd16(p + 6));
	CHECK(!memcmp(p + 8, mac, 6), "sha");
	CHECK(!memcmp(p + 14, a->tpa, 4), "spa");
	CHECK(!memcmp(p + 18, a->sha, 6), "tha");
	CHECK(!memcmp(p + 24, a->spa, 4), "tpa");
}

/*
 * Check @r is the echo reply to @q. With @exact the ICMP checksum must
 * also be the canonical one (the complement of the folded data sum), which
 * holds whenever the request carried a canonical checksum.
 */
static void check_echo_reply(const struct frame *q, const struct frame *r,
			     int exact)
{
	const uint8_t *qip = q->b + IP_OFF, *rip = r->b + IP_OFF;
	uint32_t qihl = (qip[0] & 0xf) * 4;
	uint32_t icmp_len = rd16(qip + 2) - qihl;
	const uint8_t *qicmp = qip + qihl, *ricmp = rip + 20;
	uint8_t tmp[FRAME_MAX];

	CHECK(r->len == 14 + 20 + icmp_len, "reply length %u, want %u",
	      r->len, 14 + 20 + icmp_len);
	if (r->len != 14 + 20 + icmp_len)
		return;
	CHECK(!memcmp(r->b, q->b + 6, 6), "eth dst");
	CHECK(!memcmp(r->b + 6, q->b, 6), "eth src");
	CHECK(rd16(r->b + 12) == 0x0800, "ethertype");
	CHECK(rip[0] == 0x45, "version/ihl %#x", rip[0]);
	CHECK(rip[1] == qip[1], "tos");
	CHECK(rd16(rip + 2) == 20 + icmp_len, "total length %u",
	      rd16(rip + 2));
	CHECK(rd16(rip + 4) == rd16(qip + 4), "id");
	CHECK(rd16(rip + 6) == (rd16(qip + 6) & 0x4000), "frag %#x",
	      rd16(rip + 6));
	CHECK(rip[8] == 64, "ttl %u", rip[8]);
	CHECK(rip[9] == 1, "protocol %u", rip[9]);
	CHECK(!memcmp(rip + 12, qip + 16, 4), "saddr");
	CHECK(!memcmp(rip + 16, qip + 12, 4), "daddr");
	CHECK(ref_csum(rip, 20) == 0, "ip checksum %#x", rd16(rip + 10));

	CHECK(ricmp[0] == 0 && ricmp[1] == 0, "type %u code %u", ricmp[0],
	      ricmp[1]);
	CHECK(!memcmp(ricmp + 4, qicmp + 4, icmp_len - 4),
	      "identifier, sequence or payload differ");
	CHECK(ref_csum(ricmp, icmp_len) == 0, "icmp checksum %#x (len %u)",
	      rd16(ricmp + 2), icmp_len);
	if (exact) {
		memcpy(tmp, ricmp, icmp_len);
		wr16(tmp + 2, 0);
		CHECK(rd16(ricmp + 2) == ref_csum(tmp, icmp_len),
		      "icmp checksum %#x, canonical %#x", rd16(ricmp + 2),
		      ref_csum(tmp, icmp_len));
	}
}

static void expect_echo_reply(const struct frame *q, int exact)
{
	struct frame r;
	enum vnet_rfl_verdict v = reflect(q, &r);

	CHECK_VERDICT(v, VNET_RFL_ICMP_REPLY);
	if (v == VNET_RFL_ICMP_REPLY)
		check_echo_reply(q, &r, exact);
}

/* ---- tests ------------------------------------------------------------- */

static void test_verdict_names(void)
{
	static const char *const want[VNET_RFL_NR_VERDICTS] = {
		"arp_reply", "icmp_reply", "drop_runt", "drop_ethertype",
		"drop_bad_src_mac", "drop_arp_malformed",
		"drop_arp_not_request", "drop_arp_probe", "drop_ip_malformed",
		"drop_ip_csum", "drop_ip_fragment", "drop_ip_not_unicast",
		"drop_not_icmp", "drop_icmp_malformed", "drop_icmp_csum",
		"drop_icmp_not_echo", "drop_no_room",
	};
	int i, j;

	for (i = 0; i < VNET_RFL_NR_VERDICTS; i++) {
		const char *n = vnet_rfl_verdict_names[i];

		CHECK(n, "name %d is NULL", i);
		if (!n)
			continue;
		CHECK(strlen(n) > 0 && strlen(n) < 24, "name %d length %zu",
		      i, strlen(n));
		CHECK(!strcmp(n, want[i]), "name %d is %s, want %s", i, n,
		      want[i]);
		for (j = 0; j < i; j++)
			CHECK(!vnet_rfl_verdict_names[j] ||
			      strcmp(n, vnet_rfl_verdict_names[j]),
			      "names %d and %d both %s", j, i, n);
	}
	for (i = 0; i < VNET_RFL_NR_VERDICTS; i++)
		CHECK(!!vnet_rfl_is_reply(i) ==
		      (i == VNET_RFL_ARP_REPLY || i == VNET_RFL_ICMP_REPLY),
		      "is_reply(%s)", want[i]);
}

static void test_arp_request(void)
{
	static const uint8_t targets[][4] = {
		{ 10, 0, 0, 2 }, { 192, 168, 1, 254 }, { 172, 16, 255, 1 },
		{ 1, 2, 3, 4 }, { 223, 255, 255, 254 }, { 127, 0, 0, 1 },
	};
	struct frame f, r;
	struct arp a;
	size_t i;

	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		enum vnet_rfl_verdict v;

		a = arp_default();
		memcpy(a.tpa, targets[i], 4);
		/* ARP sender MAC deliberately differs from the Ethernet one. */
		a.sha[5] ^= (uint8_t)(i + 1);
		a.eth_dst[0] = i & 1 ? 0x02 : 0xff;
		memset(a.tha, (int)i * 0x11, 6);
		build_arp(&f, &a);
		CHECK(f.len == 42, "built %u bytes", f.len);
		v = reflect(&f, &r);
		CHECK_VERDICT(v, VNET_RFL_ARP_REPLY);
		if (v == VNET_RFL_ARP_REPLY)
			check_arp_reply(&a, &r);
	}
}

static void test_arp_padded(void)
{
	struct arp a = arp_default();
	enum vnet_rfl_verdict v;
	struct frame f, r;

	a.pad = 18;
	build_arp(&f, &a);
	CHECK(f.len == 60, "built %u bytes", f.len);
	v = reflect(&f, &r);
	CHECK_VERDICT(v, VNET_RFL_ARP_REPLY);
	if (v == VNET_RFL_ARP_REPLY)
		check_arp_reply(&a, &r);
}

static void test_arp_probe(void)
{
	struct arp a = arp_default();
	struct frame f;

	/* RFC 5227 probe: sender IP 0. */
	memset(a.spa, 0, 4);
	build_arp(&f, &a);
	expect_drop(&f, VNET_RFL_DROP_ARP_PROBE, "probe");
}

static void test_arp_gratuitous(void)
{
	struct arp a = arp_default();
	struct frame f;

	/* Announcement as a request: target IP == sender IP. */
	memcpy(a.tpa, a.spa, 4);
	build_arp(&f, &a);
	expect_drop(&f, VNET_RFL_DROP_ARP_PROBE, "gratuitous request");

	/* The same as a reply is just not a request. */
	a.op = 2;
	build_arp(&f, &a);
	expect_drop(&f, VNET_RFL_DROP_ARP_NOT_REQUEST, "gratuitous reply");
}

static void test_arp_bad_target(void)
{
	static const uint8_t tpa[][4] = {
		{ 0, 0, 0, 0 }, { 224, 0, 0, 1 }, { 224, 0, 0, 0 },
		{ 239, 255, 255, 255 }, { 230, 1, 2, 3 },
		{ 255, 255, 255, 255 },
	};
	struct frame f;
	struct arp a;
	size_t i;

	for (i = 0; i < sizeof(tpa) / sizeof(tpa[0]); i++) {
		a = arp_default();
		memcpy(a.tpa, tpa[i], 4);
		build_arp(&f, &a);
		expect_drop(&f, VNET_RFL_DROP_ARP_PROBE, "target");
	}
}

static void test_arp_not_request(void)
{
	static const uint16_t ops[] = { 0, 2, 3, 4, 8, 9, 0x100, 0xffff };
	struct frame f;
	struct arp a;
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		a = arp_default();
		a.op = ops[i];
		build_arp(&f, &a);
		expect_drop(&f, VNET_RFL_DROP_ARP_NOT_REQUEST, "opcode");
	}
}

static void test_arp_malformed(void)
{
	struct frame f;
	struct arp a;

	a = arp_default();
	a.htype = 6;
	build_arp(&f, &a);
	expect_drop(&f, VNET_RFL_DROP_ARP_MALFORMED, "htype");

	a = arp_default();
	a.ptype = 0x86dd;
	build_arp(&f, &a);
	expect_drop(&f, VNET_RFL_DROP_ARP_MALFORMED, "ptype");

	a = arp_default();
	a.hlen = 8;
	build_arp(&f, &a);
	expect_drop(&f, VNET_RFL_DROP_ARP_MALFORMED, "hlen");

	a = arp_default();
	a.plen = 16;
	build_arp(&f, &a);
	expect_drop(&f, VNET_RFL_DROP_ARP_MALFORMED, "plen");
}

/* Every strict prefix of a valid request is dropped, never answered. */
static void test_arp_truncated(void)
{
	struct arp a = arp_default();
	struct frame f;
	uint32_t n;

	build_arp(&f, &a);
	for (n = 0; n < f.len; n++) {
		enum vnet_rfl_verdict v = reflect_cap(f.b, n, FULL_CAP, NULL);

		CHECK(v == (n < 14 ? VNET_RFL_DROP_RUNT :
			    VNET_RFL_DROP_ARP_MALFORMED),
		      "prefix %u: %s", n, vname(v));
	}
	CHECK(reflect_cap(f.b, f.len, FULL_CAP, NULL) == VNET_RFL_ARP_REPLY,
	      "full frame not answered");
}

static void test_arp_no_room(void)
{
	struct arp a = arp_default();
	struct frame f, r;
	uint32_t cap;

	build_arp(&f, &a);
	for (cap = 0; cap < 42; cap++) {
		enum vnet_rfl_verdict v = reflect_cap(f.b, f.len, cap, NULL);

		CHECK(v == VNET_RFL_DROP_NO_ROOM, "cap %u: %s", cap,
		      vname(v));
	}
	CHECK(reflect_cap(f.b, f.len, 42, &r) == VNET_RFL_ARP_REPLY,
	      "cap 42 not answered");
	check_arp_reply(&a, &r);
}

/* Every payload size up to a full MTU, so odd and even ICMP lengths. */
static void test_echo_all_sizes(void)
{
	struct echo e = echo_default();
	struct frame f;
	uint32_t n;

	for (n = 0; n <= MAX_PAYLOAD; n++) {
		e.payload_len = n;
		e.seed = n + 1;
		e.ident = (uint16_t)(n * 2654435761u >> 16);
		e.seq = (uint16_t)n;
		e.id = (uint16_t)(n * 40503u);
		e.tos = (uint8_t)n;
		e.frag = n & 1 ? 0x4000 : 0;
		build_echo(&f, &e);
		CHECK(f.len == 42 + n, "built %u bytes", f.len);
		expect_echo_reply(&f, 1);
	}
}

/*
 * Sweep the identifier over all 65536 values with an empty payload, so
 * the request checksum takes every value and the incremental update meets
 * every carry case, including replies whose checksum is 0x0000 (data sums
 * to 0xffff) and 0xffff (all-zero data).
 */
static void test_echo_csum_sweep(void)
{
	struct echo e = echo_default();
	struct frame f;
	uint32_t id;

	e.payload_len = 0;
	e.seq = 0;
	for (id = 0; id <= 0xffff; id++) {
		e.ident = (uint16_t)id;
		build_echo(&f, &e);
		expect_echo_reply(&f, 1);
	}
}

static void test_echo_csum_edges(void)
{
	struct echo e = echo_default();
	struct frame f, r;
	uint32_t n;

	/* Reply data all zero: only 0xffff is a valid checksum. */
	e.ident = 0;
	e.seq = 0;
	e.seed = 0;
	for (n = 0; n <= 64; n++) {
		e.payload_len = n;
		build_echo(&f, &e);
		expect_echo_reply(&f, 1);
		if (reflect(&f, &r) == VNET_RFL_ICMP_REPLY && r.len >= 38)
			CHECK(rd16(r.b + 36) == 0xffff, "len %u csum %#x", n,
			      rd16(r.b + 36));
	}

	/* Reply data sums to 0xffff: checksum 0x0000. */
	e = echo_default();
	e.payload_len = 0;
	e.ident = 0xffff;
	e.seq = 0;
	build_echo(&f, &e);
	expect_echo_reply(&f, 1);
	if (reflect(&f, &r) == VNET_RFL_ICMP_REPLY)
		CHECK(rd16(r.b + 36) == 0, "csum %#x", rd16(r.b + 36));

	/*
	 * Request data sums to 0xffff, so 0x0000 is its canonical checksum;
	 * 0xffff is the other zero and must be accepted too.
	 */
	e.ident = 0xf7ff;
	build_echo(&f, &e);
	CHECK(rd16(f.b + 36) == 0, "built csum %#x", rd16(f.b + 36));
	expect_echo_reply(&f, 1);
	wr16(f.b + 36, 0xffff);
	expect_echo_reply(&f, 0);

	/* Odd length, the last byte weighing as a high byte. */
	e = echo_default();
	e.payload_len = 1;
	e.ident = 0;
	e.seq = 0;
	e.seed = 0;
	build_echo(&f, &e);
	f.b[42] = 0xff;
	fix_icmp_csum(&f);
	expect_echo_reply(&f, 1);
}

static void test_echo_ip_options(void)
{
	struct echo e = echo_default();
	struct frame f;
	uint32_t opt;

	for (opt = 4; opt <= 40; opt += 4) {
		e.opt_len = opt;
		e.payload_len = 56 + opt / 4;
		build_echo(&f, &e);
		CHECK((f.b[IP_OFF] & 0xf) == 5 + opt / 4, "built ihl");
		expect_echo_reply(&f, 1);
	}
}

static void test_echo_padding(void)
{
	struct echo e = echo_default();
	struct frame f;
	uint32_t n;

	/* Short requests padded to the 60-byte minimum (and beyond). */
	for (n = 0; n <= 18; n++) {
		e.payload_len = n;
		e.pad = 60 - 42 - n;
		build_echo(&f, &e);
		CHECK(f.len == 60, "built %u bytes", f.len);
		expect_echo_reply(&f, 1);
		e.pad += 100;
		build_echo(&f, &e);
		expect_echo_reply(&f, 1);
	}
	e.pad = 0;
}

/* Every strict prefix of a valid request is dropped, never answered. */
static void test_echo_truncated(void)
{
	struct echo e = echo_default();
	uint32_t n, opt;
	struct frame f;

	for (opt = 0; opt <= 8; opt += 8) {
		e.opt_len = opt;
		e.payload_len = 57;
		build_echo(&f, &e);
		for (n = 0; n < f.len; n++) {
			enum vnet_rfl_verdict v;

			v = reflect_cap(f.b, n, FULL_CAP, NULL);
			CHECK(v == (n < 14 ? VNET_RFL_DROP_RUNT :
				    VNET_RFL_DROP_IP_MALFORMED),
			      "prefix %u: %s", n, vname(v));
		}
		CHECK(reflect_cap(f.b, f.len, FULL_CAP, NULL) ==
		      VNET_RFL_ICMP_REPLY, "full frame not answered");
	}
}

static void test_ip_malformed(void)
{
	struct echo e = echo_default();
	struct frame f;
	uint32_t ihl;

	/* Version 6 (or anything but 4) behind ethertype 0x0800. */
	build_echo(&f, &e);
	f.b[IP_OFF] = 0x65;
	fix_ip_csum(&f);
	expect_drop(&f, VNET_RFL_DROP_IP_MALFORMED, "version 6");
	f.b[IP_OFF] = 0x05;
	fix_ip_csum(&f);
	expect_drop(&f, VNET_RFL_DROP_IP_MALFORMED, "version 0");

	/* IHL below 5. */
	for (ihl = 0; ihl < 5; ihl++) {
		build_echo(&f, &e);
		f.b[IP_OFF] = 0x40 | ihl;
		fix_ip_csum(&f);
		expect_drop(&f, VNET_RFL_DROP_IP_MALFORMED, "ihl < 5");
	}

	/* IHL * 4 beyond the total length (but inside the frame). */
	e.payload_len = 0;
	e.pad = 40;
	build_echo(&f, &e);
	wr16(f.b + IP_OFF + 2, 24);
	f.b[IP_OFF] = 0x47;
	fix_ip_csum(&f);
	expect_drop(&f, VNET_RFL_DROP_IP_MALFORMED, "ihl > total length");
	f.b[IP_OFF] = 0x4f;
	fix_ip_csum(&f);
	expect_drop(&f, VNET_RFL_DROP_IP_MALFORMED, "ihl 15 > total length");

	/* Total length below the minimum header. */
	build_echo(&f, &e);
	wr16(f.b + IP_OFF + 2, 19);
	fix_ip_csum(&f);
	expect_drop(&f, VNET_RFL_DROP_IP_MALFORMED, "total length 19");
	wr16(f.b + IP_OFF + 2, 0);
	fix_ip_csum(&f);
	expect_drop(&f, VNET_RFL_DROP_IP_MALFORMED, "total length 0");

	/* Total length past the frame, by one and by a lot. */
	e = echo_default();
	build_echo(&f, &e);
	wr16(f.b + IP_OFF + 2, (uint16_t)(f.len - 14 + 1));
	fix_ip_csum(&f);
	expect_drop(&f, VNET_RFL_DROP_IP_MALFORMED, "total length + 1");
	wr16(f.b + IP_OFF + 2, 0xffff);
	fix_ip_csum(&f);
	expect_drop(&f, VNET_RFL_DROP_IP_MALFORMED, "total length 65535");

	/* Exactly the frame is fine: the boundary is inclusive. */
	build_echo(&f, &e);
	expect_echo_reply(&f, 1);
}

static void test_ip_bad_csum(void)
{
	struct echo e = echo_default();
	struct frame f;
	uint32_t i;

	build_echo(&f, &e);
	f.b[IP_OFF + 10] ^= 0x01;
	expect_drop(&f, VNET_RFL_DROP_IP_CSUM, "checksum flipped");

	/* A change anywhere in the header, options included. */
	e.opt_len = 8;
	for (i = 0; i < 28; i++) {
		build_echo(&f, &e);
		if (i == 0)
			f.b[IP_OFF] = 0x46;	/* stays well-formed */
		else if (i == 2 || i == 3)
			continue;		/* total length */
		else
			f.b[IP_OFF + i] ^= 0x10;
		expect_drop(&f, VNET_RFL_DROP_IP_CSUM, "header byte");
	}
}

static void test_icmp_bad_csum(void)
{
	struct echo e = echo_default();
	struct frame f;
	uint32_t n;

	build_echo(&f, &e);
	f.b[IP_OFF + 20 + 2] ^= 0x80;
	expect_drop(&f, VNET_RFL_DROP_ICMP_CSUM, "checksum flipped");

	for (n = 1; n <= 9; n++) {
		e.payload_len = n;
		build_echo(&f, &e);
		f.b[f.len - 1] ^= 0x01;	/* last (maybe odd) byte */
		expect_drop(&f, VNET_RFL_DROP_ICMP_CSUM, "last byte");
	}

	/* The padding must not be summed: corrupt it, still a reply. */
	e.payload_len = 3;
	e.pad = 15;
	build_echo(&f, &e);
	f.b[f.len - 15] = 0x01;
	expect_echo_reply(&f, 1);

	/* Checksum over the data of an echo reply, also wrong: csum first. */
	e = echo_default();
	e.type = 0;
	build_echo(&f, &e);
	f.b[50] ^= 0xff;
	expect_drop(&f, VNET_RFL_DROP_ICMP_CSUM, "bad echo reply");
}

static void test_ip_fragment(void)
{
	static const uint16_t frags[] = {
		0x2000, 0x6000, 0x0001, 0x4001, 0x1fff, 0x0100, 0x3fff, 0xffff,
	};
	struct echo e = echo_default();
	struct frame f;
	size_t i;

	for (i = 0; i < sizeof(frags) / sizeof(frags[0]); i++) {
		e.frag = frags[i];
		build_echo(&f, &e);
		expect_drop(&f, VNET_RFL_DROP_IP_FRAGMENT, "fragment");
	}

	/* DF alone, none, and the reserved bit are not fragments. */
	e.frag = 0x4000;
	build_echo(&f, &e);
	expect_echo_reply(&f, 1);
	e.frag = 0;
	build_echo(&f, &e);
	expect_echo_reply(&f, 1);
	e.frag = 0xc000;
	build_echo(&f, &e);
	expect_echo_reply(&f, 1);
}

static void test_ip_not_unicast(void)
{
	static const uint8_t bad[][4] = {
		{ 0, 0, 0, 0 }, { 224, 0, 0, 1 }, { 224, 0, 0, 251 },
		{ 239, 255, 255, 250 }, { 255, 255, 255, 255 },
	};
	struct echo e;
	struct frame f;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e = echo_default();
		memcpy(e.daddr, bad[i], 4);
		build_echo(&f, &e);
		expect_drop(&f, VNET_RFL_DROP_IP_NOT_UNICAST, "daddr");

		e = echo_default();
		memcpy(e.saddr, bad[i], 4);
		build_echo(&f, &e);
		expect_drop(&f, VNET_RFL_DROP_IP_NOT_UNICAST, "saddr");
	}

	/* Unicast IP in a broadcast or multicast frame (RFC 1122 3.3.6). */
	e = echo_default();
	memcpy(e.eth_dst, bcast_mac, 6);
	build_echo(&f, &e);
	expect_drop(&f, VNET_RFL_DROP_IP_NOT_UNICAST, "eth broadcast");
	e.eth_dst[0] = 0x01;
	build_echo(&f, &e);
	expect_drop(&f, VNET_RFL_DROP_IP_NOT_UNICAST, "eth multicast");

	/* Subnet-directed broadcast and class E look unicast here. */
	e = echo_default();
	e.daddr[3] = 255;
	build_echo(&f, &e);
	expect_echo_reply(&f, 1);
	e.daddr[0] = 240;
	build_echo(&f, &e);
	expect_echo_reply(&f, 1);
}

static void test_not_icmp(void)
{
	static const uint8_t protos[] = { 0, 2, 6, 17, 41, 58, 132, 255 };
	struct echo e = echo_default();
	struct frame f;
	size_t i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		e.proto = protos[i];
		build_echo(&f, &e);
		expect_drop(&f, VNET_RFL_DROP_NOT_ICMP, "protocol");
	}
}

static void test_icmp_malformed(void)
{
	struct echo e = echo_default();
	struct frame f;
	uint32_t n;

	/* ICMP lengths 0..7, with and without padding after. */
	for (n = 0; n < 8; n++) {
		e.payload_len = 0;
		e.pad = 20;
		build_echo(&f, &e);
		wr16(f.b + IP_OFF + 2, (uint16_t)(20 + n));
		fix_ip_csum(&f);
		expect_drop(&f, VNET_RFL_DROP_ICMP_MALFORMED, "short icmp");
		f.len = 14 + 20 + n;
		expect_drop(&f, VNET_RFL_DROP_ICMP_MALFORMED, "short icmp");
	}
}

static void test_icmp_not_echo(void)
{
	static const uint8_t types[][2] = {
		{ 0, 0 }, { 3, 1 }, { 5, 0 }, { 8, 1 }, { 8, 255 }, { 11, 0 },
		{ 13, 0 }, { 17, 0 }, { 255, 0 },
	};
	struct echo e = echo_default();
	struct frame f;
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		e.type = types[i][0];
		e.code = types[i][1];
		build_echo(&f, &e);
		expect_drop(&f, VNET_RFL_DROP_ICMP_NOT_ECHO, "type/code");
	}
}

static void test_ethertype(void)
{
	static const uint16_t types[] = {
		0x86dd, 0x8100, 0x88a8, 0x8035, 0x88cc, 0x0000, 0x0040,
		0x05dc, 0x05ff, 0x0600, 0x0801, 0x0805, 0x0807, 0xffff,
	};
	struct echo e = echo_default();
	struct frame f;
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		e.ethertype = types[i];
		build_echo(&f, &e);
		expect_drop(&f, VNET_RFL_DROP_ETHERTYPE, "ethertype");
	}

	/* An echo request behind a VLAN tag is not looked into. */
	e = echo_default();
	build_echo(&f, &e);
	memmove(f.b + 16, f.b + 12, f.len - 12);
	wr16(f.b + 12, 0x8100);
	wr16(f.b + 14, 0x0005);
	f.len += 4;
	expect_drop(&f, VNET_RFL_DROP_ETHERTYPE, "vlan tagged echo");
}

static void test_bad_src_mac(void)
{
	static const uint8_t macs[][6] = {
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 },
		{ 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 },
		{ 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 },
		{ 0x03, 0x00, 0x00, 0x00, 0x00, 0x00 },
		{ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 },
	};
	struct frame f, r;
	struct echo e;
	struct arp a;
	size_t i;

	for (i = 0; i < sizeof(macs) / sizeof(macs[0]); i++) {
		e = echo_default();
		memcpy(e.eth_src, macs[i], 6);
		build_echo(&f, &e);
		expect_drop(&f, VNET_RFL_DROP_BAD_SRC_MAC, "echo");

		a = arp_default();
		memcpy(a.eth_src, macs[i], 6);
		build_arp(&f, &a);
		expect_drop(&f, VNET_RFL_DROP_BAD_SRC_MAC, "arp");

		/* Checked before the ethertype. */
		f.b[12] = 0x86;
		f.b[13] = 0xdd;
		expect_drop(&f, VNET_RFL_DROP_BAD_SRC_MAC, "ipv6");
	}

	/* Unicast, locally administered or not, with one bit set. */
	e = echo_default();
	memcpy(e.eth_src, (uint8_t[6]){ 0x02, 0, 0, 0, 0, 0 }, 6);
	build_echo(&f, &e);
	expect_echo_reply(&f, 1);
	memcpy(e.eth_src, (uint8_t[6]){ 0, 0, 0, 0, 0, 0x01 }, 6);
	build_echo(&f, &e);
	expect_echo_reply(&f, 1);
	a = arp_default();
	memcpy(a.eth_src, (uint8_t[6]){ 0, 0, 0, 0, 0, 0x01 }, 6);
	build_arp(&f, &a);
	CHECK_VERDICT(reflect(&f, &r), VNET_RFL_ARP_REPLY);
}

static void test_runt(void)
{
	uint8_t buf[14];
	uint32_t n;

	/* A valid-looking header start makes the length the only reason. */
	memcpy(buf, bcast_mac, 6);
	memcpy(buf + 6, host_mac, 6);
	buf[12] = 0x08;
	buf[13] = 0x00;
	for (n = 0; n < 14; n++) {
		enum vnet_rfl_verdict v = reflect_cap(buf, n, FULL_CAP, NULL);

		CHECK_VERDICT(v, VNET_RFL_DROP_RUNT);
	}
	CHECK_VERDICT(reflect_cap(buf, 14, FULL_CAP, NULL),
		      VNET_RFL_DROP_IP_MALFORMED);
	buf[13] = 0x06;
	CHECK_VERDICT(reflect_cap(buf, 14, FULL_CAP, NULL),
		      VNET_RFL_DROP_ARP_MALFORMED);
	buf[12] = 0x86;
	buf[13] = 0xdd;
	CHECK_VERDICT(reflect_cap(buf, 14, FULL_CAP, NULL),
		      VNET_RFL_DROP_ETHERTYPE);
}

static void test_echo_no_room(void)
{
	struct echo e = echo_default();
	uint32_t cap, rlen;
	struct frame f, r;

	/* The reply drops the options, so it is 40 bytes shorter. */
	e.opt_len = 40;
	e.payload_len = 100;
	build_echo(&f, &e);
	rlen = f.len - 40;
	for (cap = 0; cap < rlen; cap++) {
		enum vnet_rfl_verdict v = reflect_cap(f.b, f.len, cap, NULL);

		CHECK(v == VNET_RFL_DROP_NO_ROOM, "cap %u: %s", cap,
		      vname(v));
	}
	CHECK(reflect_cap(f.b, f.len, rlen, &r) == VNET_RFL_ICMP_REPLY,
	      "cap %u not answered", rlen);
	check_echo_reply(&f, &r, 1);

	/* A full-size request with one byte too little room. */
	e = echo_default();
	e.payload_len = MAX_PAYLOAD;
	build_echo(&f, &e);
	CHECK_VERDICT(reflect_cap(f.b, f.len, FULL_CAP - 1, NULL),
		      VNET_RFL_DROP_NO_ROOM);
}

static uint32_t rng_state = 0x9e3779b9;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/*
 * Mutate valid requests at random (bytes, length, sometimes with the
 * checksums made right again so deeper checks are reached). Whatever
 * happens, reflect_cap() checks the buffers; any reply must be valid.
 */
static void test_fuzz(void)
{
	struct frame f, r;
	uint32_t iter, k;

	for (iter = 0; iter < 50000; iter++) {
		uint32_t mode = rng() % 4, cap = FULL_CAP, ihl, tot;
		enum vnet_rfl_verdict v;

		if (mode == 0) {
			struct arp a = arp_default();

			a.pad = rng() % 24;
			build_arp(&f, &a);
		} else {
			struct echo e = echo_default();

			e.opt_len = rng() % 3 ? 0 : (rng() % 11) * 4;
			e.payload_len = rng() % 200;
			e.pad = rng() % 3 ? 0 : rng() % 30;
			e.seed = rng();
			build_echo(&f, &e);
		}
		for (k = rng() % 4 + 1; k; k--) {
			uint32_t at = rng() % f.len;

			/* Mostly in the headers, where decisions are made. */
			if (rng() % 4)
				at %= f.len < 64 ? f.len : 64;
			f.b[at] = (uint8_t)rng();
		}
		ihl = (f.b[IP_OFF] & 0xfu) * 4;
		tot = rd16(f.b + IP_OFF + 2);
		if (mode >= 2 && rd16(f.b + 12) == 0x0800 && ihl >= 20 &&
		    14 + ihl <= f.len) {
			fix_ip_csum(&f);
			if (mode == 3 && tot >= ihl + 8 && 14 + tot <= f.len)
				fix_icmp_csum(&f);
		}
		if (rng() % 8 == 0)
			f.len = rng() % (f.len + 1);
		if (rng() % 8 == 0)
			cap = rng() % FULL_CAP;

		v = reflect_cap(f.b, f.len, cap, &r);
		if (v == VNET_RFL_ICMP_REPLY)
			check_echo_reply(&f, &r, 0);
		if (v == VNET_RFL_ARP_REPLY)
			CHECK(r.len == 42 && f.len >= 42 && f.b[21] == 1,
			      "arp reply to a non-request");
		if (unit_fails)
			break;
	}
}

/* Must run last: every verdict was produced by some test above. */
static void test_all_verdicts_reached(void)
{
	int i;

	for (i = 0; i < VNET_RFL_NR_VERDICTS; i++)
		CHECK(verdict_hits[i], "verdict %s never reached",
		      vnet_rfl_verdict_names[i]);
}

int main(void)
{
	RUN_TEST(test_verdict_names);
	RUN_TEST(test_arp_request);
	RUN_TEST(test_arp_padded);
	RUN_TEST(test_arp_probe);
	RUN_TEST(test_arp_gratuitous);
	RUN_TEST(test_arp_bad_target);
	RUN_TEST(test_arp_not_request);
	RUN_TEST(test_arp_malformed);
	RUN_TEST(test_arp_truncated);
	RUN_TEST(test_arp_no_room);
	RUN_TEST(test_echo_all_sizes);
	RUN_TEST(test_echo_csum_sweep);
	RUN_TEST(test_echo_csum_edges);
	RUN_TEST(test_echo_ip_options);
	RUN_TEST(test_echo_padding);
	RUN_TEST(test_echo_truncated);
	RUN_TEST(test_echo_no_room);
	RUN_TEST(test_ip_malformed);
	RUN_TEST(test_ip_bad_csum);
	RUN_TEST(test_icmp_bad_csum);
	RUN_TEST(test_ip_fragment);
	RUN_TEST(test_ip_not_unicast);
	RUN_TEST(test_not_icmp);
	RUN_TEST(test_icmp_malformed);
	RUN_TEST(test_icmp_not_echo);
	RUN_TEST(test_ethertype);
	RUN_TEST(test_bad_src_mac);
	RUN_TEST(test_runt);
	RUN_TEST(test_fuzz);
	RUN_TEST(test_all_verdicts_reached);
	return unit_exit_code();
}
