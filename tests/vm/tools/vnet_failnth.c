// SPDX-License-Identifier: GPL-2.0
/*
 * vnet_failnth - one configuration request with the kernel's fail-nth fault
 * injection armed: the Nth allocation the request makes (of those the
 * failslab / fail_page_alloc filters let through) fails.
 *
 *   vnet_failnth N DEV rings RX TX     ETHTOOL_SRINGPARAM
 *   vnet_failnth N DEV channels C      ETHTOOL_SCHANNELS (combined)
 *   vnet_failnth N DEV mtu M           SIOCSIFMTU
 *   vnet_failnth N DEV up              SIOCSIFFLAGS |= IFF_UP
 *
 * Prints "injected=0|1 rc=ERRNO" (rc 0: the request succeeded). N = 0
 * makes the request without injection. Exit 0 when the request ran (failed
 * or not), 2 on a usage or setup error. Only the request runs between
 * arming and reading back /proc/thread-self/fail-nth: the file is opened
 * and everything else the request needs is read before.
 */
#define VNET_TOOL_NAME "vnet_failnth"

#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>

#include "vnet_tool.h"

struct request {
	struct ifreq ifr;
	unsigned long cmd;
	union {
		struct ethtool_ringparam ring;
		struct ethtool_channels ch;
	};
};

/* Read the current setting into @r, then put the requested one in it. */
static void prepare(int s, struct request *r, int argc, char **argv)
{
	const char *op = argv[3];

	if (!strcmp(op, "rings") && argc == 6) {
		r->ring.cmd = ETHTOOL_GRINGPARAM;
		r->ifr.ifr_data = (void *)&r->ring;
		if (ioctl(s, SIOCETHTOOL, &r->ifr))
			die("ETHTOOL_GRINGPARAM: %s", strerror(errno));
		r->ring.cmd = ETHTOOL_SRINGPARAM;
		r->ring.rx_pending = parse_ulong(argv[4], "RX", 1, 1 << 20);
		r->ring.tx_pending = parse_ulong(argv[5], "TX", 1, 1 << 20);
		r->cmd = SIOCETHTOOL;
	} else if (!strcmp(op, "channels") && argc == 5) {
		r->ch.cmd = ETHTOOL_GCHANNELS;
		r->ifr.ifr_data = (void *)&r->ch;
		if (ioctl(s, SIOCETHTOOL, &r->ifr))
			die("ETHTOOL_GCHANNELS: %s", strerror(errno));
		r->ch.cmd = ETHTOOL_SCHANNELS;
		r->ch.combined_count = parse_ulong(argv[4], "C", 1, 1024);
		r->cmd = SIOCETHTOOL;
	} else if (!strcmp(op, "mtu") && argc == 5) {
		r->ifr.ifr_mtu = parse_ulong(argv[4], "MTU", 1, 65535);
		r->cmd = SIOCSIFMTU;
	} else if (!strcmp(op, "up") && argc == 4) {
		if (ioctl(s, SIOCGIFFLAGS, &r->ifr))
			die("SIOCGIFFLAGS: %s", strerror(errno));
		r->ifr.ifr_flags |= IFF_UP;
		r->cmd = SIOCSIFFLAGS;
	} else {
		die("usage: N DEV rings RX TX | channels C | mtu M | up");
	}
}

int main(int argc, char **argv)
{
	struct request r;
	char buf[32], arm[32];
	unsigned long n;
	int s, fd, rc, len;
	ssize_t got;

	if (argc < 4)
		die("usage: N DEV rings RX TX | channels C | mtu M | up");
	n = parse_ulong(argv[1], "N", 0, 1 << 30);
	memset(&r, 0, sizeof(r));
	if (strlen(argv[2]) >= IFNAMSIZ)
		die("interface name '%s' too long", argv[2]);
	strcpy(r.ifr.ifr_name, argv[2]);

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		die("socket: %s", strerror(errno));
	prepare(s, &r, argc, argv);
	fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("/proc/thread-self/fail-nth: %s (CONFIG_FAULT_INJECTION?)",
		    strerror(errno));
	len = snprintf(arm, sizeof(arm), "%lu", n);

	if (n && pwrite(fd, arm, len, 0) != len)
		die("arming fail-nth: %s", strerror(errno));
	rc = ioctl(s, r.cmd, &r.ifr) ? errno : 0;
	got = pread(fd, buf, sizeof(buf) - 1, 0);
	/* Disarm: what has not fired yet must not hit anything else. */
	if (n && pwrite(fd, "0", 1, 0) != 1)
		die("disarming fail-nth: %s", strerror(errno));
	if (got <= 0)
		die("reading fail-nth: %s", strerror(errno));
	buf[got] = '\0';

	/* The counter is at 0 once the Nth allocation has been failed. */
	printf("injected=%d rc=%d\n", n && strtoul(buf, NULL, 10) == 0, rc);
	return EXIT_PASS;
}
