# shellcheck shell=bash
# Sourced by the EAP tests (check_eapol.sh, tests/auc/check_story.sh): real hostapd as RADIUS/EAP
# server with its AuC on a UNIX socket, and one eapol_test run (external_sim=1) answered by a card
# of a running euicc-sim. Run inside a private network namespace (netns.sh): hostapd's RADIUS
# server binds every interface. The caller keeps the PIDs in its pids array.

# eap_server_start DIR AUC_SOCKET [CONF_LINES [USER_LINES]]: hostapd on a free UDP port of
# loopback; sets eap_port, eap_secret and eap_pid. Identities: "0..." EAP-AKA, "6..." EAP-AKA',
# "1..." EAP-SIM, and any the extra eap_user lines give; extra hostapd.conf lines (TLS files).
eap_server_start() {
    local dir=$1
    eap_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    eap_secret=$(openssl rand -hex 8)
    cat >"$dir/hostapd.conf" <<CONF
driver=none
interface=sm-as
radius_server_clients=$dir/radius_clients
radius_server_auth_port=$eap_port
eap_server=1
eap_user_file=$dir/eap_user
eap_sim_db=unix:$2
${3:-}
CONF
    echo "127.0.0.1/32 $eap_secret" >"$dir/radius_clients"
    printf '"0"*\tAKA\n"6"*\tAKA'"'"'\n"1"*\tSIM\n%s' "${4:-}" >"$dir/eap_user"
    hostapd "$dir/hostapd.conf" >"$dir/hostapd.log" 2>&1 &
    eap_pid=$!
    pids+=($eap_pid)
    for _ in $(seq 50); do
        grep -q "AP-ENABLED\|interface state .*ENABLED" "$dir/hostapd.log" && return 0
        sleep 0.1
    done
    echo "hostapd did not start: $(tail -n 3 "$dir/hostapd.log" | tr '\n' ' ')"
    return 1
}

# eap_run DIR METHOD IDENTITY LOGNAME EUICC_SIM SIM_CONF EID: one authentication; sets result
# (SUCCESS or FAILURE), rc (eapol_test's exit code) and answered (requests the card answered).
eap_run() {
    local dir=$1 method=$2 identity=$3 log="$1/eapol-$4.log" simlog="$1/eapol-sim-$4.log"
    rm -rf "$dir/ctrl" && mkdir "$dir/ctrl"
    cat >"$dir/eapol.conf" <<CONF
ctrl_interface=$dir/ctrl
external_sim=1
network={
    ssid="m2m"
    key_mgmt=WPA-EAP
    eap=$method
    identity="$identity"
}
CONF
    eapol_test -c "$dir/eapol.conf" -a 127.0.0.1 -p "$eap_port" -s "$eap_secret" -W -t 15 \
        >"$log" 2>&1 &
    local e=$!
    for _ in $(seq 50); do [[ -S $dir/ctrl/test ]] && break; sleep 0.1; done
    "$5" -c "$6" eapol --eid "$7" --ctrl "$dir/ctrl/test" >"$simlog" 2>&1
    wait "$e"
    rc=$?
    answered=$(grep -o '[0-9]* requests answered' "$simlog" | cut -d' ' -f1)
    answered=${answered:-0}
    tail -n 1 "$log" | grep -q '^SUCCESS$' && result=SUCCESS || result=FAILURE
}
