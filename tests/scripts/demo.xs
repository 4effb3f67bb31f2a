# demo.xs — what `make demo` shows: a guest finds its vGPU, uses its
# aperture slice without a single trap, and has a page-table write trapped
# and completed in its own memory. Run by tools/demo.sh with --trap-map.

echo
echo == 1. The guest detects its vGPU (PCI ids, PV info page at BAR0+0x78000) ==
cfgr 0x0 2
expect 0x8086
cfgr 0x2 2
set devid
readq $bar0+0x78000
expect 0x4776544776544776
readl $bar0+0x78008
expect 0x1 0xffff
readl $bar0+0x7800c
set vgt_id
echo -- its graphics memory: aperture (mappable) base/size, hidden base/size, fences
readl $bar0+0x78040
set lowbase
readl $bar0+0x78044
set lowsize
readl $bar0+0x78048
set highbase
readl $bar0+0x7804c
set highsize
readl $bar0+0x78050

echo
echo == 2. Aperture write and read-back: direct-mapped, zero traps ==
echo -- back the first page of the slice with guest RAM page 0x100000 (a GGTT write: that one traps)
set pte $lowbase/0x200+$bar0+0x800000
writeq $pte 0x100001
readq $pte
expect 0x100001
mark
writel $bar2+$lowbase+0x10 0xcafe0001
readl $bar2+$lowbase+0x10
expect 0xcafe0001
traps
expect 0
direct
expect 2
echo -- and the data is in the guest page the GGTT entry names
memr 0x100010 4
expect 0xcafe0001

echo
echo == 3. A page-table write traps (p2m write-protect) and lands in guest memory ==
echo -- a PML4 page at guest 0x200000, announced with g2v PPGTT_L4_CREATE
memw 0x200000 8 0
writel $bar0+0x78838 0x200000
writel $bar0+0x7883c 0
writel $bar0+0x78818 4
mark
writeq 0x200008 0x300003
traps
expect 1
readq 0x200008
expect 0x300003
memr 0x200008 8
expect 0x300003

echo
echo == 4. The trap map: who decides each range ==
