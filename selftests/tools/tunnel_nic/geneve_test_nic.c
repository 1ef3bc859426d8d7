// SPDX-License-Identifier: GPL-2.0-only
/*
 * A NIC for tests only: `ip link add NAME type geneve_test_nic`.  It has no
 * datapath (what it is given to send is dropped) but a UDP tunnel port table
 * that the kernel's udp_tunnel_nic core programs as it would a real NIC's,
 * from the ports tunnel drivers announce.  `ethtool --show-tunnels NAME`
 * lists the table; `ethtool -S NAME` counts the calls that programmed it.
 * No NIC that QEMU emulates offloads tunnel ports, and Debian's kernel has
 * no netdevsim, hence this module.
 */
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <net/rtnetlink.h>
#include <net/udp_tunnel.h>

struct test_nic {
	atomic_long_t set_port;
	atomic_long_t unset_port;
	atomic_long_t set_port_geneve;	/* of set_port, those for Geneve */
};

static const char test_nic_stat_names[][ETH_GSTRING_LEN] = {
	"set_port", "unset_port", "set_port_geneve",
};

/* Called from RCU readers too (no UDP_TUNNEL_NIC_INFO_MAY_SLEEP). */
static int test_nic_set_port(struct net_device *dev, unsigned int table,
			     unsigned int entry, struct udp_tunnel_info *ti)
{
	struct test_nic *nic = netdev_priv(dev);

	atomic_long_inc(&nic->set_port);
	if (ti->type == UDP_TUNNEL_TYPE_GENEVE)
		atomic_long_inc(&nic->set_port_geneve);
	return 0;
}

static int test_nic_unset_port(struct net_device *dev, unsigned int table,
			       unsigned int entry, struct udp_tunnel_info *ti)
{
	struct test_nic *nic = netdev_priv(dev);

	atomic_long_inc(&nic->unset_port);
	return 0;
}

/* Two small tables, as many NICs have: Geneve and VXLAN apart. */
static const struct udp_tunnel_nic_info test_nic_udp_tunnels = {
	.set_port	= test_nic_set_port,
	.unset_port	= test_nic_unset_port,
	.tables		= {
		{ .n_entries = 4, .tunnel_types = UDP_TUNNEL_TYPE_GENEVE },
		{ .n_entries = 4, .tunnel_types = UDP_TUNNEL_TYPE_VXLAN },
	},
};

static netdev_tx_t test_nic_xmit(struct sk_buff *skb, struct net_device *dev)
{
	dev_core_stats_tx_dropped_inc(dev);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

static const struct net_device_ops test_nic_netdev_ops = {
	.ndo_start_xmit		= test_nic_xmit,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
};

static int test_nic_sset_count(struct net_device *dev, int sset)
{
	return sset == ETH_SS_STATS ? ARRAY_SIZE(test_nic_stat_names) : -EOPNOTSUPP;
}

static void test_nic_strings(struct net_device *dev, u32 sset, u8 *buf)
{
	if (sset == ETH_SS_STATS)
		memcpy(buf, test_nic_stat_names, sizeof(test_nic_stat_names));
}

static void test_nic_stats(struct net_device *dev, struct ethtool_stats *stats,
			   u64 *data)
{
	struct test_nic *nic = netdev_priv(dev);

	data[0] = atomic_long_read(&nic->set_port);
	data[1] = atomic_long_read(&nic->unset_port);
	data[2] = atomic_long_read(&nic->set_port_geneve);
}

static const struct ethtool_ops test_nic_ethtool_ops = {
	.get_sset_count		= test_nic_sset_count,
	.get_strings		= test_nic_strings,
	.get_ethtool_stats	= test_nic_stats,
};

static void test_nic_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->netdev_ops = &test_nic_netdev_ops;
	dev->ethtool_ops = &test_nic_ethtool_ops;
	dev->needs_free_netdev = true;
	dev->priv_flags |= IFF_NO_QUEUE;
	/* register_netdevice() turns on the offload feature for it. */
	dev->udp_tunnel_nic_info = &test_nic_udp_tunnels;
	eth_hw_addr_random(dev);
}

static struct rtnl_link_ops test_nic_link_ops __read_mostly = {
	.kind		= "geneve_test_nic",
	.priv_size	= sizeof(struct test_nic),
	.setup		= test_nic_setup,
};

static int __init test_nic_init(void)
{
	return rtnl_link_register(&test_nic_link_ops);
}

static void __exit test_nic_exit(void)
{
	rtnl_link_unregister(&test_nic_link_ops);
}

module_init(test_nic_init);
module_exit(test_nic_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NIC with a UDP tunnel port table, for geneve's tests");
MODULE_ALIAS_RTNL_LINK("geneve_test_nic");
