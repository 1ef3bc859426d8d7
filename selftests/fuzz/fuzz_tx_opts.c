// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the options a tc, BPF or Open vSwitch sender attaches to
 * an external device's packet (any length an ip_tunnel_info can hold, 0 to
 * 255 bytes), which transmit checks before it puts them on the wire.  Each
 * input is the options area itself, in a buffer of exactly its size.
 */
#include <stdint.h>

#include "geneve_priv.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int got;

	if (size > 255)
		return -1;		/* more than options_len can say: not an input */
	got = geneve_opts_check(data, size);
	FUZZ_ASSERT(got == fuzz_reference_opts_flags(data, size));
	/* What passes must fit the header's 6-bit length. */
	FUZZ_ASSERT(got < 0 || size <= GENEVE_MAX_OPTS_LEN);
	return 0;
}
