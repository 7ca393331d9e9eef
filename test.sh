#!/usr/bin/env bash
# Install what is missing, build with AddressSanitizer + UndefinedBehaviorSanitizer, run every
# test (unit, vectors, integration with the real daemons). Ends with a pass/fail count; exits
# non-zero on any failure. Usage: ./test.sh [ctest -R regex]
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
set +e
(cd build && ctest --output-on-failure -j"$jobs" ${1:+-R "$1"}) 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

# Each test program ends with "<name>: N passed, N failed"; CTest keeps every program's output
# in LastTest.log. Add them up.
read -r passed failed < <(grep -ahE ': [0-9]+ passed, [0-9]+ failed' build/Testing/Temporary/LastTest*.log |
    sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/' |
    awk '{p += $1; f += $2} END {print p + 0, f + 0}')
programs=$(grep -acE 'Test +#[0-9]+: ' "$log" || true)
bad=$(grep -acE 'Test +#[0-9]+: .*(\*\*\*Failed|\*\*\*Timeout|\*\*\*Exception|Not Run)' "$log" || true)
echo
echo "== test.sh: $passed passed, $failed failed (checks); $((programs - bad)) of $programs test programs passed =="
if [[ $rc -ne 0 || $failed -ne 0 || $bad -ne 0 ]]; then
    echo "== FAIL =="
    exit 1
fi
echo "== PASS =="
