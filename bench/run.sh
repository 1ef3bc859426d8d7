#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make bench`: builds, boots one VM that measures bare veth, Debian's
# in-tree geneve.ko and ours (bench/guest.sh), then prints the table of
# medians and ratios and writes bench/results/STAMP.json (raw values
# included), bench/results/STAMP.png and bench/results/latest.md.
# `make bench-fdb` (BENCH_SUITE=fdb) measures the forwarding database
# against VXLAN's instead (bench/fdb_guest.sh, bench/fdb_report.py), into
# bench/results/fdb-STAMP.* and bench/results/fdb-latest.md.
# Knobs (passed to the guest): BENCH_ROUNDS, BENCH_SECS, BENCH_SCALE;
# BENCH_PROFILE=WORKLOAD [BENCH_FAMILY=6] prints perf profiles instead.
#
# BENCH_CLOCK=icount (the default) runs the guest on one CPU whose clock
# advances 1 ns per instruction it executes (vm.sh VM_ACCEL=icount): every
# rate is then work per instruction, as repeatable as the guest's own
# behaviour, whatever the host's speed and load.  BENCH_CLOCK=wall runs two
# CPUs on the host's clock, where rates also measure the host's noise.
set -eu
cd "$(dirname "$0")/.."

# Repeatable rates need fewer and shorter rounds than the host's clock.
clock=${BENCH_CLOCK:-icount}
case $clock in
icount)
	vm=(env VM_ACCEL=icount selftests/vm.sh run --smp 1)
	rounds=3 secs=2 ;;
wall)
	vm=(selftests/vm.sh run)
	rounds=5 secs=3 ;;
*) echo "bench: BENCH_CLOCK must be icount or wall" >&2; exit 2 ;;
esac

selftests/deps.sh
if [ -n "${BENCH_PROFILE:-}" ] && ! command -v perf > /dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends linux-perf
fi
make -s modules
mkdir -p bench/.build bench/results
gcc -O2 -Wall -Wextra -Werror -o bench/.build/rr bench/rr.c

case ${BENCH_SUITE:-main} in
main) guest=bench/guest.sh report=bench/report.py prefix= ;;
fdb) guest=bench/fdb_guest.sh report=bench/fdb_report.py prefix=fdb- ;;
*) echo "bench: BENCH_SUITE must be main or fdb" >&2; exit 2 ;;
esac
stamp=$prefix$(date -u +%Y%m%d-%H%M%S)
raw=bench/.build/$stamp.jsonl
: > "$raw"
"${vm[@]}" --timeout 7200 -- env BENCH_CLOCK="$clock" \
	BENCH_ROUNDS="${BENCH_ROUNDS:-$rounds}" BENCH_SECS="${BENCH_SECS:-$secs}" \
	BENCH_SCALE="${BENCH_SCALE:-4096}" BENCH_PROFILE="${BENCH_PROFILE:-}" \
	BENCH_FAMILY="${BENCH_FAMILY:-4}" BENCH_FDB_PHASES="${BENCH_FDB_PHASES:-}" \
	"$guest" "$raw" bench/.build/rr
[ -z "${BENCH_PROFILE:-}" ] || exit 0
/usr/bin/python3 "$report" "$raw" "bench/results/$stamp"
cp "bench/results/$stamp.md" "bench/results/${prefix}latest.md"
