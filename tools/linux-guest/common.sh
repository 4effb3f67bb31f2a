# SPDX-License-Identifier: MIT
# tools/linux-guest/common.sh — what the linux-guest scripts share: where
# the patched QEMU is cached and its key, the QEMU configure options, the
# packages the harness needs. Sourced (sh), not run.

# The project root (this file is tools/linux-guest/common.sh).
LG_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LG_PATCH_DIR=$LG_ROOT/qemu-glue/patches

# Only the x86_64 system emulator; --enable-kvm because the multiprocess
# Kconfig depends on KVM being compiled in (it is not needed at run time).
LG_QEMU_CONFIGURE="--target-list=x86_64-softmmu --disable-docs --disable-werror \
--without-default-features --enable-kvm --enable-multiprocess \
--with-git-submodules=ignore"

# Cache outside the tree; XENGT_QEMU_CACHE overrides.
LG_CACHE=${XENGT_QEMU_CACHE:-/var/cache/xengt-dm}

# Packages: the QEMU build, and the guest (kernel, busybox, igt) plus the
# firmware the QEMU build does not carry (+dfsg: SeaBIOS, option ROMs).
# One line each: the Makefile's `make deps` reads them from here.
LG_BUILD_PKGS="dpkg-dev meson ninja-build pkg-config libglib2.0-dev libpixman-1-dev flex bison libfdt-dev zlib1g-dev python3"
LG_GUEST_PKGS="linux-image-amd64 busybox-static intel-gpu-tools seabios qemu-system-data cpio"

# The cache key: the patches and the configure options, hashed.
lg_qemu_key() {
	{ cat "$LG_PATCH_DIR"/*.patch; echo "$LG_QEMU_CONFIGURE"; } | sha256sum | cut -c1-16
}
lg_qemu_dir() { echo "$LG_CACHE/qemu-$(lg_qemu_key)"; }
lg_qemu_bin() { echo "$(lg_qemu_dir)/bin/qemu-system-x86_64"; }

# Missing packages of a list (dpkg says what is installed).
lg_missing_pkgs() {
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || echo "$p"
	done
}

lg_say() { printf 'linux-guest: %s\n' "$*" >&2; }
lg_die() { lg_say "$*"; exit 1; }
