# msi.xs — a vblank interrupt delivered as MSI: program the MSI capability
# (found through the capability list), unmask pipe A vblank, enable the
# master interrupt and pipe A, then wait for the MSI the vblank timer sends.
cfgr 0x34 1
set cap
cfgr $cap 1
expect 0x05
# 32-bit address format: address at cap+4, data at cap+8, control at cap+2
cfgw $cap+4 4 0xfee00000
cfgw $cap+8 2 0x4021
cfgr $cap+2 2
set msictl
cfgw $cap+2 2 $msictl+1
cfgr $cap+2 2
expect 1 1
# display pipe A bank: IER bit 0 on, IMR bit 0 clear; master enable
writel $bar0+0x4440c 0x1
writel $bar0+0x44404 0xfffffffe
writel $bar0+0x44200 0x80000000
writel $bar0+0x70008 0x80000000
wait-msi 2000
expect 0x4021
# the vblank is latched in the pipe's IIR
readl $bar0+0x44408
expect 1 1
