#!/usr/bin/python3
"""PyTorch peer of Recur's SegRNN benchmark (issue 11; jmh/.../SegRnnBench.java), for a side-by-side table.

The model: the SegRNN authors' Model (Lin et al. 2023, arXiv:2308.11200; dec_way='pmf', rnn_type='gru',
channel_id=1, revin=1, dropout 0) with the published settings -- hidden d = 512, segment 24, look-back
L = 96, horizon H = 96, 7 channels, channel independence -- on batches of 64 windows, MSE loss, Adam
(lr 1e-3) and clip_grad_norm_(max_norm=1.0): the same work as Recur's SegRnnBench. It measures
  * train: forward, loss, backward, clipping and Adam step, in windows per second;
  * infer: forward only under torch.no_grad() in eval mode, in windows per second;
as the median over --repeats timed repeats of --steps steps each (after --warmup untimed steps), on
--threads threads (torch.set_num_threads; default 1, the issue's comparison), and prints one JSON
object (and a line per measurement).

    /usr/bin/python3 jmh/pytorch/bench_segrnn.py                       # the published settings, 1 thread
    /usr/bin/python3 jmh/pytorch/bench_segrnn.py --smoke               # seconds: tiny sizes, checks it runs
    ./recur bench SegRnnBench -p threads=1                             # Recur's side (JMH)

Use Debian's /usr/bin/python3 (torch 1.13; jmh/bench-pytorch.sh installs it), on a quiet machine.
"""

import argparse
import json
import platform
import statistics
import time

import peer_blas  # noqa: F401  (before torch: OpenBLAS's kernels for this CPU)
import torch


class RevIN(torch.nn.Module):
    def forward(self, x, mode):  # x [B, T, C]; statistics over time, detached (affine=False)
        if mode == "norm":
            self.mean = x.mean(1, keepdim=True).detach()
            self.std = torch.sqrt(x.var(1, keepdim=True, unbiased=False) + 1e-5).detach()
            return (x - self.mean) / self.std
        return x * self.std + self.mean


class SegRNN(torch.nn.Module):
    def __init__(self, L, H, C, w, d, dropout=0.0):
        super().__init__()
        self.L, self.H, self.C, self.w, self.d = L, H, C, w, d
        self.n, self.m = L // w, H // w
        self.valueEmbedding = torch.nn.Sequential(torch.nn.Linear(w, d), torch.nn.ReLU())
        self.rnn = torch.nn.GRU(d, d, 1, bias=True, batch_first=True, bidirectional=False)
        self.pos_emb = torch.nn.Parameter(torch.randn(self.m, d // 2))
        self.channel_emb = torch.nn.Parameter(torch.randn(C, d // 2))
        self.predict = torch.nn.Sequential(torch.nn.Dropout(dropout), torch.nn.Linear(d, w))
        self.revinLayer = RevIN()

    def forward(self, x):  # [B, L, C] -> [B, H, C]
        B = x.size(0)
        x = self.revinLayer(x, "norm").permute(0, 2, 1)  # b, c, s
        x = self.valueEmbedding(x.reshape(-1, self.n, self.w))  # bc, n, d
        _, hn = self.rnn(x)  # 1, bc, d
        pos = torch.cat([self.pos_emb.unsqueeze(0).repeat(self.C, 1, 1),
                         self.channel_emb.unsqueeze(1).repeat(1, self.m, 1)], dim=-1).view(-1, 1, self.d).repeat(B, 1, 1)
        _, hy = self.rnn(pos, hn.repeat(1, 1, self.m).view(1, -1, self.d))  # 1, bcm, d
        y = self.predict(hy).view(-1, self.C, self.H).permute(0, 2, 1)
        return self.revinLayer(y, "denorm")


def measure(fn, batch, steps, warmup, repeats):
    for _ in range(warmup):
        fn()
    rates = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(steps):
            fn()
        rates.append(batch * steps / (time.perf_counter() - t0))
    return {"median": statistics.median(rates), "min": min(rates), "max": max(rates), "repeats": rates}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hidden", type=int, default=512)
    ap.add_argument("--segment", type=int, default=24)
    ap.add_argument("--lookback", type=int, default=96)
    ap.add_argument("--horizon", type=int, default=96)
    ap.add_argument("--channels", type=int, default=7)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--smoke", action="store_true", help="tiny sizes and counts: checks the script runs")
    a = ap.parse_args()
    if a.smoke:
        a.hidden, a.steps, a.warmup, a.repeats = 32, 2, 1, 2
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = SegRNN(a.lookback, a.horizon, a.channels, a.segment, a.hidden)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(a.batch, a.lookback, a.channels)
    y = torch.randn(a.batch, a.horizon, a.channels)

    def train():
        opt.zero_grad(set_to_none=False)
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    def infer():
        with torch.no_grad():
            model(x)

    model.train()
    tr = measure(train, a.batch, a.steps, a.warmup, a.repeats)
    model.eval()
    inf = measure(infer, a.batch, a.steps, a.warmup, a.repeats)
    print(f"train {tr['median']:.1f} windows/s (min {tr['min']:.1f}, max {tr['max']:.1f}); "
          f"infer {inf['median']:.1f} windows/s (min {inf['min']:.1f}, max {inf['max']:.1f}); threads {a.threads}")
    print(json.dumps({"model": "SegRNN", "torch": torch.__version__, "python": platform.python_version(),
                      "machine": platform.processor() or platform.machine(),
                      "openblas_coretype": peer_blas.CORETYPE, "settings": vars(a),
                      "train_windows_per_s": tr, "infer_windows_per_s": inf}))


if __name__ == "__main__":
    main()
