// SPDX-License-Identifier: GPL-2.0-only
/*
 * GRO after decapsulation, in per-CPU NAPI cells that every device shares.
 *
 * The in-tree driver gives each device per-CPU NAPI instances of its own
 * (gro_cells, 424 bytes per CPU per device); here one set serves them all,
 * and these rules keep one device from hurting the others through it:
 *  - GRO never merges packets of different devices (skb->dev differs);
 *  - a device holds at most half of a cell's queue (netdev_max_backlog), so
 *    that a flood of one device leaves the other half to the rest;
 *  - a queued packet holds a reference on its device, so deleting a device
 *    neither waits for a cell nor pauses it: the cell drops the packets of a
 *    stopped device, and the core frees the device once they are gone
 *    (netdev_run_todo(), outside RTNL).
 * Between two polls a cell keeps packets only in its queue: a poll that uses
 * its whole budget flushes GRO itself, and napi_complete_done() flushes all
 * of it because the NAPIs belong to an unregistered dummy device, whose
 * gro_flush_timeout and napi_defer_hard_irqs are 0 and cannot be set.  Within
 * a poll, GRO holds packets without a reference: their device was up when
 * the poll took them, and unregistering it waits for an RCU grace period
 * after stopping it, so for the end of this softirq.
 */
#include <linux/cpuhotplug.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/skbuff.h>

#include "geneve_priv.h"

struct geneve_rx_cell {
	struct sk_buff_head queue;	/* only its CPU adds, in BH context */
	struct napi_struct napi;
	unsigned int cpu;
};

static struct net_device geneve_rx_napi_dev;	/* owns the NAPIs; unregistered */
static struct geneve_rx_cell __percpu *geneve_rx_cells;
static enum cpuhp_state geneve_rx_cells_hp_state;

/* Same contract as gro_cells_receive(): consumes skb, counts its drop. */
int geneve_rx_cells_queue(struct geneve_dev *geneve, struct sk_buff *skb)
{
	unsigned int backlog = geneve_max_backlog();
	struct net_device *dev = geneve->dev;
	struct geneve_rx_cell *cell;
	unsigned int *share;

	/* In flight while the device was being stopped. */
	if (unlikely(!(dev->flags & IFF_UP)))
		goto drop;
	/* GRO could write to data a clone shares. */
	if (skb_cloned(skb) || netif_elide_gro(dev))
		return netif_rx(skb);

	cell = this_cpu_ptr(geneve_rx_cells);
	share = this_cpu_ptr(geneve->rx_queued);
	if (unlikely(skb_queue_len(&cell->queue) > backlog ||
		     *share > backlog / 2))
		goto drop;
	(*share)++;
	dev_hold(dev);
	__skb_queue_tail(&cell->queue, skb);
	if (skb_queue_len(&cell->queue) == 1)
		napi_schedule(&cell->napi);
	return NET_RX_SUCCESS;
drop:
	dev_core_stats_rx_dropped_inc(dev);
	kfree_skb(skb);
	return NET_RX_DROP;
}

/*
 * The next packet of the queue, taken off its device's share; the caller
 * drops the device reference it holds once done with it.
 */
static struct sk_buff *geneve_rx_cell_dequeue(struct geneve_rx_cell *cell)
{
	struct sk_buff *skb = __skb_dequeue(&cell->queue);
	struct geneve_dev *geneve;

	if (skb) {
		geneve = netdev_priv(skb->dev);
		(*per_cpu_ptr(geneve->rx_queued, cell->cpu))--;
	}
	return skb;
}

static void geneve_rx_cell_drop(struct sk_buff *skb)
{
	dev_core_stats_rx_dropped_inc(skb->dev);
	geneve_count_drop(netdev_priv(skb->dev), GENEVE_DROP_RX_BACKLOG);
	kfree_skb(skb);
}

/*
 * GRO merges only packets that meet in it.  The last one queued, while GRO
 * holds and batches nothing, meets none: a second GRO pass over it would only
 * cost time.  That is the usual case, a lone packet or a super-packet that GRO
 * on the underlay or a local sender built already.  Held or batched packets
 * go first, so that a flow keeps its order.
 */
static void geneve_rx_cell_deliver(struct geneve_rx_cell *cell,
				   struct sk_buff *skb)
{
	struct napi_struct *napi = &cell->napi;
	struct net_device *dev = skb->dev;

	if (unlikely(!(dev->flags & IFF_UP)))
		geneve_rx_cell_drop(skb);
	else if (skb_queue_empty(&cell->queue) && !napi->gro_bitmask &&
		 !napi->rx_count)
		netif_receive_skb(skb);
	else
		napi_gro_receive(napi, skb);
	dev_put(dev);
}

static int geneve_rx_cell_poll(struct napi_struct *napi, int budget)
{
	struct geneve_rx_cell *cell = container_of(napi, struct geneve_rx_cell, napi);
	struct sk_buff *skb;
	int done;

	for (done = 0; done < budget; done++) {
		skb = geneve_rx_cell_dequeue(cell);
		if (!skb)
			break;
		geneve_rx_cell_deliver(cell, skb);
	}
	if (done < budget)
		napi_complete_done(napi, done);
	else
		napi_gro_flush(napi, false);	/* see the top of this file */
	return done;
}

/*
 * A CPU that went offline left its cell's NAPI to another CPU
 * (dev_cpu_dead()), which may still be polling the queue: that must end
 * before the CPU adds to the queue again.  What a poll cut short by the wait
 * leaves in the queue is dropped.
 */
static int geneve_rx_cell_cpu_prepare(unsigned int cpu)
{
	struct geneve_rx_cell *cell = per_cpu_ptr(geneve_rx_cells, cpu);
	struct net_device *dev;
	struct sk_buff *skb;

	napi_disable(&cell->napi);
	while ((skb = geneve_rx_cell_dequeue(cell))) {
		dev = skb->dev;
		geneve_rx_cell_drop(skb);
		dev_put(dev);
	}
	napi_enable(&cell->napi);
	return 0;
}

/* Once no device is left: their references emptied every queue. */
static void geneve_rx_cells_free(void)
{
	struct geneve_rx_cell *cell;
	int cpu;

	for_each_possible_cpu(cpu) {
		cell = per_cpu_ptr(geneve_rx_cells, cpu);
		napi_disable(&cell->napi);
		__netif_napi_del(&cell->napi);
		WARN_ON_ONCE(!skb_queue_empty(&cell->queue));
	}
	synchronize_net();	/* napi_list readers, as for any unregistered NAPI */
	free_percpu(geneve_rx_cells);
}

int geneve_rx_cells_init(void)
{
	struct geneve_rx_cell *cell;
	int cpu, err;

	geneve_rx_cells = alloc_percpu(struct geneve_rx_cell);
	if (!geneve_rx_cells)
		return -ENOMEM;
	init_dummy_netdev(&geneve_rx_napi_dev);
	for_each_possible_cpu(cpu) {
		cell = per_cpu_ptr(geneve_rx_cells, cpu);
		cell->cpu = cpu;
		__skb_queue_head_init(&cell->queue);
		/* A busy poller would dequeue on a CPU other than the cell's. */
		set_bit(NAPI_STATE_NO_BUSY_POLL, &cell->napi.state);
		netif_napi_add(&geneve_rx_napi_dev, &cell->napi, geneve_rx_cell_poll);
		napi_enable(&cell->napi);
	}
	err = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "net/geneve:rx_cells",
					geneve_rx_cell_cpu_prepare, NULL);
	if (err < 0) {
		geneve_rx_cells_free();
		return err;
	}
	geneve_rx_cells_hp_state = err;
	return 0;
}

void geneve_rx_cells_exit(void)
{
	cpuhp_remove_state_nocalls(geneve_rx_cells_hp_state);
	geneve_rx_cells_free();
}
