#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Guest side of `make bench-fdb`: our forwarding database against the
# kernel's VXLAN driver, both given the same `bridge fdb` commands, over an
# IPv4 underlay from gh1 to gh2 (veth).
#
#   fdb_guest.sh RAW RR
#
# unicast  TCP one stream and 64-byte UDP from gh1 to gh2 through gh1's
#          device whose table holds ENTRIES entries (gh2's inner MAC and
#          filler MACs behind 1024 other hosts): our multipoint device and
#          VXLAN; our point-to-point device (no table) is the anchor.  Kernel
#          memory per entry from the largest tables.
# flood    pktgen sends broadcast frames into gh1's device whose flood list
#          names REMOTES addresses of gh2: copies per second leaving gh1's
#          underlay port (gh2 drops them at ingress).
# learn    pktgen on gh2 sends LEARN frames from as many source MACs through a
#          point-to-point device to gh1's device: the time until gh1 received
#          them all with learning on and, as the control, off; how many
#          sources were learnt.
# Learning is off on the unicast and flood devices: they measure lookups and
# replication only.  Knobs: BENCH_ROUNDS (3), BENCH_SECS (2).
source "$(dirname "$0")/lib.sh"

RAW=$1
RR=$2
ROUNDS=${BENCH_ROUNDS:-3}
SECS=${BENCH_SECS:-2}
ENTRIES=(1 4096 100000)
REMOTES=(1 8 32)
LEARN=100000
COPIES=96000		# per flood run, whatever the number of remotes
MAC1=02:00:00:00:00:01
MAC2=02:00:00:00:00:02
DST=$OVER2

WORK=$(mktemp -d)
trap 'cleanup_netns; rm -rf "$WORK"' EXIT

# tunnel SUBJECT NETNS [REMOTE]: gnv0 in NETNS, VNI 42, point-to-point to
# REMOTE or without a remote (ours: multipoint, learning as given by
# LEARNING; VXLAN: learning only if LEARNING=1).
tunnel()
{
	local subject=$1 ns=$2 remote=${3:-}
	case $subject in
	vxlan)
		ip -n "$ns" link add gnv0 type vxlan id $VNI dstport 4789 \
			${remote:+remote $remote} $([ "${LEARNING:-0}" = 1 ] || echo nolearning) ;;
	*)
		ip -n "$ns" link add gnv0 type geneve id $VNI remote "${remote:-0.0.0.0}" ;;
	esac || return 1
	if [ "$subject" = ours ] && [ -z "$remote" ]; then
		ip netns exec "$ns" sh -c "echo ${LEARNING:-0} > /sys/class/net/gnv0/geneve/fdb_learning" || return 1
	fi
	ip -n "$ns" link set gnv0 up
}

# topology SUBJECT: gh1's gnv0 (p2p: to gh2; ours, vxlan: no remote) and
# gh2's point-to-point gnv0, inner addresses with static neighbours.
topology()
{
	local subject=$1
	cleanup_netns
	underlay_setup || return 1
	if [ "$subject" = p2p ]; then
		tunnel ours gh1 $UNDER2 || return 1
	else
		tunnel "$subject" gh1 || return 1
	fi
	tunnel "${subject/p2p/ours}" gh2 $UNDER1 || return 1
	ip -n gh1 link set gnv0 address $MAC1 && ip -n gh2 link set gnv0 address $MAC2
	ip -n gh1 addr add $OVER1/24 dev gnv0 && ip -n gh2 addr add $OVER2/24 dev gnv0
	ip -n gh1 neigh replace $OVER2 lladdr $MAC2 dev gnv0 nud permanent &&
		ip -n gh2 neigh replace $OVER1 lladdr $MAC1 dev gnv0 nud permanent
}

# fill N: gh1's table gets gh2's MAC and N - 1 others (one `bridge -batch`).
fill()
{
	local n=$1 i
	{
		echo "fdb add $MAC2 dev gnv0 dst $UNDER2"
		for ((i = 1; i < n; i++)); do
			printf 'fdb add 02:01:00:%02x:%02x:%02x dev gnv0 dst 10.255.%d.%d\n' \
				$((i >> 16)) $(((i >> 8) & 255)) $((i & 255)) $(((i >> 8) & 3)) $((i & 255))
		done
	} > "$WORK/fdb"
	ip netns exec gh1 bridge -batch "$WORK/fdb"
}

# pktgen_run NETNS DEV COUNT SETTING...: sends COUNT frames into DEV with
# pktgen (one thread, one CPU) and prints how long that took, in µs.
pktgen_run()
{
	local ns=$1 dev=$2 count=$3 setting; shift 3
	ip netns exec "$ns" sh -c "
		echo rem_device_all > /proc/net/pktgen/kpktgend_0 &&
		echo 'add_device $dev' > /proc/net/pktgen/kpktgend_0" || return 1
	for setting in "count $count" "clone_skb 0" "pkt_size 64" "delay 0" "$@"; do
		ip netns exec "$ns" sh -c "echo '$setting' > /proc/net/pktgen/$dev" || return 1
	done
	ip netns exec "$ns" sh -c 'echo start > /proc/net/pktgen/pgctrl' || return 1
	ip netns exec "$ns" cat "/proc/net/pktgen/$dev" |
		sed -n 's/^Result: OK: \([0-9]*\)(.*/\1/p'
}

unicast_phase()
{
	local round n subject workload v m0 m1
	topology p2p || bail_out "p2p topology"
	for round in $(seq "$ROUNDS"); do
		for workload in tcp1 udp64; do
			v=$(measure $workload)
			record unicast p2p 4 "${workload}_1" "$round" "${v:-null}"
		done
	done
	for n in "${ENTRIES[@]}"; do
		for subject in ours vxlan; do
			topology "$subject" || bail_out "$subject topology"
			m0=$(kmem_bytes)
			fill "$n" || bail_out "$subject: $n entries"
			m1=$(kmem_bytes)
			[ "$n" -gt 1 ] && record memory "$subject" 4 "bytes_per_entry_$n" 1 \
				$(((m1 - m0) / (n - 1)))
			ip netns exec gh1 ping -c 1 -W 10 "$DST" > /dev/null ||
				bail_out "$subject: no traffic through $n entries"
			for round in $(seq "$ROUNDS"); do
				for workload in tcp1 udp64; do
					v=$(measure $workload)
					record unicast "$subject" 4 "${workload}_$n" "$round" "${v:-null}"
				done
			done
		done
	done
	cleanup_netns
}

flood_phase()
{
	local r subject round i us tx0 tx1 u2mac
	for r in "${REMOTES[@]}"; do
		for subject in ours vxlan; do
			topology "$subject" || bail_out "$subject topology"
			u2mac=$(ip -n gh2 -j link show u2 | jq_field address)
			tc -n gh2 qdisc add dev u2 clsact &&
				tc -n gh2 filter add dev u2 ingress matchall action drop ||
				bail_out "drop at gh2's ingress"
			for ((i = 0; i < r; i++)); do
				ip -n gh1 neigh replace 192.0.2.$((100 + i)) lladdr "$u2mac" dev u1 nud permanent
				echo "fdb append 00:00:00:00:00:00 dev gnv0 dst 192.0.2.$((100 + i))"
			done > "$WORK/flood"
			ip netns exec gh1 bridge -batch "$WORK/flood" || bail_out "$subject flood list"
			# Warm-up: routes and neighbours of every remote in use.
			pktgen_run gh1 gnv0 1000 "dst_mac ff:ff:ff:ff:ff:ff" "dst $OVER2" > /dev/null ||
				bail_out "pktgen on $subject"
			for round in $(seq "$ROUNDS"); do
				tx0=$(devstat gh1 u1 tx_packets)
				us=$(pktgen_run gh1 gnv0 $((COPIES / r)) "dst_mac ff:ff:ff:ff:ff:ff" \
					"dst $OVER2") || bail_out "pktgen on $subject"
				tx1=$(devstat gh1 u1 tx_packets)
				record flood "$subject" 4 "copies_$r" "$round" \
					"$($PY -c "print(round(($tx1 - $tx0) / ($us / 1e6) / 1e3, 2))")"
				record flood "$subject" 4 "lost_$r" "$round" $((COPIES / r * r - (tx1 - tx0)))
			done
		done
	done
	cleanup_netns
}

# learn_run SUBJECT LEARNING ROUND: gh2 sends LEARN frames from as many
# source MACs to gh1's device, learning or not; records the seconds from the
# start until gh1 received the last of them and, when learning, how many
# sources gh1 learnt.  The underlay's and our rx queues hold the whole burst
# (netdev_max_backlog), so none is lost to a receiver slower than pktgen.
learn_run()
{
	local subject=$1 learning=$2 round=$3 t0 t1 rx prev=-1 still=0 name
	cleanup_netns
	underlay_setup || bail_out "underlay"
	LEARNING=$learning tunnel "$subject" gh1 || bail_out "$subject receiver"
	tunnel "$subject" gh2 $UNDER1 || bail_out "$subject sender"
	if [ "$subject" = ours ]; then
		ip netns exec gh1 sh -c "echo $((2 * LEARN)) > /sys/class/net/gnv0/geneve/fdb_max_learnt"
	fi
	t0=$(date +%s%N)
	pktgen_run gh2 gnv0 $LEARN "src_mac 02:10:00:00:00:00" "src_mac_count $LEARN" \
		"dst_mac 02:00:00:00:00:99" "dst $OVER1" > /dev/null || bail_out "pktgen on $subject"
	# Done when all arrived, or nothing more did for a second.
	while :; do
		rx=$(devstat gh1 gnv0 rx_packets)
		[ "$rx" != "$prev" ] && t1=$(date +%s%N) still=0
		[ "$rx" -ge $LEARN ] && break
		still=$((still + 1))
		[ $still -gt 10 ] && break
		prev=$rx
		sleep 0.1
	done
	name=$([ "$learning" = 1 ] && echo learning || echo control)
	record learn "$subject" 4 "seconds_$name" "$round" \
		"$($PY -c "print(round(($t1 - $t0) / 1e9, 3))")"
	record learn "$subject" 4 "received_$name" "$round" "$rx"
	[ "$learning" = 1 ] || return 0
	record learn "$subject" 4 learnt "$round" \
		"$(bridge -n gh1 fdb show dev gnv0 | grep -c '^02:10:')"
	# Ours counts each source it could not learn, by reason.
	[ "$subject" = ours ] && record learn ours 4 not_learnt_counted "$round" \
		"$(ethstats gh1 gnv0 | awk '$1 ~ /^learn_drop_/ { n += $2 } END { print n + 0 }')"
}

learn_phase()
{
	local subject round backlog
	backlog=$(sysctl -n net.core.netdev_max_backlog)
	sysctl -qw net.core.netdev_max_backlog=$((2 * LEARN))
	for round in $(seq "$ROUNDS"); do
		for subject in ours vxlan; do
			learn_run "$subject" 0 "$round"
			learn_run "$subject" 1 "$round"
		done
	done
	sysctl -qw net.core.netdev_max_backlog="$backlog"
	cleanup_netns
}

geneve_load_ours || bail_out "cannot load our module"
modprobe vxlan && modprobe pktgen || bail_out "vxlan or pktgen missing"
{
	echo -n '{"phase": "meta", "kernel": "'"$(uname -r)"'", '
	echo -n '"cpu": "'"$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"'", '
	echo '"cpus": '"$(nproc)"', "clock": "'"${BENCH_CLOCK:-wall}"'", "rounds": '"$ROUNDS"', "secs": '"$SECS"'}'
} >> "$RAW"
for phase in ${BENCH_FDB_PHASES:-unicast flood learn}; do
	"${phase}_phase"
done
