/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What differs between the kernels this module builds for, Debian 12's 6.1
 * and 6.12.  The sources use the 6.12 API; each shim here provides it on
 * 6.1, keyed on a feature test where the kernel has one, else on the
 * release that changed it.
 */
#ifndef GENEVE_COMPAT_H
#define GENEVE_COMPAT_H

#include <linux/log2.h>
#include <linux/netdevice.h>
#include <linux/netlink.h>
#include <linux/version.h>
#include <net/inet_dscp.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/ip_tunnels.h>
#include <net/udp_tunnel.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
#include <net/hotdata.h>
#endif

/* 6.6: an IPv6 socket's multicast loopback became a bit of inet_flags. */
static inline void geneve_sk_no_mc6_loop(struct sock *sk)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	inet6_clear_bit(MC6_LOOP, sk);
#else
	inet6_sk(sk)->mc_loop = 0;
#endif
}

/* 6.7: ndo_fdb_del_bulk() gets the request to parse, no longer ndm, tb, vid. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
#define geneve_ndo_fdb_del_bulk	geneve_fdb_del_bulk
#else
int geneve_fdb_del_bulk(struct nlmsghdr *nlh, struct net_device *dev,
			struct netlink_ext_ack *extack);

/* The core's ndm is the request's payload: the request header precedes it. */
static inline int geneve_ndo_fdb_del_bulk(struct ndmsg *ndm, struct nlattr *tb[],
					  struct net_device *dev, u16 vid,
					  struct netlink_ext_ack *extack)
{
	return geneve_fdb_del_bulk((struct nlmsghdr *)((u8 *)ndm - NLMSG_HDRLEN),
				   dev, extack);
}
#endif

/* 6.9: netdev_max_backlog moved into net_hotdata. */
static inline int geneve_max_backlog(void)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
	return READ_ONCE(net_hotdata.max_backlog);
#else
	return READ_ONCE(netdev_max_backlog);
#endif
}

/* 6.10: the __be16 TUNNEL_* flags became bitmaps, here of that word's bits. */
#ifndef IP_TUNNEL_DECLARE_FLAGS
enum {
	IP_TUNNEL_CSUM_BIT		= ilog2(be16_to_cpu(TUNNEL_CSUM)),
	IP_TUNNEL_KEY_BIT		= ilog2(be16_to_cpu(TUNNEL_KEY)),
	IP_TUNNEL_DONT_FRAGMENT_BIT	= ilog2(be16_to_cpu(TUNNEL_DONT_FRAGMENT)),
	IP_TUNNEL_OAM_BIT		= ilog2(be16_to_cpu(TUNNEL_OAM)),
	IP_TUNNEL_CRIT_OPT_BIT		= ilog2(be16_to_cpu(TUNNEL_CRIT_OPT)),
	IP_TUNNEL_GENEVE_OPT_BIT	= ilog2(be16_to_cpu(TUNNEL_GENEVE_OPT)),
};

#define IP_TUNNEL_DECLARE_FLAGS(name)	DECLARE_BITMAP(name, BITS_PER_TYPE(__be16))

/* Only a key's flags are copied, and a 6.1 key holds the old word. */
static inline void ip_tunnel_flags_copy(unsigned long *dst, __be16 src)
{
	*dst = be16_to_cpu(src);
}

static inline __be16 ip_tunnel_flags_to_be16(const unsigned long *flags)
{
	return cpu_to_be16((u16)*flags);
}

#define udp_tun_rx_dst(skb, family, flags, tunnel_id, md_size)	\
	udp_tun_rx_dst(skb, family, ip_tunnel_flags_to_be16(flags),	\
		       tunnel_id, md_size)
#endif

/* 6.12: the NETIF_F_LLTX feature became the dev->lltx flag. */
static inline void geneve_set_lltx(struct net_device *dev)
{
#ifdef NETIF_F_LLTX
	dev->features |= NETIF_F_LLTX;
#else
	dev->lltx = true;
#endif
}

/*
 * Where the in-tree drivers of 6.1 and 6.12 behave differently, this module
 * behaves as the one of the kernel it is built for (README lists them).
 */
#define GENEVE_612_BEHAVIOUR	(LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0))

/* An L3-mode device is point-to-point on 6.12, only NOARP on 6.1. */
#define GENEVE_L3_FLAGS \
	(GENEVE_612_BEHAVIOUR ? IFF_POINTOPOINT | IFF_NOARP : IFF_NOARP)

/*
 * The protocols an L3-mode device takes in besides IPv4 and IPv6: 6.12 any
 * but Ethernet (which the device is not), 6.1 none.
 */
static inline bool geneve_l3_rx_other_proto(u16 proto)
{
	return GENEVE_612_BEHAVIOUR && proto != ETH_P_TEB;
}

/* IPv4 routes match the DSCP bits on 6.12, RT_TOS()'s bits on 6.1. */
static inline u8 geneve_route_tos(u8 tos)
{
	return GENEVE_612_BEHAVIOUR ? tos & INET_DSCP_MASK : RT_TOS(tos);
}

#endif /* GENEVE_COMPAT_H */
