/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the link partner of a port in reflect mode (vnet_reflect()) decided
 * about the frames it received. The partner is not part of the NIC and has
 * no registers: this is the test bench's view of the far end, which the
 * driver shows in ethtool -S (reflect_<verdict>) as a test aid.
 */
#ifndef _VNET_PARTNER_H_
#define _VNET_PARTNER_H_

#include <linux/types.h>

#include "vnet_reflect.h"

struct vnet_hw;

/* Frames the partner of @hw gave verdict @v, over all queues. */
u64 vnet_partner_verdicts(struct vnet_hw *hw, enum vnet_rfl_verdict v);

#endif /* _VNET_PARTNER_H_ */
