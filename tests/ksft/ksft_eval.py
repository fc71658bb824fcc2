#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Evaluate a run of the kernel's NIC driver selftests against vnet.

  ksft_eval.py --expect expect.txt --kernel KVER [--json OUT] [--quiet] LOG
      LOG holds each test file's KTAP output between "### KSFT BEGIN <file>"
      and "### KSFT END <file> rc=N time=S" (tests/ksft/run_guest.sh; the
      guest's console log will do). Every case is ok, fail, skip or xfail;
      one "TEST: ... [ OK ]" / "[FAIL]" line per file says whether its
      fails and skips are exactly those expect.txt allows for KVER's
      series. Exit status 1 if any is not.
  ksft_eval.py --table JSON...
      a Markdown table of the results (per file and kernel: ok/fail/skip/
      xfail counts) from the --json files
  ksft_eval.py --notrun --kernel KVER expect.txt
      the files expect.txt says not to run on KVER, "file|reason" a line
  ksft_eval.py --readme README JSON...
      put that table into README between "<!-- ksft-table -->" and
      "<!-- /ksft-table -->"; exit 0 whether or not it changed

An xfail is the suite's own verdict that the case cannot apply (e.g. a
netdevsim-only check): it passes without an entry. A fail or skip passes
only with an entry for it; an entry whose case now passes, or that matches
no case of a file that ran, fails (the list must stay true).
"""

import argparse
import fnmatch
import json
import re
import shlex
import sys

# What expect.txt may excuse: features vnet does not claim, and a tool
# too old in the guest (the reason names it and the version needed).
CATEGORIES = {
    "pause": "pause frames",
    "fec": "FEC",
    "devlink": "devlink",
    "devmem": "devmem TCP",
    "iou-zcrx": "io_uring zero-copy RX",
    "psp": "PSP",
    "macsec": "MACsec offload",
    "rss": "RSS configuration",
    "xdp": "XDP",
    "hw-gro": "hardware GRO",
    "ntuple": "ntuple flow steering",
    "hds": "header-data split",
    "shaper": "net shapers",
    "uso": "UDP segmentation offload",
    "tunnel-tso": "tunnel (UDP, GRE, IP-in-IP) segmentation offload",
    "ipsec": "IPsec (ESP) offload",
    "hwtstamp": "hardware timestamping",
    "tool": "a missing tool version",
    "kconfig": "a kernel option Debian's cloud kernel lacks (named)",
    "suite-bug": "a bug of that kernel's own suite (named)",
    "tcg": "timing the emulator (TCG) cannot meet",
    "cpus": "more CPUs than the VM's 2",
    # notrun only: a slow file whose newer version runs on a newer series,
    # or one that passes and tests no feature of vnet's own
    "ci-time": "CI's 90 minutes (a newer series runs the file, or it "
               "tests no vnet feature and passes by hand)",
    # Not an excuse: a result vnet should not have, listed so that the
    # rest of the suite still guards make check; issue 14 stays open
    # while any is here.
    "open": "a vnet gap still open",
}
# notrun: the file is not run at all (CASE "*"), for a slow file whose
# every case is excused anyway, or (ci-time) one a newer series runs too
# or that passes and tests no feature of vnet's own
# flaky: the case passes or fails by the emulator's timing (tcg only)
STATUSES = ("skip", "fail", "xfail", "notrun", "flaky")

KTAP_RE = re.compile(r"^(not )?ok (\d+) (\S+)(?: # (SKIP|XFAIL)\b ?(.*))?$")
ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")
BEGIN_RE = re.compile(r"^### KSFT BEGIN (\S+)$")
END_RE = re.compile(r"^### KSFT END (\S+) rc=(\S+) time=(\d+)$")
NOTRUN_RE = re.compile(r"^### KSFT NOTRUN (\S+) (.*)$")
FILES_RE = re.compile(r"^### KSFT FILES (.*)$")


def series(kver):
    """'7.3.4+deb13-cloud-amd64' -> '7.3'"""
    m = re.match(r"^(\d+)\.(\d+)", kver)
    if not m:
        raise SystemExit(f"ksft_eval: cannot read a version from '{kver}'")
    return f"{m.group(1)}.{m.group(2)}"


class Entry:
    def __init__(self, where, kernel, file, case, status, category, reason):
        self.where = where
        self.kernel = kernel
        self.file = file
        self.case = case
        self.status = status
        self.category = category
        self.reason = reason
        self.used = False

    def matches(self, kernel, file, case):
        return (self.kernel == kernel and self.file == file and
                fnmatch.fnmatchcase(case, self.case))

    def as_dict(self):
        return {"status": self.status, "category": self.category,
                "reason": self.reason, "line": self.where}


def load_expect(path):
    """expect.txt: KERNEL FILE CASE STATUS CATEGORY "REASON" a line."""
    entries = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            where = f"{path}:{n}"
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                words = shlex.split(line)
            except ValueError as e:
                raise SystemExit(f"{where}: {e}")
            if len(words) != 6:
                raise SystemExit(f"{where}: want KERNEL FILE CASE STATUS "
                                 f"CATEGORY \"REASON\", got {len(words)} "
                                 "fields")
            kernel, file, case, status, category, reason = words
            if not re.fullmatch(r"\d+\.\d+", kernel):
                raise SystemExit(f"{where}: kernel '{kernel}' is not a "
                                 "series like 7.3")
            if status not in STATUSES:
                raise SystemExit(f"{where}: status '{status}' is not one of "
                                 f"{', '.join(STATUSES)}")
            if category not in CATEGORIES:
                raise SystemExit(f"{where}: category '{category}' is not one "
                                 f"of {', '.join(CATEGORIES)}")
            if status == "flaky" and category != "tcg":
                raise SystemExit(f"{where}: flaky is for timing the "
                                 "emulator cannot meet (tcg)")
            if status == "notrun" and case != "*":
                raise SystemExit(f"{where}: notrun is for a whole file "
                                 "(CASE \"*\")")
            if category == "tool" and not re.search(r"\d", reason):
                raise SystemExit(f"{where}: a tool entry names the version "
                                 "it needs")
            entries.append(Entry(where, kernel, file, case, status,
                                 category, reason))
    return entries


def short(text, limit=300):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def fail_reason(comments):
    """The line that says why a case failed, from its '#' lines."""
    lines = [c[1:].strip() if c.startswith("#") else c for c in comments]
    for i, c in enumerate(lines):
        if c.startswith(("Check failed", "Waiting for condition",
                         "Expected exception")):
            return short(c)
    # The exception: the last "Type: message" line outside the
    # traceback's frames, with what follows it (CmdExitFailure carries
    # the command's STDOUT and STDERR on the next lines)
    exc = [c[len("Exception|"):] for c in lines if c.startswith("Exception|")]
    exc = [c[1:] if c.startswith(" ") else c for c in exc]
    heads = [i for i, c in enumerate(exc)
             if re.match(r"^[A-Za-z_][\w.]*: ", c)]
    if heads:
        i = heads[-1]
        msg = []
        for c in exc[i:i + 8]:
            if not c.strip():
                break
            msg.append(c.strip())
        return short(" ".join(msg))
    return short(lines[-1]) if lines else ""


def parse_log(path):
    """Per file, in log order: {file, rc, time, plan, cases, notrun, out}."""
    files = []
    listed = None
    cur = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for raw in f:
            line = ANSI_RE.sub("", raw.rstrip("\r\n"))
            m = FILES_RE.match(line)
            if m:
                listed = m.group(1).split()
                continue
            m = NOTRUN_RE.match(line)
            if m:
                files.append({"file": m.group(1), "notrun": m.group(2),
                              "cases": [], "rc": None, "time": 0,
                              "plan": None, "out": []})
                continue
            m = BEGIN_RE.match(line)
            if m:
                cur = {"file": m.group(1), "notrun": None, "cases": [],
                       "rc": None, "time": 0, "plan": None, "out": [],
                       "pending": []}
                files.append(cur)
                continue
            if cur is None:
                continue
            m = END_RE.match(line)
            if m and m.group(1) == cur["file"]:
                cur["rc"] = m.group(2)
                cur["time"] = int(m.group(3))
                cur.pop("pending")
                cur = None
                continue
            cur["out"].append(line)
            if re.match(r"^1\.\.\d+$", line):
                cur["plan"] = int(line[3:])
                continue
            m = KTAP_RE.match(line)
            if m:
                notok, _, name, directive, comment = m.groups()
                # "ping.test_v4" -> "test_v4" (KSFT_MAIN_NAME first)
                main = cur["file"].rsplit("/", 1)[-1][:-3]
                if name.startswith(main + "."):
                    name = name[len(main) + 1:]
                if directive == "SKIP":
                    status, reason = "skip", comment or ""
                elif directive == "XFAIL":
                    status, reason = "xfail", comment or ""
                elif notok:
                    status, reason = "fail", fail_reason(cur["pending"])
                else:
                    status, reason = "ok", ""
                case = {"name": name, "status": status,
                        "reason": short(reason)}
                if status == "fail":
                    case["log"] = cur["pending"][-40:]
                cur["cases"].append(case)
                cur["pending"] = []
            elif line.startswith("#"):
                cur["pending"].append(line)
    if cur is not None:
        cur.pop("pending", None)
        cur["rc"] = "lost"
    return files, listed


def synthetic(f):
    """A case for what went wrong with the file as a whole, if anything."""
    rc = f["rc"]
    tail = short(" | ".join(x for x in f["out"][-8:] if x.strip()), 500)
    if rc == "lost":
        return {"name": "(lost)", "status": "fail",
                "reason": "output ends before the file's end: " + tail}
    if rc == "setup":
        return {"name": "(setup)", "status": "fail",
                "reason": "vnet pair setup failed: " + tail}
    if rc in ("124", "137"):
        return {"name": "(timeout)", "status": "fail",
                "reason": f"killed after its timeout (rc {rc}) during: "
                          + tail}
    if f["plan"] is None and rc == "4":
        # kselftest's "skip" exit code, from a test that is not KTAP
        return {"name": "(exit)", "status": "skip",
                "reason": "exit 4 (kselftest skip): " + tail}
    if f["plan"] is None:
        return {"name": "(exit)", "status": "fail",
                "reason": f"no KTAP plan, exit {rc}: {tail}"}
    if len(f["cases"]) < f["plan"]:
        return {"name": "(incomplete)", "status": "fail",
                "reason": f"{len(f['cases'])} of {f['plan']} cases, exit "
                          f"{rc}: {tail}"}
    if rc != "0" and all(c["status"] != "fail" for c in f["cases"]):
        return {"name": "(exit)", "status": "fail",
                "reason": f"exit {rc} without a failed case: {tail}"}
    return None


def evaluate(files, listed, entries, kernel):
    """Mark each case expected or not; return the problems per file."""
    mine = [e for e in entries if e.kernel == kernel]
    seen = set()
    for f in files:
        seen.add(f["file"])
        f["problems"] = []
        if f["notrun"] is not None:
            for e in mine:
                if e.file == f["file"] and e.status == "notrun":
                    e.used = True
            continue
        s = synthetic(f)
        if s:
            f["cases"].append(s)
        for c in f["cases"]:
            match = [e for e in mine if e.matches(kernel, f["file"],
                                                  c["name"])]
            # the entry that allows what happened, else the first
            match.sort(key=lambda e: e.status not in
                       (c["status"], "flaky"))
            for e in match:
                e.used = True
            c["expected"] = match[0].as_dict() if match else None
            if c["status"] == "ok":
                if match and match[0].status != "flaky":
                    f["problems"].append(
                        f"{c['name']}: passes, but {match[0].where} allows "
                        f"it to {match[0].status} ({match[0].reason}): "
                        "remove the entry or narrow its pattern")
                continue
            if c["status"] == "xfail" and not match:
                continue
            if not match:
                f["problems"].append(
                    f"{c['name']}: {c['status']}, not in expect.txt: "
                    f"{c['reason']}")
            elif match[0].status != c["status"] and not (
                    match[0].status == "flaky" and c["status"] == "fail"):
                f["problems"].append(
                    f"{c['name']}: {c['status']}, but {match[0].where} "
                    f"expects {match[0].status}: {c['reason']}")
        counts = {k: 0 for k in ("ok", "fail", "skip", "xfail")}
        for c in f["cases"]:
            counts[c["status"]] += 1
        f["counts"] = counts
    stale = []
    for e in mine:
        if e.used:
            continue
        if e.file in seen:
            ran = next(f for f in files if f["file"] == e.file)
            if ran["notrun"] is not None:
                continue
            stale.append(f"{e.where}: {e.file} {e.case} matches no case "
                         "that ran: remove or rename the entry")
        elif listed is not None and e.file not in listed:
            stale.append(f"{e.where}: the suite has no {e.file}: remove "
                         "the entry")
    return stale


def summary(files, stale):
    t = {k: 0 for k in ("ok", "fail", "skip", "xfail")}
    for f in files:
        for k, v in f.get("counts", {}).items():
            t[k] += v
    bad = sum(1 for f in files if f["problems"])
    notrun = sum(1 for f in files if f["notrun"] is not None)
    text = ", ".join(f"{v} {k}" for k, v in t.items())
    text += f" in {len(files) - notrun} files"
    if notrun:
        text += f" ({notrun} not run)"
    text += f", {sum(f['time'] for f in files)} s"
    if bad or stale:
        text += (f"; UNEXPECTED in {bad} files" +
                 (f", {len(stale)} stale entries" if stale else ""))
    return text


def report(files, stale, kernel, quiet):
    failed = 0
    for f in files:
        name = f"ksft {f['file']} ({kernel})"
        if f["notrun"] is not None:
            if not quiet:
                print(f"TEST: {name}: not run: {f['notrun']} [SKIP]")
            continue
        c = f["counts"]
        summary = (f"{c['ok']} ok, {c['fail']} fail, {c['skip']} skip, "
                   f"{c['xfail']} xfail, {f['time']} s")
        verdict = "FAIL" if f["problems"] else " OK "
        failed += bool(f["problems"])
        if not quiet:
            print(f"TEST: {name}: {summary} [{verdict}]")
            for p in f["problems"]:
                print(f"\t{p}")
    if stale:
        failed += 1
    if not quiet:
        print(f"TEST: ksft expect.txt has no stale entry for {kernel} "
              f"[{'FAIL' if stale else ' OK '}]")
        for s in stale:
            print(f"\t{s}")
    return failed


def to_json(files, stale, kver, kernel):
    out = []
    for f in files:
        d = {"file": f["file"], "time": f["time"], "rc": f["rc"]}
        if f["notrun"] is not None:
            d["notrun"] = f["notrun"]
        else:
            d.update(counts=f["counts"], problems=f["problems"],
                     cases=f["cases"])
        out.append(d)
    return {"kernel": kver, "series": kernel, "files": out, "stale": stale,
            "time": sum(f["time"] for f in files),
            "ok": not stale and not any(f["problems"] for f in files)}


def table(paths):
    runs = []
    for p in paths:
        with open(p, encoding="utf-8") as f:
            runs.append(json.load(f))
    runs.sort(key=lambda r: [int(x) for x in r["series"].split(".")])
    lines = []
    for r in runs:
        if r.get("nosuite"):
            lines.append(f"{r['series']} ({r['kernel']}): {r['nosuite']}.")
    withsuite = [r for r in runs if not r.get("nosuite")]
    if not withsuite:
        return "\n".join(lines) + "\n"
    if lines:
        lines.append("")
    order = []
    for r in withsuite:
        for f in r["files"]:
            if f["file"] not in order:
                order.append(f["file"])
    order.sort(key=lambda x: (x.startswith("hw/"), x))
    lines.append("| test | " + " | ".join(r["series"] for r in withsuite)
                 + " |")
    lines.append("|---|" + "---|" * len(withsuite))
    totals = [{k: 0 for k in ("ok", "fail", "skip", "xfail")}
              for _ in withsuite]
    for name in order:
        cells = []
        for i, r in enumerate(withsuite):
            f = next((x for x in r["files"] if x["file"] == name), None)
            if f is None:
                cells.append("-")
            elif "notrun" in f:
                cells.append("not run")
            else:
                c = f["counts"]
                for k in c:
                    totals[i][k] += c[k]
                cell = "/".join(str(c[k]) for k in
                                ("ok", "fail", "skip", "xfail"))
                if f["problems"]:
                    cell += " **!**"
                cells.append(cell)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("| **total** | " + " | ".join(
        "/".join(str(t[k]) for k in ("ok", "fail", "skip", "xfail"))
        for t in totals) + " |")
    return "\n".join(lines) + "\n"


def readme(path, paths):
    begin, end = "<!-- ksft-table -->", "<!-- /ksft-table -->"
    with open(path, encoding="utf-8") as f:
        text = f.read()
    a, b = text.find(begin), text.find(end)
    if a < 0 or b < a:
        raise SystemExit(f"ksft_eval: {path} has no {begin} ... {end}")
    new = text[:a + len(begin)] + "\n" + table(paths) + text[b:]
    if new != text:
        with open(path, "w", encoding="utf-8") as f:
            f.write(new)
        print(f"ksft_eval: {path}: table updated")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--expect")
    ap.add_argument("--kernel", help="kernel release the log is from")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--quiet", action="store_true",
                    help="a summary line instead of the TEST lines")
    ap.add_argument("--table", action="store_true")
    ap.add_argument("--notrun", action="store_true",
                    help="print KERNEL's files not to run, 'file|reason'")
    ap.add_argument("--readme")
    ap.add_argument("paths", nargs="+")
    a = ap.parse_args()
    if a.table:
        sys.stdout.write(table(a.paths))
        return 0
    if a.readme:
        readme(a.readme, a.paths)
        return 0
    if a.notrun:
        kernel = series(a.kernel)
        for e in load_expect(a.paths[0]):
            if e.kernel == kernel and e.status == "notrun":
                print(f"{e.file}|{e.category}: {e.reason}")
        return 0
    if not a.expect or not a.kernel or len(a.paths) != 1:
        ap.error("want --expect, --kernel and one LOG")
    entries = load_expect(a.expect)
    kernel = series(a.kernel)
    files, listed = parse_log(a.paths[0])
    stale = evaluate(files, listed, entries, kernel)
    failed = report(files, stale, kernel, a.quiet)
    if a.quiet:
        print(summary(files, stale))
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(to_json(files, stale, a.kernel, kernel), f, indent=1)
            f.write("\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
