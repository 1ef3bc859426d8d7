// SPDX-License-Identifier: GPL-2.0-only
/*
 * The targets' oracle for geneve_opts_check(): an option walk written from
 * RFC 8926 section 3.5 alone, counting in 4-byte words rather than bytes.
 */
#include <errno.h>

#include "geneve_priv.h"
#include "fuzz.h"

int fuzz_reference_opts_flags(const unsigned char *opts, size_t len)
{
	size_t words_left = len / GENEVE_OPT_UNIT, words;
	int critical = 0;

	if (len % GENEVE_OPT_UNIT || words_left > 0x3f)
		return -EINVAL;
	for (; words_left; words_left -= words, opts += words * GENEVE_OPT_UNIT) {
		words = 1 + (opts[3] & 0x1f);	/* the option header, then its data */
		if (words > words_left)
			return -EINVAL;
		if (opts[2] & 0x80)
			critical = 1;
	}
	return critical ? GENEVE_FLAG_CRITICAL : 0;
}
