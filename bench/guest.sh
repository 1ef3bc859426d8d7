#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Guest side of `make bench` (bench/run.sh boots the VM and reports).
#
#   guest.sh RAW RR
#
# Appends one JSON object per measurement to RAW; RR is the rr binary.
#
# Main phase: three subjects over the same two namespaces joined by veth:
# bare veth (the ceiling), Debian's in-tree geneve.ko and ours.  Each round
# runs every subject once, starting with a different one each round, and
# every workload over an IPv4 and an IPv6 underlay (the inner traffic is of
# the underlay's family): TCP one stream and four streams (Gbit/s), UDP with
# 64-byte payloads (thousand packets per second received), TCP request/
# response (transactions per second), and TCP one stream again with
# MTU-sized frames on the underlay merged by GRO (see wire_frames).
#
# Scale phase, per module, after one unmeasured warm-up each, twice (in
# opposite orders): BENCH_SCALE devices with distinct VNIs on one socket:
# creation time and kernel memory (slab objects plus per-CPU) per device,
# TCP throughput to the last VNI created against a one-device tunnel
# beside it, measured alternately, and the time to delete DELETIONS of the
# devices in one `ip -batch` (each request its own RTNL section) while TCP
# runs to the last VNI.
#
# Knobs (bench/run.sh sets the first two by clock): BENCH_ROUNDS (5),
# BENCH_SECS (3: seconds per measurement), BENCH_SCALE (4096).
# BENCH_PROFILE=WORKLOAD (BENCH_FAMILY=4|6) instead profiles one run of
# WORKLOAD with perf for each module and prints the top kernel symbols.
source "$(dirname "$0")/lib.sh"

RAW=$1
RR=$2
ROUNDS=${BENCH_ROUNDS:-5}
SECS=${BENCH_SECS:-3}
SCALE=${BENCH_SCALE:-4096}
DELETIONS=$((SCALE < 1000 ? SCALE - 1 : 1000))
SUBJECTS=(veth intree ours)
WORKLOADS=(tcp1 tcp4 tcp1wire udp64 rr)
# The scale pair: its own veth and addresses, beside gh1/gh2.
SCALE_UNDER1=203.0.113.1
SCALE_UNDER2=203.0.113.2
SCALE_OVER1=198.18.0.1
SCALE_OVER2=198.18.0.2
SCALE_VNI0=1000

WORK=$(mktemp -d)
trap 'cleanup_netns; rm -rf "$WORK"' EXIT

use_subject()
{
	case $1 in
	intree) geneve_load_intree ;;
	ours) geneve_load_ours ;;
	veth) geneve_unload ;;
	esac
}

# topology SUBJECT FAMILY: gh1 -> gh2 over veth, or over a tunnel on it;
# sets DST, the address gh1 sends to.
topology()
{
	local subject=$1 family=$2
	cleanup_netns
	underlay_setup || return 1
	if [ "$family" = 6 ]; then
		underlay_setup6 || return 1
		DST=$UNDER6_2
		if [ "$subject" != veth ]; then
			tunnel_pair $UNDER6_1 $UNDER6_2 && tunnel_inner6 || return 1
			DST=$OVER6_2
		fi
	else
		DST=$UNDER2
		if [ "$subject" != veth ]; then
			tunnel_setup || return 1
			DST=$OVER2
		fi
	fi
	# Neighbours resolved (and IPv6 settled) before anything is timed.
	ip netns exec gh1 ping -c 1 -W 10 "$DST" >/dev/null
}

# measure_main SUBJECT FAMILY WORKLOAD ROUND: measures and records.  A try
# that fails or moves no data (iperf3 transfers stalled when the guest's
# clock jumped over idle time, before icount sleep=on) is recorded as phase
# "failed", iperf3's error logged, and tried once more.
measure_main()
{
	local v
	: > "$WORK/iperf.json"
	v=$(measure "$3")
	if [ -z "$v" ] || [ "$v" = 0.0 ]; then
		record failed "$@" "${v:-null}"
		echo "# iperf3 said: $($PY -c 'import json, sys
print(json.load(sys.stdin).get("error", "no error"))' < "$WORK/iperf.json" 2>/dev/null ||
			echo "no JSON")"
		v=$(measure "$3")
	fi
	record main "$@" "${v:-null}"
}

main_phase()
{
	local round k subject family workload
	for round in $(seq "$ROUNDS"); do
		for k in 0 1 2; do
			subject=${SUBJECTS[(round - 1 + k) % 3]}
			use_subject "$subject" || bail_out "cannot load the $subject module"
			for family in 4 6; do
				topology "$subject" "$family" || bail_out "$subject IPv$family topology"
				for workload in "${WORKLOADS[@]}"; do
					measure_main "$subject" "$family" "$workload" "$round"
				done
			done
		done
	done
	cleanup_netns
}

# scale_phase MODULE PASS: one creation of the devices, then ROUNDS rounds
# of TCP; records are numbered by pass (creation) and by round overall.
# PASS 0 is a warm-up that records nothing.
scale_phase()
{
	local module=$1 pass=$2 i t0 t1 m0 m1 round v
	use_subject "$module" || bail_out "cannot load the $module module"
	topology "$module" 4 || bail_out "$module one-device tunnel"
	netns_add gs1 && netns_add gs2 &&
		ip link add s1 netns gs1 type veth peer name s2 netns gs2 || bail_out "scale underlay"
	ip -n gs1 addr add $SCALE_UNDER1/24 dev s1 && ip -n gs1 link set s1 up
	ip -n gs2 addr add $SCALE_UNDER2/24 dev s2 && ip -n gs2 link set s2 up
	for ((i = 0; i < SCALE; i++)); do
		echo "link add g$i type geneve id $((SCALE_VNI0 + i)) remote $SCALE_UNDER1"
	done > "$WORK/add"
	for ((i = 0; i < SCALE; i++)); do
		echo "link set g$i up"
	done > "$WORK/up"

	sleep 2
	m0=$(kmem_bytes)
	t0=$(date +%s%N)
	ip -n gs2 -batch "$WORK/add" && ip -n gs2 -batch "$WORK/up" || bail_out "creating $SCALE devices"
	t1=$(date +%s%N)
	if [ "$pass" = 0 ]; then
		cleanup_netns
		return
	fi
	sleep 2
	m1=$(kmem_bytes)
	record scale "$module" 4 create_us_per_dev "$pass" $(((t1 - t0) / 1000 / SCALE))
	record scale "$module" 4 kmem_bytes_per_dev "$pass" $(((m1 - m0) / SCALE))

	ip -n gs2 addr add $SCALE_OVER2/24 dev g$((SCALE - 1))
	ip -n gs1 link add g0 type geneve id $((SCALE_VNI0 + SCALE - 1)) remote $SCALE_UNDER2 &&
		ip -n gs1 addr add $SCALE_OVER1/24 dev g0 && ip -n gs1 link set g0 up
	ip netns exec gs1 ping -c 1 -W 10 $SCALE_OVER2 >/dev/null || bail_out "no traffic to the last VNI"
	for ((round = (pass - 1) * ROUNDS + 1; round <= pass * ROUNDS; round++)); do
		v=$(measure tcp1)
		record scale "$module" 4 tcp1_single "$round" "${v:-null}"
		v=$(measure tcp1 gs1 gs2 $SCALE_OVER2)
		record scale "$module" 4 tcp1_last_vni "$round" "${v:-null}"
	done

	for ((i = 0; i < DELETIONS; i++)); do
		echo "link del g$i"
	done > "$WORK/del"
	ip netns exec gs2 iperf3 -s -D -1 -B $SCALE_OVER2 -p 5299
	sleep 1
	ip netns exec gs1 timeout 120 iperf3 -c $SCALE_OVER2 -p 5299 -t 60 >/dev/null 2>&1 &
	v=$!
	sleep 2
	t0=$(date +%s%N)
	ip -n gs2 -batch "$WORK/del" || bail_out "deleting $DELETIONS devices"
	t1=$(date +%s%N)
	kill $v 2>/dev/null
	wait $v 2>/dev/null
	record scale "$module" 4 delete_us_per_dev "$pass" $(((t1 - t0) / 1000 / DELETIONS))
	cleanup_netns
}

# profile WORKLOAD FAMILY: where each module's kernel time goes during one
# run of WORKLOAD, the top symbols by their own share of samples.
profile()
{
	local module
	for module in intree ours; do
		use_subject "$module" || bail_out "cannot load the $module module"
		topology "$module" "$2" || bail_out "$module topology"
		# System-wide samples for as long as the workload runs (perf
		# starts it once it is recording).
		export -f measure iperf json_value wire_frames
		export WORK SECS PY RR DST
		perf record -q -a -g -o "$WORK/perf.data" -- bash -c "measure $1" >/dev/null 2>&1
		echo "# ---- $module, $1 over IPv$2: samples by object"
		perf report -q -i "$WORK/perf.data" --no-children --sort dso -g none \
			2>/dev/null | grep -v '^$' | head -8
		echo "# ---- $module, $1 over IPv$2: top symbols (self)"
		perf report -q -i "$WORK/perf.data" --no-children --sort dso,sym \
			--percent-limit 0.7 -g none 2>/dev/null | grep -v '^$' | head -30
	done
	cleanup_netns
}

if [ -n "${BENCH_PROFILE:-}" ]; then
	profile "$BENCH_PROFILE" "${BENCH_FAMILY:-4}"
else
	{
		echo -n '{"phase": "meta", "kernel": "'"$(uname -r)"'", '
		echo -n '"cpu": "'"$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"'", '
		echo '"cpus": '"$(nproc)"', "clock": "'"${BENCH_CLOCK:-wall}"'", "rounds": '"$ROUNDS"', "secs": '"$SECS"', "scale": '"$SCALE"'}'
	} >> "$RAW"
	main_phase
	# The first creation of thousands of devices after boot grows slab
	# caches and per-CPU chunks and is some 20 % slower, whichever module
	# does it: one warm-up each.  Then two passes in opposite orders.
	scale_phase intree 0
	scale_phase ours 0
	scale_phase ours 1
	scale_phase intree 1
	scale_phase intree 2
	scale_phase ours 2
fi
geneve_unload
