#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A test AuC for hostapd's EAP-SIM/AKA database interface (eap_sim_db=unix:PATH).

It answers the text datagrams of hostapd's hlr_auc_gw interface for the subscribers of an HSS
file (iccid,imsi,k,opc,amf,sqn as euicc-sim writes it), computing MILENAGE with the functions
of check_aka.py (AES blocks by the openssl command line: no code of the project):

  AKA-REQ-AUTH <IMSI>                 -> AKA-RESP-AUTH <IMSI> <RAND> <AUTN> <IK> <CK> <RES>
  AKA-AUTS <IMSI> <AUTS> <RAND>       resynchronisation (TS 33.102 6.3.5), no answer
  SIM-REQ-AUTH <IMSI> <max_chal>      -> SIM-RESP-AUTH <IMSI> Kc:SRES:RAND ... (USIM in a GSM
                                         context: conversion functions c2/c3, TS 33.102 6.8.1.2)

Unknown subscribers get FAILURE. SQN: the SEQ of TS 33.102 C.3 (IND 5 bits, IND kept 0) steps by
one per vector. Every request and answer is logged to the file given with --log (no keys).

usage: hlr_auc.py SOCKET HSS_FILE [--log FILE] [--sqn-ahead N]
"""
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_aka import milenage, xor  # noqa: E402

R = [64, 0, 32, 64, 96]
C = [bytes(15) + bytes([b]) for b in (0, 1, 2, 4, 8)]


def load(hss):
    subs = {}
    with open(hss) as f:
        for line in f.read().splitlines()[1:]:
            _, imsi, k, opc, amf, sqn = line.split(",")
            subs[imsi] = {"k": bytes.fromhex(k), "opc": bytes.fromhex(opc),
                          "amf": bytes.fromhex(amf), "seq": int(sqn, 16) >> 5}
    return subs


def aka_vector(s):
    s["seq"] += 1
    sqn = (s["seq"] << 5).to_bytes(6, "big")
    rand = os.urandom(16)
    mac_a, _, res, ck, ik, ak, _ = milenage(s["k"], s["opc"], rand, sqn, s["amf"], R, C)
    return rand, xor(sqn, ak) + s["amf"] + mac_a, ik, ck, res


def resync(s, auts, rand):
    _, _, _, _, _, _, ak_star = milenage(s["k"], s["opc"], rand, bytes(6), bytes(2), R, C)
    sqn_ms = xor(auts[:6], ak_star)
    _, mac_s, _, _, _, _, _ = milenage(s["k"], s["opc"], rand, sqn_ms, bytes(2), R, C)
    if mac_s != auts[6:]:
        return False
    s["seq"] = int.from_bytes(sqn_ms, "big") >> 5
    return True


def answer(subs, msg, log):
    words = msg.split()
    if len(words) < 2:
        return None
    cmd, imsi = words[0], words[1]
    s = subs.get(imsi)
    if cmd == "AKA-REQ-AUTH":
        if not s:
            return "AKA-RESP-AUTH %s FAILURE" % imsi
        rand, autn, ik, ck, res = aka_vector(s)
        log.write("vector %s SEQ %d\n" % (imsi, s["seq"]))
        return "AKA-RESP-AUTH %s %s %s %s %s %s" % (imsi, rand.hex(), autn.hex(), ik.hex(),
                                                     ck.hex(), res.hex())
    if cmd == "AKA-AUTS" and len(words) == 4:
        ok = s is not None and resync(s, bytes.fromhex(words[2]), bytes.fromhex(words[3]))
        log.write("resync %s %s\n" % (imsi, ("SEQ %d" % s["seq"]) if ok else "refused"))
        return None
    if cmd == "SIM-REQ-AUTH" and len(words) == 3:
        if not s:
            return "SIM-RESP-AUTH %s FAILURE" % imsi
        triplets = []
        for _ in range(min(int(words[2]), 3)):
            rand, _, ik, ck, res = aka_vector(s)
            sres = xor(res[:4], res[4:8])
            kc = xor(xor(ck[:8], ck[8:]), xor(ik[:8], ik[8:]))
            triplets.append("%s:%s:%s" % (kc.hex(), sres.hex(), rand.hex()))
        log.write("triplets %s %d\n" % (imsi, len(triplets)))
        return "SIM-RESP-AUTH %s %s" % (imsi, " ".join(triplets))
    return None


def main():
    path, hss = sys.argv[1], sys.argv[2]
    logpath = sys.argv[sys.argv.index("--log") + 1] if "--log" in sys.argv else os.devnull
    subs = load(hss)
    if "--sqn-ahead" in sys.argv:
        # the AuC believes in a SQN far ahead of the card's: the card must answer with AUTS
        for s in subs.values():
            s["seq"] += int(sys.argv[sys.argv.index("--sqn-ahead") + 1])
    if os.path.exists(path):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    with open(logpath, "a", buffering=1) as log:
        log.write("ready %d subscribers\n" % len(subs))
        while True:
            msg, peer = sock.recvfrom(4096)
            text = msg.decode(errors="replace").strip()
            log.write("< %s\n" % text.split(" ")[0])
            reply = answer(subs, text, log)
            if reply and peer:
                sock.sendto(reply.encode(), peer)


if __name__ == "__main__":
    main()
