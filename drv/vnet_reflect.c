// SPDX-License-Identifier: GPL-2.0
/*
 * Link partner for reflect mode: answers ARP requests and ICMP echo requests
 * the way a well-behaved neighbour would, and drops everything else with a
 * reason. Pure C with no kernel helpers so the same file is unit tested in
 * userspace (tests/unit). Frames are unaligned byte buffers, so every
 * multi-byte field is read and written byte-wise in network order.
 */
#include "vnet_bytes.h"
#include "vnet_reflect.h"

/* The partner's own; those it shares with the parser are in vnet_bytes.h. */
#define VNET_PKT_ETH_ALEN		6
#define VNET_PKT_ETH_P_ARP		0x0806

#define VNET_PKT_ARP_LEN		28
#define VNET_PKT_ARP_HTYPE_ETH		1
#define VNET_PKT_ARP_OP_REQUEST		1
#define VNET_PKT_ARP_OP_REPLY		2

#define VNET_PKT_IP_DF			0x4000
#define VNET_PKT_IP_TTL			64
#define VNET_PKT_IPPROTO_ICMP		1

#define VNET_PKT_ICMP_HLEN		8
#define VNET_PKT_ICMP_ECHOREPLY		0
#define VNET_PKT_ICMP_ECHO		8

const char *const vnet_rfl_verdict_names[VNET_RFL_NR_VERDICTS] = {
	[VNET_RFL_ARP_REPLY]		= "arp_reply",
	[VNET_RFL_ICMP_REPLY]		= "icmp_reply",
	[VNET_RFL_DROP_RUNT]		= "drop_runt",
	[VNET_RFL_DROP_ETHERTYPE]	= "drop_ethertype",
	[VNET_RFL_DROP_BAD_SRC_MAC]	= "drop_bad_src_mac",
	[VNET_RFL_DROP_ARP_MALFORMED]	= "drop_arp_malformed",
	[VNET_RFL_DROP_ARP_NOT_REQUEST]	= "drop_arp_not_request",
	[VNET_RFL_DROP_ARP_PROBE]	= "drop_arp_probe",
	[VNET_RFL_DROP_IP_MALFORMED]	= "drop_ip_malformed",
	[VNET_RFL_DROP_IP_CSUM]		= "drop_ip_csum",
	[VNET_RFL_DROP_IP_FRAGMENT]	= "drop_ip_fragment",
	[VNET_RFL_DROP_IP_NOT_UNICAST]	= "drop_ip_not_unicast",
	[VNET_RFL_DROP_NOT_ICMP]	= "drop_not_icmp",
	[VNET_RFL_DROP_ICMP_MALFORMED]	= "drop_icmp_malformed",
	[VNET_RFL_DROP_ICMP_CSUM]	= "drop_icmp_csum",
	[VNET_RFL_DROP_ICMP_NOT_ECHO]	= "drop_icmp_not_echo",
	[VNET_RFL_DROP_NO_ROOM]		= "drop_no_room",
};

/*
 * Plain sum of the big-endian 16-bit words of @p, an odd last byte being
 * the high half of a word. Not folded, so callers can still tell an
 * all-zero buffer (sum 0) from one that folds to 0xffff. Cannot overflow:
 * an IPv4 datagram holds fewer than 32768 words of at most 0xffff.
 */
static uint32_t sum_be16_words(const uint8_t *p, uint32_t len)
{
	uint32_t sum = 0, i;

	for (i = 0; i + 1 < len; i += 2)
		sum += vnet_get_be16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

/*
 * Ones-complement sum of the words summed into @sum: folded to 16 bits with
 * end-around carry, not complemented (a valid header gives 0xffff). The
 * kernel's csum_fold() returns the complemented checksum instead.
 */
static uint16_t ones_fold16(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), the checksum once word m is
 * changed to m'. Returned, not updated in place as by csum_replace2().
 */
static uint16_t incr_csum_update(uint16_t hc, uint16_t m, uint16_t m_new)
{
	uint32_t sum = (uint16_t)~hc + (uint32_t)(uint16_t)~m + m_new;

	return (uint16_t)~ones_fold16(sum);
}

static int mac_is_multicast(const uint8_t *mac)
{
	return mac[0] & 1;
}

static int mac_is_zero(const uint8_t *mac)
{
	static const uint8_t zero[VNET_PKT_ETH_ALEN];

	return !memcmp(mac, zero, VNET_PKT_ETH_ALEN);
}

/* 224.0.0.0/4 or the limited broadcast address. */
static int ip_is_mcast_or_bcast(uint32_t ip)
{
	return (ip & 0xf0000000) == 0xe0000000 || ip == 0xffffffff;
}

/*
 * The partner owns every IPv4 address; each gets its own locally
 * administered unicast MAC so replies can be told apart on the wire.
 */
static void partner_mac(uint8_t *mac, const uint8_t *ip)
{
	mac[0] = 0x02;
	mac[1] = 0x00;
	memcpy(mac + 2, ip, VNET_PKT_IP_ALEN);
}

static enum vnet_rfl_verdict reflect_arp(const uint8_t *in, uint32_t len,
					 uint8_t *out, uint32_t out_cap,
					 uint32_t *out_len)
{
	const uint8_t *arp = in + VNET_PKT_ETH_HLEN;
	const uint8_t *spa = arp + 14;
	const uint8_t *tpa = arp + 24;
	const uint8_t *sha = arp + 8;
	uint32_t sip, tip;
	uint8_t *rep;

	if (len < VNET_PKT_ETH_HLEN + VNET_PKT_ARP_LEN ||
	    vnet_get_be16(arp) != VNET_PKT_ARP_HTYPE_ETH ||
	    vnet_get_be16(arp + 2) != VNET_PKT_ETH_P_IP ||
	    arp[4] != VNET_PKT_ETH_ALEN || arp[5] != VNET_PKT_IP_ALEN)
		return VNET_RFL_DROP_ARP_MALFORMED;
	if (vnet_get_be16(arp + 6) != VNET_PKT_ARP_OP_REQUEST)
		return VNET_RFL_DROP_ARP_NOT_REQUEST;

	/*
	 * Claiming the address a host is probing for or announcing would
	 * make it see a conflict, and a reply for 0, multicast or broadcast
	 * would poison its neighbour table.
	 */
	sip = vnet_get_be32(spa);
	tip = vnet_get_be32(tpa);
	if (!sip || tip == sip || !tip || ip_is_mcast_or_bcast(tip))
		return VNET_RFL_DROP_ARP_PROBE;

	if (out_cap < VNET_PKT_ETH_HLEN + VNET_PKT_ARP_LEN)
		return VNET_RFL_DROP_NO_ROOM;

	memcpy(out, in + VNET_PKT_ETH_ALEN, VNET_PKT_ETH_ALEN);
	partner_mac(out + VNET_PKT_ETH_ALEN, tpa);
	vnet_put_be16(out + 12, VNET_PKT_ETH_P_ARP);

	rep = out + VNET_PKT_ETH_HLEN;
	vnet_put_be16(rep, VNET_PKT_ARP_HTYPE_ETH);
	vnet_put_be16(rep + 2, VNET_PKT_ETH_P_IP);
	rep[4] = VNET_PKT_ETH_ALEN;
	rep[5] = VNET_PKT_IP_ALEN;
	vnet_put_be16(rep + 6, VNET_PKT_ARP_OP_REPLY);
	partner_mac(rep + 8, tpa);
	memcpy(rep + 14, tpa, VNET_PKT_IP_ALEN);
	memcpy(rep + 18, sha, VNET_PKT_ETH_ALEN);
	memcpy(rep + 24, spa, VNET_PKT_IP_ALEN);

	*out_len = VNET_PKT_ETH_HLEN + VNET_PKT_ARP_LEN;
	return VNET_RFL_ARP_REPLY;
}

/*
 * The IPv4 header of @in, checked as far as a reply depends on it; sets
 * its header and total lengths. Returns the drop reason, or
 * VNET_RFL_ICMP_REPLY: the verdict so far, until the ICMP checks.
 */
static enum vnet_rfl_verdict ipv4_check(const uint8_t *in, uint32_t len,
					uint32_t *ihl, uint32_t *tot_len)
{
	const uint8_t *ip = in + VNET_PKT_ETH_HLEN;
	uint32_t saddr, daddr;

	if (len < VNET_PKT_ETH_HLEN + VNET_PKT_IP_HLEN || (ip[0] >> 4) != 4)
		return VNET_RFL_DROP_IP_MALFORMED;
	*ihl = (ip[0] & 0xf) * 4;
	*tot_len = vnet_get_be16(ip + 2);
	/* Bytes past tot_len are Ethernet padding and are ignored. */
	if (*ihl < VNET_PKT_IP_HLEN || *tot_len < *ihl ||
	    *tot_len > len - VNET_PKT_ETH_HLEN)
		return VNET_RFL_DROP_IP_MALFORMED;
	if (ones_fold16(sum_be16_words(ip, *ihl)) != 0xffff)
		return VNET_RFL_DROP_IP_CSUM;

	if (vnet_get_be16(ip + 6) & (VNET_PKT_IP_MF | VNET_PKT_IP_OFFSET))
		return VNET_RFL_DROP_IP_FRAGMENT;

	saddr = vnet_get_be32(ip + 12);
	daddr = vnet_get_be32(ip + 16);
	/*
	 * A zero source is included because the reply would be sent to it.
	 * RFC 1122 3.3.6: a unicast datagram in a link-layer multicast or
	 * broadcast frame is discarded; answering it would also put a
	 * multicast address in the reply's source MAC.
	 */
	if (!daddr || ip_is_mcast_or_bcast(daddr) || !saddr ||
	    ip_is_mcast_or_bcast(saddr) || mac_is_multicast(in))
		return VNET_RFL_DROP_IP_NOT_UNICAST;

	if (ip[9] != VNET_PKT_IPPROTO_ICMP)
		return VNET_RFL_DROP_NOT_ICMP;
	return VNET_RFL_ICMP_REPLY;
}

/*
 * Build into @out the echo reply to the checked request @in, whose IPv4
 * header is @ihl bytes and whose @icmp_len ICMP bytes sum to @sum.
 */
static void icmp_reply_build(const uint8_t *in, uint32_t ihl,
			     uint32_t icmp_len, uint32_t sum, uint8_t *out)
{
	const uint8_t *ip = in + VNET_PKT_ETH_HLEN;
	uint8_t *rip = out + VNET_PKT_ETH_HLEN;
	const uint8_t *icmp = ip + ihl;
	uint16_t hc;

	memcpy(out, in + VNET_PKT_ETH_ALEN, VNET_PKT_ETH_ALEN);
	memcpy(out + VNET_PKT_ETH_ALEN, in, VNET_PKT_ETH_ALEN);
	vnet_put_be16(out + 12, VNET_PKT_ETH_P_IP);

	/* Options are not echoed: none of them is meaningful for a reply. */
	rip[0] = 0x45;
	rip[1] = ip[1];
	vnet_put_be16(rip + 2, (uint16_t)(VNET_PKT_IP_HLEN + icmp_len));
	memcpy(rip + 4, ip + 4, 2);
	vnet_put_be16(rip + 6, vnet_get_be16(ip + 6) & VNET_PKT_IP_DF);
	rip[8] = VNET_PKT_IP_TTL;
	rip[9] = VNET_PKT_IPPROTO_ICMP;
	vnet_put_be16(rip + 10, 0);
	memcpy(rip + 12, ip + 16, VNET_PKT_IP_ALEN);
	memcpy(rip + 16, ip + 12, VNET_PKT_IP_ALEN);
	hc = ~ones_fold16(sum_be16_words(rip, VNET_PKT_IP_HLEN));
	vnet_put_be16(rip + 10, hc);

	memcpy(rip + VNET_PKT_IP_HLEN, icmp, icmp_len);
	rip[VNET_PKT_IP_HLEN] = VNET_PKT_ICMP_ECHOREPLY;

	/*
	 * RFC 1624 eqn. 3 for the type/code word going from 0x0800 to 0.
	 * It yields 0x0000 where 0xffff is needed when everything else in
	 * the reply is zero (identifier, sequence and payload), because only
	 * all-zero data sums to +0. The request then summed to exactly its
	 * type word plus its checksum.
	 */
	hc = vnet_get_be16(icmp + 2);
	if (sum == (VNET_PKT_ICMP_ECHO << 8) + (uint32_t)hc)
		hc = 0xffff;
	else
		hc = incr_csum_update(hc, VNET_PKT_ICMP_ECHO << 8,
				      VNET_PKT_ICMP_ECHOREPLY << 8);
	vnet_put_be16(rip + VNET_PKT_IP_HLEN + 2, hc);
}

static enum vnet_rfl_verdict reflect_ipv4(const uint8_t *in, uint32_t len,
					  uint8_t *out, uint32_t out_cap,
					  uint32_t *out_len)
{
	uint32_t ihl, tot_len, icmp_len, sum, rlen;
	enum vnet_rfl_verdict v;
	const uint8_t *icmp;

	v = ipv4_check(in, len, &ihl, &tot_len);
	if (v != VNET_RFL_ICMP_REPLY)
		return v;

	icmp = in + VNET_PKT_ETH_HLEN + ihl;
	icmp_len = tot_len - ihl;
	if (icmp_len < VNET_PKT_ICMP_HLEN)
		return VNET_RFL_DROP_ICMP_MALFORMED;
	/* The only pass over the payload; its sum is reused for the reply. */
	sum = sum_be16_words(icmp, icmp_len);
	if (ones_fold16(sum) != 0xffff)
		return VNET_RFL_DROP_ICMP_CSUM;
	if (icmp[0] != VNET_PKT_ICMP_ECHO || icmp[1] != 0)
		return VNET_RFL_DROP_ICMP_NOT_ECHO;

	rlen = VNET_PKT_ETH_HLEN + VNET_PKT_IP_HLEN + icmp_len;
	if (rlen > out_cap)
		return VNET_RFL_DROP_NO_ROOM;
	icmp_reply_build(in, ihl, icmp_len, sum, out);
	*out_len = rlen;
	return VNET_RFL_ICMP_REPLY;
}

enum vnet_rfl_verdict vnet_reflect(const uint8_t *in, uint32_t len,
				   uint8_t *out, uint32_t out_cap,
				   uint32_t *out_len)
{
	const uint8_t *src = in + VNET_PKT_ETH_ALEN;

	if (len < VNET_PKT_ETH_HLEN)
		return VNET_RFL_DROP_RUNT;
	if (mac_is_multicast(src) || mac_is_zero(src))
		return VNET_RFL_DROP_BAD_SRC_MAC;

	switch (vnet_get_be16(in + 12)) {
	case VNET_PKT_ETH_P_ARP:
		return reflect_arp(in, len, out, out_cap, out_len);
	case VNET_PKT_ETH_P_IP:
		return reflect_ipv4(in, len, out, out_cap, out_len);
	default:
		return VNET_RFL_DROP_ETHERTYPE;
	}
}
