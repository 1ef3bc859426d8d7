#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make demo`, inside the VM: two hypervisor hosts joined by an underlay, each
# with a Linux bridge, a geneve port and two VMs; the four VMs share one L2
# segment across the hosts.  Every host and VM is a network namespace.
#
#   vm11 vm12                       vm21 vm22      198.51.100.11,12 / .21,22
#     \   /                           \   /
#      br0 -- gnv0 (VNI 42)   gnv0 -- br0
#   host hv1: u1 192.0.2.1 ===== u2 192.0.2.2 :host hv2
source "$(dirname "$0")/lib.sh"

say() { printf '\n== %s\n' "$*"; }
run() { echo "+ $*"; "$@"; }
failures=0
step()
{
	local desc=$1; shift
	if "$@" >/dev/null 2>&1; then
		printf '  %-52s ok\n' "$desc"
	else
		printf '  %-52s FAILED\n' "$desc"
		failures=$((failures + 1))
	fi
}

geneve_load_ours || { echo "cannot load $MODULE"; exit 1; }
trap cleanup_netns EXIT
cleanup_netns

say "Building two hypervisor hosts (hv1, hv2) joined by a veth underlay"
netns_add hv1
netns_add hv2
ip link add u1 netns hv1 type veth peer name u2 netns hv2
ip -n hv1 addr add $UNDER1/24 dev u1
ip -n hv2 addr add $UNDER2/24 dev u2
ip -n hv1 link set u1 up
ip -n hv2 link set u2 up

for h in 1 2; do
	peer=$UNDER2
	[ $h = 2 ] && peer=$UNDER1
	say "hv$h: bridge br0 + geneve port gnv0 (VNI $VNI, remote $peer) + VMs vm${h}1, vm${h}2"
	run ip -n hv$h link add br0 type bridge
	run ip -n hv$h link add gnv0 type geneve id $VNI remote $peer
	ip -n hv$h link set gnv0 master br0 up
	ip -n hv$h link set br0 up
	for v in 1 2; do
		vm=vm$h$v
		netns_add $vm
		ip link add eth0 netns $vm type veth peer name tap$v netns hv$h
		ip -n hv$h link set tap$v master br0 up
		# The VM's MTU leaves room for the 50 bytes of encapsulation.
		ip -n $vm link set eth0 mtu 1450 up
		ip -n $vm addr add 198.51.100.$h$v/24 dev eth0
		echo "  $vm: eth0 198.51.100.$h$v/24 on hv$h:br0"
	done
done

say "Pings between all four VMs (across hosts through the tunnel, and within a host)"
for src in 11 12 21 22; do
	for dst in 11 12 21 22; do
		[ $src = $dst ] && continue
		step "vm$src -> vm$dst (198.51.100.$dst)" \
			ip netns exec vm$src ping -c 2 -i 0.2 -W 5 198.51.100.$dst
	done
done
step "vm11 -> vm22: 4000-byte ping (fragmented inside the VM)" \
	ip netns exec vm11 ping -c 2 -s 4000 -W 5 198.51.100.22

say "iperf3: vm11 (on hv1) -> vm22 (on hv2), 3 seconds of TCP"
ip netns exec vm22 iperf3 -s -D -1 >/dev/null
sleep 1
if ip netns exec vm11 timeout 60 iperf3 -c 198.51.100.22 -t 3 >"$TMPDIR/iperf" 2>&1; then
	grep -E 'sender|receiver' "$TMPDIR/iperf" || cat "$TMPDIR/iperf"
	echo "  (throughput under software emulation says nothing about real hardware)"
else
	cat "$TMPDIR/iperf"
	failures=$((failures + 1))
fi

say "The tunnel device on hv1, as ip shows it"
run ip -n hv1 -d link show gnv0
say "Its counters after the traffic"
run ip -n hv1 -s link show gnv0
say "The shared UDP socket (/proc/net/geneve in hv1)"
ip netns exec hv1 cat /proc/net/geneve

if [ $failures -eq 0 ]; then
	say "DEMO OK: four VMs on two hosts share one L2 segment over Geneve VNI $VNI."
else
	say "DEMO FAILED: $failures step(s) failed (see above)."
	exit 1
fi
