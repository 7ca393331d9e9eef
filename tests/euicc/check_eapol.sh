#!/usr/bin/env bash
# The SoftSIM of the paper, end to end with real components: eapol_test (wpa_supplicant's EAP
# peer, external_sim=1) authenticates against hostapd as RADIUS/EAP server, whose AuC is
# hlr_auc.py (hostapd's hlr_auc_gw interface, MILENAGE computed independently); the card's
# side is `euicc-sim eapol` answering the supplicant's UMTS-AUTH and GSM-AUTH requests from the
# enabled provisioning profile of a running euicc-sim. EAP-AKA, EAP-AKA' and EAP-SIM succeed; an
# AuC whose SQN is behind the card's is resynchronised by the card's AUTS and the same run
# succeeds; an AuC with the wrong K is refused by the card (Authentication-Reject).
# With a third argument, the AuC is that auc-gw binary instead of hlr_auc.py (the project's
# AuC, checked by the same runs against real hostapd and eapol_test).
# Everything runs in a private network namespace with only its loopback (hostapd's RADIUS
# server binds every interface and has no option to choose one).
# usage: check_eapol.sh SMCTL EUICC_SIM [AUC_GW]
set -uo pipefail
here=$(dirname "$(realpath "$0")")
source "$here/netns.sh"
sm_netns_enter "$0" "$@"
smctl=$(realpath "$1") sim=$(realpath "$2") aucgw=${3:+$(realpath "$3")}
for p in eapol_test hostapd; do
    command -v "$p" >/dev/null || { echo "check_eapol: $p not installed (cmake/debian-packages.txt)"; exit 1; }
done
name=check_eapol
source "$here/common.sh"
scratch_dir sm-eap
source "$here/eap_lib.sh"
cd "$tmp" || exit 1
euicc_setup "$smctl"
"$sim" -c sim.conf create 1 >/dev/null 2>&1 || { echo "create failed"; exit 1; }
eid=$("$sim" -c sim.conf list | cut -d' ' -f1)
imsi=$(sed -n 2p provisioning-hss.csv | cut -d, -f2)
mcc=${imsi:0:3} mnc=${imsi:3:2}
realm="wlan.mnc0$mnc.mcc$mcc.3gppnetwork.org"
"$sim" -c sim.conf run >sim.log 2>&1 &
pids+=($!)

start_auc() { # [extra arguments]; a new AuC from the HSS file's SQN
    [[ -n ${auc:-} ]] && { kill "$auc"; wait "$auc" 2>/dev/null; }
    rm -f auc.sock
    if [[ -n $aucgw ]]; then
        rm -f auc-gw.db auc-gw.db-wal auc-gw.db-shm
        "$aucgw" --socket "$tmp/auc.sock" --subscribers "${hss:-provisioning-hss.csv}" \
            --db auc-gw.db --kek auc-gw.kek --create-kek "$@" 2>>auc.log &
    else
        /usr/bin/python3 "$here/hlr_auc.py" "$tmp/auc.sock" "${hss:-provisioning-hss.csv}" \
            --log auc.log "$@" &
    fi
    auc=$!
    pids+=($auc)
    for _ in $(seq 50); do [[ -S auc.sock ]] && break; sleep 0.1; done
}
start_auc
eap_server_start "$tmp" "$tmp/auc.sock" || exit 1
for _ in $(seq 50); do [[ -S sim.sock ]] && break; sleep 0.1; done

# one EAP run: method, identity prefix, log name
eap() {
    eap_run "$tmp" "$1" "$2$imsi@$realm" "$3" "$sim" sim.conf "$eid"
}

eap AKA 0 aka
[[ $result == SUCCESS && $rc -eq 0 && $answered -eq 1 ]] && ok ||
    bad "EAP-AKA: $result rc $rc, $answered answered ($(tail -n 3 eapol-aka.log | tr '\n' ' '))"
grep -q "MPPE keys OK: 1  mismatch: 0" eapol-aka.log && ok || bad "EAP-AKA: MSK not the same on both sides"
grep -q "CTRL-REQ-SIM-0:UMTS-AUTH" eapol-aka.log && ok || bad "EAP-AKA: the supplicant did not ask the external SIM"

eap "AKA'" 6 akaprime
[[ $result == SUCCESS && $answered -eq 1 ]] && ok || bad "EAP-AKA': $result, $answered answered"

eap SIM 1 sim
[[ $result == SUCCESS && $answered -eq 1 ]] && ok || bad "EAP-SIM: $result, $answered answered"
grep -q "CTRL-REQ-SIM-0:GSM-AUTH" eapol-sim.log && ok || bad "EAP-SIM: no GSM-AUTH request"

# the AuC restarts from the HSS file's SQN, behind the card's: the card answers UMTS-AUTS, the
# AuC resynchronises from it, and the next challenge succeeds in the same run
start_auc
eap AKA 0 resync
[[ $result == SUCCESS && $answered -eq 2 ]] && ok || bad "resync: $result, $answered answered"
grep -q "resync $imsi SEQ\|\[$imsi\] resynchronisation done" auc.log && ok ||
    bad "resync: the AuC got no valid AUTS ($(tail -n 3 auc.log | tr '\n' ' '))"
grep -q "UMTS-AUTS" eapol-resync.log && ok || bad "resync: no UMTS-AUTS from the card"

# an AuC with another K: the card finds the MAC wrong and refuses; the run fails at once
sed '2s/,\([0-9a-f]\{32\}\),/,00112233445566778899aabbccddeeff,/' provisioning-hss.csv >wrong-k.csv
hss=wrong-k.csv start_auc
eap AKA 0 wrongk
[[ $result == FAILURE && $answered -eq 1 ]] && ok || bad "wrong K: $result, $answered answered"
grep -q "UMTS-FAIL" eapol-wrongk.log && ok || bad "wrong K: no UMTS-FAIL from the card"
grep -qi "authentication-reject\|Authentication failed" eapol-wrongk.log hostapd.log && ok ||
    bad "wrong K: no Authentication-Reject"

# auc-gw with its own IND (TS 33.102 C.3.4), anew from the file's SQN: the card keeps a SEQ per
# IND, so SEQ 1 under IND 7 is fresh although IND 0 went far beyond it: no resynchronisation
if [[ -n $aucgw ]]; then
    start_auc --ind 7
    eap AKA 0 ind
    [[ $result == SUCCESS && $answered -eq 1 ]] && ok || bad "IND 7: $result, $answered answered"
fi

# no key of the card in euicc-sim's logs
k=$(sed -n 2p provisioning-hss.csv | cut -d, -f3)
! grep -qi "$k" sim.log eapol-sim-*.log auc.log && ok || bad "a key appears in a log"
# auc-gw keeps the keys wrapped: neither K nor OPc in its database, as hex or as bytes
if [[ -n $aucgw ]]; then
    opc=$(sed -n 2p provisioning-hss.csv | cut -d, -f4)
    /usr/bin/python3 - "$k" "$opc" auc-gw.db <<'PY' && ok || bad "a key is in clear in auc-gw's database"
import sys
data = open(sys.argv[3], "rb").read()
for key in sys.argv[1:3]:
    assert key.encode() not in data.lower() and bytes.fromhex(key) not in data, key[:4]
PY
fi

echo "check_eapol: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
