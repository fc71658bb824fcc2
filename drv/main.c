// SPDX-License-Identifier: GPL-2.0
/*
 * vnet module: creates the emulated devices, cables them, and binds the
 * driver to each, standing in for the bus enumeration a real NIC would go
 * through.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vnet.h"
#include "vnet_board.h"

#define CREATE_TRACE_POINTS
#include "vnet_trace.h"

#define VNET_MAX_PORTS		8

static char *mode = "reflect";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode,
		 "link partner: reflect (answers ARP and ICMP echo) or pair (ports cabled back to back: 0-1, 2-3, ...)");

/*
 * Counts are checked as they are parsed, so a bad value fails insmod with
 * a message naming it. 0 is never valid: "ports" left unset means "by mode".
 */
static int vnet_param_set_count(const char *val, const struct kernel_param *kp,
				unsigned int max)
{
	unsigned int n;

	if (kstrtouint(val, 0, &n) || !n || n > max) {
		pr_err("%s=%s: must be 1 to %u\n", kp->name, val, max);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = n;
	return 0;
}

static int vnet_param_set_ports(const char *val, const struct kernel_param *kp)
{
	return vnet_param_set_count(val, kp, VNET_MAX_PORTS);
}

static int vnet_param_set_queues(const char *val,
				 const struct kernel_param *kp)
{
	return vnet_param_set_count(val, kp, VNET_MAX_QUEUES);
}

/* A time in microseconds, 0 to the register's field (RSC_USECS). */
static int vnet_param_set_usecs(const char *val, const struct kernel_param *kp)
{
	unsigned int n;

	if (kstrtouint(val, 0, &n) || n > VNET_MAX_RSC_USECS) {
		pr_err("%s=%s: must be 0 to %u\n", kp->name, val,
		       VNET_MAX_RSC_USECS);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = n;
	return 0;
}

static const struct kernel_param_ops vnet_usecs_ops = {
	.set = vnet_param_set_usecs,
	.get = param_get_uint,
};

static const struct kernel_param_ops vnet_ports_ops = {
	.set = vnet_param_set_ports,
	.get = param_get_uint,
};

static const struct kernel_param_ops vnet_queues_ops = {
	.set = vnet_param_set_queues,
	.get = param_get_uint,
};

static unsigned int ports;
module_param_cb(ports, &vnet_ports_ops, &ports, 0444);
MODULE_PARM_DESC(ports, "number of ports, 1-8, even in pair mode (default: 1 reflect, 2 pair)");

static unsigned int queues = 1;
module_param_cb(queues, &vnet_queues_ops, &queues, 0444);
MODULE_PARM_DESC(queues, "initial TX/RX queue pairs per port, 1-8 (default 1)");

static unsigned int rsc_usecs = VNET_DEF_RSC_USECS;
module_param_cb(rsc_usecs, &vnet_usecs_ops, &rsc_usecs, 0444);
MODULE_PARM_DESC(rsc_usecs, "how long open rx-gro-hw aggregates wait for their RX queue's next TCP segment, 0-65535 us (default 50)");

struct vnet_port {
	struct vnet_hw *hw;
	struct vnet_priv *priv;
};

static struct vnet_port *vnet_ports;
static unsigned int vnet_nr_ports;

/* Returns the number of ports to create, or a negative error. */
static int vnet_params_check(bool *pair)
{
	if (sysfs_streq(mode, "pair")) {
		*pair = true;
	} else if (sysfs_streq(mode, "reflect")) {
		*pair = false;
	} else {
		pr_err("mode=%s: must be reflect or pair\n", mode);
		return -EINVAL;
	}

	if (!ports)
		return *pair ? 2 : 1;
	if (*pair && ports % 2) {
		pr_err("ports=%u: pair mode needs an even number\n", ports);
		return -EINVAL;
	}
	return ports;
}

/* All devices exist and are cabled before any driver binds. */
static int __init vnet_create_devices(unsigned int n, bool pair)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		vnet_ports[i].hw = vnet_hw_create(i);
		if (!vnet_ports[i].hw)
			goto err_destroy;
		if (pair && i % 2)
			vnet_hw_connect(vnet_ports[i - 1].hw,
					vnet_ports[i].hw);
	}
	return 0;

err_destroy:
	while (i--)
		vnet_hw_destroy(vnet_ports[i].hw);
	return -ENOMEM;
}

static int __init vnet_probe_all(unsigned int n)
{
	struct vnet_priv *priv;
	unsigned int i;

	for (i = 0; i < n; i++) {
		priv = vnet_probe(vnet_ports[i].hw, queues, rsc_usecs);
		if (IS_ERR(priv))
			goto err_remove;
		vnet_ports[i].priv = priv;
	}
	return 0;

err_remove:
	while (i--)
		vnet_remove(vnet_ports[i].priv);
	return PTR_ERR(priv);
}

static int __init vnet_init(void)
{
	unsigned int i, n;
	bool pair;
	int err;

	err = vnet_params_check(&pair);
	if (err < 0)
		return err;
	n = err;

	vnet_ports = kcalloc(n, sizeof(*vnet_ports), GFP_KERNEL);
	if (!vnet_ports)
		return -ENOMEM;
	vnet_hw_debugfs_init();
	err = vnet_create_devices(n, pair);
	if (err)
		goto err_debugfs_exit;
	err = vnet_probe_all(n);
	if (err)
		goto err_destroy_devices;
	vnet_nr_ports = n;
	return 0;

err_destroy_devices:
	for (i = n; i--; )
		vnet_hw_destroy(vnet_ports[i].hw);
err_debugfs_exit:
	vnet_hw_debugfs_exit();
	kfree(vnet_ports);
	return err;
}

static void __exit vnet_exit(void)
{
	unsigned int i;

	for (i = vnet_nr_ports; i--; )
		vnet_remove(vnet_ports[i].priv);
	for (i = vnet_nr_ports; i--; )
		vnet_hw_destroy(vnet_ports[i].hw);
	vnet_hw_debugfs_exit();
	kfree(vnet_ports);
}

module_init(vnet_init);
module_exit(vnet_exit);

MODULE_DESCRIPTION("vnet: driver for an emulated NIC with descriptor rings");
MODULE_LICENSE("GPL");
