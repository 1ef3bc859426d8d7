#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Outer IPv4 TTL, TOS, DF and ECN, fixed and inherited from inner IPv4, IPv6,
# ARP and VLAN-tagged frames, read back from captures of the underlay; then
# the inherited hop limit and traffic class over an IPv6 underlay.  Each
# case changes the live device with `ip link set ... type geneve`.
source "$(dirname "$0")/lib.sh"

tap_plan 21
require_ours
with_workdir
cleanup_netns

# VLAN 100 on both tunnel ends, 203.0.113.{1,2} on it, ARP resolved.
vlan_inside()
{
	local h
	for h in 1 2; do
		ip -n gh$h link add link gnv0 name gv100 type vlan id 100 &&
		ip -n gh$h addr add 203.0.113.$h/24 dev gv100 &&
		ip -n gh$h link set gv100 up || return 1
	done
	ip netns exec gh1 ping -c 1 -W 5 203.0.113.2 >/dev/null
}

# vlan_tagged_arp_and_ipv6 "ARP TTL TOS DF" "IPv6 TTL TOS DF" OPTIONS: VLAN-
# tagged ARP gives nothing to inherit; VLAN-tagged IPv6 gives hop limit 45
# and class 0x40, but not DF: as in-tree, DF is inherited only from an
# untagged inner header.  IPv6 goes on gv100 for this and off again after.
vlan_tagged_arp_and_ipv6()
{
	local h
	outer "inherit with VLAN-tagged ARP inside: route TTL, TOS 0" "$1" "$3" \
		inner_vlan_ethertype=0x0806 \
		sh -c "ip neigh del 203.0.113.2 dev gv100; ping -c 2 -W 1 203.0.113.2"
	for h in 1 2; do
		ipv6_on gh$h gv100 2001:db8:100::$h
	done
	ip netns exec gh1 ping -6 -c 1 -W 5 2001:db8:100::2 >/dev/null
	COUNT=8 outer "inherit from VLAN-tagged IPv6 (hop limit 45, class 0x40)" "$2" "$3" \
		"inner_vlan_ethertype=0x86dd inner_l4=58 inner_type=128" \
		ping -6 -c 6 -i 0.2 -W 1 -t 45 -Q 0x40 2001:db8:100::2
	for h in 1 2; do
		ip netns exec gh$h sysctl -qw net.ipv6.conf.gv100.disable_ipv6=1
	done
}

check "setup: tunnel and a VLAN (id 100) inside" \
	eval 'underlay_setup && tunnel_setup && static_neigh && vlan_inside'

# outer DESC "TTL TOS DF" "GENEVE OPTIONS" MATCH COMMAND...: sets the options
# on gh1's device, runs COMMAND in gh1 and dissects the first $COUNT (3)
# captured packets whose inner header matches MATCH ("KEY=VALUE ...").
outer()
{
	local desc=$1 want=$2 opts=$3 match=$4; shift 4
	local where=() m
	for m in $match; do
		[ "$m" = - ] || where+=(--where "$m")
	done
	# shellcheck disable=SC2086 # opts is a list of ip-link words
	ip -n gh1 link set gnv0 type geneve id $VNI $opts
	capture_start gh2 u2 "${COUNT:-3}" "$WORK/c.pcap" 'udp dst port 6081'
	ip netns exec gh1 "$@" >/dev/null 2>&1
	capture_wait
	check_eq "$desc" "$want" \
		"$(dissect "$WORK/c.pcap" "${where[@]}" ip_ttl ip_tos ip_df | xargs)"
}

outer "defaults: TTL from the route, TOS 0, DF clear" "64 0 False" \
	"ttl auto tos 0 df unset" inner_l4=1 ping -c 3 -i 0.2 -W 1 $OVER2
outer "fixed ttl 17 tos 0x28 df set" "17 40 True" \
	"ttl 17 tos 0x28 df set" inner_l4=1 ping -c 3 -i 0.2 -W 1 -M dont $OVER2
outer "inherit from IPv4 (ttl 33, tos 0x28, DF)" "33 40 True" \
	"ttl inherit tos inherit df inherit" inner_l4=1 ping -c 3 -i 0.2 -W 1 -t 33 -Q 0x28 -M do $OVER2
outer "inherit from IPv4 without DF (ttl 20, tos 0x10)" "20 16 False" \
	"ttl inherit tos inherit df inherit" inner_l4=1 ping -c 3 -i 0.2 -W 1 -t 20 -Q 0x10 -M dont $OVER2
# Neighbour discovery and MLD share the tunnel with the echo requests here:
# resolve first, then capture more than the pings alone would need.
tunnel_inner6
ip netns exec gh1 ping -6 -c 1 -W 5 $OVER6_2 >/dev/null
COUNT=8 outer "inherit from IPv6 (hop limit 44, class 0x20, DF always)" "44 32 True" \
	"ttl inherit tos inherit df inherit" "inner_l4=58 inner_type=128" ping -6 -c 6 -i 0.2 -W 1 -t 44 -Q 0x20 $OVER6_2
# IPv6 off again inside: no neighbour discovery or MLD in what follows.
for h in 1 2; do ip netns exec gh$h sysctl -qw net.ipv6.conf.gnv0.disable_ipv6=1; done
outer "inherit from VLAN-tagged IPv4 (ttl 55, tos 0x08)" "55 8 False" \
	"ttl inherit tos inherit df inherit" inner_l4=1 ping -c 3 -i 0.2 -W 1 -t 55 -Q 0x08 -M dont 203.0.113.2
outer "inherit with ARP inside: route TTL, TOS 0, DF clear" "64 0 False" \
	"ttl inherit tos inherit df inherit" inner_ethertype=0x0806 \
	sh -c "ip neigh del $OVER2 dev gnv0; ping -c 2 -W 1 $OVER2"
vlan_tagged_arp_and_ipv6 "64 0 False" "45 64 False" "ttl inherit tos inherit df inherit"
static_neigh
outer "ECN: ECT(0) inner marks the outer header (fixed tos 0x20)" "64 34 False" \
	"ttl auto tos 0x20 df unset" inner_l4=1 ping -c 3 -i 0.2 -W 1 -Q 0x02 $OVER2
outer "ECN: CE inner becomes ECT(0) outside (RFC 6040 compatibility)" "64 2 False" \
	"ttl auto tos 0 df unset" inner_tos=3 $PY "$TOOLS/gnvpkt.py" udp $OVER2 9 --sport 5000 --tos 3

# Outer CE on arrival: copied into an ECT inner packet, fatal to a not-ECT one.
ip -n gh1 link set gnv0 type geneve id $VNI ttl auto tos 0 df unset
b_rx=$(devstat gh2 gnv0 rx_packets) b_fe=$(devstat gh2 gnv0 rx_frame_errors)
b_why=$(ethstats gh2 gnv0)
ip netns exec gh1 $PY "$TOOLS/gnvpkt.py" send $UNDER2 --outer-tos 3 --inner-tos 0
ip netns exec gh1 $PY "$TOOLS/gnvpkt.py" send $UNDER2 --outer-tos 3 --inner-tos 2
sleep 0.3
check_eq "outer CE: not-ECT inner dropped (frame error, rx_drop_ecn), ECT(0) inner delivered" \
	"1 1 rx_drop_ecn+1" \
	"$(($(devstat gh2 gnv0 rx_frame_errors) - b_fe)) $(($(devstat gh2 gnv0 rx_packets) - b_rx)) $(stat_moves "$b_why" "$(ethstats gh2 gnv0)")"
check "tunnel still forwards" ip netns exec gh1 ping -c 2 -i 0.2 -W 5 $OVER2

# Over an IPv6 underlay the same inner fields give the hop limit and the
# traffic class (IPv6 has no DF bit: dissect always says True).
cleanup_netns
check "setup: IPv6 underlay, tunnel and a VLAN (id 100) inside" \
	eval 'underlay_setup && underlay_setup6 && tunnel_pair $UNDER6_1 $UNDER6_2 &&
	      static_neigh && vlan_inside'
outer "IPv6 outside: inherit from IPv4 (ttl 33, tos 0x28)" "33 40 True" \
	"ttl inherit tos inherit" inner_l4=1 ping -c 3 -i 0.2 -W 1 -t 33 -Q 0x28 $OVER2
outer "IPv6 outside: inherit from VLAN-tagged IPv4 (ttl 55, tos 0x08)" "55 8 True" \
	"ttl inherit tos inherit" inner_l4=1 ping -c 3 -i 0.2 -W 1 -t 55 -Q 0x08 203.0.113.2
outer "IPv6 outside: inherit with ARP inside: route hop limit, class 0" "64 0 True" \
	"ttl inherit tos inherit" inner_ethertype=0x0806 \
	sh -c "ip neigh del $OVER2 dev gnv0; ping -c 2 -W 1 $OVER2"
vlan_tagged_arp_and_ipv6 "64 0 True" "45 64 True" "ttl inherit tos inherit"
tunnel_inner6
ip netns exec gh1 ping -6 -c 1 -W 5 $OVER6_2 >/dev/null
COUNT=8 outer "IPv6 outside: inherit from IPv6 (hop limit 44, class 0x20)" "44 32 True" \
	"ttl inherit tos inherit" "inner_l4=58 inner_type=128" ping -6 -c 6 -i 0.2 -W 1 -t 44 -Q 0x20 $OVER6_2

tap_done
