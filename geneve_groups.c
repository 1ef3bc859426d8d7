// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multicast underlay groups: a flood list destination that is a group
 * makes the device's socket join it (IGMP/MLD) while the device is up, so
 * that the socket receives what the other hosts send to the group.  Joins
 * are counted per (socket, group, interface): devices sharing a socket share
 * its memberships, and the socket leaves when the last of them goes.
 * Everything here runs under RTNL.
 */
#include <linux/igmp.h>
#include <net/ipv6_stubs.h>
#include <net/sock.h>

#include "geneve_priv.h"

struct geneve_group {
	struct list_head node;		/* geneve_sock.groups */
	union geneve_addr addr;
	int ifindex;			/* the interface joined on */
	unsigned int users;
};

static struct geneve_group *geneve_group_find(struct geneve_sock *gs,
					      const union geneve_addr *addr,
					      int ifindex)
{
	struct geneve_group *g;

	list_for_each_entry(g, &gs->groups, node)
		if (g->ifindex == ifindex &&
		    geneve_addr_equal(gs->af == GENEVE_AF_INET6, &g->addr, addr))
			return g;
	return NULL;
}

/*
 * The interface a destination without via joins on: the one the route to
 * the group leaves by now, as the socket options would pick it.  Kept, so
 * that the leave is on the same interface whatever the routes do meanwhile.
 */
static int geneve_group_ifindex(struct geneve_sock *gs,
				const union geneve_addr *addr, int via)
{
	struct sock *sk = gs->sock->sk;
	struct net *net = sock_net(sk);
	struct dst_entry *dst;
	int ifindex;

	if (via)
		return via;
	if (gs->af == GENEVE_AF_INET6) {
		struct flowi6 fl6 = { .daddr = addr->v6 };

		dst = ipv6_stub->ipv6_dst_lookup_flow(net, sk, &fl6, NULL);
		if (IS_ERR(dst))
			return PTR_ERR(dst);
	} else {
		struct flowi4 fl4 = { .daddr = addr->v4 };
		struct rtable *rt = ip_route_output_key(net, &fl4);

		if (IS_ERR(rt))
			return PTR_ERR(rt);
		dst = &rt->dst;
	}
	ifindex = dst->dev->ifindex;
	dst_release(dst);
	return ifindex;
}

static int geneve_group_socket_op(struct geneve_sock *gs, bool join,
				  const union geneve_addr *addr, int ifindex)
{
	struct sock *sk = gs->sock->sk;
	struct ip_mreqn mreq = {
		.imr_multiaddr.s_addr = addr->v4,
		.imr_ifindex = ifindex,
	};
	int err;

	lock_sock(sk);
	if (gs->af == GENEVE_AF_INET6)
		err = join ? ipv6_stub->ipv6_sock_mc_join(sk, ifindex, &addr->v6) :
			     ipv6_stub->ipv6_sock_mc_drop(sk, ifindex, &addr->v6);
	else
		err = join ? ip_mc_join_group(sk, &mreq) :
			     ip_mc_leave_group(sk, &mreq);
	release_sock(sk);
	return err;
}

/* Joins @addr on interface @ifindex (never 0), or counts one more user. */
static int geneve_group_join(struct geneve_sock *gs, const union geneve_addr *addr,
			     int ifindex)
{
	struct geneve_group *g;
	int err;

	ASSERT_RTNL();
	g = geneve_group_find(gs, addr, ifindex);
	if (g) {
		g->users++;
		return 0;
	}
	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return -ENOMEM;
	err = geneve_group_socket_op(gs, true, addr, ifindex);
	if (err) {
		kfree(g);
		return err;
	}
	g->addr = *addr;
	g->ifindex = ifindex;
	g->users = 1;
	list_add(&g->node, &gs->groups);
	return 0;
}

/*
 * The socket leaves with its last user.  An interface that went away took
 * the kernel's membership with it: the leave then fails, which is as good.
 */
static void geneve_group_leave(struct geneve_sock *gs, const union geneve_addr *addr,
			       int ifindex)
{
	struct geneve_group *g;

	ASSERT_RTNL();
	g = geneve_group_find(gs, addr, ifindex);
	if (WARN_ON_ONCE(!g) || --g->users)
		return;
	geneve_group_socket_op(gs, false, addr, ifindex);
	list_del(&g->node);
	kfree(g);
}

/* The socket of the device's underlay family, when it is open. */
static struct geneve_sock *geneve_groups_sock(struct geneve_dev *geneve)
{
	bool ipv6 = geneve_cfg(geneve)->family == AF_INET6;

	return rtnl_dereference(geneve->sock[ipv6 ? GENEVE_AF_INET6 : GENEVE_AF_INET]);
}

/*
 * A membership of @r's group on @gs, taken into @h (h->gs NULL: none).  The
 * destination's via (0: the route decides) stays in h->via; h->ifindex is
 * the interface joined on.
 */
static int geneve_group_hold(struct geneve_sock *gs, const struct geneve_fdb_remote *r,
			     struct geneve_held_group *h)
{
	int ifindex = geneve_group_ifindex(gs, &r->ip, r->ifindex);
	int err;

	if (ifindex < 0)
		return ifindex;
	err = geneve_group_join(gs, &r->ip, ifindex);
	if (err)
		return err;
	h->gs = gs;
	h->addr = r->ip;
	h->via = r->ifindex;
	h->ifindex = ifindex;
	return 0;
}

void geneve_group_release(struct geneve_held_group *h)
{
	if (h->gs)
		geneve_group_leave(h->gs, &h->addr, h->ifindex);
	h->gs = NULL;
}

/*
 * For a request that adds @r: its group joined before the table changes,
 * so that a group that cannot be joined changes nothing.  A device that is
 * down joins nothing now; it tries when it opens.
 */
int geneve_group_hold_new(struct geneve_dev *geneve, const struct geneve_fdb_remote *r,
			  struct geneve_held_group *h)
{
	struct geneve_sock *gs = geneve_groups_sock(geneve);

	h->gs = NULL;
	if (!r->group || !gs || !netif_running(geneve->dev))
		return 0;
	return geneve_group_hold(gs, r, h);
}

static bool geneve_groups_wanted(const struct geneve_fdb_entry *flood,
				 bool ipv6, const struct geneve_held_group *h)
{
	const struct geneve_fdb_remote *r;

	if (!flood)
		return false;
	list_for_each_entry(r, &flood->remotes, node)
		if (r->group && r->ifindex == h->via &&
		    geneve_addr_equal(ipv6, &r->ip, &h->addr))
			return true;
	return false;
}

static struct geneve_held_group *geneve_groups_held(struct geneve_dev *geneve,
						    const struct geneve_fdb_remote *r)
{
	bool ipv6 = geneve_cfg(geneve)->family == AF_INET6;
	struct geneve_held_group *h;

	list_for_each_entry(h, &geneve->groups, node)
		if (h->via == r->ifindex && geneve_addr_equal(ipv6, &h->addr, &r->ip))
			return h;
	return NULL;
}

/*
 * Makes the device's memberships those its flood list names if it is @up,
 * none otherwise.  On a failed join the memberships held stay those that
 * geneve->groups lists, and the error is returned.  The flood list changes
 * only under RTNL, as this runs: it is never dynamic, so ageing leaves it.
 */
int geneve_groups_sync(struct geneve_dev *geneve, bool up)
{
	bool ipv6 = geneve_cfg(geneve)->family == AF_INET6;
	struct geneve_sock *gs = geneve_groups_sock(geneve);
	struct geneve_fdb_entry *flood = NULL;
	struct geneve_held_group *h, *next;
	const struct geneve_fdb_remote *r;
	int err;

	ASSERT_RTNL();
	if (gs && up && geneve->fdb.ready)
		flood = geneve_fdb_flood_entry(&geneve->fdb);

	list_for_each_entry_safe(h, next, &geneve->groups, node) {
		if (geneve_groups_wanted(flood, ipv6, h))
			continue;
		geneve_group_release(h);
		list_del(&h->node);
		kfree(h);
	}
	if (!flood)
		return 0;
	list_for_each_entry(r, &flood->remotes, node) {
		if (!r->group || geneve_groups_held(geneve, r))
			continue;
		h = kzalloc(sizeof(*h), GFP_KERNEL);
		if (!h)
			return -ENOMEM;
		err = geneve_group_hold(gs, r, h);
		if (err) {
			kfree(h);
			return err;
		}
		list_add(&h->node, &geneve->groups);
	}
	return 0;
}
