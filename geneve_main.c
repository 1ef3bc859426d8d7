// SPDX-License-Identifier: GPL-2.0-only
/*
 * Geneve (RFC 8926) tunnel devices: module and namespace lifecycle, the
 * shared UDP sockets, and what a device does when it is created, opened,
 * reconfigured, stopped and destroyed.
 *
 * Locking: every control-path change happens under RTNL.  The datapath finds
 * devices through a socket's VNI hash and a device's socket through
 * geneve_dev.sock4, both published with RCU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/rtnetlink.h>
#include <net/udp_tunnel.h>

#include "geneve_priv.h"

unsigned int geneve_net_id;

static struct geneve_sock *geneve_sock_find(struct geneve_net *gn, __be16 port)
{
	struct geneve_sock *gs;

	list_for_each_entry(gs, &gn->socks, net_node)
		if (gs->port == port)
			return gs;
	return NULL;
}

static struct geneve_sock *geneve_sock_create(struct net *net, __be16 port)
{
	struct udp_port_cfg port_cfg = {
		.family = AF_INET,
		.local_ip.s_addr = htonl(INADDR_ANY),
		.local_udp_port = port,
	};
	struct udp_tunnel_sock_cfg tunnel_cfg = {
		.encap_type = 1,	/* any non-zero type selects encap_rcv */
		.encap_rcv = geneve_udp_encap_recv,
	};
	struct geneve_sock *gs;
	unsigned int i;
	int err;

	gs = kzalloc(sizeof(*gs), GFP_KERNEL);
	if (!gs)
		return ERR_PTR(-ENOMEM);
	err = udp_sock_create(net, &port_cfg, &gs->sock);
	if (err) {
		kfree(gs);
		return ERR_PTR(err);
	}
	gs->port = port;
	for (i = 0; i < ARRAY_SIZE(gs->vni_heads); i++)
		INIT_HLIST_HEAD(&gs->vni_heads[i]);

	tunnel_cfg.sk_user_data = gs;
	setup_udp_tunnel_sock(net, gs->sock, &tunnel_cfg);
	list_add_rcu(&gs->net_node, &geneve_pernet(net)->socks);
	return gs;
}

static struct geneve_sock *geneve_sock_get(struct net *net, __be16 port)
{
	struct geneve_sock *gs;

	ASSERT_RTNL();
	gs = geneve_sock_find(geneve_pernet(net), port);
	if (!gs) {
		gs = geneve_sock_create(net, port);
		if (IS_ERR(gs))
			return gs;
	}
	WRITE_ONCE(gs->users, gs->users + 1);
	return gs;
}

static void geneve_sock_put(struct geneve_sock *gs)
{
	ASSERT_RTNL();
	WRITE_ONCE(gs->users, gs->users - 1);
	if (gs->users)
		return;
	list_del_rcu(&gs->net_node);
	/* Clears sk_user_data and waits for encap_rcv callers to finish. */
	udp_tunnel_sock_release(gs->sock);
	kfree_rcu(gs, rcu);
}

/* Makes the device reachable from its socket, and the socket from it. */
static void geneve_attach(struct geneve_dev *geneve, struct geneve_sock *gs)
{
	hlist_add_head_rcu(&geneve->vni_node,
			   &gs->vni_heads[geneve_vni_hash(geneve->cfg.vni)]);
	rcu_assign_pointer(geneve->sock4, gs);
}

static struct geneve_sock *geneve_detach(struct geneve_dev *geneve)
{
	struct geneve_sock *gs = rtnl_dereference(geneve->sock4);

	hlist_del_init_rcu(&geneve->vni_node);
	RCU_INIT_POINTER(geneve->sock4, NULL);
	return gs;
}

static int geneve_open(struct net_device *dev)
{
	struct geneve_dev *geneve = netdev_priv(dev);
	struct geneve_sock *gs;

	gs = geneve_sock_get(geneve->net, geneve->cfg.dst_port);
	if (IS_ERR(gs))
		return PTR_ERR(gs);
	geneve_attach(geneve, gs);
	return 0;
}

static int geneve_stop(struct net_device *dev)
{
	geneve_sock_put(geneve_detach(netdev_priv(dev)));
	return 0;
}

static int geneve_init(struct net_device *dev)
{
	struct geneve_dev *geneve = netdev_priv(dev);
	int err;

	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return -ENOMEM;
	err = gro_cells_init(&geneve->gro_cells, dev);
	if (err)
		goto err_free_stats;
	err = dst_cache_init(&geneve->dst_cache, GFP_KERNEL);
	if (err)
		goto err_destroy_gro;
	return 0;

err_destroy_gro:
	gro_cells_destroy(&geneve->gro_cells);
err_free_stats:
	free_percpu(dev->tstats);
	return err;
}

static void geneve_uninit(struct net_device *dev)
{
	struct geneve_dev *geneve = netdev_priv(dev);

	dst_cache_destroy(&geneve->dst_cache);
	gro_cells_destroy(&geneve->gro_cells);
	free_percpu(dev->tstats);
}

static const struct net_device_ops geneve_netdev_ops = {
	.ndo_init		= geneve_init,
	.ndo_uninit		= geneve_uninit,
	.ndo_open		= geneve_open,
	.ndo_stop		= geneve_stop,
	.ndo_start_xmit		= geneve_xmit,
	.ndo_get_stats64	= dev_get_tstats64,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
};

static void geneve_get_drvinfo(struct net_device *dev,
			       struct ethtool_drvinfo *info)
{
	strscpy(info->driver, "geneve", sizeof(info->driver));
}

static const struct ethtool_ops geneve_ethtool_ops = {
	.get_drvinfo	= geneve_get_drvinfo,
	.get_link	= ethtool_op_get_link,
};

/* Lets udev and sysfs users tell tunnel endpoints from other devices. */
static struct device_type geneve_devtype = {
	.name = "geneve",
};

void geneve_setup(struct net_device *dev)
{
	netdev_features_t features = NETIF_F_SG | NETIF_F_HW_CSUM |
				     NETIF_F_FRAGLIST | NETIF_F_RXCSUM |
				     NETIF_F_GSO_SOFTWARE;

	ether_setup(dev);
	dev->netdev_ops = &geneve_netdev_ops;
	dev->ethtool_ops = &geneve_ethtool_ops;
	dev->needs_free_netdev = true;
	SET_NETDEV_DEVTYPE(dev, &geneve_devtype);

	dev->features |= features | NETIF_F_LLTX;
	dev->hw_features |= features;

	/* The outer IP header is subtracted once the family is known. */
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = IP_MAX_MTU - GENEVE_UDP_HLEN - ETH_HLEN;

	netif_keep_dst(dev);
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	dev->priv_flags |= IFF_LIVE_ADDR_CHANGE | IFF_NO_QUEUE;
	eth_hw_addr_random(dev);
}

void geneve_set_mtu(struct net_device *dev, int mtu)
{
	dev->mtu = clamp_t(int, mtu, dev->min_mtu, dev->max_mtu);
}

/* MTU left to the inner frame on the route to @remote; 0 if unrouted. */
int geneve_route_mtu(struct net *net, __be32 remote)
{
	struct flowi4 fl4 = { .daddr = remote };
	struct rtable *rt;
	int mtu;

	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return 0;
	mtu = rt->dst.dev->mtu - (int)GENEVE_IPV4_OVERHEAD;
	ip_rt_put(rt);
	return mtu;
}

int geneve_register(struct net *net, struct net_device *dev,
		    const struct geneve_cfg *cfg, struct netlink_ext_ack *extack)
{
	struct geneve_net *gn = geneve_pernet(net);
	struct geneve_dev *geneve = netdev_priv(dev);
	struct geneve_dev *other;
	int err;

	list_for_each_entry(other, &gn->devices, net_node) {
		if (other->cfg.vni == cfg->vni &&
		    other->cfg.dst_port == cfg->dst_port &&
		    other->cfg.remote4 == cfg->remote4) {
			NL_SET_ERR_MSG(extack,
				       "A device with this VNI, remote and port already exists");
			return -EBUSY;
		}
	}

	geneve->dev = dev;
	geneve->net = net;
	geneve->cfg = *cfg;
	dev->max_mtu -= sizeof(struct iphdr);
	dev->needed_headroom = GENEVE_IPV4_OVERHEAD + ETH_HLEN;

	err = register_netdevice(dev);
	if (err)
		return err;
	list_add(&geneve->net_node, &gn->devices);
	return 0;
}

/*
 * Rewrites the configuration of a live device.  The device leaves its socket
 * for one grace period, so no packet sees half of the old configuration and
 * half of the new one (packets sent meanwhile are dropped and counted).
 */
void geneve_update_cfg(struct geneve_dev *geneve, const struct geneve_cfg *cfg)
{
	struct geneve_sock *gs = NULL;

	ASSERT_RTNL();
	if (netif_running(geneve->dev)) {
		gs = geneve_detach(geneve);
		synchronize_net();
	}
	geneve->cfg = *cfg;
	dst_cache_reset(&geneve->dst_cache);
	if (gs)
		geneve_attach(geneve, gs);
}

void geneve_dellink(struct net_device *dev, struct list_head *head)
{
	struct geneve_dev *geneve = netdev_priv(dev);

	list_del(&geneve->net_node);
	unregister_netdevice_queue(dev, head);
}

static const char *const geneve_sock_drop_names[GENEVE_SOCK_DROP_MAX] = {
	[GENEVE_SOCK_DROP_SHORT]	= "short",
	[GENEVE_SOCK_DROP_VERSION]	= "bad_version",
	[GENEVE_SOCK_DROP_NO_TUNNEL]	= "no_tunnel",
};

/* /proc/net/geneve: one line per socket, with what it dropped and why. */
static int geneve_proc_show(struct seq_file *seq, void *v)
{
	struct net *net = seq_file_single_net(seq);
	struct geneve_sock *gs;
	unsigned int i;

	seq_puts(seq, "port family users");
	for (i = 0; i < GENEVE_SOCK_DROP_MAX; i++)
		seq_printf(seq, " %s", geneve_sock_drop_names[i]);
	seq_putc(seq, '\n');

	rcu_read_lock();
	list_for_each_entry_rcu(gs, &geneve_pernet(net)->socks, net_node) {
		seq_printf(seq, "%u inet %u", ntohs(gs->port), READ_ONCE(gs->users));
		for (i = 0; i < GENEVE_SOCK_DROP_MAX; i++)
			seq_printf(seq, " %ld", atomic_long_read(&gs->drops[i]));
		seq_putc(seq, '\n');
	}
	rcu_read_unlock();
	return 0;
}

static int __net_init geneve_net_init(struct net *net)
{
	struct geneve_net *gn = geneve_pernet(net);

	INIT_LIST_HEAD(&gn->devices);
	INIT_LIST_HEAD(&gn->socks);
	if (!proc_create_net_single("geneve", 0444, net->proc_net,
				    geneve_proc_show, NULL))
		return -ENOMEM;
	return 0;
}

static void __net_exit geneve_net_exit(struct net *net)
{
	remove_proc_entry("geneve", net->proc_net);
}

/*
 * The core deleted the devices living in the dying namespaces already
 * (device exits run before subsystem exits).  What is left on our lists are
 * devices moved to other namespaces whose socket lives in a dying one: they
 * go now, before the namespace they send and receive through disappears.
 */
static void __net_exit geneve_net_exit_batch(struct list_head *net_list)
{
	struct geneve_dev *geneve, *next;
	struct net *net;
	LIST_HEAD(kill);

	rtnl_lock();
	list_for_each_entry(net, net_list, exit_list)
		list_for_each_entry_safe(geneve, next,
					 &geneve_pernet(net)->devices, net_node)
			geneve_dellink(geneve->dev, &kill);
	unregister_netdevice_many(&kill);
	rtnl_unlock();

	list_for_each_entry(net, net_list, exit_list)
		WARN_ON_ONCE(!list_empty(&geneve_pernet(net)->socks));
}

static struct pernet_operations geneve_net_ops = {
	.init		= geneve_net_init,
	.exit		= geneve_net_exit,
	.exit_batch	= geneve_net_exit_batch,
	.id		= &geneve_net_id,
	.size		= sizeof(struct geneve_net),
};

static int __init geneve_module_init(void)
{
	int err;

	err = register_pernet_subsys(&geneve_net_ops);
	if (err)
		return err;
	err = rtnl_link_register(&geneve_link_ops);
	if (err)
		goto err_unregister_pernet;
	return 0;

err_unregister_pernet:
	unregister_pernet_subsys(&geneve_net_ops);
	return err;
}
module_init(geneve_module_init);

static void __exit geneve_module_exit(void)
{
	rtnl_link_unregister(&geneve_link_ops);
	unregister_pernet_subsys(&geneve_net_ops);
}
module_exit(geneve_module_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Geneve (RFC 8926) tunnel network device");
MODULE_VERSION("0.1");
MODULE_ALIAS_RTNL_LINK("geneve");
