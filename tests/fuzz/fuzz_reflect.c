// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the link partner: vnet_reflect() on any bytes, with
 * a reply buffer too small, just large enough or roomy (ASan sees every
 * read past the frame and every write past the buffer). The first input
 * byte picks the buffer size: 255 exactly the frame's size, 254 the
 * largest frame, else 0..253 bytes. The rest is the frame.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vnet_reflect.h"

#define FUZZ_MAX_REPLY	9018

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum vnet_rfl_verdict v, v_none;
	uint32_t len, cap, out_len = 0, none_len = 0;
	uint8_t *frame, *out;

	if (size < 1 || size - 1 > FUZZ_MAX_REPLY)
		return 0;
	len = size - 1;
	if (data[0] == 255)
		cap = len;
	else if (data[0] == 254)
		cap = FUZZ_MAX_REPLY;
	else
		cap = data[0];

	/* Exact-size copies: a read or write one byte out is a report. */
	frame = malloc(len ? len : 1);
	out = malloc(cap ? cap : 1);
	if (!frame || !out)
		abort();
	memcpy(frame, data + 1, len);

	v = vnet_reflect(frame, len, out, cap, &out_len);
	if ((unsigned int)v >= VNET_RFL_NR_VERDICTS)
		abort();
	if (vnet_rfl_is_reply(v) && (out_len > cap || out_len < 42))
		abort();

	/* No buffer at all: a frame that would be answered has no room. */
	v_none = vnet_reflect(frame, len, NULL, 0, &none_len);
	if (vnet_rfl_is_reply(v_none) ||
	    (vnet_rfl_is_reply(v) && v_none != VNET_RFL_DROP_NO_ROOM))
		abort();

	free(frame);
	free(out);
	return 0;
}
