#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Differential test of the netlink layer: every command of
# data/netlink_matrix.txt runs in order in one namespace, first with Debian's
# in-tree geneve.ko, then (rmmod, insmod) with ours, in one boot.  Exit
# status, error text and `ip -d -j link show type geneve` after each command
# must be the same.  One allowed difference: where the in-tree driver refuses
# without an extack message, ours gives one (see same_errors).
source "$(dirname "$0")/lib.sh"

MATRIX=$TOP/selftests/data/netlink_matrix.txt
mapfile -t CMDS < <(grep -vE '^(#|$)' "$MATRIX")
tap_plan $((${#CMDS[@]} + 3))
WORK=$(mktemp -d)
trap 'cleanup_netns; rm -rf "$WORK"; geneve_load_ours' EXIT

# run_matrix DIR: runs every command, keeps rc, stderr and the links after it.
run_matrix()
{
	local dir=$1 i=0 cmd
	mkdir -p "$dir"
	cleanup_netns
	netns_add nd
	ip -n nd link add dummy0 type dummy
	ip netns exec nd sysctl -qw net.ipv6.conf.dummy0.disable_ipv6=0
	ip -n nd addr add 192.0.2.1/24 dev dummy0
	ip -n nd addr add 2001:db8::1/64 dev dummy0 nodad
	ip -n nd link set dummy0 up
	for cmd in "${CMDS[@]}"; do
		i=$((i + 1))
		# shellcheck disable=SC2086 # a command line, split into words
		ip -n nd $cmd >/dev/null 2>"$dir/$i.err"
		echo $? >"$dir/$i.rc"
		ip -n nd -d -j link show type geneve >"$dir/$i.json"
	done
	cleanup_netns
}

check "in-tree geneve.ko loaded for the reference run" geneve_load_intree
run_matrix "$WORK/intree"
check "our geneve.ko loaded for the second run" geneve_load_ours
run_matrix "$WORK/ours"
# One Python start for all of it: under emulation each start costs seconds.
$PY "$TOOLS/normalize_links.py" "$WORK"/*/*.json

# Where the in-tree driver refuses without a message, iproute2 prints
# "RTNETLINK answers: <errno text>"; ours adds an extack message, which
# iproute2 prints as "Error: <message>." instead.  (test_netlink.sh checks
# that the errno behind those stays the same.)
same_errors()
{
	cmp -s "$1" "$2" && return 0
	[ "$(wc -l <"$1")" = 1 ] && [ "$(wc -l <"$2")" = 1 ] &&
		grep -q '^RTNETLINK answers: ' "$1" && grep -q '^Error: ' "$2"
}

# Guards against a comparison of two empty runs.
refusals=$(grep -lv '^0$' "$WORK"/intree/*.rc | wc -l)
devices=$(wc -l <"$WORK/intree/${#CMDS[@]}.links")
check "the reference run refused 15+ commands and kept 15+ devices ($refusals, $devices)" \
	test "$refusals" -ge 15 -a "$devices" -ge 15

i=0
for cmd in "${CMDS[@]}"; do
	i=$((i + 1))
	a=$WORK/intree/$i b=$WORK/ours/$i
	if cmp -s "$a.rc" "$b.rc" && same_errors "$a.err" "$b.err" &&
	   cmp -s "$a.links" "$b.links"; then
		tap_result 0 "ip $cmd"
	else
		tap_result 1 "ip $cmd"
		echo "# exit status: in-tree $(cat "$a.rc"), ours $(cat "$b.rc")"
		diff "$a.err" "$b.err" | sed 's/^/# stderr /'
		diff "$a.links" "$b.links" | sed 's/^/# links /' | cut -c1-400
	fi
done
tap_done
