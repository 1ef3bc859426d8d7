#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A multicast underlay: the flood list of each host's multipoint gnv0 is one
# group (239.1.1.1, or ff0e::4242 over IPv6) on its underlay port, which the
# device's socket joins.  Every VM reaches every other, a broadcast leaves a
# host once (to the group, TTL 1) and reaches each other host once, learnt
# unicast goes to its host's own address.  Then memberships: shared by two
# devices on one socket, left on delete and down, gone with the interface,
# and the refusals.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fdb_lib.sh"

tap_plan 32
require_ours
with_workdir

group() { [ "$FAMILY" = 6 ] && echo ff0e::4242 || echo 239.1.1.1; }

# joined N GROUP DEV: whether DEV of host N is a member of GROUP.
joined()
{
	ip -n "h$1" maddr show dev "$3" | grep -qw "$2"
}

multipoint_group()
{
	local n any=0.0.0.0
	[ "$FAMILY" = 6 ] && any=::
	for n in $HOSTS; do
		h $n link add gnv0 mtu 1400 type geneve id 100 remote $any &&
		h $n link set gnv0 master br0 && h $n link set gnv0 up &&
		fdb $n append $FLOOD dev gnv0 dst "$(group)" via u$n || return 1
	done
}

# ttl_of_group_packets: the TTLs (hop limits) of what reaches h2 for the
# group while vm1 sends one broadcast.
ttl_of_group_packets()
{
	local field='ip[8]' pid
	[ "$FAMILY" = 6 ] && field='ip6[7]'
	ip netns exec h2 tcpdump -p -n -Q in -i u2 -w "$WORK/ttl.pcap" \
		"udp dst port 6081 and dst host $(group)" >/dev/null 2>"$WORK/ttl.log" &
	pid=$!
	tcpdump_wait "$WORK/ttl.log"
	frames 1 ff:ff:ff:ff:ff:ff 1
	sleep 1
	kill -INT $pid
	wait $pid
	echo "$(tcpdump -n -r "$WORK/ttl.pcap" "$field = 1" 2>/dev/null | grep -c Geneve)" \
	     "$(tcpdump -n -r "$WORK/ttl.pcap" "$field != 1" 2>/dev/null | grep -c Geneve)"
}

for FAMILY in 4 6; do
	cleanup_netns
	check "IPv$FAMILY: four hosts, multipoint gnv0 flooding to group $(group) via the underlay port" \
		eval 'topology && multipoint_group'
	check "IPv$FAMILY: every host's underlay port is a member (ip maddr)" \
		eval 'for n in $HOSTS; do joined $n "$(group)" u$n || exit 1; done'
	check "IPv$FAMILY: every VM pings every other" all_ping
	check_eq "IPv$FAMILY: one broadcast: h1 sends one copy, h2, h3, h4 get it once each" \
		"0 1 1 1 1" "$(one_broadcast)"
	check_eq "IPv$FAMILY: the copy to the group has TTL 1 (with TTL 1, others)" "1 0" \
		"$(ttl_of_group_packets)"
	check_eq "IPv$FAMILY: h1 learnt vm2 behind h2's own address; unicast goes there only" \
		"$(under 2) dynamic|0 100 0 0 " \
		"$(entry 1 "$(vm_mac 2)")|$(captures frames 1 "$(vm_mac 2)" 100)"
	# A device with a queue sends outside the transmit recursion that
	# otherwise keeps the group's copy from looping back to the sender.
	h 1 link set gnv0 txqueuelen 100
	ip netns exec h1 tc qdisc add dev gnv0 root pfifo
	rx=$(devstat h1 gnv0 rx_packets)
	check_eq "IPv$FAMILY: with a qdisc on gnv0, h1 does not receive its own copy from the group" \
		"0 1 1 1 1|0" "$(one_broadcast)|$(($(devstat h1 gnv0 rx_packets) - rx))"
	[ $FAMILY = 6 ] || continue
	# A changed configuration reroutes what the entries cached: with tos
	# 0x10 (traffic class), a rule sends h1's traffic to h2 into a
	# blackhole.  The rule comes first (a new rule invalidates every
	# cached route), then traffic that caches the route without it.  (Over
	# IPv4 any change of a device's link flushes every cached route.)
	h 1 -6 rule add tos 0x10 table 100
	h 1 -6 route add blackhole 2001:db8::2 table 100
	check_eq "IPv6: after changelink tos 0x10, vm2's learnt entry no longer uses its cached route" \
		"0 10 0 0 |0 0 0 0 " \
		"$(captures frames 1 "$(vm_mac 2)" 10)|$(h 1 link set gnv0 type geneve id 100 tos 0x10 &&
		   captures frames 1 "$(vm_mac 2)" 10)"
done

# ---- Memberships, over IPv4 ----
FAMILY=4
cleanup_netns
topology && multipoint_group
G=239.1.1.1

check "a second device on h1's socket (VNI 200) with the same group" eval '
	h 1 link add gnv1 type geneve id 200 remote 0.0.0.0 && h 1 link set gnv1 up &&
	fdb 1 append $FLOOD dev gnv1 dst $G via u1 && joined 1 $G u1'
check "the group deleted from gnv0: u1 stays a member for gnv1" eval '
	fdb 1 del $FLOOD dev gnv0 dst $G via u1 && joined 1 $G u1'
check "deleted from gnv1 too: u1 leaves the group" eval '
	fdb 1 del $FLOOD dev gnv1 dst $G via u1 && ! joined 1 $G u1'
fdb 1 append $FLOOD dev gnv0 dst $G via u1
check "gnv0 down: u1 leaves" eval 'h 1 link set gnv0 down && ! joined 1 $G u1'
check "gnv0 up: u1 joins again" eval 'h 1 link set gnv0 up && joined 1 $G u1'

# A group on an interface that goes away: its destination goes with it.
check "group 239.2.2.2 via dummy md0 joined" eval '
	h 1 link add md0 type dummy && h 1 link set md0 up &&
	fdb 1 append $FLOOD dev gnv0 dst 239.2.2.2 via md0 && joined 1 239.2.2.2 md0'
h 1 link del md0
check_eq "md0 deleted: the flood list keeps only the group via u1" "$G permanent" \
	"$(entry 1 $FLOOD)"

check_eq "a dynamic flood list destination (group or not) is refused" \
	"Error: The all-zeros entry is permanent or static.|Error: The all-zeros entry is permanent or static." \
	"$(fdb 1 append $FLOOD dev gnv0 dst 239.4.4.4 via u1 dynamic 2>&1)|$(fdb 1 append $FLOOD dev gnv0 dst 192.0.2.9 dynamic 2>&1)"
check_eq "a group no interface can join (no route to it, no via) is refused" \
	"Error: Cannot join the multicast group." \
	"$(fdb 1 append $FLOOD dev gnv0 dst 239.3.3.3 2>&1)"
check_eq "... and nothing of it is left" "$G permanent" "$(entry 1 $FLOOD)"
check_eq "a replace with such a group is refused and leaves the flood list as it was" \
	"Error: Cannot join the multicast group.|$G permanent" \
	"$(fdb 1 replace $FLOOD dev gnv0 dst 239.3.3.3 2>&1)|$(entry 1 $FLOOD)"

# Without via the route picks the interface; the leave is on that one even
# when the route has changed meanwhile.
check "group 239.5.5.5 without via: joined where the route to it leads (dummy md1)" eval '
	h 1 link add md1 type dummy && h 1 link set md1 up &&
	h 1 route add 239.5.5.0/24 dev md1 &&
	fdb 1 append $FLOOD dev gnv0 dst 239.5.5.5 && joined 1 239.5.5.5 md1'
check "its route moved to u1, the destination deleted: md1 leaves the group" eval '
	h 1 route replace 239.5.5.0/24 dev u1 &&
	fdb 1 del $FLOOD dev gnv0 dst 239.5.5.5 && ! joined 1 239.5.5.5 md1'
check "a multicast destination on a unicast MAC is still refused" \
	eval '! fdb 1 add 02:00:00:00:07:07 dev gnv0 dst 239.1.1.1 2>/dev/null'
check "gnv0 of h3 deleted: u3 leaves the group" eval '
	joined 3 $G u3 && h 3 link del gnv0 && ! joined 3 $G u3'
warnings=$(dmesg | grep -c "WARNING:")
ip netns del h2
sleep 3	# namespaces are dismantled by a worker
check_eq "h2's namespace deleted with its group joined: no kernel warning" "$warnings" \
	"$(dmesg | grep -c "WARNING:")"
check "rmmod with groups joined on two hosts' sockets" geneve_unload
cleanup_netns
require_ours

tap_done
