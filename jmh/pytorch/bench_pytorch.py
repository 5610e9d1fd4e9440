#!/usr/bin/python3
"""PyTorch peer of Recur's training-step benchmark (issue 3), for a side-by-side table.

The model: Embedding(20000, 128) -> {LSTM, GRU, RNN(tanh)}(H) -> last step -> Linear(1) ->
BCEWithLogits (mean), batch 64, T = 200 (all sequences full length), Adam (lr 1e-3) and
clip_grad_norm_(max_norm=1.0) -- the same work as Recur's JMH training-step benchmark.

For every cell, hidden size, thread count (torch.set_num_threads) and flush-denormal setting
(torch.set_flush_denormal True / False) it measures
  * train: forward, loss, backward, clipping and Adam step, in sequences per second;
  * infer: forward only under torch.no_grad() in eval mode, in sequences per second;
as the median over --repeats timed repeats of --steps steps each (after --warmup untimed steps), with
the min and max shown as the spread. It prints a table and writes every number to a JSON file.

Run it through ../bench-pytorch.sh (installs Debian's python3-torch if missing), on a quiet machine:

    jmh/bench-pytorch.sh                          # full run, writes jmh/target/bench-pytorch.json
    jmh/bench-pytorch.sh --smoke                  # seconds: tiny sizes, checks the script works
    jmh/bench-pytorch.sh --cells lstm --hidden 128 --threads 1
    jmh/bench-pytorch.sh --jmh jmh-train.json     # also one table Recur vs PyTorch with ratios
                                                  # (jmh-train.json: JMH's -rf json of TrainStepBench)

Use Debian's /usr/bin/python3 (torch 1.13), not another python on PATH.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time

import peer_blas  # noqa: F401  (before torch: OpenBLAS's kernels for this CPU)
import torch


CELL_CLASSES = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}


class Classifier(torch.nn.Module):
    def __init__(self, cell, vocab, emb, hidden):
        super().__init__()
        self.embedding = torch.nn.Embedding(vocab, emb)
        self.rnn = CELL_CLASSES[cell](emb, hidden)  # time-major [T, B, F], like Recur
        self.fc = torch.nn.Linear(hidden, 1)

    def forward(self, tokens):
        out, _ = self.rnn(self.embedding(tokens))
        return self.fc(out[-1]).squeeze(1)  # last step (every sequence is full length here)


def measure(fn, batch, steps, warmup, repeats):
    for _ in range(warmup):
        fn()
    rates = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(steps):
            fn()
        rates.append(batch * steps / (time.perf_counter() - t0))
    return rates


def run_case(args, cell, hidden, threads, flush):
    torch.set_num_threads(threads)
    torch.set_flush_denormal(flush)
    torch.manual_seed(42)
    model = Classifier(cell, args.vocab, args.emb, hidden)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    g = torch.Generator().manual_seed(7)
    tokens = torch.randint(0, args.vocab, (args.seq, args.batch), generator=g)
    labels = torch.randint(0, 2, (args.batch,), generator=g).float()

    def train_step():
        opt.zero_grad(set_to_none=False)
        loss = loss_fn(model(tokens), labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        opt.step()

    def infer_step():
        with torch.no_grad():
            model(tokens)

    results = []
    model.train()
    train = measure(train_step, args.batch, args.steps, args.warmup, args.repeats)
    model.eval()
    infer = measure(infer_step, args.batch, args.steps, args.warmup, args.repeats)
    for mode, rates in (("train", train), ("infer", infer)):
        results.append({
            "framework": "pytorch", "torch": torch.__version__, "cell": cell, "hidden": hidden,
            "threads": threads, "flush_denormal": flush, "mode": mode,
            "batch": args.batch, "seq_len": args.seq, "vocab": args.vocab, "embedding": args.emb,
            "seq_per_s_median": statistics.median(rates), "seq_per_s_min": min(rates),
            "seq_per_s_max": max(rates), "seq_per_s_all": rates,
            "steps_per_repeat": args.steps, "warmup_steps": args.warmup, "repeats": args.repeats,
        })
    torch.set_flush_denormal(False)
    return results


def print_table(rows):
    print()
    print(f"{'cell':5} {'H':>4} {'thr':>3} {'flush':>5} {'mode':5} {'seq/s (median)':>15} {'min':>9} {'max':>9}")
    for r in rows:
        print(f"{r['cell']:5} {r['hidden']:>4} {r['threads']:>3} {str(r['flush_denormal']):>5} {r['mode']:5} "
              f"{r['seq_per_s_median']:>15.1f} {r['seq_per_s_min']:>9.1f} {r['seq_per_s_max']:>9.1f}")


def csv_list(kind):
    return lambda s: [kind(x) for x in s.split(",") if x]


def main():
    ap = argparse.ArgumentParser(description="PyTorch peer benchmark for Recur (issue 3 model).")
    ap.add_argument("--cells", type=csv_list(str), default=["lstm", "gru", "rnn"])
    ap.add_argument("--hidden", type=csv_list(int), default=[128, 256])
    ap.add_argument("--threads", type=csv_list(int), default=[1, 2])
    ap.add_argument("--flush", choices=["both", "on", "off"], default="both",
                    help="torch.set_flush_denormal setting(s) to measure (default: both)")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seq", type=int, default=200)
    ap.add_argument("--vocab", type=int, default=20000)
    ap.add_argument("--emb", type=int, default=128)
    ap.add_argument("--warmup", type=int, default=3, help="untimed steps before timing (default: %(default)s)")
    ap.add_argument("--steps", type=int, default=5, help="steps per timed repeat (default: %(default)s)")
    ap.add_argument("--repeats", type=int, default=5, help="timed repeats; median and min/max reported")
    ap.add_argument("--json", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target",
                                                   "bench-pytorch.json"))
    ap.add_argument("--jmh", help="JMH JSON result of TrainStepBench (-rf json): also print one table with ratios")
    ap.add_argument("--smoke", action="store_true",
                    help="seconds-long check of the script: tiny sizes, 1 repeat (numbers meaningless)")
    args = ap.parse_args()
    for c in args.cells:
        if c not in CELL_CLASSES:
            sys.exit(f"unknown cell '{c}': use one of {', '.join(CELL_CLASSES)}")
    if args.smoke:
        args.hidden, args.batch, args.seq, args.vocab, args.emb = [16], 8, 20, 200, 16
        args.warmup, args.steps, args.repeats = 1, 1, 2
    flushes = {"both": [True, False], "on": [True], "off": [False]}[args.flush]
    if not torch.set_flush_denormal(True):
        print("warning: this CPU does not support flush-denormal (SSE3 needed); 'on' rows equal 'off'",
              file=sys.stderr)
    torch.set_flush_denormal(False)

    rows = []
    for cell in args.cells:
        for hidden in args.hidden:
            for threads in args.threads:
                for flush in flushes:
                    print(f"measuring {cell} H={hidden} threads={threads} flush_denormal={flush} ...",
                          file=sys.stderr, flush=True)
                    rows.extend(run_case(args, cell, hidden, threads, flush))
    print_table(rows)
    out = os.path.normpath(args.json)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump({"machine": {"platform": platform.platform(), "processor": platform.processor(),
                               "cpu_count": os.cpu_count(), "torch": torch.__version__,
                               "mkldnn": torch.backends.mkldnn.is_available()},
                   "smoke": args.smoke, "results": rows}, f, indent=1)
    print(f"\nwrote {out}")
    if args.jmh:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import compare
        print()
        print(compare.table(compare.load_jmh(args.jmh), compare.load_pytorch(out)))


if __name__ == "__main__":
    main()
