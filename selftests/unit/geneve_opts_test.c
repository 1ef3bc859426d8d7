// SPDX-License-Identifier: GPL-2.0-only
/*
 * User-space unit tests for the pure header code in geneve_opts.c.
 * Output is TAP; the exit status is non-zero when a test fails.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "geneve_priv.h"
#include "tap.h"

/* Every VNI boundary, flag combination and option length survives a round trip. */
static void test_round_trip(void)
{
	static const __u32 vnis[] = { 0, 1, 42, 0xabcdef, GENEVE_VNI_COUNT - 1 };
	static const __u8 flag_sets[] = {
		0, GENEVE_FLAG_OAM, GENEVE_FLAG_CRITICAL,
		GENEVE_FLAG_OAM | GENEVE_FLAG_CRITICAL,
	};
	struct geneve_hdr_fields f;
	unsigned int v, fl, words;
	int all_ok = 1;
	__u8 hdr[GENEVE_HDR_LEN];

	for (v = 0; v < sizeof(vnis) / sizeof(vnis[0]); v++)
		for (fl = 0; fl < sizeof(flag_sets); fl++)
			for (words = 0; words <= GENEVE_MAX_OPTS_LEN / GENEVE_OPT_UNIT; words++) {
				geneve_hdr_build(hdr, vnis[v], 0x6558,
						 words * GENEVE_OPT_UNIT, flag_sets[fl]);
				if (geneve_hdr_parse(hdr, sizeof(hdr), &f) != GENEVE_HDR_OK ||
				    f.vni != vnis[v] || f.protocol != 0x6558 ||
				    f.opts_len != words * GENEVE_OPT_UNIT ||
				    f.flags != flag_sets[fl])
					all_ok = 0;
			}
	check(all_ok, "build/parse round trip over VNI, flags and option length");
}

/* The exact bytes RFC 8926 lays out, for one known header. */
static void test_wire_bytes(void)
{
	static const __u8 want[GENEVE_HDR_LEN] = {
		0x02, 0x40, 0x65, 0x58, 0x12, 0x34, 0x56, 0x00,
	};
	__u8 hdr[GENEVE_HDR_LEN];

	memset(hdr, 0xff, sizeof(hdr));
	geneve_hdr_build(hdr, 0x123456, 0x6558, 8, GENEVE_FLAG_CRITICAL);
	check(!memcmp(hdr, want, sizeof(want)),
	      "header bytes: version 0, opt len 2 words, C set, TEB, VNI, reserved 0");
}

static void test_build_clears_reserved(void)
{
	__u8 hdr[GENEVE_HDR_LEN];

	memset(hdr, 0xff, sizeof(hdr));
	geneve_hdr_build(hdr, 7, 0x0800, 0, 0xff);
	check((hdr[1] & 0x3f) == 0 && hdr[7] == 0,
	      "build never sets reserved bits, even given stray flags");
}

static void test_short(void)
{
	__u8 hdr[GENEVE_HDR_LEN] = { 0 };
	struct geneve_hdr_fields f;
	unsigned int len;
	int all_short = 1;

	for (len = 0; len < GENEVE_HDR_LEN; len++)
		if (geneve_hdr_parse(hdr, len, &f) != GENEVE_HDR_SHORT)
			all_short = 0;
	check(all_short, "fewer than 8 bytes is refused as short");
}

static void test_versions(void)
{
	__u8 hdr[GENEVE_HDR_LEN] = { 0 };
	struct geneve_hdr_fields f;
	unsigned int ver;
	int all_bad = 1;

	for (ver = 1; ver < 4; ver++) {
		hdr[0] = ver << 6;
		if (geneve_hdr_parse(hdr, sizeof(hdr), &f) != GENEVE_HDR_BAD_VERSION)
			all_bad = 0;
	}
	check(all_bad, "versions 1, 2 and 3 are refused");
}

static void test_reserved_ignored(void)
{
	static const __u8 hdr[GENEVE_HDR_LEN] = {
		0x00, 0x3f, 0x65, 0x58, 0x00, 0x00, 0x2a, 0xff,
	};
	struct geneve_hdr_fields f;

	check(geneve_hdr_parse(hdr, sizeof(hdr), &f) == GENEVE_HDR_OK &&
	      f.flags == 0 && f.vni == 42,
	      "reserved bits are ignored on receipt");
}

static void test_opts_walk(void)
{
	/* Two options: 4 bytes of data, then a critical one with none. */
	static const __u8 good[] = {
		0x01, 0x02, 0x03, 0x01, 0xde, 0xad, 0xbe, 0xef,
		0xff, 0xff, 0x80, 0x00,
	};
	static const __u8 past_end[] = { 0x01, 0x02, 0x03, 0x02, 0, 0, 0, 0 };
	int ok;

	ok = geneve_opts_check(good, sizeof(good)) == GENEVE_FLAG_CRITICAL;
	ok &= geneve_opts_check(good, 8) == 0;
	ok &= geneve_opts_check(good, 0) == 0;
	check(ok, "options: lengths walked, critical type bit found");

	ok = geneve_opts_check(past_end, sizeof(past_end)) == -EINVAL;
	ok &= geneve_opts_check(good, 6) == -EINVAL;
	ok &= geneve_opts_check(good, GENEVE_MAX_OPTS_LEN + 4) == -EINVAL;
	check(ok, "options: one running past the area, or a ragged area, is refused");
}

/* Every 1- and 2-option area of every length: never a read past the end. */
static void test_opts_exhaustive(void)
{
	__u8 buf[GENEVE_MAX_OPTS_LEN];
	unsigned int len, l1, l2;
	int ok = 1;

	for (len = 0; len <= sizeof(buf); len += GENEVE_OPT_UNIT)
		for (l1 = 0; l1 < 32; l1++)
			for (l2 = 0; l2 < 32; l2++) {
				unsigned int first = 4 + l1 * 4, second = 4 + l2 * 4;
				int want = (len == 0 || len == first ||
					    len == first + second) ? 0 : -EINVAL;

				memset(buf, 0, sizeof(buf));
				buf[3] = l1;
				if (first + 4 <= sizeof(buf))
					buf[first + 3] = l2;
				/* A valid area must end exactly on an option boundary. */
				if (len > first + second && len - first - second >= 4)
					continue;
				if (geneve_opts_check(buf, len) != want)
					ok = 0;
			}
	check(ok, "options: exhaustive lengths agree with a reference walk");
}

int main(void)
{
	printf("TAP version 13\n1..9\n");
	test_round_trip();
	test_wire_bytes();
	test_build_clears_reserved();
	test_short();
	test_versions();
	test_reserved_ignored();
	test_opts_walk();
	test_opts_exhaustive();
	return failures ? 1 : 0;
}
