#!/usr/bin/env bash
# Install what is missing, build with AddressSanitizer + UndefinedBehaviorSanitizer, run every
# test (unit, vectors, integration with the real daemons), then the fuzz harnesses briefly.
# Ends with a pass/fail count; exits non-zero on any failure.
# Usage: ./test.sh [ctest -R regex]   (SM_FUZZ_SECONDS=N sets the time per fuzz harness)
set -euo pipefail
cd "$(dirname "$0")"
source cmake/install-deps.sh
sm_install_deps

jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DENABLE_SANITIZE=ON >/dev/null
cmake --build build -j"$jobs"

export ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
log=build/test-output.log
rm -f build/Testing/Temporary/LastTest*.log build-fuzz/Testing/Temporary/LastTest*.log
set +e
(cd build && ctest --output-on-failure -j"$jobs" ${1:+-R "$1"}) 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

# The optimised build (what benchmarks and packages use): gcc -O2 warns about things the
# sanitizer build does not see, and -Werror makes them errors. Compiled, not run again.
release_rc=0
if [[ -z ${1:-} ]]; then
    cmake -S . -B build-release -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    if cmake --build build-release -j"$jobs" >build-release/build.log 2>&1; then
        echo "release build: compiles without warnings" | tee -a "$log"
    else
        grep -E "error|warning" build-release/build.log | head -20 | tee -a "$log"
        echo "release build: FAILED (build-release/build.log)" | tee -a "$log"
        release_rc=1
    fi
fi

# The fuzz harnesses: clang + libFuzzer in their own build tree, each run briefly
# (docs/fuzzing.md for long runs).
fuzz_rc=0
if [[ -z ${1:-} || ${1:-} == fuzz* ]]; then
    CC=clang cmake -S . -B build-fuzz -DENABLE_FUZZ=ON \
        -DSM_FUZZ_SECONDS="${SM_FUZZ_SECONDS:-15}" >/dev/null
    cmake --build build-fuzz -j"$jobs" --target fuzzers >/dev/null
    set +e
    (cd build-fuzz && ctest --output-on-failure -j"$jobs" -L fuzz) 2>&1 | tee -a "$log"
    fuzz_rc=${PIPESTATUS[0]}
    set -e
fi

# Each test program ends with "<name>: N passed, N failed"; CTest keeps every program's output
# in LastTest.log. Add them up.
read -r passed failed < <(cat build/Testing/Temporary/LastTest*.log \
    build-fuzz/Testing/Temporary/LastTest*.log 2>/dev/null |
    grep -aE ': [0-9]+ passed, [0-9]+ failed' |
    sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/' |
    awk '{p += $1; f += $2} END {print p + 0, f + 0}')
programs=$(grep -acE 'Test +#[0-9]+: ' "$log" || true)
bad=$(grep -acE 'Test +#[0-9]+: .*(\*\*\*Failed|\*\*\*Timeout|\*\*\*Exception|Not Run)' "$log" || true)
skipped=$(grep -acE 'Test +#[0-9]+: .*Skipped' "$log" || true)
echo
# what could not run here (reference data absent) is said, not counted as passed
cat build/Testing/Temporary/LastTest*.log 2>/dev/null | grep -aE '^(SKIPPED: |[a-z_]+: .*skipped$)' |
    sort -u | sed 's/^/== /' || true
echo "== test.sh: $passed passed, $failed failed (checks); $((programs - bad - skipped)) of" \
    "$programs test programs passed, $skipped skipped =="
if [[ $rc -ne 0 || $fuzz_rc -ne 0 || $release_rc -ne 0 || $failed -ne 0 || $bad -ne 0 ]]; then
    echo "== FAIL =="
    exit 1
fi
echo "== PASS =="
