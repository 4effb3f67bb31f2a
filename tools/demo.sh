#!/bin/sh
# SPDX-License-Identifier: MIT
# demo.sh — `make demo`. Part 1: one guest with one vGPU on the simulated
# Xen and GPU; xengt-script makes a private sim machine, starts
# xengt-dm-sim, places the BARs as hvmloader would and runs
# tests/scripts/demo.xs on the guest's vCPU; --trap-map prints who decided
# each of the guest's vGPU ranges. Part 2: eight guests run
# tests/scripts/many.xs at once against eight vGPUs of one GPU, then
# xengt-ctl shows the partitions and counters while the daemon still runs.
# Part 3: four guests run the guest program guest-draw (tools/guest) at
# once, each drawing its own pattern with blits on its vGPU; each vGPU's
# primary plane is saved as a PNG, then the trap maps and each vGPU's GPU
# work and time share are printed.
set -eu

build=${XENGT_BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)

for p in xengt-script xengt-dm-sim xengt-ctl guest-draw; do
	if [ ! -x "$build/$p" ]; then
		echo "demo: $build/$p missing; run make first" >&2
		exit 1
	fi
done

cat <<'TXT'
xengt-dm demo
=============
Part 1: one guest, one vGPU
  A guest (its own process) drives its vGPU through the simulated hypervisor;
  the device model (xengt-dm-sim, another process) sees only what traps.
  Lines "readX ADDR = VALUE" are guest reads; "traps/direct accesses since
  mark" come from the simulator's own counters of how each access was routed.
TXT
"$build/xengt-script" --trap-map "$top/tests/scripts/demo.xs"

cat <<'TXT'

Part 2: eight guests, eight vGPUs of one GPU, at the same time
  Each guest (tests/scripts/many.xs) reads its share from its PV info page,
  maps a page of its RAM into its aperture slice and hidden range, writes
  through the aperture and reads back, and finds the GGTT entries outside
  its share empty (its write to the next guest's first entry is dropped).
  Domain 1's trace is shown; domains 2-8 ran the same script concurrently
  (their traces are hidden, their results are listed). Then, with the daemon
  still running, xengt-ctl shows the vGPUs, the GPU, each vGPU's partition
  and each vGPU's main counters (ggtt_bad = 1: the dropped write).

TXT
out=$(mktemp /tmp/xengt-demo.XXXXXX)
trap 'rm -f "$out"' EXIT
rc=0
"$build/xengt-script" --vgpus 8 --vgpu type=xengt_small \
	--ctl list --ctl gpu --ctl partition \
	--ctl "stats DOMID mmio_reads mmio_writes ggtt_writes ggtt_bad bad_access failsafe" \
	"$top/tests/scripts/many.xs" >"$out" 2>&1 || rc=$?
# Keep domain 1's trace and everyone's result lines; drop the other traces.
awk '/^\[d[0-9]+\] / && !/^\[d1\] / && !/ expects passed$/ { next } { print }' "$out"
[ "$rc" = 0 ] || exit "$rc"

shots=$build/demo
mkdir -p "$shots"
cat <<TXT

Part 3: four guests draw at the same time, each on its own vGPU
  Each guest runs build/guest-draw, a small guest-side GPU driver (tools/guest):
  it probes its vGPU, reads the PV info page and balloons to its GM, builds a
  4-level PPGTT in its RAM and announces it, and draws its own pattern with
  blits (XY_COLOR_BLT, XY_SRC_COPY_BLT, XY_FAST_COPY_BLT) in a batch submitted
  through ELSP on the blitter, 50 times, waiting each time for the MSI and the
  context status buffer; it prints its throughput, shows the frame on its
  primary plane and checks every pixel through its aperture. A daemon without
  execution yet completes nothing: the guests say so and draw with the CPU.
  Then, with the daemon still running: each vGPU's primary plane saved as a
  PNG in $shots (the daemon reads the plane registers and the pixels through
  the guest's GGTT), the trap maps, and each vGPU's GPU work and time share.

TXT
"$build/xengt-script" --vgpus 4 --trap-map \
	--ctl "screenshot DOMID $shots/vgpu-DOMID.png" --ctl shares \
	--program guest-draw -- --repeat 50 --cpu-fallback --timeout 2000
