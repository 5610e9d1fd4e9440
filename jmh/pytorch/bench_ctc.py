#!/usr/bin/python3
"""PyTorch peer of Recur's speech speed benchmark (issue 15): BiLSTM + CTC training on 1 thread.

The model and the batches are Recur's CtcSpeedBench's (jmh/src/main/java/dev/recur/bench/):
feature frames (13 MFCCs x 3 stacked = 39 values) -> nn.LSTM(39, H, bidirectional=True), ragged
batches packed (pack_padded_sequence, sorted) -> nn.Linear(2H, 11) at every frame ->
log_softmax -> nn.CTCLoss(blank=0, reduction='mean'); Adam (lr 1e-3), clip_grad_norm_(5).
One step = zero_grad, forward, loss, backward, clipping, Adam. The batches are read from the
safetensors file CtcSpeedBench writes (frames.k [T, B, F], lengths.k, targets.k, target_lengths.k),
so both sides train on exactly the same features.

    /usr/bin/python3 jmh/pytorch/bench_ctc.py --batches jmh/target/ctc-batches.safetensors \
        [--hidden 128] [--threads 1] [--steps 20] [--warmup 5]

Prints training utterances per second (median of --repeats timed runs of --steps passes over the
batches). Use Debian's /usr/bin/python3 (torch 1.13). Run on a quiet machine for numbers to keep.
"""

import argparse
import json
import statistics
import struct
import time

import peer_blas  # noqa: F401  (before torch: OpenBLAS's kernels for this CPU)
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    header.pop("__metadata__", None)
    out = {}
    for name, info in header.items():
        a, b = info["data_offsets"]
        t = torch.frombuffer(bytearray(raw[8 + n + a:8 + n + b]), dtype=torch.float32)
        out[name] = t.reshape(info["shape"])
    return out


class AcousticModel(torch.nn.Module):
    def __init__(self, features, hidden, classes):
        super().__init__()
        self.lstm = torch.nn.LSTM(features, hidden, bidirectional=True)   # time-major, like Recur
        self.fc = torch.nn.Linear(2 * hidden, classes)

    def forward(self, x, lengths):
        out, _ = self.lstm(pack_padded_sequence(x, lengths))               # batches are sorted by length
        out, _ = pad_packed_sequence(out, total_length=x.shape[0])
        return self.fc(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--batches", default="jmh/target/ctc-batches.safetensors")
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=20, help="timed passes over the batches per repeat")
    ap.add_argument("--warmup", type=int, default=5, help="untimed passes first")
    ap.add_argument("--repeats", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    st = read_safetensors(args.batches)
    count = sum(1 for k in st if k.startswith("frames."))
    batches = []
    for k in range(count):
        batches.append((st[f"frames.{k}"], st[f"lengths.{k}"].long(), st[f"targets.{k}"].long(),
                        st[f"target_lengths.{k}"].long()))
    features, b = batches[0][0].shape[2], batches[0][0].shape[1]
    model = AcousticModel(features, args.hidden, 11)
    ctc = torch.nn.CTCLoss(blank=0, reduction="mean")
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step(batch):
        x, lengths, targets, target_lengths = batch
        opt.zero_grad()
        logits = model(x, lengths)
        loss = ctc(torch.log_softmax(logits, dim=2), targets, lengths, target_lengths)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()

    for i in range(args.warmup * count):
        step(batches[i % count])
    rates = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        for i in range(args.steps * count):
            step(batches[i % count])
        rates.append(args.steps * count * b / (time.perf_counter() - t0))
    print(f"pytorch {torch.__version__}: BiLSTM({args.hidden}) + CTC, batch {b}, {count} batches x {args.steps} passes, "
          f"{args.threads} thread(s): {statistics.median(rates):.1f} utterances/s")


if __name__ == "__main__":
    main()
