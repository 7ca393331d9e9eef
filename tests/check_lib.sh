# Sourced by the command-line tests: pass/fail counting and expectations. Set `name` and `tmp`
# (a scratch directory for captured output) before using expect.
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "$name: $*"; fail=$((fail + 1)); }
# expect CODE CMD...: run, compare the exit code; output in $tmp/stdout and $tmp/stderr
expect() {
    local want=$1 got
    shift
    "$@" >"$tmp/stdout" 2>"$tmp/stderr"
    got=$?
    if [[ $got -eq $want ]]; then ok; else
        bad "'$*' exited $got, expected $want"
        sed 's/^/    /' "$tmp/stdout" "$tmp/stderr" | head -20
    fi
}
has() { grep -q -- "$2" "$1" && ok || bad "$1 lacks '$2': $(head -c 300 "$1")"; }
mode() { [[ $(stat -c %a "$1") == 600 ]] && ok || bad "$1 has mode $(stat -c %a "$1"), not 600"; }

# scratch_dir PREFIX: a new directory in $tmp and a pids array; on exit every PID in pids gets
# SIGTERM and is waited for, and the directory goes (kept when SM_KEEP_TEST_DIR is set)
scratch_dir() {
    tmp=$(mktemp -d "/tmp/$1-XXXXXX")
    pids=()
    trap scratch_cleanup EXIT
}
scratch_cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
    wait 2>/dev/null
    [[ -n ${SM_KEEP_TEST_DIR:-} ]] && echo "kept $tmp" || rm -rf "$tmp"
}
