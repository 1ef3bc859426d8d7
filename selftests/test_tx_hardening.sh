#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Transmit-side hardening.  Frames written through AF_PACKET carry whatever
# protocol the socket claims, so on a device that inherits TOS, TTL and DF
# the inner headers may be cut short or hidden behind VLAN/QinQ tags (the
# bugs behind CVE-2024-35973 and CVE-2024-56636): such frames are dropped
# before any of their headers is read.  A route to the remote through the
# device itself, and no route at all, are counted drops too.  Each case
# moves exactly the counters it should; the tunnel still forwards after.
source "$(dirname "$0")/lib.sh"

tap_plan 13
require_ours
with_workdir
cleanup_netns

check "setup: tunnel inheriting tos, ttl and df; gnv1 routed into itself; gnv2 without a route" \
	eval 'underlay_setup && tunnel_setup tos inherit ttl inherit df inherit &&
	      ip -n gh1 link add gnv1 type geneve id 43 remote 10.99.0.1 &&
	      ip -n gh1 link set gnv1 up &&
	      ip -n gh1 route add 10.99.0.1/32 dev gnv1 &&
	      ip -n gh1 link add gnv2 type geneve id 44 remote 10.97.0.1 &&
	      ip -n gh1 link set gnv2 up'

COUNTERS="tx_packets tx_errors tx_dropped tx_carrier_errors collisions"

tx_snapshot()
{
	local c
	for c in $COUNTERS; do
		devstat gh1 "$1" $c
	done | xargs
}

# expect DEV KIND DESCRIPTION "DELTAS (in COUNTERS order)" ETHTOOL-MOVES:
# writes one frame of KIND (gnvpkt.py frame) to DEV in gh1.
expect()
{
	local dev=$1 kind=$2 desc=$3 want=$4 why=$5
	local before after drops i got=()
	read -ra before <<<"$(tx_snapshot "$dev")"
	drops=$(ethstats gh1 "$dev")
	ip netns exec gh1 $PY "$TOOLS/gnvpkt.py" frame "$dev" "$kind"
	sleep 0.3
	read -ra after <<<"$(tx_snapshot "$dev")"
	for i in "${!after[@]}"; do
		got+=($((after[i] - before[i])))
	done
	check_eq "$desc" "$want $why" \
		"${got[*]} $(stat_moves "$drops" "$(ethstats gh1 "$dev")")" ||
		echo "# counters: $COUNTERS ethtool-S"
}

#                                                                        txp err drop carrier coll  ethtool -S
expect gnv0 ipv4 "whole IPv4 frame: sent"                                 "1 0 0 0 0" -
expect gnv0 eth-only "Ethernet header alone, claimed IPv4: dropped"       "0 1 0 0 0" tx_drop_truncated+1
expect gnv0 ipv4-short "10 bytes of IPv4 header: dropped"                 "0 1 0 0 0" tx_drop_truncated+1
expect gnv0 ipv6-short "10 bytes of IPv6 header: dropped"                 "0 1 0 0 0" tx_drop_truncated+1
expect gnv0 vlan-ipv4-short "VLAN tag, then 4 bytes of IPv4: dropped"     "0 1 0 0 0" tx_drop_truncated+1
expect gnv0 qinq-ipv4-short "QinQ tags, then 4 bytes of IPv4: dropped"    "0 1 0 0 0" tx_drop_truncated+1
# No IP header behind a cut tag: nothing to inherit, sent with defaults.
expect gnv0 vlan-cut "VLAN tag cut short: nothing inherited, sent"        "1 0 0 0 0" -
expect gnv1 ipv4 "route to the remote through the device itself: collision" "0 1 0 0 1" tx_drop_loop+1
expect gnv2 ipv4 "no route to the remote: carrier error"                  "0 1 0 1 0" tx_drop_no_route+1

# The frames that were sent did cross the tunnel.
p=$(devstat gh2 gnv0 rx_packets)
ip netns exec gh1 $PY "$TOOLS/gnvpkt.py" frame gnv0 ipv4
ip netns exec gh1 $PY "$TOOLS/gnvpkt.py" frame gnv0 vlan-cut
sleep 0.3
check_eq "gh2 received both frames that were sent" 2 $(($(devstat gh2 gnv0 rx_packets) - p))

check "tunnel still forwards (ping gh1 -> gh2)" ip netns exec gh1 ping -c 2 -i 0.2 -W 5 $OVER2
check "tunnel still forwards (ping gh2 -> gh1)" ip netns exec gh2 ping -c 2 -i 0.2 -W 5 $OVER1

tap_done
