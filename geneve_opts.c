// SPDX-License-Identifier: GPL-2.0-only
/*
 * Geneve option (TLV) checks (RFC 8926 section 3.5); the base header's
 * build and parse are inline in geneve_priv.h.
 *
 * Pure functions over byte buffers: no skb, no netdev, so this file is also
 * compiled in user space by the unit tests.
 */
#include <linux/errno.h>

#include "geneve_priv.h"

/*
 * Walks the options area: each option is a 4-byte header (class: 16 bits;
 * type: 8 bits, the top one marking a critical option; 3 reserved bits;
 * length: 5 bits counting 4-byte words of data) followed by its data.
 * Returns -EINVAL when an option runs past @len; otherwise the header flags
 * the options call for: GENEVE_FLAG_CRITICAL if any of them is critical.
 */
int geneve_opts_check(const __u8 *opts, unsigned int len)
{
	unsigned int off = 0, opt_len;
	int flags = 0;

	if (len % GENEVE_OPT_UNIT || len > GENEVE_MAX_OPTS_LEN)
		return -EINVAL;
	while (off < len) {
		opt_len = GENEVE_OPT_HDR_LEN +
			  (opts[off + 3] & 0x1f) * GENEVE_OPT_UNIT;
		if (opt_len > len - off)
			return -EINVAL;
		if (opts[off + 2] & GENEVE_OPT_TYPE_CRITICAL)
			flags |= GENEVE_FLAG_CRITICAL;
		off += opt_len;
	}
	return flags;
}
