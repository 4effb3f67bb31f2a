#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tools/linux-guest/run.py — boots real Linux guests in front of a device
process through QEMU's multi-process proxy, collects what they print, and
judges the ladder (judge.py). `make linux-guest` runs it.

For each guest: one socketpair; one end goes (inherited) to the device
process, the other to QEMU as `-device x-pci-proxy-dev,fd=N,addr=0x2`. QEMU
(the patched build from qemu-build.sh: INTx under TCG) runs with memfd-backed
shared RAM, no VGA, the Debian kernel and our initramfs, the serial console
in a file and a second serial port as a side channel (the guest asks, e.g.
"screenshot", the harness answers one line).

The device process:
  xengt  build/xengt-dm-qemu (qemu-glue); the default once it is built
  lsi    QEMU's own remote device (-machine x-remote, lsi53c895a): the
         stand-in while there is no xengt-dm-qemu; proves BARs, DMA and INTx
LINUX_GUEST_DEVICE_CMD overrides the xengt command line (a template, see
docs/linux-guest.md). LINUX_GUEST_RUN: extra guest commands (sh).

Exit: 0 when the run completed (whatever rung), 1 on a harness error or a
stock-device failure, 77 when it cannot run here (the reason is printed).
"""
import argparse
import hashlib
import os
import select
import shlex
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import figures  # noqa: E402
import judge  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SKIP = 77
FIRMWARE = ["/usr/share/qemu", "/usr/share/seabios", "/usr/lib/ipxe/qemu"]
OPREGION_SIZE = 8192  # the vGPU's OpRegion (mediator/display/opregion.h)

# xengt-dm-qemu's options (docs/qemu-glue.md): one process serves every guest
# ("one GPU"); {guests} expands to XENGT_GUEST once per guest.
XENGT_CMD = "{build}/xengt-dm-qemu --socket {ctl} {guests}"
XENGT_GUEST = "--domid {domid} --vgpu {vgpu} --proxy-fd {domid}:{fd}"
LSI_CMD = ("{qemu} -machine x-remote -nodefaults -display none -monitor none "
           "-serial none -device lsi53c895a,id=lsi0 "
           "-drive id=disk0,file={disk},format=raw,if=none "
           "-device scsi-hd,id=sd0,drive=disk0,bus=lsi0.0,scsi-id=0 "
           "-object x-remote-object,id=robj0,devid=lsi0,fd={fd}")


class Skip(Exception):
    pass


def log(msg):
    print("linux-guest: " + msg, flush=True)


def qemu_path(args):
    if args.qemu:
        return args.qemu
    return subprocess.run(["sh", os.path.join(HERE, "qemu-build.sh"), "--path"],
                          check=True, capture_output=True, text=True).stdout.strip()


def prerequisites(args):
    q = qemu_path(args)
    if not os.access(q, os.X_OK):
        raise Skip("patched QEMU not built: %s missing (run 'make qemu')" % q)
    if not any(f.startswith("vmlinuz-") for f in os.listdir("/boot")):
        raise Skip("no kernel image in /boot (linux-image-amd64: 'make deps')")
    if not os.path.exists("/usr/share/seabios/bios-256k.bin"):
        raise Skip("SeaBIOS missing (seabios: 'make deps')")
    if not os.path.exists("/usr/share/qemu/linuxboot_dma.bin"):
        raise Skip("QEMU option ROMs missing (qemu-system-data: 'make deps')")
    if not os.path.exists("/bin/busybox"):
        raise Skip("busybox missing (busybox-static: 'make deps')")
    return q


def device_kind(args):
    if args.device != "auto":
        return args.device
    if os.environ.get("LINUX_GUEST_DEVICE_CMD") or \
            os.access(os.path.join(args.build, "xengt-dm-qemu"), os.X_OK):
        return "xengt"
    return "lsi"


def build_initrd(args, gdir, kind, side):
    """Base initramfs (cached) + a small per-run archive with run.conf."""
    base = os.path.join(args.out, "initramfs")
    r = subprocess.run(["sh", os.path.join(HERE, "mkinitramfs.sh"), base])
    if r.returncode:
        raise Skip("initramfs not built (see above)")
    conf = os.path.join(gdir, "etc", "xengt")
    os.makedirs(conf, exist_ok=True)
    mode = args.guest_mode if args.guest_mode != "auto" else ("lsi" if kind == "lsi" else "i915")
    lines = ["LG_MODE=%s" % mode,
             "LG_SHORT=%d" % (1 if args.short else 0),
             "LG_SIDE=%d" % (1 if side else 0),
             "LG_DISK_BYTES=%d" % args.disk_bytes,
             "LG_REBOOT=%d" % (1 if args.reboot else 0)]
    for k in ("LINUX_GUEST_I915_PARAMS:LG_I915_PARAMS", "LINUX_GUEST_IGT:LG_IGT",
              "LINUX_GUEST_DRM_DEBUG:LG_DRM_DEBUG"):
        env, var = k.split(":")
        if os.environ.get(env):
            lines.append("%s=%s" % (var, shlex.quote(os.environ[env])))
    with open(os.path.join(conf, "run.conf"), "w") as f:
        f.write("\n".join(lines) + "\n")
    user = os.environ.get("LINUX_GUEST_RUN", "")
    if user:
        with open(os.path.join(conf, "run.sh"), "w") as f:
            f.write(user + "\n")
    extra = subprocess.run("cd %s && find etc | cpio -o -H newc --quiet -R 0:0 | gzip -1"
                           % shlex.quote(gdir), shell=True, check=True,
                           capture_output=True).stdout
    initrd = os.path.join(gdir, "initrd.img")
    with open(initrd, "wb") as f:
        with open(os.path.join(base, "initramfs.cpio.gz"), "rb") as b:
            f.write(b.read())
        f.write(extra)
    return os.path.join(base, "vmlinuz"), initrd


def kvm_works(args, qemu):
    """KVM where it boots Linux: probed once per host kernel and QEMU, cached."""
    if args.accel != "auto":
        return args.accel == "kvm"
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return False
    key = hashlib.sha256((os.uname().release + qemu).encode()).hexdigest()[:12]
    root = os.environ.get("XENGT_QEMU_CACHE", "/var/cache/xengt-dm")
    if not os.access(root, os.W_OK):
        root = args.out
    cache = os.path.join(root, "kvm-probe-" + key)
    try:
        with open(cache) as f:
            return f.read().strip() == "yes"
    except OSError:
        pass
    # A kernel without initrd panics at the root mount: under a working KVM
    # its banner is on the console in well under 15 s.
    log("probing KVM (once per host kernel; cached in %s)" % cache)
    con = os.path.join(args.out, "kvm-probe.log")
    p = subprocess.Popen([qemu, "-accel", "kvm", "-m", "256", "-nodefaults",
                          "-display", "none", "-no-reboot"] + sum((["-L", d] for d in FIRMWARE), []) +
                         ["-kernel", os.path.join(args.out, "initramfs", "vmlinuz"),
                          "-append", "console=ttyS0 panic=-1", "-serial", "file:" + con],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ok = False
    deadline = time.time() + 15
    while time.time() < deadline and p.poll() is None:
        time.sleep(0.5)
        try:
            if b"Linux version" in open(con, "rb").read():
                ok = True
                break
        except OSError:
            pass
    if p.poll() is None:
        p.kill()
    p.wait()
    try:
        with open(cache, "w") as f:
            f.write("yes\n" if ok else "no\n")
    except OSError:
        pass
    log("KVM %s" % ("boots Linux: using it" if ok else "does not boot Linux here: TCG"))
    return ok


class Guest:
    def __init__(self, args, idx, qemu, kind):
        self.args, self.idx, self.qemu, self.kind = args, idx, qemu, kind
        self.dir = os.path.join(args.out, "guest-%d" % idx)
        os.makedirs(self.dir, exist_ok=True)
        for f in os.listdir(self.dir):
            p = os.path.join(self.dir, f)
            if os.path.isfile(p):
                os.unlink(p)
        self.console = os.path.join(self.dir, "console.log")
        self.side_path = os.path.join(self.dir, "side.sock")
        self.ctl = os.path.join(self.dir, "xengt-ctl.sock")
        self.proc = self.dev = None
        self.side = None
        self.side_buf = b""
        self.qemu_log = open(os.path.join(self.dir, "qemu.log"), "w")
        self.dev_log = open(os.path.join(self.dir, "device.log"), "w")
        self.disk_md5 = None
        self.shared_dev = False  # the device process belongs to guest 0
        self.domid = idx + 1
        self.collected = False
        self.machine = None
        self.boots = 0  # "boot" side requests: which boot of the guest this is

    def template_vars(self, fd):
        return {"build": self.args.build, "fd": fd, "ctl": self.ctl, "qemu": self.qemu,
                "disk": os.path.join(self.dir, "disk.img"), "index": self.idx,
                "domid": self.domid,
                # 640x480: every aperture access is a proxy round trip in
                # this mode (docs/qemu-glue.md), and fbcon redraws the screen
                # through the aperture; at 1920x1200 one clear takes a minute.
                "vgpu": os.environ.get("LINUX_GUEST_VGPU", "type=GVTg_V5_4,res=640x480"),
                "dir": self.dir}

    def start_device(self, fd, peers=None):
        """The device process for this guest; peers: [(guest, fd)] it serves when shared."""
        if self.kind == "lsi":
            data = hashlib.sha256(b"xengt-linux-guest %d" % self.idx).digest()
            blob = (data * (self.args.disk_bytes // len(data) + 1))[:self.args.disk_bytes]
            # Vary each 512-byte sector so a misplaced sector shows.
            blob = b"".join(i.to_bytes(8, "little") + blob[i * 512 + 8:(i + 1) * 512]
                            for i in range(len(blob) // 512))
            with open(os.path.join(self.dir, "disk.img"), "wb") as f:
                f.write(blob)
            self.disk_md5 = hashlib.md5(blob).hexdigest()
            tmpl = LSI_CMD
        else:
            tmpl = os.environ.get("LINUX_GUEST_DEVICE_CMD") or XENGT_CMD
        peers = peers or [(self, fd)]
        guests = " ".join(XENGT_GUEST.format(**g.template_vars(f)) for g, f in peers)
        cmd = tmpl.format(guests=guests, **self.template_vars(fd))
        self.dev_log.write("$ %s\n" % cmd)
        self.dev_log.flush()
        env = dict(os.environ)
        # softgpu's simulated machine: private to this run, removed after it.
        if self.kind == "xengt" and "XENSIM_MACHINE" not in env:
            env["XENSIM_MACHINE"] = self.machine = "linux-guest-%d" % os.getpid()
        self.dev = subprocess.Popen(shlex.split(cmd), pass_fds=[f for _, f in peers],
                                    stdin=subprocess.DEVNULL, env=env,
                                    stdout=self.dev_log, stderr=subprocess.STDOUT)
        return self.dev

    def start(self, kernel, initrd, kvm, b):
        """QEMU, with b (the proxy's end of the socketpair) inherited."""
        mem = "%dM" % self.args.mem
        devid = "lsi0" if self.kind == "lsi" else "vgpu0"
        append = ("console=tty0 console=ttyS0 rdinit=/init panic=-1 "
                  + os.environ.get("LINUX_GUEST_APPEND", ""))
        cmd = [self.qemu, "-accel", "kvm" if kvm else "tcg", "-m", mem,
               "-object", "memory-backend-memfd,id=mem,size=%s,share=on" % mem,
               "-numa", "node,memdev=mem", "-nodefaults", "-vga", "none",
               "-display", "none", "-monitor", "none"]
        # --reboot: the guest reboots once (QEMU resets the machine and the
        # proxy: DEVICE_RESET); otherwise a reboot ends the run.
        if not self.args.reboot:
            cmd.append("-no-reboot")
        cmd += sum((["-L", d] for d in FIRMWARE), [])
        if self.kind == "xengt":
            # SeaBIOS (intel_igd_setup) reserves high memory for this fw_cfg
            # file, copies it there and writes ASLS: the vGPU then copies its
            # own OpRegion over it (docs/opregion.md). A zeroed placeholder
            # of the OpRegion's size; its content is never what i915 reads.
            opr = os.path.join(self.dir, "igd-opregion.bin")
            with open(opr, "wb") as f:
                f.write(bytes(OPREGION_SIZE))
            cmd += ["-fw_cfg", "name=etc/igd-opregion,file=" + opr]
        cmd += ["-kernel", kernel, "-initrd", initrd, "-append", append,
                "-serial", "file:" + self.console,
                "-chardev", "socket,id=side,path=%s,server=on,wait=off" % self.side_path,
                "-serial", "chardev:side",
                "-device", "x-pci-proxy-dev,id=%s,fd=%d,addr=0x2" % (devid, b.fileno())]
        self.qemu_log.write("$ %s\n" % " ".join(shlex.quote(c) for c in cmd))
        self.qemu_log.flush()
        self.t0 = time.time()
        self.proc = subprocess.Popen(cmd, pass_fds=[b.fileno()], stdin=subprocess.DEVNULL,
                                     stdout=self.qemu_log, stderr=subprocess.STDOUT)
        b.close()

    def connect_side(self):
        if self.side is not None or not os.path.exists(self.side_path):
            return
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(self.side_path)
        except OSError:
            s.close()
            return
        self.side = s

    def side_request(self, line):
        """One request from the guest: do it, answer one line."""
        if line == "ping":
            answer = "pong"
        elif line == "boot":
            self.boots += 1
            answer = str(self.boots)
        elif line == "screenshot":
            answer = screenshot(self)
        elif line.startswith("stats ") and self.kind == "xengt":
            # A snapshot of the daemon's counters, labelled by the guest
            # (figures.py: the traps and workloads of one igt client).
            label = "".join(c for c in line[6:] if c.isalnum() or c in "-_")[:64]
            rc, out = ctl(self, "stats", str(self.domid))
            with open(os.path.join(self.dir, "stats-%s.txt" % label), "w") as f:
                f.write(out)
            answer = "ok" if rc == 0 else "failed rc=%d" % rc
        elif line == "collect":
            collect_ctl(self)
            self.collected = True
            answer = "ok"
        else:
            answer = "unknown-request"
        self.side.sendall((answer + "\n").encode())

    def pump_side(self):
        self.connect_side()
        if self.side is None:
            return
        r, _, _ = select.select([self.side], [], [], 0)
        if not r:
            return
        data = self.side.recv(4096)
        if not data:
            self.side.close()
            self.side = None
            return
        self.side_buf += data
        while b"\n" in self.side_buf:
            line, self.side_buf = self.side_buf.split(b"\n", 1)
            line = line.strip().decode(errors="replace")
            if line:
                self.side_request(line)

    def stop_qemu(self):
        stop_process(self.proc)

    def stop_device(self):
        """The device process (once, by its owner), then this guest's files."""
        if not self.shared_dev:
            stop_process(self.dev)
        if self.side:
            self.side.close()
        xensim = os.path.join(self.args.build, "xensim")
        if self.machine and not self.shared_dev and os.access(xensim, os.X_OK):
            subprocess.run([xensim, "-m", self.machine, "machine-destroy"],
                           stdout=self.dev_log, stderr=subprocess.STDOUT)
        self.qemu_log.close()
        self.dev_log.close()


def stop_process(p):
    if p and p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def ctl(g, *cmd):
    """xengt-ctl against a guest's device process: (rc, output)."""
    exe = os.path.join(g.args.build, "xengt-ctl")
    if not os.access(exe, os.X_OK):
        return 127, "xengt-ctl not built"
    r = subprocess.run([exe, "-s", g.ctl] + list(cmd), capture_output=True, text=True,
                       timeout=30)
    return r.returncode, r.stdout + r.stderr


def screenshot(g):
    if g.kind != "xengt":
        return "unsupported (device %s)" % g.kind
    rc, out = ctl(g, "--help")
    if "screenshot" not in out:
        return "unsupported (xengt-ctl has no screenshot)"
    png = os.path.join(g.dir, "screenshot.png")
    rc, out = ctl(g, "screenshot", str(g.domid), png)
    with open(os.path.join(g.dir, "screenshot.log"), "w") as f:
        f.write(out)
    return "ok %s" % png if rc == 0 and os.path.exists(png) else "failed rc=%d" % rc


def collect_ctl(g):
    if g.kind != "xengt":
        return
    domid = str(g.domid)
    for name, cmd in (("list", ["list"]), ("stats", ["stats", domid]),
                      ("trap-map", ["trap-map", domid])):
        try:
            rc, out = ctl(g, *cmd)
        except (OSError, subprocess.SubprocessError) as e:
            rc, out = -1, str(e)
        with open(os.path.join(g.dir, "xengt-ctl-%s.txt" % name), "w") as f:
            f.write(out if rc == 0 else "rc=%d\n%s" % (rc, out))


def run(args):
    qemu = prerequisites(args)
    kind = device_kind(args)
    if kind == "xengt" and not os.environ.get("LINUX_GUEST_DEVICE_CMD") and \
            not os.access(os.path.join(args.build, "xengt-dm-qemu"), os.X_OK):
        raise Skip("%s/xengt-dm-qemu not built (qemu-glue)" % args.build)
    os.makedirs(args.out, exist_ok=True)
    nguests = args.guests if kind == "xengt" else 1
    guests = [Guest(args, i, qemu, kind) for i in range(nguests)]
    boots = [build_initrd(args, g.dir, kind, True) for g in guests]
    kvm = kvm_works(args, qemu)
    log("device: %s; accel: %s; %d guest(s); timeout %d s; output in %s"
        % (kind, "kvm" if kvm else "tcg", nguests, args.timeout, args.out))
    pairs = [socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM) for _ in guests]
    tmpl = os.environ.get("LINUX_GUEST_DEVICE_CMD") or XENGT_CMD
    if kind == "xengt" and "{guests}" in tmpl:
        # One device process serves every guest ("one GPU").
        dev = guests[0].start_device(pairs[0][0].fileno(),
                                     [(g, a.fileno()) for g, (a, _) in zip(guests, pairs)])
        for g in guests[1:]:
            g.dev, g.shared_dev, g.ctl = dev, True, guests[0].ctl
    else:
        for g, (a, _) in zip(guests, pairs):
            g.start_device(a.fileno())
    for g, (kernel, initrd), (a, b) in zip(guests, boots, pairs):
        a.close()
        g.start(kernel, initrd, kvm, b)
    deadline = time.time() + args.timeout
    timed_out = False
    try:
        while any(g.proc.poll() is None for g in guests):
            for g in guests:
                if g.proc.poll() is None:
                    g.pump_side()
                elif not hasattr(g, "t1"):
                    g.t1 = time.time()
                if g.dev.poll() is not None and g.proc.poll() is None and \
                        not hasattr(g, "dev_died"):
                    g.dev_died = True
                    log("guest-%d: the device process exited (%d): see device.log"
                        % (g.idx, g.dev.returncode))
            if time.time() > deadline:
                timed_out = True
                log("timeout after %d s: stopping the guests" % args.timeout)
                break
            time.sleep(0.05)
    finally:
        # Counters first (the vGPUs still exist), then every QEMU, then the devices.
        for g in guests:
            if not hasattr(g, "t1"):
                g.t1 = time.time()
            if not g.collected:
                collect_ctl(g)
        for g in guests:
            g.stop_qemu()
        for g in guests:
            g.stop_device()
    return judge_run(args, guests, kind, timed_out)


def judge_run(args, guests, kind, timed_out):
    results = []
    best, status = None, 0
    for g in guests:
        with open(g.console, errors="replace") as f:
            text = f.read()
        if args.reboot:
            # The ladder is judged on the boot after the reboot; the first
            # boot only has to have run the GPU and rebooted.
            first, again = judge.split_reboot(text)
            results.append("guest-%d: first boot: %s" % (g.idx, judge.first_boot_summary(first)))
            text = again
        facts, sections = judge.parse(text)
        judge.write_sections(g.dir, facts, sections)
        if kind == "xengt":
            figures.write(g.dir, sections)
        secs = g.t1 - g.t0
        if kind == "lsi":
            ok, problems, summary = judge.stock_device(facts, sections, g.disk_md5)
            results.append("guest-%d: %s; %.1f s%s" % (g.idx, summary, secs,
                           "" if ok else "; FAILED: " + "; ".join(problems)))
            status = status or (0 if ok else 1)
            best = 0
        elif args.short:
            seen = judge.i915_probe_seen(text) and judge.I915_VGPU in text
            results.append("guest-%d: i915 probe: %s; %.1f s" % (
                g.idx, "seen (GVT-g vGPU detected)" if seen else "not seen", secs))
            status = status or (0 if seen else 1)
            # The short boot stops after the console screenshot: at most rung 2.
            r, why, _ = judge.rungs(facts, sections)
            r = min(r, 2)
            if r < 2:
                results.append("guest-%d: rung %d; next: %s" % (g.idx, r, "; ".join(why)))
            best = r if best is None else min(best, r)
        else:
            r, why, _ = judge.rungs(facts, sections)
            results.append("guest-%d: rung %d; %.1f s%s" % (g.idx, r, secs,
                           "; next: " + "; ".join(why) if why else ""))
            best = r if best is None else min(best, r)
        if kind == "xengt":
            results.append("guest-%d: display: %s" % (g.idx, judge.display_summary(facts, sections)))
    if kind == "xengt" and len(guests) >= 2 and best == 3:
        best = 4
    if kind == "lsi":
        results.append("no vGPU: the stock remote device (lsi53c895a) stands in for xengt-dm-qemu")
    if timed_out:
        results.append("timed out after %d s" % args.timeout)
    results.append("rung %d of 4" % best)
    with open(os.path.join(args.out, "results.txt"), "w") as f:
        f.write("\n".join(results) + "\n")
    for line in results:
        print(line)
    return status


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "linux-guest"))
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--device", choices=["auto", "xengt", "lsi"], default="auto")
    ap.add_argument("--guest-mode", choices=["auto", "i915", "lsi"], default="auto",
                    help="what the guest loads (default: follows --device)")
    ap.add_argument("--accel", choices=["auto", "tcg", "kvm"],
                    default=os.environ.get("LINUX_GUEST_ACCEL", "auto"))
    ap.add_argument("--qemu", default=os.environ.get("LINUX_GUEST_QEMU"))
    ap.add_argument("--short", action="store_true",
                    help="stop after the console screenshot, rung 2 (the CUnit suite's version)")
    ap.add_argument("--guests", type=int, default=int(os.environ.get("LINUX_GUEST_GUESTS", "1")))
    ap.add_argument("--mem", type=int, default=512, help="guest RAM, MiB")
    ap.add_argument("--timeout", type=int, default=0, help="seconds (default 300 short, 900)")
    ap.add_argument("--disk-bytes", type=int, default=4 << 20)
    ap.add_argument("--reboot", action="store_true",
                    default=os.environ.get("LINUX_GUEST_REBOOT", "") not in ("", "0"),
                    help="the guest first loads i915, runs blitcheck and reboots; "
                         "the ladder is judged on the second boot (QEMU's DEVICE_RESET)")
    args = ap.parse_args()
    args.out = os.path.abspath(args.out)
    args.build = os.path.abspath(args.build)
    if not args.timeout:
        args.timeout = int(os.environ.get("LINUX_GUEST_TIMEOUT", "300" if args.short else "900"))
    try:
        return run(args)
    except Skip as e:
        print("linux-guest: SKIP: %s" % e, flush=True)
        return SKIP


if __name__ == "__main__":
    sys.exit(main())
