#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Guest side of `make check`: runs the named test scripts (default: every
# test_*.sh) one after another, prints their TAP output, then checks that the
# module unloads cleanly.  The exit status is non-zero if anything failed.
# kselftest exit codes: 0 pass, 4 skip, anything else fail.
cd "$(dirname "$0")" || exit 1
source ./lib.sh

tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(test_*.sh)
status=0
for t in "${tests[@]}"; do
	echo "# ---- $t"
	start=$SECONDS
	bash "./$t"
	rc=$?
	echo "# ---- $t: exit $rc in $((SECONDS - start)) s"
	case $rc in
	0|$KSFT_SKIP) ;;
	*) status=1 ;;
	esac
	cleanup_netns
done

# Leak check for the whole run: with every namespace gone, the module must
# unload; the VM runner then fails on any refcount or leak warning in dmesg.
echo "# ---- end of run"
sleep 1
if rmmod geneve 2>/dev/null || ! [ -d /sys/module/geneve ]; then
	echo "ok - end of run: geneve unloads with no device, socket or namespace left"
else
	echo "not ok - end of run: rmmod geneve failed"
	status=1
fi
exit $status
