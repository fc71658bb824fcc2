/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The link partner of a port in reflect mode: a pure function from one
 * Ethernet frame to an optional reply frame. No kernel types, so it is unit
 * tested and fuzzed in userspace (tests/unit).
 */
#ifndef _VNET_REFLECT_H_
#define _VNET_REFLECT_H_

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stdint.h>
#endif

/*
 * Verdicts. The first ones build a reply; every other one is a drop reason
 * the device counts separately. Order is ABI for vnet_rfl_verdict_names[].
 */
enum vnet_rfl_verdict {
	VNET_RFL_ARP_REPLY,
	VNET_RFL_ICMP_REPLY,
	VNET_RFL_DROP_RUNT,		/* shorter than an Ethernet header */
	VNET_RFL_DROP_ETHERTYPE,	/* not IPv4 or ARP (IPv6, VLAN...) */
	VNET_RFL_DROP_BAD_SRC_MAC,	/* multicast or all-zero source MAC */
	VNET_RFL_DROP_ARP_MALFORMED,	/* truncated, not Ethernet/IPv4 ARP */
	VNET_RFL_DROP_ARP_NOT_REQUEST,	/* replies, RARP, other opcodes */
	VNET_RFL_DROP_ARP_PROBE,	/* DAD probe, announcement, self */
	VNET_RFL_DROP_IP_MALFORMED,	/* version, IHL, lengths, truncation */
	VNET_RFL_DROP_IP_CSUM,		/* IPv4 header checksum wrong */
	VNET_RFL_DROP_IP_FRAGMENT,	/* MF set or non-zero offset */
	VNET_RFL_DROP_IP_NOT_UNICAST,	/* non-unicast src, dst or eth dst */
	VNET_RFL_DROP_NOT_ICMP,		/* TCP, UDP, ... */
	VNET_RFL_DROP_ICMP_MALFORMED,	/* shorter than an ICMP header */
	VNET_RFL_DROP_ICMP_CSUM,	/* ICMP checksum wrong */
	VNET_RFL_DROP_ICMP_NOT_ECHO,	/* any ICMP type but echo request */
	VNET_RFL_DROP_NO_ROOM,		/* reply does not fit out_cap */
	VNET_RFL_NR_VERDICTS
};

/* Short lowercase names, e.g. "arp_reply", "drop_ip_csum" (< 24 chars). */
extern const char *const vnet_rfl_verdict_names[VNET_RFL_NR_VERDICTS];

static inline bool vnet_rfl_is_reply(enum vnet_rfl_verdict v)
{
	return v == VNET_RFL_ARP_REPLY || v == VNET_RFL_ICMP_REPLY;
}

/**
 * vnet_reflect() - answer one frame as the link partner would
 * @in: the frame as it left the port, starting at the destination MAC
 * @len: bytes in @in (may include Ethernet padding past the IP length)
 * @out: buffer for the reply; must not overlap @in
 * @out_cap: size of @out
 * @out_len: set to the reply length when a reply is built
 *
 * Answers ARP requests for any target address except the sender's own and
 * ICMP echo requests to unicast IPv4 addresses. Every header field read is
 * bounds checked against @len; nothing is written to @out unless a reply is
 * built.
 *
 * Return: VNET_RFL_ARP_REPLY or VNET_RFL_ICMP_REPLY with *@out_len set, or
 * the reason the frame was dropped.
 */
enum vnet_rfl_verdict vnet_reflect(const uint8_t *in, uint32_t len,
				   uint8_t *out, uint32_t out_cap,
				   uint32_t *out_len);

#endif /* _VNET_REFLECT_H_ */
