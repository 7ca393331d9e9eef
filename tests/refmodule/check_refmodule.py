#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Packages built from the shipped templates, read back by an independent decoder.

smctl builds one package per shipped template with non-default values for every parameter;
pp_refcheck (the published TCA module compiled by asn1c, no project code) decodes each element,
checks constraints and re-encoding, and prints it as XER. This script then finds every
personalised value in the field where it belongs, with the encodings computed here, in Python,
from the standards (TS 31.102 EF.ICCID / EF.IMSI / EF.MSISDN, SAIP header ICCID, PIN coding).

usage: check_refmodule.py SMCTL PP_REFCHECK REFERENCE_MODULE   (exit 77: reference absent)
"""
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

PIN_REFS = {"pinAppl1": 1, "adm1": 10, "secondPINAppl1": 129}
PUK_REFS = {"pukAppl1": 1, "secondPUKAppl1": 129}


def luhn(payload):
    total = 0
    for i, c in enumerate(reversed(payload)):
        d = int(c) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return payload + str((10 - total % 10) % 10)


def swapped_bcd(digits, size):
    digits += "f" * (2 * size - len(digits))
    return "".join(digits[i + 1] + digits[i] for i in range(0, 2 * size, 2))


def ef_imsi(imsi):
    # TS 31.102 4.2.2: length, then parity nibble 9 (odd) / 1 (even) before the digits
    nibbles = ("9" if len(imsi) % 2 else "1") + imsi
    body = swapped_bcd(nibbles, (len(nibbles) + 1) // 2)
    return "%02x" % (len(body) // 2) + body + "ff" * (8 - len(body) // 2)


def adn_number(number):
    # TS 31.102 4.2.26 / TS 24.008 10.5.4.7: length, TON/NPI, BCD digits F-filled to 10 bytes
    digits = number.lstrip("+")
    ton = "91" if number.startswith("+") else "81"
    bcd = swapped_bcd(digits, (len(digits) + 1) // 2)
    return "%02x" % (1 + len(bcd) // 2) + ton + bcd + "f" * (20 - len(bcd))


def pin(value):
    return value.encode().hex() + "ff" * (8 - len(value))


def nai(text):
    return "80%02x" % len(text) + text.encode().hex()


def key_ref(node, names):
    if node is None:
        return None
    if node.text and node.text.strip():
        return int(node.text)
    return names.get(node[0].tag) if len(node) else None


def contents(element, file_name):
    f = element.find(file_name)
    return [c.text.lower() for c in f.iter("fillFileContent")] if f is not None else []


def main():
    smctl, refcheck, module = sys.argv[1:4]
    if not refcheck or not os.path.exists(module):
        print("SKIPPED: published module %s not found: no independent decoder" % module)
        return 77
    out = subprocess.run([smctl, "profile", "templates", "--json"], check=True,
                         capture_output=True, text=True).stdout
    templates = [json.loads(line) for line in out.splitlines() if line.strip()]
    failures = 0
    checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        for n, tmpl in enumerate(templates):
            declared = tmpl["parameters"]
            imsi = "99999%010d" % (1234567 + n)
            p = {
                "iccid": luhn("89999%013d" % (4242 + n)),
                "imsi": imsi,
                "k": "%032x" % (0x1c2b3a49586776859493a2b1c0dfee0 + n),
                "opc": "%032x" % (0xf1e2d3c4b5a6978879695a4b3c2d1e0 + n),
                "msisdn": "+4915112345678",
                "smsc": "+4917200000",
                "pin1": "2468",
                "pin2": "13579",
                "puk1": "98765432",
                "puk2": "23456789",
                "adm1": "40414243",
                "pol1": "02",
                "sqnOptions": "0a",
            }
            if "impi" in declared:
                p["impi"] = imsi + "@ims.mnc999.mcc999.3gppnetwork.org"
                p["impu"] = "sip:" + p["impi"]
                p["domain"] = "ims.mnc999.mcc999.3gppnetwork.org"
                p["suciCalcInfo"] = "a00400010201"
            params = {k: v for k, v in p.items() if k in declared}
            pfile = os.path.join(tmp, "params.json")
            der = os.path.join(tmp, tmpl["template"] + ".der")
            with open(pfile, "w") as f:
                json.dump(params, f)
            subprocess.run([smctl, "profile", "build", tmpl["template"], pfile, "-o", der],
                           check=True, capture_output=True)
            r = subprocess.run([refcheck, der], capture_output=True, text=True)
            sys.stdout.write(r.stderr)
            if r.returncode != 0:
                failures += 1
                continue
            pes = [ET.fromstring(line)[0] for line in r.stdout.splitlines() if line]
            by = {}
            for pe in pes:
                by.setdefault(pe.tag, []).append(pe)

            def expect(what, cond):
                nonlocal failures, checked
                checked += 1
                if not cond:
                    failures += 1
                    print("  %s: %s NOT found in the published module's reading"
                          % (tmpl["template"], what))

            before = failures
            hdr = by["header"][0]
            # the header's ICCID: digits in natural order, F-padded (SAIP ProfileHeader)
            expect("header iccid", hdr.findtext("iccid").lower() == params["iccid"].ljust(20, "f"))
            expect("header pol", (hdr.findtext("pol") or "").lower() == params["pol1"])
            expect("EF.ICCID", swapped_bcd(params["iccid"], 10)
                   in contents(by["mf"][0], "ef-iccid"))
            expect("EF.IMSI", ef_imsi(imsi) in contents(by["usim"][0], "ef-imsi"))
            msisdn = [c for e in by.get("opt-usim", []) + by["usim"]
                      for c in contents(e, "ef-msisdn")]
            expect("EF.MSISDN", any(c.endswith(adn_number(params["msisdn"]) + "ffff")
                                    for c in msisdn))
            smsp = [c for e in by["usim"] for c in contents(e, "ef-smsp")]
            expect("EF.SMSP", any(adn_number(params["smsc"]) in c for c in smsp))
            aka = by["akaParameter"][0]
            expect("K", aka.findtext(".//key").lower() == params["k"])
            expect("OPc", aka.findtext(".//opc").lower() == params["opc"])
            expect("sqnOptions", (aka.findtext("sqnOptions") or "").lower() == "0a")
            pins = {(key_ref(c.find("keyReference"), PIN_REFS), c.findtext("pinValue").lower())
                    for e in by["pinCodes"] for c in e.iter("PINConfiguration")}
            expect("PIN1", (1, pin(params["pin1"])) in pins)
            expect("PIN2", (129, pin(params["pin2"])) in pins)
            expect("ADM1", (10, pin(params["adm1"])) in pins)
            puks = {(key_ref(c.find("keyReference"), PUK_REFS), c.findtext("pukValue").lower())
                    for e in by["pukCodes"] for c in e.iter("PUKConfiguration")}
            expect("PUK1", (1, pin(params["puk1"])) in puks)
            expect("PUK2", (129, pin(params["puk2"])) in puks)
            if "impi" in params:
                isim = by["isim"][0]
                expect("EF.IMPI", nai(params["impi"]) in contents(isim, "ef-impi"))
                expect("EF.IMPU", nai(params["impu"]) in contents(isim, "ef-impu"))
                expect("EF.DOMAIN", nai(params["domain"]) in contents(isim, "ef-domain"))
                expect("EF.SUCI_Calc_Info", params["suciCalcInfo"]
                       in contents(by["df-5gs"][0], "ef-suci-calc-info"))
            print("%s: %d elements decoded by the published module, %s"
                  % (tmpl["template"], len(pes), "personalised values in place"
                     if failures == before else "VALUES MISSING"))
    print("%d passed, %d failed" % (checked - failures, failures))
    return 1 if failures or not templates else 0


if __name__ == "__main__":
    sys.exit(main())
