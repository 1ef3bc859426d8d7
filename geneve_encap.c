// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Geneve fast path: encapsulation on transmit, decapsulation in the UDP
 * socket's encap_rcv hook.  RCU only; configuration is read while the
 * control path guarantees it is not being rewritten (see geneve_update_cfg).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/hash.h>
#include <linux/if_ether.h>
#include <net/dst_metadata.h>
#include <net/inet_ecn.h>
#include <net/ip_tunnels.h>
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

struct geneve_dev *geneve_lookup(struct geneve_sock *gs, u32 vni,
				 __be32 remote)
{
	struct geneve_dev *geneve;

	hlist_for_each_entry_rcu(geneve, &gs->vni_heads[geneve_vni_hash(vni)],
				 vni_node) {
		if (geneve->cfg.vni == vni && geneve->cfg.remote4 == remote)
			return geneve;
	}
	return NULL;
}

static struct rtable *geneve_route4(struct geneve_dev *geneve,
				    struct sk_buff *skb, struct flowi4 *fl4,
				    u8 tos, __be16 sport)
{
	/* The cached route is only valid for the flow key it was made for. */
	bool use_cache = !skb->mark && geneve->cfg.tos != 1;
	struct rtable *rt;

	memset(fl4, 0, sizeof(*fl4));
	fl4->daddr = geneve->cfg.remote4;
	fl4->flowi4_tos = RT_TOS(tos);
	fl4->flowi4_mark = skb->mark;
	fl4->flowi4_proto = IPPROTO_UDP;
	fl4->fl4_dport = geneve->cfg.dst_port;
	fl4->fl4_sport = sport;

	if (use_cache) {
		rt = dst_cache_get_ip4(&geneve->dst_cache, &fl4->saddr);
		if (rt)
			return rt;
	}

	rt = ip_route_output_key(geneve->net, fl4);
	if (IS_ERR(rt))
		return ERR_PTR(-ENETUNREACH);
	if (unlikely(rt->dst.dev == geneve->dev)) {
		ip_rt_put(rt);
		return ERR_PTR(-ELOOP);
	}
	if (use_cache)
		dst_cache_set_ip4(&geneve->dst_cache, &rt->dst, fl4->saddr);
	return rt;
}

static __be16 geneve_df4(const struct geneve_cfg *cfg, struct sk_buff *skb)
{
	switch (cfg->df) {
	case GENEVE_DF_SET:
		return htons(IP_DF);
	case GENEVE_DF_INHERIT:
		/* IPv6 never fragments on the way; IPv4 says so in its header. */
		if (skb->protocol == htons(ETH_P_IPV6))
			return htons(IP_DF);
		if (skb->protocol == htons(ETH_P_IP) &&
		    (ip_hdr(skb)->frag_off & htons(IP_DF)))
			return htons(IP_DF);
		return 0;
	default:
		return 0;
	}
}

/*
 * A too-big packet became an ICMP error for its sender (bridged case);
 * hand it back up the stack as if the device had received it.
 */
static void geneve_reflect_icmp(struct geneve_dev *geneve, struct sk_buff *skb)
{
	if (unlikely(!pskb_may_pull(skb, ETH_HLEN))) {
		DEV_STATS_INC(geneve->dev, tx_dropped);
		kfree_skb(skb);
		return;
	}
	skb->protocol = eth_type_trans(skb, geneve->dev);
	__netif_rx(skb);
}

static int geneve_xmit4(struct sk_buff *skb, struct geneve_dev *geneve)
{
	const struct geneve_cfg *cfg = &geneve->cfg;
	bool xnet = !net_eq(geneve->net, dev_net(geneve->dev));
	struct geneve_sock *gs = rcu_dereference(geneve->sock4);
	struct flowi4 fl4;
	struct rtable *rt;
	__be16 sport, df;
	u8 tos, ttl;
	int err;

	if (unlikely(!gs))
		return -ENOTCONN;
	/* Makes the inner headers that inherit options read linear. */
	if (unlikely(skb_vlan_inet_prepare(skb, false)))
		return -EINVAL;

	sport = udp_flow_src_port(geneve->net, skb, 1, USHRT_MAX, true);
	tos = cfg->tos == 1 ? ip_tunnel_get_dsfield(ip_hdr(skb), skb) : cfg->tos;
	rt = geneve_route4(geneve, skb, &fl4, tos, sport);
	if (IS_ERR(rt))
		return PTR_ERR(rt);

	err = skb_tunnel_check_pmtu(skb, &rt->dst, GENEVE_IPV4_OVERHEAD,
				    netif_is_any_bridge_port(geneve->dev));
	if (unlikely(err)) {
		ip_rt_put(rt);
		if (err < 0)
			return err;
		geneve_reflect_icmp(geneve, skb);
		return 0;
	}

	tos = ip_tunnel_ecn_encap(tos, ip_hdr(skb), skb);
	ttl = cfg->ttl_inherit ? ip_tunnel_get_ttl(ip_hdr(skb), skb) : cfg->ttl;
	if (!ttl)
		ttl = ip4_dst_hoplimit(&rt->dst);
	df = geneve_df4(cfg, skb);

	skb_reset_mac_header(skb);
	skb_scrub_packet(skb, xnet);
	err = skb_cow_head(skb, LL_RESERVED_SPACE(rt->dst.dev) +
			   rt->dst.header_len + sizeof(struct iphdr) +
			   GENEVE_UDP_HLEN);
	if (!err)
		err = udp_tunnel_handle_offloads(skb, cfg->udp_csum);
	if (unlikely(err)) {
		ip_rt_put(rt);
		return err;
	}

	geneve_hdr_build(__skb_push(skb, GENEVE_HDR_LEN), cfg->vni, ETH_P_TEB,
			 0, 0);
	skb_set_inner_protocol(skb, htons(ETH_P_TEB));
	udp_tunnel_xmit_skb(rt, gs->sock->sk, skb, fl4.saddr, fl4.daddr, tos,
			    ttl, df, sport, cfg->dst_port, xnet, !cfg->udp_csum);
	return 0;
}

netdev_tx_t geneve_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct geneve_dev *geneve = netdev_priv(dev);
	int err;

	rcu_read_lock();
	err = geneve_xmit4(skb, geneve);
	rcu_read_unlock();
	if (likely(!err))
		return NETDEV_TX_OK;

	kfree_skb(skb);
	if (err == -ELOOP)
		DEV_STATS_INC(dev, collisions);
	else if (err == -ENETUNREACH)
		DEV_STATS_INC(dev, tx_carrier_errors);
	else if (err == -ENOTCONN)
		DEV_STATS_INC(dev, tx_dropped);
	DEV_STATS_INC(dev, tx_errors);
	net_dbg_ratelimited("%s: transmit failed: %d\n", dev->name, err);
	return NETDEV_TX_OK;
}

/*
 * ECN per RFC 6040: outer CE marks the inner packet; CE on a not-ECT inner
 * packet cannot be passed on and is dropped.
 */
static bool geneve_ecn_decap(struct geneve_dev *geneve, const struct iphdr *oiph,
			     struct sk_buff *skb)
{
	int err = IP_ECN_decapsulate(oiph, skb);

	if (likely(!err))
		return true;
	if (geneve_log_ecn_error)
		net_info_ratelimited("non-ECT from %pI4 with TOS=%#x\n",
				     &oiph->saddr, oiph->tos);
	if (err == 1)
		return true;
	DEV_STATS_INC(geneve->dev, rx_frame_errors);
	DEV_STATS_INC(geneve->dev, rx_errors);
	return false;
}

static void geneve_rx(struct geneve_dev *geneve, struct sk_buff *skb,
		      const struct geneve_hdr_fields *hdr)
{
	struct net_device *dev = geneve->dev;
	unsigned int outer_nh, len;

	if (unlikely(hdr->protocol != ETH_P_TEB)) {
		DEV_STATS_INC(dev, rx_dropped);
		goto drop;
	}
	/* We interpret no options, so critical ones cannot be honoured. */
	if (unlikely(hdr->flags & GENEVE_FLAG_CRITICAL)) {
		DEV_STATS_INC(dev, rx_frame_errors);
		DEV_STATS_INC(dev, rx_errors);
		goto drop;
	}
	/* Control messages are for the endpoint, never forwarded as data. */
	if (unlikely(hdr->flags & GENEVE_FLAG_OAM)) {
		DEV_STATS_INC(dev, rx_dropped);
		goto drop;
	}
	if (unlikely(!pskb_may_pull(skb, GENEVE_UDP_HLEN + hdr->opts_len + ETH_HLEN))) {
		DEV_STATS_INC(dev, rx_length_errors);
		DEV_STATS_INC(dev, rx_errors);
		goto drop;
	}
	if (unlikely(iptunnel_pull_header(skb, GENEVE_UDP_HLEN + hdr->opts_len,
					  htons(ETH_P_TEB),
					  !net_eq(geneve->net, dev_net(dev))))) {
		DEV_STATS_INC(dev, rx_dropped);
		goto drop;
	}

	skb_reset_mac_header(skb);
	skb->protocol = eth_type_trans(skb, dev);
	skb_postpull_rcsum(skb, eth_hdr(skb), ETH_HLEN);
	/* Our own frames coming back mean a forwarding loop. */
	if (unlikely(ether_addr_equal(eth_hdr(skb)->h_source, dev->dev_addr))) {
		DEV_STATS_INC(dev, rx_errors);
		goto drop;
	}

	/* pskb_inet_may_pull() may move skb->head: keep an offset. */
	outer_nh = skb_network_header(skb) - skb->head;
	skb_reset_network_header(skb);
	if (unlikely(!pskb_inet_may_pull(skb))) {
		DEV_STATS_INC(dev, rx_length_errors);
		DEV_STATS_INC(dev, rx_errors);
		goto drop;
	}
	if (unlikely(!geneve_ecn_decap(geneve, (struct iphdr *)(skb->head + outer_nh), skb)))
		goto drop;

	len = skb->len;
	if (likely(gro_cells_receive(&geneve->gro_cells, skb) == NET_RX_SUCCESS))
		dev_sw_netstats_rx_add(dev, len);
	return;
drop:
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

	geneve = geneve_lookup(gs, hdr.vni, ip_hdr(skb)->saddr);
	if (unlikely(!geneve)) {
		atomic_long_inc(&gs->drops[GENEVE_SOCK_DROP_NO_TUNNEL]);
		goto drop;
	}
	geneve_rx(geneve, skb, &hdr);
	return 0;
drop:
	kfree_skb(skb);
	return 0;
}
