#!/bin/busybox sh
# SPDX-License-Identifier: MIT
# tools/linux-guest/guest-init.sh — /init of the linux-guest initramfs
# (busybox sh, PID 1). Loads the driver of the device under test, climbs as
# far as the guest lets it, and prints everything on the serial console
# (ttyS0) between markers the harness parses:
#   @@xengt KEY VALUE...            one fact
#   @@xengt-begin NAME / @@xengt-end NAME rc=N   a command's output
# ttyS1, when present, is the host's side channel: the guest writes a
# request line ("screenshot"), the host answers one line when done.
# Then it powers off. Settings come from /etc/xengt/run.conf (a second
# cpio archive the harness appends for each run).

/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tmpfs tmpfs /tmp

LG_MODE=i915
LG_SHORT=0
LG_I915_PARAMS="enable_guc=0"
LG_IGT_TIMEOUT=300
LG_IGT="gem_exec_nop -e 1 -r 1;gem_blt -r 1"
LG_WAIT=30
LG_REBOOT=0
[ -f /etc/xengt/run.conf ] && . /etc/xengt/run.conf

fact() { echo "@@xengt $*"; }
# run NAME CMD...: the command's output between markers, with its exit code.
run() {
	name=$1; shift
	echo "@@xengt-begin $name"
	"$@" 2>&1
	rc=$?
	echo "@@xengt-end $name rc=$rc"
	return $rc
}
# wait_for SECONDS TEST...: poll an observable condition, 0.1 s steps.
wait_for() {
	n=$(($1 * 10)); shift
	while [ $n -gt 0 ]; do
		"$@" && return 0
		sleep 0.1; n=$((n - 1))
	done
	return 1
}
# ask REQUEST: one request line to the host over ttyS1, its one-line answer.
ask() {
	[ -c /dev/ttyS1 ] && [ "$LG_SIDE" = 1 ] || { echo "no-side-channel"; return 1; }
	echo "$1" > /dev/ttyS1
	read -r -t "$LG_WAIT" answer < /dev/ttyS1 || { echo "timeout"; return 1; }
	echo "$answer"
}
# load_modules GROUP PARAMS: the group's modules in order (from the initramfs
# builder); PARAMS go to the last one, whose result is returned.
load_modules() {
	list=/etc/xengt/modules.$1
	last=$(tail -n 1 "$list")
	while read -r m; do
		if [ "$m" = "$last" ]; then insmod "$m" $2; return $?; fi
		insmod "$m"
		# drm.ko's debug categories before i915 probes (busybox insmod does
		# not take drm.debug from the kernel command line as modprobe would).
		if [ -n "$LG_DRM_DEBUG" ] && [ -w /sys/module/drm/parameters/debug ]; then
			echo "$LG_DRM_DEBUG" > /sys/module/drm/parameters/debug
		fi
	done < "$list"
}
finish() {
	dmesg -n 1
	run interrupts cat /proc/interrupts
	run dmesg dmesg
	# The device's counters while the vGPU still exists (xengt-ctl on the host).
	[ "$LG_SIDE" = 1 ] && fact collect "$(ask collect)"
	fact "done"
	sync
	poweroff -f
}

[ "$LG_SIDE" = 1 ] && [ -c /dev/ttyS1 ] && stty -F /dev/ttyS1 raw -echo 2>/dev/null
fact boot kernel=$(uname -r) mode=$LG_MODE short=$LG_SHORT
[ "$LG_SIDE" = 1 ] && fact side "$(ask ping)"
for d in /sys/bus/pci/devices/*; do
	fact pci "${d##*/}" "$(cat "$d/vendor"):$(cat "$d/device")" class="$(cat "$d/class")"
done

if [ "$LG_MODE" = lsi ]; then
	# QEMU's stock remote device: proves BARs, DMA into shared RAM and INTx.
	run insmod-lsi load_modules lsi ""
	fact lsi-bound $([ -e /sys/bus/pci/drivers/sym53c8xx/0000:00:02.0 ] && echo yes || echo no)
	if wait_for "$LG_WAIT" test -b /dev/sda; then
		fact lsi-disk md5=$(head -c "$LG_DISK_BYTES" /dev/sda | md5sum | cut -d' ' -f1)
	else
		fact lsi-disk none
	fi
	fact lsi-irqs $(awk '/sym53c8xx/ { n = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i; print n }' /proc/interrupts)
	[ -f /etc/xengt/run.sh ] && run user sh /etc/xengt/run.sh
	finish
fi

# ---- --reboot: a first boot that uses the GPU, then a reboot ----
# (QEMU resets the machine and sends the proxy DEVICE_RESET: the ladder
# below then runs on what the device model made of that.)
if [ "$LG_REBOOT" = 1 ] && [ "$LG_MODE" = i915 ]; then
	b=$(ask boot)
	fact boot-number "$b"
	if [ "$b" = 1 ]; then
		run insmod-i915 load_modules i915 "$LG_I915_PARAMS"
		fact i915-bound $([ -e /sys/bus/pci/drivers/i915/0000:00:02.0 ] && echo yes || echo no)
		run blitcheck /bin/blitcheck /dev/dri/card0
		fact rebooting
		sync
		reboot -f
		sleep 60
	fi
fi

# ---- rung 1: i915 binds, detects GVT-g, balloons ----
run insmod-i915 load_modules i915 "$LG_I915_PARAMS"
fact i915-bound $([ -e /sys/bus/pci/drivers/i915/0000:00:02.0 ] && echo yes || echo no)

# The VBT i915 took (from the vGPU's OpRegion) and the connectors it made of it.
# (debugfs files report size 0: count the bytes.)
vbt=/sys/kernel/debug/dri/0/i915_vbt
n=$(wc -c < "$vbt" 2>/dev/null || echo 0)
if [ "$n" -gt 0 ]; then
	fact vbt "bytes=$n signature=$(head -c 12 "$vbt" | tr -d '\000')"
else
	fact vbt none
fi
for c in /sys/class/drm/card0-*; do
	[ -e "$c/status" ] && fact connector "${c##*/}=$(cat "$c/status")"
done

# ---- rung 2: GT not wedged, card0 usable, fbdev console lit ----
fact i915-wedged "$(cat /sys/kernel/debug/dri/0/i915_wedged 2>/dev/null || echo unknown)"
run drmcheck /bin/drmcheck /dev/dri/card0
fact fb0 "$(cat /sys/class/graphics/fb0/name 2>/dev/null || echo none)"
for v in /sys/class/vtconsole/vtcon*; do
	grep -q 'frame buffer' "$v/name" 2>/dev/null && fact fbcon "$(cat "$v/bind")"
done
if [ -e /dev/fb0 ]; then
	# Something visible on the console, then a screenshot from the host.
	printf '\033[2J\033[Hxengt-dm linux-guest: fbdev console on %s\n' "$(cat /sys/class/graphics/fb0/name)" > /dev/tty1 2>/dev/null
	uname -a > /dev/tty1 2>/dev/null
	fact screenshot "$(ask screenshot)"
fi
[ "$LG_SHORT" = 1 ] && finish

# ---- rung 3: igt clients ----
echo "$LG_IGT" | tr ';' '\n' | while read -r prog args; do
	[ -n "$prog" ] || continue
	ask "stats before-$prog" > /dev/null
	run "igt-$prog" timeout "$LG_IGT_TIMEOUT" "/igt/$prog" $args
	ask "stats after-$prog" > /dev/null
done
run blitcheck /bin/blitcheck /dev/dri/card0

# ---- the caller's commands (LINUX_GUEST_RUN) ----
[ -f /etc/xengt/run.sh ] && run user sh /etc/xengt/run.sh
finish
