// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: a UDP payload as the receive path sees it.  Decodes the
 * base header, then (when the datagram holds them) walks the options as an
 * external device does, each in a buffer of exactly its size so that
 * AddressSanitizer catches a read past it.  Beyond "no crash", it checks
 * what must hold of any input: refusals only for the stated reasons, a
 * header rebuilt from the decoded fields equals the received one but for
 * the reserved bits, and the option walk agrees with a reference walk.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "geneve_priv.h"
#include "fuzz.h"

static void check_options(const uint8_t *data, size_t size, unsigned int opts_len)
{
	uint8_t *opts;
	int got;

	if (GENEVE_HDR_LEN + (size_t)opts_len > size)
		return;			/* truncated: the skb pull refuses it first */
	opts = malloc(opts_len ? opts_len : 1);
	FUZZ_ASSERT(opts);
	memcpy(opts, data + GENEVE_HDR_LEN, opts_len);
	got = geneve_opts_check(opts, opts_len);
	FUZZ_ASSERT(got == fuzz_reference_opts_flags(opts, opts_len));
	free(opts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct geneve_hdr_fields f, again;
	enum geneve_hdr_error err;
	uint8_t rebuilt[GENEVE_HDR_LEN];

	memset(&f, 0xa5, sizeof(f));
	err = geneve_hdr_parse(data, size, &f);
	if (size < GENEVE_HDR_LEN) {
		FUZZ_ASSERT(err == GENEVE_HDR_SHORT);
		return 0;
	}
	if (data[0] >> 6) {
		FUZZ_ASSERT(err == GENEVE_HDR_BAD_VERSION);
		return 0;
	}
	FUZZ_ASSERT(err == GENEVE_HDR_OK);
	FUZZ_ASSERT(f.opts_len <= GENEVE_MAX_OPTS_LEN && f.opts_len % GENEVE_OPT_UNIT == 0);
	FUZZ_ASSERT(f.vni < GENEVE_VNI_COUNT);

	geneve_hdr_build(rebuilt, f.vni, f.protocol, f.opts_len, f.flags);
	FUZZ_ASSERT(rebuilt[0] == data[0] && rebuilt[1] == (data[1] & 0xc0) &&
		    !memcmp(rebuilt + 2, data + 2, 5) && rebuilt[7] == 0);
	FUZZ_ASSERT(geneve_hdr_parse(rebuilt, sizeof(rebuilt), &again) == GENEVE_HDR_OK);
	FUZZ_ASSERT(again.vni == f.vni && again.protocol == f.protocol &&
		    again.opts_len == f.opts_len && again.flags == f.flags);

	check_options(data, size, f.opts_len);
	return 0;
}
