/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vnet emulated NIC "datasheet": register map, descriptor layout, ring
 * limits and the bus-level entry points (register access, interrupt lines)
 * the driver uses to talk to it. It depends on no other vnet header: nothing
 * of the device's internals (drv/hw_*.c) is visible to the driver.
 */
#ifndef _VNET_HW_H_
#define _VNET_HW_H_

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/types.h>

#define VNET_HW_ID		0x564e4554	/* "VNET" */
/* 6: frames span RX buffers, RSC; 7: RSC per flow, and IP in IP */
#define VNET_HW_REV		7
#define VNET_HW_MAX_QUEUES	8
/* Largest frame the MAC moves, excluding FCS: a 9000 byte MTU + VLAN hdr */
#define VNET_HW_MAX_FRAME	9018
/* Frames shorter than this are zero-padded on the wire, as a MAC does */
#define VNET_HW_MIN_FRAME	60
/* Descriptors one TX frame may span; longer chains are TX errors. */
#define VNET_HW_MAX_TX_BUFS	64
/*
 * RX buffers one frame may span; a frame needing more is oversize. Enough
 * for a coalesced 64 KiB datagram in buffers of 3.5 KiB or more.
 */
#define VNET_HW_MAX_RX_BUFS	18
/* Largest TSO frame, and how far into it the headers may reach. */
#define VNET_HW_MAX_TSO		65535
#define VNET_HW_MAX_TSO_HDR	256
/* Descriptors per ring: a power of two within these limits. */
#define VNET_HW_RING_MIN_SIZE	64
#define VNET_HW_RING_MAX_SIZE	4096

/*
 * Global registers (32 bit).
 */
#define VNET_REG_ID		0x0000	/* RO: VNET_HW_ID */
#define VNET_REG_REV		0x0004	/* RO: VNET_HW_REV */
#define VNET_REG_CAP		0x0008	/* RO */
#define VNET_CAP_MAX_QUEUES_MASK	GENMASK(7, 0)
#define VNET_REG_MAC_LO		0x0010	/* RO: MAC bytes 0..3, byte 0 low */
#define VNET_REG_MAC_HI		0x0014	/* RO: MAC bytes 4..5 in [15:0] */
#define VNET_REG_STATUS		0x0018	/* RO */
#define VNET_STATUS_LINK_UP		BIT(0)	/* MAC on, partner's MAC on */
#define VNET_REG_CTRL		0x001c	/* RW */
#define VNET_CTRL_MAC_EN		BIT(0)	/* take part in the link */
#define VNET_CTRL_RX_CSUM		BIT(1)	/* report RX checksums */
#define VNET_CTRL_RX_HASH		BIT(2)	/* report RSS hashes */
#define VNET_CTRL_FLT_EN		BIT(3)	/* apply the flow rules */
#define VNET_CTRL_RX_RSC		BIT(4)	/* TCP coalescing (RSC) */
/*
 * Longest frame the RX engine takes, FCS excluded (RW, [15:0]; writes
 * above VNET_HW_MAX_FRAME hold that). Longer frames are counted oversize.
 */
#define VNET_REG_MAX_FRAME	0x0020
#define VNET_MAX_FRAME_MASK		GENMASK(15, 0)
#define VNET_MAX_FRAME_RESET		1518
/*
 * Receive segment coalescing (RSC, hardware GRO). With CTRL.RX_RSC and
 * CTRL.RX_CSUM each RX queue holds up to 512 open aggregates in 256 KiB of
 * its own memory, one per flow. A TCP segment, over IPv4 without options
 * or IPv6 without a fragment header (or in IPv4-in-IPv4 or
 * IPv6-in-IPv6 so), no VLAN tag, that carries data, correct IP and TCP
 * checksums and none of URG, PSH, RST, SYN, FIN opens one, if a context,
 * the memory and a posted buffer are free (else it is received on its
 * own). The next segments of its flow join it while they follow in
 * sequence, carry at most the first one's payload and match its headers
 * as Linux's GRO would have them match (per IP header: TOS, TTL or hop
 * limit, DF, an IPv4 ID that is fixed or counts up by one, IPv6 extension
 * headers; TCP flags but PSH and FIN, window, ACK, options). An aggregate
 * closes after a segment shorter than the first, or with PSH or FIN, at
 * VNET_HW_RSC_MAX_SEGS segments, when the next segment would take the
 * datagram to 64 KiB or beyond 18 buffers of the size posted when it
 * opened, or its memory is short, when a frame of its flow cannot join (or
 * an IP fragment between its hosts arrives), when the queue has had no
 * TCP segment for RSC_USECS (RW, [15:0]), or 64 RSC_USECS after it opened
 * however busy the queue (software GRO holds a packet up to a jiffy).
 * Other flows' frames pass it by. It is written back when it closes, as
 * one frame: the first segment's headers with IP lengths (and IPv4 header
 * checksums) and PSH/FIN rewritten; the TCP checksum is left as the first
 * segment had it. Its first descriptor says how many segments it holds and
 * the first one's payload (MSS); the last says L4_OK, and no sum. No
 * posted buffer for it then: its segments count as missed.
 */
#define VNET_REG_RSC_USECS	0x0024
#define VNET_RSC_USECS_MASK		GENMASK(15, 0)
#define VNET_RSC_USECS_RESET		50
#define VNET_HW_RSC_MAX_SEGS	64

/*
 * Receive-side scaling. The RX engine hashes a frame (Toeplitz) over the
 * fields RSS_FIELDS selects for its flow type, with the key of the frame's
 * RSS context; the hash's low 7 bits index that context's indirection
 * table, whose entry is the RX queue. Frames use context 0, which is
 * always on, unless a flow rule names another (FLT_ACTION RSS and CTX):
 * then the rule's queue is added to the entry (modulo the queue count the
 * device has). A frame sent to a queue whose ring is off is missed.
 */
#define VNET_HW_RSS_CONTEXTS	8
#define VNET_HW_RSS_TABLE_SIZE	128
#define VNET_HW_RSS_KEY_LEN	40
/* Hash fields, one register per flow type (RW). */
#define VNET_REG_RSS_FIELDS(t)	(0x0080 + (t) * 4)
#define VNET_REG_RSS_FIELDS_END	VNET_REG_RSS_FIELDS(VNET_RSS_NR_FLOWS)
enum vnet_rss_flow {
	VNET_RSS_FLOW_TCP4,
	VNET_RSS_FLOW_UDP4,
	VNET_RSS_FLOW_IP4,	/* other IPv4, and fragments */
	VNET_RSS_FLOW_TCP6,
	VNET_RSS_FLOW_UDP6,
	VNET_RSS_FLOW_IP6,	/* other IPv6, and fragments */
	VNET_RSS_NR_FLOWS
};

#define VNET_RSS_F_IP_SRC		BIT(0)
#define VNET_RSS_F_IP_DST		BIT(1)
#define VNET_RSS_F_L4_SRC		BIT(2)	/* TCP/UDP flows only */
#define VNET_RSS_F_L4_DST		BIT(3)	/* TCP/UDP flows only */
#define VNET_RSS_F_IP6_FL		BIT(4)	/* IPv6 flows only */
#define VNET_RSS_F_MASK			GENMASK(4, 0)
/* Context c's registers (RW): key, control, indirection table. */
#define VNET_REG_RSS_CTX(c, reg)	(0x0400 + (c) * 0x100 + (reg))
#define VNET_RSS_CTX_KEY(n)		((n) * 4)	/* byte 4n in [7:0] */
#define VNET_RSS_KEY_REGS		(VNET_HW_RSS_KEY_LEN / 4)
#define VNET_RSS_CTX_CTRL		0x28
#define VNET_RSS_CTX_EN				BIT(0)	/* context 0: always */
/* Symmetric input: the hash sees src ^ dst (and src | dst) for both. */
#define VNET_RSS_CTX_SYM_XOR			BIT(1)
#define VNET_RSS_CTX_SYM_OR_XOR			BIT(2)
/* Entries 4n..4n+3, entry 4n in [7:0]; each keeps ENTRY_MASK. */
#define VNET_RSS_CTX_RETA(n)		(0x40 + (n) * 4)
#define VNET_RSS_RETA_REGS		(VNET_HW_RSS_TABLE_SIZE / 4)
#define VNET_RSS_RETA_ENTRY_MASK	GENMASK(2, 0)
#define VNET_REG_RSS_END	VNET_REG_RSS_CTX(VNET_HW_RSS_CONTEXTS, 0)

/*
 * Per-queue registers: queue q's block starts at VNET_REG_Q(q, 0). Each
 * queue is one TX ring, one RX ring and one interrupt vector.
 */
#define VNET_REG_Q_SIZE		0x200
#define VNET_REG_Q(q, reg)	(0x1000 + (q) * VNET_REG_Q_SIZE + (reg))
#define VNET_REG_Q_IDX_MASK	GENMASK(11, 9)
#define VNET_REG_Q_OFF_MASK	GENMASK(8, 0)

/*
 * Both rings of a queue have the same register layout, each at its own
 * offset in the queue's block. BASE is the 64-bit bus address of the
 * descriptor array; LEN its size in descriptors. BASE, LEN and HEAD are
 * latched when CTRL enables the ring; HEAD is read-only while enabled.
 */
#define VNET_RING_BASE_LO	0x00
#define VNET_RING_BASE_HI	0x04
#define VNET_RING_LEN		0x08
#define VNET_RING_TAIL		0x0c	/* doorbell: producer's next slot */
#define VNET_RING_HEAD		0x10	/* consumer's next slot */
#define VNET_RING_CTRL		0x14
#define VNET_RING_CTRL_ENABLE		BIT(0)
#define VNET_RING_REGS_SIZE	0x18

/* TX ring: the driver produces descriptors, the device consumes them. */
#define VNET_QREG_TX_RING	0x00
#define VNET_QREG_TX_BASE_LO	(VNET_QREG_TX_RING + VNET_RING_BASE_LO)
#define VNET_QREG_TX_BASE_HI	(VNET_QREG_TX_RING + VNET_RING_BASE_HI)
#define VNET_QREG_TX_LEN	(VNET_QREG_TX_RING + VNET_RING_LEN)
#define VNET_QREG_TX_TAIL	(VNET_QREG_TX_RING + VNET_RING_TAIL)
#define VNET_QREG_TX_HEAD	(VNET_QREG_TX_RING + VNET_RING_HEAD)
#define VNET_QREG_TX_CTRL	(VNET_QREG_TX_RING + VNET_RING_CTRL)
/* RX ring: the driver posts buffers up to TAIL, the device fills them. */
#define VNET_QREG_RX_RING	0x20
#define VNET_QREG_RX_BASE_LO	(VNET_QREG_RX_RING + VNET_RING_BASE_LO)
#define VNET_QREG_RX_BASE_HI	(VNET_QREG_RX_RING + VNET_RING_BASE_HI)
#define VNET_QREG_RX_LEN	(VNET_QREG_RX_RING + VNET_RING_LEN)
#define VNET_QREG_RX_TAIL	(VNET_QREG_RX_RING + VNET_RING_TAIL)
#define VNET_QREG_RX_HEAD	(VNET_QREG_RX_RING + VNET_RING_HEAD)
#define VNET_QREG_RX_CTRL	(VNET_QREG_RX_RING + VNET_RING_CTRL)

/*
 * Interrupts. A cause bit is set when the device completes TX descriptors or
 * writes back RX descriptors. A vector fires when a cause is pending and the
 * vector is unmasked, after the cause's delay from ITR has elapsed (at once
 * if the delay is 0), or as soon as the frames completed for a cause since
 * the vector last fired reach that cause's count in ITR_FRAMES (0: no count
 * limit). Firing auto-masks the vector; the driver unmasks it by writing IMS
 * once it has finished polling. Causes that arrive while masked fire on
 * unmask, so no event is lost. Link changes raise LSC on queue 0's vector,
 * at once.
 */
#define VNET_QREG_ICR		0x40	/* RC: pending causes, read clears */
#define VNET_QREG_IMS		0x44	/* WO: any write unmasks the vector */
#define VNET_QREG_IMC		0x48	/* WO: any write masks the vector */
#define VNET_ICR_TX			BIT(0)
#define VNET_ICR_RX			BIT(1)
#define VNET_ICR_LSC			BIT(2)	/* queue 0 only */
#define VNET_QREG_ITR		0x4c	/* RW: interrupt delay per cause */
#define VNET_ITR_RX_USECS_MASK		GENMASK(11, 0)
#define VNET_ITR_TX_USECS_MASK		GENMASK(27, 16)
#define VNET_QREG_ITR_FRAMES	0x50	/* RW: frame count per cause */
#define VNET_ITR_RX_FRAMES_MASK		GENMASK(11, 0)
#define VNET_ITR_TX_FRAMES_MASK		GENMASK(27, 16)

/* Statistics counters: 64 bit, read-only, read with vnet_hw_rd64(). */
#define VNET_QREG_STAT(n)	(0x80 + (n) * 8)
#define VNET_REG_Q_STAT(q, n)	VNET_REG_Q(q, VNET_QREG_STAT(n))

enum vnet_hw_stat {
	VNET_HW_STAT_IRQS,		/* times the vector fired */
	VNET_HW_STAT_TX_ERRORS,		/* malformed TX chains, dropped */
	VNET_HW_STAT_RX_MISSED,		/* no RX descriptor posted: dropped */
	VNET_HW_STAT_RX_OVERSIZE,	/* frame larger than the RX buffer */
	VNET_HW_STAT_TX_NO_LINK,	/* sent with the link down: dropped */
	VNET_HW_STAT_TX_TSO_SEGS,	/* frames cut from TSO frames */
	/* Injected faults (debugfs vnet/<device>/fault_*) */
	VNET_HW_STAT_FAULT_DROPS,	/* TX frames lost on the wire */
	VNET_HW_STAT_FAULT_CORRUPTS,	/* TX frames with a byte flipped */
	VNET_HW_STAT_FAULT_LOST_IRQS,	/* fires that never reached the CPU */
	VNET_HW_STAT_FAULT_TX_HANGS,	/* TX engine hung until ring reset */
	VNET_HW_STAT_FAULT_DELAYS,	/* fires held back by the delay */
	VNET_HW_NR_STATS
};

/*
 * Flow rules (ntuple): VNET_HW_FLT_RULES of them, tried in index order
 * before RSS while CTRL.FLT_EN is set; the first that matches a frame
 * decides: drop it, put it on the rule's queue (the RSS hash is still
 * reported), or with ACTION.RSS spread it with context ACTION.CTX (its
 * key and table; the rule's queue is added to the table's entry, modulo
 * VNET_HW_MAX_QUEUES; a context that is off means context 0). A rule is
 * written whole: the driver fills the FLT_* staging registers and writes
 * FLT_CMD with WRITE and the rule's index; CLEAR
 * turns a rule off; READ_HITS latches its hit counter into FLT_HITS.
 * Addresses are bytes in network order, byte 4n in [7:0] of word n (IPv4:
 * word 0); a 1 bit in a mask compares that bit. A TCP or UDP rule matches
 * only whole (unfragmented) datagrams of that protocol with their header;
 * an IP4/IP6 rule any frame of that IP version, by addresses only.
 */
#define VNET_HW_FLT_RULES	64
#define VNET_REG_FLT_SRC(n)		(0x0100 + (n) * 4)
#define VNET_REG_FLT_SRC_MASK(n)	(0x0110 + (n) * 4)
#define VNET_REG_FLT_DST(n)		(0x0120 + (n) * 4)
#define VNET_REG_FLT_DST_MASK(n)	(0x0130 + (n) * 4)
#define VNET_REG_FLT_PORTS		0x0140	/* src [15:0], dst [31:16] */
#define VNET_REG_FLT_PORTS_MASK		0x0144
#define VNET_REG_FLT_MATCH		0x0148
#define VNET_FLT_MATCH_FLOW_MASK		GENMASK(2, 0)	/* rss_flow */
#define VNET_REG_FLT_ACTION		0x014c
#define VNET_FLT_ACTION_QUEUE_MASK		GENMASK(2, 0)
#define VNET_FLT_ACTION_CTX_MASK		GENMASK(10, 8)
#define VNET_FLT_ACTION_RSS			BIT(30)
#define VNET_FLT_ACTION_DROP			BIT(31)
#define VNET_REG_FLT_CMD		0x0150	/* WO */
#define VNET_FLT_CMD_INDEX_MASK			GENMASK(5, 0)
#define VNET_FLT_CMD_OP_MASK			GENMASK(31, 30)
#define VNET_FLT_CMD_WRITE			1
#define VNET_FLT_CMD_CLEAR			2
#define VNET_FLT_CMD_READ_HITS			3
#define VNET_REG_FLT_HITS_LO		0x0154	/* RO: latched by READ_HITS */
#define VNET_REG_FLT_HITS_HI		0x0158
#define VNET_FLT_ADDR_WORDS		4

/* Every block, counter and queue must fit its part of the register map. */
static_assert(VNET_REG_RSS_FIELDS(0) + 4 * VNET_RSS_NR_FLOWS <=
	      VNET_REG_FLT_SRC(0));
static_assert(VNET_REG_FLT_HITS_HI + 4 <= VNET_REG_RSS_CTX(0, 0));
static_assert(VNET_FLT_CMD_INDEX_MASK + 1 >= VNET_HW_FLT_RULES);
static_assert(VNET_REG_RSS_FIELDS(VNET_RSS_NR_FLOWS) <= VNET_REG_RSS_CTX(0, 0));
static_assert(VNET_RSS_CTX_KEY(VNET_RSS_KEY_REGS) <= VNET_RSS_CTX_CTRL);
static_assert(VNET_RSS_CTX_RETA(VNET_RSS_RETA_REGS) <= 0x100);
static_assert(VNET_REG_RSS_CTX(VNET_HW_RSS_CONTEXTS, 0) <= VNET_REG_Q(0, 0));
static_assert(VNET_RSS_RETA_ENTRY_MASK + 1 >= VNET_HW_MAX_QUEUES);
static_assert(VNET_QREG_TX_RING + VNET_RING_REGS_SIZE <= VNET_QREG_RX_RING);
static_assert(VNET_QREG_RX_RING + VNET_RING_REGS_SIZE <= VNET_QREG_ICR);
static_assert(VNET_QREG_STAT(VNET_HW_NR_STATS) <= VNET_REG_Q_SIZE);
static_assert(VNET_REG_Q(VNET_HW_MAX_QUEUES, 0) <=
	      VNET_REG_Q(0, 0) + VNET_REG_Q_IDX_MASK + VNET_REG_Q_OFF_MASK + 1);

/*
 * Descriptors: two little-endian 64-bit words. The bus address is the
 * buffer's kernel virtual address (the emulation has no IOMMU).
 *
 * TX: the driver writes addr and cmd (length, EOP on a frame's last
 * descriptor) before moving the tail. The device writes cmd back with DD set
 * on the EOP descriptor once the whole frame is on the wire. The offload
 * fields are read from a frame's first descriptor only:
 * - CSUM: store the ones-complement sum of the frame from CSUM_START to its
 *   end at CSUM_START + CSUM_OFF (the field holds the pseudo-header sum).
 * - TSO: the frame is Ethernet, IPv4 or IPv6, then TCP at CSUM_START. The
 *   device cuts the payload after the TCP header into MSS-byte segments,
 *   each sent with a copy of the headers: IPv4 length, ID (+1 per segment)
 *   and header checksum, IPv6 payload length, TCP sequence number, flags
 *   (FIN and PSH on the last segment only, CWR on the first only) and TCP
 *   checksum (computed in full, pseudo-header included) rewritten. The
 *   headers must lie within VNET_HW_MAX_TSO_HDR bytes and the frame within
 *   VNET_HW_MAX_TSO bytes; each segment within VNET_HW_MAX_FRAME.
 */
struct vnet_tx_desc {
	__le64 addr;
	__le64 cmd;
};

#define VNET_TXD_LEN_MASK		GENMASK_ULL(15, 0)
#define VNET_TXD_MSS_MASK		GENMASK_ULL(29, 16)
#define VNET_TXD_CSUM_START_MASK	GENMASK_ULL(39, 30)
#define VNET_TXD_CSUM_OFF_MASK		GENMASK_ULL(47, 40)
#define VNET_TXD_TSO			BIT_ULL(60)
#define VNET_TXD_CSUM			BIT_ULL(61)
#define VNET_TXD_EOP			BIT_ULL(62)
#define VNET_TXD_DD			BIT_ULL(63)

/*
 * RX: the driver posts addr and the buffer length. A frame fills as many
 * posted buffers as it needs, in ring order, each one whole before the
 * next (up to VNET_HW_MAX_RX_BUFS; the device takes them only if all are
 * posted, else the frame is missed). The device writes both words of each
 * back: the first with, on a frame's first descriptor, the RSS hash of the
 * frame (if CTRL.RX_HASH) and its type, and RSC's segment count and MSS
 * for an aggregate of two segments or more, 0 on the others; the second with
 * the bytes written to that buffer and DD, and, on the last descriptor,
 * EOP and (if CTRL.RX_CSUM) the 16-bit ones-complement sum of the whole
 * frame after its 14-byte Ethernet header. With CTRL.RX_CSUM the engine
 * also checks the TCP or UDP checksum of a whole, unfragmented IPv4/IPv6
 * datagram over the length its IP header gives (padding excluded) and
 * says L4_OK or L4_BAD; neither when it did not check (not TCP/UDP, a
 * fragment, a truncated datagram, an IPv6 routing header, UDP over IPv4
 * without a checksum).
 */
struct vnet_rx_desc {
	__le64 addr;
	__le64 cmd;
};

#define VNET_RXD_BUF_LEN_MASK		GENMASK_ULL(15, 0)
#define VNET_RXD_PKT_LEN_MASK		GENMASK_ULL(31, 16)
#define VNET_RXD_CSUM_MASK		GENMASK_ULL(47, 32)
#define VNET_RXD_L4_OK			BIT_ULL(59)
#define VNET_RXD_L4_BAD			BIT_ULL(60)
#define VNET_RXD_CSUM_VALID		BIT_ULL(61)
#define VNET_RXD_EOP			BIT_ULL(62)
#define VNET_RXD_DD			BIT_ULL(63)
/* Write-back layout of the first word */
#define VNET_RXD_WB_HASH_MASK		GENMASK_ULL(31, 0)
#define VNET_RXD_WB_HASH_TYPE_MASK	GENMASK_ULL(33, 32)
#define VNET_RXD_HASH_NONE			0	/* not IP */
#define VNET_RXD_HASH_L3			1	/* addresses */
#define VNET_RXD_HASH_L4			2	/* addresses, ports */
#define VNET_RXD_WB_RSC_SEGS_MASK	GENMASK_ULL(41, 34)
#define VNET_RXD_WB_RSC_MSS_MASK	GENMASK_ULL(57, 42)

static_assert(sizeof(struct vnet_tx_desc) == 16);
static_assert(sizeof(struct vnet_rx_desc) == 16);

/*
 * Bus-level interface: what a PCI core and an MMIO BAR would give a real
 * driver. vnet_hw_wr32() orders all earlier memory writes (descriptors)
 * before the register update, as writel() does. The doorbells (TX_TAIL,
 * RX_TAIL), ITR and IMC may be written from any context, interrupts
 * disabled included (netpoll rings TX_TAIL so); every other register from
 * process or softirq context with interrupts enabled.
 */
struct vnet_hw;

u32 vnet_hw_rd32(struct vnet_hw *hw, u32 reg);
u64 vnet_hw_rd64(struct vnet_hw *hw, u32 reg);
void vnet_hw_wr32(struct vnet_hw *hw, u32 reg, u32 val);
/*
 * The Linux IRQ of vector @vec, as pci_irq_vector() gives it: it exists as
 * long as the device, whether a driver has requested it or not. The device
 * sends it to the CPU its affinity names, in hard-IRQ context.
 */
unsigned int vnet_hw_irq_vector(struct vnet_hw *hw, int vec);
const char *vnet_hw_bus_name(struct vnet_hw *hw);
/*
 * The struct device a driver maps memory for, as &pci_dev->dev: a
 * platform device with direct, 64-bit DMA. The bus addresses the mapping
 * API returns are physical ones, which this device does not take: its
 * descriptors still carry kernel virtual addresses. Frameworks that insist
 * on a mapping (AF_XDP's pools) get one all the same.
 */
struct device;
struct device *vnet_hw_dma_dev(struct vnet_hw *hw);

#endif /* _VNET_HW_H_ */
