#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The kernel's own PMTU selftest, geneve cases, run against our module:
# tools/testing/selftests/net/pmtu.sh from Debian's linux-source of the
# kernel under test (6.1 or 6.12).  The script is extracted at test time
# (check.sh extracts it on the host first, where it is faster); it is never
# copied into this repository.
source "$(dirname "$0")/lib.sh"

# Routed and bridged, each over both underlays, inner family = outer family
# (the mixed four take the same paths of ours and add ~2 min each under TCG).
CASES=(
	pmtu_ipv4_geneve4_exception pmtu_ipv6_geneve6_exception
	pmtu_ipv4_br_geneve4_exception pmtu_ipv6_br_geneve6_exception
)
tap_plan ${#CASES[@]}
require_ours

script=$(selftests_pmtu_script) || {
	for c in "${CASES[@]}"; do tap_skip "$c" "linux-source-$(uname -r | cut -d. -f1,2) not installed"; done
	tap_done
}
for c in "${CASES[@]}"; do
	cleanup_netns
	out=$(cd "$(dirname "$script")" && timeout 600 bash ./pmtu.sh "$c" 2>&1)
	rc=$?
	echo "$out" | grep -E 'TEST:' | sed 's/^/# /'
	if [ $rc -eq $KSFT_SKIP ]; then
		tap_skip "$c" "pmtu.sh skipped it"
	else
		tap_result $rc "pmtu.sh $c"
		[ $rc -eq 0 ] || echo "$out" | tail -20 | sed 's/^/# /'
	fi
	geneve_is_ours || bail_out "the live geneve module is no longer ours"
done
tap_done
