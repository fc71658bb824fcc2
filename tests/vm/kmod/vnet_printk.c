// SPDX-License-Identifier: GPL-2.0
/*
 * vnet_printk: a test module for netconsole over vnet. Loading it prints
 * "count" kernel messages, "interval_us" apart, from IPIs, each naming the
 * context it found itself in (hard IRQ, or not). Half the IPIs go to the
 * other CPUs in turn and land wherever those are, inside the device's TX or
 * RX engine included: netconsole then transmits from a hard IRQ that
 * interrupted them.
 */
#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/irq_work.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/smp.h>

static unsigned int count = 100;
module_param(count, uint, 0444);
MODULE_PARM_DESC(count, "messages to print (default 100)");

static unsigned int interval_us = 1000;
module_param(interval_us, uint, 0444);
MODULE_PARM_DESC(interval_us, "pause between messages (default 1000)");

static unsigned int vnet_printk_seq;
static atomic_t vnet_printk_hard = ATOMIC_INIT(0);

static void vnet_printk_msg(void)
{
	bool hard = in_hardirq();

	if (hard)
		atomic_inc(&vnet_printk_hard);
	pr_err("vnet_printk: message %u of %u from %s\n", vnet_printk_seq + 1,
	       count, hard ? "hardirq" : "elsewhere");
}

static void vnet_printk_ipi(void *info)
{
	vnet_printk_msg();
}

static void vnet_printk_self(struct irq_work *work)
{
	vnet_printk_msg();
}

static struct irq_work vnet_printk_work = IRQ_WORK_INIT_HARD(vnet_printk_self);

/*
 * Odd messages come from a self-IPI, always a hard IRQ; even ones from a
 * function call IPI to the next CPU but this one, which lands anywhere
 * (unless that CPU is idle and polling: then it runs the call itself, not
 * from an interrupt).
 */
static void vnet_printk_one(unsigned int *cpu)
{
	unsigned int self;

	if (vnet_printk_seq % 2 == 0 || num_online_cpus() == 1) {
		irq_work_queue(&vnet_printk_work);
		irq_work_sync(&vnet_printk_work);
		return;
	}

	self = get_cpu();

	do {
		*cpu = cpumask_next(*cpu, cpu_online_mask);
		if (*cpu >= nr_cpu_ids)
			*cpu = cpumask_first(cpu_online_mask);
	} while (*cpu == self);

	smp_call_function_single(*cpu, vnet_printk_ipi, NULL, 1);
	put_cpu();
}

static int __init vnet_printk_init(void)
{
	unsigned int cpu = 0;

	for (vnet_printk_seq = 0; vnet_printk_seq < count; vnet_printk_seq++) {
		vnet_printk_one(&cpu);
		usleep_range(interval_us, interval_us + interval_us / 4 + 1);
	}
	pr_info("vnet_printk: %d of %u messages from hard-irq context\n",
		atomic_read(&vnet_printk_hard), count);
	return 0;
}

static void __exit vnet_printk_exit(void)
{
}

module_init(vnet_printk_init);
module_exit(vnet_printk_exit);

MODULE_DESCRIPTION("vnet test: kernel messages from hard-irq context");
MODULE_LICENSE("GPL");
