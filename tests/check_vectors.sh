#!/usr/bin/env bash
# smctl vectors check on the project's vector files (tests/vectors/), then proof that the
# checker fails: every file with one published value altered must give FAIL lines and exit 1,
# and a vector of an unknown type must give an ERROR line and exit 1.
set -uo pipefail
smctl=$1 dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "check_vectors: $*"; fail=$((fail + 1)); }

if "$smctl" vectors check "$dir"/*.json >"$tmp/out"; then ok; else bad "the vector files do not all pass"; cat "$tmp/out"; fi
grep -E '^[0-9]+ passed, 0 failed$' "$tmp/out" >/dev/null && ok || bad "no clean summary line"

for f in "$dir"/*.json; do
    name=$(basename "$f")
    # alter the last hex digit of the first long hex string value of the file
    /usr/bin/python3 - "$f" "$tmp/$name" <<'PY'
import json, re, sys
src, dst = sys.argv[1], sys.argv[2]
text = open(src).read()
m = None
for m in re.finditer(r'"([0-9a-f]{16,})"', text):
    break
if m is None:
    sys.exit(1)
s = m.group(1)
flipped = s[:-1] + ('0' if s[-1] != '0' else '1')
open(dst, 'w').write(text[:m.start(1)] + flipped + text[m.end(1):])
PY
    if "$smctl" vectors check --kind "$(echo "$name" | sed 's/\.json$//')" "$tmp/$name" >"$tmp/o" 2>&1; then
        bad "$name with one value altered still passes"
    elif ! grep -qE '^(FAIL|ERROR) ' "$tmp/o"; then
        bad "$name altered: no FAIL line"; cat "$tmp/o"
    else
        ok
    fi
done

echo '{"source":"x","description":"x","vectors":[{"type":"quantum_kdf","name":"new"}]}' >"$tmp/ecka-new.json"
if "$smctl" vectors check "$tmp/ecka-new.json" >"$tmp/o"; then
    bad "an unknown vector type passes"
elif grep -q '^ERROR ecka: new -- cannot interpret' "$tmp/o"; then ok; else bad "unknown type: $(cat "$tmp/o")"; fi
echo '{"source":"x","description":"x","vectors":[],"extra_set":[1]}' >"$tmp/milenage-x.json"
"$smctl" vectors check "$tmp/milenage-x.json" >"$tmp/o" && bad "an unknown top-level set passes" || ok
"$smctl" vectors check "$tmp/nothing.json" >/dev/null 2>&1; [[ $? -eq 2 ]] && ok || bad "missing file is not exit 2"
echo "check_vectors: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
