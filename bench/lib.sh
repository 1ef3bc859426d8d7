# SPDX-License-Identifier: GPL-2.0-only
# Shared by the guest sides of the benchmarks (bench/guest.sh,
# bench/fdb_guest.sh): recording, the iperf3 and rr workloads, kernel memory.
# The sourcing script sets RAW, RR, SECS, WORK and, for measure(), DST.
source "$(dirname "${BASH_SOURCE[0]}")/../selftests/lib.sh"

# record PHASE SUBJECT FAMILY WORKLOAD ROUND VALUE
record()
{
	printf '{"phase": "%s", "subject": "%s", "family": %s, "workload": "%s", "round": %s, "value": %s}\n' \
		"$@" >> "$RAW"
	echo "# $1 round $5: $2 IPv$3 $4 = $6"
}

# json_value EXPRESSION: evaluates a Python EXPRESSION over the JSON object
# `j` read from stdin; prints nothing (and fails) if that cannot be done.
json_value()
{
	$PY -c 'import json, sys
j = json.load(sys.stdin)
print(round(float('"$1"'), 4))' 2>/dev/null
}

# iperf CLIENT_NS SERVER_NS DST ARGS...: one iperf3 run, its JSON in
# $WORK/iperf.json.
iperf()
{
	local client=$1 server=$2 dst=$3 _; shift 3
	pkill -x iperf3
	for _ in $(seq 50); do
		pgrep -x iperf3 >/dev/null || break
		sleep 0.1
	done
	ip netns exec "$server" iperf3 -s -1 -D --logfile "$WORK/iperf-server.log" || return 1
	for _ in $(seq 100); do
		ip netns exec "$server" ss -Htln 'sport = :5201' | grep -q . && break
		sleep 0.1
	done
	ip netns exec "$client" timeout $((SECS + 30)) iperf3 -c "$dst" -J "$@" \
		> "$WORK/iperf.json"
}

# measure WORKLOAD [CLIENT_NS SERVER_NS DST]: prints one value.  Results are
# read once the tool has exited: a parser started beside it (a pipe) would
# take its start-up time from the measurement on a one-CPU guest.
measure()
{
	local c=${2:-gh1} s=${3:-gh2} d=${4:-$DST}
	local gbits='j["end"]["sum_received"]["bits_per_second"] / 1e9'
	case $1 in
	tcp1)
		iperf "$c" "$s" "$d" -t "$SECS" -O 1
		json_value "$gbits" < "$WORK/iperf.json" ;;
	tcp4)
		iperf "$c" "$s" "$d" -t "$SECS" -O 1 -P 4
		json_value "$gbits" < "$WORK/iperf.json" ;;
	tcp1wire)
		wire_frames on || return 1
		iperf "$c" "$s" "$d" -t "$SECS" -O 1
		wire_frames off
		json_value "$gbits" < "$WORK/iperf.json" ;;
	udp64)
		iperf "$c" "$s" "$d" -t "$SECS" -u -l 64 -b 0
		json_value 'j["end"]["sum_received"]["bytes"] / 64 / j["end"]["sum_received"]["seconds"] / 1e3' \
			< "$WORK/iperf.json" ;;
	rr)
		ip netns exec "$s" timeout $((SECS + 30)) "$RR" server 7000 &
		ip netns exec "$c" timeout $((SECS + 30)) "$RR" client "$d" 7000 "$SECS" \
			> "$WORK/rr.json"
		wait
		json_value 'j["tps"]' < "$WORK/rr.json" ;;
	esac
}

# Kernel memory in use, in bytes: slab objects allocated (not the slab
# pages, which a cache keeps after its objects are freed) plus per-CPU.
kmem_bytes()
{
	# Dentries and inodes (a /proc or /sys read, a shell) are not the
	# devices': reclaim them so they do not blur the difference.
	sync
	echo 2 > /proc/sys/vm/drop_caches
	{
		awk 'NR > 2 { b += $2 * $4 } END { print b }' /proc/slabinfo
		awk '$1 == "Percpu:" { print $2 * 1024 }' /proc/meminfo
	} | awk '{ b += $1 } END { printf "%d\n", b }'
}

