#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# L3 mode (innerprotoinherit): bare IPv4/IPv6 inside, protocol type taken from
# the inner packet, no inner Ethernet header, no ARP; TCP offloads still right;
# path MTU learnt from an underlay router's ICMP error.
source "$(dirname "$0")/lib.sh"

tap_plan 18
require_ours
with_workdir
cleanup_netns

check "setup: L3-mode tunnel (innerprotoinherit, udpcsum) with IPv4 and IPv6 inside" \
	eval 'underlay_setup && tunnel_setup innerprotoinherit udpcsum && tunnel_inner6'
# Point-to-point on 6.12 as in-tree there, not on 6.1.
case $(uname -r) in 6.1.*) p2p=False ;; *) p2p=True ;; esac
check_eq "device: no link header, NOARP, POINTOPOINT on 6.12 only, innerprotoinherit shown, MTU 1450" \
	"none True $p2p True 1450" \
	"$(ip -n gh1 -d -j link show gnv0 | $PY -c '
import json, sys
d = json.load(sys.stdin)[0]
print(d["link_type"], "NOARP" in d["flags"], "POINTOPOINT" in d["flags"],
      d["linkinfo"]["info_data"].get("inner_proto_inherit"), d["mtu"])')"
check "ping gh1 -> gh2 (IPv4 inside)" ip netns exec gh1 ping -c 3 -i 0.2 -W 5 $OVER2
check "ping -6 gh2 -> gh1 (IPv6 inside)" ip netns exec gh2 ping -6 -c 3 -i 0.2 -W 5 $OVER6_1
check "8000-byte ping (inner fragments)" ip netns exec gh1 ping -c 2 -s 8000 -W 5 $OVER2
ip netns exec gh2 iperf3 -s -D -1 -B $OVER2 >/dev/null
sleep 1
check "iperf3 TCP gh1 -> gh2 (segmentation offload across the tunnel)" \
	ip netns exec gh1 timeout 60 iperf3 -c $OVER2 -t 3

capture_start gh2 u2 6 "$WORK/l3.pcap" 'udp dst port 6081'
ip netns exec gh1 ping -c 3 -i 0.2 -W 2 -q $OVER2 >/dev/null
ip netns exec gh1 ping -6 -c 3 -i 0.2 -W 2 -q $OVER6_2 >/dev/null
capture_wait
check_eq "wire: IPv4 inside is protocol 0x0800, starting right after Geneve" "0x0800 1" \
	"$(dissect "$WORK/l3.pcap" --where inner_l4=1 proto inner_l4 | xargs)"
check_eq "wire: IPv6 inside is protocol 0x86dd" "0x86dd" \
	"$(dissect "$WORK/l3.pcap" --where inner_l4=58 --where inner_type=128 proto | xargs)"

b_drop=$(devstat gh2 gnv0 rx_dropped) b_rx=$(devstat gh2 gnv0 rx_packets)
ip netns exec gh1 $PY "$TOOLS/gnvpkt.py" send $UNDER2
sleep 0.3
check_eq "an Ethernet frame (0x6558) to an L3 device: dropped, counted" "1 0" \
	"$(($(devstat gh2 gnv0 rx_dropped) - b_drop)) $(($(devstat gh2 gnv0 rx_packets) - b_rx))"

# Any other protocol leaves with its own type, as in-tree does; the far end
# takes it in on 6.12 (any protocol but Ethernet) and drops it on 6.1
# (IPv4 and IPv6 only), as each line's in-tree driver does.
case $(uname -r) in
6.1.*) expect_rx="0 1" ;;
*) expect_rx="1 0" ;;
esac
b_rx=$(devstat gh2 gnv0 rx_packets) b_drop=$(devstat gh2 gnv0 rx_dropped)
capture_start gh2 u2 1 "$WORK/arp.pcap" 'udp dst port 6081'
ip netns exec gh1 $PY -c '
import socket
s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM)
s.sendto(b"\0" * 28, ("gnv0", 0x0806))'
capture_wait
sleep 0.3
check_eq "an ARP payload sent through a packet socket leaves as protocol 0x0806" "0x0806" \
	"$(dissect "$WORK/arp.pcap" proto | xargs)"
check_eq "the far end takes it in on 6.12, drops it on 6.1 (rx_packets, rx_dropped)" "$expect_rx" \
	"$(($(devstat gh2 gnv0 rx_packets) - b_rx)) $(($(devstat gh2 gnv0 rx_dropped) - b_drop))"
check "tunnel still forwards" ip netns exec gh1 ping -c 2 -i 0.2 -W 5 $OVER2

# Segmented in software, L3-mode segments must still have every inner header
# where it belongs (in-tree had the inner network header 14 bytes off).
gso_checksums

# PMTU: a router whose link to gh2 has MTU 1300 answers a too-big tunnel
# packet (DF set outside) with "fragmentation needed".  The tunnel socket
# claims that error (encap_err_lookup), the outer route learns 1300, and
# the next too-big inner packet lowers the inner route's PMTU to 1300 minus
# IPv4, UDP and Geneve: no inner Ethernet header in L3 mode.
cleanup_netns
check "setup: gh1 - router (MTU 1300 towards gh2) - gh2, L3-mode tunnel with df set" eval '
	netns_add gh1 && netns_add gh2 && netns_add rt &&
	ip link add u1 netns gh1 type veth peer name r1 netns rt &&
	ip link add u2 netns gh2 type veth peer name r2 netns rt &&
	ip -n gh1 addr add $UNDER1/24 dev u1 && ip -n gh1 link set u1 up &&
	ip -n rt addr add 192.0.2.254/24 dev r1 && ip -n rt link set r1 up &&
	ip -n rt addr add 203.0.113.254/24 dev r2 && ip -n rt link set r2 mtu 1300 up &&
	ip -n gh2 addr add 203.0.113.2/24 dev u2 && ip -n gh2 link set u2 mtu 1300 up &&
	ip -n gh1 route add 203.0.113.0/24 via 192.0.2.254 &&
	ip -n gh2 route add 192.0.2.0/24 via 203.0.113.254 &&
	ip netns exec rt sysctl -qw net.ipv4.ip_forward=1 &&
	tunnel_pair $UNDER1 203.0.113.2 innerprotoinherit df set'

ip netns exec gh1 ping -c 1 -W 2 -M do -s 1400 $OVER2 >/dev/null 2>&1
check_eq "the outer route learnt PMTU 1300 from the router's ICMP error" \
	1300 "$(route_mtu gh1 203.0.113.2)"
ip netns exec gh1 ping -c 1 -W 2 -M do -s 1400 $OVER2 >/dev/null 2>&1
check_eq "the inner route got PMTU 1264 (1300 - 20 - 8 - 8)" 1264 "$(route_mtu gh1 $OVER2)"
check "a ping that fits the path goes through" \
	ip netns exec gh1 ping -c 2 -i 0.2 -W 5 -M do -s 1200 $OVER2

tap_done
