#!/usr/bin/env bash
# smctl profile from the command line, as an operator uses it: templates, build, dump, convert
# (both ways, byte-identical), check (clean and broken packages), batch with the HSS file;
# exit codes (0 done, 1 failed, 2 usage), messages naming the problem, owner-only files.
# usage: check_smctl_profile.sh SMCTL [TS48_DIR]
set -uo pipefail
smctl=$(realpath "$1") ts48=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
name=check_smctl_profile
source "$(dirname "$(realpath "$0")")/check_lib.sh"

cd "$tmp" || exit 1
umask 022
cat >params.json <<'EOF'
{"iccid": "8999900000000000006", "imsi": "999990000000001",
 "k": "000102030405060708090a0b0c0d0e0f", "opc": "f0e0d0c0b0a090807060504030201000",
 "adm1": "12345678", "msisdn": "+491701234567", "pin1": "2468", "puk1": "13572468"}
EOF

# templates
expect 0 "$smctl" profile templates
has stdout usim-minimal
has stdout usim-isim-5g
expect 0 "$smctl" profile templates --json
/usr/bin/python3 -c 'import json,sys; [json.loads(l)["parameters"]["iccid"] for l in open(sys.argv[1])]' stdout &&
    ok || bad "templates --json is not one JSON object per line"

# build: owner-only output, refusals name the parameter
expect 0 "$smctl" profile build usim-minimal params.json -o p.der
mode p.der
sed 's/"8999900000000000006"/"8999900000000000007"/' params.json >bad.json
expect 1 "$smctl" profile build usim-minimal bad.json -o bad.der
has stderr "iccid"
[[ ! -e bad.der ]] && ok || bad "a refused build left bad.der"
expect 1 "$smctl" profile build usim-isim-5g params.json -o q.der
has stderr "impi"
expect 1 "$smctl" profile build no-such-template params.json -o q.der
expect 2 "$smctl" profile build usim-minimal params.json
expect 2 "$smctl" profile build usim-minimal /nonexistent.json -o q.der

# dump: tree and JSON
expect 0 "$smctl" profile dump p.der
has stdout '^\[0\] header'
has stdout 'ef-imsi'
expect 0 "$smctl" profile dump p.der --json
has stdout '"profileElements"'

# convert: DER -> JSON -> DER identical, to stdout and to a file
expect 0 "$smctl" profile convert p.der --to json -o p.json
mode p.json
expect 0 "$smctl" profile convert p.json --to der -o p2.der
cmp -s p.der p2.der && ok || bad "DER -> JSON -> DER differs"
"$smctl" profile convert p.json --to der >p3.der && cmp -s p.der p3.der && ok ||
    bad "convert to stdout differs"
expect 2 "$smctl" profile convert p.der --to xml
# an edited JSON form with a mistake: refused with the member's path
sed 's/"identification": 1\b/"identification": "one"/' p.json >broken.json
expect 1 "$smctl" profile convert broken.json --to der -o broken.der
has stderr 'identification'

# check: clean package 0; an inconsistent one 1 with the element and field
expect 0 "$smctl" profile check p.der
has stdout '0 problems'
/usr/bin/python3 - p.json mismatch.json <<'PY'
import json, sys
pkg = json.load(open(sys.argv[1]))
for pe in pkg["profileElements"]:
    if "mf" in pe:
        for item in pe["mf"]["ef-iccid"]:
            if "fillFileContent" in item:
                item["fillFileContent"] = "98999000000000000070"
json.dump(pkg, open(sys.argv[2], "w"))
PY
expect 1 "$smctl" profile check mismatch.json
has stdout 'profileElements\[[0-9]*\].mf: ef-iccid holds ICCID'
expect 1 "$smctl" profile check --json mismatch.json
has stdout '"problems": *\[{'
# truncated and garbage DER: a clear error, exit 1
head -c 500 p.der >trunc.der
expect 1 "$smctl" profile check trunc.der
has stderr 'offset'
printf '\xff\xff\xff' >garbage.der
expect 1 "$smctl" profile dump garbage.der

# batch: CSV in, packages and HSS file out, progress bar, failed lines counted
{
    echo "iccid,imsi,k,opc,adm1"
    for i in 1 2 3 4 5; do
        iccid=$(/usr/bin/python3 -c '
import sys
p = "89999000000000010" + sys.argv[1]
t = sum((lambda d: d - 9 if d > 9 else d)(int(c) * (2 if i % 2 == 0 else 1))
        for i, c in enumerate(reversed(p)))
print(p + str((10 - t % 10) % 10))' "$i")
        echo "$iccid,99999000000010$i,000102030405060708090a0b0c0d0e0$i,f0e0d0c0b0a090807060504030201000,12345678"
    done
    echo "8999900000000001060,999990000000106,00,00,12345678"
} >subs.csv
expect 1 "$smctl" profile batch usim-minimal subs.csv --out pk1 --hss hss.csv --progress
has stdout '5 packages written to pk1, 1 lines failed; first: line 7'
has stderr '\[#*\] 7/7'
mode hss.csv
[[ $(stat -c %a pk1) == 700 ]] && ok || bad "pk1/ is not owner-only"
[[ $(ls pk1/*.der | wc -l) -eq 5 ]] && ok || bad "not 5 packages in pk1/"
for f in pk1/*.der; do mode "$f"; done
head -1 hss.csv | grep -qx 'iccid,imsi,k,opc,amf,sqn' && ok || bad "HSS header line"
[[ $(wc -l <hss.csv) -eq 6 ]] && ok || bad "HSS file has not 5 lines"
has hss.csv '^8999900000000001012,999990000000101,000102030405060708090a0b0c0d0e01,f0e0d0c0b0a090807060504030201000,8000,000000000000$'
# JSON lines, keys generated from the OP
printf '{"iccid": "8999900000000000006", "imsi": "999990000000001", "adm1": "12345678"}\n' >subs.jsonl
expect 0 "$smctl" profile batch usim-minimal subs.jsonl --out pk2 --hss hss2.csv --generate-keys \
    --op cdc202d5123e20f62b6d676ac72cb318
[[ $(wc -l <hss2.csv) -eq 2 ]] && ok || bad "generated-keys HSS file"
expect 2 "$smctl" profile batch usim-minimal subs.jsonl --out pk3 --op 1234
expect 2 "$smctl" profile batch usim-minimal subs.jsonl
# keys never reach the terminal
cat stdout stderr | grep -qi 'f0e0d0c0b0a0908070605040' && bad "a key was printed" || ok

# the reference profiles through the command line too, when present
if [[ -n $ts48 && -d $ts48 ]]; then
    for f in "$ts48"/*.der; do
        "$smctl" profile convert "$f" --to json -o ts.json && "$smctl" profile convert ts.json \
            --to der -o ts.der && cmp -s "$f" ts.der && ok || bad "$(basename "$f") round trip"
        expect 0 "$smctl" profile check "$f"
    done
else
    echo "check_smctl_profile: TS.48 profiles not found (${ts48:-none given}): that part skipped"
fi

echo "check_smctl_profile: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
