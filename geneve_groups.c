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
	int ifindex;			/* 0: the route to the group decides */
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

int geneve_group_join(struct geneve_sock *gs, const union geneve_addr *addr,
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
void geneve_group_leave(struct geneve_sock *gs, const union geneve_addr *addr,
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

/* A group a device holds a membership of, on its socket then. */
struct geneve_held_group {
	struct list_head node;		/* geneve_dev.groups */
	struct geneve_sock *gs;
	union geneve_addr addr;
	int ifindex;
};

static bool geneve_groups_wanted(const struct geneve_fdb_entry *flood,
				 bool ipv6, const struct geneve_held_group *h)
{
	const struct geneve_fdb_remote *r;

	if (!flood)
		return false;
	list_for_each_entry(r, &flood->remotes, node)
		if (r->group && r->ifindex == h->ifindex &&
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
		if (h->ifindex == r->ifindex && geneve_addr_equal(ipv6, &h->addr, &r->ip))
			return h;
	return NULL;
}

/*
 * Makes the device's memberships those its flood list names if it is @up,
 * none otherwise.  On a failed join the memberships held stay those that
 * geneve->groups lists, and the error is returned.
 */
int geneve_groups_sync(struct geneve_dev *geneve, bool up)
{
	const struct geneve_cfg *cfg = geneve_cfg(geneve);
	bool ipv6 = cfg->family == AF_INET6;
	struct geneve_fdb_entry *flood = NULL;
	struct geneve_held_group *h, *next;
	const struct geneve_fdb_remote *r;
	struct geneve_sock *gs;
	int err;

	ASSERT_RTNL();
	gs = rtnl_dereference(geneve->sock[ipv6 ? GENEVE_AF_INET6 : GENEVE_AF_INET]);
	if (gs && up && geneve->fdb.ready)
		flood = geneve_fdb_flood_entry(&geneve->fdb);

	list_for_each_entry_safe(h, next, &geneve->groups, node) {
		if (geneve_groups_wanted(flood, ipv6, h))
			continue;
		geneve_group_leave(h->gs, &h->addr, h->ifindex);
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
		err = geneve_group_join(gs, &r->ip, r->ifindex);
		if (err) {
			kfree(h);
			return err;
		}
		h->gs = gs;
		h->addr = r->ip;
		h->ifindex = r->ifindex;
		list_add(&h->node, &geneve->groups);
	}
	return 0;
}
