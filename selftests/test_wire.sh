#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# What the tunnel puts on the wire, read back by two independent dissectors:
# tshark's Geneve dissector, and tools/gnvpkt.py decoding the raw bytes;
# and the checksums of GSO segments, checked by tshark.
source "$(dirname "$0")/lib.sh"

tap_plan 11
require_ours
with_workdir
cleanup_netns

check "setup: underlay and tunnel" eval 'underlay_setup && tunnel_setup && static_neigh'

# Capture 3 echo requests, then two UDP flows of 3 datagrams each.
ip netns exec gh2 tcpdump -q -n -Q in -i u2 -c 9 -w "$WORK/cap.pcap" \
	'udp dst port 6081' 2>"$WORK/cap.log" &
cap=$!
tcpdump_wait "$WORK/cap.log"
ip netns exec gh1 ping -c 3 -i 0.2 -W 2 -q $OVER2 >/dev/null
ip netns exec gh1 $PY "$TOOLS/gnvpkt.py" udp $OVER2 9 --sport 1111
ip netns exec gh1 $PY "$TOOLS/gnvpkt.py" udp $OVER2 9 --sport 2222
for _ in $(seq 50); do kill -0 $cap 2>/dev/null || break; sleep 0.2; done
kill $cap 2>/dev/null
wait $cap 2>/dev/null

# occurrence=f: the outer UDP header, not the inner one of the test flows.
tshark -r "$WORK/cap.pcap" -T fields -E separator=' ' -E occurrence=f \
	-e geneve.version -e geneve.flags.oam -e geneve.flags.critical \
	-e geneve.flags.reserved -e geneve.proto_type -e geneve.vni \
	-e geneve.reserved -e udp.dstport 2>/dev/null | sort | uniq -c >"$WORK/tshark"
$PY "$TOOLS/gnvpkt.py" dissect "$WORK/cap.pcap" >"$WORK/raw"

check_eq "9 packets captured, all decoded as Geneve" "9 9" \
	"$(awk '{n += $1} END {print n + 0}' "$WORK/tshark") $(wc -l <"$WORK/raw")"
check_eq "tshark: version 0, O and C clear, reserved 0, TEB, VNI $VNI, port 6081" \
	"9 0 0 0 0 0x6558 0x00002a 0x00 6081" "$(xargs <"$WORK/tshark")"

field_values()
{
	$PY -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(" ".join(sorted({str(r[sys.argv[2]]) for r in rows})))' "$WORK/raw" "$1"
}
check_eq "raw bytes: version 0, opt len 0, flags and reserved bits zero" \
	"0 0 False False 0 0" \
	"$(for f in version opt_len oam critical rsvd1 rsvd2; do field_values $f; done | xargs)"
check_eq "outer IPv4: TTL from the route (64), TOS 0, DF clear; UDP checksum 0" \
	"64 0 False 0" \
	"$(for f in ip_ttl ip_tos ip_df udp_csum; do field_values $f; done | xargs)"

sports()
{
	$PY -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(" ".join(str(r["udp_sport"]) for r in rows[int(sys.argv[2]):int(sys.argv[3])]))' \
		"$WORK/raw" "$1" "$2"
}
ping_ports=$(sports 0 3)
flow_a=$(sports 3 6)
flow_b=$(sports 6 9)
same_port() { [ "$(echo "$1" | tr ' ' '\n' | sort -u | wc -l)" = 1 ]; }
check "one flow keeps one UDP source port (ping: $ping_ports; flow A: $flow_a; flow B: $flow_b)" \
	eval 'same_port "$ping_ports" && same_port "$flow_a" && same_port "$flow_b"'
check "different inner flows get different source ports" \
	test "${flow_a%% *}" != "${flow_b%% *}"
check "source ports lie in 1-65535, never 0" \
	eval '[ "${flow_a%% *}" -gt 0 ] && [ "${flow_b%% *}" -gt 0 ]'

# GSO with UDP checksums.
ip -n gh1 link del gnv0 && ip -n gh2 link del gnv0
check "setup: tunnel with udpcsum" eval 'tunnel_setup udpcsum && static_neigh'
gso_checksums

tap_done
