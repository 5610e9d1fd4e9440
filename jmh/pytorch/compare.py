#!/usr/bin/env python3
"""Joins Recur's JMH results with the PyTorch peer's into one table with ratios.

    python3 jmh/pytorch/compare.py --jmh jmh-train.json --pytorch jmh/target/bench-pytorch.json [--markdown out.md]

--jmh is JMH's JSON output of TrainStepBench (``-rf json -rff jmh-train.json``); --pytorch is what
bench_pytorch.py wrote. Rows are matched on (cell, hidden, threads, mode): JMH's ``train`` /
``inference`` benchmarks and ``cell`` LSTM / GRU / RNN_TANH parameters against PyTorch's
``train`` / ``infer`` rows and lstm / gru / rnn cells. The ratio is Recur's seq/s divided by
PyTorch's, once against PyTorch with torch.set_flush_denormal(True) and once without. Needs only
the Python standard library (no torch).
"""

import argparse
import json
import sys

CELL_FROM_JMH = {"LSTM": "lstm", "GRU": "gru", "RNN_TANH": "rnn", "RNN": "rnn"}
MODE_FROM_JMH = {"train": "train", "inference": "infer"}


def load_jmh(path):
    """{(cell, hidden, threads, mode): (score, error)} from a JMH JSON result file."""
    with open(path) as f:
        runs = json.load(f)
    out = {}
    for r in runs:
        name = r["benchmark"].rsplit(".", 1)[-1]
        if name not in MODE_FROM_JMH:
            continue
        p = r.get("params", {})
        key = (CELL_FROM_JMH.get(p.get("cell", ""), p.get("cell", "").lower()), int(p.get("hidden", 0)),
               int(p.get("threads", 1)), MODE_FROM_JMH[name])
        m = r["primaryMetric"]
        err = m.get("scoreError")
        out[key] = (m["score"], err if isinstance(err, (int, float)) else float("nan"))
    return out


def load_pytorch(path):
    """{(cell, hidden, threads, mode, flush): row} from bench_pytorch.py's JSON."""
    with open(path) as f:
        doc = json.load(f)
    return {(r["cell"], r["hidden"], r["threads"], r["mode"], r["flush_denormal"]): r for r in doc["results"]}


def table(jmh, torch_rows):
    keys = sorted({k[:4] for k in torch_rows} | set(jmh), key=lambda k: (k[3], k[0], k[1], k[2]))
    lines = ["| cell | H | threads | mode | Recur seq/s | PyTorch flush-denormal seq/s | ratio | PyTorch default seq/s | ratio |",
             "|---|---:|---:|---|---:|---:|---:|---:|---:|"]
    for k in keys:
        recur = jmh.get(k)
        on = torch_rows.get(k + (True,))
        off = torch_rows.get(k + (False,))

        def fmt(v):
            return f"{v:,.0f}" if v is not None else "–"

        def ratio(t):
            return f"{recur[0] / t['seq_per_s_median']:.2f}×" if recur and t else "–"

        if recur is None:
            recur_txt = "–"
        elif recur[1] == recur[1]:  # not NaN
            recur_txt = f"{recur[0]:,.0f} ± {recur[1]:,.0f}"
        else:
            recur_txt = f"{recur[0]:,.0f}"
        lines.append(f"| {k[0]} | {k[1]} | {k[2]} | {k[3]} | {recur_txt} | "
                     f"{fmt(on['seq_per_s_median'] if on else None)} | {ratio(on)} | "
                     f"{fmt(off['seq_per_s_median'] if off else None)} | {ratio(off)} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description="Recur (JMH) vs PyTorch peer: one table with ratios.")
    ap.add_argument("--jmh", required=True, help="JMH JSON result file of TrainStepBench")
    ap.add_argument("--pytorch", required=True, help="JSON written by bench_pytorch.py")
    ap.add_argument("--markdown", help="also write the table to this file")
    args = ap.parse_args()
    try:
        text = table(load_jmh(args.jmh), load_pytorch(args.pytorch))
    except (OSError, ValueError, KeyError) as e:
        sys.exit(f"compare: cannot read the results ({e}); give JMH's -rf json output and bench_pytorch.py's JSON")
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
