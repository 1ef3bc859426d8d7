#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make demo`, inside the VM: three hypervisor hosts on one underlay switch,
# each with a Linux bridge, one multipoint Geneve port and two VMs; the six
# VMs share one L2 segment (VNI 42) across the hosts.  Broadcast reaches the
# other hosts first by head-end replication (a flood list), then through a
# multicast group; the hosts learn where each VM lives and send unicast
# there only.  Every host and VM is a network namespace.
#
#   vm11 vm12          vm21 vm22          vm31 vm32      10.42.0.HV/24
#     \   /              \   /              \   /
#      br0--gnv0          br0--gnv0          br0--gnv0
#       hv1 u1             hv2 u2             hv3 u3     192.0.2.HV/24
#            \_______________|_______________/
#                    switch sw0 (namespace wire)
source "$(dirname "$0")/lib.sh"

HOSTS="1 2 3"
FLOOD=00:00:00:00:00:00
GROUP=239.1.1.1

say() { printf '\n== %s\n' "$*"; }
run() { echo "+ $*"; "$@"; }
failures=0
fail() { echo "  FAILED: $*"; failures=$((failures + 1)); }
vm_mac() { echo "02:42:00:00:0${1:0:1}:0${1:1:1}"; }
vms() { local h v; for h in $HOSTS; do for v in 1 2; do echo -n "$h$v "; done; done; }

# capture FILE CMD...: the Geneve packets crossing the underlay switch while
# CMD runs (sw0 in promiscuous mode sees every frame it forwards).
capture()
{
	local file=$1 pid
	shift
	ip netns exec wire tcpdump -n -s 256 -i sw0 -w "$file" udp port 6081 >/dev/null 2>&1 &
	pid=$!
	sleep 1.5
	"$@" >/dev/null 2>&1
	sleep 0.5
	kill -INT $pid
	wait $pid
}

# geneve_count FILE [FILTER]: Geneve packets in FILE that match FILTER.
geneve_count() { tcpdump -n -r "$1" "${2:-udp}" 2>/dev/null | grep -c Geneve; }
# The inner frame is an ARP request (no Geneve options: it starts at udp[16]).
ARP_REQUEST='udp[28:2] = 0x0806 and udp[36:2] = 1'


# ping_all: every VM pings every other one, a line per VM.
ping_all()
{
	local src dst line bad
	for src in $(vms); do
		line="  vm$src ->" bad=0
		for dst in $(vms); do
			[ $src = $dst ] && continue
			if ip netns exec vm$src ping -c 1 -W 3 -q 10.42.0.$dst >/dev/null; then
				line+=" vm$dst"
			else
				line+=" vm$dst(LOST)" bad=1
			fi
		done
		echo "$line"
		[ $bad = 0 ] || fail "pings from vm$src"
	done
}

# forget: the VMs' ARP caches and the hosts' learnt entries, so that the
# next ping starts with a broadcast again.
forget()
{
	local h v
	for h in $HOSTS; do
		bridge -n hv$h fdb flush dev gnv0 dynamic self
		for v in 1 2; do ip -n vm$h$v neigh flush all; done
	done
}

# decode FILE: the first ARP request in FILE as tshark dissects it: the
# outer layers summarized, Geneve and the inner ARP in full.
decode()
{
	tshark -r "$1" -Y 'arp.opcode == 1' -c 1 -O geneve,arp 2>/dev/null |
		sed -e '/^$/d' -e 's/^/    /'
}

geneve_load_ours || { echo "cannot load $MODULE"; exit 1; }
trap cleanup_netns EXIT
cleanup_netns
WORK=$(mktemp -d)

say "Three hypervisor hosts hv1..hv3 on one underlay switch, two VMs each"
netns_add wire
ip -n wire link add sw0 type bridge mcast_snooping 0
ip -n wire link set sw0 up
for h in $HOSTS; do
	netns_add hv$h
	ip link add u$h netns hv$h type veth peer name port$h netns wire
	ip -n wire link set port$h master sw0 up
	ip -n hv$h addr add 192.0.2.$h/24 dev u$h
	ip -n hv$h link set u$h up
	ip -n hv$h link add br0 type bridge
	ip -n hv$h link set br0 up
	for v in 1 2; do
		vm=vm$h$v
		netns_add $vm
		ip link add eth0 netns $vm type veth peer name tap$v netns hv$h
		ip -n hv$h link set tap$v master br0 up
		# The VM's MTU leaves room for the 50 bytes of encapsulation.
		ip -n $vm link set eth0 address "$(vm_mac $h$v)" mtu 1450 up
		ip -n $vm addr add 10.42.0.$h$v/24 dev eth0
	done
	echo "  hv$h: underlay u$h 192.0.2.$h; vm${h}1 10.42.0.${h}1, vm${h}2 10.42.0.${h}2 on br0"
done

say "One multipoint Geneve port per host: no remote of its own, a flood list of all hosts"
for h in $HOSTS; do
	# No remote to take the MTU from: the underlay's 1500 less 50 of headers.
	run ip -n hv$h link add gnv0 mtu 1450 type geneve id $VNI remote 0.0.0.0
	ip -n hv$h link set gnv0 master br0 up
	for other in $HOSTS; do
		# The same list everywhere: a host skips its own address.
		run bridge -n hv$h fdb append $FLOOD dev gnv0 dst 192.0.2.$other self
	done
done
run bridge -n hv1 fdb show dev gnv0 self

say "Every VM pings every other one (ARP broadcasts are replicated to each host)"
capture "$WORK/flood.pcap" ip netns exec vm11 ping -c 1 -W 3 10.42.0.21
ping_all
sent=$(geneve_count "$WORK/flood.pcap" "src host 192.0.2.1 and $ARP_REQUEST")
echo "  vm11's first ARP request left hv1 as $sent Geneve packets, one per other host:"
[ "$sent" = 2 ] || fail "expected 2 copies of the broadcast, saw $sent"
tcpdump -n -r "$WORK/flood.pcap" "src host 192.0.2.1 and $ARP_REQUEST" 2>/dev/null |
	sed 's/^/    /'
echo "  one of them, as tshark decodes it:"
decode "$WORK/flood.pcap"

say "hv1 learnt where the VMs live (the inner source MAC, against the outer source address)"
run bridge -n hv1 fdb show dev gnv0 self

say "Unicast goes to one host only: 50 pings vm11 -> vm31"
capture "$WORK/unicast.pcap" ip netns exec vm11 ping -c 50 -i 0.02 -q 10.42.0.31
at3=$(geneve_count "$WORK/unicast.pcap" 'dst host 192.0.2.3')
at2=$(geneve_count "$WORK/unicast.pcap" 'dst host 192.0.2.2')
echo "  hv3 received $at3 Geneve packets, hv2 received $at2"
[ "$at3" -ge 50 ] && [ "$at2" = 0 ] || fail "unicast was not sent to hv3 alone"

say "Now a multicast underlay instead: the flood list becomes group $GROUP"
for h in $HOSTS; do
	for other in $HOSTS; do
		bridge -n hv$h fdb del $FLOOD dev gnv0 dst 192.0.2.$other self
	done
	run bridge -n hv$h fdb append $FLOOD dev gnv0 dst $GROUP via u$h self
done
echo "  the hosts' Geneve sockets joined it (IGMP) on their underlay ports:"
for h in $HOSTS; do
	if ip -n hv$h maddr show dev u$h | grep -qw $GROUP; then
		echo "    hv$h u$h: member of $GROUP"
	else
		fail "hv$h is not a member of $GROUP"
	fi
done
forget
capture "$WORK/group.pcap" ip netns exec vm11 ping -c 1 -W 3 10.42.0.21
ping_all
sent=$(geneve_count "$WORK/group.pcap" "src host 192.0.2.1 and dst host $GROUP and ip[8] = 1 and $ARP_REQUEST")
echo "  vm11's ARP request now leaves hv1 as $sent packet, to the group, with outer TTL 1:"
[ "$sent" = 1 ] || fail "expected one copy of the broadcast to $GROUP with TTL 1, saw $sent"
decode "$WORK/group.pcap"

say "hv1's port after the traffic"
run ip -n hv1 -d link show gnv0
run ip -n hv1 -s link show gnv0
echo "+ ip netns exec hv1 ethtool -S gnv0   (the non-zero counters)"
ip netns exec hv1 ethtool -S gnv0 | awk -F: '$2 + 0 != 0' | grep . ||
	echo "    (none: nothing was dropped)"
echo "+ ls /sys/class/net/gnv0/geneve/   (the knobs stock tools have no keywords for)"
for f in fdb_learning fdb_ageing fdb_max_learnt fdb_learnt fdb_entries; do
	printf '    %-15s %s\n' $f "$(ip netns exec hv1 cat /sys/class/net/gnv0/geneve/$f)"
done
rm -rf "$WORK"

if [ $failures -eq 0 ]; then
	say "DEMO OK: six VMs on three hosts share one L2 segment over Geneve VNI $VNI."
else
	say "DEMO FAILED: $failures step(s) failed (see above)."
	exit 1
fi
