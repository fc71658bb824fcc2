// SPDX-License-Identifier: GPL-2.0
/*
 * vnet_xsk: AF_XDP traffic for t72_xsk.sh, without libxdp or libbpf (raw
 * syscalls; the XDP program is a few hand-assembled instructions).
 *
 *   vnet_xsk xsk IFNAME QUEUE RXN TXN SECONDS [zc|copy] [READYFILE]
 *	bind an AF_XDP socket to IFNAME's QUEUE (XDP_ZEROCOPY by default,
 *	need_wakeup), attach a program that redirects frames of EtherType
 *	0x88b5 to it (and passes the rest), create READYFILE, receive RXN
 *	test frames and check each, then send TXN test frames and wait for
 *	their completions; all within SECONDS. Prints one summary line;
 *	exits 0 only if every frame arrived intact and every send completed.
 *   vnet_xsk send IFNAME N [FIRST]
 *	send N test frames (sequence numbers from FIRST, default 0) through
 *	an AF_PACKET socket.
 *   vnet_xsk recv IFNAME N SECONDS [READYFILE]
 *	count and check test frames on an AF_PACKET socket until N arrived.
 *
 * A test frame: broadcast, EtherType 0x88b5, then a magic, its sequence
 * number and its length, then bytes (seq + i) & 0xff; lengths vary from
 * 60 to 1460 bytes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef AF_XDP
#define AF_XDP		44
#endif
#ifndef SOL_XDP
#define SOL_XDP		283
#endif

#define TEST_PROTO	0x88b5
#define TEST_MAGIC	0x76786b73u	/* "vxks" */
#define NUM_FRAMES	4096
#define FRAME_SIZE	4096
#define RING_SIZE	2048		/* each ring; half the frames fill */
#define MAX_SEQ		(1u << 20)

struct ring {
	uint32_t *prod, *cons, *flags;
	void *descs;
	uint32_t size;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "vnet_xsk: %s: %s\n", what, strerror(errno));
	exit(2);
}

static uint32_t frame_len(uint32_t seq)
{
	return 60 + (seq * 37) % 1400;
}

/* Build test frame @seq into @buf (from @src); returns its length. */
static uint32_t frame_build(uint8_t *buf, const uint8_t *src, uint32_t seq)
{
	uint32_t len = frame_len(seq), i, v;

	memset(buf, 0xff, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = TEST_PROTO >> 8;
	buf[13] = TEST_PROTO & 0xff;
	v = htonl(TEST_MAGIC);
	memcpy(buf + 14, &v, 4);
	v = htonl(seq);
	memcpy(buf + 18, &v, 4);
	v = htonl(len);
	memcpy(buf + 22, &v, 4);
	for (i = 26; i < len; i++)
		buf[i] = (seq + i) & 0xff;
	return len;
}

/* The sequence number of an intact test frame, or -1. */
static long frame_check(const uint8_t *buf, uint32_t len)
{
	uint32_t magic, seq, flen, i;

	if (len < 26 || buf[12] != (TEST_PROTO >> 8) ||
	    buf[13] != (TEST_PROTO & 0xff))
		return -1;
	memcpy(&magic, buf + 14, 4);
	memcpy(&seq, buf + 18, 4);
	memcpy(&flen, buf + 22, 4);
	seq = ntohl(seq);
	flen = ntohl(flen);
	if (ntohl(magic) != TEST_MAGIC || flen != len ||
	    flen != frame_len(seq) || seq >= MAX_SEQ)
		return -1;
	for (i = 26; i < len; i++)
		if (buf[i] != ((seq + i) & 0xff))
			return -1;
	return seq;
}

static void if_mac(int fd, const char *ifname, uint8_t *mac)
{
	struct ifreq ifr = {};

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		die("SIOCGIFHWADDR");
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
}

static void ready(const char *file)
{
	int fd;

	if (!file)
		return;
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die(file);
	close(fd);
}

/* Seen-once bookkeeping shared by both receivers. */
static uint8_t seen[MAX_SEQ / 8];
static unsigned long got, bad, dups;

static void account(const uint8_t *buf, uint32_t len, int any_proto)
{
	long seq = frame_check(buf, len);

	if (seq < 0) {
		/* Frames of other protocols pass by on AF_PACKET only. */
		if (any_proto || (len >= 14 && buf[12] == (TEST_PROTO >> 8) &&
				  buf[13] == (TEST_PROTO & 0xff)))
			bad++;
		return;
	}
	if (seen[seq / 8] & (1u << (seq % 8))) {
		dups++;
		return;
	}
	seen[seq / 8] |= 1u << (seq % 8);
	got++;
}

/* AF_PACKET */

static int packet_socket(const char *ifname, uint16_t proto)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(proto),
		.sll_ifindex = if_nametoindex(ifname),
	};
	int fd;

	if (!sll.sll_ifindex)
		die(ifname);
	fd = socket(AF_PACKET, SOCK_RAW, htons(proto));
	if (fd < 0)
		die("socket(AF_PACKET)");
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		die("bind(AF_PACKET)");
	return fd;
}

static int cmd_send(const char *ifname, unsigned long n, unsigned long first)
{
	int fd = packet_socket(ifname, TEST_PROTO);
	uint8_t buf[2048], mac[6];
	unsigned long seq;

	if_mac(fd, ifname, mac);
	for (seq = first; seq < first + n; seq++) {
		uint32_t len = frame_build(buf, mac, seq);

		while (send(fd, buf, len, 0) < 0) {
			if (errno != ENOBUFS && errno != EAGAIN)
				die("send(AF_PACKET)");
			usleep(100);
		}
	}
	printf("send: %lu frames\n", n);
	return 0;
}

static int cmd_recv(const char *ifname, unsigned long n, int secs,
		    const char *file)
{
	int fd = packet_socket(ifname, TEST_PROTO), rcvbuf = 16 << 20;
	double end = now() + secs;
	uint8_t buf[4096];

	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));

	ready(file);
	while (got < n && now() < end) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t len;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (len > 0)
			account(buf, len, 1);
	}
	printf("recv: %lu/%lu frames, %lu bad, %lu duplicates\n", got, n,
	       bad, dups);
	return got == n && !bad && !dups ? 0 : 1;
}

/* BPF, raw */

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
			    .off = (o), .imm = (i) })

/*
 * Redirect frames of EtherType TEST_PROTO to the socket of their RX
 * queue in @map_fd (XDP_PASS if none), pass everything else.
 */
static int xdp_prog_load(int map_fd)
{
	struct bpf_insn prog[] = {
		/* r2 = data, r3 = data_end */
		INSN(BPF_LDX | BPF_MEM | BPF_W, 2, 1, 0, 0),
		INSN(BPF_LDX | BPF_MEM | BPF_W, 3, 1, 4, 0),
		/* if data + 14 > data_end: pass */
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 4, 2, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, 4, 0, 0, 14),
		INSN(BPF_JMP | BPF_JGT | BPF_X, 4, 3, 8, 0),
		/* if h_proto != TEST_PROTO: pass (a little-endian load) */
		INSN(BPF_LDX | BPF_MEM | BPF_H, 4, 2, 12, 0),
		INSN(BPF_JMP | BPF_JNE | BPF_K, 4, 0, 6,
		     (TEST_PROTO >> 8) | (TEST_PROTO & 0xff) << 8),
		/* return bpf_redirect_map(map, rx_queue_index, XDP_PASS) */
		INSN(BPF_LDX | BPF_MEM | BPF_W, 2, 1,
		     offsetof(struct xdp_md, rx_queue_index), 0),
		INSN(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0,
		     map_fd),
		INSN(0, 0, 0, 0, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, XDP_PASS),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_redirect_map),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
		/* pass: */
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, XDP_PASS),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	static char log[65536];
	union bpf_attr attr = {};
	int fd;

	attr.prog_type = BPF_PROG_TYPE_XDP;
	attr.expected_attach_type = BPF_XDP;
	attr.insns = (uintptr_t)prog;
	attr.insn_cnt = sizeof(prog) / sizeof(prog[0]);
	attr.license = (uintptr_t)"GPL";
	attr.log_buf = (uintptr_t)log;
	attr.log_size = sizeof(log);
	attr.log_level = 1;
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd < 0) {
		fprintf(stderr, "%s\n", log);
		die("BPF_PROG_LOAD");
	}
	return fd;
}

/* The program stays attached while the link's fd is open: until exit. */
static int xdp_attach(int prog_fd, int ifindex)
{
	union bpf_attr attr = {};
	int fd;

	attr.link_create.prog_fd = prog_fd;
	attr.link_create.target_ifindex = ifindex;
	attr.link_create.attach_type = BPF_XDP;
	attr.link_create.flags = XDP_FLAGS_DRV_MODE;
	fd = sys_bpf(BPF_LINK_CREATE, &attr);
	if (fd < 0)
		die("BPF_LINK_CREATE (XDP, driver mode)");
	return fd;
}

static int xskmap_create(void)
{
	union bpf_attr attr = {};
	int fd;

	attr.map_type = BPF_MAP_TYPE_XSKMAP;
	attr.key_size = 4;
	attr.value_size = 4;
	attr.max_entries = 64;
	fd = sys_bpf(BPF_MAP_CREATE, &attr);
	if (fd < 0)
		die("BPF_MAP_CREATE (XSKMAP)");
	return fd;
}

static void xskmap_set(int map_fd, uint32_t key, int xsk_fd)
{
	union bpf_attr attr = {};
	uint32_t val = xsk_fd;

	attr.map_fd = map_fd;
	attr.key = (uintptr_t)&key;
	attr.value = (uintptr_t)&val;
	if (sys_bpf(BPF_MAP_UPDATE_ELEM, &attr) < 0)
		die("BPF_MAP_UPDATE_ELEM");
}

/* AF_XDP */

static void ring_map(struct ring *r, int fd, const struct xdp_ring_offset *o,
		     size_t desc_size, off_t pgoff)
{
	size_t len = o->desc + RING_SIZE * desc_size;
	uint8_t *map;

	map = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_POPULATE, fd, pgoff);
	if (map == MAP_FAILED)
		die("mmap(ring)");
	r->prod = (uint32_t *)(map + o->producer);
	r->cons = (uint32_t *)(map + o->consumer);
	r->flags = (uint32_t *)(map + o->flags);
	r->descs = map + o->desc;
	r->size = RING_SIZE;
}

static uint32_t load_acq(uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store_rel(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static void kick(int fd)
{
	/* TX needs a sendto() to start; RX a recvfrom() or poll(). */
	sendto(fd, NULL, 0, MSG_DONTWAIT, NULL, 0);
}

static int cmd_xsk(const char *ifname, uint32_t queue, unsigned long rxn,
		   unsigned long txn, int secs, int zc, const char *file)
{
	struct xdp_mmap_offsets off;
	struct ring fq, cq, rx, tx;
	int ifindex = if_nametoindex(ifname), fd, map_fd, prog_fd;
	unsigned long sent = 0, done = 0, i;
	double end = now() + secs;
	struct sockaddr_xdp sxdp;
	struct xdp_umem_reg mr;
	uint32_t free_tx[NUM_FRAMES / 2], nfree = 0;
	uint8_t *umem, mac[6];
	socklen_t optlen;
	int n = RING_SIZE, pfd;

	if (!ifindex)
		die(ifname);
	fd = socket(AF_XDP, SOCK_RAW, 0);
	if (fd < 0)
		die("socket(AF_XDP)");
	umem = mmap(NULL, (size_t)NUM_FRAMES * FRAME_SIZE,
		    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
		    MAP_POPULATE, -1, 0);
	if (umem == MAP_FAILED)
		die("mmap(umem)");
	memset(&mr, 0, sizeof(mr));
	mr.addr = (uintptr_t)umem;
	mr.len = (uint64_t)NUM_FRAMES * FRAME_SIZE;
	mr.chunk_size = FRAME_SIZE;
	if (setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &mr, sizeof(mr)) < 0)
		die("XDP_UMEM_REG");
	if (setsockopt(fd, SOL_XDP, XDP_UMEM_FILL_RING, &n, sizeof(n)) < 0 ||
	    setsockopt(fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &n,
		       sizeof(n)) < 0 ||
	    setsockopt(fd, SOL_XDP, XDP_RX_RING, &n, sizeof(n)) < 0 ||
	    setsockopt(fd, SOL_XDP, XDP_TX_RING, &n, sizeof(n)) < 0)
		die("setsockopt(rings)");
	optlen = sizeof(off);
	if (getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &optlen) < 0)
		die("XDP_MMAP_OFFSETS");
	if (optlen != sizeof(off)) {
		errno = EPROTO;
		die("XDP_MMAP_OFFSETS without flags");
	}
	ring_map(&fq, fd, &off.fr, sizeof(uint64_t), XDP_UMEM_PGOFF_FILL_RING);
	ring_map(&cq, fd, &off.cr, sizeof(uint64_t),
		 XDP_UMEM_PGOFF_COMPLETION_RING);
	ring_map(&rx, fd, &off.rx, sizeof(struct xdp_desc), XDP_PGOFF_RX_RING);
	ring_map(&tx, fd, &off.tx, sizeof(struct xdp_desc), XDP_PGOFF_TX_RING);

	/* The first half of the frames is for RX: all in the fill ring. */
	for (i = 0; i < RING_SIZE; i++)
		((uint64_t *)fq.descs)[i] = i * FRAME_SIZE;
	store_rel(fq.prod, RING_SIZE);
	for (i = 0; i < NUM_FRAMES / 2; i++)
		free_tx[nfree++] = NUM_FRAMES / 2 + i;

	memset(&sxdp, 0, sizeof(sxdp));
	sxdp.sxdp_family = AF_XDP;
	sxdp.sxdp_ifindex = ifindex;
	sxdp.sxdp_queue_id = queue;
	sxdp.sxdp_flags = (zc ? XDP_ZEROCOPY : XDP_COPY) |
			  XDP_USE_NEED_WAKEUP;
	if (bind(fd, (struct sockaddr *)&sxdp, sizeof(sxdp)) < 0)
		die(zc ? "bind(XDP_ZEROCOPY)" : "bind(XDP_COPY)");

	map_fd = xskmap_create();
	xskmap_set(map_fd, queue, fd);
	prog_fd = xdp_prog_load(map_fd);
	xdp_attach(prog_fd, ifindex);
	pfd = socket(AF_INET, SOCK_DGRAM, 0);
	if_mac(pfd, ifname, mac);
	close(pfd);
	ready(file);

	/* RX: each frame checked, its buffer straight back to the fill ring */
	while (got < rxn && now() < end) {
		uint32_t prod = load_acq(rx.prod), cons = *rx.cons;
		uint32_t fprod = *fq.prod;

		if (prod == cons) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			poll(&p, 1, 50);
			continue;
		}
		for (; cons != prod; cons++) {
			struct xdp_desc *d = (struct xdp_desc *)rx.descs +
					     (cons & (RING_SIZE - 1));

			account(umem + d->addr, d->len, 0);
			((uint64_t *)fq.descs)[fprod++ & (RING_SIZE - 1)] =
				d->addr & ~(uint64_t)(FRAME_SIZE - 1);
		}
		store_rel(rx.cons, cons);
		store_rel(fq.prod, fprod);
		if (*fq.flags & XDP_RING_NEED_WAKEUP)
			recvfrom(fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
	}

	/* TX: frames from the second half, reused as they complete */
	while (done < txn && now() < end) {
		uint32_t cprod = load_acq(cq.prod), ccons = *cq.cons;
		uint32_t tprod = *tx.prod, tcons = load_acq(tx.cons);

		for (; ccons != cprod; ccons++, done++)
			free_tx[nfree++] = ((uint64_t *)cq.descs)
				[ccons & (RING_SIZE - 1)] / FRAME_SIZE;
		store_rel(cq.cons, ccons);
		/* 32 a millisecond: the receiver never has to drop any. */
		for (i = 0; i < 32 && sent < txn && nfree &&
		     tprod - tcons < RING_SIZE; i++) {
			struct xdp_desc *d = (struct xdp_desc *)tx.descs +
					     (tprod & (RING_SIZE - 1));
			uint64_t addr = (uint64_t)free_tx[--nfree] * FRAME_SIZE;

			d->addr = addr;
			d->len = frame_build(umem + addr, mac, sent);
			d->options = 0;
			tprod++;
			sent++;
		}
		store_rel(tx.prod, tprod);
		if (done < txn) {
			if (!zc || (*tx.flags & XDP_RING_NEED_WAKEUP))
				kick(fd);
			usleep(1000);
		}
	}
	printf("xsk: %s rx %lu/%lu, %lu bad, %lu duplicates; tx %lu/%lu sent, %lu completed\n",
	       zc ? "zerocopy" : "copy", got, rxn, bad, dups, sent, txn, done);
	return got >= rxn && !bad && !dups && done == txn ? 0 : 1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 7 && !strcmp(argv[1], "xsk"))
		return cmd_xsk(argv[2], atoi(argv[3]), strtoul(argv[4], NULL, 0),
			       strtoul(argv[5], NULL, 0), atoi(argv[6]),
			       argc < 8 || strcmp(argv[7], "copy"),
			       argc >= 9 ? argv[8] : NULL);
	if (argc >= 4 && !strcmp(argv[1], "send"))
		return cmd_send(argv[2], strtoul(argv[3], NULL, 0),
				argc >= 5 ? strtoul(argv[4], NULL, 0) : 0);
	if (argc >= 5 && !strcmp(argv[1], "recv"))
		return cmd_recv(argv[2], strtoul(argv[3], NULL, 0),
				atoi(argv[4]), argc >= 6 ? argv[5] : NULL);
	fprintf(stderr,
		"usage: vnet_xsk xsk IFNAME QUEUE RXN TXN SECONDS [zc|copy] [READYFILE]\n"
		"       vnet_xsk send IFNAME N [FIRST]\n"
		"       vnet_xsk recv IFNAME N SECONDS [READYFILE]\n");
	return 2;
}
