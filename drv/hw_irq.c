// SPDX-License-Identifier: GPL-2.0
/* vnet emulated device: interrupt vectors (causes, mask, ITR, firing). */
#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/percpu.h>

#include "hw_emul.h"
#include "vnet_compat.h"
#include "vnet_trace.h"

/*
 * The hrtimer is the moderation timer: a vector fires when a cause's ITR
 * delay has passed, at once for a zero delay. Firing sends the vector's
 * message, a Linux IRQ of the device's own irq_domain (Debian's kernels
 * have no IRQ simulator), to the CPU its affinity names. As an MSI write
 * would, it arrives there in hard-IRQ context: handled at once when the
 * timer already runs on that CPU, by self-IPI (irq_work) from elsewhere on
 * it, by IPI to any other CPU.
 */

/*
 * Vectors each CPU is the target of, across all vnet devices: a new
 * affinity picks the least loaded CPU it allows, as x86's vector matrix
 * does, so that queues spread over CPUs by default.
 */
static DEFINE_RAW_SPINLOCK(vnet_hw_irq_load_lock);
static DEFINE_PER_CPU(unsigned int, vnet_hw_irq_load);

/* Move @vec's target to @cpu (-1: none), keeping the CPU loads. */
static void vnet_hw_irq_retarget(struct vnet_hw_vec *vec, int cpu)
{
	lockdep_assert_held(&vnet_hw_irq_load_lock);
	if (vec->cpu >= 0)
		per_cpu(vnet_hw_irq_load, vec->cpu)--;
	if (cpu >= 0)
		per_cpu(vnet_hw_irq_load, cpu)++;
	WRITE_ONCE(vec->cpu, cpu);
}

static int vnet_hw_irq_set_affinity(struct irq_data *d,
				    const struct cpumask *mask, bool force)
{
	struct vnet_hw_vec *vec = irq_data_get_irq_chip_data(d);
	unsigned int cpu, load, best_load = UINT_MAX;
	int best = -1;

	raw_spin_lock(&vnet_hw_irq_load_lock);
	for_each_cpu_and(cpu, mask, cpu_online_mask) {
		/* Staying where it is costs nothing. */
		load = per_cpu(vnet_hw_irq_load, cpu) - (cpu == vec->cpu);
		if (load < best_load) {
			best = cpu;
			best_load = load;
		}
	}
	if (best >= 0)
		vnet_hw_irq_retarget(vec, best);
	raw_spin_unlock(&vnet_hw_irq_load_lock);
	if (best < 0)
		return -EINVAL;

	irq_data_update_effective_affinity(d, cpumask_of(best));
	return IRQ_SET_MASK_OK;
}

/* Masking at the controller is the driver's IMS/IMC: nothing to do here. */
static void vnet_hw_irq_chip_nop(struct irq_data *d)
{
}

static struct irq_chip vnet_hw_irq_chip = {
	.name			= "vnet",
	.irq_mask		= vnet_hw_irq_chip_nop,
	.irq_unmask		= vnet_hw_irq_chip_nop,
	.irq_set_affinity	= vnet_hw_irq_set_affinity,
};

static int vnet_hw_irq_map(struct irq_domain *d, unsigned int virq,
			   irq_hw_number_t hwirq)
{
	struct vnet_hw *hw = d->host_data;

	irq_set_chip_data(virq, &hw->q[hwirq].vec);
	irq_set_chip_and_handler(virq, &vnet_hw_irq_chip, handle_simple_irq);
	vnet_compat_irq_move_pcntxt(virq);
	return 0;
}

static void vnet_hw_irq_unmap(struct irq_domain *d, unsigned int virq)
{
	struct vnet_hw_vec *vec = irq_get_chip_data(virq);

	raw_spin_lock_irq(&vnet_hw_irq_load_lock);
	vnet_hw_irq_retarget(vec, -1);
	raw_spin_unlock_irq(&vnet_hw_irq_load_lock);
	irq_set_chip_and_handler(virq, NULL, NULL);
	irq_set_chip_data(virq, NULL);
}

static const struct irq_domain_ops vnet_hw_irq_domain_ops = {
	.map	= vnet_hw_irq_map,
	.unmap	= vnet_hw_irq_unmap,
};

/* The interrupt controller, every vector mapped to a Linux IRQ. */
int vnet_hw_irq_domain_add(struct vnet_hw *hw)
{
	unsigned int virq;
	int i;

	hw->irq_fwnode = irq_domain_alloc_named_fwnode(hw->name);
	if (!hw->irq_fwnode)
		return -ENOMEM;
	hw->irq_domain = irq_domain_create_linear(hw->irq_fwnode,
						  VNET_HW_MAX_QUEUES,
						  &vnet_hw_irq_domain_ops, hw);
	if (!hw->irq_domain)
		goto err_free_fwnode;

	for (i = 0; i < VNET_HW_MAX_QUEUES; i++) {
		virq = irq_create_mapping(hw->irq_domain, i);
		if (!virq)
			goto err_remove;
		hw->q[i].vec.virq = virq;
	}
	return 0;

err_remove:
	vnet_hw_irq_domain_remove(hw);
	return -ENOMEM;

err_free_fwnode:
	irq_domain_free_fwnode(hw->irq_fwnode);
	return -ENOMEM;
}

/* Every vector stopped (vnet_hw_vec_stop()), no driver holding its IRQ. */
void vnet_hw_irq_domain_remove(struct vnet_hw *hw)
{
	int i;

	for (i = 0; i < VNET_HW_MAX_QUEUES; i++) {
		if (hw->q[i].vec.virq)
			irq_dispose_mapping(hw->q[i].vec.virq);
		hw->q[i].vec.virq = 0;
	}
	irq_domain_remove(hw->irq_domain);
	irq_domain_free_fwnode(hw->irq_fwnode);
}

unsigned int vnet_hw_irq_vector(struct vnet_hw *hw, int vec)
{
	return hw->q[vec].vec.virq;
}

/* The IPI: the message reached another CPU. */
static void vnet_hw_irq_ipi(void *info)
{
	struct vnet_hw_vec *vec = info;
	int n;

	/* Messages that came while one was on its way are one interrupt. */
	do {
		n = atomic_read(&vec->remote_pending);
		generic_handle_irq_safe(vec->virq);
	} while (atomic_sub_return_release(n, &vec->remote_pending));
}

/* The self-IPI: the message reached this CPU from outside a hard IRQ. */
static void vnet_hw_irq_self_ipi(struct irq_work *work)
{
	struct vnet_hw_vec *vec = container_of(work, struct vnet_hw_vec,
					       self_ipi);

	generic_handle_irq_safe(vec->virq);
}

/* The MSI write: @vec's interrupt on the CPU its affinity names. */
static void vnet_hw_irq_send(struct vnet_hw_vec *vec)
{
	int this = get_cpu();
	int cpu = READ_ONCE(vec->cpu);

	if (cpu < 0 || !cpu_online(cpu))
		cpu = this;
	/* The IPI handles this one too if it has not finished. */
	if (cpu != this && atomic_inc_return(&vec->remote_pending) == 1 &&
	    smp_call_function_single_async(cpu, &vec->csd)) {
		/* Gone offline: no IPI is on its way, deliver here. */
		atomic_set(&vec->remote_pending, 0);
		cpu = this;
	}
	if (cpu == this) {
		if (in_hardirq())
			generic_handle_irq_safe(vec->virq);
		else
			irq_work_queue(&vec->self_ipi);
	}
	put_cpu();
}

/*
 * @expires: when the moderation timer was due; 0 for an unmoderated fire.
 * @delayed: the fire was held back by an injected completion delay.
 */
static void vnet_hw_irq_fire(struct vnet_hw_vec *vec, ktime_t expires,
			     bool delayed)
{
	struct vnet_hw_queue *q = container_of(vec, struct vnet_hw_queue, vec);
	ktime_t now;

	/* Auto-mask: exactly one delivery until the driver writes IMS. */
	if (test_and_set_bit(VNET_HW_VEC_MASKED, &vec->flags))
		return;

	/* rx/tx-frames count the completions each interrupt covers. */
	atomic_set(&vec->rx_done, 0);
	atomic_set(&vec->tx_done, 0);

	/* Injected: the message never arrives; the vector stays masked. */
	if (vnet_hw_fault_lost_irq(vec))
		return;

	if (trace_vnet_hw_irq_enabled()) {
		now = ktime_get();
		trace_vnet_hw_irq(q->hw->name, vec->idx, vec->virq,
				  atomic_read(&vec->icr),
				  expires != 0, expires ?: now, now);
	}

	u64_stats_update_begin(&vec->syncp);
	u64_stats_inc(&vec->irqs);
	if (delayed)
		u64_stats_inc(&vec->fault_delays);
	u64_stats_update_end(&vec->syncp);

	vnet_hw_irq_send(vec);
}

/* Delay before @cause fires: 0 once its frame count is reached. */
static u32 vnet_hw_cause_delay(struct vnet_hw_vec *vec, u32 cause)
{
	u32 frames = READ_ONCE(vec->itr_frames);
	u32 itr = READ_ONCE(vec->itr);
	u32 usecs, limit;
	atomic_t *done;

	if (cause == VNET_ICR_RX) {
		usecs = FIELD_GET(VNET_ITR_RX_USECS_MASK, itr);
		limit = FIELD_GET(VNET_ITR_RX_FRAMES_MASK, frames);
		done = &vec->rx_done;
	} else {
		usecs = FIELD_GET(VNET_ITR_TX_USECS_MASK, itr);
		limit = FIELD_GET(VNET_ITR_TX_FRAMES_MASK, frames);
		done = &vec->tx_done;
	}
	if (limit && atomic_read(done) >= limit)
		return 0;
	return usecs;
}

/* Deliver pending causes now or arm the moderation timer for them. */
static void vnet_hw_irq_eval(struct vnet_hw_vec *vec)
{
	struct vnet_hw_queue *q = container_of(vec, struct vnet_hw_queue, vec);
	u32 icr = atomic_read(&vec->icr);
	u32 usecs = U32_MAX;
	ktime_t expires;

	if (!icr || test_bit(VNET_HW_VEC_MASKED, &vec->flags))
		return;

	/* A link change is never moderated, nor delayed. */
	if (icr & VNET_ICR_LSC) {
		usecs = 0;
	} else {
		if (icr & VNET_ICR_RX)
			usecs = vnet_hw_cause_delay(vec, VNET_ICR_RX);
		if (icr & VNET_ICR_TX)
			usecs = min(usecs,
				    vnet_hw_cause_delay(vec, VNET_ICR_TX));
		/* Injected: completions reach the CPU late. */
		if (usecs != U32_MAX)
			usecs += vnet_hw_fault_delay_us(q->hw);
	}

	if (!usecs) {
		vnet_hw_irq_fire(vec, 0, false);
		return;
	}

	/* Keep an earlier expiry already programmed; pull a later one in. */
	expires = ktime_add_us(ktime_get(), usecs);
	if (!hrtimer_is_queued(&vec->timer) ||
	    ktime_before(expires, hrtimer_get_expires(&vec->timer)))
		hrtimer_start(&vec->timer, expires, HRTIMER_MODE_ABS);
}

/* Raise @cause for @frames completed frames (RX and TX causes count). */
void vnet_hw_irq_raise(struct vnet_hw_vec *vec, u32 cause, u32 frames)
{
	if (cause & VNET_ICR_RX)
		atomic_add(frames, &vec->rx_done);
	else if (cause & VNET_ICR_TX)
		atomic_add(frames, &vec->tx_done);
	atomic_or(cause, &vec->icr);
	/* Cause before mask check; pairs with the barrier in the IMS write. */
	smp_mb__after_atomic();
	vnet_hw_irq_eval(vec);
}

static enum hrtimer_restart vnet_hw_irq_timer(struct hrtimer *timer)
{
	struct vnet_hw_vec *vec = container_of(timer, struct vnet_hw_vec,
					       timer);
	struct vnet_hw_queue *q = container_of(vec, struct vnet_hw_queue, vec);

	if (atomic_read(&vec->icr) &&
	    !test_bit(VNET_HW_VEC_MASKED, &vec->flags))
		vnet_hw_irq_fire(vec, hrtimer_get_expires(timer),
				 vnet_hw_fault_delay_us(q->hw) != 0);

	return HRTIMER_NORESTART;
}

/*
 * Keep the handler's contract when a vector is evaluated from process
 * context (IMS, CTRL writes): a pending cause fires with bottom halves
 * disabled, and the NAPI softirq it raises runs on local_bh_enable().
 */
static void vnet_hw_irq_eval_bh(struct vnet_hw_vec *vec)
{
	local_bh_disable();
	vnet_hw_irq_eval(vec);
	local_bh_enable();
}

/* IMS */
void vnet_hw_irq_unmask(struct vnet_hw_vec *vec)
{
	clear_bit(VNET_HW_VEC_MASKED, &vec->flags);
	/* Unmask before reading causes; pairs with vnet_hw_irq_raise(). */
	smp_mb__after_atomic();
	vnet_hw_irq_eval_bh(vec);
}

/* IMC: causes stay pending until the next unmask. */
void vnet_hw_irq_mask(struct vnet_hw_vec *vec)
{
	set_bit(VNET_HW_VEC_MASKED, &vec->flags);
}

bool vnet_hw_irq_masked(const struct vnet_hw_vec *vec)
{
	return test_bit(VNET_HW_VEC_MASKED, &vec->flags);
}

/* Link: both ends of the cable learn of a MAC turned on or off. */
void vnet_hw_link_event(struct vnet_hw *hw)
{
	local_bh_disable();
	vnet_hw_irq_raise(&hw->q[0].vec, VNET_ICR_LSC, 0);
	if (hw->peer)
		vnet_hw_irq_raise(&hw->peer->q[0].vec, VNET_ICR_LSC, 0);
	local_bh_enable();
}

/* A vector comes out of reset masked, with nothing pending. */
void vnet_hw_vec_init(struct vnet_hw_vec *vec, int idx)
{
	u64_stats_init(&vec->syncp);
	vec->idx = idx;
	vec->flags = BIT(VNET_HW_VEC_MASKED);
	vec->cpu = -1;
	vec->self_ipi = IRQ_WORK_INIT_HARD(vnet_hw_irq_self_ipi);
	INIT_CSD(&vec->csd, vnet_hw_irq_ipi, vec);
	hrtimer_setup(&vec->timer, vnet_hw_irq_timer, CLOCK_MONOTONIC,
		      HRTIMER_MODE_ABS);
}

/*
 * Device teardown, the vector masked: no moderation timer may fire and no
 * message may be on its way once this returns.
 */
void vnet_hw_vec_stop(struct vnet_hw_vec *vec)
{
	hrtimer_cancel(&vec->timer);
	irq_work_sync(&vec->self_ipi);
	/* An IPI cannot be cancelled: let it land. */
	while (atomic_read_acquire(&vec->remote_pending))
		cpu_relax();
}
