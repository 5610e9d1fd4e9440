#!/usr/bin/env python3
"""Joins jmh/bench-side-by-side.sh's JSON files into one Markdown table (stdout).

peak.json: FmaPeakBench (FLOP per lane per second, times the lanes of the species);
train-{base,head}.json: JMH TrainStepBench; app-{base,head}.jsonl: the app's `bench --json`.
Fractions of the peak use the model's FLOP per sequence when it is known (LSTM/GRU/RNN, batch 64,
T 200, embed 128, vocab 20000: 2·(gates·H)·(E+H)·T·3 for training — forward, and backward's two
products — plus the head, which is negligible).
"""
import argparse
import json
import os

GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1}


def jmh(path):
    if not os.path.exists(path):
        return {}
    rows = {}
    for r in json.load(open(path)):
        p = r.get("params", {})
        key = (r["benchmark"].rsplit(".", 1)[1], p.get("cell"), int(p.get("hidden", 0)), int(p.get("threads", 1)))
        m = r["primaryMetric"]
        rows[key] = (m["score"], m["scoreError"], p)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    peak = json.load(open(os.path.join(a.out, "peak.json")))[0]["primaryMetric"]
    lanes = 16
    for line in open(os.path.join(a.out, "engine.txt")):
        if line.split()[:1] == ["lanes"]:
            lanes = int(line.split()[1])
    gflops_peak = peak["score"] * lanes / 1e9
    print(f"FMA peak, 1 thread: **{gflops_peak:.1f} GFLOPS** (± {peak['scoreError'] * lanes / 1e9:.1f}; "
          f"{lanes} lanes)\n")
    base, head = jmh(os.path.join(a.out, "train-base.json")), jmh(os.path.join(a.out, "train-head.json"))
    if head:
        print("| benchmark | cell | H | threads | base seq/s | head seq/s | head ÷ base | head % of peak |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for key in sorted(head):
            bench, cell, h, t = key
            hs, he, p = head[key]
            bs = base.get(key)
            e, T = int(p.get("embed", 128)), int(p.get("steps", 200))
            flop = 2 * GATES.get(cell, 1) * h * (e + h) * T * (3 if bench.startswith("train") else 1)
            frac = hs * flop / (gflops_peak * 1e9 * t) * 100
            bcol = f"{bs[0]:,.0f} ± {bs[1]:,.0f}" if bs else "—"
            ratio = f"{hs / bs[0]:.2f}×" if bs else "—"
            print(f"| {bench} | {cell} | {h} | {t} | {bcol} | {hs:,.0f} ± {he:,.0f} | {ratio} | {frac:.0f} % |")
        print()
    apps = {}
    for side in ("base", "head"):
        path = os.path.join(a.out, f"app-{side}.jsonl")
        if os.path.exists(path):
            for line in open(path):
                r = json.loads(line)
                apps[(side, r["cell"], r["hidden"], r["threads"])] = r["model"]
    if apps:
        print("App `bench` (default IMDB model, T 400, batch 64): seq/s, and 2 threads ÷ 1 thread\n")
        print("| cell | H | mode | base 1 thr | base 2 thr | base 2÷1 | head 1 thr | head 2 thr | head 2÷1 | head ÷ base (1 thr) |")
        print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
        for cell in ("lstm", "gru", "rnn"):
            for h in (64, 128):
                for mode in ("train", "inference"):
                    k = f"{mode}_seq_per_s"
                    v = {(s, t): apps.get((s, cell, h, t), {}).get(k) for s in ("base", "head") for t in (1, 2)}
                    if v[("head", 1)] is None:
                        continue
                    f = lambda x: "—" if x is None else f"{x:,.0f}"
                    r = lambda x, y: "—" if x is None or y is None else f"{x / y:.2f}×"
                    print(f"| {cell} | {h} | {mode} | {f(v[('base', 1)])} | {f(v[('base', 2)])} | "
                          f"{r(v[('base', 2)], v[('base', 1)])} | {f(v[('head', 1)])} | {f(v[('head', 2)])} | "
                          f"{r(v[('head', 2)], v[('head', 1)])} | {r(v[('head', 1)], v[('base', 1)])} |")


if __name__ == "__main__":
    main()
