// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtnetlink for the "geneve" link kind: the attribute policy, parsing into a
 * copy of the configuration, validation, and the dump.
 *
 * Attribute semantics, errno values and messages follow the in-tree driver of
 * Linux 6.1, so that iproute2 and orchestrators see the same behaviour.
 */
#include <linux/etherdevice.h>
#include <linux/ipv6.h>
#include <net/rtnetlink.h>
#include <net/geneve.h>

#include "geneve_priv.h"

/*
 * VNI and DF ranges are checked in geneve_nl_validate() rather than by the
 * policy, because the policy's errno and message would differ from the ones
 * users of the in-tree driver already get.
 */
static const struct nla_policy geneve_nl_policy[GENEVE_IFLA_MAX + 1] = {
	[IFLA_GENEVE_UNSPEC] = { .strict_start_type = IFLA_GENEVE_INNER_PROTO_INHERIT },
	/* In attribute number order; REMOTE{,6} give a minimum length only. */
	[IFLA_GENEVE_ID] = { .type = NLA_U32 },
	[IFLA_GENEVE_REMOTE] = { .len = sizeof(__be32) },
	[IFLA_GENEVE_TTL] = { .type = NLA_U8 },
	[IFLA_GENEVE_TOS] = { .type = NLA_U8 },
	[IFLA_GENEVE_PORT] = { .type = NLA_U16 },
	[IFLA_GENEVE_COLLECT_METADATA] = { .type = NLA_FLAG },
	[IFLA_GENEVE_REMOTE6] = { .len = sizeof(struct in6_addr) },
	[IFLA_GENEVE_UDP_CSUM] = { .type = NLA_U8 },
	[IFLA_GENEVE_UDP_ZERO_CSUM6_TX] = { .type = NLA_U8 },
	[IFLA_GENEVE_UDP_ZERO_CSUM6_RX] = { .type = NLA_U8 },
	[IFLA_GENEVE_LABEL] = { .type = NLA_U32 },
	[IFLA_GENEVE_TTL_INHERIT] = { .type = NLA_U8 },
	[IFLA_GENEVE_DF] = { .type = NLA_U8 },
	[IFLA_GENEVE_INNER_PROTO_INHERIT] = { .type = NLA_FLAG },
	[GENEVE_IFLA_PORT_RANGE] = NLA_POLICY_EXACT_LEN(sizeof(struct geneve_ifla_port_range)),
	[GENEVE_IFLA_GRO_HINT] = { .type = NLA_FLAG },
	[GENEVE_IFLA_LOCAL] = NLA_POLICY_EXACT_LEN(sizeof(__be32)),
	[GENEVE_IFLA_LOCAL6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
};

/* A MAC address given at creation must be a usable Ethernet unicast one. */
static int geneve_nl_check_mac(const struct nlattr *mac,
			       struct netlink_ext_ack *extack)
{
	if (!mac)
		return 0;
	if (nla_len(mac) != ETH_ALEN) {
		NL_SET_ERR_MSG_ATTR(extack, mac, "Provided link layer address is not Ethernet");
		return -EINVAL;
	}
	if (is_valid_ether_addr(nla_data(mac)))
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, mac, "Provided Ethernet address is not unicast");
	return -EADDRNOTAVAIL;
}

static int geneve_nl_validate(struct nlattr *tb[], struct nlattr *data[],
			      struct netlink_ext_ack *extack)
{
	const struct geneve_ifla_port_range *range;
	const struct nlattr *vni, *df, *attr;
	int err;

	err = geneve_nl_check_mac(tb[IFLA_ADDRESS], extack);
	if (err)
		return err;
	if (!data) {
		NL_SET_ERR_MSG(extack, "Not enough attributes provided to perform the operation");
		return -EINVAL;
	}
	vni = data[IFLA_GENEVE_ID];
	if (vni && nla_get_u32(vni) >= GENEVE_VNI_COUNT) {
		NL_SET_ERR_MSG_ATTR(extack, vni, "Geneve ID must be lower than 16777216");
		return -ERANGE;
	}
	df = data[IFLA_GENEVE_DF];
	if (df && nla_get_u8(df) > GENEVE_DF_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, df, "Invalid DF attribute");
		return -EINVAL;
	}
	/* As upstream: low == high (0-0 included) means the local port range. */
	attr = data[GENEVE_IFLA_PORT_RANGE];
	range = attr ? nla_data(attr) : NULL;
	if (range && ntohs(range->high) < ntohs(range->low)) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "Invalid source port range");
		return -EINVAL;
	}
	return 0;
}

static int geneve_nl_refuse_change(const struct nlattr *attr,
				   struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "Changing VNI, Port, endpoint IP address family, external, inner_proto_inherit, and UDP checksum attributes are not supported");
	return -EOPNOTSUPP;
}

/* A macro: the extack message must be a string literal. */
#define geneve_nl_unsupported(extack, attr, msg) ({		\
	NL_SET_ERR_MSG_ATTR(extack, attr, msg);			\
	-EOPNOTSUPP;						\
})

/* Attributes that only newlink may set; changelink refuses them. */
static const int geneve_nl_create_only[] = {
	IFLA_GENEVE_PORT,
	GENEVE_IFLA_PORT_RANGE,
	IFLA_GENEVE_COLLECT_METADATA,
	IFLA_GENEVE_UDP_CSUM,
	IFLA_GENEVE_UDP_ZERO_CSUM6_TX,
	IFLA_GENEVE_UDP_ZERO_CSUM6_RX,
	IFLA_GENEVE_INNER_PROTO_INHERIT,
};

static int geneve_nl_parse_remote(struct nlattr *data[], struct geneve_cfg *cfg,
				  bool changelink, struct netlink_ext_ack *extack)
{
	struct nlattr *attr;

	if (data[IFLA_GENEVE_REMOTE] && data[IFLA_GENEVE_REMOTE6]) {
		NL_SET_ERR_MSG(extack,
			       "Cannot specify both IPv4 and IPv6 Remote addresses");
		return -EINVAL;
	}
	attr = data[IFLA_GENEVE_REMOTE];
	if (attr) {
		if (changelink && cfg->family == AF_INET6)
			return geneve_nl_refuse_change(attr, extack);
		cfg->family = AF_INET;
		cfg->remote.v4 = nla_get_in_addr(attr);
		if (ipv4_is_multicast(cfg->remote.v4)) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "Remote IPv4 address cannot be Multicast");
			return -EINVAL;
		}
	}
	attr = data[IFLA_GENEVE_REMOTE6];
	if (attr) {
		if (changelink && cfg->family == AF_INET)
			return geneve_nl_refuse_change(attr, extack);
		cfg->family = AF_INET6;
		cfg->remote.v6 = nla_get_in6_addr(attr);
		if (ipv6_addr_type(&cfg->remote.v6) & IPV6_ADDR_LINKLOCAL) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "Remote IPv6 address cannot be link-local");
			return -EINVAL;
		}
		if (ipv6_addr_is_multicast(&cfg->remote.v6)) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "Remote IPv6 address cannot be Multicast");
			return -EINVAL;
		}
		/*
		 * IPv6 tunnels checksum UDP both ways unless told otherwise,
		 * which only creation can (in-tree also resets them here on
		 * changelink, and the user cannot set them back).
		 */
		if (!changelink) {
			cfg->udp_csum = true;
			cfg->udp6_rx_csum = true;
		}
	}
	return 0;
}

/* Attributes newer than the in-tree 6.1 driver: local address, GRO hint. */
static int geneve_nl_parse_newer(struct nlattr *data[], struct geneve_cfg *cfg,
				 bool changelink, struct netlink_ext_ack *extack)
{
	struct nlattr *attr;

	attr = data[GENEVE_IFLA_GRO_HINT];
	if (attr)
		return geneve_nl_unsupported(extack, attr,
			"GRO hint is not supported by this version of the module");

	attr = data[GENEVE_IFLA_LOCAL] ?: data[GENEVE_IFLA_LOCAL6];
	if (!attr)
		return 0;
	if (data[GENEVE_IFLA_LOCAL] && data[GENEVE_IFLA_LOCAL6]) {
		NL_SET_ERR_MSG(extack, "Cannot specify both IPv4 and IPv6 local addresses");
		return -EINVAL;
	}
	if (changelink)
		return geneve_nl_unsupported(extack, attr,
			"Changing the local address is not supported");
	if ((nla_type(attr) == GENEVE_IFLA_LOCAL6) != (cfg->family == AF_INET6)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "Local and remote addresses must be of the same family");
		return -EINVAL;
	}
	if (cfg->family == AF_INET6) {
		cfg->local.v6 = nla_get_in6_addr(attr);
		if (ipv6_addr_is_multicast(&cfg->local.v6)) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "Local IPv6 address cannot be Multicast");
			return -EINVAL;
		}
	} else {
		cfg->local.v4 = nla_get_in_addr(attr);
		if (ipv4_is_multicast(cfg->local.v4)) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "Local IPv4 address cannot be Multicast");
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Applies @data on top of @cfg.  Checks come in the in-tree order, so the
 * first error reported for a bad request is the same one.
 */
static int geneve_nl_parse(struct nlattr *data[], struct geneve_cfg *cfg,
			   bool changelink, struct netlink_ext_ack *extack)
{
	const struct geneve_ifla_port_range *range;
	struct nlattr *attr;
	unsigned int i;
	int err;

	err = geneve_nl_parse_remote(data, cfg, changelink, extack);
	if (err)
		return err;

	attr = data[IFLA_GENEVE_ID];
	if (attr) {
		if (changelink && nla_get_u32(attr) != cfg->vni)
			return geneve_nl_refuse_change(attr, extack);
		cfg->vni = nla_get_u32(attr);
	}

	if (data[IFLA_GENEVE_TTL_INHERIT]) {
		cfg->ttl_inherit = !!nla_get_u8(data[IFLA_GENEVE_TTL_INHERIT]);
	} else if (data[IFLA_GENEVE_TTL]) {
		cfg->ttl = nla_get_u8(data[IFLA_GENEVE_TTL]);
		cfg->ttl_inherit = false;
	}
	if (data[IFLA_GENEVE_TOS])
		cfg->tos = nla_get_u8(data[IFLA_GENEVE_TOS]);
	if (data[IFLA_GENEVE_DF])
		cfg->df = nla_get_u8(data[IFLA_GENEVE_DF]);

	attr = data[IFLA_GENEVE_LABEL];
	if (attr) {
		cfg->label = nla_get_be32(attr) & IPV6_FLOWLABEL_MASK;
		if (cfg->label && cfg->family != AF_INET6) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "Label attribute only applies for IPv6 Geneve devices");
			return -EINVAL;
		}
	}

	err = geneve_nl_parse_newer(data, cfg, changelink, extack);
	if (err)
		return err;

	if (changelink) {
		for (i = 0; i < ARRAY_SIZE(geneve_nl_create_only); i++) {
			attr = data[geneve_nl_create_only[i]];
			if (attr)
				return geneve_nl_refuse_change(attr, extack);
		}
		return 0;
	}

	if (data[IFLA_GENEVE_PORT])
		cfg->dst_port = nla_get_be16(data[IFLA_GENEVE_PORT]);
	attr = data[GENEVE_IFLA_PORT_RANGE];
	if (attr) {
		range = nla_data(attr);
		cfg->src_port_min = ntohs(range->low);
		cfg->src_port_max = ntohs(range->high);
	}
	if (data[IFLA_GENEVE_COLLECT_METADATA])
		cfg->external = true;
	if (data[IFLA_GENEVE_UDP_CSUM] && nla_get_u8(data[IFLA_GENEVE_UDP_CSUM]))
		cfg->udp_csum = true;
	if (data[IFLA_GENEVE_UDP_ZERO_CSUM6_TX] &&
	    nla_get_u8(data[IFLA_GENEVE_UDP_ZERO_CSUM6_TX]))
		cfg->udp_csum = false;
	if (data[IFLA_GENEVE_UDP_ZERO_CSUM6_RX] &&
	    nla_get_u8(data[IFLA_GENEVE_UDP_ZERO_CSUM6_RX]))
		cfg->udp6_rx_csum = false;
	if (data[IFLA_GENEVE_INNER_PROTO_INHERIT])
		cfg->inner_proto_inherit = true;
	return 0;
}

/* An external device takes every tunnel parameter from packet metadata. */
static int geneve_nl_check_external(const struct geneve_cfg *cfg,
				    struct netlink_ext_ack *extack)
{
	static const union geneve_addr any;

	if (!cfg->external)
		return 0;
	if (cfg->vni || cfg->udp_csum || cfg->tos || cfg->ttl || cfg->label ||
	    memcmp(&cfg->remote, &any, sizeof(any)) ||
	    memcmp(&cfg->local, &any, sizeof(any))) {
		NL_SET_ERR_MSG(extack,
			       "Device is externally controlled, so attributes (VNI, Port, and so on) must not be specified");
		return -EINVAL;
	}
	return 0;
}

/* An explicit IFLA_MTU wins; otherwise the route to the remote decides. */
static void geneve_nl_set_mtu(struct geneve_dev *geneve,
			      const struct geneve_cfg *cfg, struct nlattr *tb[])
{
	int mtu;

	if (tb[IFLA_MTU]) {
		geneve_set_mtu(geneve->dev, nla_get_u32(tb[IFLA_MTU]));
		return;
	}
	mtu = geneve_route_mtu(geneve->net, cfg);
	if (mtu > 0)
		geneve_set_mtu(geneve->dev, mtu);
}

/*
 * A new remote may be routed over another device: the MTU follows, through
 * dev_set_mtu() so that uppers (a bridge) hear of it (NETDEV_CHANGEMTU).  An IFLA_MTU in the
 * same request is applied by the core after changelink.
 */
static int geneve_nl_change_mtu(struct geneve_dev *geneve,
				const struct geneve_cfg *cfg, struct nlattr *tb[])
{
	struct net_device *dev = geneve->dev;
	int mtu;

	if (tb[IFLA_MTU])
		return 0;
	mtu = geneve_route_mtu(geneve->net, cfg);
	if (mtu <= 0)
		return 0;
	return dev_set_mtu(dev, clamp_t(int, mtu, dev->min_mtu, dev->max_mtu));
}

static int geneve_nl_newlink(struct net *net, struct net_device *dev,
			     struct nlattr *tb[], struct nlattr *data[],
			     struct netlink_ext_ack *extack)
{
	struct geneve_cfg cfg = {
		.family = AF_INET,
		.dst_port = htons(GENEVE_UDP_PORT),
		.src_port_min = 1,
		.src_port_max = USHRT_MAX,
		.df = GENEVE_DF_UNSET,
	};
	int err;

	err = geneve_nl_parse(data, &cfg, false, extack);
	if (err)
		return err;
	err = geneve_nl_check_external(&cfg, extack);
	if (err)
		return err;
	if (cfg.external)
		cfg.family = AF_UNSPEC;
	err = geneve_register(net, dev, &cfg, extack);
	if (err)
		return err;
	geneve_nl_set_mtu(netdev_priv(dev), &cfg, tb);
	return 0;
}

static int geneve_nl_changelink(struct net_device *dev, struct nlattr *tb[],
				struct nlattr *data[],
				struct netlink_ext_ack *extack)
{
	struct geneve_dev *geneve = netdev_priv(dev);
	const struct geneve_cfg *old = geneve_cfg(geneve);
	struct geneve_cfg cfg = *old;
	int err;

	if (!rtnl_dev_link_net_capable(dev, geneve->net)) {
		NL_SET_ERR_MSG(extack,
			       "Changing the device needs CAP_NET_ADMIN in the namespace of its socket");
		return -EPERM;
	}
	if (cfg.external) {
		NL_SET_ERR_MSG(extack,
			       "An externally controlled device cannot be changed");
		return -EOPNOTSUPP;
	}
	err = geneve_nl_parse(data, &cfg, true, extack);
	if (err)
		return err;
	/* Only the remote of what identifies a tunnel can change. */
	if (memcmp(&cfg.remote, &old->remote, sizeof(cfg.remote))) {
		err = geneve_check_unique(geneve_pernet(geneve->net), geneve,
					  &cfg, extack);
		if (err)
			return err;
		err = geneve_nl_change_mtu(geneve, &cfg, tb);
		if (err) {
			NL_SET_ERR_MSG(extack, "Cannot set the MTU of the route to the new remote");
			return err;
		}
	}
	geneve_update_cfg(geneve, &cfg);
	return 0;
}

static size_t geneve_nl_get_size(const struct net_device *dev)
{
	return nla_total_size(sizeof(u32)) +		/* ID */
	       nla_total_size(sizeof(struct in6_addr)) * 2 + /* REMOTE{,6}, LOCAL{,6} */
	       nla_total_size(sizeof(u8)) * 3 +		/* TTL, TOS, DF */
	       nla_total_size(sizeof(__be32)) +		/* LABEL */
	       nla_total_size(sizeof(__be16)) +		/* PORT */
	       nla_total_size(0) * 2 +			/* COLLECT_METADATA, INNER_PROTO_INHERIT */
	       nla_total_size(sizeof(u8)) * 4 +		/* UDP_CSUM, ZERO_CSUM6_{TX,RX}, TTL_INHERIT */
	       nla_total_size(sizeof(struct geneve_ifla_port_range));
}

/* The in-tree attributes first, in the in-tree order; then the newer ones. */
static int geneve_nl_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	const struct geneve_dev *geneve = netdev_priv(dev);
	const struct geneve_cfg *cfg = geneve_cfg(geneve);
	struct geneve_ifla_port_range range = {
		.low = htons(cfg->src_port_min),
		.high = htons(cfg->src_port_max),
	};
	static const union geneve_addr any;

	if (nla_put_u32(skb, IFLA_GENEVE_ID, cfg->vni))
		return -EMSGSIZE;
	if (!cfg->external && cfg->family == AF_INET &&
	    (nla_put_in_addr(skb, IFLA_GENEVE_REMOTE, cfg->remote.v4) ||
	     nla_put_u8(skb, IFLA_GENEVE_UDP_CSUM, cfg->udp_csum)))
		return -EMSGSIZE;
	if (!cfg->external && cfg->family == AF_INET6 &&
	    (nla_put_in6_addr(skb, IFLA_GENEVE_REMOTE6, &cfg->remote.v6) ||
	     nla_put_u8(skb, IFLA_GENEVE_UDP_ZERO_CSUM6_TX, !cfg->udp_csum)))
		return -EMSGSIZE;
	if (nla_put_u8(skb, IFLA_GENEVE_TTL, cfg->ttl) ||
	    nla_put_u8(skb, IFLA_GENEVE_TOS, cfg->tos) ||
	    nla_put_be32(skb, IFLA_GENEVE_LABEL, cfg->label) ||
	    nla_put_u8(skb, IFLA_GENEVE_DF, cfg->df) ||
	    nla_put_be16(skb, IFLA_GENEVE_PORT, cfg->dst_port))
		return -EMSGSIZE;
	if (cfg->external && nla_put_flag(skb, IFLA_GENEVE_COLLECT_METADATA))
		return -EMSGSIZE;
	if (nla_put_u8(skb, IFLA_GENEVE_UDP_ZERO_CSUM6_RX, !cfg->udp6_rx_csum) ||
	    nla_put_u8(skb, IFLA_GENEVE_TTL_INHERIT, cfg->ttl_inherit))
		return -EMSGSIZE;
	if (cfg->inner_proto_inherit &&
	    nla_put_flag(skb, IFLA_GENEVE_INNER_PROTO_INHERIT))
		return -EMSGSIZE;

	if (nla_put(skb, GENEVE_IFLA_PORT_RANGE, sizeof(range), &range))
		return -EMSGSIZE;
	if (!memcmp(&cfg->local, &any, sizeof(any)))
		return 0;
	if (cfg->family == AF_INET6)
		return nla_put_in6_addr(skb, GENEVE_IFLA_LOCAL6, &cfg->local.v6);
	return nla_put_in_addr(skb, GENEVE_IFLA_LOCAL, cfg->local.v4);
}

struct rtnl_link_ops geneve_link_ops __read_mostly = {
	.kind		= "geneve",
	.maxtype	= GENEVE_IFLA_MAX,
	.policy		= geneve_nl_policy,
	.priv_size	= sizeof(struct geneve_dev),
	.setup		= geneve_setup,
	.validate	= geneve_nl_validate,
	.newlink	= geneve_nl_newlink,
	.changelink	= geneve_nl_changelink,
	.dellink	= geneve_dellink,
	.get_size	= geneve_nl_get_size,
	.fill_info	= geneve_nl_fill_info,
};
