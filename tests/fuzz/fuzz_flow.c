// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the device's header parser and RSS hash: whatever
 * the bytes, vnet_flow_parse() and vnet_flow_parse_inner() read inside the
 * frame and report offsets that lie inside it, and hashing its result is
 * safe.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vnet_flow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[VNET_RSS_KEY_LEN] = { 0x6d, 0x5a, 0x56, 0xda };
	struct vnet_flow fl, in;
	uint8_t *frame;

	if (size > 65535)
		return 0;
	frame = malloc(size ? size : 1);
	if (!frame)
		abort();
	memcpy(frame, data, size);

	if (vnet_flow_parse(frame, size, &fl)) {
		if (!fl.l3_off || fl.l3_off >= size ||
		    (fl.ip_ver != 4 && fl.ip_ver != 6))
			abort();
		if (fl.l4_off && (fl.l4_off <= fl.l3_off || fl.frag ||
				  fl.l4_off + fl.l4_hlen > size))
			abort();
		if (fl.inner_off && (fl.inner_off <= fl.l3_off ||
				     fl.inner_off >= size || fl.l4_off))
			abort();
		if (vnet_flow_parse_inner(frame, size, &fl, &in) &&
		    (in.l3_off != fl.inner_off || in.l3_off >= size ||
		     (in.l4_off && in.l4_off + in.l4_hlen > size) ||
		     (in.inner_off && in.inner_off >= size)))
			abort();
		/* Fields and transform from the frame's first byte. */
		vnet_flow_hash(&fl, key, size ? frame[0] & VNET_FLOW_H_ALL : 0,
			       size ? frame[0] >> 6 : 0, NULL);
	}

	free(frame);
	return 0;
}
