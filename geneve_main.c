// SPDX-License-Identifier: GPL-2.0-only
/*
 * Geneve (RFC 8926) tunnel devices: module and namespace lifecycle, the
 * shared UDP sockets, and what a device does when it is created, opened,
 * reconfigured, stopped and destroyed.
 *
 * Locking: every control-path change happens under RTNL.  The datapath finds
 * devices through a socket's VNI hash, a device's socket through
 * geneve_dev.sock[] and its configuration through geneve_dev.conf, all
 * published with RCU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
/*
 * The symbol version (CRC) of geneve_dev_create_fb() depends on which types
 * this file sees defined; with these headers it equals the in-tree one, so
 * Open vSwitch's vport_geneve links against this module.
 */
#include <linux/hash.h>
#include <net/dst_metadata.h>
#include <net/geneve.h>
#include <net/gro.h>
#include <net/ipv6_stubs.h>
#include <net/protocol.h>
#include <net/ip6_route.h>
#include <net/rtnetlink.h>
#include <net/udp_tunnel.h>

#include "geneve_priv.h"

unsigned int geneve_net_id;

static struct geneve_sock *geneve_sock_find(struct geneve_net *gn,
					    enum geneve_af af, __be16 port,
					    const union geneve_addr *local)
{
	struct geneve_sock *gs;

	list_for_each_entry(gs, &gn->socks, net_node)
		if (gs->af == af && gs->port == port &&
		    geneve_addr_equal(af == GENEVE_AF_INET6, &gs->local, local))
			return gs;
	return NULL;
}

static struct geneve_sock *geneve_sock_create(struct net *net,
					      enum geneve_af af, __be16 port,
					      const union geneve_addr *local,
					      bool udp6_rx_csum)
{
	struct udp_port_cfg port_cfg = { .local_udp_port = port };
	struct udp_tunnel_sock_cfg tunnel_cfg = {
		.encap_type = 1,	/* any non-zero type selects encap_rcv */
		.encap_rcv = geneve_udp_encap_recv,
		.encap_err_lookup = geneve_udp_encap_err_lookup,
		.gro_receive = geneve_gro_receive,
		.gro_complete = geneve_gro_complete,
	};
	struct geneve_sock *gs;
	unsigned int i;
	int err;

	if (af == GENEVE_AF_INET6) {
		port_cfg.family = AF_INET6;
		port_cfg.local_ip6 = local->v6;
		port_cfg.ipv6_v6only = 1;
		port_cfg.use_udp6_rx_checksums = udp6_rx_csum;
	} else {
		port_cfg.family = AF_INET;
		port_cfg.local_ip.s_addr = local->v4;
	}

	gs = kzalloc(sizeof(*gs), GFP_KERNEL);
	if (!gs)
		return ERR_PTR(-ENOMEM);
	err = udp_sock_create(net, &port_cfg, &gs->sock);
	if (err) {
		kfree(gs);
		return ERR_PTR(err);
	}
	gs->af = af;
	gs->port = port;
	gs->local = *local;
	INIT_LIST_HEAD(&gs->groups);
	for (i = 0; i < ARRAY_SIZE(gs->vni_heads); i++)
		INIT_HLIST_HEAD(&gs->vni_heads[i]);

	/*
	 * Merged tunnel packets with UDP inside also carry SKB_GSO_UDP_L4:
	 * take them whole instead of having UDP segment them again.
	 */
	udp_allow_gso(gs->sock->sk);
	tunnel_cfg.sk_user_data = gs;
	setup_udp_tunnel_sock(net, gs->sock, &tunnel_cfg);
	/*
	 * What we send to a group is not for us: the tunnel setup stops the
	 * loopback for IPv4 only, and a looped copy would teach the bridge
	 * our own VMs' addresses behind the tunnel.
	 */
	if (af == GENEVE_AF_INET6)
		geneve_sk_no_mc6_loop(gs->sock->sk);
	list_add_rcu(&gs->net_node, &geneve_pernet(net)->socks);
	/* NICs that parse Geneve learn the port (and later its removal). */
	udp_tunnel_notify_add_rx_port(gs->sock, UDP_TUNNEL_TYPE_GENEVE);
	return gs;
}

static struct geneve_sock *geneve_sock_get(struct geneve_dev *geneve,
					   enum geneve_af af)
{
	const struct geneve_cfg *cfg = geneve_cfg(geneve);
	struct geneve_sock *gs;

	ASSERT_RTNL();
	gs = geneve_sock_find(geneve_pernet(geneve->net), af, cfg->dst_port,
			      &cfg->local);
	if (!gs) {
		gs = geneve_sock_create(geneve->net, af, cfg->dst_port,
					&cfg->local, cfg->udp6_rx_csum);
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
	WARN_ON_ONCE(!list_empty(&gs->groups));	/* left by their devices */
	list_del_rcu(&gs->net_node);
	udp_tunnel_notify_del_rx_port(gs->sock, UDP_TUNNEL_TYPE_GENEVE);
	/* Clears sk_user_data and waits for encap_rcv callers to finish. */
	udp_tunnel_sock_release(gs->sock);
	kfree_rcu(gs, rcu);
}

/* Makes the device reachable from its socket, and the socket from it. */
static void geneve_attach(struct geneve_dev *geneve, enum geneve_af af,
			  struct geneve_sock *gs)
{
	const struct geneve_cfg *cfg = geneve_cfg(geneve);

	if (cfg->external)
		rcu_assign_pointer(gs->external, geneve);
	else
		hlist_add_head_rcu(&geneve->vni_node[af],
				   &gs->vni_heads[geneve_vni_hash(cfg->vni)]);
	rcu_assign_pointer(geneve->sock[af], gs);
}

static struct geneve_sock *geneve_detach(struct geneve_dev *geneve,
					 enum geneve_af af)
{
	struct geneve_sock *gs = rtnl_dereference(geneve->sock[af]);

	if (!gs)
		return NULL;
	if (geneve_cfg(geneve)->external)
		RCU_INIT_POINTER(gs->external, NULL);
	else
		hlist_del_init_rcu(&geneve->vni_node[af]);
	RCU_INIT_POINTER(geneve->sock[af], NULL);
	return gs;
}

static int geneve_dev_stop(struct net_device *dev)
{
	struct geneve_dev *geneve = netdev_priv(dev);
	struct geneve_sock *gs;
	enum geneve_af af;

	geneve_fdb_stop(geneve);
	for (af = 0; af < GENEVE_AF_MAX; af++) {
		gs = geneve_detach(geneve, af);
		if (gs)
			geneve_sock_put(gs);
	}
	return 0;
}

static int geneve_dev_open(struct net_device *dev)
{
	struct geneve_dev *geneve = netdev_priv(dev);
	const struct geneve_cfg *cfg = geneve_cfg(geneve);
	struct geneve_sock *gs;
	enum geneve_af af;
	int err;

	for (af = 0; af < GENEVE_AF_MAX; af++) {
		if (!geneve_cfg_uses_af(cfg, af))
			continue;
		/* An external device works without IPv6 if the host has none. */
		if (af == GENEVE_AF_INET6 && cfg->external &&
		    !ipv6_mod_enabled())
			continue;
		gs = geneve_sock_get(geneve, af);
		if (IS_ERR(gs)) {
			geneve_dev_stop(dev);
			return PTR_ERR(gs);
		}
		geneve_attach(geneve, af, gs);
	}
	err = geneve_fdb_open(geneve);
	if (err)
		geneve_dev_stop(dev);
	return err;
}

/* Per-device datapath state: route caches, rx cell shares, the fdb. */
static int geneve_dev_init(struct net_device *dev)
{
	struct geneve_dev *geneve = netdev_priv(dev);
	int err;

	err = dst_cache_init(&geneve->confs[0].dst_cache, GFP_KERNEL);
	if (err)
		return err;
	err = dst_cache_init(&geneve->confs[1].dst_cache, GFP_KERNEL);
	if (err)
		goto err_dst_cache;
	err = -ENOMEM;
	geneve->rx_queued = alloc_percpu(unsigned int);
	if (!geneve->rx_queued)
		goto err_spare_dst_cache;
	err = geneve_fdb_init(geneve);
	if (err)
		goto err_rx_queued;
	return 0;

err_rx_queued:
	free_percpu(geneve->rx_queued);
	geneve->rx_queued = NULL;
err_spare_dst_cache:
	dst_cache_destroy(&geneve->confs[1].dst_cache);
err_dst_cache:
	dst_cache_destroy(&geneve->confs[0].dst_cache);
	return err;
}

static void geneve_dev_uninit(struct net_device *dev)
{
	struct geneve_dev *geneve = netdev_priv(dev);

	geneve_fdb_destroy(geneve);
	dst_cache_destroy(&geneve->confs[1].dst_cache);
	dst_cache_destroy(&geneve->confs[0].dst_cache);
}

/* Packets in the rx cells count in rx_queued until the last reference goes. */
static void geneve_dev_free(struct net_device *dev)
{
	struct geneve_dev *geneve = netdev_priv(dev);

	free_percpu(geneve->rx_queued);
}

static const struct net_device_ops geneve_dev_ops = {
	/* datapath */
	.ndo_start_xmit		= geneve_xmit,
	.ndo_fill_metadata_dst	= geneve_egress_metadata,
	.ndo_get_stats64	= dev_get_tstats64,
	/* lifecycle */
	.ndo_init		= geneve_dev_init,
	.ndo_open		= geneve_dev_open,
	.ndo_stop		= geneve_dev_stop,
	.ndo_uninit		= geneve_dev_uninit,
	/* Ethernet address, changeable while up (IFF_LIVE_ADDR_CHANGE) */
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
	/* forwarding database (bridge fdb ... self) */
	.ndo_fdb_add		= geneve_fdb_add,
	.ndo_fdb_del		= geneve_fdb_del,
	.ndo_fdb_del_bulk	= geneve_ndo_fdb_del_bulk,
	.ndo_fdb_dump		= geneve_fdb_dump,
	.ndo_fdb_get		= geneve_fdb_get,
};

/* `ethtool -i` names the driver; the core fills in the kernel version. */
static void geneve_ethtool_drvinfo(struct net_device *dev,
				   struct ethtool_drvinfo *info)
{
	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
}

static const char geneve_drop_names[GENEVE_DROP_MAX][ETH_GSTRING_LEN] = {
	[GENEVE_DROP_RX_WRONG_PROTOCOL]		= "rx_drop_wrong_protocol",
	[GENEVE_DROP_RX_TRUNCATED]		= "rx_drop_truncated",
	[GENEVE_DROP_RX_BAD_OPTIONS]		= "rx_drop_bad_options",
	[GENEVE_DROP_RX_CRITICAL]		= "rx_drop_critical_options",
	[GENEVE_DROP_RX_OAM]			= "rx_drop_oam",
	[GENEVE_DROP_RX_NO_MEMORY]		= "rx_drop_no_memory",
	[GENEVE_DROP_RX_OWN_MAC]		= "rx_drop_own_mac",
	[GENEVE_DROP_RX_TRUNCATED_INNER]	= "rx_drop_truncated_inner",
	[GENEVE_DROP_RX_ECN]			= "rx_drop_ecn",
	[GENEVE_DROP_RX_BACKLOG]		= "rx_drop_backlog",
	[GENEVE_DROP_TX_NO_METADATA]		= "tx_drop_no_metadata",
	[GENEVE_DROP_TX_BAD_OPTIONS]		= "tx_drop_bad_options",
	[GENEVE_DROP_TX_TRUNCATED]		= "tx_drop_truncated",
	[GENEVE_DROP_TX_NO_SOCKET]		= "tx_drop_no_socket",
	[GENEVE_DROP_TX_NO_ROUTE]		= "tx_drop_no_route",
	[GENEVE_DROP_TX_LOOP]			= "tx_drop_loop",
	[GENEVE_DROP_TX_TOO_BIG]		= "tx_drop_too_big",
	[GENEVE_DROP_TX_NO_MEMORY]		= "tx_drop_no_memory",
	[GENEVE_DROP_TX_NO_DESTINATION]		= "tx_drop_no_destination",
	[GENEVE_DROP_TX_REPLICA]		= "tx_drop_replica_no_memory",
	[GENEVE_DROP_LEARN_LIMIT]		= "learn_drop_limit",
	[GENEVE_DROP_LEARN_NO_MEMORY]		= "learn_drop_no_memory",
	[GENEVE_DROP_LEARN_TABLE_BUSY]		= "learn_drop_table_busy",
};

const char *geneve_drop_name(enum geneve_drop why)
{
	return geneve_drop_names[why];
}

static int geneve_ethtool_sset_count(struct net_device *dev, int sset)
{
	return sset == ETH_SS_STATS ? GENEVE_DROP_MAX : -EOPNOTSUPP;
}

static void geneve_ethtool_strings(struct net_device *dev, u32 sset, u8 *buf)
{
	if (sset == ETH_SS_STATS)
		memcpy(buf, geneve_drop_names, sizeof(geneve_drop_names));
}

static void geneve_ethtool_stats(struct net_device *dev,
				 struct ethtool_stats *stats, u64 *data)
{
	struct geneve_dev *geneve = netdev_priv(dev);
	unsigned int i;

	for (i = 0; i < GENEVE_DROP_MAX; i++)
		data[i] = atomic_long_read(&geneve->drops[i]);
}

/* `ethtool -S`: why packets were dropped, one counter per reason. */
static const struct ethtool_ops geneve_ethtool = {
	.get_link		= ethtool_op_get_link,
	.get_drvinfo		= geneve_ethtool_drvinfo,
	.get_sset_count		= geneve_ethtool_sset_count,
	.get_strings		= geneve_ethtool_strings,
	.get_ethtool_stats	= geneve_ethtool_stats,
};

/* DEVTYPE=geneve in uevents: udev and sysfs users tell tunnels apart. */
static struct device_type geneve_device_type = { .name = KBUILD_MODNAME };

void geneve_setup(struct net_device *dev)
{
	netdev_features_t features = NETIF_F_SG | NETIF_F_HW_CSUM |
				     NETIF_F_FRAGLIST | NETIF_F_RXCSUM |
				     NETIF_F_GSO_SOFTWARE;

	ether_setup(dev);
	dev->netdev_ops = &geneve_dev_ops;
	dev->ethtool_ops = &geneve_ethtool;
	dev->needs_free_netdev = true;
	dev->priv_destructor = geneve_dev_free;
	SET_NETDEV_DEVTYPE(dev, &geneve_device_type);

	dev->features |= features;
	dev->hw_features |= features;
	geneve_set_lltx(dev);
	/* Per-CPU counters in tstats, allocated and freed by the core. */
	dev->pcpu_stat_type = NETDEV_PCPU_STAT_TSTATS;

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

/*
 * MTU left to the inner frame on the route to the remote; 0 if unrouted.
 * An external device has no remote: like the in-tree driver it measures
 * the route to 0.0.0.0, i.e. loopback, and so gets the largest MTU.
 */
int geneve_route_mtu(struct net *net, const struct geneve_cfg *cfg)
{
	struct flowi4 fl4 = { .daddr = cfg->remote.v4 };
	struct rt6_info *rt6;
	struct rtable *rt;
	int mtu = 0;

	if (cfg->family == AF_INET6) {
		rt6 = rt6_lookup(net, &cfg->remote.v6, NULL, 0, NULL, 0);
		if (!rt6)
			return 0;
		if (rt6->dst.dev)
			mtu = rt6->dst.dev->mtu - (int)GENEVE_IPV6_OVERHEAD;
		ip6_rt_put(rt6);
		return mtu;
	}
	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return 0;
	mtu = rt->dst.dev->mtu - (int)GENEVE_IPV4_OVERHEAD;
	ip_rt_put(rt);
	return mtu;
}

static bool geneve_same_tunnel(const struct geneve_cfg *a,
			       const struct geneve_cfg *b)
{
	return a->vni == b->vni && a->dst_port == b->dst_port &&
	       a->family == b->family &&
	       !memcmp(&a->remote, &b->remote, sizeof(a->remote)) &&
	       !memcmp(&a->local, &b->local, sizeof(a->local));
}

/*
 * Checks @cfg against the devices of the namespace other than @self (NULL on
 * creation), in the in-tree order.
 */
int geneve_check_unique(struct geneve_net *gn, const struct geneve_dev *self,
			const struct geneve_cfg *cfg,
			struct netlink_ext_ack *extack)
{
	bool port_used = false, port_external = false;
	const struct geneve_cfg *theirs;
	struct geneve_dev *other;

	ASSERT_RTNL();
	list_for_each_entry(other, &gn->devices, net_node) {
		if (other == self)
			continue;
		theirs = geneve_cfg(other);
		if (theirs->dst_port == cfg->dst_port) {
			port_used = true;
			port_external = theirs->external;
		}
		if (geneve_same_tunnel(theirs, cfg)) {
			NL_SET_ERR_MSG(extack,
				       "A device with this VNI, remote and port already exists");
			return -EBUSY;
		}
	}
	if (cfg->external && port_used) {
		NL_SET_ERR_MSG(extack,
			       "There can be only one externally controlled device on a destination port");
		return -EPERM;
	}
	if (!cfg->external && port_external) {
		NL_SET_ERR_MSG(extack,
			       "There already exists an externally controlled device on this destination port");
		return -EPERM;
	}
	return 0;
}

/* L3 mode: the device carries bare IPv4/IPv6 packets, no link header. */
static void geneve_setup_l3(struct net_device *dev)
{
	dev->header_ops = NULL;
	dev->type = ARPHRD_NONE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->flags = GENEVE_L3_FLAGS;
}

int geneve_register(struct net *net, struct net_device *dev,
		    const struct geneve_cfg *cfg, struct netlink_ext_ack *extack)
{
	struct geneve_net *gn = geneve_pernet(net);
	struct geneve_dev *geneve = netdev_priv(dev);
	size_t ip_hlen;
	int err;

	err = geneve_check_unique(gn, NULL, cfg, extack);
	if (err)
		return err;

	geneve->dev = dev;
	geneve->net = net;
	geneve->confs[0].cfg = *cfg;
	RCU_INIT_POINTER(geneve->conf, &geneve->confs[0]);
	/* An external device may send over IPv6: make room for the larger. */
	ip_hlen = !cfg->external && cfg->family == AF_INET ?
		  sizeof(struct iphdr) : sizeof(struct ipv6hdr);
	dev->max_mtu -= ip_hlen;
	dev->needed_headroom = ETH_HLEN + ip_hlen + GENEVE_UDP_HLEN + ETH_HLEN;
	if (cfg->inner_proto_inherit)
		geneve_setup_l3(dev);

	err = register_netdevice(dev);
	if (err)
		return err;
	list_add(&geneve->net_node, &gn->devices);
	return 0;
}

/*
 * Replaces the configuration of a live device: the spare one is filled and
 * published whole, and once no packet reads the old one any more (a grace
 * period), its routes go and it becomes the spare.  A packet thus sees either
 * configuration, never a mix, and traffic flows on throughout.  What
 * changelink may change keeps the same sockets and VNI hash bucket.
 */
void geneve_update_cfg(struct geneve_dev *geneve, const struct geneve_cfg *cfg)
{
	struct geneve_conf *old = rtnl_dereference(geneve->conf);
	struct geneve_conf *next = old == &geneve->confs[0] ?
				   &geneve->confs[1] : &geneve->confs[0];

	next->cfg = *cfg;
	rcu_assign_pointer(geneve->conf, next);
	synchronize_net();
	dst_cache_reset_now(&old->dst_cache);
	geneve_fdb_reset_routes(geneve);
}

/*
 * For Open vSwitch's vport-geneve: an external device on @dst_port, with
 * the prototype of the in-tree driver so that module links against ours.
 */
struct net_device *geneve_dev_create_fb(struct net *net, const char *name,
					u8 name_assign_type, u16 dst_port)
{
	struct geneve_cfg cfg = {
		.family = AF_UNSPEC,
		.dst_port = htons(dst_port),
		.src_port_min = 1,
		.src_port_max = USHRT_MAX,
		.df = GENEVE_DF_UNSET,
		.udp6_rx_csum = true,
		.external = true,
	};
	struct nlattr *tb[IFLA_MAX + 1] = {};
	struct net_device *dev;
	LIST_HEAD(kill);
	int err;

	dev = rtnl_create_link(net, name, name_assign_type, &geneve_link_ops,
			       tb, NULL);
	if (IS_ERR(dev))
		return dev;
	err = geneve_register(net, dev, &cfg, NULL);
	if (err) {
		free_netdev(dev);
		return ERR_PTR(err);
	}
	/* Open vSwitch expects packets of any size to get through. */
	geneve_set_mtu(dev, IP_MAX_MTU);
	err = rtnl_configure_link(dev, NULL, 0, NULL);
	if (err < 0) {
		geneve_dellink(dev, &kill);
		unregister_netdevice_many(&kill);
		return ERR_PTR(err);
	}
	return dev;
}
EXPORT_SYMBOL_GPL(geneve_dev_create_fb);

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

	seq_puts(seq, "port family local users");
	for (i = 0; i < GENEVE_SOCK_DROP_MAX; i++)
		seq_printf(seq, " %s", geneve_sock_drop_names[i]);
	seq_putc(seq, '\n');

	rcu_read_lock();
	list_for_each_entry_rcu(gs, &geneve_pernet(net)->socks, net_node) {
		if (gs->af == GENEVE_AF_INET6)
			seq_printf(seq, "%u inet6 %pI6c", ntohs(gs->port),
				   &gs->local.v6);
		else
			seq_printf(seq, "%u inet %pI4", ntohs(gs->port),
				   &gs->local.v4);
		seq_printf(seq, " %u", READ_ONCE(gs->users));
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

/* A subsystem, so its exit runs after the core deleted the netns' devices. */
static struct pernet_operations geneve_net_ops = {
	.id		= &geneve_net_id,
	.size		= sizeof(struct geneve_net),
	.init		= geneve_net_init,
	.exit		= geneve_net_exit,
	.exit_batch	= geneve_net_exit_batch,
};

/*
 * A NIC driver asks for every UDP tunnel port of its namespace when it
 * (re)initialises its offload table, and has them dropped when it resets.
 */
static int geneve_netdev_event(struct notifier_block *nb, unsigned long event,
			       void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct geneve_dev *geneve;
	struct geneve_sock *gs;

	if (event == NETDEV_UNREGISTER) {
		list_for_each_entry(geneve, &geneve_pernet(dev_net(dev))->devices,
				    net_node)
			geneve_fdb_forget_via(geneve, dev->ifindex);
		return NOTIFY_DONE;
	}
	if (event != NETDEV_UDP_TUNNEL_PUSH_INFO &&
	    event != NETDEV_UDP_TUNNEL_DROP_INFO)
		return NOTIFY_DONE;
	ASSERT_RTNL();
	list_for_each_entry(gs, &geneve_pernet(dev_net(dev))->socks, net_node) {
		if (event == NETDEV_UDP_TUNNEL_PUSH_INFO)
			udp_tunnel_push_rx_port(dev, gs->sock,
						UDP_TUNNEL_TYPE_GENEVE);
		else
			udp_tunnel_drop_rx_port(dev, gs->sock,
						UDP_TUNNEL_TYPE_GENEVE);
	}
	return NOTIFY_DONE;
}

static struct notifier_block geneve_netdev_notifier = {
	.notifier_call = geneve_netdev_event,
};

/* Namespace state first: creating a link needs it. */
static int __init geneve_module_init(void)
{
	int err;

	err = geneve_rx_cells_init();
	if (err)
		return err;
	err = register_pernet_subsys(&geneve_net_ops);
	if (err)
		goto err_rx_cells;
	err = register_netdevice_notifier(&geneve_netdev_notifier);
	if (err)
		goto err_pernet;
	err = rtnl_link_register(&geneve_link_ops);
	if (err)
		goto err_notifier;
	return 0;

err_notifier:
	unregister_netdevice_notifier(&geneve_netdev_notifier);
err_pernet:
	unregister_pernet_subsys(&geneve_net_ops);
err_rx_cells:
	geneve_rx_cells_exit();
	return err;
}
module_init(geneve_module_init);

static void __exit geneve_module_exit(void)
{
	rtnl_link_unregister(&geneve_link_ops);
	unregister_netdevice_notifier(&geneve_netdev_notifier);
	unregister_pernet_subsys(&geneve_net_ops);
	geneve_rx_cells_exit();
}
module_exit(geneve_module_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Geneve (RFC 8926) tunnel network device");
MODULE_VERSION(GENEVE_MODULE_VERSION);
MODULE_ALIAS_RTNL_LINK("geneve");
