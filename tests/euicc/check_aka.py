#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""euicc-sim aka against an independent computation.

MILENAGE (3GPP TS 35.206, with the profile's rotation and XOR constants) and the test algorithm
of TS 34.108 8.1.2 are computed here in Python, the AES blocks by the openssl command line: no
code of the project. For each package (the TS.48 reference profiles when present, and one
built from the project's MILENAGE template) the AKA parameters are read from its JSON form
(smctl profile convert), an AUTN is made for a fresh SQN, and `euicc-sim aka --profile` must
answer the same RES, CK and IK; a forged AUTN must fail. For a card made by `euicc-sim create`
the keys come from the provisioning HSS file and the answer must come from the card itself,
including AUTS for a replayed SQN, which must verify.

usage: check_aka.py SMCTL EUICC_SIM TS48_DIR WORKDIR
"""
import json
import os
import subprocess
import sys

passed = failed = 0


def check(what, cond):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("check_aka: FAILED: %s" % what)


def aes(key, block):
    out = subprocess.run(["openssl", "enc", "-aes-128-ecb", "-nopad", "-K", key.hex()],
                         input=block, capture_output=True, check=True).stdout
    return out[:16]


def xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b))


def rot(x, bits):
    n = int.from_bytes(x, "big")
    bits %= 128
    n = ((n << bits) | (n >> (128 - bits))) & ((1 << 128) - 1)
    return n.to_bytes(16, "big")


def milenage(k, opc, rand, sqn, amf, r, c):
    """TS 35.206 4.1: returns mac_a, mac_s, res, ck, ik, ak, ak_star."""
    temp = aes(k, xor(rand, opc))
    in1 = sqn + amf + sqn + amf
    out1 = xor(aes(k, xor(xor(temp, rot(xor(in1, opc), r[0])), c[0])), opc)
    outs = [xor(aes(k, xor(rot(xor(temp, opc), r[i]), c[i])), opc) for i in range(1, 5)]
    return out1[:8], out1[8:], outs[0][8:], outs[1], outs[2], outs[0][:6], outs[3][:6]


def milenage_autn(p, rand, sqn, amf):
    mac_a, _, res, ck, ik, ak, _ = milenage(p["k"], p["opc"], rand, sqn, amf, p["r"], p["c"])
    return xor(sqn, ak) + amf + mac_a, res, ck, ik


def xor_autn(p, rand, sqn, amf):
    """TS 34.108 8.1.2: XDOUT = K xor RAND, RES = XDOUT[0:n], CK/IK = XDOUT rotated by 1/2 bytes,
    AK = XDOUT[3:9], MAC = XDOUT[0:8] xor (SQN || AMF)."""
    xd = xor(p["k"], rand)
    ak = xd[3:9]
    mac = xor(xd[:8], sqn + amf)
    n = 16 if p["options"] & 3 == 2 else 8
    return xor(sqn, ak) + amf + mac, xd[:n], xd[1:] + xd[:1], xd[2:] + xd[:2]


def aka_params(smctl, der):
    pkg = json.loads(subprocess.run([smctl, "profile", "convert", der, "--to", "json"],
                                    check=True, capture_output=True, text=True).stdout)
    for pe in pkg["profileElements"]:
        ap = pe.get("akaParameter", {}).get("algoConfiguration", {}).get("algoParameter")
        if not ap:
            continue
        rotc = bytes.fromhex(ap.get("rotationConstants", "4000204060"))
        xorc = bytes.fromhex(ap.get("xoringConstants", "00" * 31 + "01" + "00" * 15 + "02" +
                                    "00" * 15 + "04" + "00" * 15 + "08"))
        return {"algo": ap["algorithmID"], "k": bytes.fromhex(ap["key"]),
                "opc": bytes.fromhex(ap["opc"]), "options": int(ap["algorithmOptions"], 16),
                "r": list(rotc), "c": [xorc[16 * i:16 * i + 16] for i in range(5)]}
    return None


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    return r.returncode, r.stdout.strip()


def expect_answer(what, out, res, ck, ik):
    check("%s: res" % what, "res=%s " % res.hex() in out + " ")
    check("%s: ck" % what, "ck=%s" % ck.hex() in out)
    check("%s: ik" % what, "ik=%s" % ik.hex() in out)


def profile_case(euicc, smctl, der, name):
    p = aka_params(smctl, der)
    if not p:
        check("%s has AKA parameters" % name, False)
        return
    rand = os.urandom(16)
    # a fresh SQN inside the USIM's wrap-around window (sqnDelta 2^28, TS 33.102 C.2.1)
    sqn = ((int.from_bytes(os.urandom(2), "big") + 1) << 5 | 3).to_bytes(6, "big")
    amf = bytes.fromhex("8000")
    autn, res, ck, ik = (milenage_autn if p["algo"] == 1 else xor_autn)(p, rand, sqn, amf)
    rc, out = run([euicc, "aka", "--profile", der, "--rand", rand.hex(), "--autn", autn.hex()])
    check("%s: exit 0 (%s)" % (name, out), rc == 0)
    expect_answer(name, out, res, ck, ik)
    bad = autn[:-1] + bytes([autn[-1] ^ 1])
    rc, out = run([euicc, "aka", "--profile", der, "--rand", rand.hex(), "--autn", bad.hex()])
    check("%s: forged AUTN refused" % name, rc == 1 and "MAC failure" in out)
    print("check_aka: %s (%s): RES/CK/IK as computed independently" %
          (name, "MILENAGE" if p["algo"] == 1 else "test algorithm"))


def card_case(euicc, conf, hss):
    with open(hss) as f:
        lines = f.read().splitlines()[1:]
    iccid, imsi, k, opc, _, _ = lines[0].split(",")
    eid = run([euicc, "-c", conf, "list"])[1].splitlines()[0].split()[0]
    p = {"k": bytes.fromhex(k), "opc": bytes.fromhex(opc), "r": [64, 0, 32, 64, 96],
         "c": [bytes(15) + bytes([b]) for b in (0, 1, 2, 4, 8)]}
    rand = os.urandom(16)
    amf = bytes.fromhex("8000")

    def sqn_ms_of(auts):
        _, _, _, _, _, _, ak_star = milenage(p["k"], p["opc"], rand, bytes(6), bytes(2), p["r"],
                                             p["c"])
        return xor(auts[:6], ak_star)

    # as an AuC does: a SQN far beyond the window gives AUTS, which tells the card's SQN_MS;
    # the next SEQ after it is fresh (TS 33.102 C.3)
    far = ((1 << 40) << 5 | 7).to_bytes(6, "big")
    autn, _, _, _ = milenage_autn(p, rand, far, amf)
    rc, out = run([euicc, "-c", conf, "aka", "--eid", eid, "--rand", rand.hex(), "--autn",
                   autn.hex()])
    check("card: SQN beyond sqnDelta answered with AUTS (%s)" % out, out.startswith("auts="))
    base = int.from_bytes(sqn_ms_of(bytes.fromhex(out[5:])), "big") if out.startswith("auts=") \
        else 0
    sqn = ((((base >> 5) + 1) << 5) | 7).to_bytes(6, "big")
    autn, res, ck, ik = milenage_autn(p, rand, sqn, amf)
    rc, out = run([euicc, "-c", conf, "aka", "--eid", eid, "--rand", rand.hex(), "--autn",
                   autn.hex()])
    check("card %s: exit 0 (%s)" % (eid, out), rc == 0)
    expect_answer("card " + eid, out, res, ck, ik)
    # the same SQN again: AUTS = (SQN_MS xor AK*) || MAC-S(SQN_MS, AMF 0000), SQN_MS = sqn
    rc, out = run([euicc, "-c", conf, "aka", "--eid", eid, "--rand", rand.hex(), "--autn",
                   autn.hex()])
    check("card: replay answered with AUTS (%s)" % out, rc == 0 and out.startswith("auts="))
    if out.startswith("auts="):
        auts = bytes.fromhex(out[5:])
        sqn_ms = sqn_ms_of(auts)
        _, mac_s, _, _, _, _, _ = milenage(p["k"], p["opc"], rand, sqn_ms, bytes(2), p["r"],
                                           p["c"])
        check("card: AUTS carries the SQN accepted", sqn_ms == sqn)
        check("card: AUTS MAC-S verifies", mac_s == auts[6:])
    print("check_aka: card %s answers with its provisioning profile" % eid)


def main():
    smctl, euicc, ts48, work = sys.argv[1:5]
    os.makedirs(work, exist_ok=True)
    if os.path.isdir(ts48):
        for f in sorted(os.listdir(ts48)):
            if f.endswith(".der"):
                profile_case(euicc, smctl, os.path.join(ts48, f), f)
    else:
        print("check_aka: SKIPPED the TS.48 profiles: %s not found" % ts48)
    # a package from the project's MILENAGE template
    params = os.path.join(work, "params.json")
    der = os.path.join(work, "milenage.der")
    with open(params, "w") as f:
        json.dump({"iccid": "8999900000000000006", "imsi": "001010000000001",
                   "k": os.urandom(16).hex(), "opc": os.urandom(16).hex(), "adm1": "12345678"},
                  f)
    subprocess.run([smctl, "profile", "build", "usim-minimal", params, "-o", der], check=True,
                   capture_output=True)
    profile_case(euicc, smctl, der, "usim-minimal template")
    conf = os.path.join(work, "sim.conf")
    if os.path.exists(conf):
        card_case(euicc, conf, os.path.join(work, "provisioning-hss.csv"))
    print("check_aka: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
