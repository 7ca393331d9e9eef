#!/usr/bin/env bash
# Run one libFuzzer harness for a while on a corpus seeded from the vectors; print its final
# statistics and a "N passed, N failed" line. A crash, leak, sanitizer report or an input that
# runs over 60 s (a hang) fails the test and leaves the reproducer (crash-*, leak-*, timeout-*)
# in the working directory.
set -uo pipefail
fuzzer=$1 seconds=$2 seeds=$3
name=$(basename "$fuzzer")
corpus="corpus-${name#fuzz_}"
mkdir -p "$corpus"
log="$name.log"
"$fuzzer" -max_total_time="$seconds" -timeout=60 -rss_limit_mb=2048 -print_final_stats=1 \
    "$corpus" "$seeds" >"$log" 2>&1
rc=$?
if [[ $rc -ne 0 ]]; then
    tail -n 60 "$log"
    echo "$name: 0 passed, 1 failed (exit $rc; reproducer in $(pwd))"
    exit 1
fi
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|cov:' "$log" | tail -n 4
echo "$name: 1 passed, 0 failed ($(ls "$corpus" | wc -l) inputs in the corpus)"
