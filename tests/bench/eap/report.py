#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The tables and the plot of bench_eap.sh: OUT/results.md and OUT/eap.png (mean and p95
authentication time against the number of devices authenticating at once, a line per method, as
the paper's figure 6; a second panel: EAP-AKA' with auc-gw and with hlr_auc_gw).
usage: report.py RESULTS.CSV VECTORS.TXT OUT HLR_VERSION AUCGW_PEAK_KB NPROC "QLEN RMEM"
"""
import csv
import os
import sys


def main():
    rows = list(csv.DictReader(open(sys.argv[1])))
    vectors = dict(line.split(" ", 1) for line in open(sys.argv[2]).read().splitlines())
    out, hlr_version, peak_kb, nproc = sys.argv[3:7]
    qlen, rmem = sys.argv[7].split()
    for r in rows:
        for k in ("n", "ok", "failed", "resent", "peers_resending"):
            r[k] = int(r[k])
        for k in ("mean_ms", "p50_ms", "p95_ms", "p99_ms", "max_ms", "round_s"):
            r[k] = float(r[k])

    md = ["# EAP authentication time, N devices at once (tests/bench/eap)", "",
          "%s cores; hostapd %s as RADIUS/EAP server; peers: N eapol_test processes; "
          "reference AuC: %s; auc-gw peak RSS %s kB." % (
              nproc, os.popen("dpkg-query -W -f '${Version}' hostapd").read(), hlr_version,
              peak_kb),
          "net.unix.max_dgram_qlen %s (namespace), net.core.rmem_default %s (RADIUS socket "
          "buffer; a request it drops is resent by the peer after 3 s)." % (qlen, rmem), "",
          "| AuC | method | N | ok | failed | mean ms | p50 ms | p95 ms | p99 ms | max ms | "
          "round s | resent | peers resending |",
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        md.append("| %s | %s | %d | %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.2f | %d | %d |"
                  % (r["auc"], r["method"], r["n"], r["ok"], r["failed"], r["mean_ms"],
                     r["p50_ms"], r["p95_ms"], r["p99_ms"], r["max_ms"], r["round_s"],
                     r["resent"], r["peers_resending"]))

    # auc-gw against hlr_auc_gw: EAP-AKA' at each N, and vectors per second
    md += ["", "## auc-gw / hlr_auc_gw", "",
           "| N | EAP-AKA' mean ms auc-gw | hlr_auc_gw | ratio | p95 ms auc-gw | hlr_auc_gw | "
           "ratio |", "|---|---|---|---|---|---|---|"]
    ours = {r["n"]: r for r in rows if r["auc"] == "auc-gw" and r["method"] == "AKA'"
            and r["n"] in {x["n"] for x in rows if x["auc"] == "hlr_auc_gw"}}
    ref = {r["n"]: r for r in rows if r["auc"] == "hlr_auc_gw"}
    for n in sorted(set(ours) & set(ref)):
        a, b = ours[n], ref[n]
        md.append("| %d | %.1f | %.1f | %.2f | %.1f | %.1f | %.2f |" % (
            n, a["mean_ms"], b["mean_ms"], a["mean_ms"] / b["mean_ms"] if b["mean_ms"] else 0,
            a["p95_ms"], b["p95_ms"], a["p95_ms"] / b["p95_ms"] if b["p95_ms"] else 0))
    md += ["", "AKA vectors straight on each AuC's socket:", ""]
    per_s = {}
    for auc, line in vectors.items():
        f = dict(w.split("=") for w in line.split()[1:])
        per_s[auc] = float(f["per_s"])
        md.append("- %s: %s vectors/s, p50 %s ms, p95 %s ms, p99 %s ms (%s answered, %s bad, "
                  "%s in flight)" % (auc, f["per_s"], f["p50_ms"], f["p95_ms"], f["p99_ms"],
                                     f["answered"], f["bad"], f["window"]))
    if per_s.get("hlr_auc_gw"):
        md.append("- ratio auc-gw / hlr_auc_gw: %.2f" % (per_s.get("auc-gw", 0) /
                                                       per_s["hlr_auc_gw"]))
    open(os.path.join(out, "results.md"), "w").write("\n".join(md) + "\n")
    print("\n".join(md))

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("report: matplotlib missing, no plot")
        return 0
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
    names = {"AKA'": "EAP-AKA'", "AKA": "EAP-AKA", "SIM": "EAP-SIM", "PSK": "EAP-PSK",
             "TLS": "EAP-TLS"}
    for m in names:
        pts = sorted((r["n"], r["mean_ms"], r["p95_ms"]) for r in rows
                     if r["auc"] == "auc-gw" and r["method"] == m)
        if pts:
            line, = ax1.plot([p[0] for p in pts], [p[1] for p in pts], marker="o",
                             label=names[m] + " mean")
            ax1.plot([p[0] for p in pts], [p[2] for p in pts], linestyle="--",
                     color=line.get_color(), label=names[m] + " p95")
    ax1.set_xlabel("concurrent authentication requests")
    ax1.set_ylabel("authentication time (ms)")
    ax1.set_title("auc-gw behind hostapd")
    ax1.legend(fontsize=7)
    ax1.grid(alpha=0.3)
    for auc, data in (("auc-gw", ours), ("hlr_auc_gw", ref)):
        ns = sorted(data)
        line, = ax2.plot(ns, [data[n]["mean_ms"] for n in ns], marker="o", label=auc + " mean")
        ax2.plot(ns, [data[n]["p95_ms"] for n in ns], linestyle="--", color=line.get_color(),
                 label=auc + " p95")
    ax2.set_xlabel("concurrent authentication requests")
    ax2.set_ylabel("EAP-AKA' authentication time (ms)")
    ax2.set_title("AuC: auc-gw and hlr_auc_gw")
    ax2.legend(fontsize=7)
    ax2.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "eap.png"), dpi=110)
    print("report: %s" % os.path.join(out, "eap.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
