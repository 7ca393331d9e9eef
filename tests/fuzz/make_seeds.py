#!/usr/bin/python3
"""Write starting corpora for the fuzz harnesses from the project's vector files.

usage: make_seeds.py VECTOR_DIR OUT_DIR [SMCTL]   (creates OUT_DIR/<harness>/seed-N)
Seeds only guide the fuzzer towards the interesting formats; the harnesses run without them.
With SMCTL, packages personalised from the shipped templates (DER and JSON form) seed the
profile harnesses.
"""
import json
import pathlib
import subprocess
import sys
import tempfile

vec = pathlib.Path(sys.argv[1])
out = pathlib.Path(sys.argv[2])
seeds = {k: [] for k in ("tlv", "apdu", "sms", "scp80", "scp03", "gpcert", "profile",
                         "profile_json", "smpp", "euicc", "smsr_es5", "auc_gw", "hss_csv",
                         "batch_csv")}


def load(name):
    return json.loads((vec / name).read_text())


def h(s):
    return bytes.fromhex(s)


crt = h("a615900203099501108001888101108201018301309100")
cert = h("7f2181a5" "930102" "420102" "5f200102" "950188" "5f240421450101" "7303c80101"
         "7f4946b041" "04" + "11" * 64 + "f00100" "5f3740" + "00" * 64)
seeds["tlv"] += [crt, cert, h("4f10a0000005591010ffffffff8900000100"), h("e316" "4f10" + "aa" * 16 + "9f70013f")]
seeds["gpcert"] += [cert]
# the SM-SR's card input (first byte: the decoder), recorded card answers and a card-like notification
seeds["smsr_es5"] += [b"\x00" + h("ab0780010123029000"), b"\x00" + h("af80230269e10000"),
                      b"\x01" + h("ff210d810101820400077e3083023a92"),
                      b"\x02" + h("e3164f10a0000005591010ffffffff89000013009f70013f"),
                      b"\x03" + h("e1354c1089001012012341234012345678901224" "4d0102" "4e020000"
                                   "4f10a0000005591010ffffffff8900001300" "14083a45990057918503"),
                      # EstablishISDRKeySet answers: the card's challenge (RC of the recorded
                      # key establishment), a receipt after a DR
                      b"\x04" + h("8510000102030405060708090a0b0c0d0e0f"),
                      b"\x04" + h("8510" + "5a" * 16 + "8610" + "a5" * 16)]
seeds["apdu"] += [h("80e2910006bf3e035c015a00"), h("80f22002"), h("00b0000000ffff"),
                  h("ae80840a3000ea8dd0473629b2660000"), h("ab0780010123029000"),
                  h("aa0a220880e28800033a0400"), h("00a40004023f0000b000000a")]
for v in load("scp80.json")["vectors"]:
    pkt = h(v["command_packet"])
    sel = b"\x00" if v["algo_crypt"] == "aes_cbc" else b"\x03"
    seeds["scp80"].append(sel + pkt)
    seeds["scp80"].append(sel + h(v["response"]["udh_and_response_packet"]))
    if "sms_deliver_tpdu" in v:
        t = bytearray(h(v["sms_deliver_tpdu"]))
        ud = h(v["user_data"])
        t[len(t) - len(ud) - 1] = len(ud)  # the published TPDUs carry a wrong TP-UDL
        seeds["sms"].append(bytes(t))
        seeds["sms"].append(b"\x00" + ud)
s = load("sgp02-scp03t.json")["vectors"][0]
seeds["scp03"] += [h(s["cmd_84"]), h(s["cmd_85"]), h(s["rsp_84"]), h(s["segments"][0]["wrapped_tlv"]), crt]
for v in load("scp03-kdf.json")["vectors"][:2]:
    seeds["scp03"] += [h(x["wrapped"]) for x in v["sequence"] if x.get("type") == "command"]


def profile_seeds(smctl):
    """One package per shipped template, whole and element by element, and its JSON form."""
    params = {"iccid": "8999900000000000006", "imsi": "999990000000001", "k": "11" * 16,
              "opc": "22" * 16, "adm1": "12345678", "impi": "1@ims.example.org",
              "impu": "sip:1@ims.example.org", "domain": "ims.example.org"}
    out = subprocess.run([smctl, "profile", "templates", "--json"], check=True,
                         capture_output=True, text=True).stdout
    with tempfile.TemporaryDirectory() as tmp:
        for line in out.splitlines():
            t = json.loads(line)
            p = pathlib.Path(tmp) / "p.json"
            der = pathlib.Path(tmp) / "p.der"
            p.write_text(json.dumps({k: v for k, v in params.items() if k in t["parameters"]}))
            subprocess.run([smctl, "profile", "build", t["template"], str(p), "-o", str(der)],
                           check=True, capture_output=True)
            data = der.read_bytes()
            seeds["profile"].append(data)
            seeds["euicc"].append(b"\x00" + data)
            seeds["profile_json"].append(subprocess.run(
                [smctl, "profile", "convert", str(der), "--to", "json"], check=True,
                capture_output=True).stdout)
            # each element alone, so that mutations reach the inside of every kind
            pos = 0
            while pos < len(data):
                n = data[pos + 1] if data[pos] & 0x1f != 0x1f else data[pos + 2]
                hdr = 2 if data[pos] & 0x1f != 0x1f else 3
                if n & 0x80:
                    k = n & 0x7f
                    n = int.from_bytes(data[pos + hdr:pos + hdr + k], "big")
                    hdr += k
                seeds["profile"].append(data[pos:pos + hdr + n])
                pos += hdr + n

# SMPP: a bind_transceiver, a submit_sm carrying SMS-PP (UDHI, PID 7F, DCS F6), a
# deliver_sm_resp; lengths are computed so the seeds are well-formed PDUs


def pdu(cmd, seq, body):
    return (16 + len(body)).to_bytes(4, "big") + cmd.to_bytes(4, "big") + bytes(4) + \
        seq.to_bytes(4, "big") + body


seeds["smpp"] += [
    pdu(0x00000009, 1, b"smsr\0pw\0\0" + h("340101") + b"4479\0"),
    pdu(0x00000004, 2, b"\0" + h("0101") + b"447900000001\0" + h("0101") + b"4479\0" +
        h("407f00") + b"\0\0" + h("0100f600") + bytes([12]) + h("027000000616121200000102")),
    pdu(0x80000005, 3, b"\0"),
]
# the card: ISD-R APDUs (GET DATA FF21, GET STATUS, a STORE DATA) and an SMS-DELIVER
seeds["euicc"] += [b"\x01" + bytes([5]) + h("80caff2100"),
                   b"\x01" + bytes([8]) + h("80f24002024f00") + b"\x00",
                   b"\x01" + bytes([10]) + h("80e28800053a05024f00") + b"\x00"]
for v in load("scp80.json")["vectors"]:
    if "sms_deliver_tpdu" in v:
        t = bytearray(h(v["sms_deliver_tpdu"]))
        ud = h(v["user_data"])
        t[len(t) - len(ud) - 1] = len(ud)
        seeds["euicc"].append(b"\x02" + bytes(t))

# auc-gw: requests of each kind for the harness's two subscribers and an unknown IMSI; an
# AKA-AUTS with a zero MAC-S, which the harness makes valid (SQN_MS in clear), one with junk;
# malformed lines
known, unknown = ["001010000000001", "001010000000002"], "001010000000099"
for imsi in known + [unknown]:
    seeds["auc_gw"] += [f"AKA-REQ-AUTH {imsi}".encode(), f"SIM-REQ-AUTH {imsi} 3".encode(),
                        f"AKA-AUTS {imsi} {'00000000ab40' + '00' * 8} {'5a' * 16}".encode(),
                        f"AKA-AUTS {imsi} {'c3' * 14} {'a5' * 16}".encode()]
# the card's SQN_MS near the end of the 48 bits: the vectors that follow must not wrap
seeds["auc_gw"] += [f"AKA-AUTS {known[1]} {'ffffffffffc0' + '00' * 8} {'5a' * 16}".encode()]
seeds["auc_gw"] += [b"SIM-REQ-AUTH 001010000000002 1", b"SIM-REQ-AUTH 001010000000001 -7",
                    b"SIM-REQ-AUTH 001010000000001 99999999999999999999",
                    b"AKA-REQ-AUTH\t001010000000002\n", b"AKA-REQ-AUTH 001010000000001 more",
                    b"AKA-AUTS 001010000000001 00000000ab40", b"AKA-AUTS 001010000000001 zz zz",
                    b"AKA-REQ-AUTH 12345", b"AKA-REQ-AUTH 0010100000000012", b"AKA-REQ-AUTH",
                    b"HELLO 001010000000001", b"", b"AKA-REQ-AUTH 00101000000000\x001"]
# HSS lines: good ones (with and without ICCID, CRLF), wrong lengths, a bad check digit, extra
# columns, the header
k, opc = "000102030405060708090a0b0c0d0e0f", "0f0e0d0c0b0a09080706050403020100"
good = f"8999901000000000013,001010000000001,{k},{opc},8000,000000000000"
seeds["hss_csv"] += [good.encode(), (good + "\r\n").encode(), (good + "\n").encode(),
                     f",001010000000002,{k.upper()},{opc},8000,0000000000e0\n".encode(),
                     good.replace(k, k[:30]).encode(), good.replace("8000", "800").encode(),
                     good.replace(",000000000000", ",0000000000").encode(),
                     good.replace("8999901000000000013", "8999901000000000014").encode(),
                     (good + ",extra").encode(), b"iccid,imsi,k,opc,amf,sqn", b",,,,,"]
# smctl batch files; the first byte picks the function (fuzz_batch_csv.c): 0 es2.downloadProfile,
# 1 es4.auditEIS, 2 es3.createISDP, 3 es2.updatePolicyRules, 4 es1.registerEIS,
# 5 es7.createAdditionalKeySet
eid, iccid = "89049032000000000000000000000163", "8999901000000000013"
eis = json.dumps({"eid": eid, "eumId": "eum1", "profiles": [{"iccid": iccid}]})
pol2 = json.dumps({"rule": [{"action": "disable"}]})
keyset = ("eid,keyVersionNumber,initialSequenceCounter,eccKeyLength,scenarioParameter,hostId,"
          "ephemeralPublicKey,signature")


def batch(fn, *lines):
    return bytes([fn]) + "".join(line + "\n" for line in lines).encode()


def quoted(cell):
    return '"' + cell.replace('"', '""') + '"'


seeds["batch_csv"] += [
    batch(0, "eid,profileType,enableProfile", "# a comment", "", f"{eid},iot,false\r",
          f'{eid},"m2m",yes'),
    batch(0, "eid,profile-type,enable-profile,smsr-id,iccid", f"{eid},iot,1,smsr1,{iccid}"),
    batch(0, json.dumps({"eid": eid, "enableProfile": True}),
          json.dumps({"eid": eid, "profileType": "iot", "enableProfile": False})),
    batch(0, "eid,nosuch", f"{eid},x"), batch(0, "eid,enableProfile", f"{eid},maybe"),
    batch(1, "eid,iccid,iccid", f"{eid},{iccid},89999010000000000021", f"{eid},,"),
    batch(2, "eid,iccid,mnoId,requiredMemory,moreToDo", f"{eid},{iccid},mno1,65536,false",
          f"{eid},{iccid},mno1,12k,"),
    batch(3, "eid,iccid,pol2", f"{eid},{iccid},{quoted(pol2)}", f"{eid},{iccid},{quoted('[1,2]')}"),
    batch(4, eis, "[]"), batch(4, "eis", quoted(eis)),
    batch(5, keyset, f"{eid},70,0,256,17,0102,04aa,bb"),
]

if len(sys.argv) > 3:
    profile_seeds(sys.argv[3])

for name, items in seeds.items():
    d = out / name
    d.mkdir(parents=True, exist_ok=True)
    for i, data in enumerate(items):
        (d / f"seed-{i}").write_bytes(data)
print(f"make_seeds: {sum(len(x) for x in seeds.values())} seeds written to {out}")
