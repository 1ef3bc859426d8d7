#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# IPv6 underlay: traffic with IPv4 and IPv6 inside, checksums (on by default,
# zero only when both ends agree, correct in GSO segments), hop limit,
# traffic class and flow label on the wire, and exact counters.
source "$(dirname "$0")/lib.sh"

tap_plan 20
require_ours
with_workdir
cleanup_netns

check "setup: IPv6 underlay, tunnel with remote6, IPv6 inside too" \
	eval 'underlay_setup && underlay_setup6 && tunnel_pair $UNDER6_1 $UNDER6_2 && tunnel_inner6'
check_eq "MTU defaults to underlay MTU minus 70" 1430 \
	"$(ip -n gh1 -j link show gnv0 | jq_field mtu)"
check "ping gh1 -> gh2 (IPv4 in IPv6)" ip netns exec gh1 ping -c 3 -i 0.2 -W 5 $OVER2
check "ping gh2 -> gh1 (IPv4 in IPv6)" ip netns exec gh2 ping -c 3 -i 0.2 -W 5 $OVER1
check "ping -6 gh1 -> gh2 (IPv6 in IPv6)" ip netns exec gh1 ping -6 -c 3 -i 0.2 -W 5 $OVER6_2
check "8000-byte ping gh1 -> gh2" ip netns exec gh1 ping -c 2 -s 8000 -W 5 $OVER2
ip netns exec gh2 iperf3 -s -D -1 -B $OVER2 >/dev/null
sleep 1
check "iperf3 TCP gh1 -> gh2" ip netns exec gh1 timeout 60 iperf3 -c $OVER2 -t 3
ip netns exec gh2 iperf3 -s -D -1 -B $OVER2 >/dev/null
sleep 1
check "iperf3 TCP gh2 -> gh1 (reverse mode)" \
	ip netns exec gh1 timeout 60 iperf3 -c $OVER2 -t 3 -R

# Exact counters: IPv6 underlay frames are 84 + 14 + 40 + 8 + 8 + 14 bytes.
# The inner IPv6 neighbours of the ping -6 above would be probed meanwhile.
static_neigh && static_neigh $OVER6_1 $OVER6_2
# The end of the iperf3 runs above can still send a packet; the counters are
# read one at a time, so one sent in between would count on one side only.
for _ in $(seq 10); do
	b_tx=$(devstat gh1 gnv0 tx_packets)
	sleep 1
	[ "$b_tx" = "$(devstat gh1 gnv0 tx_packets)" ] && break
done
N=10
b_tx=$(devstat gh1 gnv0 tx_packets) b_rx=$(devstat gh2 gnv0 rx_packets)
b_u=$(devstat gh1 u1 tx_bytes)
ip netns exec gh1 ping -c $N -i 0.1 -W 5 -q $OVER2 >/dev/null
check_eq "exact counters: $N sent, $N received, $N x 168 bytes on the underlay" \
	"$N $N $((N * 168))" \
	"$(($(devstat gh1 gnv0 tx_packets) - b_tx)) $(($(devstat gh2 gnv0 rx_packets) - b_rx)) $(($(devstat gh1 u1 tx_bytes) - b_u))"

# Checksums of GSO segments (on by default over IPv6).  From here on u1
# computes checksums in software, so captures show the real values rather
# than veth's unfinished partial checksums.
gso_checksums
capture_start gh2 u2 3 "$WORK/default.pcap" 'ip6 and udp dst port 6081'
ip netns exec gh1 ping -c 3 -i 0.2 -W 2 -q $OVER2 >/dev/null
capture_wait
check_eq "wire: IPv6 outside, VNI $VNI, hop limit 64, traffic class 0, flow label 0" \
	"6 $VNI 64 0 0" "$(dissect "$WORK/default.pcap" ip vni ip_ttl ip_tos ip_label | xargs)"
check_eq "tshark: UDP checksum present and correct" "1" \
	"$(tshark -r "$WORK/default.pcap" -o udp.check_checksum:TRUE -T fields \
		-E occurrence=f -e udp.checksum.status 2>/dev/null | sort -u | xargs)"

# Fixed hop limit, traffic class and flow label.
ip -n gh1 link del gnv0
ip -n gh1 link add gnv0 type geneve id $VNI remote $UNDER6_2 ttl 17 tos 0x28 flowlabel 0x12345
ip -n gh1 addr add $OVER1/24 dev gnv0
ip -n gh1 link set gnv0 up
static_neigh
capture_start gh2 u2 3 "$WORK/fixed.pcap" 'ip6 and udp dst port 6081'
ip netns exec gh1 ping -c 3 -i 0.2 -W 2 -q $OVER2 >/dev/null
capture_wait
check_eq "wire: ttl 17, tos 0x28, flowlabel 0x12345 as configured" \
	"17 40 74565" "$(dissect "$WORK/fixed.pcap" ip_ttl ip_tos ip_label | xargs)"

# Zero UDP checksums: sent with udp6zerocsumtx, accepted only by a socket
# opened with udp6zerocsumrx.
ip -n gh1 link del gnv0
ip -n gh1 link add gnv0 type geneve id $VNI remote $UNDER6_2 udp6zerocsumtx
ip -n gh1 addr add $OVER1/24 dev gnv0
ip -n gh1 link set gnv0 up
static_neigh
udp6_csum_errors()
{
	ip netns exec gh2 awk '$1 == "Udp6InCsumErrors" { print $2 }' /proc/net/snmp6
}
b_ce=$(udp6_csum_errors)
capture_start gh2 u2 2 "$WORK/zero.pcap" 'ip6 and udp dst port 6081'
check "udp6zerocsumtx towards a receiver without udp6zerocsumrx: not delivered" \
	eval '! ip netns exec gh1 ping -c 2 -i 0.2 -W 1 -q $OVER2'
capture_wait
check_eq "... both counted by UDP as checksum errors (Udp6InCsumErrors)" 2 \
	$(($(udp6_csum_errors) - b_ce))
check_eq "wire: UDP checksum 0 with udp6zerocsumtx" 0 \
	"$(dissect "$WORK/zero.pcap" udp_csum | xargs)"
ip -n gh2 link del gnv0
ip -n gh2 link add gnv0 type geneve id $VNI remote $UNDER6_1 udp6zerocsumrx
ip -n gh2 addr add $OVER2/24 dev gnv0
ip -n gh2 link set gnv0 up
static_neigh
check "... and delivered once the receiver has udp6zerocsumrx" \
	ip netns exec gh1 ping -c 2 -i 0.2 -W 5 -q $OVER2
check_eq "ip -d -j: remote6 and the zero-checksum flags" \
	"$UNDER6_1 False True" \
	"$(ip -n gh2 -d -j link show gnv0 | $PY -c '
import json, sys
i = json.load(sys.stdin)[0]["linkinfo"]["info_data"]
print(i.get("remote6"), i.get("udp_zero_csum6_tx"), i.get("udp_zero_csum6_rx"))')"
check_eq "the IPv6 socket is the only one open on gh2" "none 1" \
	"$(sock_stat gh2 6081 users inet) $(sock_stat gh2 6081 users inet6)"

tap_done
