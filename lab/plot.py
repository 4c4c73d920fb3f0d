#!/usr/bin/env python3
"""One PNG per case from the JSON files `lab replay --out DIR` writes in DIR/plots: the faulted entity's
metric that moved most, and the client's p99 latency, with the training window and the fault shaded.
usage: python3 lab/plot.py DIR/plots"""
import csv
import glob
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def sli_p99(path):
    """(unix_ms, p99 in ms) per second from sli.csv (unix_ms,sent,ok,errors,p50_us,p99_us,max_us)."""
    t, p99 = [], []
    if not os.path.exists(path):
        return t, p99
    with open(path) as f:
        for row in csv.reader(f):
            if len(row) >= 6 and row[0].isdigit():
                t.append(int(row[0]))
                p99.append(float(row[5]) / 1000.0)
    return t, p99


def plot(case_file):
    with open(case_file) as f:
        c = json.load(f)
    onset = c["onset_ms"]
    rel = lambda ms: (ms - onset) / 1000.0  # noqa: E731
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 5.5), sharex=True)
    for ax in (ax1, ax2):
        ax.axvspan(rel(c["train_start_ms"]), rel(c["train_end_ms"]), color="tab:green", alpha=0.12,
                   label="training (fault-free)")
        ax.axvspan(0, rel(c["end_ms"]), color="tab:red", alpha=0.18, label="fault injected")
    if "t_ms" in c:
        ax1.plot([rel(t) for t in c["t_ms"]], c["value"], marker=".", color="tab:blue")
        ax1.set_ylabel(c["metric"])
        ax1.set_title("%s: %s (intensity %s), %s" % (c["case"], c["fault"], c["intensity"], c["entity"]), fontsize=9)
    else:
        ax1.set_title("%s: no series of an accepted entity was recorded" % c["case"], fontsize=9)
    t, p99 = sli_p99(c["sli"])
    if t:
        ax2.plot([rel(x) for x in t], p99, color="tab:orange", linewidth=0.8)
        ax2.set_yscale("log")
    ax2.set_ylabel("client p99 (ms)")
    ax2.set_xlabel("seconds from the fault's onset")
    ax1.legend(loc="upper left", fontsize=7)
    fig.tight_layout()
    out = case_file[:-len(".json")] + ".png"
    fig.savefig(out, dpi=90)
    plt.close(fig)
    print(out)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for cf in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
        plot(cf)
