// SPDX-License-Identifier: GPL-2.0
/*
 * vnet module: creates the emulated devices, cables them, and binds the
 * driver to each, standing in for the bus enumeration a real NIC would go
 * through.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vnet.h"

#define VNET_MAX_PORTS		8

static char *mode = "reflect";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode,
		 "link partner: reflect (answers ARP and ICMP echo) or pair (ports cabled back to back: 0-1, 2-3, ...)");

static unsigned int ports;
module_param(ports, uint, 0444);
MODULE_PARM_DESC(ports, "number of ports, 1-8, even in pair mode (default: 1 reflect, 2 pair)");

static unsigned int queues = 1;
module_param(queues, uint, 0444);
MODULE_PARM_DESC(queues, "initial TX/RX queue pairs per port, 1-8 (default 1)");

struct vnet_port {
	struct vnet_hw *hw;
	struct vnet_priv *priv;
};

static struct vnet_port *vnet_ports;
static unsigned int vnet_nr_ports;


static int vnet_params_check(bool *pair)
{
	if (sysfs_streq(mode, "pair")) {
		*pair = true;
	} else if (sysfs_streq(mode, "reflect")) {
		*pair = false;
	} else {
		pr_err("vnet: mode=%s: must be reflect or pair\n", mode);
		return -EINVAL;
	}

	if (!ports)
		ports = *pair ? 2 : 1;
	if (ports > VNET_MAX_PORTS) {
		pr_err("vnet: ports=%u: at most %u\n", ports, VNET_MAX_PORTS);
		return -EINVAL;
	}
	if (*pair && ports % 2) {
		pr_err("vnet: ports=%u: pair mode needs an even number\n",
		       ports);
		return -EINVAL;
	}
	if (!queues || queues > VNET_MAX_QUEUES) {
		pr_err("vnet: queues=%u: must be 1 to %u\n", queues,
		       VNET_MAX_QUEUES);
		return -EINVAL;
	}
	return 0;
}

static int __init vnet_init(void)
{
	unsigned int i;
	bool pair;
	int err;

	err = vnet_params_check(&pair);
	if (err)
		return err;

	vnet_ports = kcalloc(ports, sizeof(*vnet_ports), GFP_KERNEL);
	if (!vnet_ports)
		return -ENOMEM;

	/* All devices exist and are cabled before any driver binds. */
	for (i = 0; i < ports; i++) {
		vnet_ports[i].hw = vnet_hw_create(i);
		if (!vnet_ports[i].hw) {
			err = -ENOMEM;
			goto err_destroy_hw;
		}
		if (pair && i % 2)
			vnet_hw_connect(vnet_ports[i - 1].hw,
					vnet_ports[i].hw);
	}

	for (i = 0; i < ports; i++) {
		struct vnet_priv *priv = vnet_probe(vnet_ports[i].hw, queues);

		if (IS_ERR(priv)) {
			err = PTR_ERR(priv);
			goto err_remove;
		}
		vnet_ports[i].priv = priv;
	}
	vnet_nr_ports = ports;
	return 0;

err_remove:
	while (i--)
		vnet_remove(vnet_ports[i].priv);
	i = ports;
err_destroy_hw:
	while (i--)
		vnet_hw_destroy(vnet_ports[i].hw);
	kfree(vnet_ports);
	return err;
}

/* Drivers first: a cabled device must outlive both ends' drivers. */
static void __exit vnet_exit(void)
{
	unsigned int i;

	for (i = vnet_nr_ports; i--; )
		vnet_remove(vnet_ports[i].priv);
	for (i = vnet_nr_ports; i--; )
		vnet_hw_destroy(vnet_ports[i].hw);
	kfree(vnet_ports);
}

module_init(vnet_init);
module_exit(vnet_exit);

MODULE_DESCRIPTION("vnet: driver for an emulated NIC with descriptor rings");
MODULE_LICENSE("GPL");
