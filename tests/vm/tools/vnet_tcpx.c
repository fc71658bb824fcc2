// SPDX-License-Identifier: GPL-2.0
/*
 * vnet_tcpx - a TCP transfer whose headers have a chosen length, for tests
 * of the device's limits on the headers it can segment (TSO).
 *
 *   vnet_tcpx listen PORT [TIMEOUT_S]
 *	accept one IPv6 connection on PORT, read until EOF, check every byte
 *	against the sender's pattern; print "received BYTES ok" (exit 0) or
 *	"received BYTES bad at OFFSET" (exit 1)
 *   vnet_tcpx send ADDR PORT BYTES DSTOPTS [TIMEOUT_S]
 *	connect to [ADDR]:PORT with an IPv6 destination options header of
 *	DSTOPTS bytes (0, or 8..2048 in steps of 8) on every segment, send
 *	BYTES of the pattern, close and wait for the receiver's EOF; print
 *	"sent BYTES in MS ms" (exit 0), exit 1 on a timeout or error
 *
 * The options are unknown experimental ones (type 0x1e, RFC 4727): a
 * receiver skips them, and takes at most 8 per header.
 */
#define VNET_TOOL_NAME "vnet_tcpx"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <time.h>

#include "vnet_tool.h"

#define OPT_EXP		0x1e	/* skip if unknown: top bits 00 */
#define OPT_MAX_DATA	255
#define MAX_DSTOPTS	2048
#define CHUNK		65536

/* Byte @off of the stream: the same on both sides, cheap to check. */
static uint8_t pattern(uint64_t off)
{
	return (uint8_t)(off * 131 + (off >> 11) * 7);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Wait until @fd is ready for @events or @deadline (ms) passed. */
static int wait_fd(int fd, short events, uint64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	uint64_t t = now_ms();

	if (t >= deadline)
		return 0;
	return poll(&p, 1, (int)(deadline - t));
}

/* A destination options header of @len bytes of skippable options. */
static size_t build_dstopts(uint8_t *h, size_t len)
{
	size_t pos = 2;

	memset(h, 0, len);
	h[1] = (uint8_t)(len / 8 - 1);	/* h[0], next header: the kernel's */
	while (pos < len) {
		size_t data = len - pos - 2;

		if (len - pos == 1) {	/* cannot happen: len % 8 == 0 */
			h[pos++] = 0;	/* Pad1 */
			continue;
		}
		if (data > OPT_MAX_DATA)
			data = OPT_MAX_DATA;
		/* leave no single byte behind for the next option */
		if (len - pos - 2 - data == 1)
			data--;
		h[pos] = OPT_EXP;
		h[pos + 1] = (uint8_t)data;
		pos += 2 + data;
	}
	return len;
}

static int do_listen(int argc, char **argv)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
	uint64_t deadline, got = 0;
	static uint8_t buf[CHUNK];
	int one = 1, s, c;
	ssize_t n = -1;

	if (argc < 3)
		die("usage: listen PORT [TIMEOUT_S]");
	a.sin6_port = htons((uint16_t)parse_ulong(argv[2], "PORT", 1, 65535));
	deadline = now_ms() + 1000 * (argc > 3 ?
				      parse_ulong(argv[3], "TIMEOUT", 1, 3600) :
				      60);

	s = socket(AF_INET6, SOCK_STREAM, 0);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one,
				sizeof(one)) ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1))
		die("listen on port %s: %s", argv[2], strerror(errno));
	if (wait_fd(s, POLLIN, deadline) <= 0)
		die("no connection");
	c = accept(s, NULL, NULL);
	if (c < 0)
		die("accept: %s", strerror(errno));

	while (wait_fd(c, POLLIN, deadline) > 0) {
		n = read(c, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++, got++) {
			if (buf[i] != pattern(got)) {
				printf("received %llu bad at %llu\n",
				       (unsigned long long)got,
				       (unsigned long long)got);
				return EXIT_FAIL;
			}
		}
	}
	printf("received %llu %s\n", (unsigned long long)got,
	       n == 0 ? "ok" : "timeout");
	return n == 0 ? EXIT_PASS : EXIT_FAIL;
}

static int do_send(int argc, char **argv)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
	static uint8_t buf[CHUNK], opts[MAX_DSTOPTS];
	uint64_t bytes, sent = 0, t0, deadline;
	size_t olen;
	int s;

	if (argc < 6)
		die("usage: send ADDR PORT BYTES DSTOPTS [TIMEOUT_S]");
	if (inet_pton(AF_INET6, argv[2], &a.sin6_addr) != 1)
		die("bad IPv6 address '%s'", argv[2]);
	a.sin6_port = htons((uint16_t)parse_ulong(argv[3], "PORT", 1, 65535));
	bytes = parse_ulong(argv[4], "BYTES", 1, 1ULL << 32);
	olen = parse_ulong(argv[5], "DSTOPTS", 0, MAX_DSTOPTS);
	if (olen % 8)
		die("DSTOPTS must be a multiple of 8");
	t0 = now_ms();
	deadline = t0 + 1000 * (argc > 6 ?
				 parse_ulong(argv[6], "TIMEOUT", 1, 3600) : 60);

	s = socket(AF_INET6, SOCK_STREAM, 0);
	if (s < 0)
		die("socket: %s", strerror(errno));
	/* Before connect: the MSS the SYN offers accounts for them. */
	if (olen && setsockopt(s, IPPROTO_IPV6, IPV6_DSTOPTS, opts,
			       build_dstopts(opts, olen)))
		die("IPV6_DSTOPTS (%zu bytes): %s", olen, strerror(errno));
	if (connect(s, (struct sockaddr *)&a, sizeof(a)))
		die("connect to [%s]:%s: %s", argv[2], argv[3],
		    strerror(errno));

	while (sent < bytes) {
		size_t n = bytes - sent < CHUNK ? bytes - sent : CHUNK;
		ssize_t w;

		for (size_t i = 0; i < n; i++)
			buf[i] = pattern(sent + i);
		if (wait_fd(s, POLLOUT, deadline) <= 0) {
			fprintf(stderr, "vnet_tcpx: stalled after %llu bytes\n",
				(unsigned long long)sent);
			return EXIT_FAIL;
		}
		w = write(s, buf, n);
		if (w < 0) {
			fprintf(stderr, "vnet_tcpx: write: %s\n",
				strerror(errno));
			return EXIT_FAIL;
		}
		/* a short write leaves the rest of the chunk for next time */
		sent += (uint64_t)w;
	}
	/* The receiver closes once it has read everything. */
	shutdown(s, SHUT_WR);
	while (wait_fd(s, POLLIN, deadline) > 0 && read(s, buf, 1) > 0)
		;
	if (now_ms() >= deadline) {
		fprintf(stderr, "vnet_tcpx: no EOF from the receiver\n");
		return EXIT_FAIL;
	}
	printf("sent %llu in %llu ms\n", (unsigned long long)sent,
	       (unsigned long long)(now_ms() - t0));
	return EXIT_PASS;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "listen"))
		return do_listen(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "send"))
		return do_send(argc, argv);
	die("usage: listen PORT [TIMEOUT_S] | send ADDR PORT BYTES DSTOPTS [TIMEOUT_S]");
}
