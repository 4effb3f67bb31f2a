# parse_error.xs — line 3 holds an unknown statement: refused before run.
readl $bar0+0x78000
frobnicate 0x10
