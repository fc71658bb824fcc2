/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vnet tracepoints (group "vnet"): the points of the datapath a NIC
 * engineer measures. Each names the port and queue and, where there is one,
 * the ring slot, so that a TX post can be matched with its completion.
 * Disabled, a tracepoint costs one static branch.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vnet

#if !defined(_VNET_TRACE_H_) || defined(TRACE_HEADER_MULTI_READ)
#define _VNET_TRACE_H_

#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/tracepoint.h>

/*
 * Names are copied into fixed arrays rather than __string(): its assign
 * macro changed between 6.1 and 6.12.
 */
DECLARE_EVENT_CLASS(vnet_skb_class,
	TP_PROTO(const struct net_device *dev, u32 q, u32 idx,
		 const struct sk_buff *skb),
	TP_ARGS(dev, q, idx, skb),
	TP_STRUCT__entry(
		__array(char, name, IFNAMSIZ)
		__field(u32, q)
		__field(u32, idx)
		__field(u32, len)
		__field(const void *, skbaddr)
	),
	TP_fast_assign(
		memcpy(__entry->name, dev->name, IFNAMSIZ);
		__entry->q = q;
		__entry->idx = idx;
		__entry->len = skb->len;
		__entry->skbaddr = skb;
	),
	TP_printk("dev=%s q=%u idx=%u len=%u skbaddr=%p", __entry->name,
		  __entry->q, __entry->idx, __entry->len, __entry->skbaddr)
);

/* An skb posted on a TX ring from slot idx; skb->data is the MAC header. */
DEFINE_EVENT(vnet_skb_class, vnet_tx_post,
	TP_PROTO(const struct net_device *dev, u32 q, u32 idx,
		 const struct sk_buff *skb),
	TP_ARGS(dev, q, idx, skb)
);

/* A received frame from RX slot idx, before eth_type_trans(). */
DEFINE_EVENT(vnet_skb_class, vnet_rx,
	TP_PROTO(const struct net_device *dev, u32 q, u32 idx,
		 const struct sk_buff *skb),
	TP_ARGS(dev, q, idx, skb)
);

/* NAPI reaped the TX skb posted at slot idx. */
TRACE_EVENT(vnet_tx_done,
	TP_PROTO(const struct net_device *dev, u32 q, u32 idx, u32 segs,
		 u32 bytes),
	TP_ARGS(dev, q, idx, segs, bytes),
	TP_STRUCT__entry(
		__array(char, name, IFNAMSIZ)
		__field(u32, q)
		__field(u32, idx)
		__field(u32, segs)
		__field(u32, bytes)
	),
	TP_fast_assign(
		memcpy(__entry->name, dev->name, IFNAMSIZ);
		__entry->q = q;
		__entry->idx = idx;
		__entry->segs = segs;
		__entry->bytes = bytes;
	),
	TP_printk("dev=%s q=%u idx=%u segs=%u bytes=%u", __entry->name,
		  __entry->q, __entry->idx, __entry->segs, __entry->bytes)
);

/*
 * One NAPI poll: RX frames delivered of budget, TX frames reaped. polls
 * counts this poll among those since the interrupt; complete is set on the
 * poll that ends the cycle (it then unmasks the vector).
 */
TRACE_EVENT(vnet_napi_poll,
	TP_PROTO(const struct net_device *dev, u32 q, int work, int budget,
		 u32 tx_done, u32 polls, bool complete),
	TP_ARGS(dev, q, work, budget, tx_done, polls, complete),
	TP_STRUCT__entry(
		__array(char, name, IFNAMSIZ)
		__field(u32, q)
		__field(int, work)
		__field(int, budget)
		__field(u32, tx_done)
		__field(u32, polls)
		__field(bool, complete)
	),
	TP_fast_assign(
		memcpy(__entry->name, dev->name, IFNAMSIZ);
		__entry->q = q;
		__entry->work = work;
		__entry->budget = budget;
		__entry->tx_done = tx_done;
		__entry->polls = polls;
		__entry->complete = complete;
	),
	TP_printk("dev=%s q=%u work=%d budget=%d tx_done=%u polls=%u complete=%d",
		  __entry->name, __entry->q, __entry->work, __entry->budget,
		  __entry->tx_done, __entry->polls, __entry->complete)
);

DECLARE_EVENT_CLASS(vnet_txq_class,
	TP_PROTO(const struct net_device *dev, u32 q, u32 unused),
	TP_ARGS(dev, q, unused),
	TP_STRUCT__entry(
		__array(char, name, IFNAMSIZ)
		__field(u32, q)
		__field(u32, unused)
	),
	TP_fast_assign(
		memcpy(__entry->name, dev->name, IFNAMSIZ);
		__entry->q = q;
		__entry->unused = unused;
	),
	TP_printk("dev=%s q=%u unused=%u", __entry->name, __entry->q,
		  __entry->unused)
);

/* xmit stopped TX queue q with unused descriptors left. */
DEFINE_EVENT(vnet_txq_class, vnet_tx_stop,
	TP_PROTO(const struct net_device *dev, u32 q, u32 unused),
	TP_ARGS(dev, q, unused)
);

/* TX completion woke TX queue q with unused descriptors free. */
DEFINE_EVENT(vnet_txq_class, vnet_tx_wake,
	TP_PROTO(const struct net_device *dev, u32 q, u32 unused),
	TP_ARGS(dev, q, unused)
);

/* The rings were reallocated (ethtool -G/-L, MTU). */
TRACE_EVENT(vnet_ring_resize,
	TP_PROTO(const struct net_device *dev, u32 queues, u32 tx_size,
		 u32 rx_size, u32 rx_buf_len),
	TP_ARGS(dev, queues, tx_size, rx_size, rx_buf_len),
	TP_STRUCT__entry(
		__array(char, name, IFNAMSIZ)
		__field(u32, queues)
		__field(u32, tx_size)
		__field(u32, rx_size)
		__field(u32, rx_buf_len)
	),
	TP_fast_assign(
		memcpy(__entry->name, dev->name, IFNAMSIZ);
		__entry->queues = queues;
		__entry->tx_size = tx_size;
		__entry->rx_size = rx_size;
		__entry->rx_buf_len = rx_buf_len;
	),
	TP_printk("dev=%s queues=%u tx=%u rx=%u rx_buf_len=%u",
		  __entry->name, __entry->queues, __entry->tx_size,
		  __entry->rx_size, __entry->rx_buf_len)
);

/* adaptive-rx: DIM moved queue q to another profile; this is its ITR. */
TRACE_EVENT(vnet_rx_dim,
	TP_PROTO(const struct net_device *dev, u32 q, u32 profile, u32 usecs,
		 u32 frames),
	TP_ARGS(dev, q, profile, usecs, frames),
	TP_STRUCT__entry(
		__array(char, name, IFNAMSIZ)
		__field(u32, q)
		__field(u32, profile)
		__field(u32, usecs)
		__field(u32, frames)
	),
	TP_fast_assign(
		memcpy(__entry->name, dev->name, IFNAMSIZ);
		__entry->q = q;
		__entry->profile = profile;
		__entry->usecs = usecs;
		__entry->frames = frames;
	),
	TP_printk("dev=%s q=%u profile=%u rx_usecs=%u rx_frames=%u",
		  __entry->name, __entry->q, __entry->profile, __entry->usecs,
		  __entry->frames)
);

/*
 * The emulated device fired queue q's vector (Linux IRQ irq) for causes
 * icr; irq:irq_handler_entry follows on the CPU it is steered to. expires_ns is
 * when the moderation timer was programmed to fire and now_ns when it did
 * (both CLOCK_MONOTONIC); an unmoderated interrupt has timer == false and
 * expires_ns == now_ns.
 */
TRACE_EVENT(vnet_hw_irq,
	TP_PROTO(const char *hw, u32 q, u32 irq, u32 icr, bool timer,
		 s64 expires_ns, s64 now_ns),
	TP_ARGS(hw, q, irq, icr, timer, expires_ns, now_ns),
	TP_STRUCT__entry(
		__array(char, name, IFNAMSIZ)
		__field(u32, q)
		__field(u32, irq)
		__field(u32, icr)
		__field(bool, timer)
		__field(s64, expires_ns)
		__field(s64, now_ns)
	),
	TP_fast_assign(
		strscpy(__entry->name, hw, IFNAMSIZ);
		__entry->q = q;
		__entry->irq = irq;
		__entry->icr = icr;
		__entry->timer = timer;
		__entry->expires_ns = expires_ns;
		__entry->now_ns = now_ns;
	),
	TP_printk("hw=%s q=%u irq=%u icr=%#x timer=%d expires=%lld now=%lld late=%lld",
		  __entry->name, __entry->q, __entry->irq, __entry->icr,
		  __entry->timer,
		  __entry->expires_ns, __entry->now_ns,
		  __entry->now_ns - __entry->expires_ns)
);

#endif /* _VNET_TRACE_H_ */

/* This part must be outside the include guard. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE vnet_trace
#include <trace/define_trace.h>
