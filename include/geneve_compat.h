/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel APIs that differ between the kernels this module builds for,
 * Debian 12's 6.1 and 6.12.  The sources are written against the newer
 * API; each shim here gives it to the older kernel, keyed on a feature
 * test where the kernel has one, else on the release that changed it.
 */
#ifndef GENEVE_COMPAT_H
#define GENEVE_COMPAT_H

#include <linux/log2.h>
#include <linux/netdevice.h>
#include <linux/netlink.h>
#include <linux/version.h>
#include <net/ip_tunnels.h>
#include <net/udp_tunnel.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
#include <net/hotdata.h>
#endif

/* 6.12 turned the NETIF_F_LLTX feature into the dev->lltx flag. */
static inline void geneve_set_lltx(struct net_device *dev)
{
#ifdef NETIF_F_LLTX
	dev->features |= NETIF_F_LLTX;
#else
	dev->lltx = true;
#endif
}

/* 6.9 moved the netdev_max_backlog sysctl's value into net_hotdata. */
static inline int geneve_max_backlog(void)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
	return READ_ONCE(net_hotdata.max_backlog);
#else
	return READ_ONCE(netdev_max_backlog);
#endif
}

/*
 * 6.7 hands ndo_fdb_del_bulk() the request, to parse with the driver's own
 * policy; 6.1 passed the core's parse of it (ndm, its payload; tb; vid).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
#define geneve_ndo_fdb_del_bulk	geneve_fdb_del_bulk
#else
int geneve_fdb_del_bulk(struct nlmsghdr *nlh, struct net_device *dev,
			struct netlink_ext_ack *extack);

static inline int geneve_ndo_fdb_del_bulk(struct ndmsg *ndm, struct nlattr *tb[],
					  struct net_device *dev, u16 vid,
					  struct netlink_ext_ack *extack)
{
	return geneve_fdb_del_bulk((struct nlmsghdr *)((u8 *)ndm - NLMSG_HDRLEN),
				   dev, extack);
}
#endif

/*
 * 6.10 turned the __be16 tunnel flags TUNNEL_* into bitmaps
 * of IP_TUNNEL_*_BIT.  Here a bitmap holds the old word in host order, bit n
 * standing for __cpu_to_be16(1 << n) as with 6.12's
 * ip_tunnel_flags_from_be16(); the bits are those this module uses.
 */
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

static inline void ip_tunnel_flags_from_be16(unsigned long *dst, __be16 flags)
{
	*dst = be16_to_cpu(flags);
}

static inline __be16 ip_tunnel_flags_to_be16(const unsigned long *flags)
{
	return cpu_to_be16((u16)*flags);
}

/* The only flags copied here are a key's, still the old word. */
#define ip_tunnel_flags_copy(dst, src)	ip_tunnel_flags_from_be16(dst, src)

/* Their 6.1 prototypes take the old word. */
#define udp_tun_rx_dst(skb, family, flags, tunnel_id, md_size)	\
	udp_tun_rx_dst(skb, family, ip_tunnel_flags_to_be16(flags),	\
		       tunnel_id, md_size)
#define ip_tunnel_info_opts_set(info, from, len, flags)		\
	ip_tunnel_info_opts_set(info, from, len, ip_tunnel_flags_to_be16(flags))
#endif

#endif /* GENEVE_COMPAT_H */
