#!/bin/sh
# SPDX-License-Identifier: MIT
# demo.sh — `make demo`: one guest with one vGPU on the simulated Xen and
# GPU. xengt-script makes a private sim machine, starts xengt-dm-sim, places
# the BARs as hvmloader would and runs tests/scripts/demo.xs on the guest's
# vCPU; --trap-map prints who decided each of the guest's vGPU ranges.
set -eu

build=${XENGT_BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)

for p in xengt-script xengt-dm-sim; do
	if [ ! -x "$build/$p" ]; then
		echo "demo: $build/$p missing; run make first" >&2
		exit 1
	fi
done

cat <<'TXT'
xengt-dm demo
  A guest (its own process) drives its vGPU through the simulated hypervisor;
  the device model (xengt-dm-sim, another process) sees only what traps.
  Lines "readX ADDR = VALUE" are guest reads; "traps/direct accesses since
  mark" come from the simulator's own counters of how each access was routed.
TXT
exec "$build/xengt-script" --trap-map "$top/tests/scripts/demo.xs"
