# ggtt.xs — GGTT translate and read-back: the guest maps a page of its RAM
# into its aperture slice, reaches it through the aperture with no trap, and
# a GGTT entry naming memory it does not own is refused: the guest reads its
# own value back (as on GVT-g) but the physical entry is not present, so the
# aperture page reaches nothing: reads all-ones, writes dropped.
readl $bar0+0x78040
set lowbase
set pte $lowbase/0x200+$bar0+0x800000
writeq $pte 0x100001
readq $pte
expect 0x100001
memw 0x100040 4 0x5a5a1234
mark
readl $bar2+$lowbase+0x40
expect 0x5a5a1234
writel $bar2+$lowbase+0x44 0x600df00d
traps
expect 0
memr 0x100044 4
expect 0x600df00d
# a page outside the guest's 64 MiB of RAM: refused
writeq $pte+8 0x101001
memw 0x101000 4 0x11111111
readl $bar2+$lowbase+0x1000
expect 0x11111111
writeq $pte+8 0x80000001
readq $pte+8
expect 0x80000001
# the aperture page now reaches nothing, least of all 0x101000
writel $bar2+$lowbase+0x1000 0x22222222
readl $bar2+$lowbase+0x1000
expect 0xffffffff
memr 0x101000 4
expect 0x11111111
