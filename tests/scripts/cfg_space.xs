# cfg_space.xs — the vGPU's PCI config space through CF8/CFC after
# hvmloader-style BAR placement: ids, class, BAR flags and addresses,
# decoding enabled, the capability list leading to MSI.
cfgr 0x0 2
expect 0x8086
cfgr 0x2 2
expect 0x1900 0xff00
cfgr 0x8 4
expect 0x03000000 0xffffff00
cfgr 0x4 2
expect 0x3 0x3
# BAR0: 64-bit non-prefetchable memory; BAR2: 64-bit prefetchable; BAR4: I/O
cfgr 0x10 4
expect $bar0+0x4
cfgr 0x14 4
expect 0
cfgr 0x18 4
expect $bar2+0xc
cfgr 0x20 4
expect $bar4+0x1
# capability list: the pointer at 0x34 is non-zero and dword aligned
cfgr 0x6 2
expect 0x10 0x10
cfgr 0x34 1
expect 0 0x3
set cap
# walk one step: the first capability is MSI (id 0x05)
cfgr $cap 1
expect 0x05
# sizing BAR4 while decoding is off reads back its size (64 bytes); an
# I/O BAR may hardwire its upper 16 bits to zero (PCI 3.0, 6.2.5.1)
cfgw 0x4 2 0x0
cfgw 0x20 4 0xffffffff
cfgr 0x20 4
expect 0xffc1 0xffff
cfgw 0x20 4 $bar4
cfgw 0x4 2 0x7
cfgr 0x20 4
expect $bar4+0x1
