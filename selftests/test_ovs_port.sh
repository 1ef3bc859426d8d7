#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Our devices as Open vSwitch kernel datapath ports (ovs-dpctl, no daemon).
#  - Open vSwitch's compat vport (vport_geneve -> geneve_dev_create_fb()) on
#    the port of an external device made by rtnetlink is refused as a
#    duplicate tunnel (EBUSY), as by the in-tree module, which is the
#    control; on a free port it makes an external device.
#  - An L3-mode device (innerprotoinherit), which Open vSwitch accepts as a
#    port, sends a packet too big for the path's MTU instead of building an
#    ICMP error from its IP header read as Ethernet.
source "$(dirname "$0")/lib.sh"

tap_plan 5
require_ours
with_workdir
trap 'ovs_down; cleanup_netns; rm -rf "$WORK"; geneve_load_ours' EXIT

ovs_down()
{
	ip netns exec o ovs-dpctl del-dp dp0 >/dev/null 2>&1
	# Not modprobe -r: it would unload geneve with it.
	rmmod vport_geneve 2>/dev/null
	return 0
}

if ! modprobe openvswitch 2>/dev/null || ! command -v ovs-dpctl >/dev/null; then
	for t in $(seq 5); do tap_skip "Open vSwitch datapath case $t" "no openvswitch"; done
	tap_done
fi

# compat_vports: with the module loaded, what the compat vport gives on
# port 7000 (taken by an external device) and on port 7001, and what the
# latter is.
compat_vports()
{
	local clash free
	netns_add o
	ip -n o link add x1 type geneve external dstport 7000
	ip netns exec o ovs-dpctl add-dp dp0 2>/dev/null
	clash=$(ip netns exec o $PY "$TOOLS/ovs_vport.py" add-geneve dp0 gclash 7000)
	free=$(ip netns exec o $PY "$TOOLS/ovs_vport.py" add-geneve dp0 gfree 7001)
	echo "$clash $free $(ip -n o -d -j link show gfree | $PY -c '
import json, sys
i = json.load(sys.stdin)[0]["linkinfo"]["info_data"]
print("external" if i.get("external") else "not-external", i.get("port"))')"
	ovs_down
	cleanup_netns
}

check "in-tree module loaded (the control)" geneve_load_intree
intree=$(compat_vports)
check "ours loaded again" geneve_load_ours
ours=$(compat_vports)
check_eq "compat vport: EBUSY beside an external device, an external device on a free port, as in-tree" \
	"ERR EBUSY OK external 7001 | ERR EBUSY OK external 7001" "$intree | $ours"

# The L3 device g3 is a datapath port; tc pops the Ethernet header of what
# arrives on v0 and hands the IPv4 packet to g3.  Path MTU 1500 - 36, device
# MTU 9000 (so that Open vSwitch's own MTU check lets it pass), 1480 bytes
# with DF, from a host other than us (a reply is only built for those).
netns_add o
ip -n o link add dummy0 type dummy
ip -n o addr add 192.0.2.1/24 dev dummy0
ip -n o link set dummy0 up
ip -n o link add v0 type veth peer name v1
ip -n o link set v0 up && ip -n o link set v1 up
# steps COMMAND...: each command in turn; names the first that fails.
steps()
{
	local step
	for step in "$@"; do
		eval "$step" || { echo "failed: $step"; return 1; }
	done
}
check "L3 device g3 as a port of datapath dp0, fed by tc from v0" steps \
	"ip -n o link add g3 mtu 9000 type geneve id 7 remote 192.0.2.2 innerprotoinherit" \
	"ip -n o link set g3 up" \
	"ip netns exec o ovs-dpctl add-dp dp0" \
	"ip netns exec o ovs-dpctl add-if dp0 g3" \
	"tc -n o qdisc add dev v0 clsact" \
	"tc -n o filter add dev v0 ingress protocol ip matchall action vlan pop_eth pipe action mirred egress redirect dev g3" \
	geneve_is_ours
tx=$(devstat o g3 tx_packets)
before=$(ethstats o g3)
ip netns exec o $PY -c '
import socket, struct
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 1480, 1, 0x4000, 64, 17, 0,
                 socket.inet_aton("198.51.100.9"), socket.inet_aton("198.51.100.2"))
frame = bytes.fromhex("020000000002" "020000000009" "0800") + ip + b"\0" * 1460
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("v1", 0))
s.send(frame)'
sleep 0.5
check_eq "1480 bytes with DF through g3: sent (tx +1), no drop, no ICMP error built" \
	"1 -" "$(($(devstat o g3 tx_packets) - tx)) $(stat_moves "$before" "$(ethstats o g3)")"

tap_done
