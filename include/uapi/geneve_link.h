/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * IFLA_GENEVE_* attributes newer than the 6.1 UAPI headers this module is
 * built against.  The numbers are fixed by the upstream ABI.
 */
#ifndef GENEVE_UAPI_LINK_H
#define GENEVE_UAPI_LINK_H

#include <linux/if_link.h>
#include <linux/types.h>

#define GENEVE_IFLA_PORT_RANGE	15	/* struct ifla_geneve_port_range */
#define GENEVE_IFLA_GRO_HINT	16	/* flag */
#define GENEVE_IFLA_LOCAL	17	/* __be32 */
#define GENEVE_IFLA_LOCAL6	18	/* struct in6_addr */
#define GENEVE_IFLA_MAX		GENEVE_IFLA_LOCAL6

/* UDP source ports for the flow hash: low <= port < high, as for VXLAN. */
struct geneve_ifla_port_range {
	__be16 low;
	__be16 high;
};

#endif /* GENEVE_UAPI_LINK_H */
