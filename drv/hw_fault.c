// SPDX-License-Identifier: GPL-2.0
/* vnet emulated device: fault injection hooks and their debugfs files. */
#include <linux/debugfs.h>
#include <linux/random.h>
#include <linux/seq_file.h>

#include "hw_emul.h"
#include "vnet_board.h"

/*
 * The device's blocks call these hooks where a real NIC could fail (a lost
 * or late interrupt, a frame lost or corrupted on the wire, a hung TX
 * engine); each counts what it injects. debugfs vnet/<device>/ arms them
 * and dumps every queue's registers.
 */

/* A fault with rate @ppm (parts per million) hits this time. */
static bool vnet_hw_fault(const u32 *ppm)
{
	u32 rate = READ_ONCE(*ppm);

	return rate && get_random_u32() % VNET_HW_PPM < rate;
}

/* The fire never reaches the CPU: the vector stays masked. */
bool vnet_hw_fault_lost_irq(struct vnet_hw_vec *vec)
{
	struct vnet_hw_queue *q = container_of(vec, struct vnet_hw_queue, vec);

	if (!vnet_hw_fault(&q->hw->faults.lost_irq_ppm))
		return false;
	vnet_hw_stat_add(&vec->syncp, &vec->fault_lost_irqs, 1);
	return true;
}

/* Completions reach the CPU this much later (the vector counts them). */
u32 vnet_hw_fault_delay_us(const struct vnet_hw *hw)
{
	return READ_ONCE(hw->faults.delay_us);
}

/* A frame of @nsegs wire frames is lost on the wire. */
bool vnet_hw_fault_drop(struct vnet_hw_queue *q, u32 nsegs)
{
	if (!vnet_hw_fault(&q->hw->faults.drop_ppm))
		return false;
	vnet_hw_stat_add(&q->txq.syncp, &q->txq.fault_drops, nsegs);
	return true;
}

/*
 * One byte after the Ethernet header of a frame @src sent (or, in reflect
 * mode, of the answer to it) goes bad on the wire, so the stack's checksums
 * catch it. Returns true if it did.
 */
/* Could vnet_hw_fault_corrupt() hit @src's frames? */
bool vnet_hw_fault_corrupt_armed(const struct vnet_hw_queue *src)
{
	return READ_ONCE(src->hw->faults.corrupt_ppm);
}

bool vnet_hw_fault_corrupt(struct vnet_hw_queue *src, u8 *buf, u32 len)
{
	if (len <= ETH_HLEN || !vnet_hw_fault(&src->hw->faults.corrupt_ppm))
		return false;

	buf[ETH_HLEN + get_random_u32() % (len - ETH_HLEN)] ^= 0xff;
	vnet_hw_stat_add(&src->txq.syncp, &src->txq.fault_corrupts, 1);
	return true;
}

/*
 * This queue's TX engine hangs, once per request, until its ring is reset.
 * Called with the txq lock held.
 */
bool vnet_hw_fault_tx_hang(struct vnet_hw_queue *q)
{
	atomic_t *mask = &q->hw->faults.tx_hang;
	u32 bit = BIT(q->vec.idx);

	if (!(atomic_read(mask) & bit) ||
	    !(atomic_fetch_andnot(bit, mask) & bit))
		return false;
	vnet_hw_stat_add(&q->txq.syncp, &q->txq.fault_tx_hangs, 1);
	return true;
}

/* Fault injection files: debugfs vnet/<device>/, root only. */

static struct dentry *vnet_hw_dbg_root;

void vnet_hw_debugfs_init(void)
{
	vnet_hw_dbg_root = debugfs_create_dir("vnet", NULL);
}

void vnet_hw_debugfs_exit(void)
{
	debugfs_remove_recursive(vnet_hw_dbg_root);
}

static int vnet_hw_u32_get(void *data, u64 *val)
{
	*val = READ_ONCE(*(u32 *)data);
	return 0;
}

static int vnet_hw_ppm_set(void *data, u64 val)
{
	if (val > VNET_HW_PPM)
		return -EINVAL;
	WRITE_ONCE(*(u32 *)data, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(vnet_hw_ppm_fops, vnet_hw_u32_get, vnet_hw_ppm_set,
			 "%llu\n");

static int vnet_hw_delay_set(void *data, u64 val)
{
	if (val > VNET_HW_MAX_FAULT_DELAY_US)
		return -EINVAL;
	WRITE_ONCE(*(u32 *)data, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(vnet_hw_delay_fops, vnet_hw_u32_get,
			 vnet_hw_delay_set, "%llu\n");

/* Reads the queues still due to hang; a write adds queues to the mask. */
static int vnet_hw_hang_get(void *data, u64 *val)
{
	*val = (u32)atomic_read(data);
	return 0;
}

static int vnet_hw_hang_set(void *data, u64 val)
{
	if (val >= BIT(VNET_HW_MAX_QUEUES))
		return -EINVAL;
	atomic_or(val, data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(vnet_hw_hang_fops, vnet_hw_hang_get,
			 vnet_hw_hang_set, "0x%llx\n");

/*
 * "queues": the device's side of every queue, as a register dump would show
 * it: ring state (enabled, hung, size, head, tail) and the vector's (mask,
 * pending causes, moderation timer armed, fires). A stalled queue shows
 * here: a disabled or empty RX ring, a vector left masked with causes.
 * A snapshot without the engines' locks: each value is current, together
 * they may be a few frames apart.
 */
static void vnet_hw_ring_show(struct seq_file *m, const char *name,
			      const struct vnet_hw_ring *ring)
{
	seq_printf(m, " %s %s%s size %u head %u tail %u", name,
		   READ_ONCE(ring->enabled) ? "on" : "off",
		   READ_ONCE(ring->hung) ? " hung" : "",
		   READ_ONCE(ring->size), READ_ONCE(ring->head),
		   READ_ONCE(ring->tail));
}

static int vnet_hw_queues_show(struct seq_file *m, void *v)
{
	struct vnet_hw *hw = m->private;
	int i;

	seq_printf(m, "ctrl 0x%08x\n", READ_ONCE(hw->ctrl));
	for (i = 0; i < VNET_HW_MAX_QUEUES; i++) {
		struct vnet_hw_queue *q = &hw->q[i];
		struct vnet_hw_vec *vec = &q->vec;

		seq_printf(m, "q%d:", i);
		vnet_hw_ring_show(m, "tx", &q->txq.ring);
		vnet_hw_ring_show(m, "rx", &q->rxq.ring);
		seq_printf(m, " vec %s icr 0x%x timer %d irqs %llu\n",
			   vnet_hw_irq_masked(vec) ? "masked" : "unmasked",
			   atomic_read(&vec->icr),
			   hrtimer_is_queued(&vec->timer),
			   vnet_hw_stat_read(q, VNET_HW_STAT_IRQS));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vnet_hw_queues);

void vnet_hw_debugfs_add(struct vnet_hw *hw)
{
	struct vnet_hw_faults *f = &hw->faults;

	hw->dbg = debugfs_create_dir(hw->name, vnet_hw_dbg_root);
	debugfs_create_file_unsafe("fault_drop_ppm", 0600, hw->dbg,
				   &f->drop_ppm, &vnet_hw_ppm_fops);
	debugfs_create_file_unsafe("fault_corrupt_ppm", 0600, hw->dbg,
				   &f->corrupt_ppm, &vnet_hw_ppm_fops);
	debugfs_create_file_unsafe("fault_lost_irq_ppm", 0600, hw->dbg,
				   &f->lost_irq_ppm, &vnet_hw_ppm_fops);
	debugfs_create_file_unsafe("fault_delay_us", 0600, hw->dbg,
				   &f->delay_us, &vnet_hw_delay_fops);
	debugfs_create_file_unsafe("fault_tx_hang", 0600, hw->dbg,
				   &f->tx_hang, &vnet_hw_hang_fops);
	debugfs_create_file("queues", 0400, hw->dbg, hw, &vnet_hw_queues_fops);
}

void vnet_hw_debugfs_del(struct vnet_hw *hw)
{
	debugfs_remove_recursive(hw->dbg);
}
