#!/bin/sh
# SPDX-License-Identifier: MIT
# tools/linux-guest/mkinitramfs.sh — the guest's initramfs, from Debian's
# packages on this machine: busybox-static as the shell, guest-init.sh as
# /init, the modules of i915 (and of the stock remote device, LSI 53c895a)
# with their dependencies in load order, uncompressed, and igt's gem_exec_nop
# and gem_blt with their shared libraries. Rebuilt only when an input changed.
#
#   mkinitramfs.sh OUTDIR     writes OUTDIR/initramfs.cpio.gz and
#                             OUTDIR/vmlinuz (a symlink to /boot's kernel)
# LINUX_GUEST_KVER picks the kernel (default: the newest with i915.ko).
set -eu
. "$(dirname "$0")/common.sh"

out=${1:?usage: mkinitramfs.sh OUTDIR}
mkdir -p "$out"

kver=${LINUX_GUEST_KVER:-}
if [ -z "$kver" ]; then
	for v in $(ls /lib/modules 2>/dev/null | sort -V -r); do
		if [ -f "/boot/vmlinuz-$v" ] && grep -q '/i915\.ko' "/lib/modules/$v/modules.dep" 2>/dev/null; then
			kver=$v; break
		fi
	done
fi
[ -n "$kver" ] || lg_die "no kernel with i915 in /lib/modules and /boot (install linux-image-amd64: make deps)"
[ -r "/boot/vmlinuz-$kver" ] || lg_die "/boot/vmlinuz-$kver missing or unreadable"
busybox=/bin/busybox
[ -x "$busybox" ] && "$busybox" --list | grep -qx insmod ||
	lg_die "busybox (static) missing: install busybox-static (make deps)"
file -L "$busybox" | grep -q 'statically linked' || lg_die "$busybox is not static (busybox-static)"
igtdir=${LINUX_GUEST_IGT_DIR:-}
for d in /usr/libexec/igt-gpu-tools/benchmarks /usr/libexec/igt-gpu-tools /usr/lib/x86_64-linux-gnu/igt-gpu-tools; do
	[ -n "$igtdir" ] || { [ -x "$d/gem_exec_nop" ] && igtdir=$d; }
done
[ -n "$igtdir" ] || lg_die "gem_exec_nop not found: install intel-gpu-tools (make deps)"
IGT_PROGS="gem_exec_nop gem_blt"
# Module groups wanted in the guest: the GPU driver, the stock device's.
GROUPS="i915:i915 lsi:sym53c8xx,sd_mod"

here=$(cd "$(dirname "$0")" && pwd)
stamp=$(
	{
		echo "$kver"; ls -l --time-style=+%s "/boot/vmlinuz-$kver" "$busybox"
		for p in $IGT_PROGS; do ls -l --time-style=+%s "$igtdir/$p"; done
		cat "$here/mkinitramfs.sh" "$here/guest-init.sh" "$here/drmcheck.c" \
			"$here/blitcheck.c" "$here/i915_uapi.h"
	} | sha256sum | cut -c1-16)
ln -sf "/boot/vmlinuz-$kver" "$out/vmlinuz"
if [ -f "$out/initramfs.cpio.gz" ] && [ "$(cat "$out/initramfs.stamp" 2>/dev/null)" = "$stamp" ]; then
	exit 0
fi

root=$(mktemp -d "$out/initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/sbin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" \
	"$root/etc/xengt" "$root/lib/modules/$kver" "$root/igt"
cp "$busybox" "$root/bin/busybox"
cp "$here/guest-init.sh" "$root/init"
chmod 755 "$root/init"

# ---- modules: per group, each one after its dependencies (modules.dep) ----
dep=/lib/modules/$kver/modules.dep
mod_order() {
	awk -v want="$1" '
	{ m = $1; sub(/:$/, "", m); deps[m] = ""; for (i = 2; i <= NF; i++) deps[m] = deps[m] " " $i
	  n = m; sub(/.*\//, "", n); sub(/\.ko(\.[a-z]+)?$/, "", n); gsub(/-/, "_", n); path[n] = m }
	function visit(m,   d, k, i) {
		if (m in seen) return; seen[m] = 1
		k = split(deps[m], d, " ")
		for (i = k; i >= 1; i--) visit(d[i])
		print m
	}
	END { k = split(want, w, ",")
	      for (i = 1; i <= k; i++) { n = w[i]; gsub(/-/, "_", n)
	        if (!(n in path)) { print "MISSING:" w[i]; continue }; visit(path[n]) } }' "$dep"
}
for g in $GROUPS; do
	order=$(mod_order "${g#*:}")
	: > "$root/etc/xengt/modules.${g%%:*}"
	for m in $order; do
		case $m in MISSING:*) lg_die "${m#MISSING:}: not in $dep" ;; esac
		src=/lib/modules/$kver/$m
		base=$(basename "$m"); base=${base%.xz}; base=${base%.zst}; base=${base%.gz}
		dst=$root/lib/modules/$kver/$base
		if [ ! -f "$dst" ]; then
			case $m in
			*.ko.xz) xz -dc "$src" > "$dst" ;;
			*.ko.zst) zstd -qdc "$src" > "$dst" ;;
			*.ko.gz) gzip -dc "$src" > "$dst" ;;
			*) cp "$src" "$dst" ;;
			esac
		fi
		echo "/lib/modules/$kver/$base" >> "$root/etc/xengt/modules.${g%%:*}"
	done
done

# ---- static helpers: drmcheck (card0 usable), blitcheck (execution right) ----
for h in drmcheck blitcheck; do
	${LG_CC:-cc} -static -O2 -Wall -Wextra -Werror -o "$root/bin/$h" "$here/$h.c" ||
		lg_die "$h.c does not build (static glibc: libc6-dev)"
done

# ---- igt programs and their shared libraries (ldd), at the same paths ----
for p in $IGT_PROGS; do
	[ -x "$igtdir/$p" ] || lg_die "$igtdir/$p missing (intel-gpu-tools)"
	cp "$igtdir/$p" "$root/igt/$p"
	ldd "$igtdir/$p" | awk '/=> \// { print $3 } /^[[:space:]]*\// { print $1 }'
done | sort -u | while read -r lib; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
# glibc's loader also at the path the programs ask for (/lib64 -> usr/lib64 here).
[ -e "$root/lib64/ld-linux-x86-64.so.2" ] || { mkdir -p "$root/lib64"; cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"; }

echo "$kver" > "$root/etc/xengt/kver"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$out/initramfs.cpio.gz.tmp"
mv "$out/initramfs.cpio.gz.tmp" "$out/initramfs.cpio.gz"
echo "$stamp" > "$out/initramfs.stamp"
lg_say "initramfs: kernel $kver, $(ls "$root/lib/modules/$kver" | wc -l) modules, $(du -k "$out/initramfs.cpio.gz" | cut -f1) KiB"
