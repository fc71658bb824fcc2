// SPDX-License-Identifier: GPL-2.0
/*
 * vnet_txring - push ICMP echo requests through an AF_PACKET TX ring and
 * check the echo replies, to exercise the scatter-gather TX path of a NIC.
 *
 * An skb built from a PACKET_TX_RING slot (net/packet/af_packet.c,
 * tpacket_fill_skb()) holds only the link-layer header in its linear area;
 * every byte after it is attached as page fragments pointing into the ring,
 * one fragment per page touched. Each ring slot here spans two pages and
 * the frame is placed at a per-packet offset, so the page boundary falls at
 * many different places (inside the IP header, between IP and ICMP, inside
 * the ICMP header, inside the payload, exactly at a header boundary) and the
 * frame sizes vary, giving one- and two-fragment skbs of many shapes. The
 * frames are complete Ethernet + IPv4 + ICMP echo requests with correct
 * checksums, so the link partner (the vnet reflector, or any Linux host)
 * answers them; a reply whose payload is byte-exact proves the device
 * gathered the fragments correctly.
 *
 * usage: vnet_txring -i IFNAME -d DST_IP -s SRC_IP -m DST_MAC
 *                    [-c COUNT] [-l PAYLOAD_LEN] [-w TIMEOUT_MS]
 *
 * Prints "sent=N replies=M bad=K". Exit status: 0 if every request was sent,
 * every one was answered by a valid reply and no bad reply was seen; 1 if
 * not; 2 on usage or setup errors.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define VNET_TOOL_NAME "vnet_txring"
#include "vnet_tool.h"

#define IP_HLEN			20
#define ICMP_HLEN		8
#define ICMP_ECHOREPLY_T	0
#define ICMP_ECHO_T		8
#define IP_DF_FLAG		0x4000
#define IP_FRAG_MASK		0x3fff	/* MF and fragment offset */
#define MAX_PAYLOAD		(ETH_FRAME_LEN - ETH_HLEN - IP_HLEN - ICMP_HLEN)

#define DEF_COUNT		100
#define DEF_PAYLOAD		1000
#define DEF_TIMEOUT_MS		3000

#define RING_FRAMES		64	/* TX ring slots */
#define TX_BATCH		16	/* slots filled per send() */
#define TX_POLL_MS		10	/* poll cap while TX work is pending */
#define MAX_BAD_REPORTS		10

/* Layout selectors in split_tab[] besides a plain split position. */
#define LAYOUT_ONE_PAGE		INT_MIN	/* whole frame in the first page */
#define LAYOUT_SECOND_PAGE	INT_MAX	/* whole frame in the second page */

/* Status bits that mean the kernel still owns a TX slot or rejected it. */
#define TX_BUSY_MASK	(TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING | \
			 TP_STATUS_WRONG_FORMAT)

struct ctx {
	/* options */
	const char *ifname;
	uint8_t dst_mac[ETH_ALEN];
	struct in_addr src_ip;
	struct in_addr dst_ip;
	unsigned int count;
	unsigned int payload_len;
	unsigned int timeout_ms;

	/* interface */
	int ifindex;
	uint8_t src_mac[ETH_ALEN];

	/* TX ring */
	int tx_fd;
	uint8_t *ring;
	size_t ring_len;
	unsigned int page_size;
	unsigned int frame_size;
	unsigned int min_off;
	unsigned int head;

	/* RX */
	int rx_fd;
	uint8_t *rx_buf;
	size_t rx_buf_len;

	/* results */
	uint16_t id;
	unsigned int queued;
	unsigned int replies;
	unsigned int bad;
	unsigned int answered;
	uint8_t *seen;		/* per seq: 0 none, 1 good reply, 2 bad reply */
	bool tx_error;
};

static void __noreturn usage_exit(void)
{
	fprintf(stderr,
		"usage: vnet_txring -i IFNAME -d DST_IP -s SRC_IP -m DST_MAC\n"
		"                   [-c COUNT] [-l PAYLOAD_LEN] [-w TIMEOUT_MS]\n"
		"  -c COUNT        echo requests to send, 1..65536 (default %d)\n"
		"  -l PAYLOAD_LEN  ICMP payload bytes of seq 0, 0..%d (default %d);\n"
		"                  seq N carries PAYLOAD_LEN - N %% 64 (at least 0)\n"
		"  -w TIMEOUT_MS   wait for replies after the last send\n"
		"                  (default %d)\n"
		"Prints \"sent=N replies=M bad=K\"; exit 0 on success, 1 on\n"
		"missing or bad replies, 2 on usage/setup errors.\n",
		DEF_COUNT, MAX_PAYLOAD, DEF_PAYLOAD, DEF_TIMEOUT_MS);
	exit(EXIT_SETUP);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A block including its checksum field verifies if it folds to all ones. */
static bool csum_ok(const uint8_t *p, size_t len)
{
	return csum_fold(csum_add(0, p, len)) == 0xffff;
}

static unsigned int payload_len_of(const struct ctx *c, unsigned int seq)
{
	unsigned int shrink = seq % 64;

	return c->payload_len > shrink ? c->payload_len - shrink : 0;
}

/* Payload byte @i of echo request @seq; never constant over a packet. */
static uint8_t pattern_byte(unsigned int seq, unsigned int i)
{
	return (uint8_t)((i * 131u) ^ (seq * 29u + 0x5au) ^ (i >> 8));
}

static unsigned int frame_len_of(const struct ctx *c, unsigned int seq)
{
	return ETH_HLEN + IP_HLEN + ICMP_HLEN + payload_len_of(c, seq);
}

/*
 * Offset of frame @seq in its ring slot. Only the Ethernet header goes to
 * the linear part of the skb; the rest becomes one page fragment per page,
 * split where the slot crosses from its first page into its second. A
 * split value is the number of bytes after the Ethernet header that are
 * still in the first page: 0 starts the IP header on a fresh page, 20 puts
 * the boundary between IP and ICMP header, 28 between ICMP header and
 * payload, negative values make the Ethernet header itself straddle.
 * Even sequence numbers walk this table, odd ones spread the split over
 * the whole frame.
 */
static const int split_tab[] = {
	LAYOUT_ONE_PAGE, 0, 1, 2, 3, 9, 10, 11, 19, 20, 21, 22, 27, 28, 29,
	63, 64, 255, 256, 511, 999, -1, -6, -13, LAYOUT_SECOND_PAGE,
};

static unsigned int frame_offset(const struct ctx *c, unsigned int seq,
				 unsigned int flen)
{
	unsigned int l3_len = flen - ETH_HLEN;
	long off, split;

	if (seq & 1) {
		split = 1 + (long)((seq * 97u) % (l3_len - 1));
	} else {
		split = split_tab[(seq / 2) % ARRAY_SIZE(split_tab)];
		if (split == LAYOUT_ONE_PAGE)
			return c->min_off;
	}

	if (split == LAYOUT_SECOND_PAGE)
		off = (long)c->page_size + 64;
	else
		off = (long)c->page_size - ETH_HLEN - split;

	/* tp_mac is 16 bits wide and the frame must fit in its slot. */
	if (off < (long)c->min_off || off > UINT16_MAX ||
	    off + flen > c->frame_size)
		return c->min_off;
	return (unsigned int)off;
}

/* Write echo request @seq at @f; returns the frame length. */
static unsigned int build_request(const struct ctx *c, uint8_t *f,
				  unsigned int seq)
{
	unsigned int plen = payload_len_of(c, seq);
	uint8_t *ip = f + ETH_HLEN;
	uint8_t *icmp = ip + IP_HLEN;
	uint8_t *payload = icmp + ICMP_HLEN;
	unsigned int i;

	memcpy(f, c->dst_mac, ETH_ALEN);
	memcpy(f + ETH_ALEN, c->src_mac, ETH_ALEN);
	put16(f + 2 * ETH_ALEN, ETH_P_IP);

	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (uint16_t)(IP_HLEN + ICMP_HLEN + plen));
	put16(ip + 4, (uint16_t)seq);
	put16(ip + 6, IP_DF_FLAG);
	ip[8] = 64;
	ip[9] = IPPROTO_ICMP;
	put16(ip + 10, 0);
	memcpy(ip + 12, &c->src_ip, 4);
	memcpy(ip + 16, &c->dst_ip, 4);
	put16(ip + 10, csum_field(csum_add(0, ip, IP_HLEN)));

	icmp[0] = ICMP_ECHO_T;
	icmp[1] = 0;
	put16(icmp + 2, 0);
	put16(icmp + 4, c->id);
	put16(icmp + 6, (uint16_t)seq);
	for (i = 0; i < plen; i++)
		payload[i] = pattern_byte(seq, i);
	put16(icmp + 2, csum_field(csum_add(0, icmp, ICMP_HLEN + plen)));

	return ETH_HLEN + IP_HLEN + ICMP_HLEN + plen;
}

static struct tpacket2_hdr *slot(const struct ctx *c, unsigned int i)
{
	return (struct tpacket2_hdr *)(c->ring + (size_t)i * c->frame_size);
}

static uint32_t slot_status(const struct ctx *c, unsigned int i)
{
	return __atomic_load_n(&slot(c, i)->tp_status, __ATOMIC_ACQUIRE);
}

static void bad_reply(struct ctx *c, int seq, const char *why)
{
	if (c->bad < MAX_BAD_REPORTS) {
		if (seq >= 0)
			fprintf(stderr, "vnet_txring: bad reply seq=%d: %s\n",
				seq, why);
		else
			fprintf(stderr, "vnet_txring: bad reply: %s\n", why);
	}
	c->bad++;
	if (seq >= 0 && (unsigned int)seq < c->count && !c->seen[seq]) {
		c->seen[seq] = 2;
		c->answered++;
	}
}

/*
 * Why the reply @f (our identifier, sequence @seq, IP header length @ihl)
 * is wrong, or NULL if it is exactly the answer to request @seq.
 */
static const char *reply_error(const struct ctx *c, const uint8_t *f,
			       size_t len, unsigned int ihl, unsigned int seq)
{
	const uint8_t *ip = f + ETH_HLEN;
	const uint8_t *icmp = ip + ihl;
	const uint8_t *payload = icmp + ICMP_HLEN;
	unsigned int tot_len = get16(ip + 2);
	unsigned int plen, i;

	if (tot_len < ihl + ICMP_HLEN || tot_len > len - ETH_HLEN)
		return "IP total length out of range";
	if (!csum_ok(ip, ihl))
		return "IP header checksum";
	if (get16(ip + 6) & IP_FRAG_MASK)
		return "IP fragment";
	if (memcmp(ip + 12, &c->dst_ip, 4) || memcmp(ip + 16, &c->src_ip, 4))
		return "IP addresses not swapped";
	if (memcmp(f, c->src_mac, ETH_ALEN))
		return "not sent to our MAC";
	if (icmp[1] != 0)
		return "ICMP code not 0";
	if (!csum_ok(icmp, tot_len - ihl))
		return "ICMP checksum";
	if (seq >= c->count)
		return "sequence number never sent";
	plen = tot_len - ihl - ICMP_HLEN;
	if (plen != payload_len_of(c, seq))
		return "payload length";
	for (i = 0; i < plen; i++)
		if (payload[i] != pattern_byte(seq, i))
			return "payload mismatch";
	if (c->seen[seq])
		return "duplicate";
	return NULL;
}

/*
 * Account one received frame. Frames that are not ICMP echo replies with
 * our identifier are someone else's and ignored; everything claiming to be
 * one of ours must be exactly right.
 */
static void check_frame(struct ctx *c, const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + ETH_HLEN;
	const uint8_t *icmp;
	const char *why;
	unsigned int ihl, seq;

	if (len < ETH_HLEN + IP_HLEN || get16(f + 2 * ETH_ALEN) != ETH_P_IP)
		return;
	if ((ip[0] >> 4) != 4 || ip[9] != IPPROTO_ICMP)
		return;
	ihl = (ip[0] & 0xf) * 4u;
	if (ihl < IP_HLEN || len < ETH_HLEN + ihl + ICMP_HLEN)
		return;
	icmp = ip + ihl;
	if (icmp[0] != ICMP_ECHOREPLY_T || get16(icmp + 4) != c->id)
		return;

	seq = get16(icmp + 6);
	why = reply_error(c, f, len, ihl, seq);
	if (why) {
		bad_reply(c, (int)seq, why);
		return;
	}
	c->seen[seq] = 1;
	c->replies++;
	c->answered++;
}

static void drain_rx(struct ctx *c)
{
	struct sockaddr_ll from;
	socklen_t alen;
	ssize_t n;

	for (;;) {
		alen = sizeof(from);
		n = recvfrom(c->rx_fd, c->rx_buf, c->rx_buf_len,
			     MSG_DONTWAIT | MSG_TRUNC,
			     (struct sockaddr *)&from, &alen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				fprintf(stderr, "vnet_txring: recv: %s\n",
					strerror(errno));
			return;
		}
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		if ((size_t)n > c->rx_buf_len)
			n = (ssize_t)c->rx_buf_len;
		check_frame(c, c->rx_buf, (size_t)n);
	}
}

/* Fill free slots with the next requests; returns how many were queued. */
static unsigned int fill_ring(struct ctx *c)
{
	unsigned int n = 0;

	while (c->queued < c->count && n < TX_BATCH) {
		struct tpacket2_hdr *h = slot(c, c->head);
		unsigned int flen, off;

		if (slot_status(c, c->head) & TX_BUSY_MASK)
			break;

		flen = frame_len_of(c, c->queued);
		off = frame_offset(c, c->queued, flen);
		build_request(c, (uint8_t *)h + off, c->queued);
		h->tp_len = flen;
		h->tp_snaplen = flen;
		h->tp_mac = (uint16_t)off;
		h->tp_net = (uint16_t)(off + ETH_HLEN);
		__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST,
				 __ATOMIC_RELEASE);

		c->head = (c->head + 1) % RING_FRAMES;
		c->queued++;
		n++;
	}
	return n;
}

/* Count slots in the given states; a rejected slot is a hard error. */
static void scan_ring(struct ctx *c, unsigned int *requested,
		      unsigned int *in_flight)
{
	unsigned int i;

	*requested = 0;
	*in_flight = 0;
	for (i = 0; i < RING_FRAMES; i++) {
		uint32_t st = slot_status(c, i);

		if (st & TP_STATUS_WRONG_FORMAT) {
			if (!c->tx_error)
				fprintf(stderr,
					"vnet_txring: kernel rejected TX slot %u\n",
					i);
			c->tx_error = true;
		} else if (st & TP_STATUS_SEND_REQUEST) {
			(*requested)++;
		} else if (st & TP_STATUS_SENDING) {
			(*in_flight)++;
		}
	}
}

static void kick_tx(struct ctx *c)
{
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_IP),
		.sll_ifindex = c->ifindex,
		.sll_halen = ETH_ALEN,
	};

	memcpy(to.sll_addr, c->dst_mac, ETH_ALEN);
	/*
	 * Non-blocking: the kernel sends what it can and leaves the rest
	 * in TP_STATUS_SEND_REQUEST (socket buffer full, qdisc drop), so
	 * the next call retries those slots.
	 */
	if (sendto(c->tx_fd, NULL, 0, MSG_DONTWAIT, (struct sockaddr *)&to,
		   sizeof(to)) < 0 &&
	    errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS &&
	    errno != EINTR) {
		fprintf(stderr, "vnet_txring: send: %s\n", strerror(errno));
		c->tx_error = true;
	}
}

/* Send everything and collect replies; returns the number sent. */
static unsigned int run(struct ctx *c)
{
	uint64_t deadline = now_ms() + c->timeout_ms;
	unsigned int requested, in_flight;

	for (;;) {
		struct pollfd pfd[2];
		uint64_t now;
		int wait_ms;

		if (!c->tx_error && fill_ring(c))
			deadline = now_ms() + c->timeout_ms;
		scan_ring(c, &requested, &in_flight);
		if (requested && !c->tx_error) {
			kick_tx(c);
			scan_ring(c, &requested, &in_flight);
		}

		drain_rx(c);
		if (c->tx_error)
			break;
		if (c->queued == c->count && !requested && !in_flight &&
		    c->answered == c->count)
			break;

		now = now_ms();
		if (now >= deadline)
			break;
		wait_ms = (int)(deadline - now);
		/*
		 * Slot completions raise POLLOUT only for the slot the kernel
		 * looks at next, and slots left in SEND_REQUEST need another
		 * send(), so do not sleep long while TX work is outstanding.
		 */
		if ((requested || in_flight || c->queued < c->count) &&
		    wait_ms > TX_POLL_MS)
			wait_ms = TX_POLL_MS;

		pfd[0].fd = c->rx_fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = c->tx_fd;
		pfd[1].events = c->queued < c->count ? POLLOUT : 0;
		if (poll(pfd, 2, wait_ms) < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
	}

	if (requested)
		fprintf(stderr,
			"vnet_txring: %u requests never taken by the kernel\n",
			requested);
	if (in_flight) {
		fprintf(stderr,
			"vnet_txring: %u sent skbs never completed\n",
			in_flight);
		c->tx_error = true;
	}
	return c->queued - requested;
}

static void report_missing(const struct ctx *c, unsigned int sent)
{
	unsigned int seq, shown = 0;

	for (seq = 0; seq < sent && shown < MAX_BAD_REPORTS; seq++) {
		if (c->seen[seq])
			continue;
		fprintf(stderr, "vnet_txring: no reply for seq=%u (len %u)\n",
			seq, frame_len_of(c, seq));
		shown++;
	}
}

static void parse_args(struct ctx *c, int argc, char **argv)
{
	bool have_dst = false, have_src = false, have_mac = false;
	int opt;

	c->count = DEF_COUNT;
	c->payload_len = DEF_PAYLOAD;
	c->timeout_ms = DEF_TIMEOUT_MS;

	while ((opt = getopt(argc, argv, "i:d:s:m:c:l:w:h")) != -1) {
		switch (opt) {
		case 'i':
			if (!*optarg || strlen(optarg) >= IFNAMSIZ)
				die("invalid interface name '%s'", optarg);
			c->ifname = optarg;
			break;
		case 'd':
			if (inet_pton(AF_INET, optarg, &c->dst_ip) != 1)
				die("invalid destination IPv4 address '%s'",
				    optarg);
			have_dst = true;
			break;
		case 's':
			if (inet_pton(AF_INET, optarg, &c->src_ip) != 1)
				die("invalid source IPv4 address '%s'", optarg);
			have_src = true;
			break;
		case 'm':
			parse_mac(optarg, c->dst_mac);
			have_mac = true;
			break;
		case 'c':
			c->count = parse_ulong(optarg, "count", 1, 65536);
			break;
		case 'l':
			c->payload_len = parse_ulong(optarg, "payload length",
						     0, MAX_PAYLOAD);
			break;
		case 'w':
			c->timeout_ms = parse_ulong(optarg, "timeout", 1,
						    3600000);
			break;
		default:
			usage_exit();
		}
	}
	if (optind != argc || !c->ifname || !have_dst || !have_src ||
	    !have_mac)
		usage_exit();
}

static void setup_interface(struct ctx *c)
{
	int mtu = if_lookup(c->ifname, &c->ifindex, c->src_mac);

	if (IP_HLEN + ICMP_HLEN + c->payload_len > (unsigned int)mtu)
		die("payload length %u does not fit the MTU %d of %s",
		    c->payload_len, mtu, c->ifname);
}

/* Bind @fd to our interface; protocol 0 registers no receive hook. */
static void bind_packet(const struct ctx *c, int fd, uint16_t proto)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(proto),
		.sll_ifindex = c->ifindex,
	};

	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		die("bind AF_PACKET to %s: %s", c->ifname, strerror(errno));
}

static void setup_rx(struct ctx *c)
{
	int one = 1, rcvbuf = 4 << 20;

	/* No protocol until bound, so no other interface's frames queue. */
	c->rx_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (c->rx_fd < 0)
		die("socket(AF_PACKET) for RX: %s", strerror(errno));
	if (setsockopt(c->rx_fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) < 0)
		setsockopt(c->rx_fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			   sizeof(rcvbuf));
	/* Best effort (Linux 4.20+); outgoing frames are skipped anyway. */
	setsockopt(c->rx_fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
		   sizeof(one));
	bind_packet(c, c->rx_fd, ETH_P_IP);

	c->rx_buf_len = 65536;
	c->rx_buf = malloc(c->rx_buf_len);
	if (!c->rx_buf)
		die("out of memory");
}

static void setup_tx(struct ctx *c)
{
	int ver = TPACKET_V2, one = 1;
	struct tpacket_req req;
	long pg = sysconf(_SC_PAGESIZE);

	if (pg <= 0)
		die("cannot determine the page size");
	c->page_size = (unsigned int)pg;
	/* Two pages per slot so a frame can straddle the page boundary. */
	c->frame_size = 2 * c->page_size;
	c->min_off = TPACKET2_HDRLEN - sizeof(struct sockaddr_ll);

	c->tx_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (c->tx_fd < 0)
		die("socket(AF_PACKET) for TX: %s", strerror(errno));
	bind_packet(c, c->tx_fd, 0);
	if (setsockopt(c->tx_fd, SOL_PACKET, PACKET_VERSION, &ver,
		       sizeof(ver)) < 0)
		die("PACKET_VERSION TPACKET_V2: %s", strerror(errno));
	/* Honour tp_mac, so the frame can sit anywhere in its slot. */
	if (setsockopt(c->tx_fd, SOL_PACKET, PACKET_TX_HAS_OFF, &one,
		       sizeof(one)) < 0)
		die("PACKET_TX_HAS_OFF: %s", strerror(errno));

	memset(&req, 0, sizeof(req));
	req.tp_block_size = c->frame_size;
	req.tp_block_nr = RING_FRAMES;
	req.tp_frame_size = c->frame_size;
	req.tp_frame_nr = RING_FRAMES;
	if (setsockopt(c->tx_fd, SOL_PACKET, PACKET_TX_RING, &req,
		       sizeof(req)) < 0)
		die("PACKET_TX_RING: %s", strerror(errno));

	c->ring_len = (size_t)c->frame_size * RING_FRAMES;
	c->ring = mmap(NULL, c->ring_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       c->tx_fd, 0);
	if (c->ring == MAP_FAILED)
		die("mmap TX ring: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	struct ctx c;
	unsigned int sent;
	bool pass;

	memset(&c, 0, sizeof(c));
	c.rx_fd = -1;
	c.tx_fd = -1;
	parse_args(&c, argc, argv);

	c.seen = calloc(c.count, 1);
	if (!c.seen)
		die("out of memory");
	c.id = (uint16_t)(getpid() & 0xffff);

	setup_interface(&c);
	setup_rx(&c);	/* before anything is sent */
	setup_tx(&c);

	sent = run(&c);

	printf("sent=%u replies=%u bad=%u\n", sent, c.replies, c.bad);
	fflush(stdout);

	pass = sent == c.count && c.replies == sent && c.bad == 0 &&
	       !c.tx_error;
	if (!pass)
		report_missing(&c, sent);

	munmap(c.ring, c.ring_len);
	close(c.tx_fd);
	close(c.rx_fd);
	free(c.rx_buf);
	free(c.seen);
	return pass ? EXIT_PASS : EXIT_FAIL;
}
