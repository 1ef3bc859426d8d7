#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Interop, run in both VMs of `vm.sh pair`: VM a runs our geneve.ko, VM b
# Debian's in-tree one (both register the kind "geneve", so they cannot share
# a kernel).  The VMs are joined by eth0.  For every row of a matrix of
# underlay family x checksums x port x L3 mode x TTL/TOS/DF, both sides build
# the same tunnel and ping the other with IPv4 and IPv6 inside (ARP and
# neighbour discovery included), sends a 6000-byte ping and runs iperf3 TCP
# both ways.  Then the forwarding database: a multipoint device of ours in
# VM a, whose flood list names two hosts (namespaces) in VM b, each with an
# in-tree point-to-point device back to a, over IPv4 and IPv6 underlays.
# The VMs keep in step through files in $VM_SHARED.
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
# Arguments: the numbers of the rows to run (default all), for the kernels
# after the first, which CI's time allows only a few rows.
if [ $# -gt 0 ]; then
	picked=()
	for i in "$@"; do picked+=("${ROWS[i - 1]:?no row $i}"); done
	ROWS=("${picked[@]}")
fi
tap_plan $((1 + 5 * ${#ROWS[@]} + 3 * 2))

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
ip link del gnv0 2>/dev/null

# ---- FDB: our multipoint gnv0 in a, in-tree hosts hb2 and hb3 in b ----
# b's eth0 becomes a port of a switch that hb2 (192.0.2.12, 2001:db8::12)
# and hb3 (.13) hang on; their gnv0 have fixed MACs and 10.9.0.12/.13.
if [ "$VM_NAME" = b ]; then
	ip addr flush dev eth0
	ip link add brU type bridge mcast_snooping 0
	ip link set eth0 master brU
	ip link set brU up
	for h in 2 3; do
		netns_add hb$h
		ip link add u$h netns hb$h type veth peer name p$h
		ip link set p$h master brU up
		ip -n hb$h addr add 192.0.2.1$h/24 dev u$h
		ipv6_on hb$h u$h 2001:db8::1$h
		ip -n hb$h link set u$h up
	done
fi
rx_of() { ip netns exec "hb$1" cat /sys/class/net/gnv0/statistics/rx_packets; }

for FAMILY in 4 6; do
	ua=192.0.2.1 under=192.0.2.1
	[ $FAMILY = 6 ] && ua=2001:db8::1 under=2001:db8::1
	if [ "$VM_NAME" = a ]; then
		any=0.0.0.0
		[ $FAMILY = 6 ] && any=::
		check "[FDB IPv$FAMILY] a: multipoint gnv0 (ours), flood list hb2 and hb3" eval "
			ip link del gnv0 2>/dev/null; ip link add gnv0 type geneve id 100 remote $any &&
			ip addr add 10.9.0.1/24 dev gnv0 && ip link set gnv0 up &&
			bridge fdb append 00:00:00:00:00:00 dev gnv0 dst ${under}2 self &&
			bridge fdb append 00:00:00:00:00:00 dev gnv0 dst ${under}3 self"
	else
		check "[FDB IPv$FAMILY] b: hb2, hb3 with in-tree gnv0 remote $ua" eval '
			for h in 2 3; do
				ip -n hb$h link del gnv0 2>/dev/null
				ip -n hb$h link add gnv0 address 02:00:00:00:0b:0$h type geneve \
					id 100 remote $ua &&
				ip -n hb$h addr add 10.9.0.1$h/24 dev gnv0 &&
				ip -n hb$h link set gnv0 up || exit 1
			done'
	fi
	barrier "fdb$FAMILY-up"
	if [ "$VM_NAME" = a ]; then
		# ARP floods to both; the replies teach a where each host is.
		check_eq "[FDB IPv$FAMILY] a pings hb2 and hb3, and learnt each MAC behind its address" \
			"02:00:00:00:0b:02 dst ${under}2 self|02:00:00:00:0b:03 dst ${under}3 self" \
			"$(ping -c 1 -W 5 -q 10.9.0.12 >/dev/null; ping -c 1 -W 5 -q 10.9.0.13 >/dev/null
			   bridge fdb show dev gnv0 | grep '^02:00:00:00:0b:0[23] ' | sort | tr -s ' ' |
			   sed 's/ $//' | paste -sd '|')"
		# No ARP refresh in the counts that follow.
		ip neigh replace 10.9.0.12 lladdr 02:00:00:00:0b:02 dev gnv0 nud permanent
		ip neigh replace 10.9.0.13 lladdr 02:00:00:00:0b:03 dev gnv0 nud permanent
		cat /sys/class/net/gnv0/address > "$VM_SHARED/gnv0-mac.a"
	fi
	barrier "fdb$FAMILY-learnt"
	if [ "$VM_NAME" = b ]; then
		for h in 2 3; do
			ip -n hb$h neigh replace 10.9.0.1 dev gnv0 nud permanent \
				lladdr "$(cat "$VM_SHARED/gnv0-mac.a")"
		done
		before="$(rx_of 2) $(rx_of 3)"
	fi
	barrier "fdb$FAMILY-counting"
	if [ "$VM_NAME" = a ]; then
		ping -c 100 -i 0.01 -q 10.9.0.12 >/dev/null
		barrier "fdb$FAMILY-unicast"
		barrier "fdb$FAMILY-unicast-counted"
		tx=$(cat /sys/class/net/gnv0/statistics/tx_packets)
		ping -b -c 1 -W 1 10.9.0.255 >/dev/null 2>&1
		check_eq "[FDB IPv$FAMILY] a's one broadcast left as two copies" 2 \
			$(($(cat /sys/class/net/gnv0/statistics/tx_packets) - tx))
		barrier "fdb$FAMILY-broadcast"
	else
		barrier "fdb$FAMILY-unicast"
		read -r b2 b3 <<<"$before"
		check_eq "[FDB IPv$FAMILY] 100 pings to hb2's learnt MAC: hb2 got 100, hb3 none" \
			"100 0" "$(($(rx_of 2) - b2)) $(($(rx_of 3) - b3))"
		before="$(rx_of 2) $(rx_of 3)"
		barrier "fdb$FAMILY-unicast-counted"
		barrier "fdb$FAMILY-broadcast"
		read -r b2 b3 <<<"$before"
		check_eq "[FDB IPv$FAMILY] a's broadcast reached hb2 and hb3 once each" \
			"1 1" "$(($(rx_of 2) - b2)) $(($(rx_of 3) - b3))"
	fi
	barrier "fdb$FAMILY-done"
	[ "$VM_NAME" = a ] && rm -f "$VM_SHARED/gnv0-mac.a"
done
tap_done
