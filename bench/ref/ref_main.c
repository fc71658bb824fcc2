// SPDX-License-Identifier: GPL-2.0
/*
 * vnet_ref: the ring-less reflector, a reference point for bench/. Its
 * ndo_start_xmit() answers with the same vnet_reflect() as vnet's link
 * partner and netif_rx()s the reply at once: no descriptors, no interrupt,
 * no NAPI. What vnet's reflect mode costs on top of this is the price of
 * behaving like hardware.
 */
#include <linux/etherdevice.h>
#include <linux/module.h>
#include <linux/netdevice.h>

#include "vnet_reflect.h"

static struct net_device *vnet_ref_dev;

static netdev_tx_t vnet_ref_xmit(struct sk_buff *skb, struct net_device *dev)
{
	enum vnet_rfl_verdict verdict;
	struct sk_buff *reply;
	u32 len;

	/* The reflector wants one contiguous frame, as the device's copy. */
	if (skb_linearize(skb))
		goto out;
	reply = netdev_alloc_skb_ip_align(dev, max_t(u32, skb->len, ETH_ZLEN));
	if (!reply)
		goto out;

	verdict = vnet_reflect(skb->data, skb->len, reply->data,
			       skb_tailroom(reply), &len);
	if (!vnet_rfl_is_reply(verdict)) {
		kfree_skb(reply);
		goto out;
	}
	skb_put(reply, len);
	reply->protocol = eth_type_trans(reply, dev);
	netif_rx(reply);
out:
	consume_skb(skb);
	return NETDEV_TX_OK;
}

static const struct net_device_ops vnet_ref_ops = {
	.ndo_start_xmit		= vnet_ref_xmit,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
};

static void vnet_ref_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->netdev_ops = &vnet_ref_ops;
	dev->needs_free_netdev = true;
	eth_hw_addr_random(dev);
}

static int __init vnet_ref_init(void)
{
	int err;

	vnet_ref_dev = alloc_netdev(0, "vnetref%d", NET_NAME_ENUM,
				    vnet_ref_setup);
	if (!vnet_ref_dev)
		return -ENOMEM;
	err = register_netdev(vnet_ref_dev);
	if (err)
		free_netdev(vnet_ref_dev);
	return err;
}

static void __exit vnet_ref_exit(void)
{
	unregister_netdev(vnet_ref_dev);
}

module_init(vnet_ref_init);
module_exit(vnet_ref_exit);

MODULE_DESCRIPTION("vnet_ref: ring-less reflector, a bench/ reference");
MODULE_LICENSE("GPL");
