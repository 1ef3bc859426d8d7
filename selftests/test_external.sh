#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# External (flow-based) mode driven by tc: tunnel_key sets the outer headers
# and Geneve options per packet on transmit; flower matches the metadata,
# options included, on receive.  Also: the C bit follows critical options,
# a packet without metadata is dropped and counted, and on a bridge the ICMP
# error for a too-big packet comes back with the tunnel addresses swapped.
source "$(dirname "$0")/lib.sh"

tap_plan 16
require_ours
with_workdir
cleanup_netns

# tunnel_key_to NETNS DEV DST OPTS: every packet DEV sends goes to DST, VNI 42.
tunnel_key_to()
{
	tc -n "$1" filter del dev "$2" egress pref 1 2>/dev/null
	tc -n "$1" filter add dev "$2" egress pref 1 matchall \
		action tunnel_key set src_ip "$3" dst_ip "$4" id $VNI dst_port 6081 \
		geneve_opts "$5" action pass
}

# tc_hits NETNS DEV [SELECTORS...]: for each ingress filter of DEV (that the
# selectors pick), the packets its first action counted.
tc_hits()
{
	local ns=$1 dev=$2; shift 2
	tc -n "$ns" -s -j filter show dev "$dev" ingress "$@" | $PY -c '
import json, sys
for f in json.load(sys.stdin):
    s = f.get("options", {}).get("actions", [{}])[0].get("stats")
    if s:
        print(s["packets"])'
}

check "setup: external gx on gh1 (tc tunnel_key), plain gnv0 on gh2" eval '
	underlay_setup &&
	ip -n gh1 link add gx type geneve external &&
	ip -n gh1 addr add $OVER1/24 dev gx && ip -n gh1 link set gx up &&
	tc -n gh1 qdisc add dev gx clsact &&
	tunnel_key_to gh1 gx $UNDER1 $UNDER2 0102:01:00880022 &&
	ip -n gh2 link add gnv0 type geneve id $VNI remote $UNDER1 &&
	ip -n gh2 addr add $OVER2/24 dev gnv0 && ip -n gh2 link set gnv0 up'
check_eq "ip -d -j: external, no remote, MTU 65465" "True None 65465" \
	"$(ip -n gh1 -d -j link show gx | $PY -c '
import json, sys
d = json.load(sys.stdin)[0]
i = d["linkinfo"]["info_data"]
print(i.get("external"), i.get("remote"), d["mtu"])')"

# "continue": the next filter gets to count the packet too.
tc -n gh1 filter add dev gx ingress pref 1 protocol ip flower \
	enc_key_id $VNI enc_src_ip $UNDER2 enc_dst_port 6081 action continue
capture_start gh2 u2 3 "$WORK/tx.pcap" 'udp dst port 6081'
check "ping from the external device to a plain one (ARP included)" \
	ip netns exec gh1 ping -c 3 -i 0.2 -W 5 $OVER2
capture_wait
check_eq "wire: VNI $VNI, option class 0x0102 type 1 with 4 bytes, C clear" \
	"$VNI 2 0102010100880022 False" \
	"$(dissect "$WORK/tx.pcap" --where inner_l4=1 vni opt_len options critical | xargs)"
check_eq "flower on gx ingress matched the 3 replies by VNI, remote and port" 3 \
	"$(tc_hits gh1 gx)"

# Options on receive: gh2 becomes external too and sends one.
check "gh2 external as well, sending option 0x0102/0x02 = 11223344" eval '
	ip -n gh2 link del gnv0 &&
	ip -n gh2 link add gx type geneve external &&
	ip -n gh2 addr add $OVER2/24 dev gx && ip -n gh2 link set gx up &&
	tc -n gh2 qdisc add dev gx clsact &&
	tunnel_key_to gh2 gx $UNDER2 $UNDER1 0102:02:11223344'
tc -n gh1 filter add dev gx ingress pref 2 protocol ip flower \
	geneve_opts 0102:02:11223344 action pass
ip -n gh1 neigh flush dev gx	# gh2's MAC changed with its device
check "ping between two external devices" \
	ip netns exec gh1 ping -c 3 -i 0.2 -W 5 -q $OVER2
check_eq "flower matched the received option on all 3 replies" 3 \
	"$(tc_hits gh1 gx pref 2)"

# A critical option (type bit 0x80): the header must say so, and an endpoint
# that interprets no options must drop it.
tunnel_key_to gh1 gx $UNDER1 $UNDER2 0102:81:00880022
ip -n gh2 link del gx
ip -n gh2 link add gnv0 type geneve id $VNI remote $UNDER1
ip -n gh2 addr add $OVER2/24 dev gnv0
ip -n gh2 link set gnv0 up
ip -n gh1 neigh flush dev gx
b_fe=$(devstat gh2 gnv0 rx_frame_errors)
capture_start gh2 u2 3 "$WORK/crit.pcap" 'udp dst port 6081'
check "no reply through an endpoint that must drop critical options" \
	eval '! ip netns exec gh1 ping -c 3 -i 0.2 -W 1 -q $OVER2'
capture_wait
check_eq "wire: C bit set for the critical option" True \
	"$(dissect "$WORK/crit.pcap" critical | xargs)"
check_eq "the plain device counted each as a frame error" 3 \
	"$(($(devstat gh2 gnv0 rx_frame_errors) - b_fe))"

# Without tunnel_key nothing says where a packet goes.
tc -n gh1 filter del dev gx egress pref 1
ip -n gh1 neigh replace $OVER2 lladdr 02:00:00:00:00:02 dev gx nud permanent
b_d=$(devstat gh1 gx tx_dropped) b_e=$(devstat gh1 gx tx_errors) b_why=$(ethstats gh1 gx)
ip netns exec gh1 ping -c 2 -i 0.2 -W 1 -q $OVER2 >/dev/null
check_eq "no metadata: 2 packets dropped, in tx_dropped only (as in-tree) and tx_drop_no_metadata" \
	"2 0 tx_drop_no_metadata+2" \
	"$(($(devstat gh1 gx tx_dropped) - b_d)) $(($(devstat gh1 gx tx_errors) - b_e)) $(stat_moves "$b_why" "$(ethstats gh1 gx)")"

# Too big for the path on a bridge port: the sender behind the bridge gets
# "fragmentation needed" from the device, with metadata saying the tunnel
# brought it (from the remote to us), so flower can match it like traffic.
cleanup_netns
check "setup: external gx on bridge br0 with a VM behind it, underlay MTU 1300" eval '
	underlay_setup && netns_add vm &&
	ip -n gh1 link set u1 mtu 1300 &&
	ip -n gh1 link add br0 type bridge && ip -n gh1 link set br0 up &&
	ip -n gh1 link add gx type geneve external &&
	ip -n gh1 link set gx master br0 up &&
	ip link add vm0 netns gh1 type veth peer name vm1 netns vm &&
	ip -n gh1 link set vm0 master br0 up &&
	ip -n vm addr add $OVER1/24 dev vm1 && ip -n vm link set vm1 up &&
	ip -n vm neigh replace $OVER2 lladdr 02:00:00:00:00:02 dev vm1 nud permanent &&
	tc -n gh1 qdisc add dev gx clsact &&
	tunnel_key_to gh1 gx $UNDER1 $UNDER2 0102:01:00880022 &&
	tc -n gh1 filter add dev gx ingress pref 1 protocol ip flower ip_proto icmp \
		enc_key_id $VNI enc_src_ip $UNDER2 enc_dst_ip $UNDER1 action pass'
ip netns exec vm ping -c 1 -W 1 -M do -s 1400 $OVER2 >/dev/null 2>&1
check_eq "the VM learnt PMTU 1300 - 20 - 8 - 8 - 8 (option) - 14 = 1242" \
	1242 "$(route_mtu vm $OVER2)"
check_eq "flower on gx ingress matched the ICMP error as sent from $UNDER2 to $UNDER1" 1 \
	"$(tc_hits gh1 gx)"

# Open vSwitch's vport_geneve calls geneve_dev_create_fb(): it must link
# against ours (same prototype, same symbol version).
check "vport_geneve (Open vSwitch) loads and links against our module" eval '
	modprobe vport_geneve && [ -e /sys/module/geneve/holders/vport_geneve ] &&
	geneve_is_ours'
rmmod vport_geneve 2>/dev/null

tap_done
