#!/usr/bin/env bash
# Every configuration key a daemon knows (--help-config) is documented in docs/configuration.md.
set -euo pipefail
bin=$1 doc=$2
missing=0 n=0
for d in smdp smsr smsc-sim euicc-sim; do
    section=""
    while IFS= read -r line; do
        if [[ $line =~ ^\[(.+)\]$ ]]; then section="${BASH_REMATCH[1]}."; continue; fi
        [[ $line =~ ^(#\ )?([a-z_]+)\ = ]] || continue
        key="$section${BASH_REMATCH[2]}"
        n=$((n + 1))
        if ! grep -q "\`$key\`" "$doc"; then
            echo "$d: key $key is not in $doc"
            missing=$((missing + 1))
        fi
    done < <("$bin/$d" --help-config)
done
echo "check_config_docs: $((n - missing)) passed, $missing failed"
[[ $missing -eq 0 ]]
