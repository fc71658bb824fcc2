/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test frames built byte by byte, in network byte order, shared by the
 * unit tests. put8() stops writing at FRAME_MAX but keeps counting, so an
 * oversized frame cannot overrun the buffer.
 */
#ifndef _VNET_FRAME_H_
#define _VNET_FRAME_H_

#include <stddef.h>
#include <stdint.h>

#define FRAME_MAX	4096

struct frame {
	uint8_t b[FRAME_MAX];
	uint32_t len;
};

static void put8(struct frame *f, uint8_t v)
{
	if (f->len < FRAME_MAX)
		f->b[f->len] = v;
	f->len++;
}

static void put16(struct frame *f, uint16_t v)
{
	put8(f, v >> 8);
	put8(f, v & 0xff);
}

static void putn(struct frame *f, const uint8_t *p, size_t n)
{
	while (n--)
		put8(f, *p++);
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) << 16 | rd16(p + 2);
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* Start @f over with an Ethernet header. */
static void put_eth(struct frame *f, const uint8_t *dst, const uint8_t *src,
		    uint16_t type)
{
	f->len = 0;
	putn(f, dst, 6);
	putn(f, src, 6);
	put16(f, type);
}

#endif /* _VNET_FRAME_H_ */
