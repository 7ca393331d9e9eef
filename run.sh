#!/usr/bin/env bash
# Development stack on loopback: installs what is missing, builds, creates a test PKI, configs
# and databases under ./var on first use, registers the entities, manufactures 10 simulated
# eUICCs, and runs smdp, smsr, smsc-sim and euicc-sim in the foreground. Ctrl-C stops them all.
# Idempotent: a second run reuses ./var (cards keep their state).
# For tests: SM_VAR=DIR keeps the stack's files there instead of ./var, SM_BIN=DIR takes the
# programs from DIR (already built; nothing is built then), SM_CARDS=N manufactures N cards.
set -euo pipefail
cd "$(dirname "$0")"
source cmake/install-deps.sh
sm_install_deps

jobs=$(nproc 2>/dev/null || echo 2)
if [[ -n ${SM_BIN:-} ]]; then
    bin=$SM_BIN
else
    cmake -S . -B build >/dev/null
    cmake --build build -j"$jobs" >/dev/null
    bin=build/bin
fi
var=${SM_VAR:-var}
ncards_want=${SM_CARDS:-10}
mkdir -p "$var"
varabs=$(realpath "$var")

# keeps what exists, adds what is missing (newer trees have more: smsr2, the GP certificates)
$bin/smctl pki init "$var/pki" >/dev/null

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
# the SM-SR's own keys and ES1 (kept when present, added to a configuration from before ES1)
if ! grep -q '^\[es1\]' "$var/smsr.conf"; then
    cat >>"$var/smsr.conf" <<CONF

[keystore]
kek_file = smsr.kek

# ES1: EUM certificates must chain to the development CI; the EUMs' transport keys
[es1]
ci_certs = pki/ca.crt
transport_keys = eum-transport-keys
CONF
fi

# the SM-DP's ES8 identity and the CI the cards' EUMs chain to: downloads (docs/smdp.md)
if ! grep -q '^\[es8\]' "$var/smdp.conf"; then
    cat >>"$var/smdp.conf" <<CONF

[keystore]
kek_file = smdp.kek

[es8]
ci_certs = pki/ca.crt
certificate = pki/smdp.gpcert
key = pki/smdp.key
CONF
fi

for d in smdp smsr; do
    $bin/$d -c "$var/$d.conf" --check-config >/dev/null
    $bin/$d -c "$var/$d.conf" entity import "$var/pki/pki.json" >/dev/null
done
# the SM-DP reaches the SM-SR's ES3 at the base of its API
$bin/smdp -c "$var/smdp.conf" entity callback smsr https://localhost:9443/gsma >/dev/null
# and the SM-SR sends the results of the SM-DP's calls to the SM-DP's API
$bin/smsr -c "$var/smsr.conf" entity callback smdp https://localhost:8443/gsma >/dev/null
# each MNO's profile type and 100 subscriptions to download (generated once; HSS files 0600)
# (their MSISDNs route to euicc-sim, whose cards answer to the enabled profile's number)
new_type() { # mno-oid type first-iccid first-imsi first-msisdn hss-file
    if ! $bin/smdp -c "$var/smdp.conf" profile-type show "$1" "$2" >/dev/null 2>&1; then
        $bin/smdp -c "$var/smdp.conf" profile-type set "$1" "$2" --template usim-minimal \
            --memory 20000 >/dev/null
        $bin/smdp -c "$var/smdp.conf" subscriptions generate "$1" "$2" --iccid "$3" \
            --imsi "$4" --msisdn "$5" --count 100 --op 000102030405060708090a0b0c0d0e0f \
            --hss "$6" >/dev/null
    fi
}
new_type 2.999.10.1 iot 89999050000000000006 001050000000001 +447910050001 \
    "$var/smdp-hss-mno1.csv"
new_type 2.999.10.2 m2m 89999060000000000004 001060000000001 +447910060001 \
    "$var/smdp-hss-mno2.csv"

# The loopback SMSC and the simulated eUICCs (docs/smsc-sim.md, docs/euicc-sim.md). SMPP
# passwords are drawn once and kept in the configurations.
if [[ ! -f $var/smsc-sim.conf ]]; then
    pw_smsr=$(openssl rand -hex 4) pw_sim=$(openssl rand -hex 4)
    cat >"$var/smsc-sim.conf" <<CONF
# smsc-sim development configuration, written by run.sh (edit freely; run.sh keeps it).
# Every key: docs/configuration.md
[smpp]
listen = 127.0.0.1:2775
port_file = smsc-sim.port

[log]
level = info

[stats]
file = smsc-sim.stats.json

# the SM-SR's OTA engine: mobile-originated SMS to its number go to it
[account.smsr]
password = $pw_smsr
routes = +4479000001
max_binds = 2

# the simulated cards: SMS to their MSISDNs go to euicc-sim
[account.euicc-sim]
password = $pw_sim
routes = +4479100
CONF
    cat >"$var/euicc-sim.conf" <<CONF
# euicc-sim development configuration, written by run.sh (edit freely; run.sh keeps it).
# Every key: docs/configuration.md
db = euicc-sim.db
kek_file = euicc-sim.kek
control_socket = euicc-sim.sock

[log]
level = info

[factory]
ci_cert = pki/ca.crt
eum_key = pki/eum1.key
eum_cert = pki/eum1.crt
eum_id = 2.999.20.1
smsr_id = 2.999.2.1
mno_id = 2.999.10.1
eis_dir = eis
hss_file = provisioning-hss.csv

[smpp]
smsc = 127.0.0.1:2775
system_id = euicc-sim
password = $pw_sim

[smsr]
msisdn = +4479000001
CONF
    echo "wrote $var/smsc-sim.conf and $var/euicc-sim.conf"
fi
# the SM-SR's ES5 engine binds to the SMSC with the smsr account (older var/ trees lack it)
if ! grep -q '^\[es5\]' "$var/smsr.conf"; then
    pw=$(awk '/^\[account.smsr\]/{a=1; next} /^\[/{a=0} a && $1 == "password" {print $3}' \
        "$var/smsc-sim.conf")
    cat >>"$var/smsr.conf" <<CONF

[es5]
smsc = 127.0.0.1:2775
system_id = smsr
password = $pw
address = +4479000001
CONF
    $bin/smsr -c "$var/smsr.conf" --check-config >/dev/null
fi
# the SM-SR's GP certificate (smctl pki init writes it): it can take cards over (SM-SR change)
if ! grep -q '^\[es7\]' "$var/smsr.conf"; then
    cat >>"$var/smsr.conf" <<CONF

[es7]
certificate = pki/smsr.gpcert
key = pki/smsr.key
CONF
    $bin/smsr -c "$var/smsr.conf" --check-config >/dev/null
fi
$bin/smsc-sim -c "$var/smsc-sim.conf" --check-config >/dev/null
$bin/euicc-sim -c "$var/euicc-sim.conf" --check-config >/dev/null
ncards=0 # no key-encryption key yet: no card either
[[ -f $var/euicc-sim.kek ]] && ncards=$($bin/euicc-sim -c "$var/euicc-sim.conf" list | wc -l)
if ((ncards < ncards_want)); then
    $bin/euicc-sim -c "$var/euicc-sim.conf" create $((ncards_want - ncards))
fi
# the transport key euicc-sim's factory uses for eum1 is the one the SM-SR must hold (ES1)
if [[ ! -s $var/eum-transport-keys ]]; then
    (umask 077 && echo "2.999.20.1 aes-ecb $(tr -d ' \n' <"$var/eum-smsr-transport.key")" \
        >"$var/eum-transport-keys")
fi
ncards_now=$($bin/euicc-sim -c "$var/euicc-sim.conf" list | wc -l)
first_eid=$($bin/euicc-sim -c "$var/euicc-sim.conf" list | head -1 | cut -d' ' -f1)
eids=$($bin/euicc-sim -c "$var/euicc-sim.conf" list | cut -d' ' -f1 | sed 's/.*/"&"/' | paste -sd,)

cat >"$var/dev-stack.json" <<JSON
{
  "smdp": "https://127.0.0.1:8443",
  "smsr": "https://127.0.0.1:9443",
  "ca": "$varabs/pki/ca.crt",
  "smdpId": "2.999.1.1",
  "smsrId": "2.999.2.1",
  "admin": {"cert": "$varabs/pki/admin.crt", "key": "$varabs/pki/admin.key"},
  "mnos": [
    {"name": "mno1", "id": "2.999.10.1", "cert": "$varabs/pki/mno1.crt", "key": "$varabs/pki/mno1.key", "profileType": "iot"},
    {"name": "mno2", "id": "2.999.10.2", "cert": "$varabs/pki/mno2.crt", "key": "$varabs/pki/mno2.key", "profileType": "m2m"}
  ],
  "eum": {"name": "eum1", "id": "2.999.20.1", "cert": "$varabs/pki/eum1.crt", "key": "$varabs/pki/eum1.key"},
  "smsc": {"smpp": "127.0.0.1:2775", "stats": "$varabs/smsc-sim.stats.json"},
  "euiccSim": {"config": "$varabs/euicc-sim.conf", "eis": "$varabs/eis", "hss": "$varabs/provisioning-hss.csv"},
  "eids": [$eids]
}
JSON

pids=()
stop() {
    trap - INT TERM EXIT
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    wait "${pids[@]}" 2>/dev/null || true
    echo "stack stopped"
}
trap stop INT TERM EXIT # also when a step fails (set -e): never leave the servers behind

rm -f "$var/smsc-sim.port"
$bin/smsc-sim -c "$var/smsc-sim.conf" &
pids+=($!)
for d in smsr smdp; do
    rm -f "$var/$d.port"
    $bin/$d -c "$var/$d.conf" &
    pids+=($!)
done
for d in smsc-sim smsr smdp; do
    for _ in $(seq 50); do [[ -s $var/$d.port ]] && break; sleep 0.1; done
    if [[ ! -s $var/$d.port ]]; then
        echo "$d did not start (see its log above)"
        stop
        exit 1
    fi
done

# register the cards with the SM-SR as the EUM (ES1); a second run is a retry of the same calls
registered=$($bin/smctl eis register --stack "$var/dev-stack.json" "$var/eis" 2>&1 | tail -n 1) ||
    echo "some cards were not registered: $bin/smctl eis register --stack $var/dev-stack.json $var/eis"

rm -f "$var/euicc-sim.sock"
$bin/euicc-sim -c "$var/euicc-sim.conf" run &
pids+=($!)
for _ in $(seq 50); do [[ -S $var/euicc-sim.sock ]] && break; sleep 0.1; done
if [[ ! -S $var/euicc-sim.sock ]]; then
    echo "euicc-sim did not start (see its log above)"
    stop
    exit 1
fi

cat <<TXT

== development stack running (Ctrl-C stops it) ==
  SM-DP  ES2 API   https://127.0.0.1:8443   id 2.999.1.1   db $var/smdp.db
  SM-SR  API       https://127.0.0.1:9443   id 2.999.2.1   db $var/smsr.db
  smsc-sim SMPP    127.0.0.1:2775 (accounts smsr, euicc-sim)   counters on SIGUSR1
  euicc-sim        $ncards_now cards, EIS in $var/eis, HSS file $var/provisioning-hss.csv
                   registered with the SM-SR over ES1 as eum1 ($registered)
  test PKI         $var/pki (ca.crt, mno1, mno2, eum1, smdp, smsr, admin)
  for scripts      $var/dev-stack.json
  profile types    mno1 (2.999.10.1): iot; mno2 (2.999.10.2): m2m; 100 subscriptions each

The cards (EID, MSISDN):
$($bin/euicc-sim -c "$var/euicc-sim.conf" list | sed 's/^/  /')

With smctl (docs/smctl.md): download and enable a profile, then watch the card:
  $bin/smctl es2 downloadProfile --stack $var/dev-stack.json --as mno1 \\
       --eid $first_eid --profile-type iot --enable-profile
  $bin/smctl es4 getEIS --stack $var/dev-stack.json --as mno1 --eid $first_eid
  $bin/euicc-sim -c $var/euicc-sim.conf show $first_eid

Try it as MNO mno1 (2.999.10.1) with curl:
  curl --cacert $var/pki/ca.crt --cert $var/pki/mno1.crt --key $var/pki/mno1.key \\
       https://127.0.0.1:8443/health
  curl --cacert $var/pki/ca.crt --cert $var/pki/mno1.crt --key $var/pki/mno1.key \\
       -H 'Content-Type: application/json' https://127.0.0.1:8443/gsma/es2/getEIS \\
       -d '{"header":{"functionRequesterIdentifier":"2.999.10.1","functionCallIdentifier":"try-1"},"eid":"$first_eid","smsrId":"2.999.2.1"}'
Download a profile of type iot to the first card and enable it (ES2; 202, then the result):
  curl --cacert $var/pki/ca.crt --cert $var/pki/mno1.crt --key $var/pki/mno1.key \\
       -H 'Content-Type: application/json' https://127.0.0.1:8443/gsma/es2/downloadProfile \\
       -d '{"header":{"functionRequesterIdentifier":"2.999.10.1","functionCallIdentifier":"dl-1"},"eid":"$first_eid","smsrId":"2.999.2.1","profileType":"iot","enableProfile":true}'
  curl --cacert $var/pki/ca.crt --cert $var/pki/mno1.crt --key $var/pki/mno1.key \\
       https://127.0.0.1:8443/gsma/operations/dl-1
Audit the first card through the SM-SR (ES4; it answers 202, the card is reached over SCP81):
  curl --cacert $var/pki/ca.crt --cert $var/pki/mno1.crt --key $var/pki/mno1.key \\
       -H 'Content-Type: application/json' https://127.0.0.1:9443/gsma/es4/auditEIS \\
       -d '{"header":{"functionRequesterIdentifier":"2.999.10.1","functionCallIdentifier":"audit-1"},"eid":"$first_eid"}'
  curl --cacert $var/pki/ca.crt --cert $var/pki/mno1.crt --key $var/pki/mno1.key \\
       https://127.0.0.1:9443/gsma/operations/audit-1
A simulated card (first EID):
  $bin/euicc-sim -c $var/euicc-sim.conf show $first_eid
Metrics (admin):
  curl --cacert $var/pki/ca.crt --cert $var/pki/admin.crt --key $var/pki/admin.key https://127.0.0.1:9443/metrics

TXT
wait "${pids[@]}"
