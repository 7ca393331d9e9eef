#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""auc-gw on its own: hostapd's AuC datagrams answered for an HSS file's subscribers, checked
with an independent MILENAGE (tests/euicc/check_aka.py: AES by the openssl command line).

- AKA-REQ-AUTH: AUTN's MAC-A and SQN, RES, CK and IK are MILENAGE's for the subscriber's K/OPc;
  each vector has a new SEQ (TS 33.102 C.3, IND 0);
- SIM-REQ-AUTH: the asked number of triplets (at most 3), SRES and Kc by c2/c3;
- AKA-AUTS: a valid AUTS moves SEQ to the card's, the next vector is one past it; an AUTS with
  a wrong MAC-S changes nothing;
- an unknown IMSI gets FAILURE; malformed datagrams get no answer and do not stop it;
- 400 requests from 40 clients at once: all answered, no SEQ twice;
- restarted on the same database and loaded again from the same file, it goes on past the SEQ
  it reached (a sequence number is never reused; the rest of a reserved block is skipped), with
  the IND it is given (--ind);
- with SMCTL: `smctl subscriber add|import|list|remove` on the database of the running auc-gw
  counts at once; a file with a bad row is refused with its line; keys never show.
usage: check_auc_gw.py AUC_GW [SMCTL]
"""
import atexit
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "euicc"))
import check_aka  # noqa: E402
from check_aka import check, milenage, xor  # noqa: E402

R = [64, 0, 32, 64, 96]
C = [bytes(15) + bytes([b]) for b in (0, 1, 2, 4, 8)]
SUBS = [("8999901000000000013", "001010000000001", "000102030405060708090a0b0c0d0e0f",
         "0f0e0d0c0b0a09080706050403020100", "8000", "000000000000"),
        ("8999901000000000021", "001010000000002", "101112131415161718191a1b1c1d1e1f",
         "1f1e1d1c1b1a19181716151413121110", "8000", "000000000a00")]


class Client:
    def __init__(self, server, tmp, name):
        self.path = os.path.join(tmp, "c-" + name)
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.s.bind(self.path)
        self.s.settimeout(5)
        self.server = server

    def ask(self, text, answer=True):
        self.s.sendto(text.encode(), self.server)
        if not answer:
            return None
        return self.s.recv(4096).decode()


def check_vector(sub, words):
    _, imsi, k, opc, amf, _ = sub
    rand, autn, ik, ck, res = (bytes.fromhex(w) for w in words[2:7])
    k, opc, amf = bytes.fromhex(k), bytes.fromhex(opc), bytes.fromhex(amf)
    # the SQN under AK, then MAC-A over it
    _, _, res2, ck2, ik2, ak, _ = milenage(k, opc, rand, bytes(6), amf, R, C)
    sqn = xor(autn[:6], ak)
    mac_a, _, _, _, _, _, _ = milenage(k, opc, rand, sqn, amf, R, C)
    ok = autn[6:8] == amf and autn[8:] == mac_a and res == res2 and ck == ck2 and ik == ik2
    return ok, int.from_bytes(sqn, "big")


def start(aucgw, tmp, sock, *extra):
    if os.path.exists(sock):
        os.unlink(sock)
    p = subprocess.Popen([aucgw, "--socket", sock, "--subscribers", os.path.join(tmp, "hss.csv"),
                          "--db", os.path.join(tmp, "auc.db"), "--kek",
                          os.path.join(tmp, "auc.kek"), "--create-kek", "--threads", "8", *extra],
                         stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "auc.log"), "a"))
    # never left running when a check raises
    atexit.register(lambda: p.poll() is None and p.kill())
    for _ in range(100):
        if os.path.exists(sock):
            break
        time.sleep(0.05)
    return p


def smctl_checks(smctl, tmp, sock, last):
    """smctl subscriber against the database of the running auc-gw; returns the highest SQN of
    SUBS[0] it saw."""
    db = ["--db", os.path.join(tmp, "auc.db"), "--kek", os.path.join(tmp, "auc.kek")]

    def run(*args, stdin=""):
        r = subprocess.run([smctl, "subscriber", *db, *args], input=stdin, capture_output=True,
                           text=True)
        return r.returncode, r.stdout + r.stderr, r.stdout

    c = Client(sock, tmp, "smctl")
    new = ("8999901000000000039", "001010000000003", "202122232425262728292a2b2c2d2e2f",
           "2f2e2d2c2b2a29282726252423222120", "8000", "000000000000")
    check("unknown before it is added",
          c.ask("AKA-REQ-AUTH " + new[1]).endswith(" FAILURE"))
    rc, out, _ = run("add", new[1], "--iccid", new[0], stdin=new[2] + " " + new[3] + "\n")
    check("smctl subscriber add (%s)" % out.strip(), rc == 0)
    ok, sqn = check_vector(new, c.ask("AKA-REQ-AUTH " + new[1]).split())
    check("a subscriber added by smctl is served at once, no restart", ok and sqn == 1 << 5)
    rc, out, _ = run("add", "001010000000004", stdin="00112233 44556677\n")
    check("add: short keys refused (exit 2)", rc == 2 and "32 hex" in out)
    rc, out, _ = run("add", "001010000000004", stdin=new[2] + " " + new[3] + " extra\n")
    check("add: anything after the keys refused (exit 2)", rc == 2)
    rc, out, _ = run("add", "00101000000000X", stdin=new[2] + " " + new[3] + "\n")
    check("add: a bad IMSI refused (exit 2)", rc == 2)
    rc, out, rows = run("list")
    rows = [line.split() for line in rows.splitlines()]
    check("list: three subscribers, no key", len(rows) == 3 and new[2] not in out and
          SUBS[0][2] not in out and "3 subscribers" in out)
    # one vector handed out: auc-gw reserved a block of 32 SEQs (its default --seq-block)
    check("list: the SQN reserved for the new one", [r[3] for r in rows if r[0] == new[1]] ==
          ["%012x" % (32 << 5)])
    bad = os.path.join(tmp, "bad.csv")
    with open(bad, "w") as f:
        f.write("iccid,imsi,k,opc,amf,sqn\n" + ",".join(SUBS[0]) + "\n" +
                ",".join(("8999901000000000058",) + new[1:]) + "\n")
    rc, out, _ = run("import", bad)
    check("import: a wrong ICCID check digit is refused with its line", rc == 1 and
          "bad.csv:3" in out)
    # loaded again from a file, SUBS[0] keeps the SEQ it reached
    rc, out, _ = run("import", os.path.join(tmp, "hss.csv"))
    check("import: the HSS file again", rc == 0 and "2 subscribers" in out)
    _, sqn = check_vector(SUBS[0], c.ask("AKA-REQ-AUTH " + SUBS[0][1]).split())
    check("imported again, the SEQ goes on", sqn > last)
    rc, out, _ = run("remove", new[1])
    check("remove", rc == 0 and c.ask("AKA-REQ-AUTH " + new[1]).endswith(" FAILURE"))
    rc, out, _ = run("remove", new[1])
    check("remove: no such subscriber (exit 1)", rc == 1 and "no such" in out)
    return sqn


def main():
    aucgw = os.path.abspath(sys.argv[1])
    smctl = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else None
    tmp = tempfile.mkdtemp(prefix="sm-auc-")
    sock = os.path.join(tmp, "auc.sock")
    with open(os.path.join(tmp, "hss.csv"), "w") as f:
        f.write("iccid,imsi,k,opc,amf,sqn\n" + "".join(",".join(s) + "\n" for s in SUBS))
    p = start(aucgw, tmp, sock)
    c = Client(sock, tmp, "main")
    imsi = SUBS[0][1]

    w = c.ask("AKA-REQ-AUTH " + imsi).split()
    ok, sqn1 = check_vector(SUBS[0], w)
    check("AKA vector is MILENAGE's", w[0] == "AKA-RESP-AUTH" and w[1] == imsi and ok)
    check("first SEQ after the file's (0) is 1", sqn1 == 1 << 5)
    w = c.ask("AKA-REQ-AUTH " + SUBS[1][1]).split()
    ok, sqn = check_vector(SUBS[1], w)
    check("second subscriber: SEQ after 0x50", ok and sqn == ((0xa00 >> 5) + 1) << 5)

    w = c.ask("SIM-REQ-AUTH %s 2" % imsi).split()
    check("two triplets", w[0] == "SIM-RESP-AUTH" and len(w) == 4)
    k, opc = bytes.fromhex(SUBS[0][2]), bytes.fromhex(SUBS[0][3])
    for t in w[2:]:
        kc, sres, rand = (bytes.fromhex(x) for x in t.split(":"))
        _, _, res, ck, ik, _, _ = milenage(k, opc, rand, bytes(6), bytes(2), R, C)
        check("SRES = c2(RES)", sres == xor(res[:4], res[4:8]))
        check("Kc = c3(CK, IK)", kc == xor(xor(ck[:8], ck[8:]), xor(ik[:8], ik[8:])))

    # resynchronisation: the card is at SEQ 1000
    rand = os.urandom(16)
    sqn_ms = (1000 << 5).to_bytes(6, "big")
    _, _, _, _, _, _, ak_star = milenage(k, opc, rand, bytes(6), bytes(2), R, C)
    _, mac_s, _, _, _, _, _ = milenage(k, opc, rand, sqn_ms, bytes(2), R, C)
    bad_auts = xor(sqn_ms, ak_star) + bytes(8)
    c.ask("AKA-AUTS %s %s %s" % (imsi, bad_auts.hex(), rand.hex()), answer=False)
    _, sqn = check_vector(SUBS[0], c.ask("AKA-REQ-AUTH " + imsi).split())
    check("an AUTS with a wrong MAC-S changes nothing", sqn < 1000 << 5)
    c.ask("AKA-AUTS %s %s %s" % (imsi, (xor(sqn_ms, ak_star) + mac_s).hex(), rand.hex()),
          answer=False)
    _, sqn = check_vector(SUBS[0], c.ask("AKA-REQ-AUTH " + imsi).split())
    check("after AUTS the next SEQ is the card's + 1", sqn == 1001 << 5)

    check("unknown IMSI: FAILURE",
          c.ask("AKA-REQ-AUTH 001019999999999") == "AKA-RESP-AUTH 001019999999999 FAILURE")
    check("unknown IMSI, SIM: FAILURE",
          c.ask("SIM-REQ-AUTH 001019999999999 3") == "SIM-RESP-AUTH 001019999999999 FAILURE")
    for junk in ["", "AKA-REQ-AUTH", "AKA-REQ-AUTH not-an-imsi", "HELLO 001010000000001",
                 "AKA-AUTS %s zz zz" % imsi, "\x00\xff" * 40, "A" * 2000]:
        c.ask(junk, answer=False)
    # a request longer than a datagram auc-gw takes is ignored whole, never read cut short as
    # a valid one
    c.s.settimeout(1)
    try:
        got = c.ask("AKA-REQ-AUTH %s%s x" % (imsi, " " * 2000))
    except socket.timeout:
        got = None
    c.s.settimeout(5)
    check("an oversized datagram gets no answer", got is None)
    check("still answering after malformed datagrams",
          c.ask("AKA-REQ-AUTH " + imsi).startswith("AKA-RESP-AUTH " + imsi + " "))

    # 40 clients, 10 requests each, at once
    seqs, errors = [], []
    lock = threading.Lock()

    def client(n):
        cl = Client(sock, tmp, "t%d" % n)
        for _ in range(10):
            try:
                ok, s = check_vector(SUBS[0], cl.ask("AKA-REQ-AUTH " + imsi).split())
                with lock:
                    (seqs if ok else errors).append(s)
            except Exception as e:  # noqa: BLE001 - counted as an error
                with lock:
                    errors.append(str(e))
    threads = [threading.Thread(target=client, args=(n,)) for n in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check("400 concurrent requests answered correctly (%d errors)" % len(errors),
          len(seqs) == 400 and not errors)
    check("no SEQ twice", len(set(seqs)) == len(seqs))
    last = max(seqs)
    if smctl:
        last = smctl_checks(smctl, tmp, sock, last)

    # restart on the same database, the file loaded again
    p.terminate()
    p.wait(10)
    # and with IND 3 (TS 33.102 C.3.4: another kind of service's index)
    p = start(aucgw, tmp, sock, "--ind", "3")
    ok, sqn = check_vector(SUBS[0], Client(sock, tmp, "after").ask("AKA-REQ-AUTH " + imsi).split())
    # what was left of the block reserved before the restart is skipped, never reused
    check("after a restart the SEQ goes on", ok and last < sqn <= last + (33 << 5) + 3)
    check("--ind 3: the SQN's IND is 3", sqn & 31 == 3)
    p.terminate()
    p.wait(10)
    check("no key in the log", SUBS[0][2] not in open(os.path.join(tmp, "auc.log")).read())
    if not os.environ.get("SM_KEEP_TEST_DIR"):
        subprocess.run(["rm", "-rf", tmp])
    print("check_auc_gw: %d passed, %d failed" % (check_aka.passed, check_aka.failed))
    return 1 if check_aka.failed else 0


if __name__ == "__main__":
    sys.exit(main())
