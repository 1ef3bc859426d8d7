#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Hand-made packets at UDP port 6081: each is dropped (or delivered) and moves
# exactly the counters it should: socket drops in /proc/net/geneve, the
# standard device counters, and the one `ethtool -S` reason counter.  The
# tunnel keeps working afterwards.
source "$(dirname "$0")/lib.sh"

tap_plan 19
require_ours
trap cleanup_netns EXIT
cleanup_netns

check "setup: underlay, tunnel, second underlay address on gh1" \
	eval 'underlay_setup && tunnel_setup &&
	      ip -n gh1 addr add 192.0.2.3/24 dev u1'

# udp_snmp NETNS FIELD: one of the namespace's UDP counters (/proc/net/snmp).
udp_snmp()
{
	ip netns exec "$1" awk -v f="$2" '$1 == "Udp:" {
		if (!n) { for (i = 2; i <= NF; i++) col[$i] = i; n = 1; next }
		print $col[f] }' /proc/net/snmp
}

MAC2=$(ip -n gh2 -j link show gnv0 | jq_field address)
COUNTERS="short bad_version no_tunnel rx_packets rx_dropped rx_errors rx_frame_errors rx_length_errors"

snapshot()
{
	local c
	for c in short bad_version no_tunnel; do
		sock_stat gh2 6081 $c
	done
	for c in rx_packets rx_dropped rx_errors rx_frame_errors rx_length_errors; do
		devstat gh2 gnv0 $c
	done
}

# expect DESCRIPTION "DELTAS (in COUNTERS order)" ETHTOOL-MOVES gnvpkt.py-send-arguments...
expect()
{
	local desc=$1 want=$2 why=$3; shift 3
	local before after i got=() drops
	read -ra before <<<"$(snapshot | xargs)"
	drops=$(ethstats gh2 gnv0)
	ip netns exec gh1 $PY "$TOOLS/gnvpkt.py" send $UNDER2 "$@"
	sleep 0.3
	read -ra after <<<"$(snapshot | xargs)"
	for i in "${!after[@]}"; do
		got+=($((after[i] - before[i])))
	done
	check_eq "$desc" "$want $why" \
		"${got[*]} $(stat_moves "$drops" "$(ethstats gh2 gnv0)")" ||
		echo "# counters: $COUNTERS ethtool-S"
}

#                                                      short ver notun rxp drop err frame len  ethtool -S
expect "5 bytes of garbage: socket 'short' drop"          "1 0 0 0 0 0 0 0" - --raw 0102030405
expect "version 1: socket 'bad_version' drop"            "0 1 0 0 0 0 0 0" - --version 1
expect "unknown VNI: socket 'no_tunnel' drop"            "0 0 1 0 0 0 0 0" - --vni 4242
expect "known VNI from another remote: 'no_tunnel'"      "0 0 1 0 0 0 0 0" - --bind 192.0.2.3
expect "critical bit (options not interpreted): frame error" "0 0 0 0 0 1 1 0" rx_drop_critical_options+1 --critical
expect "OAM bit: control message not forwarded, dropped" "0 0 0 0 1 0 0 0" rx_drop_oam+1 --oam
expect "protocol 0x0800 on an Ethernet device: dropped"  "0 0 0 0 1 0 0 0" rx_drop_wrong_protocol+1 --proto 0x0800
expect "options running past the packet: length error"   "0 0 0 0 0 1 0 1" rx_drop_truncated+1 --opts-words 63 --inner none
expect "inner frame shorter than Ethernet: length error" "0 0 0 0 0 1 0 1" rx_drop_truncated+1 --inner eth-short
expect "inner IPv4 header truncated: length error"       "0 0 0 0 0 1 0 1" rx_drop_truncated_inner+1 --inner ipv4-short
expect "inner source MAC is our own (loop): rx error"    "0 0 0 0 0 1 0 0" rx_drop_own_mac+1 --src-mac "$MAC2"
expect "valid packet with 8 bytes of options: delivered" "0 0 0 1 0 0 0 0" - --opts-words 2 --opts-bytes 8
expect "valid packet, reserved bits all set: delivered" "0 0 0 1 0 0 0 0" - --reserved

# UDP verifies the checksum before the tunnel sees the datagram.
csum_errors=$(udp_snmp gh2 InCsumErrors)
expect "wrong non-zero UDP checksum: never reaches the tunnel" "0 0 0 0 0 0 0 0" - --udp-csum bad
check_eq "... and UDP counts it in InCsumErrors" $((csum_errors + 1)) "$(udp_snmp gh2 InCsumErrors)"
expect "correct non-zero UDP checksum: delivered"      "0 0 0 1 0 0 0 0" - --udp-csum good

check "tunnel still forwards after all of it (ping gh1 -> gh2)" \
	ip netns exec gh1 ping -c 2 -i 0.2 -W 5 $OVER2
check "tunnel still forwards after all of it (ping gh2 -> gh1)" \
	ip netns exec gh2 ping -c 2 -i 0.2 -W 5 $OVER1

tap_done
