// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Geneve fast path: encapsulation on transmit, decapsulation in the UDP
 * socket's encap_rcv hook, GRO cells shared by all devices.  RCU only;
 * configuration is read while the control path guarantees it is not being
 * rewritten (see geneve_update_cfg).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/etherdevice.h>
#include <linux/hash.h>
#include <linux/if_ether.h>
#include <linux/workqueue.h>
#include <net/busy_poll.h>
#include <net/dst_metadata.h>
#include <net/gro.h>
#include <net/inet_ecn.h>
#include <net/ip6_route.h>
#include <net/ip_tunnels.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/udp_tunnel.h>

#include "geneve_priv.h"

static bool geneve_log_ecn_error = true;
module_param_named(log_ecn_error, geneve_log_ecn_error, bool, 0644);
MODULE_PARM_DESC(log_ecn_error, "Log packets received with corrupted ECN");

u32 geneve_vni_hash(u32 vni)
{
	return hash_32(vni, GENEVE_VNI_HASH_BITS);
}

/* Error paths only: the standard counters are atomic, so is the breakdown. */
void geneve_count_drop(struct geneve_dev *geneve, enum geneve_drop why)
{
	struct net_device *dev = geneve->dev;

	atomic_long_inc(&geneve->drops[why]);
	switch (why) {
	case GENEVE_DROP_RX_WRONG_PROTOCOL:
	case GENEVE_DROP_RX_OAM:
	case GENEVE_DROP_RX_NO_MEMORY:
		DEV_STATS_INC(dev, rx_dropped);
		break;
	case GENEVE_DROP_RX_BACKLOG:
		break;		/* geneve_rx_cell_queue() counted it already */
	case GENEVE_DROP_RX_TRUNCATED:
	case GENEVE_DROP_RX_TRUNCATED_INNER:
		DEV_STATS_INC(dev, rx_length_errors);
		DEV_STATS_INC(dev, rx_errors);
		break;
	case GENEVE_DROP_RX_BAD_OPTIONS:
	case GENEVE_DROP_RX_CRITICAL:
	case GENEVE_DROP_RX_ECN:
		DEV_STATS_INC(dev, rx_frame_errors);
		DEV_STATS_INC(dev, rx_errors);
		break;
	case GENEVE_DROP_RX_OWN_MAC:
		DEV_STATS_INC(dev, rx_errors);
		break;
	case GENEVE_DROP_TX_NO_METADATA:	/* refused, not failed */
	case GENEVE_DROP_TX_BAD_OPTIONS:
	case GENEVE_DROP_TX_NOT_IP:
		DEV_STATS_INC(dev, tx_dropped);
		break;
	case GENEVE_DROP_TX_NO_ROUTE:
		DEV_STATS_INC(dev, tx_carrier_errors);
		DEV_STATS_INC(dev, tx_errors);
		break;
	case GENEVE_DROP_TX_LOOP:
		DEV_STATS_INC(dev, collisions);
		DEV_STATS_INC(dev, tx_errors);
		break;
	default:	/* the other transmit errors */
		DEV_STATS_INC(dev, tx_errors);
		break;
	}
}

static __be64 geneve_vni_to_tun_id(u32 vni)
{
	return cpu_to_be64(vni);
}

static u32 geneve_tun_id_to_vni(__be64 tun_id)
{
	return be64_to_cpu(tun_id) & (GENEVE_VNI_COUNT - 1);
}

/*
 * @remote points into the outer IP header (source address on receive,
 * destination in a quoted packet): read in place, no copy per packet.
 */
static struct geneve_dev *geneve_lookup(struct geneve_sock *gs, u32 vni,
					const void *remote)
{
	struct geneve_dev *geneve;

	hlist_for_each_entry_rcu(geneve, &gs->vni_heads[geneve_vni_hash(vni)],
				 vni_node[gs->af]) {
		if (geneve->cfg.vni != vni)
			continue;
		if (gs->af == GENEVE_AF_INET6 ?
		    ipv6_addr_equal(&geneve->cfg.remote.v6, remote) :
		    geneve->cfg.remote.v4 == *(const __be32 *)remote)
			return geneve;
	}
	return NULL;
}

/* ---- Transmit ---- */

/*
 * Everything one packet's outer headers are made of, whatever the mode;
 * geneve_tx_prepare() sets every field (geneve_egress_metadata() those a
 * route lookup reads).
 */
struct geneve_tx {
	const struct ip_tunnel_info *md;	/* external mode only */
	struct dst_cache *cache;		/* NULL: look the route up */
	union geneve_addr dst, src;
	bool ipv6;
	u32 vni;
	__be16 sport;
	__be16 inner_proto;
	__be32 label;
	u8 tos;				/* before ECN encapsulation */
	u8 ttl;				/* 0: the route's hop limit */
	bool df;
	bool csum;
	u8 flags;			/* GENEVE_FLAG_* */
	u8 opts_len;
};

static int geneve_tx_from_metadata(struct sk_buff *skb, struct geneve_tx *tx)
{
	const struct ip_tunnel_info *info = skb_tunnel_info(skb);
	int opt_flags = 0;
	__be16 flags;

	if (unlikely(!info || !(info->mode & IP_TUNNEL_INFO_TX)))
		return -ENODATA;
	flags = info->key.tun_flags;
	/*
	 * Options of another tunnel type, or malformed ones, cannot be sent.
	 * A critical option sets the C bit even if the metadata forgot it
	 * (RFC 8926 section 3.4): receivers decide on that bit alone.
	 */
	if (info->options_len) {
		if (unlikely(!(flags & TUNNEL_GENEVE_OPT)))
			return -EBADMSG;
		opt_flags = geneve_opts_check((const u8 *)(info + 1),
					      info->options_len);
		if (unlikely(opt_flags < 0))
			return -EBADMSG;
	}

	tx->md = info;
	tx->ipv6 = ip_tunnel_info_af(info) == AF_INET6;
	if (tx->ipv6) {
		tx->dst.v6 = info->key.u.ipv6.dst;
		tx->src.v6 = info->key.u.ipv6.src;
	} else {
		tx->dst.v4 = info->key.u.ipv4.dst;
		tx->src.v4 = info->key.u.ipv4.src;
	}
	tx->vni = geneve_tun_id_to_vni(info->key.tun_id);
	tx->tos = info->key.tos;
	tx->ttl = info->key.ttl;
	tx->label = info->key.label;
	tx->df = flags & TUNNEL_DONT_FRAGMENT;
	tx->csum = flags & TUNNEL_CSUM;
	tx->flags = opt_flags | (flags & TUNNEL_OAM ? GENEVE_FLAG_OAM : 0) |
		    (flags & TUNNEL_CRIT_OPT ? GENEVE_FLAG_CRITICAL : 0);
	tx->opts_len = info->options_len;
	tx->cache = ip_tunnel_dst_cache_usable(skb, info) ?
		    (struct dst_cache *)&info->dst_cache : NULL;
	return 0;
}

static bool geneve_df_inherit(struct sk_buff *skb)
{
	/* IPv6 never fragments on the way; IPv4 says so in its header. */
	if (skb->protocol == htons(ETH_P_IPV6))
		return true;
	return skb->protocol == htons(ETH_P_IP) &&
	       (ip_hdr(skb)->frag_off & htons(IP_DF));
}

static void geneve_tx_from_cfg(struct geneve_dev *geneve, struct sk_buff *skb,
			       struct geneve_tx *tx)
{
	const struct geneve_cfg *cfg = &geneve->cfg;
	bool use_cache = !skb->mark;

	tx->md = NULL;
	tx->flags = 0;
	tx->opts_len = 0;
	tx->ipv6 = cfg->family == AF_INET6;
	tx->dst = cfg->remote;
	tx->src = cfg->local;
	tx->vni = cfg->vni;
	tx->label = cfg->label;
	tx->csum = cfg->udp_csum;
	tx->tos = cfg->tos;
	/* The cached route is only valid for the flow key it was made for. */
	if (tx->tos == 1) {
		tx->tos = ip_tunnel_get_dsfield(ip_hdr(skb), skb);
		use_cache = false;
	}
	tx->ttl = cfg->ttl_inherit ? ip_tunnel_get_ttl(ip_hdr(skb), skb) : cfg->ttl;
	tx->df = cfg->df == GENEVE_DF_SET ||
		 (cfg->df == GENEVE_DF_INHERIT && geneve_df_inherit(skb));
	tx->cache = use_cache ? &geneve->dst_cache : NULL;
}

static int geneve_tx_prepare(struct geneve_dev *geneve, struct sk_buff *skb,
			     struct geneve_tx *tx)
{
	const struct geneve_cfg *cfg = &geneve->cfg;
	int err;

	/* Makes the inner headers that inherit options read linear. */
	if (unlikely(skb_vlan_inet_prepare(skb, cfg->inner_proto_inherit)))
		return -EINVAL;

	if (cfg->inner_proto_inherit) {
		tx->inner_proto = skb->protocol;
		if (unlikely(tx->inner_proto != htons(ETH_P_IP) &&
			     tx->inner_proto != htons(ETH_P_IPV6)))
			return -EPROTONOSUPPORT;
	} else {
		tx->inner_proto = htons(ETH_P_TEB);
	}
	if (cfg->external) {
		err = geneve_tx_from_metadata(skb, tx);
		if (err)
			return err;
	} else {
		geneve_tx_from_cfg(geneve, skb, tx);
	}
	tx->sport = udp_flow_src_port(geneve->net, skb, cfg->src_port_min,
				      cfg->src_port_max, true);
	return 0;
}

static struct dst_entry *geneve_route4(struct geneve_dev *geneve,
				       struct sk_buff *skb,
				       const struct geneve_tx *tx,
				       struct flowi4 *fl4)
{
	struct rtable *rt;

	if (tx->cache) {
		rt = dst_cache_get_ip4(tx->cache, &fl4->saddr);
		if (rt) {
			fl4->daddr = tx->dst.v4;
			return &rt->dst;
		}
	}
	memset(fl4, 0, sizeof(*fl4));
	fl4->daddr = tx->dst.v4;
	fl4->saddr = tx->src.v4;
	fl4->flowi4_tos = RT_TOS(tx->tos);
	fl4->flowi4_mark = skb->mark;
	fl4->flowi4_proto = IPPROTO_UDP;
	fl4->fl4_dport = geneve->cfg.dst_port;
	fl4->fl4_sport = tx->sport;
	if (tx->md)
		fl4->flowi4_flags = tx->md->key.flow_flags;
	rt = ip_route_output_key(geneve->net, fl4);
	if (IS_ERR(rt))
		return ERR_PTR(-ENETUNREACH);
	if (unlikely(rt->dst.dev == geneve->dev)) {
		ip_rt_put(rt);
		return ERR_PTR(-ELOOP);
	}
	if (tx->cache)
		dst_cache_set_ip4(tx->cache, &rt->dst, fl4->saddr);
	return &rt->dst;
}

static struct dst_entry *geneve_route6(struct geneve_dev *geneve,
				       struct sk_buff *skb,
				       struct geneve_sock *gs,
				       const struct geneve_tx *tx,
				       struct flowi6 *fl6)
{
	struct dst_entry *dst;

	if (tx->cache) {
		dst = dst_cache_get_ip6(tx->cache, &fl6->saddr);
		if (dst) {
			fl6->daddr = tx->dst.v6;
			return dst;
		}
	}
	memset(fl6, 0, sizeof(*fl6));
	fl6->daddr = tx->dst.v6;
	fl6->saddr = tx->src.v6;
	fl6->flowlabel = ip6_make_flowinfo(tx->tos, tx->label);
	fl6->flowi6_mark = skb->mark;
	fl6->flowi6_proto = IPPROTO_UDP;
	fl6->fl6_dport = geneve->cfg.dst_port;
	fl6->fl6_sport = tx->sport;
	dst = ipv6_stub->ipv6_dst_lookup_flow(geneve->net, gs->sock->sk, fl6,
					      NULL);
	if (IS_ERR(dst))
		return ERR_PTR(-ENETUNREACH);
	if (unlikely(dst->dev == geneve->dev)) {
		dst_release(dst);
		return ERR_PTR(-ELOOP);
	}
	if (tx->cache)
		dst_cache_set_ip6(tx->cache, dst, &fl6->saddr);
	return dst;
}

/*
 * The outer route, or an ERR_PTR.  @fl gets the flow it was looked up for;
 * on a hit in the route cache, only its addresses, which is all callers read.
 */
static struct dst_entry *geneve_route(struct geneve_dev *geneve,
				      struct sk_buff *skb, struct geneve_sock *gs,
				      const struct geneve_tx *tx, struct flowi *fl)
{
	if (tx->ipv6)
		return geneve_route6(geneve, skb, gs, tx, &fl->u.ip6);
	return geneve_route4(geneve, skb, tx, &fl->u.ip4);
}

/*
 * An external device's ICMP "too big" goes up as if the tunnel had delivered
 * it, so its metadata must say it came from the remote to us (tc, OVS, BPF).
 * It gets a copy of its own: the transmit metadata may be shared.  (Not
 * skb_tunnel_info_unclone(): its copy of the options trips FORTIFY_SOURCE
 * on 6.1.)
 */
static int geneve_pmtu_reply_metadata(struct sk_buff *skb,
				      const struct geneve_tx *tx,
				      const struct flowi *fl)
{
	const struct ip_tunnel_info *info = tx->md;
	struct ip_tunnel_info *reply;
	struct metadata_dst *md;

	md = metadata_dst_alloc(info->options_len, METADATA_IP_TUNNEL,
				GFP_ATOMIC);
	if (unlikely(!md))
		return -ENOMEM;
	reply = &md->u.tun_info;
	reply->key = info->key;
	reply->mode = info->mode;
	ip_tunnel_info_opts_set(reply, (const u8 *)(info + 1),
				info->options_len, 0);
	if (tx->ipv6) {
		reply->key.u.ipv6.src = tx->dst.v6;
		reply->key.u.ipv6.dst = fl->u.ip6.saddr;
	} else {
		reply->key.u.ipv4.src = tx->dst.v4;
		reply->key.u.ipv4.dst = fl->u.ip4.saddr;
	}
	skb_dst_drop(skb);
	skb_dst_set(skb, &md->dst);
	return 0;
}

/*
 * A packet too big for the path with DF: skb_tunnel_check_pmtu() lowers the
 * inner route's PMTU and, on a bridge port (so an Ethernet device, never L3
 * mode), turns the packet into an ICMP error (> 0) that the sender receives
 * from this device.  @fl holds the outer source the route chose.
 */
static int geneve_check_pmtu(struct geneve_dev *geneve, struct sk_buff *skb,
			     struct dst_entry *dst, const struct geneve_tx *tx,
			     size_t ip_hlen, const struct flowi *fl)
{
	size_t overhead = ip_hlen + GENEVE_UDP_HLEN + tx->opts_len +
			  (geneve->cfg.inner_proto_inherit ? 0 : ETH_HLEN);
	int err;

	err = skb_tunnel_check_pmtu(skb, dst, overhead,
				    netif_is_any_bridge_port(geneve->dev));
	if (likely(err <= 0))
		return err;
	if (tx->md) {
		err = geneve_pmtu_reply_metadata(skb, tx, fl);
		if (unlikely(err))
			return err;
	}
	if (unlikely(!pskb_may_pull(skb, ETH_HLEN)))
		return -EINVAL;
	skb->protocol = eth_type_trans(skb, geneve->dev);
	__netif_rx(skb);
	return -EMSGSIZE;
}

/* Pushes Geneve (and its options) and prepares UDP tunnel offloads. */
static int geneve_push_header(struct geneve_dev *geneve, struct sk_buff *skb,
			      const struct geneve_tx *tx, struct dst_entry *dst,
			      size_t ip_hlen)
{
	u8 *hdr;
	int err;

	skb_reset_mac_header(skb);
	err = skb_cow_head(skb, LL_RESERVED_SPACE(dst->dev) + dst->header_len +
			   ip_hlen + GENEVE_UDP_HLEN + tx->opts_len);
	if (unlikely(err))
		return err;
	err = udp_tunnel_handle_offloads(skb, tx->csum);
	if (unlikely(err))
		return err;

	hdr = __skb_push(skb, GENEVE_HDR_LEN + tx->opts_len);
	geneve_hdr_build(hdr, tx->vni, ntohs(tx->inner_proto), tx->opts_len,
			 tx->flags);
	if (tx->opts_len)
		ip_tunnel_info_opts_get(hdr + GENEVE_HDR_LEN, tx->md);
	skb_set_inner_protocol(skb, tx->inner_proto);
	/* Drops the metadata dst too: the outer route replaces it. */
	skb_scrub_packet(skb, !net_eq(geneve->net, dev_net(geneve->dev)));
	return 0;
}

/* Route, path MTU, headers, then the UDP tunnel output of the family. */
static int geneve_xmit_one(struct sk_buff *skb, struct geneve_dev *geneve,
			   const struct geneve_tx *tx)
{
	struct geneve_sock *gs = rcu_dereference(geneve->sock[tx->ipv6 ?
							      GENEVE_AF_INET6 :
							      GENEVE_AF_INET]);
	size_t ip_hlen = tx->ipv6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	/* geneve_route() fills what is read: no clearing per packet. */
	struct flowi fl __uninitialized;
	struct dst_entry *dst;
	u8 tos, ttl;
	int err;

	if (unlikely(!gs))
		return -ENOTCONN;
	dst = geneve_route(geneve, skb, gs, tx, &fl);
	if (IS_ERR(dst))
		return PTR_ERR(dst);
	err = geneve_check_pmtu(geneve, skb, dst, tx, ip_hlen, &fl);
	if (unlikely(err))
		goto err_release;

	tos = ip_tunnel_ecn_encap(tx->tos, ip_hdr(skb), skb);
	ttl = tx->ttl ?: (tx->ipv6 ? ip6_dst_hoplimit(dst) : ip4_dst_hoplimit(dst));
	err = geneve_push_header(geneve, skb, tx, dst, ip_hlen);
	if (unlikely(err))
		goto err_release;
	if (tx->ipv6)
		udp_tunnel6_xmit_skb(dst, gs->sock->sk, skb, geneve->dev,
				     &fl.u.ip6.saddr, &fl.u.ip6.daddr, tos, ttl,
				     tx->label, tx->sport, geneve->cfg.dst_port,
				     !tx->csum);
	else
		udp_tunnel_xmit_skb(container_of(dst, struct rtable, dst),
				    gs->sock->sk, skb, fl.u.ip4.saddr,
				    fl.u.ip4.daddr, tos, ttl,
				    tx->df ? htons(IP_DF) : 0, tx->sport,
				    geneve->cfg.dst_port,
				    !net_eq(geneve->net, dev_net(geneve->dev)),
				    !tx->csum);
	return 0;

err_release:
	dst_release(dst);
	return err;
}

/* Each transmit step fails with its own errno; this names the reason. */
static enum geneve_drop geneve_tx_drop_reason(int err)
{
	switch (err) {
	case -ENODATA:
		return GENEVE_DROP_TX_NO_METADATA;
	case -EBADMSG:
		return GENEVE_DROP_TX_BAD_OPTIONS;
	case -EINVAL:
		return GENEVE_DROP_TX_TRUNCATED;
	case -EPROTONOSUPPORT:
		return GENEVE_DROP_TX_NOT_IP;
	case -ENOTCONN:
		return GENEVE_DROP_TX_NO_SOCKET;
	case -ENETUNREACH:
		return GENEVE_DROP_TX_NO_ROUTE;
	case -ELOOP:
		return GENEVE_DROP_TX_LOOP;
	case -EMSGSIZE:
		return GENEVE_DROP_TX_TOO_BIG;
	default:
		return GENEVE_DROP_TX_NO_MEMORY;
	}
}

netdev_tx_t geneve_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct geneve_dev *geneve = netdev_priv(dev);
	struct geneve_tx tx;
	int err;

	rcu_read_lock();
	err = geneve_tx_prepare(geneve, skb, &tx);
	if (likely(!err))
		err = geneve_xmit_one(skb, geneve, &tx);
	rcu_read_unlock();
	if (likely(!err))
		return NETDEV_TX_OK;

	/* -EMSGSIZE: the packet went back to its sender as an ICMP error. */
	if (err != -EMSGSIZE)
		kfree_skb(skb);
	geneve_count_drop(geneve, geneve_tx_drop_reason(err));
	net_dbg_ratelimited("%s: transmit failed: %d\n", dev->name, err);
	return NETDEV_TX_OK;
}

/* Tells Open vSwitch (and BPF) which source address and ports a flow gets. */
int geneve_egress_metadata(struct net_device *dev, struct sk_buff *skb)
{
	struct ip_tunnel_info *info = skb_tunnel_info(skb);
	struct geneve_dev *geneve = netdev_priv(dev);
	struct geneve_sock *gs;
	struct dst_entry *dst;
	struct geneve_tx tx;
	struct flowi fl;
	int err;

	if (!geneve->cfg.external)
		return -EINVAL;
	/* The transmit path's choices, without touching the packet. */
	err = geneve_tx_from_metadata(skb, &tx);
	if (err)
		return err;
	tx.sport = udp_flow_src_port(geneve->net, skb, geneve->cfg.src_port_min,
				     geneve->cfg.src_port_max, true);
	/* Only an IPv6 route lookup goes through the socket. */
	gs = rcu_dereference(geneve->sock[GENEVE_AF_INET6]);
	if (tx.ipv6 && !gs)
		return -EIO;
	dst = geneve_route(geneve, skb, gs, &tx, &fl);
	if (IS_ERR(dst))
		return PTR_ERR(dst);
	dst_release(dst);
	if (tx.ipv6)
		info->key.u.ipv6.src = fl.u.ip6.saddr;
	else
		info->key.u.ipv4.src = fl.u.ip4.saddr;
	info->key.tp_src = tx.sport;
	info->key.tp_dst = geneve->cfg.dst_port;
	return 0;
}

/* ---- Receive ---- */

/*
 * GRO for decapsulated packets.  The in-tree driver gives each device its own
 * per-CPU NAPI instances (gro_cells), 424 bytes per CPU per device; here
 * one per-CPU set serves every device.  GRO never merges packets of different
 * devices, and a dying device's packets leave the cells before it is freed
 * (geneve_rx_cells_forget()).
 */
struct geneve_rx_cell {
	struct sk_buff_head queue;	/* only its own CPU adds, in BH context */
	struct napi_struct napi;
	struct work_struct forget;	/* runs geneve_rx_cell_forget() there */
};

static struct net_device geneve_rx_napi_dev;	/* owns the NAPIs; unregistered */
static struct geneve_rx_cell __percpu *geneve_rx_cells;
/* Which device geneve_rx_cells_forget() purges, and where; under RTNL. */
static struct net_device *geneve_rx_forgotten;
static struct cpumask geneve_rx_forget_cpus;

/* Same contract as gro_cells_receive(): consumes skb, counts its drop. */
static int geneve_rx_cell_queue(struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;
	struct geneve_rx_cell *cell;

	/* In flight while the device was being stopped. */
	if (unlikely(!(dev->flags & IFF_UP)))
		goto drop;
	/* GRO could write to data a clone shares. */
	if (skb_cloned(skb) || netif_elide_gro(dev))
		return netif_rx(skb);

	cell = this_cpu_ptr(geneve_rx_cells);
	if (unlikely(skb_queue_len(&cell->queue) > READ_ONCE(netdev_max_backlog)))
		goto drop;
	__skb_queue_tail(&cell->queue, skb);
	if (skb_queue_len(&cell->queue) == 1)
		napi_schedule(&cell->napi);
	return NET_RX_SUCCESS;
drop:
	dev_core_stats_rx_dropped_inc(dev);
	kfree_skb(skb);
	return NET_RX_DROP;
}

/*
 * GRO merges only packets that meet in it.  The last one queued, while GRO
 * holds and batches nothing, meets none: a second GRO pass over it would only
 * cost time.  That is the usual case, a lone packet or a super-packet that GRO
 * on the underlay or a local sender built already.  Held or batched packets
 * go first, so that a flow keeps its order.
 */
static void geneve_rx_cell_deliver(struct geneve_rx_cell *cell,
				   struct sk_buff *skb)
{
	struct napi_struct *napi = &cell->napi;

	if (skb_queue_empty(&cell->queue) && !napi->gro_bitmask &&
	    !napi->rx_count) {
		skb_mark_napi_id(skb, napi);
		netif_receive_skb(skb);
		return;
	}
	napi_gro_receive(napi, skb);
}

static int geneve_rx_cell_poll(struct napi_struct *napi, int budget)
{
	struct geneve_rx_cell *cell = container_of(napi, struct geneve_rx_cell, napi);
	struct sk_buff *skb;
	int done;

	for (done = 0; done < budget; done++) {
		skb = __skb_dequeue(&cell->queue);
		if (!skb)
			break;
		geneve_rx_cell_deliver(cell, skb);
	}
	if (done < budget)
		napi_complete_done(napi, done);
	return done;
}

/*
 * Leaves no packet of dev in the cell.  Disabling the NAPI waits for its poll
 * and hands what GRO holds to the stack; the queue is then filtered with BH
 * off, which excludes the cell's CPU, the only one adding to it.
 */
static void geneve_rx_cell_purge(struct geneve_rx_cell *cell,
				 struct net_device *dev)
{
	struct sk_buff *skb, *next;

	napi_disable(&cell->napi);
	local_bh_disable();
	skb_queue_walk_safe(&cell->queue, skb, next) {
		if (skb->dev != dev)
			continue;
		__skb_unlink(skb, &cell->queue);
		dev_core_stats_rx_dropped_inc(dev);
		kfree_skb(skb);
	}
	napi_enable(&cell->napi);
	/* Packets queued meanwhile could not schedule the disabled NAPI. */
	if (!skb_queue_empty(&cell->queue))
		napi_schedule(&cell->napi);
	local_bh_enable();
}

static void geneve_rx_cell_forget(struct work_struct *work)
{
	struct geneve_rx_cell *cell = container_of(work, struct geneve_rx_cell, forget);

	geneve_rx_cell_purge(cell, geneve_rx_forgotten);
}

/*
 * An idle cell holds no packet of a device nothing queues for any more: its
 * queue was drained by a poll, which ran with SCHED set from before the
 * dequeue until after GRO was flushed.  Reading the queue first, then the
 * state, a cleared SCHED can only be that flush's.
 */
static bool geneve_rx_cell_idle(struct geneve_rx_cell *cell)
{
	if (!skb_queue_empty_lockless(&cell->queue))
		return false;
	smp_rmb();
	return !test_bit(NAPI_STATE_SCHED, &cell->napi.state);
}

/*
 * Called once dev is unreachable from any socket and an RCU grace period has
 * passed (ndo_uninit), so that nothing queues for it any more.  Busy cells
 * are purged on their own CPU; idle ones, the usual case, cost nothing, so
 * that deleting a device does not wait for every CPU (isolated ones too).
 */
void geneve_rx_cells_forget(struct net_device *dev)
{
	struct cpumask *queued = &geneve_rx_forget_cpus;
	struct geneve_rx_cell *cell;
	int cpu;

	ASSERT_RTNL();
	geneve_rx_forgotten = dev;
	cpumask_clear(queued);
	cpus_read_lock();
	for_each_possible_cpu(cpu) {
		cell = per_cpu_ptr(geneve_rx_cells, cpu);
		if (geneve_rx_cell_idle(cell))
			continue;
		if (!cpu_online(cpu)) {	/* nothing adds to its queue */
			geneve_rx_cell_purge(cell, dev);
			continue;
		}
		queue_work_on(cpu, system_highpri_wq, &cell->forget);
		cpumask_set_cpu(cpu, queued);
	}
	for_each_cpu(cpu, queued)
		flush_work(&per_cpu_ptr(geneve_rx_cells, cpu)->forget);
	cpus_read_unlock();
	geneve_rx_forgotten = NULL;
}

int geneve_rx_cells_init(void)
{
	struct geneve_rx_cell *cell;
	int cpu;

	geneve_rx_cells = alloc_percpu(struct geneve_rx_cell);
	if (!geneve_rx_cells)
		return -ENOMEM;
	init_dummy_netdev(&geneve_rx_napi_dev);
	for_each_possible_cpu(cpu) {
		cell = per_cpu_ptr(geneve_rx_cells, cpu);
		__skb_queue_head_init(&cell->queue);
		INIT_WORK(&cell->forget, geneve_rx_cell_forget);
		/* A busy poller would dequeue on a CPU other than the cell's. */
		set_bit(NAPI_STATE_NO_BUSY_POLL, &cell->napi.state);
		netif_napi_add(&geneve_rx_napi_dev, &cell->napi, geneve_rx_cell_poll);
		napi_enable(&cell->napi);
	}
	return 0;
}

/* After the last device is gone: every queue was emptied by forget. */
void geneve_rx_cells_exit(void)
{
	struct geneve_rx_cell *cell;
	int cpu;

	for_each_possible_cpu(cpu) {
		cell = per_cpu_ptr(geneve_rx_cells, cpu);
		napi_disable(&cell->napi);
		__netif_napi_del(&cell->napi);
		WARN_ON_ONCE(!skb_queue_empty(&cell->queue));
	}
	synchronize_net();	/* napi_list readers, as for any unregistered NAPI */
	free_percpu(geneve_rx_cells);
}

/*
 * ECN per RFC 6040: outer CE marks the inner packet; CE on a not-ECT inner
 * packet cannot be passed on and is dropped.
 */
static bool geneve_ecn_decap(const struct geneve_sock *gs, const void *outer,
			     struct sk_buff *skb)
{
	int err;

	if (gs->af == GENEVE_AF_INET6)
		err = IP6_ECN_decapsulate(outer, skb);
	else
		err = IP_ECN_decapsulate(outer, skb);
	if (likely(!err))
		return true;
	if (geneve_log_ecn_error) {
		if (gs->af == GENEVE_AF_INET6)
			net_info_ratelimited("non-ECT from %pI6\n",
					     &((const struct ipv6hdr *)outer)->saddr);
		else
			net_info_ratelimited("non-ECT from %pI4 with TOS=%#x\n",
					     &((const struct iphdr *)outer)->saddr,
					     ((const struct iphdr *)outer)->tos);
	}
	return err == 1;	/* 1: logged only, the packet goes on */
}

static bool geneve_rx_proto_ok(const struct geneve_cfg *cfg, u16 proto)
{
	if (cfg->inner_proto_inherit)
		return proto == ETH_P_IP || proto == ETH_P_IPV6;
	return proto == ETH_P_TEB;
}

/* Metadata for tc, BPF and Open vSwitch: VNI, outer addresses, options. */
static int geneve_rx_metadata(struct geneve_dev *geneve, struct geneve_sock *gs,
			      struct sk_buff *skb,
			      const struct geneve_hdr_fields *hdr, u8 hdr_flags)
{
	__be16 flags = TUNNEL_KEY;
	struct metadata_dst *tun_dst;

	if (hdr_flags & GENEVE_FLAG_OAM)
		flags |= TUNNEL_OAM;
	if (hdr_flags & GENEVE_FLAG_CRITICAL)
		flags |= TUNNEL_CRIT_OPT;
	tun_dst = udp_tun_rx_dst(skb, gs->af == GENEVE_AF_INET6 ? AF_INET6 : AF_INET,
				 flags, geneve_vni_to_tun_id(hdr->vni),
				 hdr->opts_len);
	if (unlikely(!tun_dst))
		return -ENOMEM;
	ip_tunnel_info_opts_set(&tun_dst->u.tun_info,
				(u8 *)(udp_hdr(skb) + 1) + GENEVE_HDR_LEN,
				hdr->opts_len, TUNNEL_GENEVE_OPT);
	skb_dst_set(skb, &tun_dst->dst);
	return 0;
}

static void geneve_rx(struct geneve_dev *geneve, struct geneve_sock *gs,
		      struct sk_buff *skb, const struct geneve_hdr_fields *hdr)
{
	const struct geneve_cfg *cfg = &geneve->cfg;
	struct net_device *dev = geneve->dev;
	bool eth = hdr->protocol == ETH_P_TEB;
	unsigned int outer_nh, len;
	u8 flags = hdr->flags;
	enum geneve_drop why;
	int opt_flags;

	if (unlikely(!geneve_rx_proto_ok(cfg, hdr->protocol))) {
		why = GENEVE_DROP_RX_WRONG_PROTOCOL;
		goto drop;
	}
	if (unlikely(!pskb_may_pull(skb, GENEVE_UDP_HLEN + hdr->opts_len +
					 (eth ? ETH_HLEN : 0)))) {
		why = GENEVE_DROP_RX_TRUNCATED;
		goto drop;
	}
	if (cfg->external) {
		/* Options go up to tc/BPF/OVS: they must at least be well formed. */
		opt_flags = geneve_opts_check((u8 *)(udp_hdr(skb) + 1) +
					      GENEVE_HDR_LEN, hdr->opts_len);
		if (unlikely(opt_flags < 0)) {
			why = GENEVE_DROP_RX_BAD_OPTIONS;
			goto drop;
		}
		flags |= opt_flags;
	} else {
		/* We interpret no options, so critical ones cannot be honoured. */
		if (unlikely(hdr->flags & GENEVE_FLAG_CRITICAL)) {
			why = GENEVE_DROP_RX_CRITICAL;
			goto drop;
		}
		/* Control messages are for the endpoint, never forwarded as data. */
		if (unlikely(hdr->flags & GENEVE_FLAG_OAM)) {
			why = GENEVE_DROP_RX_OAM;
			goto drop;
		}
	}
	if (unlikely(iptunnel_pull_header(skb, GENEVE_UDP_HLEN + hdr->opts_len,
					  htons(hdr->protocol),
					  !net_eq(geneve->net, dev_net(dev))))) {
		why = GENEVE_DROP_RX_NO_MEMORY;
		goto drop;
	}
	/* After the pull, which may scrub the skb's dst; the headers stay put. */
	if ((cfg->external || ip_tunnel_collect_metadata()) &&
	    unlikely(geneve_rx_metadata(geneve, gs, skb, hdr, flags))) {
		why = GENEVE_DROP_RX_NO_MEMORY;
		goto drop;
	}

	skb_reset_mac_header(skb);
	if (eth) {
		skb->protocol = eth_type_trans(skb, dev);
		skb_postpull_rcsum(skb, eth_hdr(skb), ETH_HLEN);
		/* Our own frames coming back mean a forwarding loop. */
		if (unlikely(ether_addr_equal(eth_hdr(skb)->h_source,
					      dev->dev_addr))) {
			why = GENEVE_DROP_RX_OWN_MAC;
			goto drop;
		}
	} else {
		skb->dev = dev;
		skb->pkt_type = PACKET_HOST;
	}

	/* pskb_inet_may_pull() may move skb->head: keep an offset. */
	outer_nh = skb_network_header(skb) - skb->head;
	skb_reset_network_header(skb);
	if (unlikely(!pskb_inet_may_pull(skb))) {
		why = GENEVE_DROP_RX_TRUNCATED_INNER;
		goto drop;
	}
	if (unlikely(!geneve_ecn_decap(gs, skb->head + outer_nh, skb))) {
		why = GENEVE_DROP_RX_ECN;
		goto drop;
	}

	len = skb->len;
	if (likely(geneve_rx_cell_queue(skb) == NET_RX_SUCCESS))
		dev_sw_netstats_rx_add(dev, len);
	else
		geneve_count_drop(geneve, GENEVE_DROP_RX_BACKLOG);
	return;
drop:
	geneve_count_drop(geneve, why);
	kfree_skb(skb);
}

/* Called by UDP with skb->data at the UDP header; always consumes skb. */
int geneve_udp_encap_recv(struct sock *sk, struct sk_buff *skb)
{
	struct geneve_sock *gs = rcu_dereference_sk_user_data(sk);
	struct geneve_hdr_fields hdr;
	enum geneve_hdr_error herr;
	struct geneve_dev *geneve;

	if (unlikely(!gs))
		goto drop;

	if (unlikely(!pskb_may_pull(skb, GENEVE_UDP_HLEN)))
		herr = GENEVE_HDR_SHORT;
	else
		herr = geneve_hdr_parse((u8 *)(udp_hdr(skb) + 1),
					skb_headlen(skb) - sizeof(struct udphdr),
					&hdr);
	if (unlikely(herr != GENEVE_HDR_OK)) {
		atomic_long_inc(&gs->drops[herr == GENEVE_HDR_SHORT ?
					   GENEVE_SOCK_DROP_SHORT :
					   GENEVE_SOCK_DROP_VERSION]);
		goto drop;
	}

	geneve = rcu_dereference(gs->external);
	if (!geneve)
		geneve = geneve_lookup(gs, hdr.vni, gs->af == GENEVE_AF_INET6 ?
				       (const void *)&ipv6_hdr(skb)->saddr :
				       &ip_hdr(skb)->saddr);
	if (unlikely(!geneve)) {
		atomic_long_inc(&gs->drops[GENEVE_SOCK_DROP_NO_TUNNEL]);
		goto drop;
	}
	geneve_rx(geneve, gs, skb, &hdr);
	return 0;
drop:
	kfree_skb(skb);
	return 0;
}

/* ---- GRO on the UDP socket ---- */

/*
 * A packet joins the flows held for merging only if its whole Geneve header,
 * options included, is byte for byte theirs (RFC 8926 section 4.6: the
 * options must stay with every packet they came with).  OAM packets are
 * never merged: they go up at once, one by one.
 */
struct sk_buff *geneve_gro_receive(struct sock *sk, struct list_head *head,
				   struct sk_buff *skb)
{
	unsigned int off = skb_gro_offset(skb), hlen;
	const struct packet_offload *offload = NULL;
	struct geneve_hdr_fields hdr;
	struct sk_buff *p;
	const u8 *gh;

	gh = skb_gro_header(skb, off + GENEVE_HDR_LEN, off);
	if (unlikely(!gh) ||
	    geneve_hdr_parse(gh, GENEVE_HDR_LEN, &hdr) != GENEVE_HDR_OK ||
	    (hdr.flags & GENEVE_FLAG_OAM))
		goto flush;
	if (hdr.protocol != ETH_P_TEB) {
		offload = gro_find_receive_by_type(htons(hdr.protocol));
		if (!offload)
			goto flush;
	}
	hlen = GENEVE_HDR_LEN + hdr.opts_len;
	if (hdr.opts_len) {
		gh = skb_gro_header(skb, off + hlen, off);
		if (unlikely(!gh))
			goto flush;
	}

	/*
	 * Base header and options compared in one go (equal bytes include an
	 * equal option length).  A packet held before this socket existed
	 * may not have that much linear.
	 */
	list_for_each_entry(p, head, list) {
		if (!NAPI_GRO_CB(p)->same_flow)
			continue;
		if (skb_headlen(p) < off + hlen ||
		    memcmp(gh, p->data + off, hlen))
			NAPI_GRO_CB(p)->same_flow = 0;
	}

	skb_gro_pull(skb, hlen);
	skb_gro_postpull_rcsum(skb, gh, hlen);
	/* Ethernet, the usual case, by a direct call. */
	if (!offload)
		return call_gro_receive(eth_gro_receive, head, skb);
	return call_gro_receive(offload->callbacks.gro_receive, head, skb);

flush:
	/* Not handed to an inner protocol: goes up unmerged. */
	NAPI_GRO_CB(skb)->flush |= 1;
	return NULL;
}

/* Finishes a merged packet: the inner protocol fixes up its own headers. */
int geneve_gro_complete(struct sock *sk, struct sk_buff *skb, int nhoff)
{
	const struct packet_offload *ptype;
	struct geneve_hdr_fields hdr;
	int inner, err = -ENOSYS;

	/*
	 * Normally geneve_gro_receive() vetted this header, but a flow that
	 * plain UDP GRO held before this socket was bound ends here too.
	 */
	if (unlikely(nhoff + GENEVE_HDR_LEN > skb_headlen(skb) ||
		     geneve_hdr_parse(skb->data + nhoff, GENEVE_HDR_LEN,
				      &hdr) != GENEVE_HDR_OK))
		return -EINVAL;
	inner = nhoff + GENEVE_HDR_LEN + hdr.opts_len;
	if (unlikely(inner > skb_headlen(skb)))
		return -EINVAL;
	/* With skb->encapsulation set, this sets the inner MAC header too. */
	if (hdr.protocol == ETH_P_TEB)
		return eth_gro_complete(skb, inner);

	ptype = gro_find_complete_by_type(htons(hdr.protocol));
	if (ptype)
		err = ptype->callbacks.gro_complete(skb, inner);
	/* L3 mode: no inner MAC header, so it starts where IP does. */
	skb_set_inner_mac_header(skb, inner);
	return err;
}

/*
 * An ICMP error quotes one of our packets: claim it (return 0) when it came
 * from a tunnel of this socket, so that UDP updates the path MTU or reports
 * the error for it.  @skb holds the quoted outer IP header and what follows.
 */
int geneve_udp_encap_err_lookup(struct sock *sk, struct sk_buff *skb)
{
	struct geneve_sock *gs = rcu_dereference_sk_user_data(sk);
	struct geneve_hdr_fields hdr;

	if (!gs)
		return -ENOENT;
	if (!pskb_may_pull(skb, skb_transport_offset(skb) + GENEVE_UDP_HLEN))
		return -EINVAL;
	if (geneve_hdr_parse((u8 *)(udp_hdr(skb) + 1), GENEVE_HDR_LEN,
			     &hdr) != GENEVE_HDR_OK)
		return -EINVAL;
	if (rcu_access_pointer(gs->external))
		return 0;
	return geneve_lookup(gs, hdr.vni, gs->af == GENEVE_AF_INET6 ?
			     (const void *)&ipv6_hdr(skb)->daddr :
			     &ip_hdr(skb)->daddr) ? 0 : -ENOENT;
}
