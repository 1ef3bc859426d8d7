// SPDX-License-Identifier: GPL-2.0-only
/*
 * The forwarding database of a device that carries Ethernet frames: behind
 * which remote(s) a MAC is.  The all-zeros entry is the flood list: frames to
 * broadcast, multicast and unknown MACs go to each of its remotes (head-end
 * replication), and to the device's own remote if it has one.  Entries come
 * from netlink (`bridge fdb`, NTF_SELF), from a control plane (extern_learn:
 * kept as given) or from learning: the source MAC of a received frame
 * against the outer source address and VNI, bounded by fdb_max_learnt, aged
 * by not being seen on receive for fdb_ageing.
 *
 * The rules that need no kernel (what is refused, what learning does, what
 * ages) are in geneve_fdb_rules.h, tested in user space.
 */
#include <linux/etherdevice.h>
#include <linux/rhashtable.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/rtnetlink.h>

#include "geneve_priv.h"
#include "geneve_fdb_rules.h"

static const struct rhashtable_params geneve_fdb_params = {
	.head_offset = offsetof(struct geneve_fdb_entry, hnode),
	.key_offset = offsetof(struct geneve_fdb_entry, mac),
	.key_len = ETH_ALEN,
	.automatic_shrinking = true,
};

/* A known source is written at most this often (geneve_fdb_learn_decide()). */
#define GENEVE_FDB_REFRESH	HZ

static const u8 geneve_fdb_flood_mac[ETH_ALEN];

static enum geneve_fdb_kind geneve_fdb_kind_of(u16 state, u8 ntf)
{
	if (ntf & NTF_EXT_LEARNED)
		return GENEVE_FDB_EXTERNAL;
	if (state & (NUD_PERMANENT | NUD_NOARP))
		return GENEVE_FDB_STATIC;
	return GENEVE_FDB_DYNAMIC;
}

static enum geneve_fdb_kind geneve_fdb_kind(const struct geneve_fdb_entry *e)
{
	return geneve_fdb_kind_of(READ_ONCE(e->state), READ_ONCE(e->ntf));
}

struct geneve_fdb_entry *geneve_fdb_find(struct geneve_fdb *fdb, const u8 *mac)
{
	return rhashtable_lookup_fast(&fdb->table, mac, geneve_fdb_params);
}

/* The flood list: where frames to broadcast, multicast, unknown MACs go. */
struct geneve_fdb_entry *geneve_fdb_flood_entry(struct geneve_fdb *fdb)
{
	return geneve_fdb_find(fdb, geneve_fdb_flood_mac);
}

/* ---- Entries and their remotes ---- */

static struct geneve_fdb_remote *geneve_fdb_remote_new(const struct geneve_fdb_remote *dest,
						       gfp_t gfp)
{
	struct geneve_fdb_remote *r = kmalloc(sizeof(*r), gfp);

	if (!r)
		return NULL;
	r->ip = dest->ip;
	r->port = dest->port;
	r->vni = dest->vni;
	r->ifindex = dest->ifindex;
	r->group = dest->group;
	if (dst_cache_init(&r->dst_cache, gfp)) {
		kfree(r);
		return NULL;
	}
	return r;
}

static void geneve_fdb_remote_free(struct geneve_fdb_remote *r)
{
	dst_cache_destroy(&r->dst_cache);
	kfree(r);
}

static void geneve_fdb_remote_free_rcu(struct rcu_head *head)
{
	geneve_fdb_remote_free(container_of(head, struct geneve_fdb_remote, rcu));
}

static struct geneve_fdb_entry *geneve_fdb_entry_new(const u8 *mac, gfp_t gfp)
{
	struct geneve_fdb_entry *e = kzalloc(sizeof(*e), gfp);

	if (!e)
		return NULL;
	ether_addr_copy(e->mac, mac);
	INIT_LIST_HEAD(&e->remotes);
	e->seen = jiffies;
	e->used = e->seen;
	e->moved = e->seen - GENEVE_FDB_REFRESH;	/* free to move at once */
	return e;
}

static void geneve_fdb_entry_free_rcu(struct rcu_head *head)
{
	struct geneve_fdb_entry *e = container_of(head, struct geneve_fdb_entry, rcu);
	struct geneve_fdb_remote *r, *next;

	list_for_each_entry_safe(r, next, &e->remotes, node)
		geneve_fdb_remote_free(r);
	kfree(e);
}

static bool geneve_fdb_same_dest(bool ipv6, const struct geneve_fdb_remote *a,
				 const struct geneve_fdb_remote *b)
{
	return geneve_addr_equal(ipv6, &a->ip, &b->ip) && a->port == b->port &&
	       a->vni == b->vni && a->ifindex == b->ifindex;
}

static struct geneve_fdb_remote *geneve_fdb_find_dest(bool ipv6,
						      struct geneve_fdb_entry *e,
						      const struct geneve_fdb_remote *dest)
{
	struct geneve_fdb_remote *r;

	list_for_each_entry_rcu(r, &e->remotes, node)
		if (geneve_fdb_same_dest(ipv6, r, dest))
			return r;
	return NULL;
}

/* ---- Notifications (bridge monitor fdb) and dumps ---- */

static size_t geneve_fdb_msg_size(void)
{
	return NLMSG_ALIGN(sizeof(struct ndmsg)) +
	       nla_total_size(ETH_ALEN) +		/* NDA_LLADDR */
	       nla_total_size(sizeof(struct in6_addr)) + /* NDA_DST */
	       nla_total_size(sizeof(__be16)) +		/* NDA_PORT */
	       nla_total_size(sizeof(u32)) * 3 +	/* NDA_VNI, NDA_IFINDEX, NDA_LINK_NETNSID */
	       nla_total_size(sizeof(struct nda_cacheinfo));
}

/* Where @r sends: only what differs from the device's own port and VNI. */
static int geneve_fdb_put_dest(struct sk_buff *skb, const struct geneve_cfg *cfg,
			       const struct geneve_fdb_remote *r)
{
	int err = cfg->family == AF_INET6 ? nla_put_in6_addr(skb, NDA_DST, &r->ip.v6) :
					    nla_put_in_addr(skb, NDA_DST, r->ip.v4);

	if (!err && r->port != cfg->dst_port)
		err = nla_put_be16(skb, NDA_PORT, r->port);
	if (!err && r->vni != cfg->vni)
		err = nla_put_u32(skb, NDA_VNI, r->vni);
	if (!err && r->ifindex)
		err = nla_put_u32(skb, NDA_IFINDEX, r->ifindex);
	return err;
}

static int geneve_fdb_fill(struct sk_buff *skb, struct geneve_dev *geneve,
			   const struct geneve_fdb_entry *e,
			   const struct geneve_fdb_remote *r,
			   u32 portid, u32 seq, int type, unsigned int flags)
{
	struct net_device *dev = geneve->dev;
	unsigned long now = jiffies;
	struct nda_cacheinfo ci = {
		.ndm_used = jiffies_to_clock_t(now - READ_ONCE(e->used)),
		.ndm_updated = jiffies_to_clock_t(now - READ_ONCE(e->seen)),
	};
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;

	nlh = nlmsg_put(skb, portid, seq, type, sizeof(*ndm), flags);
	if (!nlh)
		return -EMSGSIZE;
	ndm = nlmsg_data(nlh);
	memset(ndm, 0, sizeof(*ndm));
	ndm->ndm_family = AF_BRIDGE;
	ndm->ndm_state = e->state;
	ndm->ndm_ifindex = dev->ifindex;
	ndm->ndm_flags = NTF_SELF | e->ntf;
	ndm->ndm_type = RTN_UNICAST;

	/* The socket's namespace, when the device has moved out of it. */
	if (nla_put(skb, NDA_LLADDR, ETH_ALEN, e->mac) ||
	    nla_put(skb, NDA_CACHEINFO, sizeof(ci), &ci) ||
	    (!net_eq(dev_net(dev), geneve->net) &&
	     nla_put_s32(skb, NDA_LINK_NETNSID,
			 peernet2id_alloc(dev_net(dev), geneve->net, GFP_ATOMIC))) ||
	    (r && geneve_fdb_put_dest(skb, geneve_cfg(geneve), r))) {
		nlmsg_cancel(skb, nlh);
		return -EMSGSIZE;
	}
	nlmsg_end(skb, nlh);
	return 0;
}

/* From any context: learning notifies from softirq. */
static void geneve_fdb_notify(struct geneve_dev *geneve,
			      const struct geneve_fdb_entry *e,
			      const struct geneve_fdb_remote *r, int type)
{
	struct net *net = dev_net(geneve->dev);
	struct sk_buff *skb;
	int err = -ENOBUFS;

	skb = nlmsg_new(geneve_fdb_msg_size(), GFP_ATOMIC);
	if (!skb)
		goto out;
	err = geneve_fdb_fill(skb, geneve, e, r, 0, 0, type, 0);
	if (WARN_ON_ONCE(err < 0)) {	/* geneve_fdb_msg_size() is wrong */
		kfree_skb(skb);
		goto out;
	}
	rtnl_notify(skb, net, 0, RTNLGRP_NEIGH, NULL, GFP_ATOMIC);
	return;
out:
	rtnl_set_sk_err(net, RTNLGRP_NEIGH, err);
}

/* One notification per remote, as a dump shows the entry. */
static void geneve_fdb_notify_entry(struct geneve_dev *geneve,
				    const struct geneve_fdb_entry *e, int type)
{
	const struct geneve_fdb_remote *r;

	list_for_each_entry(r, &e->remotes, node)
		geneve_fdb_notify(geneve, e, r, type);
}

int geneve_fdb_dump(struct sk_buff *skb, struct netlink_callback *cb,
		    struct net_device *dev, struct net_device *filter_dev,
		    int *idx)
{
	struct geneve_dev *geneve = netdev_priv(dev);
	struct geneve_fdb_entry *e;
	struct geneve_fdb_remote *r;
	int err = 0;

	if (geneve_cfg(geneve)->external)
		return 0;
	rcu_read_lock();
	list_for_each_entry_rcu(e, &geneve->fdb.entries, node) {
		list_for_each_entry_rcu(r, &e->remotes, node) {
			if (*idx >= cb->args[2]) {
				err = geneve_fdb_fill(skb, geneve, e, r,
						      NETLINK_CB(cb->skb).portid,
						      cb->nlh->nlmsg_seq,
						      RTM_NEWNEIGH, NLM_F_MULTI);
				if (err < 0)
					goto out;
			}
			*idx += 1;
		}
	}
out:
	rcu_read_unlock();
	return err;
}

int geneve_fdb_get(struct sk_buff *skb, struct nlattr *tb[],
		   struct net_device *dev, const unsigned char *addr, u16 vid,
		   u32 portid, u32 seq, struct netlink_ext_ack *extack)
{
	struct geneve_dev *geneve = netdev_priv(dev);
	struct geneve_fdb_entry *e;
	int err = -ENOENT;

	rcu_read_lock();
	e = geneve->fdb.ready ? geneve_fdb_find(&geneve->fdb, addr) : NULL;
	if (e)
		err = geneve_fdb_fill(skb, geneve, e,
				      list_first_or_null_rcu(&e->remotes,
							     struct geneve_fdb_remote,
							     node),
				      portid, seq, RTM_NEWNEIGH, 0);
	else
		NL_SET_ERR_MSG(extack, "No forwarding database entry for this address");
	rcu_read_unlock();
	return err;
}

/* ---- Changes, under fdb->lock ---- */

static void geneve_fdb_unlink(struct geneve_dev *geneve,
			      struct geneve_fdb_entry *e, bool notify)
{
	struct geneve_fdb *fdb = &geneve->fdb;

	lockdep_assert_held(&fdb->lock);
	if (notify)
		geneve_fdb_notify_entry(geneve, e, RTM_DELNEIGH);
	rhashtable_remove_fast(&fdb->table, &e->hnode, geneve_fdb_params);
	list_del_rcu(&e->node);
	WRITE_ONCE(fdb->count, fdb->count - 1);
	if (e->learnt)
		WRITE_ONCE(fdb->learnt, fdb->learnt - 1);
	call_rcu(&e->rcu, geneve_fdb_entry_free_rcu);
}

static int geneve_fdb_link(struct geneve_dev *geneve, struct geneve_fdb_entry *e)
{
	struct geneve_fdb *fdb = &geneve->fdb;
	int err;

	lockdep_assert_held(&fdb->lock);
	err = rhashtable_insert_fast(&fdb->table, &e->hnode, geneve_fdb_params);
	if (err)
		return err;
	list_add_tail_rcu(&e->node, &fdb->entries);
	/* Pairs with the datapath's acquire: a count seen means a table seen. */
	smp_store_release(&fdb->count, fdb->count + 1);
	if (e->learnt)
		WRITE_ONCE(fdb->learnt, fdb->learnt + 1);
	return 0;
}

/* Removes the entries @match selects (all with NULL); returns how many. */
static unsigned int geneve_fdb_flush(struct geneve_dev *geneve,
				     bool (*match)(const struct geneve_fdb_entry *e,
						   const void *arg),
				     const void *arg, bool notify)
{
	struct geneve_fdb *fdb = &geneve->fdb;
	struct geneve_fdb_entry *e, *next;
	unsigned int n = 0;

	spin_lock_bh(&fdb->lock);
	list_for_each_entry_safe(e, next, &fdb->entries, node) {
		if (match && !match(e, arg))
			continue;
		geneve_fdb_unlink(geneve, e, notify);
		n++;
	}
	spin_unlock_bh(&fdb->lock);
	return n;
}

/* ---- Ageing ---- */

/* Often enough that an entry goes within a quarter of its time. */
static unsigned long geneve_fdb_ageing_period(const struct geneve_fdb *fdb)
{
	return clamp(READ_ONCE(fdb->ageing) / 4, (unsigned long)HZ / 4,
		     10UL * HZ);
}

/*
 * The scans run while a running device has entries that age: the thousands
 * of devices that never learn cost no timer.
 */
static void geneve_fdb_ageing_kick(struct geneve_dev *geneve)
{
	if (netif_running(geneve->dev))
		queue_delayed_work(system_power_efficient_wq,
				   &geneve->fdb.ageing_work,
				   geneve_fdb_ageing_period(&geneve->fdb));
}

static void geneve_fdb_ageing_work(struct work_struct *work)
{
	struct geneve_fdb *fdb = container_of(to_delayed_work(work),
					      struct geneve_fdb, ageing_work);
	struct geneve_dev *geneve = container_of(fdb, struct geneve_dev, fdb);
	unsigned long ageing = READ_ONCE(fdb->ageing), now = jiffies;
	struct geneve_fdb_entry *e, *next;
	enum geneve_fdb_kind kind;
	bool ageing_left = false;

	rcu_read_lock();	/* the notifications read the configuration */
	spin_lock_bh(&fdb->lock);
	list_for_each_entry_safe(e, next, &fdb->entries, node) {
		kind = geneve_fdb_kind(e);
		if (geneve_fdb_aged(kind, READ_ONCE(e->seen), now, ageing))
			geneve_fdb_unlink(geneve, e, true);
		else if (kind == GENEVE_FDB_DYNAMIC)
			ageing_left = true;
	}
	spin_unlock_bh(&fdb->lock);
	rcu_read_unlock();
	if (ageing_left)
		geneve_fdb_ageing_kick(geneve);
}

/* A new ageing time applies to the next scan, which comes no later. */
void geneve_fdb_set_ageing(struct geneve_dev *geneve, unsigned long ageing)
{
	struct geneve_fdb *fdb = &geneve->fdb;

	ASSERT_RTNL();
	WRITE_ONCE(fdb->ageing, ageing);
	if (netif_running(geneve->dev) && READ_ONCE(fdb->count))
		mod_delayed_work(system_power_efficient_wq, &fdb->ageing_work,
				 geneve_fdb_ageing_period(fdb));
}

/* ---- Netlink: bridge fdb add / append / replace / del / flush ---- */

/*
 * The table, and the knobs in sysfs, exist once something may go in it (not
 * on every device).
 */
static int geneve_fdb_prepare(struct geneve_dev *geneve)
{
	struct geneve_fdb *fdb = &geneve->fdb;
	int err;

	ASSERT_RTNL();
	if (fdb->ready)
		return 0;
	err = rhashtable_init(&fdb->table, &geneve_fdb_params);
	if (err)
		return err;
	err = geneve_sysfs_add(geneve->dev);
	if (err) {
		rhashtable_destroy(&fdb->table);
		return err;
	}
	fdb->ready = true;
	return 0;
}

static int geneve_fdb_usable(const struct geneve_dev *geneve,
			     struct netlink_ext_ack *extack)
{
	if (geneve_cfg(geneve)->external) {
		NL_SET_ERR_MSG(extack, "An externally controlled device has no forwarding database");
		return -EOPNOTSUPP;
	}
	/* Entries send, and groups are joined, in the socket's namespace. */
	if (!rtnl_dev_link_net_capable(geneve->dev, geneve->net)) {
		NL_SET_ERR_MSG(extack,
			       "Changing the forwarding database needs CAP_NET_ADMIN in the namespace of the device's socket");
		return -EPERM;
	}
	return 0;
}

static void geneve_fdb_parse_dst(const struct geneve_cfg *cfg,
				 const struct nlattr *attr,
				 struct geneve_fdb_remote *dest,
				 struct geneve_fdb_request *req)
{
	int type;

	req->dst_given = true;
	if (cfg->family == AF_INET6 && nla_len(attr) == sizeof(struct in6_addr)) {
		dest->ip.v6 = nla_get_in6_addr(attr);
		type = ipv6_addr_type(&dest->ip.v6);
		req->dst_family_ok = true;
		req->dst_any = type == IPV6_ADDR_ANY;
		req->dst_multicast = type & IPV6_ADDR_MULTICAST;
		req->dst_link_local = type & IPV6_ADDR_LINKLOCAL;
	} else if (cfg->family == AF_INET && nla_len(attr) == sizeof(__be32)) {
		dest->ip.v4 = nla_get_in_addr(attr);
		req->dst_family_ok = true;
		req->dst_any = !dest->ip.v4;
		req->dst_multicast = ipv4_is_multicast(dest->ip.v4);
	}
}

/*
 * The destination a request names, in @dest (the device's port and VNI
 * unless it names others).  Without NDA_DST, only for a deletion: 1.
 */
static int geneve_fdb_parse(struct geneve_dev *geneve, struct nlattr *tb[],
			    const u8 *mac, bool need_dst,
			    struct geneve_fdb_remote *dest,
			    struct netlink_ext_ack *extack)
{
	const struct geneve_cfg *cfg = geneve_cfg(geneve);
	struct geneve_fdb_request req = { .mac = mac };
	struct nlattr *attr;

	/* What VXLAN's entries may also hold is refused here, not ignored. */
	if (tb[NDA_SRC_VNI]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NDA_SRC_VNI], "A source VNI (src_vni) is not supported");
		return -EOPNOTSUPP;
	}
	if (tb[NDA_NH_ID]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NDA_NH_ID], "Nexthop groups (nhid) are not supported");
		return -EOPNOTSUPP;
	}
	memset(dest, 0, sizeof(*dest));
	dest->port = cfg->dst_port;
	dest->vni = cfg->vni;
	if (tb[NDA_DST])
		geneve_fdb_parse_dst(cfg, tb[NDA_DST], dest, &req);
	attr = tb[NDA_PORT];
	if (attr) {
		if (nla_len(attr) != sizeof(__be16)) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "Port must be 2 bytes");
			return -EINVAL;
		}
		dest->port = nla_get_be16(attr);
		req.port_given = true;
		req.port = ntohs(dest->port);
	}
	attr = tb[NDA_VNI];
	if (attr) {
		if (nla_len(attr) != sizeof(u32)) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "VNI must be 4 bytes");
			return -EINVAL;
		}
		dest->vni = nla_get_u32(attr);
		req.vni_given = true;
		req.vni = dest->vni;
	}
	attr = tb[NDA_IFINDEX];
	if (attr) {
		if (nla_len(attr) != sizeof(u32)) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "Via interface index must be 4 bytes");
			return -EINVAL;
		}
		dest->ifindex = nla_get_u32(attr);
		if (!__dev_get_by_index(geneve->net, dest->ifindex)) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "No such via interface in the namespace of the device's socket");
			return -ENODEV;
		}
		req.via_given = true;
	}
	if (!need_dst && !req.dst_given)
		return 1;

	switch (geneve_fdb_check_request(&req)) {
	case GENEVE_FDB_OK:
		break;
	case GENEVE_FDB_NO_DST:
		NL_SET_ERR_MSG(extack, "A destination address (dst) is required");
		return -EINVAL;
	case GENEVE_FDB_DST_FAMILY:
		NL_SET_ERR_MSG_ATTR(extack, tb[NDA_DST],
				    "The destination must be an address of the underlay's family");
		return -EINVAL;
	case GENEVE_FDB_DST_ANY:
		NL_SET_ERR_MSG_ATTR(extack, tb[NDA_DST],
				    "The destination cannot be the unspecified address");
		return -EINVAL;
	case GENEVE_FDB_DST_MULTICAST_MAC:
		NL_SET_ERR_MSG_ATTR(extack, tb[NDA_DST],
				    "A multicast destination is only for the all-zeros address");
		return -EINVAL;
	case GENEVE_FDB_DST_LINK_LOCAL:
		NL_SET_ERR_MSG_ATTR(extack, tb[NDA_DST],
				    "A link-local destination needs a via interface");
		return -EINVAL;
	case GENEVE_FDB_PORT_ZERO:
		NL_SET_ERR_MSG_ATTR(extack, tb[NDA_PORT], "The destination port cannot be 0");
		return -EINVAL;
	case GENEVE_FDB_VNI_RANGE:
		NL_SET_ERR_MSG_ATTR(extack, tb[NDA_VNI], "VNI must be lower than 16777216");
		return -ERANGE;
	}
	dest->group = req.dst_multicast;
	return 0;
}

static int geneve_fdb_check_entry_kind(const struct ndmsg *ndm, const u8 *mac,
				       struct netlink_ext_ack *extack)
{
	if (!(ndm->ndm_state & (NUD_PERMANENT | NUD_REACHABLE))) {
		NL_SET_ERR_MSG(extack, "An entry is permanent, static or dynamic");
		return -EINVAL;
	}
	if (!geneve_fdb_kind_allowed(mac, geneve_fdb_kind_of(ndm->ndm_state,
							     ndm->ndm_flags))) {
		NL_SET_ERR_MSG(extack, "The all-zeros entry is permanent or static");
		return -EINVAL;
	}
	if (ndm->ndm_flags & ~(NTF_SELF | NTF_MASTER | NTF_EXT_LEARNED)) {
		NL_SET_ERR_MSG(extack, "Of the entry flags, only extern_learn is supported");
		return -EINVAL;
	}
	return 0;
}

/* Updates @e with the request's destination @r; consumes @r. */
static int geneve_fdb_update(struct geneve_dev *geneve,
			     struct geneve_fdb_entry *e,
			     struct geneve_fdb_remote *r, const struct ndmsg *ndm,
			     u16 flags, struct netlink_ext_ack *extack)
{
	bool ipv6 = geneve_cfg(geneve)->family == AF_INET6;
	struct geneve_fdb_remote *old, *extra, *next;

	if (flags & NLM_F_EXCL) {
		NL_SET_ERR_MSG(extack, "An entry for this address exists already: replace or append");
		return -EEXIST;
	}
	if (geneve_fdb_kind(e) == GENEVE_FDB_EXTERNAL &&
	    !(ndm->ndm_flags & NTF_EXT_LEARNED)) {
		NL_SET_ERR_MSG(extack,
			       "A control plane's entry (extern_learn) changes only by another such request");
		return -EPERM;
	}
	if (flags & NLM_F_APPEND) {
		if (!geneve_fdb_mac_is_zero(e->mac) && !is_multicast_ether_addr(e->mac)) {
			NL_SET_ERR_MSG(extack,
				       "Only the all-zeros and multicast addresses take several destinations");
			return -EINVAL;
		}
		if (geneve_fdb_find_dest(ipv6, e, r)) {
			NL_SET_ERR_MSG(extack, "The entry has this destination already");
			return -EEXIST;
		}
		list_add_tail_rcu(&r->node, &e->remotes);
	} else if (flags & NLM_F_REPLACE) {
		/*
		 * The first destination replaced in place (never an empty
		 * list), the others dropped; listeners hear of each one gone.
		 */
		old = list_first_entry(&e->remotes, struct geneve_fdb_remote, node);
		list_replace_rcu(&old->node, &r->node);
		if (!geneve_fdb_same_dest(ipv6, old, r))
			geneve_fdb_notify(geneve, e, old, RTM_DELNEIGH);
		call_rcu(&old->rcu, geneve_fdb_remote_free_rcu);
		extra = r;
		list_for_each_entry_safe_continue(extra, next, &e->remotes, node) {
			geneve_fdb_notify(geneve, e, extra, RTM_DELNEIGH);
			list_del_rcu(&extra->node);
			call_rcu(&extra->rcu, geneve_fdb_remote_free_rcu);
		}
	} else {
		NL_SET_ERR_MSG(extack, "An entry for this address exists already: replace or append");
		return -EEXIST;
	}
	/* Set by hand now: no longer learnt, no longer in the limit. */
	if (e->learnt) {
		e->learnt = false;
		WRITE_ONCE(geneve->fdb.learnt, geneve->fdb.learnt - 1);
	}
	WRITE_ONCE(e->state, ndm->ndm_state);
	WRITE_ONCE(e->ntf, ndm->ndm_flags & NTF_EXT_LEARNED);
	WRITE_ONCE(e->seen, jiffies);
	return 0;
}

/* Removes destination @r of @e (NULL: all of them, and so @e itself). */
static void geneve_fdb_drop_dest(struct geneve_dev *geneve,
				 struct geneve_fdb_entry *e,
				 struct geneve_fdb_remote *r)
{
	lockdep_assert_held(&geneve->fdb.lock);
	if (r && !list_is_singular(&e->remotes)) {
		geneve_fdb_notify(geneve, e, r, RTM_DELNEIGH);
		list_del_rcu(&r->node);
		call_rcu(&r->rcu, geneve_fdb_remote_free_rcu);
	} else {
		geneve_fdb_unlink(geneve, e, true);
	}
}

/* Takes back what a request added, when its groups could not be held. */
static void geneve_fdb_remove_dest(struct geneve_dev *geneve, const u8 *mac,
				   const struct geneve_fdb_remote *dest)
{
	bool ipv6 = geneve_cfg(geneve)->family == AF_INET6;
	struct geneve_fdb *fdb = &geneve->fdb;
	struct geneve_fdb_remote *r;
	struct geneve_fdb_entry *e;

	spin_lock_bh(&fdb->lock);
	e = geneve_fdb_find(fdb, mac);
	r = e ? geneve_fdb_find_dest(ipv6, e, dest) : NULL;
	if (r)
		geneve_fdb_drop_dest(geneve, e, r);
	spin_unlock_bh(&fdb->lock);
}

int geneve_fdb_add(struct ndmsg *ndm, struct nlattr *tb[],
		   struct net_device *dev, const unsigned char *addr, u16 vid,
		   u16 flags, struct netlink_ext_ack *extack)
{
	struct geneve_dev *geneve = netdev_priv(dev);
	struct geneve_fdb *fdb = &geneve->fdb;
	struct geneve_fdb_entry *e, *fresh;
	struct geneve_fdb_remote dest, *r;
	struct geneve_held_group pending;
	int err;

	err = geneve_fdb_usable(geneve, extack);
	if (err)
		return err;
	if (vid) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NDA_VLAN], "VLANs are not supported");
		return -EINVAL;
	}
	err = geneve_fdb_check_entry_kind(ndm, addr, extack);
	if (err)
		return err;
	err = geneve_fdb_parse(geneve, tb, addr, true, &dest, extack);
	if (err)
		return err;
	err = geneve_fdb_prepare(geneve);
	if (err)
		return err;
	err = geneve_group_hold_new(geneve, &dest, &pending);
	if (err) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NDA_DST], "Cannot join the multicast group");
		return err;
	}

	fresh = geneve_fdb_entry_new(addr, GFP_KERNEL);
	r = fresh ? geneve_fdb_remote_new(&dest, GFP_KERNEL) : NULL;
	if (!r) {
		kfree(fresh);
		err = -ENOMEM;
		goto out;
	}
	spin_lock_bh(&fdb->lock);
	e = geneve_fdb_find(fdb, addr);
	if (e) {
		err = geneve_fdb_update(geneve, e, r, ndm, flags, extack);
	} else if (!(flags & NLM_F_CREATE)) {
		NL_SET_ERR_MSG(extack, "No entry for this address");
		err = -ENOENT;
	} else {
		e = fresh;
		fresh = NULL;
		e->state = ndm->ndm_state;
		e->ntf = ndm->ndm_flags & NTF_EXT_LEARNED;
		list_add(&r->node, &e->remotes);
		err = geneve_fdb_link(geneve, e);
		if (err)
			fresh = e;	/* freed below, with r */
	}
	if (!err) {
		geneve_fdb_notify(geneve, e, r, RTM_NEWNEIGH);
		r = NULL;
	}
	spin_unlock_bh(&fdb->lock);
	if (r)
		geneve_fdb_remote_free(r);
	kfree(fresh);
	if (err)
		goto out;
	if (!(ndm->ndm_state & (NUD_PERMANENT | NUD_NOARP)))
		geneve_fdb_ageing_kick(geneve);
	/*
	 * A replace may have dropped a group, an append added one: held
	 * already, so only memory can fail here.
	 */
	err = geneve_groups_sync(geneve, netif_running(geneve->dev));
	if (err) {
		geneve_fdb_remove_dest(geneve, addr, &dest);
		geneve_groups_sync(geneve, netif_running(geneve->dev));
	}
out:
	geneve_group_release(&pending);
	return err;
}

int geneve_fdb_del(struct ndmsg *ndm, struct nlattr *tb[],
		   struct net_device *dev, const unsigned char *addr, u16 vid,
		   struct netlink_ext_ack *extack)
{
	struct geneve_dev *geneve = netdev_priv(dev);
	struct geneve_fdb *fdb = &geneve->fdb;
	struct geneve_fdb_remote dest, *r = NULL;
	struct geneve_fdb_entry *e;
	int whole, err;

	err = geneve_fdb_usable(geneve, extack);
	if (err)
		return err;
	whole = geneve_fdb_parse(geneve, tb, addr, false, &dest, extack);
	if (whole < 0)
		return whole;

	spin_lock_bh(&fdb->lock);
	e = fdb->ready ? geneve_fdb_find(fdb, addr) : NULL;
	if (!e) {
		NL_SET_ERR_MSG(extack, "No entry for this address");
		err = -ENOENT;
	} else if (!whole) {
		r = geneve_fdb_find_dest(geneve_cfg(geneve)->family == AF_INET6, e, &dest);
		if (!r) {
			NL_SET_ERR_MSG(extack, "The entry has no such destination");
			err = -ENOENT;
		}
	}
	if (!err)
		geneve_fdb_drop_dest(geneve, e, r);
	spin_unlock_bh(&fdb->lock);
	if (!err)
		geneve_groups_sync(geneve, netif_running(geneve->dev));
	return err;
}

/* `bridge fdb flush`: the entries whose state and flags match under masks. */
struct geneve_fdb_filter {
	u16 state, state_mask;
	u8 flags, flags_mask;
};

static bool geneve_fdb_match_filter(const struct geneve_fdb_entry *e,
				    const void *arg)
{
	const struct geneve_fdb_filter *f = arg;

	return (e->state & f->state_mask) == (f->state & f->state_mask) &&
	       (e->ntf & f->flags_mask) == (f->flags & f->flags_mask);
}

/* What the core checked of a flush request before it left that to drivers. */
static const struct nla_policy geneve_fdb_del_bulk_policy[NDA_MAX + 1] = {
	[NDA_VLAN]		= { .type = NLA_U16 },
	[NDA_IFINDEX]		= NLA_POLICY_MIN(NLA_S32, 1),
	[NDA_NDM_STATE_MASK]	= { .type = NLA_U16 },
	[NDA_NDM_FLAGS_MASK]	= { .type = NLA_U8 },
};

int geneve_fdb_del_bulk(struct nlmsghdr *nlh, struct net_device *dev,
			struct netlink_ext_ack *extack)
{
	struct geneve_dev *geneve = netdev_priv(dev);
	struct ndmsg *ndm = nlmsg_data(nlh);
	struct geneve_fdb_filter filter = {
		.state = ndm->ndm_state,
		.flags = ndm->ndm_flags & ~(NTF_SELF | NTF_MASTER),
	};
	struct nlattr *tb[NDA_MAX + 1];
	int err;

	err = nlmsg_parse(nlh, sizeof(*ndm), tb, NDA_MAX,
			  geneve_fdb_del_bulk_policy, extack);
	if (err)
		return err;
	err = geneve_fdb_usable(geneve, extack);
	if (err)
		return err;
	if (tb[NDA_VLAN] || tb[NDA_IFINDEX]) {
		NL_SET_ERR_MSG(extack, "Flushing by VLAN or port is not supported");
		return -EINVAL;
	}
	if (tb[NDA_NDM_STATE_MASK])
		filter.state_mask = nla_get_u16(tb[NDA_NDM_STATE_MASK]);
	if (tb[NDA_NDM_FLAGS_MASK])
		filter.flags_mask = nla_get_u8(tb[NDA_NDM_FLAGS_MASK]) &
				    ~(NTF_SELF | NTF_MASTER);
	if (geneve->fdb.ready)
		geneve_fdb_flush(geneve, geneve_fdb_match_filter, &filter, true);
	geneve_groups_sync(geneve, netif_running(geneve->dev));
	return 0;
}

/* ---- Learning (softirq, RCU) ---- */

static void geneve_fdb_learn_new(struct geneve_dev *geneve,
				 const struct geneve_fdb_remote *dest, const u8 *mac)
{
	struct geneve_fdb *fdb = &geneve->fdb;
	struct geneve_fdb_entry *e;
	struct geneve_fdb_remote *r;
	int err;

	/* Before any allocation: a flood of forged sources costs a lookup. */
	if (READ_ONCE(fdb->learnt) >= READ_ONCE(fdb->max_learnt)) {
		geneve_count_drop(geneve, GENEVE_DROP_LEARN_LIMIT);
		return;
	}
	e = geneve_fdb_entry_new(mac, GFP_ATOMIC);
	r = e ? geneve_fdb_remote_new(dest, GFP_ATOMIC) : NULL;
	if (!r) {
		kfree(e);
		geneve_count_drop(geneve, GENEVE_DROP_LEARN_NO_MEMORY);
		return;
	}
	e->state = NUD_REACHABLE;
	e->learnt = true;
	list_add(&r->node, &e->remotes);

	spin_lock(&fdb->lock);
	/* Stopping flushes what was learnt, under the lock, once not running. */
	if (!netif_running(geneve->dev))
		goto err_unlock;
	if (fdb->learnt >= fdb->max_learnt) {
		geneve_count_drop(geneve, GENEVE_DROP_LEARN_LIMIT);
		goto err_unlock;
	}
	err = geneve_fdb_link(geneve, e);
	if (err) {
		/*
		 * -EEXIST: another CPU learnt it meanwhile.  -EBUSY and the
		 * like: the table is full until its resize work has run (a
		 * burst of new sources outpaced it).  Either way the next
		 * frame from that source retries.
		 */
		if (err == -ENOMEM)
			geneve_count_drop(geneve, GENEVE_DROP_LEARN_NO_MEMORY);
		else if (err != -EEXIST)
			geneve_count_drop(geneve, GENEVE_DROP_LEARN_TABLE_BUSY);
		goto err_unlock;
	}
	geneve_fdb_notify(geneve, e, r, RTM_NEWNEIGH);
	spin_unlock(&fdb->lock);
	geneve_fdb_ageing_kick(geneve);
	return;

err_unlock:
	spin_unlock(&fdb->lock);
	geneve_fdb_remote_free(r);
	kfree(e);
}

/* Roaming: the one remote of a dynamic entry replaced whole, for readers. */
static void geneve_fdb_learn_move(struct geneve_dev *geneve,
				  const struct geneve_fdb_remote *dest, const u8 *mac)
{
	struct geneve_fdb *fdb = &geneve->fdb;
	struct geneve_fdb_remote *r, *old;
	struct geneve_fdb_entry *e;

	r = geneve_fdb_remote_new(dest, GFP_ATOMIC);
	if (!r) {
		geneve_count_drop(geneve, GENEVE_DROP_LEARN_NO_MEMORY);
		return;
	}
	spin_lock(&fdb->lock);
	/* Rechecked: the entry may have gone, or changed kind, meanwhile. */
	e = geneve_fdb_find(fdb, mac);
	old = e ? list_first_entry_or_null(&e->remotes, struct geneve_fdb_remote,
					   node) : NULL;
	if (!old || geneve_fdb_kind(e) != GENEVE_FDB_DYNAMIC ||
	    !list_is_singular(&e->remotes) || !netif_running(geneve->dev)) {
		spin_unlock(&fdb->lock);
		geneve_fdb_remote_free(r);
		return;
	}
	list_replace_rcu(&old->node, &r->node);
	WRITE_ONCE(e->seen, jiffies);
	WRITE_ONCE(e->moved, e->seen);
	geneve_fdb_notify(geneve, e, r, RTM_NEWNEIGH);
	spin_unlock(&fdb->lock);
	call_rcu(&old->rcu, geneve_fdb_remote_free_rcu);
}

/*
 * @mac came from @from with @vni.  Writes nothing for a known source seen
 * within the last second; takes the lock only to add or move an entry.
 */
void geneve_fdb_learn(struct geneve_dev *geneve, const struct geneve_cfg *cfg,
		      const u8 *mac, const union geneve_addr *from, u32 vni)
{
	struct geneve_fdb *fdb = &geneve->fdb;
	struct geneve_fdb_remote dest = {
		.ip = *from,
		.port = cfg->dst_port,
		.vni = vni,
	};
	enum geneve_fdb_kind kind = GENEVE_FDB_DYNAMIC;
	const struct geneve_fdb_remote *r;
	struct geneve_fdb_entry *e;
	bool same = false;

	/* Learning on implies a table (the release in geneve_fdb_set_learning()). */
	if (!smp_load_acquire(&fdb->learning) ||
	    !geneve_fdb_learnable(mac, geneve->dev->dev_addr))
		return;
	e = geneve_fdb_find(fdb, mac);
	if (e) {
		kind = geneve_fdb_kind(e);
		r = list_first_or_null_rcu(&e->remotes, struct geneve_fdb_remote, node);
		same = r && geneve_fdb_same_dest(cfg->family == AF_INET6, r, &dest);
	}
	switch (geneve_fdb_learn_decide(e, kind, same, e ? READ_ONCE(e->seen) : 0,
					e ? READ_ONCE(e->moved) : 0, jiffies,
					GENEVE_FDB_REFRESH)) {
	case GENEVE_FDB_LEARN_NOTHING:
		break;
	case GENEVE_FDB_LEARN_REFRESH:
		WRITE_ONCE(e->seen, jiffies);
		break;
	case GENEVE_FDB_LEARN_MOVE:
		geneve_fdb_learn_move(geneve, &dest, mac);
		break;
	case GENEVE_FDB_LEARN_NEW:
		geneve_fdb_learn_new(geneve, &dest, mac);
		break;
	}
}

/* ---- Lifecycle ---- */

/*
 * A device with a remote of its own has no table until an entry is added or
 * learning is switched on: most devices never need one.
 */
int geneve_fdb_init(struct geneve_dev *geneve)
{
	struct geneve_fdb *fdb = &geneve->fdb;

	INIT_LIST_HEAD(&fdb->entries);
	INIT_LIST_HEAD(&geneve->groups);
	spin_lock_init(&fdb->lock);
	INIT_DELAYED_WORK(&fdb->ageing_work, geneve_fdb_ageing_work);
	fdb->max_learnt = GENEVE_FDB_MAX_LEARNT_DEFAULT;
	fdb->ageing = GENEVE_FDB_AGEING_DEFAULT;
	/* Learning is what a device without a remote of its own is for. */
	if (!geneve_cfg_multipoint(geneve_cfg(geneve)))
		return 0;
	fdb->learning = true;
	return geneve_fdb_prepare(geneve);
}

int geneve_fdb_set_learning(struct geneve_dev *geneve, bool on)
{
	int err = on ? geneve_fdb_prepare(geneve) : 0;

	if (!err)
		smp_store_release(&geneve->fdb.learning, on);
	return err;
}

/* Once the device has its sockets: the flood list's groups are joined. */
int geneve_fdb_open(struct geneve_dev *geneve)
{
	if (READ_ONCE(geneve->fdb.count))
		geneve_fdb_ageing_kick(geneve);
	return geneve_groups_sync(geneve, true);
}

static bool geneve_fdb_match_learnt(const struct geneve_fdb_entry *e,
				    const void *arg)
{
	return e->learnt;
}

/* What was learnt is forgotten when the device stops, as by VXLAN. */
void geneve_fdb_stop(struct geneve_dev *geneve)
{
	cancel_delayed_work_sync(&geneve->fdb.ageing_work);
	geneve_fdb_flush(geneve, geneve_fdb_match_learnt, NULL, true);
	geneve_groups_sync(geneve, false);
}

/*
 * The via interface @ifindex is going away: the destinations through it go
 * (a later interface could reuse the number), an entry with no other
 * destination with them, and so do their groups.
 */
void geneve_fdb_forget_via(struct geneve_dev *geneve, int ifindex)
{
	struct geneve_fdb *fdb = &geneve->fdb;
	struct geneve_fdb_remote *r, *next_r;
	struct geneve_fdb_entry *e, *next;

	ASSERT_RTNL();
	if (!fdb->ready)
		return;
	spin_lock_bh(&fdb->lock);
	list_for_each_entry_safe(e, next, &fdb->entries, node)
		list_for_each_entry_safe(r, next_r, &e->remotes, node) {
			bool last = list_is_singular(&e->remotes);

			if (r->ifindex != ifindex)
				continue;
			geneve_fdb_drop_dest(geneve, e, r);
			if (last)
				break;	/* the entry went with it */
		}
	spin_unlock_bh(&fdb->lock);
	geneve_groups_sync(geneve, netif_running(geneve->dev));
}

/*
 * The configuration changed (under RTNL, after a grace period): what the
 * remotes cached was routed for the old one.  A reset is safe beside readers.
 */
void geneve_fdb_reset_routes(struct geneve_dev *geneve)
{
	struct geneve_fdb *fdb = &geneve->fdb;
	struct geneve_fdb_remote *r;
	struct geneve_fdb_entry *e;

	ASSERT_RTNL();
	if (!fdb->ready)
		return;
	spin_lock_bh(&fdb->lock);
	list_for_each_entry(e, &fdb->entries, node)
		list_for_each_entry(r, &e->remotes, node)
			dst_cache_reset(&r->dst_cache);
	spin_unlock_bh(&fdb->lock);
}

/* Once no packet can reach the device (ndo_uninit). */
void geneve_fdb_destroy(struct geneve_dev *geneve)
{
	cancel_delayed_work_sync(&geneve->fdb.ageing_work);
	WARN_ON_ONCE(!list_empty(&geneve->groups));	/* left when stopped */
	geneve_fdb_flush(geneve, NULL, NULL, false);
	if (geneve->fdb.ready)
		rhashtable_destroy(&geneve->fdb.table);
}
