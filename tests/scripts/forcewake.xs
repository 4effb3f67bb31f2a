# forcewake.xs — masked forcewake requests are acknowledged (Gen9 render,
# blitter and media domains); the ack follows the request bits.
writel $bar0+0xa278 0x00010001
readl $bar0+0x0d84
expect 0x1 0x1
writel $bar0+0xa278 0x00010000
readl $bar0+0x0d84
expect 0x0 0x1
# a masked write without its enable bit changes nothing
writel $bar0+0xa278 0x00000001
readl $bar0+0x0d84
expect 0x0 0x1
writel $bar0+0xa270 0x00010001
readl $bar0+0x0d88
expect 0x1 0x1
writel $bar0+0xa188 0x00010001
readl $bar0+0x130044
expect 0x1 0x1
