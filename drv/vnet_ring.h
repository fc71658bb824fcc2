/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Descriptor ring index arithmetic shared by the driver and the emulated
 * device. Pure C with no kernel dependencies so that tests/unit can compile
 * it in userspace.
 *
 * A ring has a power-of-two number of slots. The producer owns next_to_use
 * (the tail), the consumer owns next_to_clean (the head). One slot is always
 * left empty so that head == tail unambiguously means "empty".
 */
#ifndef _VNET_RING_H_
#define _VNET_RING_H_

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stdint.h>
#endif

/* Slots holding work the consumer has not processed yet. */
static inline uint32_t vnet_ring_used(uint32_t head, uint32_t tail,
				      uint32_t size)
{
	return (tail - head) & (size - 1);
}

/* Slots the producer may still fill. */
static inline uint32_t vnet_ring_unused(uint32_t head, uint32_t tail,
					uint32_t size)
{
	return size - 1 - vnet_ring_used(head, tail, size);
}

static inline uint32_t vnet_ring_add(uint32_t idx, uint32_t n, uint32_t size)
{
	return (idx + n) & (size - 1);
}

static inline uint32_t vnet_ring_next(uint32_t idx, uint32_t size)
{
	return vnet_ring_add(idx, 1, size);
}

/* A ring size the device takes: a power of two within its limits. */
static inline bool vnet_ring_size_valid(uint32_t size, uint32_t min,
					uint32_t max)
{
	return size >= min && size <= max && (size & (size - 1)) == 0;
}

#endif /* _VNET_RING_H_ */
