// SPDX-License-Identifier: GPL-2.0
/*
 * vnet module: creates the emulated devices and binds the driver to each,
 * standing in for the bus enumeration a real NIC would go through.
 */
#include <linux/module.h>

#include "vnet.h"

struct vnet_port {
	struct vnet_hw *hw;
	struct vnet_priv *priv;
};

static struct vnet_port vnet_ports[1];

static void vnet_ports_destroy(unsigned int n)
{
	while (n--) {
		vnet_remove(vnet_ports[n].priv);
		vnet_hw_destroy(vnet_ports[n].hw);
	}
}

static int __init vnet_init(void)
{
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(vnet_ports); i++) {
		struct vnet_port *port = &vnet_ports[i];

		port->hw = vnet_hw_create(i);
		if (!port->hw) {
			err = -ENOMEM;
			goto err_destroy_ports;
		}
		port->priv = vnet_probe(port->hw);
		if (IS_ERR(port->priv)) {
			err = PTR_ERR(port->priv);
			goto err_destroy_hw;
		}
	}
	return 0;

err_destroy_hw:
	vnet_hw_destroy(vnet_ports[i].hw);
err_destroy_ports:
	vnet_ports_destroy(i);
	return err;
}

static void __exit vnet_exit(void)
{
	vnet_ports_destroy(ARRAY_SIZE(vnet_ports));
}

module_init(vnet_init);
module_exit(vnet_exit);

MODULE_DESCRIPTION("vnet: driver for an emulated NIC with descriptor rings");
MODULE_LICENSE("GPL");
