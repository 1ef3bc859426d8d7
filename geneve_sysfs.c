// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/class/net/DEV/geneve/: the forwarding database knobs that stock
 * iproute2 has no keywords for, without taking IFLA_GENEVE_* numbers that
 * upstream may assign.
 *
 *   fdb_learning    1: learn sources from received frames (default: on for
 *                   a device without a remote of its own)
 *   fdb_ageing      seconds a learnt entry lives without being seen (300)
 *   fdb_max_learnt  learnt entries a device holds at most (4096)
 *   fdb_learnt      learnt entries now (read only)
 *   fdb_entries     entries now, learnt or not (read only)
 *
 * They appear with the device's forwarding database (a multipoint device's
 * from creation, another's with its first entry), so that the thousands of
 * point-to-point devices a host may have pay no sysfs nodes for them.
 */
#include <linux/kstrtox.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/sysfs.h>

#include "geneve_priv.h"

/* A day: longer does not make sense for a cache of where hosts are. */
#define GENEVE_FDB_AGEING_MAX	(24 * 3600)

static struct geneve_dev *geneve_of(struct device *d)
{
	return netdev_priv(to_net_dev(d));
}

static ssize_t fdb_learning_show(struct device *d, struct device_attribute *attr,
				 char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(geneve_of(d)->fdb.learning));
}

static ssize_t fdb_ageing_show(struct device *d, struct device_attribute *attr,
			       char *buf)
{
	return sysfs_emit(buf, "%lu\n", READ_ONCE(geneve_of(d)->fdb.ageing) / HZ);
}

static ssize_t fdb_max_learnt_show(struct device *d,
				   struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(geneve_of(d)->fdb.max_learnt));
}

static ssize_t fdb_learnt_show(struct device *d, struct device_attribute *attr,
			       char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(geneve_of(d)->fdb.learnt));
}

static ssize_t fdb_entries_show(struct device *d, struct device_attribute *attr,
				char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(geneve_of(d)->fdb.count));
}

/*
 * Parses @buf as a number in [@min, @max] and applies it to the device under
 * RTNL (an external device has no forwarding database, so no knobs either),
 * for a writer with CAP_NET_ADMIN in the namespace of the device's socket.
 */
static ssize_t geneve_sysfs_store(struct device *d, const char *buf,
				  size_t len, unsigned int min, unsigned int max,
				  int (*apply)(struct geneve_dev *geneve,
					       unsigned int value))
{
	struct geneve_dev *geneve = geneve_of(d);
	unsigned int value;
	int err;

	err = kstrtouint(buf, 0, &value);
	if (err)
		return err;
	if (value < min || value > max)
		return -ERANGE;
	/* As for netlink: the knobs shape what the socket's namespace sends. */
	if (!rtnl_dev_link_net_capable(geneve->dev, geneve->net))
		return -EPERM;
	if (!rtnl_trylock())
		return restart_syscall();
	err = apply(geneve, value);
	rtnl_unlock();
	return err ?: len;
}

static int geneve_apply_learning(struct geneve_dev *geneve, unsigned int on)
{
	return geneve_fdb_set_learning(geneve, on);
}

static int geneve_apply_ageing(struct geneve_dev *geneve, unsigned int secs)
{
	geneve_fdb_set_ageing(geneve, secs * HZ);
	return 0;
}

static int geneve_apply_max_learnt(struct geneve_dev *geneve, unsigned int max)
{
	WRITE_ONCE(geneve->fdb.max_learnt, max);
	return 0;
}

static ssize_t fdb_learning_store(struct device *d, struct device_attribute *attr,
				  const char *buf, size_t len)
{
	return geneve_sysfs_store(d, buf, len, 0, 1, geneve_apply_learning);
}

static ssize_t fdb_ageing_store(struct device *d, struct device_attribute *attr,
				const char *buf, size_t len)
{
	return geneve_sysfs_store(d, buf, len, 1, GENEVE_FDB_AGEING_MAX,
				  geneve_apply_ageing);
}

static ssize_t fdb_max_learnt_store(struct device *d,
				    struct device_attribute *attr,
				    const char *buf, size_t len)
{
	return geneve_sysfs_store(d, buf, len, 0, INT_MAX, geneve_apply_max_learnt);
}

static DEVICE_ATTR_RW(fdb_learning);
static DEVICE_ATTR_RW(fdb_ageing);
static DEVICE_ATTR_RW(fdb_max_learnt);
static DEVICE_ATTR_RO(fdb_learnt);
static DEVICE_ATTR_RO(fdb_entries);

static struct attribute *geneve_sysfs_attrs[] = {
	&dev_attr_fdb_learning.attr,
	&dev_attr_fdb_ageing.attr,
	&dev_attr_fdb_max_learnt.attr,
	&dev_attr_fdb_learnt.attr,
	&dev_attr_fdb_entries.attr,
	NULL,
};

static const struct attribute_group geneve_sysfs_group = {
	.name = "geneve",
	.attrs = geneve_sysfs_attrs,
};

/*
 * Before registration the core creates the group with the device; after it,
 * the group is added to the device's directory, which takes it along when
 * the device goes.
 */
int geneve_sysfs_add(struct net_device *dev)
{
	ASSERT_RTNL();
	if (dev->reg_state == NETREG_UNINITIALIZED) {
		dev->sysfs_groups[0] = &geneve_sysfs_group;
		return 0;
	}
	return sysfs_create_group(&dev->dev.kobj, &geneve_sysfs_group);
}
