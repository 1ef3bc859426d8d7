/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private declarations of the geneve module.
 *
 * The first part (wire format) depends on UAPI types only, so that
 * geneve_opts.c builds unchanged in user space for unit tests and fuzzing.
 * The kernel part follows, prototypes grouped by the file that defines them.
 */
#ifndef GENEVE_PRIV_H
#define GENEVE_PRIV_H

#include <linux/types.h>

/* ---- Wire format (RFC 8926 section 3.4) ---- */

#define GENEVE_HDR_LEN		8	/* base header, before options */
#define GENEVE_VERSION		0
#define GENEVE_OPT_UNIT		4	/* option lengths count 4-byte words */
#define GENEVE_MAX_OPTS_LEN	(0x3f * GENEVE_OPT_UNIT)
#define GENEVE_VNI_COUNT	(1u << 24)

/* Flag bits of the second header byte. */
#define GENEVE_FLAG_OAM		0x80
#define GENEVE_FLAG_CRITICAL	0x40

/* Why a header was refused; 0 means it can be used. */
enum geneve_hdr_error {
	GENEVE_HDR_OK = 0,
	GENEVE_HDR_SHORT,		/* fewer bytes than the base header */
	GENEVE_HDR_BAD_VERSION,		/* version other than 0 */
};

/* A base header decoded to host order. */
struct geneve_hdr_fields {
	__u32 vni;
	__u16 protocol;
	__u16 opts_len;			/* bytes of options after the base header */
	__u8 flags;			/* GENEVE_FLAG_* */
};

/* geneve_opts.c */
void geneve_hdr_build(__u8 *hdr, __u32 vni, __u16 protocol,
		      unsigned int opts_len, __u8 flags);
enum geneve_hdr_error geneve_hdr_parse(const __u8 *hdr, unsigned int len,
				       struct geneve_hdr_fields *fields);

#ifdef __KERNEL__

#include <linux/netdevice.h>
#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/udp.h>
#include <net/dst_cache.h>
#include <net/gro_cells.h>
#include <net/ip.h>
#include <net/netns/generic.h>

/* Outer UDP + Geneve, and the in-tree "IPv4 encapsulation" overhead. */
#define GENEVE_UDP_HLEN		(sizeof(struct udphdr) + GENEVE_HDR_LEN)
#define GENEVE_IPV4_OVERHEAD	(ETH_HLEN + sizeof(struct iphdr) + GENEVE_UDP_HLEN)

#define GENEVE_VNI_HASH_BITS	10

/* Packets a UDP socket drops before any device can be charged for them. */
enum geneve_sock_drop {
	GENEVE_SOCK_DROP_SHORT,
	GENEVE_SOCK_DROP_VERSION,
	GENEVE_SOCK_DROP_NO_TUNNEL,
	GENEVE_SOCK_DROP_MAX
};

/* Per network namespace state; both lists are written under RTNL. */
struct geneve_net {
	struct list_head devices;	/* geneve_dev.net_node, by socket netns */
	struct list_head socks;		/* geneve_sock.net_node, RCU readers */
};

/* One kernel UDP socket, shared by every device on its (netns, port). */
struct geneve_sock {
	struct list_head net_node;
	struct socket *sock;
	__be16 port;
	unsigned int users;		/* open devices, under RTNL */
	atomic_long_t drops[GENEVE_SOCK_DROP_MAX];
	struct rcu_head rcu;
	struct hlist_head vni_heads[1 << GENEVE_VNI_HASH_BITS];
};

/* What netlink configures; datapath readers see it only while quiesced. */
struct geneve_cfg {
	u32 vni;
	__be32 remote4;
	__be16 dst_port;
	u8 ttl;				/* 0: hop limit of the route */
	u8 tos;				/* 1: inherit from the inner header */
	__be32 label;			/* kept for IPv6 devices; 0 on IPv4 */
	enum ifla_geneve_df df;
	bool ttl_inherit;
	bool udp_csum;
	bool udp6_rx_csum;		/* reported as !UDP_ZERO_CSUM6_RX */
};

struct geneve_dev {
	struct net_device *dev;
	struct net *net;		/* netns of the UDP socket */
	struct list_head net_node;
	struct hlist_node vni_node;
	struct geneve_sock __rcu *sock4;
	struct gro_cells gro_cells;
	struct dst_cache dst_cache;
	struct geneve_cfg cfg;
};

extern unsigned int geneve_net_id;

static inline struct geneve_net *geneve_pernet(struct net *net)
{
	return net_generic(net, geneve_net_id);
}

/* geneve_main.c */
void geneve_setup(struct net_device *dev);
int geneve_register(struct net *net, struct net_device *dev,
		    const struct geneve_cfg *cfg, struct netlink_ext_ack *extack);
void geneve_update_cfg(struct geneve_dev *geneve, const struct geneve_cfg *cfg);
void geneve_dellink(struct net_device *dev, struct list_head *head);
void geneve_set_mtu(struct net_device *dev, int mtu);
int geneve_route_mtu(struct net *net, __be32 remote);

/* geneve_encap.c */
netdev_tx_t geneve_xmit(struct sk_buff *skb, struct net_device *dev);
int geneve_udp_encap_recv(struct sock *sk, struct sk_buff *skb);
struct geneve_dev *geneve_lookup(struct geneve_sock *gs, u32 vni,
				 __be32 remote);
u32 geneve_vni_hash(u32 vni);

/* geneve_netlink.c */
extern struct rtnl_link_ops geneve_link_ops;

#endif /* __KERNEL__ */
#endif /* GENEVE_PRIV_H */
