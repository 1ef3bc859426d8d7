#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# IPv4 underlay, Ethernet inside: two hosts in network namespaces over veth,
# one geneve device each.  Pings both ways, a fragmented 8000-byte ping,
# iperf3 TCP both ways, and exact counters for a known number of packets.
source "$(dirname "$0")/lib.sh"

tap_plan 16
require_ours
trap cleanup_netns EXIT
cleanup_netns

check "module under test is ours (srcversion matches geneve.ko)" geneve_is_ours
check "underlay: two namespaces joined by veth" underlay_setup
check "ip link add ... type geneve id $VNI remote ... on both hosts" tunnel_setup
check_eq "MTU defaults to underlay MTU minus 50" 1450 \
	"$(ip -n gh1 -j link show gnv0 | jq_field mtu)"

check "ping gh1 -> gh2 over the tunnel" \
	ip netns exec gh1 ping -c 3 -i 0.2 -W 5 $OVER2
check "ping gh2 -> gh1 over the tunnel" \
	ip netns exec gh2 ping -c 3 -i 0.2 -W 5 $OVER1
check "8000-byte ping gh1 -> gh2 (inner fragments)" \
	ip netns exec gh1 ping -c 2 -s 8000 -W 5 $OVER2
check "8000-byte ping gh2 -> gh1 (inner fragments)" \
	ip netns exec gh2 ping -c 2 -s 8000 -W 5 $OVER1

ip netns exec gh2 iperf3 -s -D -1 -B $OVER2 >/dev/null
sleep 1
check "iperf3 TCP gh1 -> gh2" \
	ip netns exec gh1 timeout 60 iperf3 -c $OVER2 -t 3
ip netns exec gh2 iperf3 -s -D -1 -B $OVER2 >/dev/null
sleep 1
check "iperf3 TCP gh2 -> gh1 (reverse mode)" \
	ip netns exec gh1 timeout 60 iperf3 -c $OVER2 -t 3 -R

# Exact counters: N echo requests of 84 bytes of IPv4 each way.  The tunnel
# counts inner L3 bytes on transmit and the inner frame after its Ethernet
# header on receive; the underlay adds Ethernet + IPv4 + UDP + Geneve + inner
# Ethernet = 64 bytes per packet.
N=10
static_neigh
declare -A before
for c in tx_packets tx_bytes rx_packets rx_bytes; do
	before[gh1_$c]=$(devstat gh1 gnv0 $c)
	before[gh2_$c]=$(devstat gh2 gnv0 $c)
done
before[u1_tx_bytes]=$(devstat gh1 u1 tx_bytes)
before[u1_tx_packets]=$(devstat gh1 u1 tx_packets)
ip netns exec gh1 ping -c $N -i 0.1 -W 5 -q $OVER2 >/dev/null
delta() { echo $(($(devstat "$1" "$2" "$3") - before[$4])); }
check_eq "gh1 gnv0 tx_packets moved by exactly $N" $N "$(delta gh1 gnv0 tx_packets gh1_tx_packets)"
check_eq "gh2 gnv0 rx_packets moved by exactly $N" $N "$(delta gh2 gnv0 rx_packets gh2_rx_packets)"
check_eq "gh1 gnv0 tx_bytes/rx_bytes and gh2 rx_bytes/tx_bytes are $N x 84" \
	"$((N * 84)) $((N * 84)) $((N * 84)) $((N * 84))" \
	"$(delta gh1 gnv0 tx_bytes gh1_tx_bytes) $(delta gh1 gnv0 rx_bytes gh1_rx_bytes) $(delta gh2 gnv0 rx_bytes gh2_rx_bytes) $(delta gh2 gnv0 tx_bytes gh2_tx_bytes)"
check_eq "underlay u1 carried $N packets of 84 + 64 bytes" \
	"$N $((N * 148))" \
	"$(delta gh1 u1 tx_packets u1_tx_packets) $(delta gh1 u1 tx_bytes u1_tx_bytes)"
check_eq "no errors or drops on either tunnel device" "0 0 0 0 0 0 0 0" \
	"$(for h in gh1 gh2; do for c in rx_errors tx_errors rx_dropped tx_dropped; do devstat $h gnv0 $c; done; done | xargs)"
check_eq "sockets dropped nothing" "0 0 0" \
	"$(for c in short bad_version no_tunnel; do sock_stat gh2 6081 $c; done | xargs)"

tap_done
