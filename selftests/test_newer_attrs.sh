#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The attributes newer than the in-tree 6.1 driver, set through raw netlink
# (iproute2 6.1 has no keywords): PORT_RANGE keeps UDP source ports in range;
# LOCAL/LOCAL6 set the outer source address and bind the socket to it, so
# packets to another address of the host find no tunnel socket.
source "$(dirname "$0")/lib.sh"

tap_plan 12
require_ours
with_workdir

rtnl()
{
	local ns=$1; shift
	ip netns exec "$ns" $PY "$TOOLS/rtnl.py" "$@"
}

up_with()
{
	ip -n "$1" addr add "$2" dev gnv0 && ip -n "$1" link set gnv0 up
}

LOCAL=192.0.2.11	# a secondary address: the route alone would not pick it
check "setup: gh1 gnv0 with port_range 1000-1010 and local $LOCAL" eval '
	underlay_setup && underlay_setup6 &&
	ip -n gh1 addr add $LOCAL/24 dev u1 &&
	[ "$(rtnl gh1 add gnv0 id=$VNI remote=$UNDER2 port_range=03e803f2 local=$LOCAL)" = OK ] &&
	up_with gh1 $OVER1/24 &&
	ip -n gh2 link add gnv0 type geneve id $VNI remote $LOCAL && up_with gh2 $OVER2/24 &&
	static_neigh'
check_eq "gh1's socket is bound to $LOCAL:6081 (ss), not to any address" \
	"$LOCAL:6081" "$(ip netns exec gh1 ss -Huan 'sport = :6081' | awk '{print $4}')"

# six_flows FILE LOW HIGH: 6 inner UDP flows from gh1, their outer packets
# captured on u2 into FILE; checks that their source ports spread over
# LOW-HIGH and stay in it.
six_flows()
{
	local ports
	capture_start gh2 u2 6 "$1" 'udp dst port 6081'
	for sport in 2001 2002 2003 2004 2005 2006; do
		ip netns exec gh1 $PY "$TOOLS/gnvpkt.py" udp $OVER2 9 --sport $sport --count 1
	done
	capture_wait
	ports=$(dissect "$1" udp_sport)
	check "6 flows: every UDP source port within $2-$3 ($ports)" eval '
		[ "$(echo $ports | wc -w)" -ge 2 ] &&
		for p in $ports; do [ $p -ge '"$2"' ] && [ $p -le '"$3"' ] || exit 1; done'
}
six_flows "$WORK/range.pcap" 1000 1009
check "the outer source address is the local one, not the primary $UNDER1" \
	eval '[ "$(ip netns exec gh2 tcpdump -n -r "$WORK/range.pcap" 2>/dev/null |
		awk "{print \$3}" | cut -d. -f1-4 | sort -u)" = "$LOCAL" ]'
check "ping through the tunnel" ip netns exec gh1 ping -c 2 -i 0.2 -W 5 $OVER2

# Packets for gh1's VNI sent to its other address: no socket listens there.
# (No ARP can add to the count: the neighbours are permanent.)
b_rx=$(devstat gh1 gnv0 rx_packets)
b_noport=$(ip netns exec gh1 nstat -az UdpNoPorts | awk '/UdpNoPorts/ {print $2}')
ip netns exec gh2 $PY "$TOOLS/gnvpkt.py" send $UNDER1
ip netns exec gh2 $PY "$TOOLS/gnvpkt.py" send $LOCAL
sleep 0.3
check_eq "to $UNDER1: UDP has no port (UdpNoPorts +1); to $LOCAL: delivered" "1 1" \
	"$(($(ip netns exec gh1 nstat -az UdpNoPorts | awk '/UdpNoPorts/ {print $2}') - b_noport)) $(($(devstat gh1 gnv0 rx_packets) - b_rx))"
check_eq "ip -d -j still reads as iproute2 knows it (newer attributes not shown)" \
	"$VNI $UNDER2" "$(ip -n gh1 -d -j link show gnv0 | $PY -c '
import json, sys
i = json.load(sys.stdin)[0]["linkinfo"]["info_data"]
print(i["id"], i["remote"])')"

# PORT_RANGE 0-0, as Cilium sends it by default: upstream then takes the
# namespace's local port range (low == high does the same), and so do we.
ip -n gh1 link del gnv0
ip netns exec gh1 sysctl -qw net.ipv4.ip_local_port_range="40000 40009"
check "gh1 gnv0 again, with port_range 0-0" eval '
	[ "$(rtnl gh1 add gnv0 id=$VNI remote=$UNDER2 port_range=00000000 local=$LOCAL)" = OK ] &&
	up_with gh1 $OVER1/24'
six_flows "$WORK/range0.pcap" 40000 40008	# the local range, high excluded

# LOCAL6 over the IPv6 underlay.
ip -n gh1 link del gnv0
ip -n gh2 link del gnv0
check "IPv6: gnv0 with local6 $UNDER6_1 on gh1" eval '
	[ "$(rtnl gh1 add gnv0 id=$VNI remote6=$UNDER6_2 local6=$UNDER6_1)" = OK ] &&
	up_with gh1 $OVER1/24 &&
	ip -n gh2 link add gnv0 type geneve id $VNI remote $UNDER6_1 && up_with gh2 $OVER2/24'
check_eq "gh1's IPv6 socket is bound to [$UNDER6_1]:6081" \
	"[$UNDER6_1]:6081" "$(ip netns exec gh1 ss -Huan 'sport = :6081' | awk '{print $4}')"
check "ping through the IPv6 tunnel" ip netns exec gh1 ping -c 2 -i 0.2 -W 5 $OVER2

tap_done
