#!/bin/sh
# SPDX-License-Identifier: MIT
# tools/linux-guest/qemu-build.sh — the patched QEMU 7.2 the linux-guest
# harness boots: Debian's qemu source package (apt-get source, through a
# deb-src entry added for the fetch and removed again), our patches from
# qemu-glue/patches/, x86_64-softmmu only, installed into a cache outside
# the tree keyed by the patches' hash, and reused when present.
#
#   qemu-build.sh            build if missing; print the binary's path
#   qemu-build.sh --path     print where the binary is (or would be)
#   qemu-build.sh --check    exit 0 if the cached binary is there and runs
#
# Cache: $XENGT_QEMU_CACHE (default /var/cache/xengt-dm)
#   qemu-<key>/bin/qemu-system-x86_64, qemu-<key>/BUILD-INFO
#   src/qemu-*/  one unpacked source tree with its build directory, kept so
#                a patch change rebuilds in seconds (XENGT_QEMU_KEEP_SRC=0
#                removes it after the install)
set -eu
. "$(dirname "$0")/common.sh"

dir=$(lg_qemu_dir)
bin=$dir/bin/qemu-system-x86_64

case "${1:-}" in
--path) echo "$bin"; exit 0 ;;
--check) [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; exit $? ;;
"") ;;
*) lg_die "qemu-build.sh: unknown option $1" ;;
esac

if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

missing=$(lg_missing_pkgs $LG_BUILD_PKGS)
[ -z "$missing" ] || lg_die "QEMU build needs: $(echo $missing) (run 'make deps' as root)"

mkdir -p "$LG_CACHE/src" 2>/dev/null && [ -w "$LG_CACHE" ] ||
	lg_die "cache $LG_CACHE not writable: run as root, or set XENGT_QEMU_CACHE"
# One build at a time (make -j, two checkouts, CI and a developer).
exec 9>"$LG_CACHE/.lock"
flock 9
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

srcs="$LG_CACHE/src"
t0=$(date +%s)

# ---- the source: apt-get source qemu, once ----
fetch_source() {
	[ "$(id -u)" = 0 ] || lg_die "fetching the QEMU source needs root (apt-get); run 'make qemu' as root"
	list=/etc/apt/sources.list.d/xengt-dm-qemu-src.sources
	# Mirror the machine's Debian entries (deb822 and one-line formats) as deb-src.
	{
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] && [ "$f" != "$list" ] || continue
			grep -qi 'debian' "$f" || continue
			sed -n 's/^Types:.*\bdeb\b.*/Types: deb-src/p; /^Types:/!p' "$f"
			echo
		done
		if [ -f /etc/apt/sources.list ]; then
			sed -n 's/^deb \(.*debian.*\)/deb-src \1/p' /etc/apt/sources.list > "$list.tmp"
		fi
	} > "$list"
	if [ -s "$list.tmp" ]; then
		mv "$list.tmp" /etc/apt/sources.list.d/xengt-dm-qemu-src.list
	else
		rm -f "$list.tmp"
	fi
	cleanup_src_list() {
		rm -f "$list" /etc/apt/sources.list.d/xengt-dm-qemu-src.list
		apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null 2>&1 || true
	}
	trap cleanup_src_list EXIT
	lg_say "apt-get source qemu (deb-src entry added for the fetch)"
	apt-get -o DPkg::Lock::Timeout=600 update -qq
	rm -rf "$srcs/fetch" && mkdir -p "$srcs/fetch" && chmod 755 "$srcs/fetch"
	(cd "$srcs/fetch" && apt-get -o DPkg::Lock::Timeout=600 source -qq qemu >fetch.log 2>&1) ||
		{ tail -20 "$srcs/fetch/fetch.log" >&2; lg_die "apt-get source qemu failed"; }
	cleanup_src_list
	trap - EXIT
	tree=$(find "$srcs/fetch" -mindepth 1 -maxdepth 1 -type d -name 'qemu-*' | head -1)
	[ -n "$tree" ] || lg_die "apt-get source qemu: no qemu-* directory"
	ver=$(sed -n 's/^Version: //p' "$srcs"/fetch/qemu_*.dsc | head -1)
	rm -rf "$srcs/qemu"
	mv "$tree" "$srcs/qemu"
	echo "$ver" > "$srcs/qemu/.xengt-debian-version"
	rm -rf "$srcs/fetch"
}

src=$srcs/qemu
[ -f "$src/.xengt-debian-version" ] || fetch_source

# ---- our patches: revert the ones applied last time, apply the current ones ----
want=$(mktemp)
cat "$LG_PATCH_DIR"/*.patch > "$want"
applied=$src/.xengt-applied.patch
if [ -f "$applied" ] && ! cmp -s "$applied" "$want"; then
	lg_say "reverting the previously applied patches"
	(cd "$src" && patch -R -p1 -s < "$applied") || {
		rm -f "$want"; rm -rf "$src"
		lg_die "could not revert the old patches: source tree removed, run again"; }
	rm -f "$applied"
fi
if [ ! -f "$applied" ]; then
	for p in "$LG_PATCH_DIR"/*.patch; do
		lg_say "patch: $(basename "$p")"
		(cd "$src" && patch -p1 -s --forward < "$p") ||
			{ rm -f "$want"; lg_die "$(basename "$p") does not apply to $(cat "$src/.xengt-debian-version")"; }
	done
	mv "$want" "$applied"
else
	rm -f "$want"
fi

# ---- configure (again only if the options changed) and build ----
b=$src/build-xengt
if [ "$(cat "$b/.xengt-configure" 2>/dev/null)" != "$LG_QEMU_CONFIGURE" ]; then
	rm -rf "$b" && mkdir -p "$b"
	lg_say "configure $LG_QEMU_CONFIGURE"
	# shellcheck disable=SC2086
	(cd "$b" && ../configure $LG_QEMU_CONFIGURE >configure.log 2>&1) ||
		{ tail -20 "$b/configure.log" >&2; lg_die "QEMU configure failed ($b/configure.log)"; }
	echo "$LG_QEMU_CONFIGURE" > "$b/.xengt-configure"
fi
lg_say "building qemu-system-x86_64 (about 4 minutes on 2 cores from clean)"
ninja -C "$b" -j "$(nproc)" qemu-system-x86_64 >"$b/build.log" 2>&1 ||
	{ tail -30 "$b/build.log" >&2; lg_die "QEMU build failed ($b/build.log)"; }

# ---- install into the cache, atomically ----
tmp=$dir.tmp.$$
rm -rf "$tmp" && mkdir -p "$tmp/bin"
cp "$b/qemu-system-x86_64" "$tmp/bin/"
strip "$tmp/bin/qemu-system-x86_64"
t1=$(date +%s)
{
	echo "debian-source: qemu $(cat "$src/.xengt-debian-version")"
	echo "key: $(lg_qemu_key)"
	echo "patches: $(cd "$LG_PATCH_DIR" && ls ./*.patch | sed 's#^\./##' | tr '\n' ' ')"
	echo "configure: $LG_QEMU_CONFIGURE"
	echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) in $((t1 - t0)) s"
} > "$tmp/BUILD-INFO"
rm -rf "$dir" && mv "$tmp" "$dir"
[ "${XENGT_QEMU_KEEP_SRC:-1}" != 0 ] || rm -rf "$src"
lg_say "installed $bin ($((t1 - t0)) s)"
echo "$bin"
