#!/usr/bin/env bash
# euicc-sim as an operator or EUM uses it: manufacture cards (EIS signed by the EUM, checked
# here with the openssl command line; HSS file owner-only; no key in clear in the database),
# list and show them, restart with the state kept, serve aka and fallback over the control
# socket of a running simulator, and AKA against an independent computation (check_aka.py).
# usage: check_euicc_sim.sh SMCTL EUICC_SIM TS48_DIR
set -uo pipefail
smctl=$(realpath "$1") sim=$(realpath "$2") ts48=${3:-}
here=$(dirname "$(realpath "$0")")
tmp=$(mktemp -d)
pid=""
trap '[[ -n $pid ]] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
name=check_euicc_sim
source "$here/common.sh"
cd "$tmp" || exit 1
euicc_setup "$smctl" "memory = 256k"

"$sim" -c sim.conf --check-config && ok || bad "--check-config"
"$sim" -c sim.conf create 5 >out 2>err && ok || bad "create 5: $(cat err)"
grep -q '^5 cards created (serials 1-5)' out && ok || bad "create output: $(cat out)"
"$sim" -c sim.conf create 3 >out 2>err && ok || bad "create 3"
grep -q '(serials 6-8)' out && ok || bad "serials do not continue: $(cat out)"
[[ $("$sim" -c sim.conf list | wc -l) -eq 8 ]] && ok || bad "list: not 8 cards"
for f in sim.kek provisioning-hss.csv eum-smsr-transport.key; do
    [[ $(stat -c %a "$f") == 600 ]] && ok || bad "$f has mode $(stat -c %a "$f")"
done
[[ $(wc -l <provisioning-hss.csv) -eq 9 ]] && ok || bad "HSS file: not 8 lines and a header"
eid=$("$sim" -c sim.conf list | head -1 | cut -d' ' -f1)

# every EID valid (mod 97), EIS present for each
"$sim" -c sim.conf list | while read -r e m; do
    /usr/bin/python3 -c 'import sys; sys.exit(0 if int(sys.argv[1]) % 97 == 1 else 1)' "$e" ||
        echo "bad EID $e"
    [[ -s eis/$e.json ]] || echo "no EIS for $e"
done >checks
[[ ! -s checks ]] && ok || bad "$(cat checks)"

# no K, OPc or card key in clear in the database: the HSS keys must not appear in it
/usr/bin/python3 - sim.db provisioning-hss.csv <<'PY' && ok || bad "a key is in clear in the database"
import sys
db = open(sys.argv[1], "rb").read()
for line in open(sys.argv[2]).read().splitlines()[1:]:
    k, opc = bytes.fromhex(line.split(",")[2]), bytes.fromhex(line.split(",")[3])
    if k in db or opc in db or k.hex().encode() in db:
        sys.exit(1)
PY

# the EIS signature: detached JWS (ES256) over the canonical eumSignedInfo, with the EUM key
/usr/bin/python3 - "eis/$eid.json" <<'PY' && ok || bad "EIS signature does not verify"
import base64, json, subprocess, sys, tempfile, os
eis = json.load(open(sys.argv[1]))
h64, _, s64 = eis["eumSignature"].split(".")
pad = lambda s: s + "=" * (-len(s) % 4)
hdr = json.loads(base64.urlsafe_b64decode(pad(h64)))
assert hdr["alg"] == "ES256"
canon = json.dumps(eis["eumSignedInfo"], sort_keys=True, separators=(",", ":")).encode()
p64 = base64.urlsafe_b64encode(canon).rstrip(b"=").decode()
sig = base64.urlsafe_b64decode(pad(s64))
r, s = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")
def der_int(v):
    b = v.to_bytes((v.bit_length() + 8) // 8, "big")
    return b"\x02" + bytes([len(b)]) + b
body = der_int(r) + der_int(s)
der = b"\x30" + bytes([len(body)]) + body
with tempfile.TemporaryDirectory() as d:
    cert = os.path.join(d, "eum.pem")
    open(cert, "w").write("-----BEGIN CERTIFICATE-----\n" + hdr["x5c"][0] +
                          "\n-----END CERTIFICATE-----\n")
    subprocess.run(["openssl", "x509", "-in", cert, "-pubkey", "-noout", "-out",
                    os.path.join(d, "pub.pem")], check=True)
    open(os.path.join(d, "sig"), "wb").write(der)
    open(os.path.join(d, "msg"), "wb").write((h64 + "." + p64).encode())
    subprocess.run(["openssl", "dgst", "-sha256", "-verify", os.path.join(d, "pub.pem"),
                    "-signature", os.path.join(d, "sig"), os.path.join(d, "msg")], check=True,
                   capture_output=True)
# the ECASD certificate's key and the provisioning profile are where the EIS says
assert eis["profileInfo"][0]["state"] == "Enabled" and eis["profileInfo"][0]["fallbackAttribute"]
assert eis["isdR"]["keyset"][0]["type"] == "SCP80"
PY

# every EIS is valid against the project's schema of the GSMA EISType
/usr/bin/python3 "$here/../schema/check_schemas.py" "$here/../../schema" "$here/../schema/examples" \
    eis/*.json >out 2>&1 && ok || bad "EIS not valid against eis.schema.json: $(tail -n 5 out)"

# CERT.ECASD.ECKA (GP format): subject = the EID, C9 = the EUM certificate's subjectKeyIdentifier,
# and the EUM's signature (r||s over every TLV inside 7F21 but 5F37) verifies with openssl
/usr/bin/python3 - "eis/$eid.json" "$eid" pki/eum1.crt <<'PY' && ok || bad "ECASD certificate"
import json, os, subprocess, sys, tempfile
eis = json.load(open(sys.argv[1]))
cert = bytes.fromhex(eis["eumSignedInfo"]["ecasd"]["keyset"][0]["certificate"][0]["value"])
def tlvs(b):
    out, i = [], 0
    while i < len(b):
        t = b[i]; i += 1
        if t & 0x1F == 0x1F:
            t = t << 8 | b[i]; i += 1
        n = b[i]; i += 1
        if n & 0x80:
            k = n & 0x7F; n = int.from_bytes(b[i:i + k], "big"); i += k
        out.append((t, b[i:i + n], i + n)); i += n
    return out
(tag, body, _), = tlvs(cert)
assert tag == 0x7F21
items = tlvs(body)
f = {t: v for t, v, _ in items}
assert f[0x5F20] == bytes.fromhex(sys.argv[2]), "subject is not the EID"
ski = subprocess.run(["openssl", "x509", "-in", sys.argv[3], "-noout", "-ext",
                      "subjectKeyIdentifier"], check=True, capture_output=True, text=True)
ski = bytes.fromhex(ski.stdout.splitlines()[1].strip().replace(":", ""))
(c9,) = [v for t, v, _ in tlvs(f[0x73]) if t == 0xC9]
assert c9 == ski, "C9 is not the EUM's subjectKeyIdentifier"
tbs = body[:[end - len(v) - 3 for t, v, end in items if t == 0x5F37][0]]
sig = f[0x5F37]
def der_int(v):
    b = v.to_bytes((v.bit_length() + 8) // 8, "big")
    return b"\x02" + bytes([len(b)]) + b
d = der_int(int.from_bytes(sig[:32], "big")) + der_int(int.from_bytes(sig[32:], "big"))
with tempfile.TemporaryDirectory() as t:
    subprocess.run(["openssl", "x509", "-in", sys.argv[3], "-pubkey", "-noout", "-out",
                    os.path.join(t, "pub.pem")], check=True)
    open(os.path.join(t, "sig"), "wb").write(b"\x30" + bytes([len(d)]) + d)
    open(os.path.join(t, "tbs"), "wb").write(tbs)
    subprocess.run(["openssl", "dgst", "-sha256", "-verify", os.path.join(t, "pub.pem"),
                    "-signature", os.path.join(t, "sig"), os.path.join(t, "tbs")], check=True,
                   capture_output=True)
PY

# show; a restart keeps the cards as they were
"$sim" -c sim.conf show "$eid" >out && ok || bad "show"
grep -q 'a0000005591010ffffffff8900001000 enabled fall-back' out && ok || bad "show: $(cat out)"
"$sim" -c sim.conf fallback "$eid" >out
grep -q 'no fall-back profile' out && ok || bad "fallback with only the fall-back profile: $(cat out)"
"$sim" -c sim.conf show 89049032000000000000000000000099 >out 2>&1
[[ $? -eq 1 ]] && grep -q 'not found' out && ok || bad "unknown EID: $(cat out)"

# a running simulator answers over its control socket
"$sim" -c sim.conf run >run.log 2>&1 &
pid=$!
for _ in $(seq 50); do [[ -S sim.sock ]] && break; sleep 0.1; done
[[ -S sim.sock ]] && ok || bad "no control socket"
[[ $(stat -c %a sim.sock) == 600 ]] && ok || bad "control socket mode"
"$sim" -c sim.conf show "$eid" | grep -q "^eid $eid" && ok || bad "show through the simulator"
/usr/bin/python3 "$here/check_aka.py" "$smctl" "$sim" "$ts48" "$tmp" >aka.out 2>&1 && ok ||
    { bad "check_aka"; cat aka.out; }
grep 'check_aka:' aka.out | tail -1
kill -TERM "$pid"
wait "$pid" && ok || bad "simulator did not stop cleanly: $(tail -3 run.log)"
pid=""
[[ ! -e sim.sock ]] && ok || bad "control socket left behind"
grep -q 'stopping' run.log && ok || bad "no stop line in the log"

echo "check_euicc_sim: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
