// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Geneve fast path: encapsulation on transmit (through the forwarding
 * database where there is one), decapsulation in the UDP socket's encap_rcv
 * hook.  RCU only: a packet reads its device's configuration once, through
 * geneve_dev.conf, and uses that one throughout (see geneve_update_cfg()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/hash.h>
#include <linux/if_ether.h>
#include <net/dst_metadata.h>
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
		break;		/* geneve_rx_cells_queue() counted it already */
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
	case GENEVE_DROP_TX_NO_DESTINATION:
	case GENEVE_DROP_TX_REPLICA:
		DEV_STATS_INC(dev, tx_dropped);
		break;
	case GENEVE_DROP_LEARN_LIMIT:		/* a source, not a packet */
	case GENEVE_DROP_LEARN_NO_MEMORY:
	case GENEVE_DROP_LEARN_TABLE_BUSY:
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
	struct geneve_dev *geneve, *multipoint = NULL;
	const struct geneve_cfg *cfg;

	hlist_for_each_entry_rcu(geneve, &gs->vni_heads[geneve_vni_hash(vni)],
				 vni_node[gs->af]) {
		cfg = &rcu_dereference(geneve->conf)->cfg;
		if (cfg->vni != vni)
			continue;
		if (gs->af == GENEVE_AF_INET6 ?
		    ipv6_addr_equal(&cfg->remote.v6, remote) :
		    cfg->remote.v4 == *(const __be32 *)remote)
			return geneve;
		if (geneve_cfg_multipoint(cfg))
			multipoint = geneve;
	}
	/* A device without a remote of its own takes the VNI from any other. */
	return multipoint;
}

/* ---- Transmit ---- */

/*
 * Everything one packet's outer headers are made of, whatever the mode;
 * geneve_tx_prepare() sets every field (geneve_egress_metadata() those a
 * route lookup reads).
 */
struct geneve_tx {
	const struct geneve_cfg *cfg;		/* the one the packet started with */
	const struct ip_tunnel_info *md;	/* external mode only */
	struct dst_cache *cache;		/* NULL: look the route up */
	union geneve_addr dst, src;
	bool ipv6;
	bool replica;			/* to a forwarding database remote */
	u32 vni;
	int oif;			/* 0, or the remote's via interface */
	__be16 dport;
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

/* A packet the transmit path gave up on: why, and whether it is gone. */
struct geneve_tx_drop {
	enum geneve_drop why;
	bool consumed;			/* it became an ICMP error to its sender */
};

static bool geneve_tx_refuse(struct geneve_tx_drop *drop, enum geneve_drop why)
{
	drop->why = why;
	return false;
}

static bool geneve_tx_from_metadata(struct sk_buff *skb, struct geneve_tx *tx,
				    struct geneve_tx_drop *drop)
{
	const struct ip_tunnel_info *info = skb_tunnel_info(skb);
	IP_TUNNEL_DECLARE_FLAGS(flags);
	int opt_flags = 0;

	if (unlikely(!info || !(info->mode & IP_TUNNEL_INFO_TX)))
		return geneve_tx_refuse(drop, GENEVE_DROP_TX_NO_METADATA);
	ip_tunnel_flags_copy(flags, info->key.tun_flags);
	/*
	 * Options of another tunnel type, or malformed ones, cannot be sent.
	 * A critical option sets the C bit even if the metadata forgot it
	 * (RFC 8926 section 3.4): receivers decide on that bit alone.
	 */
	if (info->options_len) {
		if (unlikely(!test_bit(IP_TUNNEL_GENEVE_OPT_BIT, flags)))
			return geneve_tx_refuse(drop, GENEVE_DROP_TX_BAD_OPTIONS);
		opt_flags = geneve_opts_check((const u8 *)(info + 1),
					      info->options_len);
		if (unlikely(opt_flags < 0))
			return geneve_tx_refuse(drop, GENEVE_DROP_TX_BAD_OPTIONS);
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
	tx->df = test_bit(IP_TUNNEL_DONT_FRAGMENT_BIT, flags);
	tx->csum = test_bit(IP_TUNNEL_CSUM_BIT, flags);
	tx->flags = opt_flags |
		    (test_bit(IP_TUNNEL_OAM_BIT, flags) ? GENEVE_FLAG_OAM : 0) |
		    (test_bit(IP_TUNNEL_CRIT_OPT_BIT, flags) ? GENEVE_FLAG_CRITICAL : 0);
	tx->opts_len = info->options_len;
	tx->cache = ip_tunnel_dst_cache_usable(skb, info) ?
		    (struct dst_cache *)&info->dst_cache : NULL;
	return true;
}

static bool geneve_df_inherit(struct sk_buff *skb)
{
	/* IPv6 never fragments on the way; IPv4 says so in its header. */
	if (skb->protocol == htons(ETH_P_IPV6))
		return true;
	return skb->protocol == htons(ETH_P_IP) &&
	       (ip_hdr(skb)->frag_off & htons(IP_DF));
}

static void geneve_tx_from_cfg(struct geneve_conf *conf, struct sk_buff *skb,
			       struct geneve_tx *tx)
{
	const struct geneve_cfg *cfg = &conf->cfg;
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
	tx->cache = use_cache ? &conf->dst_cache : NULL;
}

static bool geneve_tx_prepare(struct geneve_dev *geneve,
			      struct geneve_conf *conf, struct sk_buff *skb,
			      struct geneve_tx *tx, struct geneve_tx_drop *drop)
{
	const struct geneve_cfg *cfg = &conf->cfg;

	/* Makes the inner headers that inherit options read linear. */
	if (unlikely(skb_vlan_inet_prepare(skb, cfg->inner_proto_inherit)))
		return geneve_tx_refuse(drop, GENEVE_DROP_TX_TRUNCATED);

	/* In L3 mode the protocol type says what the packet is, as in-tree. */
	tx->inner_proto = cfg->inner_proto_inherit ? skb->protocol :
						      htons(ETH_P_TEB);
	tx->cfg = cfg;
	tx->replica = false;
	tx->oif = 0;
	tx->dport = cfg->dst_port;
	if (cfg->external) {
		if (!geneve_tx_from_metadata(skb, tx, drop))
			return false;
	} else {
		geneve_tx_from_cfg(conf, skb, tx);
	}
	tx->sport = udp_flow_src_port(geneve->net, skb, cfg->src_port_min,
				      cfg->src_port_max, true);
	return true;
}

static struct dst_entry *geneve_route4(struct geneve_dev *geneve,
				       struct sk_buff *skb,
				       const struct geneve_tx *tx,
				       struct flowi4 *fl4,
				       struct geneve_tx_drop *drop)
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
	fl4->flowi4_tos = geneve_route_tos(tx->tos);
	fl4->flowi4_mark = skb->mark;
	fl4->flowi4_oif = tx->oif;
	fl4->flowi4_proto = IPPROTO_UDP;
	fl4->fl4_dport = tx->dport;
	fl4->fl4_sport = tx->sport;
	if (tx->md)
		fl4->flowi4_flags = tx->md->key.flow_flags;
	rt = ip_route_output_key(geneve->net, fl4);
	if (IS_ERR(rt)) {
		geneve_tx_refuse(drop, GENEVE_DROP_TX_NO_ROUTE);
		return NULL;
	}
	if (unlikely(rt->dst.dev == geneve->dev)) {
		ip_rt_put(rt);
		geneve_tx_refuse(drop, GENEVE_DROP_TX_LOOP);
		return NULL;
	}
	if (tx->cache)
		dst_cache_set_ip4(tx->cache, &rt->dst, fl4->saddr);
	return &rt->dst;
}

static struct dst_entry *geneve_route6(struct geneve_dev *geneve,
				       struct sk_buff *skb,
				       struct geneve_sock *gs,
				       const struct geneve_tx *tx,
				       struct flowi6 *fl6,
				       struct geneve_tx_drop *drop)
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
	fl6->flowi6_oif = tx->oif;
	fl6->flowi6_proto = IPPROTO_UDP;
	fl6->fl6_dport = tx->dport;
	fl6->fl6_sport = tx->sport;
	dst = ipv6_stub->ipv6_dst_lookup_flow(geneve->net, gs->sock->sk, fl6,
					      NULL);
	if (IS_ERR(dst)) {
		geneve_tx_refuse(drop, GENEVE_DROP_TX_NO_ROUTE);
		return NULL;
	}
	if (unlikely(dst->dev == geneve->dev)) {
		dst_release(dst);
		geneve_tx_refuse(drop, GENEVE_DROP_TX_LOOP);
		return NULL;
	}
	if (tx->cache)
		dst_cache_set_ip6(tx->cache, dst, &fl6->saddr);
	return dst;
}

/*
 * The outer route, or NULL; @gs is the socket of the packet's family, which
 * an IPv6 lookup goes through.
 * @fl gets the flow it was looked up for; on a hit in the route cache, only
 * its addresses, which is all callers read.
 */
static struct dst_entry *geneve_route(struct geneve_dev *geneve,
				      struct sk_buff *skb, struct geneve_sock *gs,
				      const struct geneve_tx *tx, struct flowi *fl,
				      struct geneve_tx_drop *drop)
{
	if (tx->ipv6)
		return geneve_route6(geneve, skb, gs, tx, &fl->u.ip6, drop);
	return geneve_route4(geneve, skb, tx, &fl->u.ip4, drop);
}

static struct geneve_sock *geneve_tx_sock(struct geneve_dev *geneve,
					  const struct geneve_tx *tx)
{
	return rcu_dereference(geneve->sock[tx->ipv6 ? GENEVE_AF_INET6 :
							GENEVE_AF_INET]);
}

/*
 * A metadata dst's options live in the room metadata_dst_alloc() made after
 * its ip_tunnel_info.  ip_tunnel_info_opts_set() writes them with a memcpy
 * that 6.12's FORTIFY_SOURCE takes for a write past the struct (and warns).
 */
static void geneve_tun_info_put_opts(struct ip_tunnel_info *info,
				     const void *opts, u8 len)
{
	info->options_len = len;
	unsafe_memcpy(ip_tunnel_info_opts(info), opts, len,
		      /* metadata_dst_alloc(len, ...) sized the dst for them */);
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
	/* The flags came with the key. */
	geneve_tun_info_put_opts(reply, info + 1,
				 info->options_len);
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
 * inner route's PMTU and, on a bridge or Open vSwitch port, turns the packet
 * into an ICMP error that the sender receives from this device.  That error
 * is built on an Ethernet frame: an L3-mode device (which Open vSwitch
 * accepts as a port) only lowers the PMTU.  @fl holds the outer source the
 * route chose.  False: the packet is not to be sent.
 */
static bool geneve_check_pmtu(struct geneve_dev *geneve, struct sk_buff *skb,
			      struct dst_entry *dst, const struct geneve_tx *tx,
			      size_t ip_hlen, const struct flowi *fl,
			      struct geneve_tx_drop *drop)
{
	bool l3 = tx->cfg->inner_proto_inherit;
	size_t overhead = ip_hlen + GENEVE_UDP_HLEN + tx->opts_len +
			  (l3 ? 0 : ETH_HLEN);
	int err;

	err = skb_tunnel_check_pmtu(skb, dst, overhead,
				    !l3 && netif_is_any_bridge_port(geneve->dev));
	if (likely(!err))
		return true;
	/* Too big: dropped, whether or not an error goes back (err < 0: none). */
	drop->why = GENEVE_DROP_TX_TOO_BIG;
	if (err < 0)
		return false;
	if (tx->md && unlikely(geneve_pmtu_reply_metadata(skb, tx, fl)))
		return geneve_tx_refuse(drop, GENEVE_DROP_TX_NO_MEMORY);
	if (unlikely(!pskb_may_pull(skb, ETH_HLEN)))
		return false;
	skb->protocol = eth_type_trans(skb, geneve->dev);
	__netif_rx(skb);
	drop->consumed = true;
	return false;
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
static bool geneve_xmit_one(struct sk_buff *skb, struct geneve_dev *geneve,
			    const struct geneve_tx *tx,
			    struct geneve_tx_drop *drop)
{
	struct geneve_sock *gs = geneve_tx_sock(geneve, tx);
	size_t ip_hlen = tx->ipv6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	__be16 dport = tx->dport;
	/* geneve_route() fills what is read: no clearing per packet. */
	struct flowi fl __uninitialized;
	struct dst_entry *dst;
	u8 tos, ttl;

	if (unlikely(!gs))
		return geneve_tx_refuse(drop, GENEVE_DROP_TX_NO_SOCKET);
	dst = geneve_route(geneve, skb, gs, tx, &fl, drop);
	if (unlikely(!dst))
		return false;
	/* A flood list shared by all hosts names this one too: skip it. */
	if (tx->replica && (dst->dev->flags & IFF_LOOPBACK)) {
		dst_release(dst);
		consume_skb(skb);
		return true;
	}
	if (unlikely(!geneve_check_pmtu(geneve, skb, dst, tx, ip_hlen, &fl, drop)))
		goto err_release;

	tos = ip_tunnel_ecn_encap(tx->tos, ip_hdr(skb), skb);
	ttl = tx->ttl ?: (tx->ipv6 ? ip6_dst_hoplimit(dst) : ip4_dst_hoplimit(dst));
	if (unlikely(geneve_push_header(geneve, skb, tx, dst, ip_hlen))) {
		geneve_tx_refuse(drop, GENEVE_DROP_TX_NO_MEMORY);
		goto err_release;
	}
	if (tx->ipv6)
		udp_tunnel6_xmit_skb(dst, gs->sock->sk, skb, geneve->dev,
				     &fl.u.ip6.saddr, &fl.u.ip6.daddr, tos, ttl,
				     tx->label, tx->sport, dport, !tx->csum);
	else
		udp_tunnel_xmit_skb(container_of(dst, struct rtable, dst),
				    gs->sock->sk, skb, fl.u.ip4.saddr,
				    fl.u.ip4.daddr, tos, ttl,
				    tx->df ? htons(IP_DF) : 0, tx->sport, dport,
				    !net_eq(geneve->net, dev_net(geneve->dev)),
				    !tx->csum);
	return true;

err_release:
	dst_release(dst);
	return false;
}

/* @tx aimed at forwarding database remote @r, or at the device's remote. */
static void geneve_tx_to(struct geneve_tx *copy, const struct geneve_tx *tx,
			 const struct geneve_fdb_remote *r)
{
	*copy = *tx;
	if (!r)
		return;
	copy->replica = true;
	copy->dst = r->ip;
	copy->vni = r->vni;
	copy->dport = r->port;
	copy->oif = r->ifindex;
	if (tx->cache)
		copy->cache = (struct dst_cache *)&r->dst_cache;
	/* A group reaches the local segment only, unless a TTL is set. */
	if (r->group && !tx->cfg->ttl && !tx->cfg->ttl_inherit)
		copy->ttl = 1;
}

/* A copy of @skb to @r; what becomes of it is counted, not returned. */
static void geneve_xmit_copy(struct sk_buff *skb, struct geneve_dev *geneve,
			     const struct geneve_tx *tx,
			     const struct geneve_fdb_remote *r)
{
	struct geneve_tx_drop drop = { .consumed = false };
	struct sk_buff *copy = skb_clone(skb, GFP_ATOMIC);
	struct geneve_tx to;

	if (unlikely(!copy)) {
		geneve_count_drop(geneve, GENEVE_DROP_TX_REPLICA);
		return;
	}
	geneve_tx_to(&to, tx, r);
	if (likely(geneve_xmit_one(copy, geneve, &to, &drop)))
		return;
	if (!drop.consumed)
		kfree_skb(copy);
	geneve_count_drop(geneve, drop.why);
}

/*
 * Through the forwarding database: to the remotes of the destination MAC's
 * entry; a frame to any other MAC (broadcast, multicast, unknown) goes to
 * each remote of the all-zeros entry and to the device's own remote, if it
 * has one (head-end replication).  The last copy is @skb itself.
 */
static bool geneve_fdb_xmit(struct sk_buff *skb, struct geneve_dev *geneve,
			    const struct geneve_tx *tx,
			    struct geneve_tx_drop *drop)
{
	const struct geneve_fdb_remote *r, *last = NULL;
	struct geneve_fdb *fdb = &geneve->fdb;
	/* Entries imply a table (the release in geneve_fdb_link()). */
	bool have_entries = smp_load_acquire(&fdb->count);
	struct geneve_fdb_entry *e = NULL;
	unsigned long now = jiffies;
	bool flood, any = false;
	struct geneve_tx to;

	if (have_entries)
		e = geneve_fdb_find(fdb, ((struct ethhdr *)skb->data)->h_dest);
	flood = !e;
	if (flood && have_entries)
		e = geneve_fdb_flood_entry(fdb);
	if (e) {
		if (READ_ONCE(e->used) != now)
			WRITE_ONCE(e->used, now);
		list_for_each_entry_rcu(r, &e->remotes, node) {
			if (any)
				geneve_xmit_copy(skb, geneve, tx, last);
			last = r;
			any = true;
		}
	}
	if (flood && !geneve_cfg_multipoint(tx->cfg)) {
		if (any)
			geneve_xmit_copy(skb, geneve, tx, last);
		last = NULL;
		any = true;
	}
	if (unlikely(!any))
		return geneve_tx_refuse(drop, GENEVE_DROP_TX_NO_DESTINATION);
	geneve_tx_to(&to, tx, last);
	return geneve_xmit_one(skb, geneve, &to, drop);
}

/* Ethernet devices with entries, or without a remote of their own. */
static bool geneve_fdb_forwards(struct geneve_dev *geneve,
				const struct geneve_cfg *cfg)
{
	return !cfg->external && !cfg->inner_proto_inherit &&
	       (READ_ONCE(geneve->fdb.count) || geneve_cfg_multipoint(cfg));
}

netdev_tx_t geneve_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct geneve_dev *geneve = netdev_priv(dev);
	struct geneve_tx_drop drop = { .consumed = false };
	struct geneve_conf *conf;
	struct geneve_tx tx;
	bool sent;

	rcu_read_lock();
	conf = rcu_dereference(geneve->conf);
	sent = geneve_tx_prepare(geneve, conf, skb, &tx, &drop);
	if (likely(sent)) {
		if (geneve_fdb_forwards(geneve, &conf->cfg))
			sent = geneve_fdb_xmit(skb, geneve, &tx, &drop);
		else
			sent = geneve_xmit_one(skb, geneve, &tx, &drop);
	}
	rcu_read_unlock();
	if (likely(sent))
		return NETDEV_TX_OK;

	if (!drop.consumed)
		kfree_skb(skb);
	geneve_count_drop(geneve, drop.why);
	net_dbg_ratelimited("%s: transmit dropped: %s\n", dev->name,
			    geneve_drop_name(drop.why));
	return NETDEV_TX_OK;
}

/* Tells Open vSwitch (and BPF) which source address and ports a flow gets. */
int geneve_egress_metadata(struct net_device *dev, struct sk_buff *skb)
{
	struct ip_tunnel_info *info = skb_tunnel_info(skb);
	struct geneve_dev *geneve = netdev_priv(dev);
	const struct geneve_cfg *cfg = &rcu_dereference(geneve->conf)->cfg;
	struct geneve_tx_drop drop;
	struct geneve_sock *gs;
	struct dst_entry *dst;
	struct geneve_tx tx;
	struct flowi fl;

	if (!cfg->external)
		return -EINVAL;
	/* The transmit path's choices, without touching the packet. */
	if (!geneve_tx_from_metadata(skb, &tx, &drop))
		return -EINVAL;
	tx.cfg = cfg;
	tx.replica = false;
	tx.oif = 0;
	tx.dport = cfg->dst_port;
	tx.sport = udp_flow_src_port(geneve->net, skb, cfg->src_port_min,
				     cfg->src_port_max, true);
	/* As in-tree: only an IPv6 lookup goes through the socket. */
	gs = geneve_tx_sock(geneve, &tx);
	if (tx.ipv6 && !gs)
		return -EIO;
	dst = geneve_route(geneve, skb, gs, &tx, &fl, &drop);
	if (!dst)
		return -ENETUNREACH;
	dst_release(dst);
	if (tx.ipv6)
		info->key.u.ipv6.src = fl.u.ip6.saddr;
	else
		info->key.u.ipv4.src = fl.u.ip4.saddr;
	info->key.tp_src = tx.sport;
	info->key.tp_dst = cfg->dst_port;
	return 0;
}

/* ---- Receive ---- */

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
		return proto == ETH_P_IP || proto == ETH_P_IPV6 ||
		       geneve_l3_rx_other_proto(proto);
	return proto == ETH_P_TEB;
}

/* Metadata for tc, BPF and Open vSwitch: VNI, outer addresses, options. */
static int geneve_rx_metadata(struct geneve_dev *geneve, struct geneve_sock *gs,
			      struct sk_buff *skb,
			      const struct geneve_hdr_fields *hdr, u8 hdr_flags)
{
	IP_TUNNEL_DECLARE_FLAGS(flags) = { };
	struct metadata_dst *tun_dst;

	__set_bit(IP_TUNNEL_KEY_BIT, flags);
	if (hdr_flags & GENEVE_FLAG_OAM)
		__set_bit(IP_TUNNEL_OAM_BIT, flags);
	if (hdr_flags & GENEVE_FLAG_CRITICAL)
		__set_bit(IP_TUNNEL_CRIT_OPT_BIT, flags);
	if (hdr->opts_len)
		__set_bit(IP_TUNNEL_GENEVE_OPT_BIT, flags);
	tun_dst = udp_tun_rx_dst(skb, gs->af == GENEVE_AF_INET6 ? AF_INET6 : AF_INET,
				 flags, geneve_vni_to_tun_id(hdr->vni),
				 hdr->opts_len);
	if (unlikely(!tun_dst))
		return -ENOMEM;
	geneve_tun_info_put_opts(&tun_dst->u.tun_info,
				 (u8 *)(udp_hdr(skb) + 1) + GENEVE_HDR_LEN,
				 hdr->opts_len);
	skb_dst_set(skb, &tun_dst->dst);
	return 0;
}

/*
 * The frame's source MAC is behind the outer source address, unless that is
 * no address to send to.
 */
static void geneve_rx_learn(struct geneve_dev *geneve, struct geneve_sock *gs,
			    const struct geneve_cfg *cfg, struct sk_buff *skb,
			    const void *outer, u32 vni)
{
	union geneve_addr from;
	int type;

	if (gs->af == GENEVE_AF_INET6) {
		from.v6 = ((const struct ipv6hdr *)outer)->saddr;
		type = ipv6_addr_type(&from.v6);
		if (type == IPV6_ADDR_ANY || type & IPV6_ADDR_MULTICAST)
			return;
	} else {
		from.v4 = ((const struct iphdr *)outer)->saddr;
		if (ipv4_is_zeronet(from.v4) || ipv4_is_multicast(from.v4) ||
		    ipv4_is_lbcast(from.v4))
			return;
	}
	geneve_fdb_learn(geneve, cfg, eth_hdr(skb)->h_source, &from, vni);
}

static void geneve_rx(struct geneve_dev *geneve, struct geneve_sock *gs,
		      struct sk_buff *skb, const struct geneve_hdr_fields *hdr)
{
	const struct geneve_cfg *cfg = &rcu_dereference(geneve->conf)->cfg;
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
	if (eth && READ_ONCE(geneve->fdb.learning))
		geneve_rx_learn(geneve, gs, cfg, skb, skb->head + outer_nh,
				hdr->vni);

	len = skb->len;
	if (likely(geneve_rx_cells_queue(geneve, skb) == NET_RX_SUCCESS))
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
