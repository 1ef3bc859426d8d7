#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Guest side of `make fuzz-seeds`: captures what Debian's in-tree geneve.ko
# puts on the wire (ARP, ICMP, IPv6 inside, TCP under GSO, L3 mode, tc
# tunnel_key options plain, critical and several at once, over IPv4 and
# IPv6 underlays) and writes the distinct Geneve payloads and options
# areas to corpus/ as seeds for the fuzz targets.  Run it inside the VM:
#   selftests/vm.sh run -- selftests/fuzz/capture_seeds.sh
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
set -u

geneve_load_intree || bail_out "cannot load the in-tree geneve.ko"
with_workdir
cleanup_netns
rx=$here/corpus/fuzz_rx_header
opts=$here/corpus/fuzz_tx_opts
rm -f "$rx"/intree-* "$opts"/intree-*
underlay_setup && underlay_setup6 || bail_out "underlay"

# seeds NAME CMD...: captures on u2 while CMD runs, writes the seeds.
seeds()
{
	local name=$1; shift
	capture_start gh2 u2 40 "$WORK/$name.pcap" 'udp dst port 6081'
	"$@" >/dev/null 2>&1
	capture_wait
	$PY "$TOOLS/gnvpkt.py" seeds "$WORK/$name.pcap" "$rx" "$opts" "intree-$name"
}

# Ethernet inside, IPv4 then IPv6 underlay, IPv4 and IPv6 inside.
tunnel_setup && tunnel_inner6 || bail_out "tunnel"
seeds eth4 ip netns exec gh1 ping -c 2 -i 0.2 -W 2 $OVER2
seeds eth4-inner6 ip netns exec gh1 ping -6 -c 2 -i 0.2 -W 2 $OVER6_2
ip netns exec gh2 iperf3 -s -1 -D
sleep 0.5
seeds eth4-tcp ip netns exec gh1 iperf3 -c $OVER2 -n 200K
ip -n gh1 link del gnv0; ip -n gh2 link del gnv0
tunnel_pair $UNDER6_1 $UNDER6_2 || bail_out "IPv6 tunnel"
seeds eth6 ip netns exec gh1 ping -c 2 -i 0.2 -W 2 $OVER2
ip -n gh1 link del gnv0; ip -n gh2 link del gnv0

# L3 mode: bare IP inside, the protocol type says which.
tunnel_setup innerprotoinherit || bail_out "L3 tunnel"
seeds l3 ip netns exec gh1 ping -c 2 -i 0.2 -W 2 $OVER2
ip -n gh1 link del gnv0; ip -n gh2 link del gnv0

# External device, options from tc tunnel_key: one, critical, several.
ip -n gh1 link add gx type geneve external &&
ip -n gh1 addr add $OVER1/24 dev gx && ip -n gh1 link set gx up &&
ip -n gh2 link add gnv0 type geneve id $VNI remote $UNDER1 &&
ip -n gh2 addr add $OVER2/24 dev gnv0 && ip -n gh2 link set gnv0 up &&
tc -n gh1 qdisc add dev gx clsact || bail_out "external device"
k=0
for o in 0102:01:00880022 0102:81:00880022 \
	 ffff:7f:0011223344556677,0102:02:00000000,abcd:c0:000000000000000000000000; do
	tc -n gh1 filter del dev gx egress pref 1 2>/dev/null
	tc -n gh1 filter add dev gx egress pref 1 matchall \
		action tunnel_key set src_ip $UNDER1 dst_ip $UNDER2 id $VNI \
		dst_port 6081 geneve_opts "$o" action pass
	k=$((k + 1))
	seeds "opts$k" ip netns exec gh1 ping -c 2 -i 0.2 -W 2 $OVER2
done
cleanup_netns
echo "seeds: $(ls "$rx" | wc -l) payloads, $(ls "$opts" | wc -l) options areas"
