#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Prints the kernel to build for and boot when KVER is not given: the
# running one if it has a build tree (a real host installing the module),
# else the newest installed 6.1 (Debian 12's own kernel line, whose
# in-tree driver is the reference), else the newest installed.  A kernel
# counts as installed with its image and its modules.  Installing another
# line (6.12's headers pull in its image) does not change the default.
set -eu
run=$(uname -r)
if [ -d "/lib/modules/$run/build" ] && [ -e "/boot/vmlinuz-$run" ]; then
	echo "$run"
	exit 0
fi
installed=$(find /boot -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' 2>/dev/null |
	sed 's/^vmlinuz-//' | sort -rV |
	while read -r v; do [ -d "/lib/modules/$v/kernel" ] && echo "$v"; done)
v=$(echo "$installed" | grep '^6\.1\.' | head -n 1 || true)
[ -n "$v" ] || v=$(echo "$installed" | head -n 1)
[ -n "$v" ] || exit 1
echo "$v"
