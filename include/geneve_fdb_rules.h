/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The rules of the forwarding database that depend on nothing but values:
 * which requests are refused, what learning does with a source it sees,
 * when a learnt entry has aged.  UAPI types only, so that the unit tests
 * build them in user space.
 */
#ifndef GENEVE_FDB_RULES_H
#define GENEVE_FDB_RULES_H

#include <linux/types.h>
#ifndef __KERNEL__
#include <stdbool.h>
#endif

#define GENEVE_FDB_ALEN		6

/* What an entry is, for learning and ageing. */
enum geneve_fdb_kind {
	GENEVE_FDB_DYNAMIC,		/* learnt, or added as dynamic: ages, may move */
	GENEVE_FDB_STATIC,		/* permanent or static: stays where it was put */
	GENEVE_FDB_EXTERNAL,		/* a control plane's (extern_learn): as given */
};

static inline bool geneve_fdb_mac_is_zero(const __u8 *mac)
{
	return !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);
}

static inline bool geneve_fdb_mac_is_group(const __u8 *mac)
{
	return mac[0] & 0x01;		/* multicast, broadcast included */
}

static inline bool geneve_fdb_mac_equal(const __u8 *a, const __u8 *b)
{
	int i;

	for (i = 0; i < GENEVE_FDB_ALEN; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* A received frame's source teaches nothing if it is a group, zero or ours. */
static inline bool geneve_fdb_learnable(const __u8 *mac, const __u8 *own)
{
	return !geneve_fdb_mac_is_group(mac) && !geneve_fdb_mac_is_zero(mac) &&
	       !geneve_fdb_mac_equal(mac, own);
}

enum geneve_fdb_learn {
	GENEVE_FDB_LEARN_NOTHING,	/* known there, seen recently enough */
	GENEVE_FDB_LEARN_REFRESH,	/* known there: note that it was seen */
	GENEVE_FDB_LEARN_MOVE,		/* a dynamic entry behind another remote */
	GENEVE_FDB_LEARN_NEW,
};

/*
 * What a frame from a known or unknown source does to the table.  A known
 * source is noted as seen at most once per @refresh jiffies, so that a busy
 * flow does not write the entry for every packet.  Only dynamic entries move
 * (roaming), and at most once per @refresh since the last move (@moved), so
 * that a source forged from two hosts cannot make the table churn at line
 * rate; static and external ones never learn.
 */
static inline enum geneve_fdb_learn
geneve_fdb_learn_decide(bool known, enum geneve_fdb_kind kind,
			bool same_remote, unsigned long seen, unsigned long moved,
			unsigned long now, unsigned long refresh)
{
	if (!known)
		return GENEVE_FDB_LEARN_NEW;
	if (kind != GENEVE_FDB_DYNAMIC)
		return GENEVE_FDB_LEARN_NOTHING;
	if (!same_remote)
		return (long)(now - moved) >= (long)refresh ? GENEVE_FDB_LEARN_MOVE :
							      GENEVE_FDB_LEARN_NOTHING;
	if ((long)(now - seen) >= (long)refresh)
		return GENEVE_FDB_LEARN_REFRESH;
	return GENEVE_FDB_LEARN_NOTHING;
}

/*
 * The all-zeros entry (the flood list) never ages: nothing is ever received
 * from it, and the memberships of its groups live as long as it does.
 */
static inline bool geneve_fdb_kind_allowed(const __u8 *mac, enum geneve_fdb_kind kind)
{
	return !(geneve_fdb_mac_is_zero(mac) && kind == GENEVE_FDB_DYNAMIC);
}

/* A dynamic entry ages once it has not been seen for @ageing jiffies. */
static inline bool geneve_fdb_aged(enum geneve_fdb_kind kind,
				   unsigned long seen, unsigned long now,
				   unsigned long ageing)
{
	return kind == GENEVE_FDB_DYNAMIC && (long)(now - seen) >= (long)ageing;
}

/* A request to add a destination, decoded; the checks are on these alone. */
struct geneve_fdb_request {
	const __u8 *mac;
	bool dst_given;
	bool dst_family_ok;		/* same family as the device's underlay */
	bool dst_any;			/* 0.0.0.0 or :: */
	bool dst_multicast;
	bool dst_link_local;		/* IPv6 fe80::/10 */
	bool via_given;
	bool port_given;
	__u16 port;
	bool vni_given;
	__u32 vni;
};

/* Why a request is refused; 0: it is not. */
enum geneve_fdb_refusal {
	GENEVE_FDB_OK = 0,
	GENEVE_FDB_NO_DST,
	GENEVE_FDB_DST_FAMILY,
	GENEVE_FDB_DST_ANY,
	GENEVE_FDB_DST_MULTICAST_MAC,	/* a group destination on a unicast MAC */
	GENEVE_FDB_DST_LINK_LOCAL,	/* without a via interface */
	GENEVE_FDB_PORT_ZERO,
	GENEVE_FDB_VNI_RANGE,
};

static inline enum geneve_fdb_refusal
geneve_fdb_check_request(const struct geneve_fdb_request *req)
{
	if (!req->dst_given)
		return GENEVE_FDB_NO_DST;
	if (!req->dst_family_ok)
		return GENEVE_FDB_DST_FAMILY;
	if (req->dst_any)
		return GENEVE_FDB_DST_ANY;
	if (req->dst_multicast && !geneve_fdb_mac_is_zero(req->mac))
		return GENEVE_FDB_DST_MULTICAST_MAC;
	if (req->dst_link_local && !req->via_given)
		return GENEVE_FDB_DST_LINK_LOCAL;
	if (req->port_given && !req->port)
		return GENEVE_FDB_PORT_ZERO;
	if (req->vni_given && req->vni >= (1u << 24))
		return GENEVE_FDB_VNI_RANGE;
	return GENEVE_FDB_OK;
}

#endif /* GENEVE_FDB_RULES_H */
