# SPDX-License-Identifier: MIT
"""tools/linux-guest/figures.py — the real clients' figures of a run: what
each igt benchmark printed (gem_exec_nop: microseconds per execbuf;
gem_blt: MiB/s of 1 MiB copies; one line per repetition, the best taken)
and, from the daemon's counters snapshotted just before and after it
(side request "stats LABEL"), the workloads it submitted and the accesses
that trapped meanwhile. Written as figures.txt, one "name value unit" per
line, which `make bench` reads (tests/bench/bench_linux_guest.c).
"""
import os

# Counters that are traps on this path: every access the proxy forwards.
TRAP_KEYS = ("qemu_cfg_read", "qemu_cfg_write", "qemu_mmio_read", "qemu_mmio_write")
FALLBACK_TRAP_KEYS = ("cfg_reads", "cfg_writes", "mmio_reads", "mmio_writes")


def read_stats(path):
    """`xengt-ctl stats` output ("key: value" lines) -> {key: int}."""
    out = {}
    try:
        with open(path) as f:
            for line in f:
                k, sep, v = line.partition(":")
                if sep and v.strip().isdigit():
                    out[k.strip()] = int(v.strip())
    except OSError:
        pass
    return out


def delta(gdir, prog):
    """(workloads submitted, traps) while prog ran, or None if not snapshotted."""
    a = read_stats(os.path.join(gdir, "stats-before-%s.txt" % prog))
    b = read_stats(os.path.join(gdir, "stats-after-%s.txt" % prog))
    if "exec_submitted" not in a or "exec_submitted" not in b:
        return None
    keys = TRAP_KEYS if all(k in a for k in TRAP_KEYS) else FALLBACK_TRAP_KEYS
    traps = sum(b.get(k, 0) - a.get(k, 0) for k in keys)
    return b["exec_submitted"] - a["exec_submitted"], traps


def printed(text):
    vals = []
    for line in text.splitlines():
        try:
            vals.append(float(line.strip()))
        except ValueError:
            pass
    return vals


def write(gdir, sections):
    """figures.txt of one guest from its sections; returns its lines."""
    lines = []
    rows = (("gem_exec_nop", "i915_exec_nop", lambda v: 1e6 / min(v), "submissions/s"),
            ("gem_blt", "i915_blt", max, "MiB/s"))
    for prog, name, pick, unit in rows:
        sec = sections.get("igt-" + prog)
        vals = [v for v in printed(sec[1]) if v > 0] if sec and sec[0] == 0 else []
        if not vals:
            continue
        lines.append("%s %.3f %s" % (name, pick(vals), unit))
        d = delta(gdir, prog)
        if d and d[0] > 0:
            lines.append("%s_traps %.3f traps/submission" % (name, d[1] / d[0]))
    with open(os.path.join(gdir, "figures.txt"), "w") as f:
        f.write("".join(l + "\n" for l in lines))
    return lines
