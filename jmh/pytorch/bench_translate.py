#!/usr/bin/python3
"""PyTorch peer of Recur's translation benchmark (issue 10): training and greedy-decoding pairs/s.

The model is the common PyTorch tutorial's attentional encoder-decoder (Bahdanau et al. 2015, as in
bentrevett/pytorch-seq2seq, notebook 3): a bidirectional GRU encoder whose final states pass through
a tanh(Linear) bridge to the decoder's initial state, additive attention
(attn = Linear(2*enc_hid + dec_hid, dec_hid), v = Linear(dec_hid, 1, bias=False)), a GRU decoder
fed [embedding, context] and an output layer over [output, context, embedding]. Sizes of the issue:
source vocabulary 7,853, target 5,893, embedding 256, hidden 512 (encoder per direction and
decoder), 20.5 M parameters; batch 128, source and target length 24 (every sentence full length),
Adam (lr 1e-3), clip_grad_norm_(1.0), cross-entropy ignoring padding, teacher forcing ratio 1 (every
step reads the reference; the tutorial's 0.5 costs the same per step), dropout 0 (the tutorial's 0.5
adds little work; Recur's side runs without it too).

  * train:  forward over all 24 decoder steps (one Python-level step at a time, as the tutorial
            does), loss, backward, clipping and the Adam step, in sentence pairs per second;
  * decode: greedy decoding under torch.no_grad() in eval mode: encode, then exactly 24 steps of
            argmax (no stop at <eos>, so every run does the same work), in pairs per second;

each as the median over --repeats timed repeats of --steps batches after --warmup untimed ones. Every
(mode, threads) case runs in a fresh child process so that its peak resident memory (ru_maxrss) is
its own; torch.set_num_threads(threads) and set_num_interop_threads(1).

    /usr/bin/python3 jmh/pytorch/bench_translate.py               # 1 and 2 threads, train and decode
    /usr/bin/python3 jmh/pytorch/bench_translate.py --smoke       # seconds: tiny sizes, checks the script
    /usr/bin/python3 jmh/pytorch/bench_translate.py --threads 1 --modes decode

It prints a table and writes every number to jmh/target/bench-translate-pytorch.json. Run it on a
quiet machine (jmh/bench-translate.sh runs it and Recur's side together). Use Debian's
/usr/bin/python3 (torch 1.13).
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

import peer_blas  # noqa: F401  (before torch: OpenBLAS's kernels for this CPU)

PAD = 0


def build(args):
    import torch
    from torch import nn
    import torch.nn.functional as F

    class Encoder(nn.Module):
        def __init__(self, vocab, emb, enc_hid, dec_hid, dropout):
            super().__init__()
            self.embedding = nn.Embedding(vocab, emb)
            self.rnn = nn.GRU(emb, enc_hid, bidirectional=True)
            self.fc = nn.Linear(enc_hid * 2, dec_hid)
            self.dropout = nn.Dropout(dropout)

        def forward(self, src):                       # src [S, B]
            embedded = self.dropout(self.embedding(src))
            outputs, hidden = self.rnn(embedded)      # outputs [S, B, 2*enc_hid]
            hidden = torch.tanh(self.fc(torch.cat((hidden[-2], hidden[-1]), dim=1)))
            return outputs, hidden

    class Attention(nn.Module):
        def __init__(self, enc_hid, dec_hid):
            super().__init__()
            self.attn = nn.Linear(enc_hid * 2 + dec_hid, dec_hid)
            self.v = nn.Linear(dec_hid, 1, bias=False)

        def forward(self, hidden, encoder_outputs, mask):
            src_len = encoder_outputs.shape[0]
            hidden = hidden.unsqueeze(1).repeat(1, src_len, 1)      # [B, S, dec_hid]
            enc = encoder_outputs.permute(1, 0, 2)                 # [B, S, 2*enc_hid]
            energy = torch.tanh(self.attn(torch.cat((hidden, enc), dim=2)))
            scores = self.v(energy).squeeze(2).masked_fill(mask == 0, -1e10)
            return F.softmax(scores, dim=1)

    class Decoder(nn.Module):
        def __init__(self, vocab, emb, enc_hid, dec_hid, dropout):
            super().__init__()
            self.attention = Attention(enc_hid, dec_hid)
            self.embedding = nn.Embedding(vocab, emb)
            self.rnn = nn.GRU(enc_hid * 2 + emb, dec_hid)
            self.fc_out = nn.Linear(enc_hid * 2 + dec_hid + emb, vocab)
            self.dropout = nn.Dropout(dropout)

        def forward(self, token, hidden, encoder_outputs, mask):
            embedded = self.dropout(self.embedding(token.unsqueeze(0)))           # [1, B, emb]
            a = self.attention(hidden, encoder_outputs, mask).unsqueeze(1)       # [B, 1, S]
            weighted = torch.bmm(a, encoder_outputs.permute(1, 0, 2)).permute(1, 0, 2)  # [1, B, 2*enc_hid]
            output, hidden = self.rnn(torch.cat((embedded, weighted), dim=2), hidden.unsqueeze(0))
            prediction = self.fc_out(torch.cat((output.squeeze(0), weighted.squeeze(0), embedded.squeeze(0)), dim=1))
            return prediction, hidden.squeeze(0)

    class Seq2Seq(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = Encoder(args.src_vocab, args.emb, args.hidden, args.hidden, args.dropout)
            self.decoder = Decoder(args.tgt_vocab, args.emb, args.hidden, args.hidden, args.dropout)

        def forward(self, src, trg):                  # teacher forcing ratio 1: every step reads trg[t]
            encoder_outputs, hidden = self.encoder(src)
            mask = (src != PAD).permute(1, 0)
            outputs = []
            for t in range(trg.shape[0] - 1):
                prediction, hidden = self.decoder(trg[t], hidden, encoder_outputs, mask)
                outputs.append(prediction)
            return torch.stack(outputs)               # [T-1, B, vocab]

        def greedy(self, src, bos, steps):
            encoder_outputs, hidden = self.encoder(src)
            mask = (src != PAD).permute(1, 0)
            token = torch.full((src.shape[1],), bos, dtype=torch.long)
            out = []
            for _ in range(steps):
                prediction, hidden = self.decoder(token, hidden, encoder_outputs, mask)
                token = prediction.argmax(1)
                out.append(token)
            return torch.stack(out)

    return Seq2Seq()


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


def child(args):
    """One (mode, threads) case in this process; prints one JSON line."""
    import torch
    torch.set_num_threads(args.threads[0])
    torch.set_num_interop_threads(1)
    torch.manual_seed(42)
    model = build(args)
    params = sum(p.numel() for p in model.parameters())
    g = torch.Generator().manual_seed(7)
    # ids from 4 up: 0-3 are <pad>, <unk>, <bos>, <eos>, as in Recur's vocabularies
    src = torch.randint(4, args.src_vocab, (args.length, args.batch), generator=g)
    trg = torch.randint(4, args.tgt_vocab, (args.length + 1, args.batch), generator=g)
    trg[0] = 2                                           # <bos>, then 24 target tokens
    mode = args.modes[0]
    if mode == "train":
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = torch.nn.CrossEntropyLoss(ignore_index=PAD)
        model.train()

        def step():
            opt.zero_grad(set_to_none=False)
            out = model(src, trg)
            loss = loss_fn(out.reshape(-1, out.shape[-1]), trg[1:].reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            opt.step()
    else:
        model.eval()

        def step():
            with torch.no_grad():
                model.greedy(src, 2, args.length)
    rates = measure(step, args.batch, args.steps, args.warmup, args.repeats)
    print(json.dumps({
        "framework": "pytorch", "torch": torch.__version__, "mode": mode, "threads": args.threads[0],
        "parameters": params, "batch": args.batch, "length": args.length, "src_vocab": args.src_vocab,
        "tgt_vocab": args.tgt_vocab, "embedding": args.emb, "hidden": args.hidden, "dropout": args.dropout,
        "pairs_per_s_median": statistics.median(rates), "pairs_per_s_min": min(rates),
        "pairs_per_s_max": max(rates), "pairs_per_s_all": rates,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "steps_per_repeat": args.steps, "warmup_steps": args.warmup, "repeats": args.repeats,
    }))


def csv_list(kind):
    return lambda s: [kind(x) for x in s.split(",") if x]


def main():
    ap = argparse.ArgumentParser(description="PyTorch peer of Recur's translation benchmark (issue 10).")
    ap.add_argument("--modes", type=csv_list(str), default=["train", "decode"])
    ap.add_argument("--threads", type=csv_list(int), default=[1, 2])
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--length", type=int, default=24, help="source and target tokens per sentence")
    ap.add_argument("--src-vocab", type=int, default=7853)
    ap.add_argument("--tgt-vocab", type=int, default=5893)
    ap.add_argument("--emb", type=int, default=256)
    ap.add_argument("--hidden", type=int, default=512)
    ap.add_argument("--dropout", type=float, default=0.0)
    ap.add_argument("--warmup", type=int, default=2, help="untimed batches first (default: %(default)s)")
    ap.add_argument("--steps", type=int, default=3, help="batches per timed repeat (default: %(default)s)")
    ap.add_argument("--repeats", type=int, default=3, help="timed repeats; median and min/max reported")
    ap.add_argument("--json", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target",
                                                   "bench-translate-pytorch.json"))
    ap.add_argument("--smoke", action="store_true", help="seconds-long check: tiny sizes, 1 repeat (numbers meaningless)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    for m in args.modes:
        if m not in ("train", "decode"):
            sys.exit(f"unknown mode '{m}': use train and/or decode")
    if args.smoke:
        args.batch, args.length, args.src_vocab, args.tgt_vocab, args.emb, args.hidden = 8, 6, 60, 50, 16, 16
        args.warmup, args.steps, args.repeats = 1, 1, 2
    if args.child:
        child(args)
        return
    rows = []
    for mode in args.modes:
        for threads in args.threads:
            print(f"measuring {mode} threads={threads} ...", file=sys.stderr, flush=True)
            cmd = [sys.executable, os.path.abspath(__file__), "--child", "--modes", mode, "--threads", str(threads),
                   "--batch", str(args.batch), "--length", str(args.length), "--src-vocab", str(args.src_vocab),
                   "--tgt-vocab", str(args.tgt_vocab), "--emb", str(args.emb), "--hidden", str(args.hidden),
                   "--dropout", str(args.dropout), "--warmup", str(args.warmup), "--steps", str(args.steps),
                   "--repeats", str(args.repeats)]
            env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
            out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
            rows.append(json.loads(out.strip().splitlines()[-1]))
    print()
    print(f"PyTorch {rows[0]['torch']}: {rows[0]['parameters']:,} parameters, batch {args.batch}, length {args.length}")
    print(f"{'mode':6} {'thr':>3} {'pairs/s (median)':>17} {'min':>9} {'max':>9} {'peak RSS MB':>12}")
    for r in rows:
        print(f"{r['mode']:6} {r['threads']:>3} {r['pairs_per_s_median']:>17.1f} {r['pairs_per_s_min']:>9.1f} "
              f"{r['pairs_per_s_max']:>9.1f} {r['peak_rss_mb']:>12.0f}")
    out = os.path.normpath(args.json)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump({"machine": {"platform": platform.platform(), "processor": platform.processor(),
                               "cpu_count": os.cpu_count()},
                   "smoke": args.smoke, "results": rows}, f, indent=1)
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
