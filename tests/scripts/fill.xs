# fill.xs — the statements a hand-written submission is built with, on
# what works without execution: memfill lays out guest RAM, writefill
# writes a run of GGTT entries (each a trapped guest write), gmr/gmw reach
# graphics memory through the guest's own GGTT entries, wait-mem and
# wait-readl wait for memory and a register to match.
readl $bar0+0x78040
set lowbase
readl $bar0+0x78048
set highbase
echo -- 4 pages of guest RAM from 0x1000000: dwords 0x11110000, 0x11110001, ...
memfill 0x1000000 4096 4 0x11110000 1
memr 0x1003ffc 4
expect 0x11110fff
echo -- their GGTT entries at the start of the hidden range, one writefill (4 trapped writes)
mark
writefill $highbase/0x200+$bar0+0x800000 4 8 0x1000001 0x1000
traps
expect 4
readq $highbase/0x200+$bar0+0x800018
expect 0x1003001
echo -- graphics memory through those entries
gmr $highbase+0x3ffc 4
expect 0x11110fff
gmw $highbase+0x2000 4 0xc0ffee
memr 0x1002000 4
expect 0xc0ffee
echo -- the same pages in the aperture: a status-page style dword, read back through the GPU's view
writefill $lowbase/0x200+$bar0+0x800000 4 8 0x1000001 0x1000
gmw $lowbase+0x7c 4 5
readl $bar2+$lowbase+0x7c
expect 5
wait-mem 0x100007c 4 5
set wp
expect 5
wait-readl $bar0+0x78000 0x76544776
wait-mem 0x1000004 4 0x11110000 0xffff0000 10
