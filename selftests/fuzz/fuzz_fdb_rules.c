// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the forwarding database's value rules (learning, ageing,
 * request refusals), with the MACs, times and request fields taken from the
 * input.  Learning is driven by the wire, so these decide what a forged
 * frame can do; the checks are the properties the driver relies on.
 */
#include <stdint.h>
#include <string.h>

#include "geneve_fdb_rules.h"
#include "fuzz.h"

struct input {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct input *in, unsigned int bytes)
{
	uint64_t v = 0;

	while (bytes--) {
		v = v << 8 | (in->left ? *in->p : 0);
		if (in->left) {
			in->p++;
			in->left--;
		}
	}
	return v;
}

static void check_learning(struct input *in)
{
	uint8_t mac[GENEVE_FDB_ALEN], own[GENEVE_FDB_ALEN];
	unsigned long seen, moved, now, refresh, shift;
	enum geneve_fdb_learn what;
	enum geneve_fdb_kind kind;
	bool known, same;
	unsigned int i, flags;

	for (i = 0; i < GENEVE_FDB_ALEN; i++)
		mac[i] = take(in, 1);
	/* Often our own address, so that this branch is reached. */
	flags = take(in, 1);
	for (i = 0; i < GENEVE_FDB_ALEN; i++)
		own[i] = flags & 0x80 ? mac[i] : take(in, 1);
	FUZZ_ASSERT(geneve_fdb_learnable(mac, own) ==
		    (!(mac[0] & 1) && memcmp(mac, "\0\0\0\0\0\0", 6) && memcmp(mac, own, 6)));

	known = flags & 1;
	same = flags & 2;
	kind = (enum geneve_fdb_kind)((flags >> 2) % 3);
	seen = take(in, 8);
	moved = take(in, 8);
	now = take(in, 8);
	refresh = take(in, 2);		/* jiffies of a second or so, not a time */
	shift = take(in, 8);
	what = geneve_fdb_learn_decide(known, kind, same, seen, moved, now, refresh);
	FUZZ_ASSERT((what == GENEVE_FDB_LEARN_NEW) == !known);
	if (known && kind != GENEVE_FDB_DYNAMIC)
		FUZZ_ASSERT(what == GENEVE_FDB_LEARN_NOTHING);
	if (what == GENEVE_FDB_LEARN_MOVE)
		FUZZ_ASSERT(!same && kind == GENEVE_FDB_DYNAMIC && (long)(now - moved) >= (long)refresh);
	if (what == GENEVE_FDB_LEARN_REFRESH)
		FUZZ_ASSERT(same && kind == GENEVE_FDB_DYNAMIC && (long)(now - seen) >= (long)refresh);
	/* Within one refresh period of the last write, nothing is written. */
	if (known && refresh && now - seen < refresh && now - moved < refresh)
		FUZZ_ASSERT(what == GENEVE_FDB_LEARN_NOTHING);
	/* Only time differences count: the same at any jiffies wrap. */
	FUZZ_ASSERT(what == geneve_fdb_learn_decide(known, kind, same, seen + shift,
						    moved + shift, now + shift, refresh));

	FUZZ_ASSERT(geneve_fdb_aged(kind, seen, now, refresh) ==
		    (kind == GENEVE_FDB_DYNAMIC && (long)(now - seen) >= (long)refresh));
	FUZZ_ASSERT(geneve_fdb_aged(kind, seen, now, refresh) ==
		    geneve_fdb_aged(kind, seen + shift, now + shift, refresh));
	FUZZ_ASSERT(geneve_fdb_kind_allowed(mac, kind) ==
		    !(kind == GENEVE_FDB_DYNAMIC && geneve_fdb_mac_is_zero(mac)));
}

static void check_request(struct input *in)
{
	uint8_t mac[GENEVE_FDB_ALEN] = { 0 };
	struct geneve_fdb_request req = { .mac = mac };
	enum geneve_fdb_refusal why;
	unsigned int i, bits;

	bits = take(in, 2);
	if (bits & 0x8000)		/* else the flood list's all-zeros MAC */
		for (i = 0; i < GENEVE_FDB_ALEN; i++)
			mac[i] = take(in, 1);
	req.dst_given = bits & 1;
	req.dst_family_ok = bits & 2;
	req.dst_any = bits & 4;
	req.dst_multicast = bits & 8;
	req.dst_link_local = bits & 16;
	req.via_given = bits & 32;
	req.port_given = bits & 64;
	req.port = bits & 128 ? take(in, 2) : 0;
	req.vni_given = bits & 256;
	req.vni = take(in, 4);
	why = geneve_fdb_check_request(&req);
	/* Accepted exactly when nothing is wrong... */
	FUZZ_ASSERT((why == GENEVE_FDB_OK) ==
		    (req.dst_given && req.dst_family_ok && !req.dst_any &&
		     !(req.dst_multicast && !geneve_fdb_mac_is_zero(mac)) &&
		     !(req.dst_link_local && !req.via_given) &&
		     !(req.port_given && !req.port) &&
		     !(req.vni_given && req.vni >= (1u << 24))));
	/* ...and a refusal names something that is wrong. */
	switch (why) {
	case GENEVE_FDB_OK:
		break;
	case GENEVE_FDB_NO_DST:
		FUZZ_ASSERT(!req.dst_given);
		break;
	case GENEVE_FDB_DST_FAMILY:
		FUZZ_ASSERT(!req.dst_family_ok);
		break;
	case GENEVE_FDB_DST_ANY:
		FUZZ_ASSERT(req.dst_any);
		break;
	case GENEVE_FDB_DST_MULTICAST_MAC:
		FUZZ_ASSERT(req.dst_multicast && !geneve_fdb_mac_is_zero(mac));
		break;
	case GENEVE_FDB_DST_LINK_LOCAL:
		FUZZ_ASSERT(req.dst_link_local && !req.via_given);
		break;
	case GENEVE_FDB_PORT_ZERO:
		FUZZ_ASSERT(req.port_given && !req.port);
		break;
	case GENEVE_FDB_VNI_RANGE:
		FUZZ_ASSERT(req.vni_given && req.vni >= (1u << 24));
		break;
	default:
		FUZZ_ASSERT(!"a refusal the driver has no message for");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };

	if (!size)
		return 0;
	if (take(&in, 1) & 1)
		check_request(&in);
	else
		check_learning(&in);
	return 0;
}
