/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the emulated device's pure-C packet code (vnet_flow.c, the parser,
 * and vnet_reflect.c, the link partner) shares: network-order access to
 * unaligned byte buffers and the wire-format constants both files use. No
 * kernel helpers, so it compiles in the userspace unit tests and fuzzers
 * (tests/unit, tests/fuzz), and the types and memcpy() both use. Include
 * it from .c files only: its names are not meant for the rest of the
 * driver, which has the kernel's.
 */
#ifndef _VNET_BYTES_H_
#define _VNET_BYTES_H_

#ifdef __KERNEL__
#include <linux/string.h>
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#endif

/*
 * Private names: the kernel and libc each have ETH_P_* and IPPROTO_*, from
 * headers that differ between the two builds and clash when mixed, so
 * neither set is used and none is redefined. Constants only one file uses
 * stay in that file, under the same prefix.
 */
#define VNET_PKT_ETH_HLEN	14
#define VNET_PKT_ETH_P_IP	0x0800

#define VNET_PKT_IP_ALEN	4
#define VNET_PKT_IP_HLEN	20	/* without options */
#define VNET_PKT_IP_MF		0x2000
#define VNET_PKT_IP_OFFSET	0x1fff

static inline uint16_t vnet_get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t vnet_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void vnet_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	/* Masked: sparse flags the bare cast once a constant @v is inlined. */
	p[1] = (uint8_t)(v & 0xff);
}

#endif /* _VNET_BYTES_H_ */
