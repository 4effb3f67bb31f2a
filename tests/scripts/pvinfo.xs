# pvinfo.xs — the PV info page a GVT-g aware guest reads at probe time.
readl $bar0+0x78000
expect 0x76544776
readl $bar0+0x78004
expect 0x47765447
readq $bar0+0x78000
expect 0x4776544776544776
# version 1.0
readw $bar0+0x78008
expect 1
readw $bar0+0x7800a
expect 0
# caps: full 48-bit PPGTT (bit 2)
readl $bar0+0x78010
expect 0x4 0x4
# GM ranges of GVTg_V5_4: 128 MiB aperture, 512 MiB hidden, 4 fences
readl $bar0+0x78044
expect 0x8000000
readl $bar0+0x7804c
expect 0x20000000
readl $bar0+0x78050
expect 4
# the hidden range base is page aligned
readl $bar0+0x78048
expect 0 0xfff
# identity fields are read-only
writel $bar0+0x78000 0x0
readl $bar0+0x78000
expect 0x76544776
