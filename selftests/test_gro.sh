#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# GRO on the tunnel socket: segments of one inner TCP flow that reach gh2 one
# by one are merged before decapsulation, but only while their Geneve headers,
# options included, are the same bytes (RFC 8926 section 4.6), and never when
# they are OAM packets.  u1 segments in software (no GSO across the veth) and
# u2 runs NAPI GRO (veth does with `gro on`).  After decapsulation, the rx
# cells run GRO again only where it can merge something, and keep each
# flow's order.
source "$(dirname "$0")/lib.sh"

tap_plan 16
require_ours
with_workdir
cleanup_netns

check "setup: tunnel, u1 without offloads, GRO on u2" eval '
	underlay_setup && tunnel_setup && static_neigh && wire_frames on'

size=$(tcp_mean_size gh2 rx 4M)
check "TCP through the tunnel: gnv0 receives merged frames (mean $size bytes > MTU 1450)" \
	test "$size" -gt 1464

# The same without GRO on u2 shows the check above can tell.
ip netns exec gh2 ethtool -K u2 gro off >/dev/null
size=$(tcp_mean_size gh2 rx 1M)
check "control: GRO off on u2, frames stay within the MTU (mean $size bytes)" \
	test "$size" -le 1464
ip netns exec gh2 ethtool -K u2 gro on >/dev/null

# Hand-made bursts are held back by netem and released in one slot, so that
# they reach u2's NAPI poll together.
ip -n gh1 link set u1 txqueuelen 1000
tc -n gh1 qdisc add dev u1 root netem slot 300ms 300ms

# burst DESCRIPTION "RX_PACKETS DROP-MOVES" gnvpkt.py-burst-arguments...
burst()
{
	local desc=$1 want=$2; shift 2
	local p why
	p=$(devstat gh2 gnv0 rx_packets) why=$(ethstats gh2 gnv0)
	ip netns exec gh1 $PY "$TOOLS/gnvpkt.py" burst $UNDER2 --count 8 "$@"
	sleep 1
	check_eq "$desc" "$want" \
		"$(($(devstat gh2 gnv0 rx_packets) - p)) $(stat_moves "$why" "$(ethstats gh2 gnv0)")"
}

burst "8 segments, same header and options: merged into 1" "1 -"
burst "8 segments, options alternating A B A B: none merged" "8 -" --cycle 2
burst "8 segments, headers equal but OAM: none merged (each dropped as OAM)" \
	"0 rx_drop_oam+8" --oam
drops=$(sock_stat gh2 6081 no_tunnel)
burst "8 segments to an unknown VNI: no device sees them" "0 -" --vni 4242
check_eq "... and the socket counts one merged packet as no_tunnel" \
	$((drops + 1)) "$(sock_stat gh2 6081 no_tunnel)"

# What the cells do with decapsulated packets, through the net tracepoints on
# gnv0: how many entered GRO, how many went past it, and the lengths of those
# the stack received, in that order.  The last packet queued, while GRO holds
# and batches nothing, goes past it (nothing is left to merge with).  The
# events are switched on and off only once: a run that switched them around
# every burst hung once, the test shell stuck in the kernel for minutes (TCG,
# two vCPUs), and a switch patches kernel text on every CPU.
TRACING=/sys/kernel/tracing
RX_EVENTS="napi_gro_receive_entry netif_receive_skb_entry netif_receive_skb"

# rx_trace on|off
rx_trace()
{
	local e on=0 filter=0
	[ "$1" = on ] && on=1 filter='name == "gnv0"'
	for e in $RX_EVENTS; do
		echo "$filter" > "$TRACING/events/net/$e/filter" &&
			echo $on > "$TRACING/events/net/$e/enable" || return 1
	done
}

rx_trace_read()
{
	awk '/ napi_gro_receive_entry: / { gro++ }
	     / netif_receive_skb_entry: / { past++ }
	     / netif_receive_skb: / { sub(/.*len=/, ""); got = got sep $1; sep = "," }
	     END { printf "gro=%d past=%d got=%s\n", gro, past, got }' $TRACING/trace
}

# cell_burst DESCRIPTION "gro=N past=N got=LEN,..." gnvpkt.py-burst-arguments...
# (segments are 140 bytes of IPv4; 8 merged are 840).
cell_burst()
{
	local desc=$1 want=$2; shift 2
	echo > $TRACING/trace
	ip netns exec gh1 $PY "$TOOLS/gnvpkt.py" burst $UNDER2 "$@"
	sleep 1
	check_eq "$desc" "$want" "$(rx_trace_read)"
}

mountpoint -q $TRACING || mount -t tracefs tracefs $TRACING
rx_trace on
cell_burst "cells: a lone segment goes past GRO" "gro=0 past=1 got=140" --count 1
cell_burst "cells: 8 segments merged on u2 go past GRO as one" \
	"gro=0 past=1 got=840" --count 8
cell_burst "cells: 8 segments apart on u2 (options A B A B) merge in GRO" \
	"gro=8 past=0 got=840" --count 8 --cycle 2
cell_burst "cells: behind a segment GRO holds, a merged packet keeps its order" \
	"gro=2 past=0 got=140,740" --count 8 --split 1
cell_burst "cells: behind a segment GRO batches (PSH), a merged packet keeps its order" \
	"gro=2 past=0 got=140,740" --count 8 --split 1 --push-first
rx_trace off

tc -n gh1 qdisc del dev u1 root
check "tunnel still forwards" ip netns exec gh1 ping -c 2 -i 0.2 -W 5 $OVER2

# L3 mode: bare IPv4 inside merges through the IPv4 GRO handlers.
ip -n gh1 link del gnv0 && ip -n gh2 link del gnv0
check "L3-mode tunnel" tunnel_setup innerprotoinherit
tc -n gh1 qdisc add dev u1 root netem slot 300ms 300ms
burst "L3 mode: 8 segments, same header and options: merged into 1" "1 -" --l3
tc -n gh1 qdisc del dev u1 root

tap_done
