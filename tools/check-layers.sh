#!/bin/sh
# SPDX-License-Identifier: MIT
# check-layers.sh [ROOT] — the include rules of ARCHITECTURE.md, checked on
# the tree at ROOT (default .): dependencies point one way
# (dm -> glue -> mediator), the mediator never knows it runs on Xen, and
# xen-glue's internals stay inside xen-glue/. Prints each violation; exits 1
# if there is any.
root=${1:-.}
cd "$root" || exit 2
status=0

report() {	# report RULE FILES...
	rule=$1; shift
	[ $# -gt 0 ] || return 0
	for f in "$@"; do echo "check-layers: $f: $rule"; done
	status=1
}

# An include line, whatever its spacing and quotes ("" or <>; -I. makes both work).
INC='^[[:space:]]*#[[:space:]]*include[[:space:]]*'

# grep -rlE PATTERN over the directories of DIRS that exist (none: nothing).
find_includes() {	# find_includes PATTERN DIRS...
	pat=$1; shift
	set -- $(for d in "$@"; do [ -d "$d" ] && echo "$d"; done)
	[ $# -gt 0 ] || return 0
	grep -rlE --include='*.[ch]' "$pat" "$@" 2>/dev/null
}

# Xen headers only in xen-glue/ and sim/.
report "includes a Xen header (only xen-glue/ and sim/ may)" \
	$(find_includes "${INC}[<\"](xen[a-z]*\.h|xen/)" mediator dm tools qemu-glue)
# The mediator includes nothing of the layers above or beside it.
report "mediator/ includes dm/, xen-glue/, qemu-glue/, sim/ or tools/" \
	$(find_includes "${INC}[<\"](\.\./)*(dm|xen-glue|qemu-glue|sim|tools)/" mediator)
# Above the mediator only its public headers are seen (the rest is internal).
public='mediator/(vgpu|hv|pgpu|log)\.h[">]'
report "includes a mediator-internal header (public: vgpu.h hv.h pgpu.h log.h)" \
	$(for f in $(find_includes "${INC}[<\"](\.\./)*mediator/" dm xen-glue qemu-glue tools); do
		grep -E "${INC}[<\"](\.\./)*mediator/" "$f" | grep -qvE "$public" && echo "$f"
	done)
# glue_int.h is xen-glue's own.
report "includes xen-glue/glue_int.h outside xen-glue/" \
	$(find_includes "${INC}[<\"](\.\./)*(xen-glue/)?glue_int\.h" mediator dm tools sim qemu-glue)
# The glues know nothing of each other.
report "qemu-glue/ includes xen-glue/" \
	$(find_includes "${INC}[<\"](\.\./)*xen-glue/" qemu-glue)
report "xen-glue/ includes qemu-glue/" \
	$(find_includes "${INC}[<\"](\.\./)*qemu-glue/" xen-glue)
# A glue sees of dm/ only the boundary it implements, dm/glue_ops.h ...
report "a glue includes dm/ other than dm/glue_ops.h" \
	$(for f in $(find_includes "${INC}[<\"](\.\./)*dm/" xen-glue qemu-glue); do
		grep -E "${INC}[<\"](\.\./)*dm/" "$f" | grep -qvE 'dm/glue_ops\.h[">]' && echo "$f"
	done)
# ... and dm/ sees no glue but through it: a new transport needs no change in dm/.
report "dm/ includes xen-glue/ or qemu-glue/ (use dm/glue_ops.h)" \
	$(find_includes "${INC}[<\"](\.\./)*(xen-glue|qemu-glue)/" dm)
# sim/ sits below the glue (it implements libxen*) and knows nothing above it.
report "sim/ includes dm/, xen-glue/, qemu-glue/ or mediator/" \
	$(find_includes "${INC}[<\"](\.\./)*(dm|xen-glue|qemu-glue|mediator)/" sim)
[ $status = 0 ] && echo "check-layers: ok"
exit $status
