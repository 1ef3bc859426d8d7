#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# changelink of a device that carries traffic.  gh1's gnv0 switches, for a
# minute, between two configurations, remote A with TTL 11 and remote B with
# TTL 22, the two remotes reached over different links (u1-u2, u3-u4) while
# iperf3 sends through gnv0 from both CPUs.  Every outer packet must be one
# configuration's, whole (its remote, TTL and source, on the link that routes
# to that remote), none may be dropped for the change, and once the switching
# stops everything goes to the last remote.  Over IPv4, then IPv6.  Then: the
# IPv6 zero-checksum choices survive a changelink of the remote.
#
# gh2 receives from either source on two devices with one MAC (gna for
# gh1's A side, gnb for its B side); it answers over the underlay, not the
# tunnel, so that TCP keeps going whatever gnv0's remote is.
source "$(dirname "$0")/lib.sh"

tap_plan 18
require_ours
with_workdir

SECS=60
MAC2=02:00:00:00:00:22

# second_link: u3 (gh1) <-> u4 (gh2), IPv4 and IPv6, beside u1 <-> u2.
second_link()
{
	ip link add u3 netns gh1 type veth peer name u4 netns gh2 &&
	ip -n gh1 addr add 203.0.113.1/24 dev u3 &&
	ip -n gh2 addr add 203.0.113.2/24 dev u4 &&
	ip -n gh1 link set u3 up && ip -n gh2 link set u4 up &&
	ipv6_on gh1 u3 2001:db8:2::1 && ipv6_on gh2 u4 2001:db8:2::2
}

# devices A1 B1 A2: gh1's gnv0 towards A2 with TTL 11; gh2's gna and gnb
# from A1 and B1; gh2's replies go over the IPv4 underlay.
devices()
{
	local a1=$1 b1=$2 a2=$3
	ip -n gh1 link add gnv0 type geneve id $VNI remote "$a2" ttl 11 &&
	ip -n gh1 addr add $OVER1/24 dev gnv0 && ip -n gh1 link set gnv0 up &&
	ip -n gh2 link add gna address $MAC2 type geneve id $VNI remote "$a1" &&
	ip -n gh2 link add gnb address $MAC2 type geneve id $VNI remote "$b1" &&
	ip -n gh2 addr add $OVER2/24 dev gna &&
	ip -n gh2 link set gna up && ip -n gh2 link set gnb up &&
	ip -n gh1 neigh replace $OVER2 lladdr $MAC2 dev gnv0 nud permanent &&
	ip -n gh2 route add $OVER1/32 via $UNDER1 &&
	ip netns exec gh1 sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.u1.rp_filter=0 &&
	ip netns exec gh2 sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.gnb.rp_filter=0
}

# capture NETNS IFACE FILE FILTER: the Geneve packets arriving that FILTER
# matches, in the background (the kernel filters: under emulation, reading
# back a minute of traffic would take minutes).
capture()
{
	# Its output must not hold the caller's $(...) open.
	ip netns exec "$1" tcpdump -q -n -s 128 -Q in -i "$2" -w "$3" \
		"udp dst port 6081 and ($4)" >/dev/null 2>"$3.log" &
	echo $!
	tcpdump_wait "$3.log"
}

stop_captures()
{
	kill -INT "$@" 2>/dev/null
	sleep 1
	return 0
}

# count FILE: the packets of a capture; "none" if it never started.
count()
{
	[ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -ge 24 ] || { echo none; return; }
	tcpdump -n -r "$1" 2>/dev/null | wc -l
}

# switching FAMILY A2 B2 A1 B1 TTL_FIELD: the minute of changelinks, and
# what reached gh2 meanwhile: on u2 (from A1 to A2) and u4 (B1 to B2) only
# packets of that configuration, whole.
switching()
{
	local fam=$1 a2=$2 b2=$3 a1=$4 b1=$5 ttl=$6 before pa pb c
	local end n=0 ra rb clients=()

	for c in 0 1; do
		ip netns exec gh2 iperf3 -s -D -B $OVER2 -p $((5201 + c)) \
			--logfile "$WORK/iperf-s$c.log"
	done
	sleep 1
	before=$(ethstats gh1 gnv0)
	ra=$(devstat gh2 u2 rx_packets) rb=$(devstat gh2 u4 rx_packets)
	pa=$(capture gh2 u2 "$WORK/a.pcap" "not (src host $a1 and dst host $a2 and $ttl = 11)")
	pb=$(capture gh2 u4 "$WORK/b.pcap" "not (src host $b1 and dst host $b2 and $ttl = 22)")
	sleep 2
	for c in 0 1; do
		ip netns exec gh1 taskset -c $c timeout $((SECS + 30)) \
			iperf3 -c $OVER2 -p $((5201 + c)) -t $((SECS + 5)) \
			>"$WORK/iperf-$c.log" 2>&1 &
		clients+=($!)
	done
	end=$((SECONDS + SECS))
	while [ $SECONDS -lt $end ]; do
		ip -n gh1 link set gnv0 type geneve id $VNI remote "$b2" ttl 22 &&
		ip -n gh1 link set gnv0 type geneve id $VNI remote "$a2" ttl 11 ||
			break
		n=$((n + 2))
	done
	ip -n gh1 link set gnv0 type geneve id $VNI remote "$b2" ttl 22
	wait "${clients[@]}"
	stop_captures "$pa" "$pb"
	ra=$(($(devstat gh2 u2 rx_packets) - ra)) rb=$(($(devstat gh2 u4 rx_packets) - rb))
	check "$fam: $n changelinks in ${SECS} s under iperf3 from both CPUs; both links carried traffic ($ra, $rb packets)" \
		test "$n" -ge 20 -a "$ra" -gt 100 -a "$rb" -gt 100
	check_eq "$fam: on the link to A, every packet is A's: source, destination, TTL 11" 0 \
		"$(count "$WORK/a.pcap")"
	check_eq "$fam: on the link to B, every packet is B's: source, destination, TTL 22" 0 \
		"$(count "$WORK/b.pcap")"
	check_eq "$fam: no packet dropped on gh1's gnv0 for the changes" "-" \
		"$(stat_moves "$before" "$(ethstats gh1 gnv0)")"
	check "$fam: both iperf3 clients completed" eval "
		grep -q sender $WORK/iperf-0.log && grep -q sender $WORK/iperf-1.log"

	# After the last change (to B): nothing goes to A any more.
	ip netns exec gh1 timeout 30 iperf3 -c $OVER2 -t 4 >/dev/null 2>&1 &
	c=$!
	sleep 1
	rb=$(devstat gh2 u4 rx_packets)
	pa=$(capture gh2 u2 "$WORK/a2.pcap" "udp")
	sleep 2
	stop_captures "$pa"
	wait $c
	check_eq "$fam: after the switching, traffic goes to B only (packets to A, to B > 0)" \
		"0 yes" "$(count "$WORK/a2.pcap") $([ $(($(devstat gh2 u4 rx_packets) - rb)) -gt 0 ] && echo yes)"
	pkill -f "iperf3 -s -D -B $OVER2" 2>/dev/null
	ip -n gh1 link del gnv0
	ip -n gh2 link del gna
	ip -n gh2 link del gnb
	ip -n gh2 route del $OVER1/32
}

check "setup: two hosts joined by two links, IPv4 and IPv6" eval '
	underlay_setup && underlay_setup6 && second_link'

check "IPv4 devices: gh1 gnv0 to $UNDER2, gh2 gna and gnb" \
	devices $UNDER1 203.0.113.1 $UNDER2
switching IPv4 $UNDER2 203.0.113.2 $UNDER1 203.0.113.1 'ip[8]'

check "IPv6 devices: gh1 gnv0 to $UNDER6_2, gh2 gna and gnb" \
	devices $UNDER6_1 2001:db8:2::1 $UNDER6_2
switching IPv6 $UNDER6_2 2001:db8:2::2 $UNDER6_1 2001:db8:2::1 'ip6[7]'

# Zero UDP checksums over IPv6, both ways; gh1's remote set again (to the
# same address), then gh1's socket made anew by down and up: it must still
# take gh2's zero checksums, and send its own.
check "IPv6 tunnel with udp6zerocsumtx udp6zerocsumrx on both ends" eval '
	tunnel_pair $UNDER6_1 $UNDER6_2 udp6zerocsumtx udp6zerocsumrx && static_neigh &&
	ip netns exec gh1 ping -c 1 -W 5 -q $OVER2 >/dev/null'
ip -n gh1 link set gnv0 type geneve id $VNI remote $UNDER6_2
ip -n gh1 link set gnv0 down
ip -n gh1 link set gnv0 up
pa=$(capture gh2 u2 "$WORK/z.pcap" "src host $UNDER6_1 and ip6[46:2] != 0")
sleep 2
check "after changelink of the remote and down/up: ping both ways" eval '
	ip netns exec gh1 ping -c 3 -i 0.2 -W 5 -q $OVER2 >/dev/null &&
	ip netns exec gh2 ping -c 3 -i 0.2 -W 5 -q $OVER1 >/dev/null'
stop_captures "$pa"
check_eq "gh1 still sends zero UDP checksums (its packets with a nonzero one)" \
	0 "$(count "$WORK/z.pcap")"

tap_done
