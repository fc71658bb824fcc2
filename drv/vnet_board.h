/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's stand-in for a bus and a lab bench: creating the emulated
 * devices, cabling them, and destroying them. Only main.c uses it; the
 * driver sees a device through vnet_hw.h alone.
 */
#ifndef _VNET_BOARD_H_
#define _VNET_BOARD_H_

struct vnet_hw;

/* The debugfs root for every device's fault injection files. */
void vnet_hw_debugfs_init(void);
void vnet_hw_debugfs_exit(void);

struct vnet_hw *vnet_hw_create(unsigned int port);
/* Cable two ports back to back instead of to the link partner. */
void vnet_hw_connect(struct vnet_hw *a, struct vnet_hw *b);
/* Cabled devices go only after both drivers have let go of them. */
void vnet_hw_destroy(struct vnet_hw *hw);

#endif /* _VNET_BOARD_H_ */
