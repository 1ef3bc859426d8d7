#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Interop, run in both VMs of `vm.sh pair`: VM a runs our geneve.ko, VM b
# Debian's in-tree one (both register the kind "geneve", so they cannot share
# a kernel).  The VMs are joined by eth0; each side pings the other and sends
# iperf3 TCP to it through the tunnel.  Synchronised by files in $VM_SHARED.
source "$(dirname "$0")/lib.sh"

case ${VM_NAME:?} in
a) peer=b; under=$UNDER1; peer_under=$UNDER2; peer_over=$OVER2; over=$OVER1 ;;
b) peer=a; under=$UNDER2; peer_under=$UNDER1; peer_over=$OVER1; over=$OVER2 ;;
esac

# barrier NAME: both VMs reach this point before either goes on.
barrier()
{
	touch "$VM_SHARED/$1.$VM_NAME"
	local i
	for i in $(seq 600); do
		[ -e "$VM_SHARED/$1.$peer" ] && return 0
		sleep 0.5
	done
	bail_out "timed out waiting for VM $peer at barrier $1"
}

tap_plan 5
if [ "$VM_NAME" = a ]; then
	check "VM a runs our geneve.ko" geneve_load_ours
else
	check "VM b runs Debian's in-tree geneve.ko" geneve_load_intree
fi
sysctl -qw net.ipv6.conf.all.disable_ipv6=1
check "eth0 $under/24 and gnv0 id $VNI remote $peer_under" eval "
	ip addr add $under/24 dev eth0 && ip link set eth0 up &&
	ip link add gnv0 type geneve id $VNI remote $peer_under &&
	ip addr add $over/24 dev gnv0 && ip link set gnv0 up"
barrier up
check "ping VM $peer through the tunnel" ping -c 3 -i 0.3 -W 10 "$peer_over"
check "8000-byte ping to VM $peer (inner fragments)" ping -c 2 -s 8000 -W 10 "$peer_over"

iperf3 -s -D -1 -B "$over" >/dev/null
sleep 1
barrier servers
if [ "$VM_NAME" = a ]; then
	check "iperf3 TCP a -> b" timeout 120 iperf3 -c "$peer_over" -t 3
	barrier a-sent
	barrier b-sent
else
	barrier a-sent
	check "iperf3 TCP b -> a" timeout 120 iperf3 -c "$peer_over" -t 3
	barrier b-sent
fi
tap_done
