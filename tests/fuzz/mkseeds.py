#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the seed corpus: a few well-formed frames of each kind the parser
and the reflector know, so the fuzzer starts from deep paths. Run from
tests/fuzz/; the output is committed (corpus/flow, corpus/reflect)."""
import os
import struct

SRC = bytes.fromhex("020000000002")
DST = bytes.fromhex("020000000001")


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(ethertype, payload, vlan=None):
    tag = struct.pack("!HH", 0x8100, vlan) if vlan is not None else b""
    return DST + SRC + tag + struct.pack("!H", ethertype) + payload


def ipv4(proto, payload, src="10.0.0.1", dst="10.0.0.2", opts=b""):
    ihl = 5 + len(opts) // 4
    a = bytes(map(int, src.split("."))) + bytes(map(int, dst.split(".")))
    h = struct.pack("!BBHHHBBH", 0x40 | ihl, 0, 4 * ihl + len(payload), 1,
                    0, 64, proto, 0) + a + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ipv6(nh, payload):
    src = bytes.fromhex("fd000000000000000000000000000001")
    dst = bytes.fromhex("fd000000000000000000000000000002")
    return struct.pack("!IHBB", 6 << 28, len(payload), nh, 64) + src + dst \
        + payload


def icmp_echo(data=b"vnet-seed"):
    h = struct.pack("!BBHHH", 8, 0, 0, 0x1234, 1) + data
    return h[:2] + struct.pack("!H", csum(h)) + h[4:]


def arp_request():
    return struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + SRC + \
        bytes([10, 0, 0, 1]) + b"\0" * 6 + bytes([10, 0, 0, 2])


tcp = struct.pack("!HHIIBBHHH", 40000, 5201, 1, 0, 5 << 4, 0x18, 65535, 0,
                  0) + b"payload"
udp = struct.pack("!HHHH", 40000, 5201, 8 + 5, 0) + b"hello"

frames = {
    "arp_request": eth(0x0806, arp_request()),
    "icmp_echo": eth(0x0800, ipv4(1, icmp_echo())),
    "icmp_echo_opts": eth(0x0800, ipv4(1, icmp_echo(), opts=b"\x01" * 4)),
    "ipv4_tcp": eth(0x0800, ipv4(6, tcp)),
    "ipv4_udp_vlan": eth(0x0800, ipv4(17, udp), vlan=5),
    "ipv6_udp": eth(0x86DD, ipv6(17, udp)),
    "ipv6_hbh_tcp": eth(0x86DD, ipv6(0, bytes([6, 0]) + b"\0" * 6 + tcp)),
    "ipip_tcp": eth(0x0800, ipv4(4, ipv4(6, tcp))),
    "ip6ip6_tcp": eth(0x86DD, ipv6(41, ipv6(6, tcp))),
}

for d in ("corpus/flow", "corpus/reflect"):
    os.makedirs(d, exist_ok=True)
for name, f in frames.items():
    with open("corpus/flow/" + name, "wb") as out:
        out.write(f)
    # reflect: first byte 255 = a reply buffer of exactly the frame's size
    with open("corpus/reflect/" + name, "wb") as out:
        out.write(b"\xff" + f)
