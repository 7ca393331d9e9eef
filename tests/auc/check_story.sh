#!/usr/bin/env bash
# The whole story, every program real: the development stack (run.sh: smdp, smsr, smsc-sim,
# euicc-sim) runs in a private network namespace; an MNO orders a profile over ES2
# (downloadProfile, enable); the SM-DP downloads it to a simulated card through the SM-SR and
# enables it; the SM-DP's HSS output for that profile type reaches auc-gw (smctl subscriber
# import, auc-gw running); the card then authenticates to hostapd (RADIUS/EAP server, AuC
# auc-gw) with eapol_test as the device's supplicant and the card as its SoftSIM: EAP-AKA',
# EAP-AKA and EAP-SIM with the downloaded profile's IMSI and keys. Before the import the same
# identity is refused, and the provisioning profile (not in the HSS output) is refused.
# usage: check_story.sh BIN_DIR
set -uo pipefail
here=$(dirname "$(realpath "$0")")
source "$here/../euicc/netns.sh"
sm_netns_enter "$0" "$@"
bin=$(realpath "$1")
root=$(realpath "$here/../..")
for p in eapol_test hostapd; do
    command -v "$p" >/dev/null || { echo "check_story: $p not installed (cmake/debian-packages.txt)"; exit 1; }
done
name=check_story
source "$here/../check_lib.sh"
scratch_dir sm-story # run.sh stops its servers on TERM
source "$here/../euicc/eap_lib.sh"
cd "$tmp" || exit 1
var=$tmp/var

SM_VAR=$var SM_BIN=$bin SM_CARDS=2 "$root/run.sh" >stack.log 2>&1 &
pids+=($!)
for _ in $(seq 600); do
    grep -q "development stack running" stack.log && break
    kill -0 "${pids[0]}" 2>/dev/null || break
    sleep 0.2
done
grep -q "development stack running" stack.log ||
    { echo "check_story: the stack did not start: $(tail -n 5 stack.log | tr '\n' ' ')"; exit 1; }
ok
sim=("$bin/euicc-sim" -c "$var/euicc-sim.conf")
eid=$("${sim[@]}" list | head -1 | cut -d' ' -f1)
prov_imsi=$("${sim[@]}" imsi "$eid")

# the AuC, empty: the operator's HSS output has not reached it yet
"$bin/auc-gw" --socket "$tmp/auc.sock" --db auc.db --kek auc.kek --create-kek 2>auc.log &
pids+=($!)
for _ in $(seq 50); do [[ -S auc.sock ]] && break; sleep 0.1; done
eap_server_start "$tmp" "$tmp/auc.sock" || exit 1

# 1. the MNO orders a profile of its type for the card, enabled (ES2 DownloadProfile)
"$bin/smctl" es2 downloadProfile --stack "$var/dev-stack.json" --as mno1 --eid "$eid" \
    --profile-type iot --enable-profile >order.txt 2>&1
grep -q "Executed-Success" order.txt && ok || bad "downloadProfile: $(tr '\n' ' ' <order.txt)"
iccid=$(sed -n 's/.*iccid: *\([0-9]*\).*/\1/p' order.txt)
"${sim[@]}" show "$eid" >card.txt
grep -q "enabled iccid $iccid" card.txt && ok || bad "the card has not enabled $iccid: $(cat card.txt)"
imsi=$("${sim[@]}" imsi "$eid")
row=$(grep "^$iccid,$imsi," "$var/smdp-hss-mno1.csv")
[[ -n $iccid && -n $row && $imsi != "$prov_imsi" ]] && ok ||
    bad "the enabled profile ($iccid, IMSI $imsi) is not in the SM-DP's HSS output"
realm="wlan.mnc0${imsi:3:2}.mcc${imsi:0:3}.3gppnetwork.org"

eap() { # method prefix logname [imsi]
    eap_run "$tmp" "$1" "$2${4:-$imsi}@$realm" "$3" "$bin/euicc-sim" "$var/euicc-sim.conf" "$eid"
}

# 2. before the HSS output reaches the AuC: unknown subscriber, refused
eap "AKA'" 6 before
[[ $result == FAILURE ]] && ok || bad "before the import: $result"
grep -q "\[$imsi\] AKA-REQ-AUTH: FAILURE (unknown subscriber)" auc.log && ok ||
    bad "before the import: auc-gw did not refuse $imsi"

# 3. the HSS output reaches auc-gw while it runs
"$bin/smctl" subscriber --db auc.db --kek auc.kek import "$var/smdp-hss-mno1.csv" >import.txt 2>&1 &&
    ok || bad "import: $(tail -n 2 import.txt)"
grep -q "$(($(wc -l <"$var/smdp-hss-mno1.csv") - 1)) subscribers" import.txt && ok ||
    bad "import: not every row: $(cat import.txt)"

# 4. the card authenticates with the downloaded profile
eap "AKA'" 6 akaprime
[[ $result == SUCCESS && $answered -eq 1 ]] && ok ||
    bad "EAP-AKA': $result, $answered answered ($(tail -n 3 eapol-akaprime.log | tr '\n' ' '))"
grep -q "MPPE keys OK: 1  mismatch: 0" eapol-akaprime.log && ok || bad "EAP-AKA': MSK differs"
eap AKA 0 aka
[[ $result == SUCCESS && $answered -eq 1 ]] && ok || bad "EAP-AKA: $result, $answered answered"
eap SIM 1 sim
[[ $result == SUCCESS && $answered -eq 1 ]] && ok || bad "EAP-SIM: $result, $answered answered"
# the AuC committed the subscriber's SQN past what it used (two quintets, then three for the
# triplets: SEQ 5 at least)
listed=$("$bin/smctl" subscriber --db auc.db list 2>/dev/null | grep "^$imsi ")
(($(printf '%d' "0x$(awk '{print $4}' <<<"$listed")") >= 5 << 5)) && ok ||
    bad "SQN not advanced as expected: $listed"

# 5. the provisioning profile is not the operator's: not in the HSS output, refused
eap "AKA'" 6 prov "$prov_imsi"
[[ $result == FAILURE ]] && ok || bad "the provisioning profile authenticated: $result"

# no key of the profile in any log
k=$(cut -d, -f3 <<<"$row")
! grep -rqi "$k" ./*.log ./*.txt "$var"/*.log 2>/dev/null && ok || bad "the profile's K appears in a log"

echo "check_story: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
