#!/usr/bin/env bash
# The SM-DP's profile inventory from the command line, as an operator fills it: profile types,
# subscriptions generated from ranges and loaded from a batch file (all or nothing), the HSS
# file (owner-only), the counts; refusals with exit codes (1 refused, 2 usage) and messages that
# name the problem; no K or OPc in clear anywhere in the database files.
# usage: check_smdp_inventory.sh SMDP SMCTL
set -uo pipefail
smdp=$(realpath "$1") smctl=$(realpath "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
name=check_smdp_inventory
source "$(dirname "$(realpath "$0")")/check_lib.sh"
cd "$tmp" || exit 1
umask 022

"$smctl" pki init pki >/dev/null || { echo "$name: pki init failed"; exit 1; }
cat >smdp.conf <<'CONF'
test_mode = yes
id = 2.999.1.1
[tls]
cert = pki/smdp.crt
key = pki/smdp.key
client_ca = pki/ca.crt
[db]
path = smdp.db
[keystore]
kek_file = smdp.kek
CONF
sd() { "$smdp" -c smdp.conf "$@"; }
expect 0 sd entity import pki/pki.json
MNO=2.999.10.1

# profile types: the MNO must exist, the template must, secrets are not a type's
expect 1 sd profile-type set 2.999.10.9 iot --template usim-minimal
has stderr "not the OID of an MNO"
expect 1 sd profile-type set $MNO iot --template no-such-template
has stderr no-such-template
expect 2 sd profile-type set $MNO iot --template usim-minimal --param k=00
has stderr "belongs to each subscription"
expect 1 sd profile-type set $MNO iot --template usim-minimal --param nosuch=1
has stderr "no parameter nosuch"
expect 2 sd profile-type set $MNO iot --template usim-minimal --on-delete keep
expect 0 sd profile-type set $MNO iot --template usim-minimal --memory 24000 \
    --param spn=01534750303220534d2074657374ffffff --pol2 '[]'
expect 0 sd profile-type show $MNO iot
has stdout "memory 24000"
has stdout "on-delete release"

# generation from ranges: ICCIDs with their Luhn digit, IMSIs counting up, OPc from OP
expect 1 sd subscriptions generate $MNO iot --iccid 8999901000000000001 --imsi 001010000000001 \
    --count 3
has stderr "not an ICCID"
expect 1 sd subscriptions generate $MNO nosuch --iccid 8999901000000000005 --imsi 001010000000001 \
    --count 3
has stderr "no profile type nosuch"
expect 0 sd subscriptions generate $MNO iot --iccid 8999901000000000005 --imsi 001010000000001 \
    --count 3 --op 000102030405060708090a0b0c0d0e0f --hss gen-hss.csv
mode gen-hss.csv
[[ $(wc -l <gen-hss.csv) -eq 4 ]] && ok || bad "gen-hss.csv: $(cat gen-hss.csv)"
has gen-hss.csv "^8999901000000000013,001010000000002,"
/usr/bin/python3 - gen-hss.csv <<'PY' && ok || bad "OPc is not f(K, OP)"
# OPc = AES-K(OP) xor OP (TS 35.206), computed with the openssl command
import subprocess, sys
op = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
for line in list(open(sys.argv[1]))[1:]:
    k, opc = line.split(",")[2:4]
    enc = subprocess.run(["openssl", "enc", "-aes-128-ecb", "-nopad", "-K", k], input=op,
                         capture_output=True, check=True).stdout
    assert bytes(a ^ b for a, b in zip(enc, op)).hex() == opc, line
PY
expect 2 sd subscriptions generate $MNO iot --iccid 8999901000000000005 --imsi 001010000000001 \
    --count 3x
expect 2 sd subscriptions generate $MNO iot --iccid 8999901000000000005 --imsi 001010000000001 \
    --count 0
# the same range again: nothing stored, no HSS file
expect 1 sd subscriptions generate $MNO iot --iccid 8999901000000000005 --imsi 001010000000009 \
    --count 2 --hss again.csv
has stderr "in the inventory already"
has stderr "nothing loaded"
[[ ! -e again.csv ]] && ok || bad "an HSS file was left for a refused generation"

# a batch file from the MNO: one bad line refuses the whole file
cat >batch.csv <<'CSV'
iccid,imsi,k,opc,adm1,msisdn
8999902000000000004,001010000000101,11111111111111111111111111111111,22222222222222222222222222222222,12345678,+491700000101
8999902000000000012,001010000000102,33333333333333333333333333333333,44444444444444444444444444444444,23456789,
8999902000000000020,001010000000103,55555555555555555555555555555555,66666666666666666666666666666666,34567890,
CSV
sed 's/8999902000000000012/8999902000000000013/' batch.csv >bad.csv
expect 1 sd subscriptions load $MNO iot bad.csv --hss bad-hss.csv
has stderr "1 line refused"
has stderr "iccid"
[[ ! -e bad-hss.csv ]] && ok || bad "an HSS file was left for a refused load"
expect 1 sd subscriptions load $MNO iot no-such-file.csv
expect 0 sd subscriptions load $MNO iot batch.csv --batch mno-2026-12 --hss load-hss.csv
has stdout "3 subscriptions"
mode load-hss.csv
has load-hss.csv "^8999902000000000004,001010000000101,11111111111111111111111111111111,22222222222222222222222222222222,8000,"
expect 1 sd subscriptions load $MNO iot batch.csv
has stderr "in the inventory already"
expect 2 sd subscriptions load $MNO iot
expect 2 sd subscriptions frobnicate

# the counts
expect 0 sd inventory
has stdout "2.999.10.1 *iot *available *6"
expect 0 sd inventory 2.999.10.2
[[ $(wc -l <"$tmp/stdout") -eq 1 ]] && ok || bad "another MNO has subscriptions"

# no key in clear in the database files, as hex or as bytes
/usr/bin/python3 - smdp.db* <<'PY' && ok || bad "a key is in clear in the database"
import sys
keys = ["11111111111111111111111111111111", "22222222222222222222222222222222",
        "55555555555555555555555555555555"]
keys += [l.split(",")[2] for l in list(open("gen-hss.csv"))[1:]]
data = b"".join(open(f, "rb").read() for f in sys.argv[1:])
for k in keys:
    assert k.encode() not in data and bytes.fromhex(k) not in data, k
PY

echo "$name: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
