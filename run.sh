#!/usr/bin/env bash
# Development stack on loopback: installs what is missing, builds, creates a test PKI, configs
# and databases under ./var on first use, registers the entities, and runs smdp and smsr in the
# foreground. Ctrl-C stops both. Idempotent: a second run reuses ./var.
set -euo pipefail
cd "$(dirname "$0")"
source cmake/install-deps.sh
sm_install_deps

jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build >/dev/null
cmake --build build -j"$jobs" >/dev/null
bin=build/bin
var=var
mkdir -p "$var"

[[ -f $var/pki/pki.json ]] || $bin/smctl pki init "$var/pki"

write_conf() { # name id listen
    local f="$var/$1.conf"
    [[ -f $f ]] && return 0
    cat >"$f" <<CONF
# $1 development configuration, written by run.sh (edit freely; run.sh keeps it).
# Every key: docs/configuration.md
test_mode = yes
id = $2

[log]
level = info

[api]
listen = $3
port_file = $1.port

[tls]
cert = pki/$1.crt
key = pki/$1.key
client_ca = pki/ca.crt

[db]
path = $1.db
CONF
    echo "wrote $f"
}
write_conf smdp 2.999.1.1 127.0.0.1:8443
write_conf smsr 2.999.2.1 127.0.0.1:9443

for d in smdp smsr; do
    $bin/$d -c "$var/$d.conf" --check-config >/dev/null
    $bin/$d -c "$var/$d.conf" entity import "$var/pki/pki.json" >/dev/null
done

cat >"$var/dev-stack.json" <<JSON
{
  "smdp": "https://127.0.0.1:8443",
  "smsr": "https://127.0.0.1:9443",
  "ca": "$PWD/$var/pki/ca.crt",
  "smdpId": "2.999.1.1",
  "smsrId": "2.999.2.1",
  "admin": {"cert": "$PWD/$var/pki/admin.crt", "key": "$PWD/$var/pki/admin.key"},
  "mnos": [
    {"name": "mno1", "id": "2.999.10.1", "cert": "$PWD/$var/pki/mno1.crt", "key": "$PWD/$var/pki/mno1.key", "profileType": null},
    {"name": "mno2", "id": "2.999.10.2", "cert": "$PWD/$var/pki/mno2.crt", "key": "$PWD/$var/pki/mno2.key", "profileType": null}
  ],
  "eum": {"name": "eum1", "id": "2.999.20.1", "cert": "$PWD/$var/pki/eum1.crt", "key": "$PWD/$var/pki/eum1.key"},
  "eids": []
}
JSON

pids=()
stop() {
    trap - INT TERM
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    wait "${pids[@]}" 2>/dev/null || true
    echo "stack stopped"
}
trap stop INT TERM

for d in smsr smdp; do
    rm -f "$var/$d.port"
    $bin/$d -c "$var/$d.conf" &
    pids+=($!)
done
for d in smsr smdp; do
    for _ in $(seq 50); do [[ -s $var/$d.port ]] && break; sleep 0.1; done
    if [[ ! -s $var/$d.port ]]; then
        echo "$d did not start (see its log above)"
        stop
        exit 1
    fi
done

cat <<TXT

== development stack running (Ctrl-C stops it) ==
  SM-DP  ES2 API   https://127.0.0.1:8443   id 2.999.1.1   db $var/smdp.db
  SM-SR  API       https://127.0.0.1:9443   id 2.999.2.1   db $var/smsr.db
  test PKI         $var/pki (ca.crt, mno1, mno2, eum1, smdp, smsr, admin)
  for scripts      $var/dev-stack.json

Try it as MNO mno1 (2.999.10.1):
  curl --cacert $var/pki/ca.crt --cert $var/pki/mno1.crt --key $var/pki/mno1.key \\
       https://127.0.0.1:8443/health
  curl --cacert $var/pki/ca.crt --cert $var/pki/mno1.crt --key $var/pki/mno1.key \\
       -H 'Content-Type: application/json' https://127.0.0.1:8443/gsma/es2/getEIS \\
       -d '{"header":{"functionRequesterIdentifier":"2.999.10.1","functionCallIdentifier":"try-1"},"eid":"89049032123451234512345678901235"}'
Metrics (admin):
  curl --cacert $var/pki/ca.crt --cert $var/pki/admin.crt --key $var/pki/admin.key https://127.0.0.1:9443/metrics

TXT
wait "${pids[@]}"
