// SPDX-License-Identifier: GPL-2.0-only
/*
 * User-space unit tests of the forwarding database rules in
 * geneve_fdb_rules.h.  Output is TAP; the exit status is non-zero when a
 * test fails.
 */
#include <stdio.h>

#include "geneve_fdb_rules.h"
#include "tap.h"

static void test_learnable(void)
{
	static const __u8 own[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	static const __u8 vm[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	static const __u8 zero[6];
	static const __u8 bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const __u8 mcast[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
	static const __u8 v6mcast[6] = { 0x33, 0x33, 0, 0, 0, 1 };

	check(geneve_fdb_learnable(vm, own), "a unicast source is learnt");
	check(!geneve_fdb_learnable(own, own), "our own address is not");
	check(!geneve_fdb_learnable(zero, own), "nor all zeros");
	check(!geneve_fdb_learnable(bcast, own) && !geneve_fdb_learnable(mcast, own) &&
	      !geneve_fdb_learnable(v6mcast, own), "nor broadcast or multicast");
}

static void test_learn_decide(void)
{
	const unsigned long hz = 250;

	check(geneve_fdb_learn_decide(false, GENEVE_FDB_DYNAMIC, false, 0, 0, 1000, hz) ==
	      GENEVE_FDB_LEARN_NEW, "an unknown source is new");
	check(geneve_fdb_learn_decide(true, GENEVE_FDB_DYNAMIC, true, 900, 0, 1000, hz) ==
	      GENEVE_FDB_LEARN_NOTHING, "a source seen within the refresh time writes nothing");
	check(geneve_fdb_learn_decide(true, GENEVE_FDB_DYNAMIC, true, 750, 0, 1000, hz) ==
	      GENEVE_FDB_LEARN_REFRESH, "one seen a refresh time ago is noted as seen");
	check(geneve_fdb_learn_decide(true, GENEVE_FDB_DYNAMIC, false, 999, 500, 1000, hz) ==
	      GENEVE_FDB_LEARN_MOVE, "a dynamic entry behind another remote moves at once");
	check(geneve_fdb_learn_decide(true, GENEVE_FDB_DYNAMIC, false, 999, 800, 1000, hz) ==
	      GENEVE_FDB_LEARN_NOTHING, "but not again within the refresh time of its last move");
	check(geneve_fdb_learn_decide(true, GENEVE_FDB_DYNAMIC, false, 999, 750, 1000, hz) ==
	      GENEVE_FDB_LEARN_MOVE, "and again once that has passed");
	check(geneve_fdb_learn_decide(true, GENEVE_FDB_STATIC, false, 0, 0, 1000, hz) ==
	      GENEVE_FDB_LEARN_NOTHING &&
	      geneve_fdb_learn_decide(true, GENEVE_FDB_EXTERNAL, false, 0, 0, 1000, hz) ==
	      GENEVE_FDB_LEARN_NOTHING, "static and external entries never move");
	check(geneve_fdb_learn_decide(true, GENEVE_FDB_DYNAMIC, true, -100UL, 0, 200, hz) ==
	      GENEVE_FDB_LEARN_REFRESH, "across the jiffies wrap");
}

static void test_kind_allowed(void)
{
	static const __u8 zero[6];
	static const __u8 vm[6] = { 0x02, 0, 0, 0, 0, 0x02 };

	check(!geneve_fdb_kind_allowed(zero, GENEVE_FDB_DYNAMIC), "the flood list is never dynamic");
	check(geneve_fdb_kind_allowed(zero, GENEVE_FDB_STATIC) &&
	      geneve_fdb_kind_allowed(zero, GENEVE_FDB_EXTERNAL), "it is static or external");
	check(geneve_fdb_kind_allowed(vm, GENEVE_FDB_DYNAMIC), "a unicast entry may be dynamic");
}

static void test_aged(void)
{
	check(geneve_fdb_aged(GENEVE_FDB_DYNAMIC, 100, 400, 300), "dynamic: aged at its time");
	check(!geneve_fdb_aged(GENEVE_FDB_DYNAMIC, 100, 399, 300), "not before");
	check(!geneve_fdb_aged(GENEVE_FDB_STATIC, 0, 100000, 300) &&
	      !geneve_fdb_aged(GENEVE_FDB_EXTERNAL, 0, 100000, 300),
	      "static and external entries never age");
	check(geneve_fdb_aged(GENEVE_FDB_DYNAMIC, -200UL, 100, 300), "across the jiffies wrap");
}

static void test_requests(void)
{
	static const __u8 zero[6];
	static const __u8 vm[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	struct geneve_fdb_request ok = {
		.mac = vm, .dst_given = true, .dst_family_ok = true,
	}, r;

	check(geneve_fdb_check_request(&ok) == GENEVE_FDB_OK, "a unicast destination is accepted");
	r = ok; r.dst_given = false;
	check(geneve_fdb_check_request(&r) == GENEVE_FDB_NO_DST, "no destination");
	r = ok; r.dst_family_ok = false;
	check(geneve_fdb_check_request(&r) == GENEVE_FDB_DST_FAMILY, "another family");
	r = ok; r.dst_any = true;
	check(geneve_fdb_check_request(&r) == GENEVE_FDB_DST_ANY, "the unspecified address");
	r = ok; r.dst_multicast = true;
	check(geneve_fdb_check_request(&r) == GENEVE_FDB_DST_MULTICAST_MAC,
	      "a group destination on a unicast MAC");
	r.mac = zero;
	check(geneve_fdb_check_request(&r) == GENEVE_FDB_OK, "a group on the all-zeros entry");
	r = ok; r.dst_link_local = true;
	check(geneve_fdb_check_request(&r) == GENEVE_FDB_DST_LINK_LOCAL, "link-local without via");
	r.via_given = true;
	check(geneve_fdb_check_request(&r) == GENEVE_FDB_OK, "link-local with via");
	r = ok; r.port_given = true;
	check(geneve_fdb_check_request(&r) == GENEVE_FDB_PORT_ZERO, "port 0");
	r.port = 6081;
	check(geneve_fdb_check_request(&r) == GENEVE_FDB_OK, "another port");
	r = ok; r.vni_given = true; r.vni = 1u << 24;
	check(geneve_fdb_check_request(&r) == GENEVE_FDB_VNI_RANGE, "VNI 2^24");
	r.vni = (1u << 24) - 1;
	check(geneve_fdb_check_request(&r) == GENEVE_FDB_OK, "VNI 2^24 - 1");
}

int main(void)
{
	printf("TAP version 13\n");
	test_learnable();
	test_learn_decide();
	test_kind_allowed();
	test_aged();
	test_requests();
	printf("1..%d\n", test_count);
	return failures ? 1 : 0;
}
