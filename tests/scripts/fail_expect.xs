# fail_expect.xs — a script whose expect fails on line 5: xengt-script
# must exit non-zero naming this file and that line, and stop there.
readl $bar0+0x78000
expect 0x76544776
expect 0x12345678
readl $bar0+0x78000
expect 0x76544776
