/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vnet_tool.h - helpers shared by the vnet VM test tools (vnet_txring,
 * vnet_inject): setup errors, network-order byte access, the Internet
 * checksum, command-line parsing and the interface lookup.
 *
 * A tool defines VNET_TOOL_NAME, the prefix of its error messages, before
 * it includes this header. The helpers are static inline so that a tool
 * which leaves one unused builds without -Wunused-function warnings.
 */
#ifndef VNET_TOOL_H
#define VNET_TOOL_H

#include <errno.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef VNET_TOOL_NAME
#error "define VNET_TOOL_NAME before including vnet_tool.h"
#endif

#define EXIT_PASS		0
#define EXIT_FAIL		1
#define EXIT_SETUP		2

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#define __noreturn		__attribute__((noreturn))

/* Report a usage or setup error as "NAME: message" and exit with 2. */
static inline void __printf(1, 2) __noreturn die(const char *fmt, ...)
{
	va_list ap;

	fputs(VNET_TOOL_NAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_SETUP);
}

/* Big-endian 16-bit word at @p; frames are unaligned byte buffers. */
static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Store @v at @p in network order. */
static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Sum of the big-endian 16-bit words of @p; an odd last byte is padded. */
static inline uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

/* Ones-complement fold with end-around carry. */
static inline uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Value for a checksum field that was zero while the block was summed. */
static inline uint16_t csum_field(uint32_t sum)
{
	return (uint16_t)~csum_fold(sum);
}

/* Parse @s as a number in [@min, @max] (any base strtoul takes) or die. */
static inline unsigned long parse_ulong(const char *s, const char *what,
					unsigned long min, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
		die("invalid %s '%s' (allowed %lu..%lu)", what, s, min, max);
	return v;
}

/* Parse a MAC address "xx:xx:xx:xx:xx:xx" into @mac or die. */
static inline void parse_mac(const char *s, uint8_t *mac)
{
	unsigned int b[ETH_ALEN];
	char tail;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2],
		   &b[3], &b[4], &b[5], &tail) != ETH_ALEN)
		die("invalid MAC address '%s' (want xx:xx:xx:xx:xx:xx)", s);
	for (i = 0; i < ETH_ALEN; i++)
		mac[i] = (uint8_t)b[i];
}

/*
 * Look up @ifname, which must be an Ethernet interface that is up: its
 * index goes to @ifindex, its MAC address to @mac. Returns its MTU, which
 * the caller checks against what it sends; dies on any failure.
 */
static inline int if_lookup(const char *ifname, int *ifindex, uint8_t *mac)
{
	struct ifreq ifr;
	int fd, mtu;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket(AF_INET): %s", strerror(errno));

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
		die("interface %s: %s", ifname, strerror(errno));
	*ifindex = ifr.ifr_ifindex;

	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		die("SIOCGIFFLAGS %s: %s", ifname, strerror(errno));
	if (!(ifr.ifr_flags & IFF_UP))
		die("interface %s is down", ifname);

	if (ioctl(fd, SIOCGIFMTU, &ifr) < 0)
		die("SIOCGIFMTU %s: %s", ifname, strerror(errno));
	mtu = ifr.ifr_mtu;

	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		die("SIOCGIFHWADDR %s: %s", ifname, strerror(errno));
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		die("interface %s is not Ethernet (hw type %u)", ifname,
		    ifr.ifr_hwaddr.sa_family);
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	close(fd);
	return mtu;
}

#endif /* VNET_TOOL_H */
