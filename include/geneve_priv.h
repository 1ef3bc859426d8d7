/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private declarations of the geneve module.
 *
 * The first part (wire format) depends on UAPI types only, so that it and
 * geneve_opts.c build unchanged in user space for the unit tests.
 * The kernel part follows, prototypes grouped by the file that defines them.
 */
#ifndef GENEVE_PRIV_H
#define GENEVE_PRIV_H

#include <linux/types.h>

/* ---- Wire format (RFC 8926 section 3.4) ---- */

#define GENEVE_HDR_LEN		8	/* base header, before options */
#define GENEVE_VERSION		0
#define GENEVE_OPT_UNIT		4	/* option lengths count 4-byte words */
#define GENEVE_OPT_HDR_LEN	4	/* class, type, length */
#define GENEVE_OPT_TYPE_CRITICAL 0x80
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

/*
 * The base header is built and read once per packet (and per GRO segment):
 * inline, so that the decoded fields stay in registers.
 *
 *  byte 0: Ver (2 bits) | Opt Len (6 bits, in 4-byte words)
 *  byte 1: O | C | reserved (6 bits)
 *  bytes 2-3: protocol type
 *  bytes 4-6: VNI, byte 7: reserved
 */
static inline void geneve_hdr_build(__u8 *hdr, __u32 vni, __u16 protocol,
				    unsigned int opts_len, __u8 flags)
{
	hdr[0] = (GENEVE_VERSION << 6) | ((opts_len / GENEVE_OPT_UNIT) & 0x3f);
	hdr[1] = flags & (GENEVE_FLAG_OAM | GENEVE_FLAG_CRITICAL);
	hdr[2] = protocol >> 8;
	hdr[3] = protocol & 0xff;
	hdr[4] = (vni >> 16) & 0xff;
	hdr[5] = (vni >> 8) & 0xff;
	hdr[6] = vni & 0xff;
	hdr[7] = 0;
}

/*
 * Reserved bits are ignored on receipt, as the RFC asks; only the version
 * decides whether the rest of the header can be understood at all.
 */
static inline enum geneve_hdr_error
geneve_hdr_parse(const __u8 *hdr, unsigned int len,
		 struct geneve_hdr_fields *fields)
{
	if (len < GENEVE_HDR_LEN)
		return GENEVE_HDR_SHORT;
	if ((hdr[0] >> 6) != GENEVE_VERSION)
		return GENEVE_HDR_BAD_VERSION;

	fields->opts_len = (hdr[0] & 0x3f) * GENEVE_OPT_UNIT;
	fields->flags = hdr[1] & (GENEVE_FLAG_OAM | GENEVE_FLAG_CRITICAL);
	fields->protocol = (__u16)(hdr[2] << 8 | hdr[3]);
	fields->vni = (__u32)hdr[4] << 16 | (__u32)hdr[5] << 8 | hdr[6];
	return GENEVE_HDR_OK;
}

/* geneve_opts.c */
int geneve_opts_check(const __u8 *opts, unsigned int len);

#ifdef __KERNEL__

#include <linux/netdevice.h>
#include <linux/atomic.h>
#include <linux/in6.h>
#include <linux/list.h>
#include <linux/rhashtable-types.h>
#include <linux/rtnetlink.h>
#include <linux/workqueue.h>
#include <linux/udp.h>
#include <net/dst_cache.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netns/generic.h>

#include "geneve_compat.h"
#include "uapi/geneve_link.h"

/* Outer UDP + Geneve; the in-tree MTU overheads also count an inner MAC. */
#define GENEVE_UDP_HLEN		(sizeof(struct udphdr) + GENEVE_HDR_LEN)
#define GENEVE_IPV4_OVERHEAD	(ETH_HLEN + sizeof(struct iphdr) + GENEVE_UDP_HLEN)
#define GENEVE_IPV6_OVERHEAD	(ETH_HLEN + sizeof(struct ipv6hdr) + GENEVE_UDP_HLEN)

#define GENEVE_VNI_HASH_BITS	10

/* Packets a UDP socket drops before any device can be charged for them. */
enum geneve_sock_drop {
	GENEVE_SOCK_DROP_SHORT,
	GENEVE_SOCK_DROP_VERSION,
	GENEVE_SOCK_DROP_NO_TUNNEL,
	GENEVE_SOCK_DROP_MAX
};

/*
 * Why a device dropped a packet: `ethtool -S` shows one counter per reason;
 * each also moves the standard counter the in-tree driver uses for it.
 */
enum geneve_drop {
	/* receive */
	GENEVE_DROP_RX_WRONG_PROTOCOL,	/* protocol type not of the device mode */
	GENEVE_DROP_RX_TRUNCATED,	/* options or inner Ethernet past the end */
	GENEVE_DROP_RX_BAD_OPTIONS,	/* malformed options (external mode) */
	GENEVE_DROP_RX_CRITICAL,	/* C bit: options we cannot interpret */
	GENEVE_DROP_RX_OAM,		/* control message, not data */
	GENEVE_DROP_RX_NO_MEMORY,
	GENEVE_DROP_RX_OWN_MAC,		/* our own frame back: a loop */
	GENEVE_DROP_RX_TRUNCATED_INNER,	/* inner IP header past the end */
	GENEVE_DROP_RX_ECN,		/* outer CE on a not-ECT inner packet */
	GENEVE_DROP_RX_BACKLOG,		/* rx cell or the device's share full, device stopped */
	/* transmit */
	GENEVE_DROP_TX_NO_METADATA,	/* external mode without tunnel info */
	GENEVE_DROP_TX_BAD_OPTIONS,	/* tunnel info with malformed options */
	GENEVE_DROP_TX_TRUNCATED,	/* inner headers the options read are cut */
	GENEVE_DROP_TX_NO_SOCKET,	/* device reconfigured meanwhile */
	GENEVE_DROP_TX_NO_ROUTE,
	GENEVE_DROP_TX_LOOP,		/* route to the remote through ourselves */
	GENEVE_DROP_TX_TOO_BIG,		/* PMTU: ICMP error sent back instead */
	GENEVE_DROP_TX_NO_MEMORY,
	GENEVE_DROP_TX_NO_DESTINATION,	/* multipoint: no entry, no flood list */
	GENEVE_DROP_TX_REPLICA,		/* no memory for one copy of a flood */
	/* learning: sources not learnt */
	GENEVE_DROP_LEARN_LIMIT,	/* the device holds fdb_max_learnt already */
	GENEVE_DROP_LEARN_NO_MEMORY,
	GENEVE_DROP_LEARN_TABLE_BUSY,	/* the table was still growing */
	GENEVE_DROP_MAX
};

/* Sockets and devices are per address family: index 0 IPv4, 1 IPv6. */
enum geneve_af {
	GENEVE_AF_INET,
	GENEVE_AF_INET6,
	GENEVE_AF_MAX
};

union geneve_addr {
	__be32 v4;
	struct in6_addr v6;
};

/* Per network namespace state; both lists are written under RTNL. */
struct geneve_net {
	struct list_head devices;	/* geneve_dev.net_node, by socket netns */
	struct list_head socks;		/* geneve_sock.net_node, RCU readers */
};

/*
 * One kernel UDP socket per (netns, family, port, local address), shared by
 * every open device on it.  A socket serves either one external device or
 * any number of devices demultiplexed by VNI and remote.
 */
struct geneve_sock {
	struct list_head net_node;
	struct socket *sock;
	enum geneve_af af;
	__be16 port;
	union geneve_addr local;
	unsigned int users;		/* open devices, under RTNL */
	struct list_head groups;	/* multicast memberships, under RTNL */
	struct geneve_dev __rcu *external;
	atomic_long_t drops[GENEVE_SOCK_DROP_MAX];
	struct rcu_head rcu;
	struct hlist_head vni_heads[1 << GENEVE_VNI_HASH_BITS];
};

/* What netlink configures: plain values, parsed and checked on a copy. */
struct geneve_cfg {
	sa_family_t family;		/* of remote and local; AF_UNSPEC if external */
	union geneve_addr remote;
	union geneve_addr local;	/* any: the route decides */
	u32 vni;
	__be16 dst_port;
	u16 src_port_min;		/* UDP source ports: min <= port < max */
	u16 src_port_max;		/* (min >= max: the local port range) */
	u8 ttl;				/* 0: hop limit of the route */
	u8 tos;				/* 1: inherit from the inner header */
	__be32 label;			/* IPv6 flow label */
	enum ifla_geneve_df df;
	bool ttl_inherit;
	bool udp_csum;
	bool udp6_rx_csum;		/* reported as !UDP_ZERO_CSUM6_RX */
	bool external;			/* flow-based: everything from metadata */
	bool inner_proto_inherit;	/* L3 mode: no inner Ethernet header */
};

/*
 * One destination of a forwarding database entry.  Port and VNI are the
 * device's unless the entry names others; ifindex is the "via" interface.
 */
struct geneve_fdb_remote {
	struct list_head node;		/* geneve_fdb_entry.remotes, RCU */
	union geneve_addr ip;
	__be16 port;
	u32 vni;
	int ifindex;			/* 0: the route decides */
	bool group;			/* a multicast group (flood list only) */
	struct dst_cache dst_cache;
	struct rcu_head rcu;
};

struct geneve_fdb_entry {
	struct rhash_head hnode;	/* geneve_fdb.table, keyed by mac */
	struct list_head node;		/* geneve_fdb.entries, RCU */
	u8 mac[ETH_ALEN];
	u16 state;			/* NUD_PERMANENT, NUD_NOARP, NUD_REACHABLE */
	u8 ntf;				/* NTF_EXT_LEARNED, or 0 */
	bool learnt;			/* made by learning: counts in the limit */
	unsigned long seen;		/* jiffies: last received from, or set */
	unsigned long used;		/* jiffies: last sent to */
	unsigned long moved;		/* jiffies: last moved by roaming */
	struct list_head remotes;
	struct rcu_head rcu;
};

/*
 * Where the MACs behind the tunnel are.  Lookups are RCU only; changes take
 * @lock (with BH off): netlink under RTNL, learning in softirq when it has
 * something to change, the ageing work.
 */
struct geneve_fdb {
	struct rhashtable table;
	struct list_head entries;
	spinlock_t lock;
	bool ready;			/* table initialised (under RTNL) */
	unsigned int count;		/* entries, read locklessly */
	unsigned int learnt;		/* entries made by learning */
	/* Knobs (sysfs, under RTNL), read locklessly. */
	bool learning;
	unsigned int max_learnt;
	unsigned long ageing;		/* jiffies */
	struct delayed_work ageing_work;
};

/*
 * A configuration as the datapath reads it, with the routes cached for it.
 * A device has two: changelink fills the spare one and publishes it whole,
 * so that a packet sees one configuration from start to end and caches no
 * route under another.
 */
struct geneve_conf {
	struct geneve_cfg cfg;
	struct dst_cache dst_cache;
};

struct geneve_dev {
	struct net_device *dev;
	struct net *net;		/* netns of the UDP sockets */
	struct list_head net_node;
	struct hlist_node vni_node[GENEVE_AF_MAX];
	struct geneve_sock __rcu *sock[GENEVE_AF_MAX];
	struct geneve_conf __rcu *conf;	/* one of confs[] */
	struct geneve_conf confs[2];
	unsigned int __percpu *rx_queued; /* packets in each CPU's rx cell */
	struct geneve_fdb fdb;
	struct list_head groups;	/* memberships held, under RTNL */
	atomic_long_t drops[GENEVE_DROP_MAX];
};

extern unsigned int geneve_net_id;

static inline struct geneve_net *geneve_pernet(struct net *net)
{
	return net_generic(net, geneve_net_id);
}

/* The configuration, for the control path (RTNL) or an RCU reader. */
static inline const struct geneve_cfg *geneve_cfg(const struct geneve_dev *geneve)
{
	return &rcu_dereference_rtnl(geneve->conf)->cfg;
}

static inline bool geneve_addr_equal(bool ipv6, const union geneve_addr *a,
				     const union geneve_addr *b)
{
	return ipv6 ? ipv6_addr_equal(&a->v6, &b->v6) : a->v4 == b->v4;
}

static inline bool geneve_addr_is_any(sa_family_t family,
				      const union geneve_addr *addr)
{
	if (family == AF_INET6)
		return ipv6_addr_any(&addr->v6);
	return !addr->v4;
}

/* No remote of its own: it sends where the forwarding database says. */
static inline bool geneve_cfg_multipoint(const struct geneve_cfg *cfg)
{
	return !cfg->external && geneve_addr_is_any(cfg->family, &cfg->remote);
}

static inline bool geneve_cfg_uses_af(const struct geneve_cfg *cfg,
				      enum geneve_af af)
{
	if (cfg->external)
		return true;
	return cfg->family == (af == GENEVE_AF_INET6 ? AF_INET6 : AF_INET);
}

/* geneve_main.c */
void geneve_setup(struct net_device *dev);
int geneve_register(struct net *net, struct net_device *dev,
		    const struct geneve_cfg *cfg, struct netlink_ext_ack *extack);
void geneve_update_cfg(struct geneve_dev *geneve, const struct geneve_cfg *cfg);
void geneve_dellink(struct net_device *dev, struct list_head *head);
int geneve_check_unique(struct geneve_net *gn, const struct geneve_dev *self,
			const struct geneve_cfg *cfg,
			struct netlink_ext_ack *extack);
const char *geneve_drop_name(enum geneve_drop why);
void geneve_set_mtu(struct net_device *dev, int mtu);
int geneve_route_mtu(struct net *net, const struct geneve_cfg *cfg);

/* geneve_encap.c */
netdev_tx_t geneve_xmit(struct sk_buff *skb, struct net_device *dev);
int geneve_egress_metadata(struct net_device *dev, struct sk_buff *skb);
int geneve_udp_encap_recv(struct sock *sk, struct sk_buff *skb);
int geneve_udp_encap_err_lookup(struct sock *sk, struct sk_buff *skb);
u32 geneve_vni_hash(u32 vni);
void geneve_count_drop(struct geneve_dev *geneve, enum geneve_drop why);

/* geneve_gro.c */
struct sk_buff *geneve_gro_receive(struct sock *sk, struct list_head *head,
				   struct sk_buff *skb);
int geneve_gro_complete(struct sock *sk, struct sk_buff *skb, int nhoff);

/* geneve_rx_cells.c */
int geneve_rx_cells_queue(struct geneve_dev *geneve, struct sk_buff *skb);
int geneve_rx_cells_init(void);
void geneve_rx_cells_exit(void);

/* geneve_fdb.c */
#define GENEVE_FDB_AGEING_DEFAULT	(300 * HZ)
#define GENEVE_FDB_MAX_LEARNT_DEFAULT	4096
int geneve_fdb_init(struct geneve_dev *geneve);
void geneve_fdb_destroy(struct geneve_dev *geneve);
int geneve_fdb_open(struct geneve_dev *geneve);
void geneve_fdb_stop(struct geneve_dev *geneve);
void geneve_fdb_forget_via(struct geneve_dev *geneve, int ifindex);
void geneve_fdb_reset_routes(struct geneve_dev *geneve);
struct geneve_fdb_entry *geneve_fdb_find(struct geneve_fdb *fdb, const u8 *mac);
struct geneve_fdb_entry *geneve_fdb_flood_entry(struct geneve_fdb *fdb);
void geneve_fdb_learn(struct geneve_dev *geneve, const struct geneve_cfg *cfg,
		      const u8 *mac, const union geneve_addr *from, u32 vni);
void geneve_fdb_set_ageing(struct geneve_dev *geneve, unsigned long ageing);
int geneve_fdb_set_learning(struct geneve_dev *geneve, bool on);
int geneve_fdb_add(struct ndmsg *ndm, struct nlattr *tb[],
		   struct net_device *dev, const unsigned char *addr, u16 vid,
		   u16 flags, struct netlink_ext_ack *extack);
int geneve_fdb_del(struct ndmsg *ndm, struct nlattr *tb[],
		   struct net_device *dev, const unsigned char *addr, u16 vid,
		   struct netlink_ext_ack *extack);
int geneve_fdb_del_bulk(struct nlmsghdr *nlh, struct net_device *dev,
			struct netlink_ext_ack *extack);
int geneve_fdb_dump(struct sk_buff *skb, struct netlink_callback *cb,
		    struct net_device *dev, struct net_device *filter_dev,
		    int *idx);
int geneve_fdb_get(struct sk_buff *skb, struct nlattr *tb[],
		   struct net_device *dev, const unsigned char *addr, u16 vid,
		   u32 portid, u32 seq, struct netlink_ext_ack *extack);

/* geneve_groups.c */
/* A group membership a device holds on its socket. */
struct geneve_held_group {
	struct list_head node;		/* geneve_dev.groups */
	struct geneve_sock *gs;
	union geneve_addr addr;
	int via;			/* as the destination names it (0: route) */
	int ifindex;			/* joined on */
};

int geneve_group_hold_new(struct geneve_dev *geneve, const struct geneve_fdb_remote *r,
			  struct geneve_held_group *h);
void geneve_group_release(struct geneve_held_group *h);
int geneve_groups_sync(struct geneve_dev *geneve, bool up);

/* geneve_sysfs.c */
int geneve_sysfs_add(struct net_device *dev);

/* geneve_netlink.c */
extern struct rtnl_link_ops geneve_link_ops;

#endif /* __KERNEL__ */
#endif /* GENEVE_PRIV_H */
