#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make bench`: builds, boots one VM that measures bare veth, Debian's
# in-tree geneve.ko and ours (bench/guest.sh), then prints the table of
# medians and ratios and writes bench/results/STAMP.json (raw values
# included), bench/results/STAMP.png and bench/results/latest.md.
# Knobs (passed to the guest): BENCH_ROUNDS, BENCH_SECS, BENCH_SCALE;
# BENCH_PROFILE=WORKLOAD [BENCH_FAMILY=6] prints perf profiles instead.
set -eu
cd "$(dirname "$0")/.."

selftests/deps.sh
make -s modules
mkdir -p bench/.build bench/results
gcc -O2 -Wall -Wextra -Werror -o bench/.build/rr bench/rr.c

stamp=$(date -u +%Y%m%d-%H%M%S)
raw=bench/.build/$stamp.jsonl
: > "$raw"
selftests/vm.sh run --timeout 5400 -- env \
	BENCH_ROUNDS="${BENCH_ROUNDS:-5}" BENCH_SECS="${BENCH_SECS:-3}" \
	BENCH_SCALE="${BENCH_SCALE:-4096}" BENCH_PROFILE="${BENCH_PROFILE:-}" \
	BENCH_FAMILY="${BENCH_FAMILY:-4}" \
	bench/guest.sh "$raw" bench/.build/rr
[ -z "${BENCH_PROFILE:-}" ] || exit 0
/usr/bin/python3 bench/report.py "$raw" "bench/results/$stamp"
cp "bench/results/$stamp.md" bench/results/latest.md
