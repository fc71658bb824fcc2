// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the ring index helpers in drv/vnet_ring.h, checked against
 * a model written with plain modular arithmetic.
 */
#include <stdint.h>
#include <stdlib.h>

#include "vnet_ring.h"
#include "unit.h"

/* Reference model: no masking tricks, just modular arithmetic. */
static uint32_t model_used(uint32_t head, uint32_t tail, uint32_t size)
{
	return (tail % size + size - head % size) % size;
}

/* The device's limits (VNET_HW_RING_MIN/MAX_SIZE in the datasheet). */
#define RING_MIN	64
#define RING_MAX	4096

static int size_valid(uint32_t size)
{
	return vnet_ring_size_valid(size, RING_MIN, RING_MAX);
}

static int model_size_valid(uint64_t size)
{
	unsigned int bits = 0;
	uint64_t s;

	for (s = size; s; s >>= 1)
		bits += s & 1;
	return bits == 1 && size >= RING_MIN && size <= RING_MAX;
}

/* Every size the helpers must support: 64, 128, ..., 4096. */
#define for_each_size(s)	for ((s) = RING_MIN; (s) <= RING_MAX; (s) <<= 1)

static void test_size_valid_listed(void)
{
	static const uint32_t bad[] = {
		0, 1, 2, 32, 63, 65, 100, 127, 129, 192, 1000, 4095, 4097,
		6144, 8192, 65536, 0x80000000u, 0xffffffffu,
	};
	uint32_t s;
	size_t i;

	for_each_size(s)
		CHECK(size_valid(s), "size %u rejected", s);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!size_valid(bad[i]), "size %u accepted",
		      bad[i]);
}

static void test_size_valid_exhaustive(void)
{
	uint64_t s;

	/* Every value up to 2^17, then every power of two and neighbour. */
	for (s = 0; s <= (1u << 17); s++)
		CHECK(!!size_valid((uint32_t)s) ==
		      model_size_valid(s), "size %llu",
		      (unsigned long long)s);
	for (s = 1; s <= 0x80000000u; s <<= 1) {
		CHECK(!!size_valid((uint32_t)s) ==
		      model_size_valid(s), "size %llu",
		      (unsigned long long)s);
		CHECK(!size_valid((uint32_t)(s + 1)),
		      "size %llu", (unsigned long long)(s + 1));
	}
	CHECK(!size_valid(0xffffffffu), "size 0xffffffff");
}

static void test_at_zero(void)
{
	uint32_t s;

	for_each_size(s) {
		CHECK(vnet_ring_used(0, 0, s) == 0, "size %u used", s);
		CHECK(vnet_ring_unused(0, 0, s) == s - 1, "size %u unused", s);
		CHECK(vnet_ring_used(0, 1, s) == 1, "size %u used 0,1", s);
		CHECK(vnet_ring_unused(0, 1, s) == s - 2,
		      "size %u unused 0,1", s);
		CHECK(vnet_ring_next(0, s) == 1, "size %u next(0)", s);
		CHECK(vnet_ring_add(0, 0, s) == 0, "size %u add(0,0)", s);
		CHECK(vnet_ring_add(0, 5, s) == 5, "size %u add(0,5)", s);
		CHECK(vnet_ring_add(0, s, s) == 0, "size %u add(0,s)", s);
		CHECK(vnet_ring_add(0, s - 1, s) == s - 1,
		      "size %u add(0,s-1)", s);
	}
}

static void test_wrap_around(void)
{
	uint32_t s, n;

	for_each_size(s) {
		CHECK(vnet_ring_next(s - 1, s) == 0, "size %u next(s-1)", s);
		CHECK(vnet_ring_add(s - 1, 1, s) == 0, "size %u add", s);
		CHECK(vnet_ring_add(s - 1, 2, s) == 1, "size %u add", s);
		CHECK(vnet_ring_add(s - 2, s, s) == s - 2, "size %u add", s);
		CHECK(vnet_ring_add(3, s - 1, s) == 2, "size %u add", s);
		/* Producer wrapped, consumer not yet. */
		CHECK(vnet_ring_used(s - 2, 1, s) == 3, "size %u used", s);
		CHECK(vnet_ring_unused(s - 2, 1, s) == s - 4,
		      "size %u unused", s);
		/* Consumer just behind the wrap point of the producer. */
		CHECK(vnet_ring_used(s - 1, 0, s) == 1, "size %u used", s);
		CHECK(vnet_ring_used(1, 0, s) == s - 1, "size %u used", s);
		for (n = 0; n < 2 * s; n += 7)
			CHECK(vnet_ring_add(s - 1, n, s) == (s - 1 + n) % s,
			      "size %u add(s-1,%u)", s, n);
	}
}

static void test_empty_and_full(void)
{
	uint32_t s, i;

	for_each_size(s) {
		const uint32_t heads[] = { 0, 1, s / 2, s - 2, s - 1 };

		for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
			uint32_t h = heads[i];
			uint32_t full = (h + s - 1) % s;

			CHECK(vnet_ring_used(h, h, s) == 0,
			      "size %u head %u empty used", s, h);
			CHECK(vnet_ring_unused(h, h, s) == s - 1,
			      "size %u head %u empty unused", s, h);
			CHECK(vnet_ring_used(h, full, s) == s - 1,
			      "size %u head %u full used", s, h);
			CHECK(vnet_ring_unused(h, full, s) == 0,
			      "size %u head %u full unused", s, h);
			/* Filling the last slot would look empty. */
			CHECK(vnet_ring_next(full, s) == h,
			      "size %u head %u next(full)", s, h);
		}
	}
}

static void test_invariant_exhaustive_64(void)
{
	const uint32_t s = 64;
	uint32_t h, t;

	for (h = 0; h < s; h++) {
		for (t = 0; t < s; t++) {
			uint32_t unused = vnet_ring_unused(h, t, s);
			uint32_t used = vnet_ring_used(h, t, s);

			CHECK(used + unused == s - 1, "h %u t %u sum %u",
			      h, t, used + unused);
			CHECK(used == model_used(h, t, s),
			      "h %u t %u used %u", h, t, used);
			CHECK(vnet_ring_next(t, s) == (t + 1) % s,
			      "next(%u)", t);
			CHECK(vnet_ring_add(h, t, s) == (h + t) % s,
			      "add(%u, %u)", h, t);
		}
	}
}

static void test_invariant_all_sizes(void)
{
	uint32_t s, h, t;

	for_each_size(s)
		for (h = 0; h < s; h++)
			for (t = 0; t < s; t++)
				if (vnet_ring_used(h, t, s) +
				    vnet_ring_unused(h, t, s) != s - 1 ||
				    vnet_ring_used(h, t, s) !=
				    model_used(h, t, s))
					CHECK(0, "size %u h %u t %u", s, h, t);
}

/*
 * Run a producer and a consumer with pseudo-random batch sizes around the
 * ring many times and compare with a plain counter of in-flight entries.
 */
static void test_producer_consumer(void)
{
	uint32_t s, step, rng = 12345;

	for_each_size(s) {
		uint32_t head = 0, tail = 0, inflight = 0;

		for (step = 0; step < 20000; step++) {
			uint32_t n;

			rng = rng * 1103515245u + 12345u;
			n = (rng >> 16) % (s / 2 + 1);
			if (rng & 0x8000) {
				if (n > vnet_ring_unused(head, tail, s))
					n = vnet_ring_unused(head, tail, s);
				tail = vnet_ring_add(tail, n, s);
				inflight += n;
			} else {
				if (n > vnet_ring_used(head, tail, s))
					n = vnet_ring_used(head, tail, s);
				head = vnet_ring_add(head, n, s);
				inflight -= n;
			}
			if (vnet_ring_used(head, tail, s) != inflight ||
			    inflight > s - 1 || head >= s || tail >= s) {
				CHECK(0, "size %u step %u used %u model %u",
				      s, step, vnet_ring_used(head, tail, s),
				      inflight);
				break;
			}
		}
	}
}

int main(void)
{
	RUN_TEST(test_size_valid_listed);
	RUN_TEST(test_size_valid_exhaustive);
	RUN_TEST(test_at_zero);
	RUN_TEST(test_wrap_around);
	RUN_TEST(test_empty_and_full);
	RUN_TEST(test_invariant_exhaustive_64);
	RUN_TEST(test_invariant_all_sizes);
	RUN_TEST(test_producer_consumer);
	return unit_exit_code();
}
