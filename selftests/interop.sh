#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Interop, run in both VMs of `vm.sh pair`: VM a runs our geneve.ko, VM b
# Debian's in-tree one (both register the kind "geneve", so they cannot share
# a kernel).  The VMs are joined by eth0.  For every row of a matrix of
# underlay family x checksums x port x L3 mode x TTL/TOS/DF, both sides build
# the same tunnel and ping the other with IPv4 and IPv6 inside (ARP and
# neighbour discovery included), sends a 6000-byte ping and runs iperf3 TCP
# both ways.  The VMs keep in step through files in $VM_SHARED.
source "$(dirname "$0")/lib.sh"

case ${VM_NAME:?} in
a) peer=b; me=1; you=2 ;;
b) peer=a; me=2; you=1 ;;
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

# NAME|UNDERLAY(4/6)|GENEVE OPTIONS
ROWS=(
	"IPv4 underlay|4|"
	"IPv6 underlay|6|"
	"IPv4, udpcsum|4|udpcsum"
	"IPv6, zero UDP checksums both ways|6|udp6zerocsumtx udp6zerocsumrx"
	"IPv4, dstport 7000|4|dstport 7000"
	"IPv6, dstport 7000|6|dstport 7000"
	"IPv4, L3 mode|4|innerprotoinherit"
	"IPv6, L3 mode|6|innerprotoinherit"
	"IPv4, ttl/tos/df inherit|4|ttl inherit tos inherit df inherit"
	"IPv6, ttl/tos inherit|6|ttl inherit tos inherit"
	"IPv4, L3 mode, ttl/tos/df inherit|4|innerprotoinherit ttl inherit tos inherit df inherit"
	"IPv4, ttl 9 tos 0x10 df set|4|ttl 9 tos 0x10 df set"
	"IPv6, flowlabel 0x12345 ttl 7|6|flowlabel 0x12345 ttl 7"
)
tap_plan $((1 + 5 * ${#ROWS[@]}))

if [ "$VM_NAME" = a ]; then
	check "VM a runs our geneve.ko" geneve_load_ours
else
	check "VM b runs Debian's in-tree geneve.ko" geneve_load_intree
fi
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
sysctl -qw net.ipv6.conf.eth0.disable_ipv6=0
ip addr add 192.0.2.$me/24 dev eth0
ip addr add 2001:db8::$me/64 dev eth0 nodad
ip link set eth0 up

n=0
for row in "${ROWS[@]}"; do
	IFS='|' read -r name af opts <<<"$row"
	n=$((n + 1))
	remote=192.0.2.$you
	[ "$af" = 6 ] && remote=2001:db8::$you
	ip link del gnv0 2>/dev/null
	# shellcheck disable=SC2086 # opts is a list of ip-link words
	check "[$name] gnv0 id $VNI remote $remote $opts" eval "
		ip link add gnv0 type geneve id $VNI remote $remote $opts &&
		sysctl -qw net.ipv6.conf.gnv0.disable_ipv6=0 &&
		ip addr add 198.51.100.$me/24 dev gnv0 &&
		ip addr add 2001:db8:1::$me/64 dev gnv0 nodad &&
		ip link set gnv0 up"
	iperf3 -s -D -1 -B 198.51.100.$me >/dev/null
	barrier "row$n-up"
	check "[$name] ping VM $peer" ping -c 3 -i 0.3 -W 10 198.51.100.$you
	check "[$name] ping -6 VM $peer" ping -6 -c 3 -i 0.3 -W 10 2001:db8:1::$you
	check "[$name] 6000-byte ping to VM $peer" ping -c 2 -s 6000 -W 10 198.51.100.$you
	# One direction at a time: a's client, then b's.
	if [ "$VM_NAME" = a ]; then
		check "[$name] iperf3 TCP a -> b" timeout 120 iperf3 -c 198.51.100.$you -t 2
		barrier "row$n-a-sent"
		barrier "row$n-b-sent"
	else
		barrier "row$n-a-sent"
		check "[$name] iperf3 TCP b -> a" timeout 120 iperf3 -c 198.51.100.$you -t 2
		barrier "row$n-b-sent"
	fi
	barrier "row$n-done"
done
tap_done
