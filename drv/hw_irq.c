// SPDX-License-Identifier: GPL-2.0
/* vnet emulated device: interrupt vectors (causes, mask, ITR, firing). */
#include <linux/hrtimer.h>
#include <linux/rcupdate.h>

#include "hw_emul.h"
#include "vnet_compat.h"
#include "vnet_trace.h"

/*
 * The hrtimer stands in for the interrupt message: it fires when a cause's
 * ITR delay has passed. A zero delay calls the handler at once, from the
 * context that raised the cause.
 */

/*
 * @expires: when the moderation timer was due; 0 for an unmoderated fire.
 * @delayed: the fire was held back by an injected completion delay.
 */
static void vnet_hw_irq_fire(struct vnet_hw_vec *vec, ktime_t expires,
			     bool delayed)
{
	struct vnet_hw_queue *q = container_of(vec, struct vnet_hw_queue, vec);
	ktime_t now;
	void *data;

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
		trace_vnet_hw_irq(q->hw->name, vec->idx, atomic_read(&vec->icr),
				  expires != 0, expires ?: now, now);
	}

	/* vnet_hw_sync_irqs() waits for this section to finish. */
	rcu_read_lock();
	data = rcu_dereference(vec->data);
	if (data) {
		u64_stats_update_begin(&vec->syncp);
		u64_stats_inc(&vec->irqs);
		if (delayed)
			u64_stats_inc(&vec->fault_delays);
		u64_stats_update_end(&vec->syncp);

		vec->handler(vec->idx, data);
	}
	rcu_read_unlock();
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

void vnet_hw_request_irq(struct vnet_hw *hw, int vec,
			 vnet_hw_irq_handler_t handler, void *data)
{
	struct vnet_hw_vec *v = &hw->q[vec].vec;

	vnet_hw_irq_mask(v);
	v->handler = handler;
	rcu_assign_pointer(v->data, data);
}

void vnet_hw_free_irq(struct vnet_hw *hw, int vec)
{
	struct vnet_hw_vec *v = &hw->q[vec].vec;

	vnet_hw_irq_mask(v);
	hrtimer_cancel(&v->timer);
	RCU_INIT_POINTER(v->data, NULL);
	/* A link change stays pending: the next driver must see it. */
	atomic_and(VNET_ICR_LSC, &v->icr);
}

void vnet_hw_sync_irqs(struct vnet_hw *hw)
{
	/* A zero-delay fire on another CPU may still be in a handler. */
	synchronize_rcu();
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
	hrtimer_setup(&vec->timer, vnet_hw_irq_timer, CLOCK_MONOTONIC,
		      HRTIMER_MODE_ABS);
}

/* Device teardown: no moderation timer may fire after this. */
void vnet_hw_vec_stop(struct vnet_hw_vec *vec)
{
	hrtimer_cancel(&vec->timer);
}
