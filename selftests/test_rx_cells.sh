#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The rx cells that all devices share after decapsulation.  Two tunnels
# between gh1 and gh2, A (VNI 100) and B (VNI 200), on one socket: a device
# holds at most half of a cell's queue (net.core.netdev_max_backlog), so a
# flood of A leaves B its half.  The queue is made small (32) so that the
# VM's rates can fill it.  veth then takes the NAPI path both ways (GRO on
# the receiving end, segmentation off on the sending one), so that no packet
# waits in the kernel's own backlog, which the same limit bounds, and what
# u1 sends in one go reaches a cell in one poll.  Then CPU hotplug while a
# cell is busy.
source "$(dirname "$0")/lib.sh"

tap_plan 9
require_ours
with_workdir
backlog_was=$(sysctl -n net.core.netdev_max_backlog)
trap 'sysctl -qw net.core.netdev_max_backlog=$backlog_was; cleanup_netns; rm -rf "$WORK"' EXIT

OVER_B1=198.51.101.1
OVER_B2=198.51.101.2

# tunnels: gnA and gnB on both hosts, with static neighbours.
tunnels()
{
	local ns peer a b mac
	for ns in gh1 gh2; do
		[ $ns = gh1 ] && { peer=$UNDER2 a=$OVER1 b=$OVER_B1; } ||
			{ peer=$UNDER1 a=$OVER2 b=$OVER_B2; }
		ip -n $ns link add gnA type geneve id 100 remote $peer &&
		ip -n $ns link add gnB type geneve id 200 remote $peer &&
		ip -n $ns addr add $a/24 dev gnA && ip -n $ns addr add $b/24 dev gnB &&
		ip -n $ns link set gnA up && ip -n $ns link set gnB up || return 1
	done
	for dev in gnA gnB; do
		mac=$(ip -n gh2 -j link show $dev | jq_field address)
		[ $dev = gnA ] && a=$OVER2 || a=$OVER_B2
		ip -n gh1 neigh replace $a lladdr "$mac" dev $dev nud permanent || return 1
		mac=$(ip -n gh1 -j link show $dev | jq_field address)
		[ $dev = gnA ] && a=$OVER1 || a=$OVER_B1
		ip -n gh2 neigh replace $a lladdr "$mac" dev $dev nud permanent || return 1
	done
}

# moves DEV: gh2's rx_packets and drop counters of DEV since the last snapshot.
snapshot()
{
	SNAP_A="$(devstat gh2 gnA rx_packets) $(ethstats gh2 gnA)"
	SNAP_B="$(devstat gh2 gnB rx_packets) $(ethstats gh2 gnB)"
}

moves()
{
	local was now
	[ "$1" = gnA ] && was=$SNAP_A || was=$SNAP_B
	now="$(devstat gh2 "$1" rx_packets) $(ethstats gh2 "$1")"
	echo "$((${now%% *} - ${was%% *})) $(stat_moves "${was#* }" "${now#* }")"
}

# napi_path NETNS_FROM DEV_FROM NETNS_TO DEV_TO: veth's NAPI from one end
# to the other (see veth_skb_is_eligible_for_gro()).
napi_path()
{
	ip netns exec "$1" ethtool -K "$2" tso off gso off tx-udp_tnl-segmentation off \
		tx-udp_tnl-csum-segmentation off >/dev/null &&
	ip netns exec "$3" ethtool -K "$4" gro on >/dev/null
}

check "setup: tunnels A and B on one socket, veth NAPI both ways, queue limit 32" eval '
	underlay_setup && tunnels && napi_path gh1 u1 gh2 u2 && napi_path gh2 u2 gh1 u1 &&
	sysctl -qw net.core.netdev_max_backlog=32'

# One burst, held back by a plug qdisc and released at once: 48 segments of
# A, then 8 of B (options alternating, so that GRO on u2 merges none).
ip -n gh1 link set u1 txqueuelen 1000
tc -n gh1 qdisc add dev u1 root plug limit 100000
burst()
{
	snapshot
	tc -n gh1 qdisc change dev u1 root plug block
	ip netns exec gh1 $PY "$TOOLS/gnvpkt.py" burst $UNDER2 --cycle 2 \
		--count 48 --vni 100 --then-vni 200 --then-count 8
	tc -n gh1 qdisc change dev u1 root plug release_indefinite
	sleep 1
}
burst
check_eq "burst of 48 for A: 17 queued (half the queue, 16, and one), 31 dropped" \
	"17 rx_drop_backlog+31" "$(moves gnA)"
check_eq "the 8 for B behind them: all delivered" "8 -" "$(moves gnB)"
tc -n gh1 qdisc del dev u1 root

# A flood of A from one CPU while B carries TCP and a ping from the other;
# netem hands u2 what it holds every 5 ms, in bursts.
tc -n gh1 qdisc add dev u1 root netem slot 5ms 5ms
ip netns exec gh2 iperf3 -s -D -1 -B $OVER2 -p 5201
ip netns exec gh2 iperf3 -s -D -1 -B $OVER_B2 -p 5202 --logfile "$WORK/tcp-s.log"
sleep 1
snapshot
ip netns exec gh1 taskset -c 0 timeout 60 iperf3 -c $OVER2 -p 5201 -u -b 0 -l 64 \
	-t 24 >/dev/null 2>&1 &
flood=$!
sleep 2
ip netns exec gh1 taskset -c 1 timeout 60 iperf3 -c $OVER_B2 -p 5202 -t 18 \
	>"$WORK/tcp.log" 2>&1 &
tcp=$!
lost=$(ip netns exec gh1 taskset -c 1 ping -c 80 -i 0.25 -W 2 -q $OVER_B2 |
	sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p')
wait $tcp
tcp_ok=$?
wait $flood
a_drops=$(moves gnA)
b_moves=$(moves gnB)
check "flood of A from CPU 0: A's share overflowed ($a_drops)" \
	eval '[[ "$a_drops" == *rx_drop_backlog+* ]]'
# netem itself may drop behind the flood (its queue is full): the cells'
# share of the loss is what B's own counters say.
check "meanwhile B's ping from CPU 1: none of B's packets dropped in the cells ($b_moves), ping loss $lost % (< 5)" \
	eval '[ "${b_moves#* }" = "-" ] && [ "${lost%.*}" -lt 5 ]'
check "meanwhile B's TCP from CPU 1 completed" eval '[ $tcp_ok = 0 ] && grep -q receiver "$WORK/tcp.log"'
tc -n gh1 qdisc del dev u1 root

# CPU hotplug: CPU 1 goes offline and comes back 5 times while a flood it
# sends (so also receives) keeps its cell busy.  A cell whose CPU went away
# is polled elsewhere until empty; the CPU may come back only after that.
pings_from_every_cpu()
{
	local cpu dev=$1 to=$2
	for cpu in $(seq 0 $(($(nproc) - 1))); do
		ip netns exec gh1 taskset -c "$cpu" \
			ping -c 3 -i 0.2 -W 5 -q -I "$dev" "$to" >/dev/null || return 1
	done
}
CPU1=/sys/devices/system/cpu/cpu1/online
if [ -w $CPU1 ] && [ "$(nproc)" -ge 2 ]; then
	ip netns exec gh2 iperf3 -s -D -1 -B $OVER2 -p 5203
	sleep 1
	ip netns exec gh1 taskset -c 1 timeout 90 iperf3 -c $OVER2 -p 5203 -u -b 0 -l 64 \
		-t 40 >/dev/null 2>&1 &
	flood=$!
	sleep 3
	cycles=0
	for _ in 1 2 3 4 5; do
		echo 0 > $CPU1 || break
		sleep 1
		echo 1 > $CPU1 || break
		cycles=$((cycles + 1))
		# Offlining CPU 1 unpinned the flood: back to CPU 1.
		taskset -a -p -c 1 $flood >/dev/null 2>&1
		pgrep -f "iperf3 -c $OVER2 -p 5203" | xargs -r -n 1 taskset -p -c 1 >/dev/null 2>&1
		sleep 2
	done
	check_eq "CPU 1 offline and online 5 times under a flood through its cell" 5 $cycles
	kill $flood 2>/dev/null
	wait $flood 2>/dev/null
	echo 1 > $CPU1 2>/dev/null
	sleep 1
	check "then pings over A and B from every CPU get all their replies" eval '
		pings_from_every_cpu gnA $OVER2 && pings_from_every_cpu gnB $OVER_B2'
else
	tap_skip "CPU hotplug under a flood" "CPU 1 cannot be taken offline here"
	tap_skip "pings from every CPU after hotplug" "no hotplug"
fi

# Deleting a device whose packets sit in a cell: the cell drops them and the
# device goes (the leak check at the end of the run sees what is left).
ip netns exec gh2 iperf3 -s -D -1 -B $OVER2 -p 5201
sleep 1
ip netns exec gh1 timeout 30 iperf3 -c $OVER2 -p 5201 -u -b 0 -l 64 -t 8 \
	>/dev/null 2>&1 &
flood=$!
sleep 3
check "gnA deleted on gh2 while A's flood arrives" ip -n gh2 link del gnA
wait $flood

tap_done
