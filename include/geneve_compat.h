/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel APIs that differ between the kernels this module builds for,
 * Debian 12's 6.1 and 6.12.  The sources are written against the newer
 * API; each shim here gives it to the older kernel, keyed on a feature
 * test where the kernel has one, else on the release that changed it.
 */
#ifndef GENEVE_COMPAT_H
#define GENEVE_COMPAT_H

#include <linux/netdevice.h>
#include <linux/version.h>

/* 6.12 turned the NETIF_F_LLTX feature into the dev->lltx flag. */
static inline void geneve_set_lltx(struct net_device *dev)
{
#ifdef NETIF_F_LLTX
	dev->features |= NETIF_F_LLTX;
#else
	dev->lltx = true;
#endif
}

#endif /* GENEVE_COMPAT_H */
