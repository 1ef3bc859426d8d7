#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make fuzz`, user-space part: builds each fuzz_*.c target with clang's
# libFuzzer, AddressSanitizer and UBSan against the driver's pure code, and
# runs it from its seed corpus (corpus/TARGET/, real captured payloads) for
# a fixed number of executions with a fixed seed, so a run is reproducible.
# A crash, a sanitizer report or a failed property fails the target and
# leaves the input under $FUZZ_OUT.  TAP output.
#
# Knobs: FUZZ_RUNS (executions per target, default 4000000: 1.2e7 in all),
# FUZZ_SEED (default 1), FUZZ_OUT (where crash inputs go; default a
# temporary directory, removed when nothing failed).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$here/../..
runs=${FUZZ_RUNS:-4000000}
seed=${FUZZ_SEED:-1}
out=${FUZZ_OUT:-$(mktemp -d)}
mkdir -p "$out"
cflags=(-std=gnu11 -Wall -Wextra -Werror -g -O1
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
	-I"$top/include" -I"$here")
declare -A sources=(
	[fuzz_rx_header]="$top/geneve_opts.c $here/fuzz_reference.c"
	[fuzz_tx_opts]="$top/geneve_opts.c $here/fuzz_reference.c"
	[fuzz_fdb_rules]=""
)
targets=(fuzz_rx_header fuzz_tx_opts fuzz_fdb_rules)
echo "TAP version 13"
echo "1..${#targets[@]}"
n=0
failed=0
for t in "${targets[@]}"; do
	n=$((n + 1))
	work=$out/$t.corpus
	mkdir -p "$work"
	# shellcheck disable=SC2086 # a list of source files
	if ! clang "${cflags[@]}" -o "$out/$t" "$here/$t.c" ${sources[$t]} 2>"$out/$t.build"; then
		cat "$out/$t.build"
		echo "not ok $n - $t builds with clang -fsanitize=fuzzer,address,undefined"
		failed=1
		continue
	fi
	start=$SECONDS
	# New inputs go to the scratch corpus, the first directory; the seeds
	# in the repository are only read.
	if "$out/$t" -runs="$runs" -seed="$seed" -max_len=512 -timeout=10 \
		-artifact_prefix="$out/$t-" -print_final_stats=1 \
		"$work" "$here/corpus/$t" >"$out/$t.log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log")
		cov=$(grep -o 'cov: [0-9]*' "$out/$t.log" | tail -n 1)
		echo "ok $n - $t: $execs executions from $(find "$here/corpus/$t" -type f | wc -l) seeds, $cov, no crash ($((SECONDS - start)) s)"
	else
		tail -n 40 "$out/$t.log"
		for a in "$out/$t"-*; do
			[ -f "$a" ] && echo "# input that failed: $a: $(od -An -tx1 -v "$a" | tr -d '\n' | head -c 600)"
		done
		echo "not ok $n - $t: crashed or a property failed (log: $out/$t.log)"
		failed=1
	fi
done
[ "$failed" = 0 ] && [ -z "${FUZZ_OUT:-}" ] && rm -rf "$out"
exit "$failed"
