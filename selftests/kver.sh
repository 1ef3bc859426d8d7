#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Prints the kernel to build for and boot when KVER is not given: the
# running one if it has a build tree (a real host installing the module),
# else the newest installed 6.1 (Debian 12's own kernel line, whose
# in-tree driver is the reference), else the newest installed.  A kernel
# counts as installed with its image and its modules.  Installing another
# line (6.12's headers pull in its image) does not change the default.
#
# kver.sh --all prints the kernels `make check` tests by default: the
# newest installed kernel with a build tree of each line (6.12, 6.1, ...),
# one per line, the newest line first.
set -eu
installed=$(find /boot -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' 2>/dev/null |
	sed 's/^vmlinuz-//' | sort -rV |
	while read -r v; do [ -d "/lib/modules/$v/kernel" ] && echo "$v"; done)
if [ "${1:-}" = --all ]; then
	echo "$installed" | while read -r v; do
		[ -n "$v" ] && [ -d "/lib/modules/$v/build" ] && echo "$v"
	done | awk -F. '!seen[$1 "." $2]++'
	exit 0
fi
run=$(uname -r)
if [ -d "/lib/modules/$run/build" ] && [ -e "/boot/vmlinuz-$run" ]; then
	echo "$run"
	exit 0
fi
v=$(echo "$installed" | grep '^6\.1\.' | head -n 1 || true)
[ -n "$v" ] || v=$(echo "$installed" | head -n 1)
[ -n "$v" ] || exit 1
echo "$v"
