#!/usr/bin/env bash
# The authentication experiment (docs/benchmarks.md, "EAP"): in a private network namespace,
# real hostapd (RADIUS/EAP server) with auc-gw as its AuC, and N real eapol_test peers at once
# whose SoftSIM is bench_eap (euicc-sim's USIM). For each method (EAP-AKA', EAP-AKA, EAP-SIM,
# and EAP-PSK, EAP-TLS as the shared-key and certificate baselines) and each N of the levels:
# mean and p95 authentication time. In the same run, hostapd's own reference AuC (hlr_auc_gw,
# built from Debian's wpa source by build_hlr_auc_gw.sh) on the same subscribers: AKA vectors
# per second straight on each AuC's socket, and EAP-AKA' times through hostapd, as ratios.
# Writes OUT/results.csv, OUT/results.md and OUT/eap.png (the paper's figure 6 layout).
# usage: bench_eap.sh BUILD_DIR OUT
#   BUILD_DIR has bin/auc-gw and bench/bench_eap (build-bench: -O2, no sanitizers)
#   SM_EAP_LEVELS  (default "100 200 300 400 500 600 700 800 900 1000")
#   SM_EAP_METHODS (default "AKA' AKA SIM PSK TLS")
#   SM_EAP_REF_LEVELS (default: the levels) where EAP-AKA' runs with hlr_auc_gw too
#   SM_EAP_VECTORS (default 20000: AKA requests per AuC in the vectors run)
#   SM_EAP_RMEM    (unset: the machine as it is) bytes of net.core.rmem_default for the run: the
#                  buffer of hostapd's RADIUS socket, which has no option for it and which a
#                  namespace cannot set. Set machine-wide for the run, restored after it.
# Each AuC first serves a warm-up round (EAP-AKA, the largest N; reported apart): auc-gw's
# first vector for a subscriber commits a SEQ block, later ones mostly do not.
set -uo pipefail
here=$(dirname "$(realpath "$0")")
source "$here/../../euicc/netns.sh"
build=$(realpath "$1")
# what needs Debian's archive comes first, outside the namespace (no network in there)
if [[ -z ${SM_NETNS:-} ]]; then
    "$here/build_hlr_auc_gw.sh" "$build/hlr_auc_gw" >/dev/null || exit 1
    /usr/bin/python3 -c 'import matplotlib' 2>/dev/null ||
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-matplotlib >/dev/null ||
        { echo "bench_eap: python3-matplotlib cannot be installed: no plot"; exit 1; }
    if [[ -n ${SM_EAP_RMEM:-} ]]; then
        rmem_was=$(sysctl -n net.core.rmem_default)
        sysctl -qw net.core.rmem_default="$SM_EAP_RMEM" || exit 1
        SM_NETNS=1 unshare --net -- "$0" "$@"
        rc=$?
        sysctl -qw net.core.rmem_default="$rmem_was"
        exit $rc
    fi
fi
sm_netns_enter "$0" "$@"
mkdir -p "$2" && out=$(realpath "$2")
rm -f "$out/results.csv" "$out/results.md" "$out/eap.png" # a run's own output, or none
levels=${SM_EAP_LEVELS:-100 200 300 400 500 600 700 800 900 1000}
all_methods="AKA' AKA SIM PSK TLS"
read -ra methods <<<"${SM_EAP_METHODS:-$all_methods}"
nvec=${SM_EAP_VECTORS:-20000}
bench=$build/bench/bench_eap aucgw=$build/bin/auc-gw
for p in eapol_test hostapd "$bench" "$aucgw"; do
    command -v "$p" >/dev/null || { echo "bench_eap: $p missing"; exit 1; }
done
name=bench_eap
source "$here/../../check_lib.sh"
source "$here/../../euicc/eap_lib.sh"
scratch_dir sm-bench-eap
ulimit -n 65536 2>/dev/null || true
# ${SM_EAP_QLEN:-1024} datagrams may wait on a UNIX socket in this namespace (the kernel's
# default, 10, loses hostapd's requests to the AuC when hundreds of peers start at once). The
# RADIUS socket's buffer (net.core.rmem_default) cannot be set from a namespace: what it drops,
# the peers resend after 3 s, and the results count it.
qlen=${SM_EAP_QLEN:-1024}
sysctl -qw net.unix.max_dgram_qlen="$qlen" || echo "bench_eap: cannot set net.unix.max_dgram_qlen"
max=0
for n in $levels; do ((n > max)) && max=$n; done

# hostapd's reference AuC (built above: here it only answers its smoke test)
hlr_version=$("$here/build_hlr_auc_gw.sh" "$build/hlr_auc_gw") || exit 1
hlr=$build/hlr_auc_gw/hlr_auc_gw

# max subscribers: HSS file (auc-gw, bench_eap), milenage file (hlr_auc_gw), the PSK users
/usr/bin/python3 - "$tmp" "$max" <<'PY'
import os, sys
tmp, n = sys.argv[1], int(sys.argv[2])
with open(f"{tmp}/hss.csv", "w") as h, open(f"{tmp}/milenage.txt", "w") as m, \
        open(f"{tmp}/users", "w") as u:
    h.write("iccid,imsi,k,opc,amf,sqn\n")
    for i in range(n):
        imsi, k, opc = "00101%010d" % (i + 1), os.urandom(16).hex(), os.urandom(16).hex()
        # no ICCID: the AuC needs none (an HSS row may leave it empty)
        h.write(f",{imsi},{k},{opc},8000,000000000000\n")
        m.write(f"{imsi} {k} {opc} 8000 000000000000\n")
        u.write(f'"psk{i}"\tPSK\t"{k[:16]}"\n')
    u.write('"tls"*\tTLS\n')
PY
chmod 600 "$tmp/hss.csv" "$tmp/milenage.txt" "$tmp/users"

# EAP-TLS: a CA, the server's and one client certificate (P-256)
mkdir -p "$tmp/tls"
(
    cd "$tmp/tls" || exit 1
    for c in ca server client; do openssl ecparam -name prime256v1 -genkey -noout -out $c.key; done
    openssl req -x509 -new -key ca.key -subj "/CN=bench CA" -days 2 -out ca.crt
    for c in server client; do
        openssl req -new -key $c.key -subj "/CN=$c" -out $c.csr
        openssl x509 -req -in $c.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out $c.crt
    done
) >/dev/null 2>&1 || { echo "bench_eap: TLS certificates failed"; exit 1; }
tls_conf="ca_cert=$tmp/tls/ca.crt
server_cert=$tmp/tls/server.crt
private_key=$tmp/tls/server.key"

start_aucgw() {
    rm -f "$tmp/auc.db"* "$tmp/auc.sock"
    "$aucgw" --socket "$tmp/auc.sock" --subscribers "$tmp/hss.csv" --db "$tmp/auc.db" \
        --kek "$tmp/auc.kek" --create-kek 2>>"$tmp/auc-gw.log" &
    auc=$!
    pids+=($auc)
    for _ in $(seq 100); do [[ -S $tmp/auc.sock ]] && return 0; sleep 0.1; done
    echo "bench_eap: auc-gw did not start"; exit 1
}
start_hlr() {
    rm -f "$tmp/auc.sock"
    # it prints every request and answer: nowhere
    "$hlr" -s "$tmp/auc.sock" -m "$tmp/milenage.txt" >/dev/null 2>&1 &
    auc=$!
    pids+=($auc)
    for _ in $(seq 100); do [[ -S $tmp/auc.sock ]] && return 0; sleep 0.1; done
    echo "bench_eap: hlr_auc_gw did not start"; exit 1
}
stop_auc() { kill "$auc" 2>/dev/null; wait "$auc" 2>/dev/null; }

failed=0 # a round where a device did not authenticate, or a wrong vector
csv=$out/results.csv
echo "auc,method,n,ok,failed,mean_ms,p50_ms,p95_ms,p99_ms,max_ms,round_s,resent,peers_resending" >"$csv"
# one round: AUC-NAME METHOD N; hostapd anew each round (its RADIUS sessions of the last round
# would count against its session limit)
round() {
    local line
    eap_server_start "$tmp" "$tmp/auc.sock" "$tls_conf" "$(cat "$tmp/users")" || exit 1
    rm -rf "$tmp/r" && mkdir "$tmp/r"
    line=$("$bench" eap "$2" "$3" --hss "$tmp/hss.csv" --port "$eap_port" --secret "$eap_secret" \
        --dir "$tmp/r" --timeout 120) || failed=1
    echo "  $1 $line"
    kill "$eap_pid"
    wait "$eap_pid" 2>/dev/null
    # "eap M n=.. ok=.. ..." -> csv
    echo "$1,$2,$(sed -E 's/^eap [^ ]+ //; s/[a-z0-9_]+=//g; s/ /,/g' <<<"$line")" >>"$csv"
}

echo "bench_eap: ${methods[*]} at N = $levels (auc-gw; EAP-AKA' also with hlr_auc_gw)"
start_aucgw
round "auc-gw (warm-up)" AKA "$max"
for m in "${methods[@]}"; do
    for n in $levels; do round auc-gw "$m" "$n"; done
done
aucgw_rss=$(awk '/VmHWM/ {print $2}' "/proc/$auc/status" 2>/dev/null)
stop_auc
start_hlr
round "hlr_auc_gw (warm-up)" AKA "$max"
for n in ${SM_EAP_REF_LEVELS:-$levels}; do round hlr_auc_gw "AKA'" "$n"; done
stop_auc

# vectors per second on each AuC's socket, 32 in flight
vec() {
    local line
    line=$("$bench" vectors "$nvec" --hss "$tmp/hss.csv" --socket "$tmp/auc.sock" --window 32 \
        --dir "$tmp") || failed=1
    echo "  $1 $line"
    echo "$1 $line" >>"$tmp/vectors.txt"
}
start_aucgw
vec auc-gw
stop_auc
start_hlr
vec hlr_auc_gw
stop_auc

/usr/bin/python3 "$here/report.py" "$csv" "$tmp/vectors.txt" "$out" "$hlr_version" \
    "${aucgw_rss:-?}" "$(nproc)" "$qlen $(sysctl -n net.core.rmem_default)"
# the table and the plot are the experiment's output (python3-matplotlib is one of the
# project's packages, cmake/debian-packages.txt)
[[ -s $out/results.md && -s $out/results.csv && -s $out/eap.png ]] ||
    { echo "bench_eap: no table or plot in $out"; exit 1; }
# the figures are what they are; a device that did not authenticate is a failure
[[ $failed -eq 0 ]] || { echo "bench_eap: some authentications or vectors failed"; exit 1; }
