# submit.xs — a blitter submission written by hand, the way i915 makes one
# (docs/execution.md): guest RAM laid out with memw/memfill, GGTT entries
# with writefill, a 4-level PPGTT announced with g2v PPGTT_L4_CREATE, a
# logical context image, a ring starting a batch with one XY_COLOR_BLT,
# ELSP, then the MSI, the CSB in the status page, and the pixels.
# Needs a daemon that executes commands (xengt-ctl gpu: exec=1).
#
# guest RAM (from 0x1000000)      GM / PPGTT address
#   0x1000000 status page (HWSP)    $highbase + 0x0000 (GGTT)
#   0x1001000 context: PPHWSP       $highbase + 0x1000 (GGTT: the LRCA)
#   0x1002000 context: reg state    $highbase + 0x2000
#   0x1003000 ring (1 page)         $highbase + 0x3000
#   0x1004000 batch                 PPGTT 0x200000
#   0x1005000 target, 32x32 xrgb    PPGTT 0x201000, GGTT $lowbase (aperture)
#   0x1010000.. PML4, PDP, PD, PT
readl $bar0+0x78040
set lowbase
readl $bar0+0x78048
set highbase
set bcs 0x22000
echo -- MSI, as the driver enables it
cfgr 0x34 1
set cap
cfgw $cap+4 4 0xfee00000
cfgw $cap+8 2 0x4041
cfgr $cap+2 2
set msictl
cfgw $cap+2 2 $msictl+1
echo -- GGTT: status page, context, ring in hidden GM; the target in the aperture
writefill $highbase/0x200+$bar0+0x800000 4 8 0x1000001 0x1000
writeq $lowbase/0x200+$bar0+0x800000 0x1005001
echo -- PPGTT 0x200000 -> batch, 0x201000 -> target (tables first, then announced)
memw 0x1010000 8 0x1011003
memw 0x1011000 8 0x1012003
memw 0x1012008 8 0x1013003
memw 0x1013000 8 0x1004003
memw 0x1013008 8 0x1005003
writel $bar0+0x78838 0x1010000
writel $bar0+0x7883c 0
writel $bar0+0x78818 4
echo -- the batch: XY_COLOR_BLT 32x32 of 0x00ff8800, pitch 128, then MI_BATCH_BUFFER_END
memw 0x1004000 4 0x54300005
memw 0x1004004 4 0x03f00080
memw 0x1004008 4 0
memw 0x100400c 4 0x00200020
memw 0x1004010 4 0x201000
memw 0x1004014 4 0
memw 0x1004018 4 0x00ff8800
memw 0x100401c 4 0x05000000
echo -- the ring: MI_BATCH_BUFFER_START (PPGTT) 0x200000, MI_USER_INTERRUPT
memw 0x1003000 4 0x18800101
memw 0x1003004 4 0x200000
memw 0x1003008 4 0
memw 0x100300c 4 0x01000000
echo -- the context image: LRI blocks, ring registers, BB_STATE, PML4 in PDP0
memw 0x1002004 4 0x11000015
memw 0x1002008 4 $bcs+0x244
memw 0x100200c 4 0x000f0009
memw 0x1002010 4 $bcs+0x34
memw 0x1002014 4 0
memw 0x1002018 4 $bcs+0x30
memw 0x100201c 4 16
memw 0x1002020 4 $bcs+0x38
memw 0x1002024 4 $highbase+0x3000
memw 0x1002028 4 $bcs+0x3c
memw 0x100202c 4 1
memw 0x1002040 4 $bcs+0x110
memw 0x1002044 4 0x20
memw 0x1002084 4 0x11000011
memw 0x10020c0 4 $bcs+0x274
memw 0x10020c4 4 0
memw 0x10020c8 4 $bcs+0x270
memw 0x10020cc 4 0x1010000
echo -- the status page: CSB entries invalid, write pointer at its reset value 5
memfill 0x1000040 12 4 0xffffffff
memw 0x100007c 4 5
echo -- execlists on bcs0, its interrupts unmasked, master on
writel $bar0+$bcs+0x80 $highbase
writel $bar0+$bcs+0x29c 0x80008000
writel $bar0+$bcs+0x9c 0x01000000
writel $bar0+$bcs+0x3a0 0xffff0505
writel $bar0+$bcs+0xa8 0xfffffefe
writel $bar0+0x44304 0xfefeffff
writel $bar0+0x4430c 0x01010000
writel $bar0+0x44200 0x80000000
echo -- ELSP: element 1 (none) high, low; element 0: context id 1, LRCA, 64-bit PPGTT, valid
writel $bar0+$bcs+0x230 0
writel $bar0+$bcs+0x230 0
writel $bar0+$bcs+0x230 1
writel $bar0+$bcs+0x230 $highbase+0x1000+0x119
echo -- completion: the MSI, then the CSB: idle-to-active (context id 0: nothing switched
echo -- out), then complete + active-to-idle for context 1
wait-msi 5000
expect 0x4041
wait-mem 0x100007c 4 1 0xffffffff 5000
gmr $highbase+0x40 4
expect 0x1 0x1
gmr $highbase+0x44 4
expect 0
gmr $highbase+0x48 4
expect 0x18 0x18
gmr $highbase+0x4c 4
expect 1
echo -- the context's ring head was written back; the pixels are there
memr 0x1002014 4
expect 16
readl $bar2+$lowbase
expect 0x00ff8800 0xffffff
readl $bar2+$lowbase+0xffc
expect 0x00ff8800 0xffffff
