// SPDX-License-Identifier: GPL-2.0
/* vnet emulated device: TX offloads (checksum insertion, TSO). */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/checksum.h>
#include <net/ip6_checksum.h>
#include <net/tcp.h>

#include "hw_emul.h"
#include "vnet_compat.h"

/*
 * The one-pass copy (and sum) of a frame out of its TX buffers, checksum
 * insertion, and TSO, which cuts a frame into MSS-sized wire frames with
 * their headers rewritten.
 */

/*
 * Copy @len bytes from offset @off of the frame's buffers to @dst. Callers
 * stay within the frame (off + len <= f->len), so the walk never runs past
 * the last buffer. With @csum the copy also sums the bytes (one pass, as a
 * NIC's DMA engine does) and returns their sum, as if @dst were aligned.
 */
__wsum vnet_hw_frame_copy(const struct vnet_hw_frame *f, u32 off, u8 *dst,
			  u32 len, bool csum)
{
	const struct vnet_hw_sg *sg = f->buf;
	__wsum sum = 0;
	u32 pos = 0;

	if (!len)
		return 0;
	while (off >= sg->len) {
		off -= sg->len;
		sg++;
	}
	while (pos < len) {
		u32 n = min(len - pos, sg->len - off);
		const u8 *src = sg->addr + off;
		__wsum part;

		if (csum) {
			part = csum_partial_copy_nocheck(src, dst + pos, n);
			sum = csum_block_add(sum, part, pos);
		} else {
			memcpy(dst + pos, src, n);
		}
		pos += n;
		off = 0;
		sg++;
	}
	return sum;
}

/* Bytes of wire frame @seg: headers plus its share of the payload. */
u32 vnet_hw_seg_len(const struct vnet_hw_frame *f, u32 seg)
{
	if (!f->tso)
		return f->len;
	return f->hdr_len + min(f->mss, f->len - f->hdr_len - seg * f->mss);
}

/*
 * Checksum insertion works on the device's own copy of the frame: the
 * buffers may be shared (TCP keeps clones for retransmission). @l3sum, if
 * not NULL, is the sum of the frame after its Ethernet header: the sum to
 * insert is derived from it rather than read again, and it is updated for
 * the inserted field.
 */
static void vnet_hw_tx_csum(u8 *frame, u32 len, u64 cmd, __wsum *l3sum)
{
	u32 start = FIELD_GET(VNET_TXD_CSUM_START_MASK, cmd);
	u32 pos = start + FIELD_GET(VNET_TXD_CSUM_OFF_MASK, cmd);
	__wsum l4, old;
	__sum16 check;

	if (l3sum && start < ETH_HLEN) {
		/* A field in the Ethernet header: nothing to derive from. */
		vnet_hw_tx_csum(frame, len, cmd, NULL);
		*l3sum = csum_partial(frame + ETH_HLEN, len - ETH_HLEN, 0);
		return;
	}

	/* The field holds the pseudo-header sum; fold it in with the rest. */
	if (l3sum) {
		l4 = csum_sub(*l3sum, csum_partial(frame + ETH_HLEN,
						   start - ETH_HLEN, 0));
		/* Undo the odd-offset byte swap (a swap is its own inverse). */
		l4 = csum_shift(l4, start - ETH_HLEN);
	} else {
		l4 = csum_partial(frame + start, len - start, 0);
	}
	check = csum_fold(l4);
	/* As skb_checksum_help(): 0 means "no checksum" to UDP. */
	if (!check)
		check = CSUM_MANGLED_0;

	old = csum_partial(frame + pos, sizeof(check), 0);
	memcpy(frame + pos, &check, sizeof(check));
	if (l3sum) {
		*l3sum = csum_block_sub(*l3sum, old, pos - ETH_HLEN);
		*l3sum = csum_block_add(*l3sum,
					csum_partial(frame + pos, sizeof(check),
						     0),
					pos - ETH_HLEN);
	}
}

/*
 * Rewrite the headers copied into TSO segment @seg of @len bytes; @paysum
 * is the sum of its payload.
 */
static void vnet_hw_tso_fixup(const struct vnet_hw_frame *f, u8 *frame,
			      u32 len, u32 seg, __wsum paysum)
{
	const struct vnet_flow *fl = &f->flow;
	u32 l4_len = len - fl->l4_off;
	u8 *ip = frame + fl->l3_off;
	u8 *th = frame + fl->l4_off;
	__sum16 check = 0;
	__wsum sum;

	if (fl->ip_ver == 4) {
		struct iphdr *iph = (struct iphdr *)ip;
		u32 ihl = fl->l4_off - fl->l3_off;

		put_unaligned_be16(len - fl->l3_off, &iph->tot_len);
		put_unaligned_be16(get_unaligned_be16(&iph->id) + seg,
				   &iph->id);
		memset(&iph->check, 0, sizeof(iph->check));
		/* Any alignment: csum_partial(), not ip_fast_csum(). */
		check = csum_fold(csum_partial(iph, ihl, 0));
		memcpy(&iph->check, &check, sizeof(check));
	} else {
		put_unaligned_be16(len - fl->l3_off - sizeof(struct ipv6hdr),
				   &((struct ipv6hdr *)ip)->payload_len);
	}

	put_unaligned_be32(get_unaligned_be32(th + 4) + seg * f->mss, th + 4);
	if (seg != f->nsegs - 1)
		th[13] &= ~(TCPHDR_FIN | TCPHDR_PSH);
	if (seg)
		th[13] &= ~TCPHDR_CWR;

	memset(th + 16, 0, sizeof(check));
	/* TCP headers are whole 32-bit words: the payload sum is aligned. */
	sum = csum_add(csum_partial(th, fl->l4_hlen, 0), paysum);
	if (fl->ip_ver == 4) {
		check = csum_tcpudp_magic(get_unaligned((__be32 *)(ip + 12)),
					  get_unaligned((__be32 *)(ip + 16)),
					  l4_len, IPPROTO_TCP, sum);
	} else {
		struct in6_addr saddr, daddr;

		memcpy(&saddr, ip + 8, sizeof(saddr));
		memcpy(&daddr, ip + 24, sizeof(daddr));
		check = csum_ipv6_magic(&saddr, &daddr, l4_len, IPPROTO_TCP,
					sum);
	}
	memcpy(th + 16, &check, sizeof(check));
}

/*
 * Build wire frame @seg into @dst (vnet_hw_seg_len() bytes). With @l3sum,
 * also return the sum of the frame after its Ethernet header, for the
 * receiver's CHECKSUM_COMPLETE: every byte is read once.
 */
u32 vnet_hw_seg_build(const struct vnet_hw_frame *f, u32 seg, u8 *dst,
		      __wsum *l3sum)
{
	u32 len = vnet_hw_seg_len(f, seg);
	__wsum paysum;

	if (!f->tso) {
		if (l3sum) {
			/* vnet_hw_frame_check() made sure len >= ETH_HLEN. */
			vnet_hw_frame_copy(f, 0, dst, ETH_HLEN, false);
			*l3sum = vnet_hw_frame_copy(f, ETH_HLEN, dst + ETH_HLEN,
						    len - ETH_HLEN, true);
		} else {
			vnet_hw_frame_copy(f, 0, dst, len, false);
		}
		if (f->cmd & VNET_TXD_CSUM)
			vnet_hw_tx_csum(dst, len, f->cmd, l3sum);
		return len;
	}

	memcpy(dst, f->head, f->hdr_len);
	paysum = vnet_hw_frame_copy(f, f->hdr_len + seg * f->mss,
				    dst + f->hdr_len, len - f->hdr_len, true);
	vnet_hw_tso_fixup(f, dst, len, seg, paysum);
	if (l3sum)
		*l3sum = csum_block_add(csum_partial(dst + ETH_HLEN,
						     f->hdr_len - ETH_HLEN, 0),
					paysum, f->hdr_len - ETH_HLEN);
	return len;
}
