# SPDX-License-Identifier: MIT
"""tools/linux-guest/judge.py — reads what a linux-guest boot printed on its
serial console and judges the ladder from the guest's own output.

The guest (guest-init.sh) prints facts ("@@xengt KEY VALUE...") and command
outputs between "@@xengt-begin NAME" and "@@xengt-end NAME rc=N"; the kernel's
own log arrives as the "dmesg" section. parse() splits a console log into
those; rungs() says which rungs one guest reached and why not the next;
stock_device() judges a boot with QEMU's own remote device (LSI 53c895a).

Run as a program: judge.py OUTDIR re-judges a finished run's guest-*/ dirs.
"""
import os
import re
import sys

BEGIN = re.compile(r"^@@xengt-begin (\S+)\s*$")
END = re.compile(r"^@@xengt-end (\S+) rc=(-?\d+)\s*$")
FACT = re.compile(r"^@@xengt (\S+)\s*(.*?)\s*$")


def parse(text):
    """Console text -> (facts: {key: [values]}, sections: {name: (rc, text)})."""
    facts, sections = {}, {}
    cur, buf = None, []
    for raw in text.splitlines():
        line = raw.rstrip("\r")
        # Kernel messages can interleave with the guest's lines on ttyS0;
        # markers are matched anywhere a line starts with them.
        m = BEGIN.match(line)
        if m:
            cur, buf = m.group(1), []
            continue
        m = END.match(line)
        if m and cur == m.group(1):
            sections[cur] = (int(m.group(2)), "\n".join(buf) + "\n")
            cur = None
            continue
        m = FACT.match(line)
        if m:
            facts.setdefault(m.group(1), []).append(m.group(2))
            # drmcheck's facts come from inside a section: keep them in both.
        if cur is not None:
            buf.append(line)
    return facts, sections


def fact(facts, key, default=""):
    v = facts.get(key)
    return v[-1] if v else default


def drm_facts(facts):
    """{'driver': 'i915', 'usable': 'yes', ...} from "@@xengt drm k=v" lines."""
    out = {}
    for v in facts.get("drm", []):
        k, _, val = v.partition("=")
        out[k] = val
    return out


# The lines i915 6.1 prints (strings of i915.ko: i915_vgpu.c, intel_gt.c).
I915_VGPU = "Virtual GPU for Intel GVT-g detected"
I915_BALLOON_OK = "VGT balloon successfully"
I915_WEDGED = re.compile(r"wedged", re.I)


I915_NO_VBT = "Failed to find VBIOS tables (VBT)"


def display_summary(facts, sections):
    """Where i915 took its ports from, and the connectors it made (guest-init.sh facts)."""
    dmesg = sections.get("dmesg", (1, ""))[1]
    if I915_NO_VBT in dmesg:
        vbt = "no VBT (i915: \"%s\", ports from defaults)" % I915_NO_VBT
    else:
        vbt = "VBT %s" % fact(facts, "vbt", "unknown")
    conns = facts.get("connector", [])
    return "%s; connectors: %s" % (vbt, ", ".join(conns) if conns else "none")


STACK_FRAME = re.compile(r"\s\??\s?[\w.]+\+0x[0-9a-f]+/0x[0-9a-f]+")


def wedged_caller(lines):
    """In a call trace through *set_wedged, the first function that is not."""
    for i, l in enumerate(lines):
        if STACK_FRAME.search(l) and "set_wedged" in l:
            for c in lines[i + 1:i + 8]:
                m = re.search(r"\s\??\s?([\w.]+)\+0x", c)
                if m and "set_wedged" not in m.group(1):
                    return m.group(1)
            return "set_wedged"
    return None


def rungs(facts, sections):
    """(rung reached 0..3, [why the next rung was not reached, ...], notes)."""
    dmesg = sections.get("dmesg", (1, ""))[1]
    notes = []
    why = []
    if not facts.get("boot"):
        return 0, ["the guest never reached /init (see console.log)"], notes
    if "done" not in facts:
        why.append("the guest did not finish (timeout or crash: see console.log)")
    # ---- rung 1 ----
    r1 = []
    if fact(facts, "i915-bound") != "yes":
        r1.append("i915 did not bind to 00:02.0")
    if I915_VGPU not in dmesg:
        r1.append("i915 did not report a GVT-g virtual GPU (\"%s\")" % I915_VGPU)
    if I915_BALLOON_OK not in dmesg:
        r1.append("i915 did not balloon (\"%s\")" % I915_BALLOON_OK)
    if r1:
        return 0, why + r1, notes
    # ---- rung 2 ----
    r2 = []
    lines = dmesg.splitlines()
    wedged_lines = [l for l in lines if "i915" in l and I915_WEDGED.search(l)
                    and not STACK_FRAME.search(l)]
    if wedged_lines:
        r2.append("GPU declared wedged: " + wedged_lines[0].strip())
    else:
        caller = wedged_caller(lines)
        if caller:
            r2.append("GPU wedged from %s (call trace in dmesg)" % caller)
    w = fact(facts, "i915-wedged", "unknown")
    if w not in ("0", "unknown"):
        r2.append("debugfs i915_wedged reads %s" % w)
    drm = drm_facts(facts)
    if drm.get("usable") != "yes" or drm.get("driver") != "i915":
        r2.append("/dev/dri/card0 not usable (%s)" %
                  ", ".join("%s=%s" % kv for kv in sorted(drm.items())) or "no drmcheck output")
    if fact(facts, "fb0", "none") == "none":
        r2.append("no fbdev (fb0)")
    if "1" not in facts.get("fbcon", []):
        r2.append("fbcon not bound to the framebuffer")
    shot = fact(facts, "screenshot", "none")
    if not shot.startswith("ok"):
        r2.append("no screenshot of the primary plane (%s)" % shot)
    if r2:
        return 1, why + r2, notes
    # ---- rung 3 ----
    r3 = []
    for prog in ("gem_exec_nop", "gem_blt"):
        sec = sections.get("igt-" + prog)
        if sec is None:
            r3.append("%s did not run" % prog)
        elif sec[0] == 77:
            r3.append("%s skipped itself (igt exit 77: a requirement not met)" % prog)
        elif sec[0] != 0:
            r3.append("%s exited %d" % (prog, sec[0]))
    # Debian's igt clients are benchmark builds that check nothing: blitcheck
    # (an empty batch per engine, a copy compared pixel by pixel) does.
    sec = sections.get("blitcheck")
    if sec is None:
        r3.append("blitcheck did not run")
    elif sec[0] != 0:
        bad = [l.split("blit ", 1)[1] for l in sec[1].splitlines()
               if "@@xengt blit " in l and not l.rstrip().endswith("=ok")
               and "=ok " not in l]
        r3.append("blitcheck: %s" % ("; ".join(bad) or "exited %d" % sec[0]))
    if r3:
        return 2, why + r3, notes
    return 3, why, notes


BOOT_FACT = "@@xengt boot kernel="


def split_reboot(text):
    """(first boot, the boot after it) of a --reboot run's console; the
    second is empty if the guest never came back."""
    first = text.find(BOOT_FACT)
    again = text.find(BOOT_FACT, first + 1) if first >= 0 else -1
    if again < 0:
        return text, ""
    return text[:again], text[again:]


def first_boot_summary(text):
    """What the first boot of a --reboot run did before it rebooted."""
    facts, sections = parse(text)
    rc = sections.get("blitcheck", (None, ""))[0]
    return "i915 bound %s, blitcheck rc=%s, %s" % (
        fact(facts, "i915-bound", "?"), "?" if rc is None else rc,
        "rebooted" if "rebooting" in facts else "did not reboot")


def i915_probe_seen(text):
    """Did i915 print anything about the device at 00:02.0 (its probe began)?"""
    return any("i915 0000:00:02.0" in l for l in text.splitlines())


def stock_device(facts, sections, disk_md5):
    """A boot with QEMU's lsi53c895a behind the proxy: (ok, [problems], summary)."""
    problems = []
    if not facts.get("boot"):
        return False, ["the guest never reached /init"], ""
    if fact(facts, "lsi-bound") != "yes":
        problems.append("sym53c8xx did not bind to 00:02.0")
    md5 = fact(facts, "lsi-disk", "none")
    if md5 != "md5=" + disk_md5:
        problems.append("disk read through the proxy: %s, expected md5=%s" % (md5, disk_md5))
    irqs = fact(facts, "lsi-irqs", "")
    if not irqs.isdigit() or int(irqs) == 0:
        problems.append("no INTx reached the guest (sym53c8xx interrupts: %s)" % (irqs or "none"))
    if "done" not in facts:
        problems.append("the guest did not finish")
    summary = "lsi53c895a: bound=%s disk=%s interrupts=%s" % (
        fact(facts, "lsi-bound", "?"), "match" if md5 == "md5=" + disk_md5 else md5, irqs or "0")
    return not problems, problems, summary


def write_sections(gdir, facts, sections):
    """Console sections as files in a guest's dir (dmesg.txt, cmd-NAME.txt)."""
    for name, (rc, text) in sections.items():
        fname = "dmesg.txt" if name == "dmesg" else "cmd-%s.txt" % name
        with open(os.path.join(gdir, fname), "w") as f:
            f.write(text)
    with open(os.path.join(gdir, "facts.txt"), "w") as f:
        for k, vs in facts.items():
            for v in vs:
                f.write("%s %s\n" % (k, v))


def main(argv):
    if len(argv) != 2:
        print("usage: judge.py OUTDIR", file=sys.stderr)
        return 2
    out = argv[1]
    best, n = None, 0
    for g in sorted(os.listdir(out)):
        log = os.path.join(out, g, "console.log")
        if not g.startswith("guest-") or not os.path.exists(log):
            continue
        with open(log, errors="replace") as f:
            facts, sections = parse(f.read())
        r, why, _ = rungs(facts, sections)
        print("%s: rung %d%s" % (g, r, ": " + "; ".join(why) if why else ""))
        best = r if best is None else min(best, r)
        n += 1
    # Rung 4: two guests at once, both at rung 3.
    print("rung %d of 4" % (4 if n >= 2 and best == 3 else (best or 0)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
