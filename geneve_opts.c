// SPDX-License-Identifier: GPL-2.0-only
/*
 * Geneve header encoding and decoding (RFC 8926 section 3.4).
 *
 * Pure functions over byte buffers: no skb, no netdev, so this file is also
 * compiled in user space by the unit tests and the fuzzer.
 *
 *  byte 0: Ver (2 bits) | Opt Len (6 bits, in 4-byte words)
 *  byte 1: O | C | reserved (6 bits)
 *  bytes 2-3: protocol type
 *  bytes 4-6: VNI, byte 7: reserved
 */
#include <linux/errno.h>

#include "geneve_priv.h"

void geneve_hdr_build(__u8 *hdr, __u32 vni, __u16 protocol,
		      unsigned int opts_len, __u8 flags)
{
	hdr[0] = (GENEVE_VERSION << 6) | ((opts_len / GENEVE_OPT_UNIT) & 0x3f);
	hdr[1] = flags & (GENEVE_FLAG_OAM | GENEVE_FLAG_CRITICAL);
	hdr[2] = protocol >> 8;
	hdr[3] = protocol & 0xff;
	hdr[4] = (vni >> 16) & 0xff;
	hdr[5] = (vni >> 8) & 0xff;
	hdr[6] = vni & 0xff;
	hdr[7] = 0;
}

/*
 * Reserved bits are ignored on receipt, as the RFC asks; only the version
 * decides whether the rest of the header can be understood at all.
 */
enum geneve_hdr_error geneve_hdr_parse(const __u8 *hdr, unsigned int len,
				       struct geneve_hdr_fields *fields)
{
	if (len < GENEVE_HDR_LEN)
		return GENEVE_HDR_SHORT;
	if ((hdr[0] >> 6) != GENEVE_VERSION)
		return GENEVE_HDR_BAD_VERSION;

	fields->opts_len = (hdr[0] & 0x3f) * GENEVE_OPT_UNIT;
	fields->flags = hdr[1] & (GENEVE_FLAG_OAM | GENEVE_FLAG_CRITICAL);
	fields->protocol = (__u16)(hdr[2] << 8 | hdr[3]);
	fields->vni = (__u32)hdr[4] << 16 | (__u32)hdr[5] << 8 | hdr[6];
	return GENEVE_HDR_OK;
}

/*
 * Walks the options area: each option is a 4-byte header (class: 16 bits;
 * type: 8 bits, the top one marking a critical option; 3 reserved bits;
 * length: 5 bits counting 4-byte words of data) followed by its data.
 * Returns -EINVAL when an option runs past @len; otherwise 0, with
 * GENEVE_FLAG_CRITICAL in *@flags if any option is critical.
 */
int geneve_opts_check(const __u8 *opts, unsigned int len, __u8 *flags)
{
	unsigned int off = 0, opt_len;

	*flags = 0;
	if (len % GENEVE_OPT_UNIT || len > GENEVE_MAX_OPTS_LEN)
		return -EINVAL;
	while (off < len) {
		opt_len = GENEVE_OPT_HDR_LEN +
			  (opts[off + 3] & 0x1f) * GENEVE_OPT_UNIT;
		if (opt_len > len - off)
			return -EINVAL;
		if (opts[off + 2] & GENEVE_OPT_TYPE_CRITICAL)
			*flags |= GENEVE_FLAG_CRITICAL;
		off += opt_len;
	}
	return 0;
}
