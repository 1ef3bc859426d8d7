#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Device, socket and namespace lifecycle: churn, shared sockets, devices whose
# socket lives in another namespace, namespace deletion in both orders, and
# rmmod with devices up.  Leaks and refcount bugs show up as kernel warnings
# ("unregister_netdevice: waiting ...", WARN_ON) that the VM runner fails on.
source "$(dirname "$0")/lib.sh"

tap_plan 18
require_ours
trap cleanup_netns EXIT
cleanup_netns

# udp_sockets NETNS: how many UDP sockets listen on port 6081 there.
udp_sockets()
{
	ip netns exec "$1" ss -Huan 'sport = :6081' | wc -l
}

geneve_links()
{
	ip -n "$1" -o link show type geneve | wc -l
}

netns_add lc
batch=$(mktemp)
for i in $(seq 1 100); do
	echo "link add g$i type geneve id $i remote 192.0.2.2"
	echo "link set g$i up"
	echo "link del g$i"
done >"$batch"
check "100 x (create, up, delete) in one namespace" ip -n lc -batch "$batch"
check_eq "nothing left: no devices, no socket" "0 0" "$(geneve_links lc) $(udp_sockets lc)"

for i in $(seq 1 100); do
	echo "link add g$i type geneve id $i remote 192.0.2.2"
	echo "link set g$i up"
done >"$batch"
check "100 devices up at once on port 6081" ip -n lc -batch "$batch"
check_eq "they share one UDP socket (ss and /proc/net/geneve agree)" "1 100" \
	"$(udp_sockets lc) $(sock_stat lc 6081 users)"
for i in $(seq 1 100); do echo "link del g$i"; done >"$batch"
ip -n lc -batch "$batch"
check_eq "socket closed with the last device" 0 "$(udp_sockets lc)"
rm -f "$batch"

# Created from namespace A into namespace B: the socket lives in A.
netns_add A
netns_add B
ip -n A link add xg netns B type geneve id 9 remote 192.0.2.2
ip -n B link set xg up
check_eq "device created from A into B: socket in A, none in B" "1 0" \
	"$(udp_sockets A) $(udp_sockets B)"
ip netns del A
sleep 1
check_eq "deleting A takes the device in B with it" 0 "$(geneve_links B)"
ip netns del B

# Moved after creation, then the namespace holding the device dies first.
netns_add A
netns_add B
ip -n A link add mg type geneve id 10 remote 192.0.2.2
ip -n A link set mg netns B
ip -n B link set mg up
check_eq "device moved from A to B keeps its socket in A" "1 0" \
	"$(udp_sockets A) $(udp_sockets B)"
ip netns del B
sleep 1
check_eq "deleting B destroys the device and closes A's socket" 0 "$(udp_sockets A)"
ip netns del A

# Traffic before and after moving a live tunnel device to another namespace.
check "ping, move gh1's gnv0 into namespace vm1, ping again from vm1" eval '
	underlay_setup && tunnel_setup &&
	ip netns exec gh1 ping -c 2 -i 0.2 -W 5 -q $OVER2 >/dev/null &&
	netns_add vm1 && ip -n gh1 link set gnv0 netns vm1 &&
	ip -n vm1 addr add $OVER1/24 dev gnv0 && ip -n vm1 link set gnv0 up &&
	ip netns exec vm1 ping -c 2 -i 0.2 -W 5 -q $OVER2 >/dev/null'
check_eq "after the move its socket is still in gh1, none in vm1" "1 0" \
	"$(udp_sockets gh1) $(udp_sockets vm1)"
cleanup_netns
sleep 1

# A namespace deleted while devices in it are up and passing traffic.
check "traffic over a tunnel, then both host namespaces deleted" \
	eval 'underlay_setup && tunnel_setup &&
	      ip netns exec gh1 ping -c 2 -i 0.2 -W 5 -q $OVER2 >/dev/null &&
	      ip netns del gh1 && ip netns del gh2'
sleep 1

# Devices deleted while a burst to each arrives and UDP floods over gnv0, one
# per CPU, go through the per-CPU GRO cells that all devices share: a deleted
# device's packets still queued there hold it until the cell has dropped
# them.  Every cell must still deliver afterwards: each ping is pinned to one
# CPU, which also receives it.
pings_from_every_cpu()
{
	local cpu

	for cpu in $(seq 0 $(($(nproc) - 1))); do
		ip netns exec gh1 taskset -c "$cpu" \
			ping -c 3 -i 0.2 -W 5 -q $OVER2 >/dev/null || return 1
	done
}

underlay_setup && tunnel_setup
floods=()
for cpu in $(seq 0 $(($(nproc) - 1))); do
	ip netns exec gh2 iperf3 -s -D -1 -B $OVER2 -p $((5301 + cpu)) >/dev/null
	sleep 0.5
	ip netns exec gh1 taskset -c "$cpu" iperf3 -c $OVER2 -p $((5301 + cpu)) \
		-u -b 0 -l 64 -t 120 >/dev/null 2>&1 &
	floods+=($!)
done
received=0
for round in $(seq 1 20); do
	ip -n gh2 link add gd type geneve id 900 remote $UNDER1
	ip -n gh2 link set gd up
	ip netns exec gh1 $PY "$TOOLS/gnvpkt.py" burst $UNDER2 --count 2000 --vni 900 &
	burst=$!
	for _ in $(seq 50); do
		[ "$(devstat gh2 gd rx_packets)" -gt 0 ] && break
		sleep 0.1
	done
	received=$((received + $(devstat gh2 gd rx_packets)))
	ip -n gh2 link del gd
	wait $burst
done
kill "${floods[@]}" 2>/dev/null
wait
check "20 devices deleted while receiving bursts (received: $received)" \
	test "$received" -gt 0
check "then pings over gnv0 from every CPU get all their replies" \
	pings_from_every_cpu
cleanup_netns
sleep 1

# rmmod with devices up in two namespaces and in the initial one.
underlay_setup && tunnel_setup
ip link add top0 type geneve id 77 remote 192.0.2.9
ip link set top0 up
ip netns exec gh1 ping -c 2 -i 0.2 -W 5 -q $OVER2 >/dev/null
check "rmmod geneve with devices up in three namespaces" rmmod geneve
check_eq "no geneve device left anywhere" "0 0 0" \
	"$(ip -o link show type geneve | wc -l) $(geneve_links gh1) $(geneve_links gh2)"
check "module loads again, and a tunnel works after the reload" \
	eval 'geneve_load_ours && ip -n gh1 link add gnv0 type geneve id $VNI remote $UNDER2 &&
	      ip -n gh2 link add gnv0 type geneve id $VNI remote $UNDER1 &&
	      ip -n gh1 addr add $OVER1/24 dev gnv0 && ip -n gh2 addr add $OVER2/24 dev gnv0 &&
	      ip -n gh1 link set gnv0 up && ip -n gh2 link set gnv0 up &&
	      ip netns exec gh1 ping -c 2 -i 0.2 -W 5 -q $OVER2'
cleanup_netns
sleep 1
check "rmmod after every namespace is gone" eval 'rmmod geneve && geneve_load_ours'

tap_done
