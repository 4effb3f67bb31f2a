# many.xs — run in every guest at once (xengt-script --vgpus 8): each guest
# reads its share of the GPU from its PV info page, maps a page of its own
# RAM at the start of its aperture slice and of its hidden range, writes
# through the aperture and reads back, then finds the GGTT entries outside
# its share empty: the host's first page and the page right after its slice,
# which may be another guest's first page, mapped by that guest at the same
# time. A write there is dropped.
echo -- its share, from the PV info page: aperture base/size, hidden base/size, fences
readl $bar0+0x78040
set lowbase
readl $bar0+0x78044
set lowsize
readl $bar0+0x78048
set highbase
readl $bar0+0x7804c
set highsize
readl $bar0+0x78050
set fences
echo -- map guest page 0x100000 at the start of its aperture slice, use it through the aperture
# the GGTT entry of the first page of the slice names guest page 0x100000
set pte $lowbase/0x200+$bar0+0x800000
writeq $pte 0x100001
readq $pte
expect 0x100001
writel $bar2+$lowbase+0x20 0x600d0000+$domid
readl $bar2+$lowbase+0x20
expect 0x600d0000+$domid
memr 0x100020 4
expect 0x600d0000+$domid
# hidden GM: no aperture, but the entry is its own
set hpte $highbase/0x200+$bar0+0x800000
writeq $hpte 0x101001
readq $hpte
expect 0x101001
echo -- outside its share: GM page 0 (the host's) and the next slice's first entry read 0
# outside its share: GM page 0 (the host's), the page after its slice
readq $bar0+0x800000
expect 0
set next $lowbase+$lowsize/0x200+$bar0+0x800000
writeq $next 0x102001
readq $next
expect 0
# its own entries are still there
readq $pte
expect 0x100001
