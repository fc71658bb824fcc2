#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn bench/guest.sh's console output into bench.json, bench.md and plots.

usage: report.py CONSOLE_LOG OUT_DIR

Samples are "BENCH <metric> <device> <param> <value>" lines; histograms are
bpftrace output between "BENCH-BT <name>" and "BENCH-BT-END". Python's
standard library only; plots with gnuplot (Debian's gnuplot-nox) if present.
"""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys

# (metric, device, baseline device, target ratio, higher is better);
# "qemu" as the baseline is the better of QEMU's emulated NICs (issue 16's
# targets: 2x the better QEMU NIC, 1.0x veth TCP, 0.9x veth UDP, ping -f
# 0.5x veth at the defaults and 0.8x at rx/tx-usecs 0, the reflector 1.0x
# the ring-less reference at rx-usecs 0); issue 17's XDP_DROP and XDP_TX
# beside veth's native XDP have no target yet
RATIOS = [
    ("tcp_mbps", "vnet", "veth", 1.0, True),
    ("udp64_pps", "vnet", "veth", 0.9, True),
    ("pingflood_pps", "vnet", "veth", 0.5, True),
    ("pingflood_pps", "vnet-usecs0", "veth", 0.8, True),
    ("pingflood_rtt_us", "vnet", "veth", None, False),
    ("tcp_mbps", "vnet", "qemu", 2.0, True),
    ("udp64_pps", "vnet", "qemu", 2.0, True),
    ("pingflood_pps", "vnet", "qemu", 2.0, True),
    ("reflect_pingflood_pps", "vnet-rx-usecs0", "vnetref", 1.0, True),
    ("reflect_pingflood_pps", "vnet-rx-usecs50", "vnetref", None, True),
    ("reflect_rtt_us", "vnet-rx-usecs0", "vnetref", None, False),
    ("xdp_drop_pps", "vnet", "veth", None, True),
    ("xdp_tx_pps", "vnet", "veth", None, True),
]
QEMU_NICS = ("vmxnet3", "virtio")
# the headline table: each device's medians at its defaults
HEADLINE = ("tcp_mbps", "udp64_pps", "pingflood_pps", "pingflood_rtt_us")
DEVICES = ("veth", "vnet", "vnet-usecs0") + QEMU_NICS
# the XDP stage: verdicts/s counted by the receiver's driver, and what
# pktgen sent in the same window
XDP = ("xdp_drop_pps", "xdp_drop_pktgen_pps", "xdp_tx_pps",
       "xdp_tx_pktgen_pps")
XDP_DEVICES = ("veth", "vnet")

UNITS = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
BUCKET = re.compile(r"^\[(-?\d+)([KMG]?)(?:, (-?\d+)([KMG]?)\))?\]?\s+(\d+)")
# bpftrace puts every negative value in one "(..., 0)" bucket
NEGATIVE = re.compile(r"^\(\.\.\., 0\)\s+(\d+)")
MAP = re.compile(r"^@(\w+)(?:\[(.*)\])?:\s*(.*)$")


def num(v, unit):
    return int(v) * UNITS.get(unit, 1)


def parse(log):
    samples, hists, info = [], {}, ""
    name, cur = None, None
    with open(log, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("BENCH-INFO "):
                info = line[len("BENCH-INFO "):]
            elif line.startswith("BENCH-BT-END"):
                name, cur = None, None
            elif line.startswith("BENCH-BT "):
                name = line.split()[1]
            elif line.startswith("BENCH "):
                f4 = line.split()
                if len(f4) == 5:
                    try:
                        samples.append({"metric": f4[1], "dev": f4[2],
                                         "param": f4[3],
                                         "value": float(f4[4])})
                    except ValueError:
                        pass
            elif name:
                m = MAP.match(line)
                if m:
                    key = "%s.%s[%s]" % (name, m.group(1), m.group(2) or "")
                    cur = hists.setdefault(key, [])
                    continue
                neg = NEGATIVE.match(line)
                if neg and cur is not None:
                    cur.append([-1, 0, int(neg.group(1))])
                    continue
                b = BUCKET.match(line)
                if b and cur is not None:
                    lo = num(b.group(1), b.group(2))
                    hi = num(b.group(3), b.group(4)) if b.group(3) else lo + 1
                    cur.append([lo, hi, int(b.group(5))])
    return info, samples, {k: v for k, v in hists.items() if v}


def values(samples, metric, dev, param="-"):
    return [s["value"] for s in samples
            if s["metric"] == metric and s["dev"] == dev
            and s["param"] == param]


def summary(vals):
    return {"n": len(vals), "median": statistics.median(vals),
            "min": min(vals), "max": max(vals)}


def percentile(buckets, p):
    """Upper bound of the bucket holding the p-th percentile."""
    total = sum(c for _, _, c in buckets)
    if not total:
        return None
    seen = 0
    for lo, hi, c in buckets:
        seen += c
        if seen >= p / 100 * total:
            return hi
    return buckets[-1][1]


def baseline(samples, metric, base, higher):
    """The baseline device's name: "qemu" is the better QEMU NIC."""
    if base != "qemu":
        return base
    have = [(statistics.median(values(samples, metric, d)), d)
            for d in QEMU_NICS if values(samples, metric, d)]
    if not have:
        return None
    return (max(have) if higher else min(have))[1]


def ratios(samples):
    out = []
    for metric, dev, base, target, higher in RATIOS:
        base = baseline(samples, metric, base, higher)
        if base is None:
            continue
        a, b = values(samples, metric, dev), values(samples, metric, base)
        if not a or not b:
            continue
        per_round = [x / y for x, y in zip(a, b) if y]
        r = statistics.median(a) / statistics.median(b)
        ok = None
        if target is not None:
            ok = r >= target if higher else r <= target
        out.append({"metric": metric, "dev": dev, "baseline": base,
                    "ratio": r, "spread": [min(per_round), max(per_round)]
                    if per_round else None,
                    "target": target, "met": ok})
    return out


def sweep(samples, metric):
    pts = {}
    for s in samples:
        if s["metric"] == metric:
            pts.setdefault(float(s["param"]), []).append(s["value"])
    return sorted((k, statistics.median(v)) for k, v in pts.items())


def checks(samples, hists):
    out = []
    late = [v for k, v in hists.items() if k.startswith("irqlat.irq_late_ns")]
    if late:
        p99 = max(percentile(b, 99) for b in late)
        out.append({"check": "irq lateness p99 (ns, bucket bound)",
                    "value": p99, "target": 20000, "met": p99 <= 20000})
    ring = [v for _, v in sweep(samples, "ring_udp64_pps")]
    if ring:
        mid = statistics.median(ring)
        dev = max(abs(v - mid) / mid for v in ring) if mid else None
        out.append({"check": "udp64 pps spread over ring 64..4096 (max "
                    "deviation from median)", "value": dev,
                    "target": 0.05, "met": dev is not None and dev <= 0.05})
    return out


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return "%.3g" % v if abs(v) < 100 else "%.0f" % v
    return str(v)


def table(samples, metrics, devices):
    """Medians of each metric (rows) on each device (columns)."""
    lines = ["| metric | " + " | ".join(devices) + " |",
             "| --- |" + " --- |" * len(devices)]
    for metric in metrics:
        cells = []
        for dev in devices:
            v = values(samples, metric, dev)
            cells.append(fmt(statistics.median(v)) if v else "-")
        lines.append("| %s | %s |" % (metric, " | ".join(cells)))
    return lines


def markdown(info, samples, rat, chk):
    lines = ["# vnet bench", "", info, "",
             "Medians over the rounds, each device at its defaults "
             "(vnet-usecs0: vnet at rx/tx-usecs 0):", ""]
    lines += table(samples, HEADLINE, DEVICES)
    if any(values(samples, m, d) for m in XDP for d in XDP_DEVICES):
        lines += ["", "XDP on the receiver, pktgen's 64-byte UDP frames "
                  "from the sender (medians; *_pktgen_pps: what it sent):",
                  ""]
        lines += table(samples, XDP, XDP_DEVICES)
    lines += ["",
              "| metric | device | baseline | median | baseline median "
             "| ratio | spread | target | met |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rat:
        a = statistics.median(values(samples, r["metric"], r["dev"]))
        b = statistics.median(values(samples, r["metric"], r["baseline"]))
        sp = r["spread"]
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["metric"], r["dev"], r["baseline"], fmt(a), fmt(b),
            fmt(r["ratio"]), "%s..%s" % (fmt(sp[0]), fmt(sp[1])) if sp
            else "-", fmt(r["target"]), fmt(r["met"])))
    lines += ["", "| check | value | target | met |",
              "| --- | --- | --- | --- |"]
    for c in chk:
        lines.append("| %s | %s | %s | %s |" % (c["check"], fmt(c["value"]),
                                                fmt(c["target"]),
                                                fmt(c["met"])))
    for metric in ("ring_udp64_pps", "ring_tcp_mbps", "usecs_pingflood_pps",
                   "usecs_rtt_us", "usecs_udp64_pps"):
        pts = sweep(samples, metric)
        if pts:
            lines += ["", "%s: %s" % (metric, ", ".join(
                "%g: %s" % (k, fmt(v)) for k, v in pts))]
    return "\n".join(lines) + "\n"


def gnuplot(out, name, title, xlabel, ylabel, series, logx=False,
            boxes=False):
    """series: [(label, [(x, y), ...])]"""
    if not shutil.which("gnuplot") or not any(pts for _, pts in series):
        return None
    data = os.path.join(out, name + ".dat")
    with open(data, "w") as f:
        for label, pts in series:
            f.write("# %s\n" % label)
            for x, y in pts:
                f.write("%g %g\n" % (x, y))
            f.write("\n\n")
    png = os.path.join(out, name + ".png")
    plots = ", ".join(
        "'%s' index %d using 1:2 with %s title '%s'" % (
            data, i, "boxes" if boxes else "linespoints", label)
        for i, (label, _) in enumerate(series))
    script = "\n".join([
        "set terminal pngcairo size 800,500",
        "set output '%s'" % png,
        "set title '%s'" % title, "set xlabel '%s'" % xlabel,
        "set ylabel '%s'" % ylabel, "set grid",
        "set logscale x 2" if logx else "",
        "set style fill solid 0.5" if boxes else "",
        "plot " + plots, ""])
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    return png


def plots(out, samples, hists):
    made = []
    made.append(gnuplot(out, "ring_sweep", "vnet pair: ring size",
                        "descriptors (rx = tx)", "UDP 64B datagrams/s",
                        [("udp64 pps", sweep(samples, "ring_udp64_pps"))],
                        logx=True))
    made.append(gnuplot(out, "usecs_sweep", "vnet pair: rx/tx-usecs",
                        "usecs", "ping -f replies/s",
                        [("ping flood pps",
                          sweep(samples, "usecs_pingflood_pps"))]))
    made.append(gnuplot(out, "usecs_rtt", "vnet pair: rx/tx-usecs",
                        "usecs", "ping -f avg RTT (us)",
                        [("avg RTT", sweep(samples, "usecs_rtt_us"))]))
    for key, buckets in hists.items():
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", key).strip("_")
        made.append(gnuplot(out, "hist_" + safe, key.replace("_", " "),
                            "bucket (log2 lower bound)", "count",
                            [(key.replace("_", " "),
                              [(max(lo, 0.5), c) for lo, _, c in buckets])],
                            logx=True, boxes=True))
    return [os.path.basename(p) for p in made if p]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    log, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    info, samples, hists = parse(log)
    if not samples:
        sys.exit("report.py: no BENCH samples in %s" % log)
    rat = ratios(samples)
    chk = checks(samples, hists)
    groups = {}
    for s in samples:
        groups.setdefault("%s/%s/%s" % (s["metric"], s["dev"], s["param"]),
                          []).append(s["value"])
    result = {"info": info, "samples": samples,
              "summary": {k: summary(v) for k, v in sorted(groups.items())},
              "ratios": rat, "checks": chk, "histograms": hists,
              "plots": plots(out, samples, hists)}
    with open(os.path.join(out, "bench.json"), "w") as f:
        json.dump(result, f, indent=1)
    md = markdown(info, samples, rat, chk)
    with open(os.path.join(out, "bench.md"), "w") as f:
        f.write(md)
    sys.stdout.write(md)


if __name__ == "__main__":
    main()
