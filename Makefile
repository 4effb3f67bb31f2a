# SPDX-License-Identifier: MIT
# xengt-dm — plain Makefile. `make help` lists the targets.
#
#   make            build/ : xengt-dm (real libxen), xengt-dm-sim (same objects
#                   + libxensim), xengt-dm-qemu (QEMU proxy + softgpu), xensim,
#                   xengt-script, xengt-ctl, guest-*
#   make test       unit + scenario tests (CUnit), plus check-layers
#   make test SAN=1 the same under ASan+UBSan, in build-san/
#   make test TSAN=1 the same under ThreadSanitizer, in build-tsan/
#   make check      test, then TSAN=1 and SAN=1 (the README's test command)
#   make bench      benchmarks: table on stdout, build/bench.json
#   make demo       the end-to-end demo on the simulated hypervisor + GPU
#   make deps       apt-get the build dependencies (Debian 12, as root)
#   make qemu       the patched QEMU 7.2 for the real guest (cached outside the tree)
#   make linux-guest  boot Linux i915 guests on the vGPU: build/linux-guest/

.DEFAULT_GOAL := all
CC ?= gcc
SAN ?= 0
V ?= 0
PREFIX ?= /usr/local

TSAN ?= 0

ifeq ($(SAN)$(TSAN),11)
$(error SAN=1 and TSAN=1 are mutually exclusive)
endif
ifeq ($(TSAN),1)
BUILD ?= build-tsan
# gcc warns that TSan cannot model the fences of the ioreq page protocol
# (shared with another process, so outside TSan's view anyway).
SANFLAGS := -fsanitize=thread -fno-omit-frame-pointer \
	$(shell $(CC) -Werror -Wno-tsan -E -x c /dev/null >/dev/null 2>&1 && echo -Wno-tsan)
else ifeq ($(SAN),1)
BUILD ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
else
BUILD ?= build
SANFLAGS :=
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

# pkg-config is asked when a recipe first needs the answer, not when make
# parses this file: in `make deps demo` the packages are not there yet at
# parse time. Each answer is computed once ($(call lazy,...) memoizes it).
lazy = $(eval $(1) := $$(shell $(2)))$($(1))
XEN_PKGS := xencontrol xendevicemodel xenforeignmemory xenevtchn xenstore xentoolcore
XEN_CFLAGS = $(call lazy,XEN_CFLAGS,pkg-config --cflags $(XEN_PKGS) 2>/dev/null)
XEN_LIBS = $(call lazy,XEN_LIBS,pkg-config --libs $(XEN_PKGS) 2>/dev/null)
CUNIT_CFLAGS = $(call lazy,CUNIT_CFLAGS,pkg-config --cflags cunit 2>/dev/null)
CUNIT_LIBS = $(call lazy,CUNIT_LIBS,pkg-config --libs cunit 2>/dev/null || echo -lcunit)
# libpng: xengt-ctl writes screenshots, the tests decode them.
PNG_CFLAGS = $(call lazy,PNG_CFLAGS,pkg-config --cflags libpng 2>/dev/null)
PNG_LIBS = $(call lazy,PNG_LIBS,pkg-config --libs libpng 2>/dev/null || echo -lpng)

# `make deps X`: everything X builds waits for deps, also under -j.
DEPS_FIRST := $(filter deps,$(MAKECMDGOALS))
# The real-guest harness's packages (QEMU build, kernel, busybox, igt,
# firmware): listed once, in tools/linux-guest/common.sh.
LINUX_GUEST_PKGS := $(shell sed -n 's/^LG_[A-Z]*_PKGS="\([^"]*\)"$$/\1/p' tools/linux-guest/common.sh)
# The packages `make deps` installs (Debian 12).
DEB_PKGS := build-essential clang pkg-config libxen-dev libcunit1-dev libpng-dev python3 \
	$(LINUX_GUEST_PKGS)

WARN := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
	-Wmissing-declarations -Wshadow -Wpointer-arith -Wsign-compare \
	-Wno-missing-field-initializers
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(SANFLAGS) -MD -MP -pthread \
	-D_GNU_SOURCE -I. $(XEN_CFLAGS) $(PNG_CFLAGS)
LDFLAGS_ALL := $(SANFLAGS) -pthread $(LDFLAGS)
SYS_LIBS := -lrt -lm

# ---- sources, one list per layer (new files are picked up by directory) ----
MEDIATOR_SRCS := $(sort $(wildcard mediator/*.c mediator/*/*.c))
XENGLUE_SRCS := $(sort $(wildcard xen-glue/*.c))
# qemu-glue/: all of it in xengt-dm-qemu; tests link all but its dm_glue (qemu_ops.c).
QEMUGLUE_SRCS := $(sort $(wildcard qemu-glue/*.c))
QEMUGLUE_LIB_SRCS := $(filter-out qemu-glue/qemu_ops.c,$(QEMUGLUE_SRCS))
DM_MAIN_SRCS := dm/main.c
# dm/pgpu/: every physical-GPU backend; list_hw.c / list_sim.c pick a build's set.
DM_HW_SRCS := dm/pgpu/list_hw.c
SIM_LIST_SRCS := dm/pgpu/list_sim.c dm/pgpu/softgpu.c
DM_LIB_SRCS := $(filter-out $(DM_MAIN_SRCS) $(DM_HW_SRCS) $(SIM_LIST_SRCS),\
	$(sort $(wildcard dm/*.c dm/pgpu/*.c)))
SIM_LIB_SRCS := $(sort $(wildcard sim/*.c sim/softgpu/*.c))
SIM_CLI_SRCS := $(sort $(wildcard sim/cli/*.c))
CTL_SRCS := $(sort $(wildcard tools/ctl/*.c))
SCRIPT_SRCS := $(sort $(wildcard tools/script/*.c))
TOOLS_LIB_SRCS := $(sort $(wildcard tools/common/*.c))
# libguest (a guest-side driver) and the guest programs xengt-script --program runs.
GUEST_LIB_SRCS := $(sort $(wildcard tools/guest/lib/*.c))
GUEST_PROG_SRCS := $(sort $(wildcard tools/guest/prog/*.c))
TEST_SRCS := $(sort $(wildcard tests/*.c tests/unit/*.c tests/scenario/*.c))
BENCH_SRCS := $(sort $(wildcard tests/bench/*.c))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

MEDIATOR_OBJS := $(call obj,$(MEDIATOR_SRCS))
XENGLUE_OBJS := $(call obj,$(XENGLUE_SRCS))
QEMUGLUE_OBJS := $(call obj,$(QEMUGLUE_SRCS))
QEMUGLUE_LIB_OBJS := $(call obj,$(QEMUGLUE_LIB_SRCS))
DM_LIB_OBJS := $(call obj,$(DM_LIB_SRCS))
DM_MAIN_OBJS := $(call obj,$(DM_MAIN_SRCS))
DM_HW_OBJS := $(call obj,$(DM_HW_SRCS))
SIM_LIST_OBJS := $(call obj,$(SIM_LIST_SRCS))
TOOLS_LIB_OBJS := $(call obj,$(TOOLS_LIB_SRCS))
GUEST_LIB_OBJS := $(call obj,$(GUEST_LIB_SRCS))
GUEST_PROGS := $(patsubst tools/guest/prog/%.c,$(BUILD)/guest-%,$(GUEST_PROG_SRCS))
LIBXENSIM := $(BUILD)/libxensim.a
LIBMEDIATOR := $(BUILD)/libmediator.a

# The daemon's objects: identical in xengt-dm and xengt-dm-sim.
DAEMON_OBJS := $(DM_MAIN_OBJS) $(DM_LIB_OBJS) $(XENGLUE_OBJS)
# The same daemon over QEMU's proxy: qemu-glue instead of xen-glue.
QEMU_DAEMON_OBJS := $(DM_MAIN_OBJS) $(DM_LIB_OBJS) $(QEMUGLUE_OBJS)

PROGS := $(BUILD)/xengt-dm $(BUILD)/xengt-dm-sim $(BUILD)/xengt-dm-qemu $(BUILD)/xensim \
	$(BUILD)/xengt-script $(BUILD)/xengt-ctl $(GUEST_PROGS)
TEST_BIN := $(BUILD)/tests/run-tests
BENCH_BIN := $(BUILD)/xengt-bench

check: test
	$(Q)$(MAKE) --no-print-directory TSAN=1 test
	$(Q)$(MAKE) --no-print-directory SAN=1 test

.PHONY: all check test bench demo deps install clean check-layers help tests-bin \
	qemu linux-guest

all: $(PROGS)

help:
	@sed -n '2,14p' Makefile

$(BUILD)/obj/%.o: %.c | $(DEPS_FIRST)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(CUNIT_CFLAGS) -c -o $@ $<

$(LIBXENSIM): $(call obj,$(SIM_LIB_SRCS))
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(LIBMEDIATOR): $(MEDIATOR_OBJS)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^

# Real build: linked against the installed libxen* libraries.
$(BUILD)/xengt-dm: $(DAEMON_OBJS) $(DM_HW_OBJS) $(LIBMEDIATOR)
	@echo "  LD      $@"
	@[ -n "$(XEN_LIBS)" ] || { echo "xengt-dm: pkg-config finds no libxen* (libxen-dev): run 'make deps' as root"; exit 1; }
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(DAEMON_OBJS) $(DM_HW_OBJS) $(LIBMEDIATOR) \
		-Wl,--no-as-needed $(XEN_LIBS) -Wl,--as-needed $(SYS_LIBS)

# Sim build: the very same daemon objects, libxen* resolved by libxensim.
$(BUILD)/xengt-dm-sim: $(DAEMON_OBJS) $(SIM_LIST_OBJS) $(LIBMEDIATOR) $(LIBXENSIM)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(DAEMON_OBJS) $(SIM_LIST_OBJS) $(LIBMEDIATOR) \
		$(LIBXENSIM) $(SYS_LIBS)

# QEMU build: dm/ and the mediator unchanged, qemu-glue as the transport,
# softgpu (on the xensim machine that also holds the guests' DMA windows).
$(BUILD)/xengt-dm-qemu: $(QEMU_DAEMON_OBJS) $(SIM_LIST_OBJS) $(LIBMEDIATOR) $(LIBXENSIM)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(QEMU_DAEMON_OBJS) $(SIM_LIST_OBJS) $(LIBMEDIATOR) \
		$(LIBXENSIM) $(SYS_LIBS)

$(BUILD)/xensim: $(call obj,$(SIM_CLI_SRCS)) $(LIBXENSIM)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(SYS_LIBS)

$(BUILD)/xengt-script: $(call obj,$(SCRIPT_SRCS)) $(GUEST_LIB_OBJS) $(TOOLS_LIB_OBJS) $(LIBXENSIM)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(SYS_LIBS)

$(BUILD)/xengt-ctl: $(call obj,$(CTL_SRCS)) $(TOOLS_LIB_OBJS) $(LIBXENSIM)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PNG_LIBS) $(SYS_LIBS)

# A guest program: its main, libguest, the guest's side of the sim (vCPU accesses).
# Objects reached through this pattern rule are kept (not intermediate files).
.SECONDARY: $(patsubst tools/guest/prog/%.c,$(BUILD)/obj/tools/guest/prog/%.o,$(GUEST_PROG_SRCS))
$(BUILD)/guest-%: $(BUILD)/obj/tools/guest/prog/%.o $(GUEST_LIB_OBJS) $(TOOLS_LIB_OBJS) $(LIBXENSIM)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(SYS_LIBS)

# ---- tests: one CUnit runner; every tests/**/test_<name>.c defines suite_<name>() ----
$(BUILD)/tests/suites.h: $(TEST_SRCS) Makefile
	@mkdir -p $(dir $@)
	$(Q)for f in $(filter tests/unit/test_%.c tests/scenario/test_%.c,$(TEST_SRCS)); do \
		n=$$(basename $$f .c); echo "SUITE($${n#test_})"; done > $@.tmp && mv $@.tmp $@

$(call obj,tests/main.c): $(BUILD)/tests/suites.h
$(call obj,tests/main.c): ALL_CFLAGS += -I$(BUILD)/tests

$(TEST_BIN): $(call obj,$(TEST_SRCS)) $(DM_LIB_OBJS) $(XENGLUE_OBJS) $(QEMUGLUE_LIB_OBJS) \
		$(SIM_LIST_OBJS) $(GUEST_LIB_OBJS) $(TOOLS_LIB_OBJS) $(LIBMEDIATOR) $(LIBXENSIM)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(CUNIT_LIBS) $(PNG_LIBS) $(SYS_LIBS)

tests-bin: $(PROGS) $(TEST_BIN)

test: check-layers $(PROGS) $(TEST_BIN)
	$(Q)XENGT_BUILD=$(abspath $(BUILD)) XENGT_QUIET=1 $(TEST_BIN)

$(BENCH_BIN): $(call obj,$(BENCH_SRCS) tests/fake_hv.c tests/fake_engines.c tests/sched_rig.c \
		dm/sched_thread.c dm/pgpu/softgpu.c) $(TOOLS_LIB_OBJS) \
		$(LIBMEDIATOR) $(LIBXENSIM)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(SYS_LIBS)

bench: $(PROGS) $(BENCH_BIN)
	$(Q)XENGT_BUILD=$(abspath $(BUILD)) XENGT_QUIET=1 $(BENCH_BIN) --json $(BUILD)/bench.json

demo: $(PROGS)
	$(Q)XENGT_BUILD=$(abspath $(BUILD)) sh tools/demo.sh

# ---- the real guest (docs/linux-guest.md) ----
# QEMU 7.2 from Debian's source with qemu-glue/patches/, in
# $(XENGT_QEMU_CACHE) (default /var/cache/xengt-dm), keyed by the patches.
qemu: | $(DEPS_FIRST)
	$(Q)sh tools/linux-guest/qemu-build.sh >/dev/null

# Extra guest commands: make linux-guest LINUX_GUEST_RUN='cat /proc/cpuinfo'
linux-guest: qemu $(PROGS)
	$(Q)python3 tools/linux-guest/run.py --build $(abspath $(BUILD)) \
		--out $(abspath $(BUILD))/linux-guest

# The include rules of ARCHITECTURE.md (tools/check-layers.sh says which).
check-layers:
	$(Q)sh tools/check-layers.sh .

# Installs only what is missing; a machine that has everything needs no root.
deps:
	@missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -z "$$missing" ]; then echo "make deps: all installed"; else \
	if [ "$$(id -u)" != 0 ]; then echo "make deps: missing $$missing; run as root (apt-get)"; exit 1; fi; \
	echo "make deps: installing" $$missing; \
	DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		$$missing >/dev/null; fi
	@# The patched QEMU of the real-guest harness (docs/linux-guest.md): built once,
	@# then kept in its cache outside the tree (keyed by the patch), so this is free.
	@if sh tools/linux-guest/qemu-build.sh --check; then :; \
	elif [ "$$(id -u)" != 0 ]; then \
		echo "make deps: not root: patched QEMU not built (real-guest tests will skip)"; \
	else echo "make deps: building the patched QEMU (once; cached)"; mkdir -p $(BUILD) && \
		sh tools/linux-guest/qemu-build.sh >$(BUILD)/qemu-build.log 2>&1 || \
		{ tail -30 $(BUILD)/qemu-build.log; echo "make deps: QEMU build failed (log: $(BUILD)/qemu-build.log)"; exit 1; }; fi

install: $(PROGS)
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/doc/xengt-dm
	install -m 0755 $(BUILD)/xengt-dm $(DESTDIR)$(PREFIX)/sbin/xengt-dm
	install -m 0755 $(BUILD)/xengt-ctl $(DESTDIR)$(PREFIX)/bin/xengt-ctl
	install -m 0644 README.md $(wildcard docs/*.md) $(DESTDIR)$(PREFIX)/share/doc/xengt-dm/

clean:
	rm -rf build build-san build-tsan build-clang

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
