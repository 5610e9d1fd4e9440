#!/usr/bin/python3
"""Writes the PyTorch parity fixtures of Recur's encoder-decoder (layers/model/Seq2Seq).

Run with Debian's PyTorch 1.13 (not a pyenv or pip python), from the project root:

    /usr/bin/python3 layers/src/test/python/make_seq2seq_fixtures.py

It (re)writes ``layers/src/test/resources/pytorch/seq2seq_*.safetensors`` deterministically (fixed
seeds). Each file holds, for one small model of the architecture (see CASES):

* every parameter under Recur's names (``encoder.embedding.weight``, ``encoder.rnn.weight_ih_l0``,
  ``bridge.weight``, ``decoder.rnn.weight_ih_l0``, ``decoder.attention.key.weight``,
  ``decoder.combine.weight``, ``decoder.out.weight`` unless tied, ...), from ``named_parameters()``
  (a tied output weight appears once, as ``decoder.embedding.weight``);
* ``source`` [T, B], ``target_in`` [S, B] (``<bos> y...``), ``target_out`` [S, B] (``y... <eos>``,
  -100 on padding), integers stored as float32, lengths in the metadata (unsorted batches);
* ``logits`` [S, B, V], ``loss`` [1] (cross-entropy with ignore index -100 and label smoothing,
  mean over valid tokens) and ``grad.<name>`` for every parameter.

As in make_fixtures.py, parameters are drawn in float32 and the passes run in float64 on those
values, so the expected numbers are PyTorch's equations up to float32 rounding of the results.
The model is written from the equations of Seq2Seq's javadoc with torch modules: the decoder
runs its nn.GRU / nn.LSTM one step at a time, attention masks padding with -inf before the softmax.
"""

import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import DEFAULT_OUT, write_safetensors  # noqa: E402


class Attention(nn.Module):
    def __init__(self, score, qd, kd, a):
        super().__init__()
        self.score = score
        if score == "general":
            self.key = nn.Linear(kd, qd, bias=False)
        elif score == "additive":
            self.query = nn.Linear(qd, a, bias=False)
            self.key = nn.Linear(kd, a)
            self.v = nn.Linear(a, 1, bias=False)

    def project(self, keys):                      # keys (T, B, K): once per sentence batch
        return keys if self.score == "dot" else self.key(keys)

    def forward(self, q, keys, proj, mask):       # q (B, Hd), mask (T, B) True on valid positions
        if self.score == "additive":
            e = self.v(torch.tanh(proj + self.query(q)[None])).squeeze(-1)
        else:
            e = (proj * q[None]).sum(-1)
        e = e.masked_fill(~mask, float("-inf"))
        alpha = torch.softmax(e, dim=0)           # over source positions
        return (alpha[..., None] * keys).sum(0), alpha


class Seq2Seq(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        rnn = nn.LSTM if c["cell"] == "lstm" else nn.GRU
        d = 2 if c["bi"] else 1
        k = d * c["he"]
        self.encoder = nn.Module()
        self.encoder.embedding = nn.Embedding(c["sv"], c["e"], padding_idx=0)
        self.encoder.rnn = rnn(c["e"], c["he"], num_layers=c["layers"], bidirectional=c["bi"])
        self.has_bridge = c["bi"] or c["he"] != c["hd"]
        if self.has_bridge:
            self.bridge = nn.Linear(k, c["hd"])
            if c["cell"] == "lstm":
                self.bridge_cell = nn.Linear(k, c["hd"])
        self.decoder = nn.Module()
        self.decoder.embedding = nn.Embedding(c["tv"], c["e"], padding_idx=0)
        xin = c["e"] + (c["hd"] if c["feed"] else 0)
        self.decoder.rnn = rnn(xin, c["hd"])
        self.decoder.attention = Attention(c["score"], c["hd"], k, c["a"])
        self.decoder.combine = nn.Linear(k + c["hd"], c["hd"])
        self.decoder.out = nn.Linear(c["hd"], c["tv"])
        if c["tie"]:
            self.decoder.out.weight = self.decoder.embedding.weight

    def start(self, finals):
        d = 2 if self.c["bi"] else 1
        top = torch.cat([finals[-d + i] for i in range(d)], dim=1) if d == 2 else finals[-1]
        return top

    def forward(self, src, src_len, tgt_in):
        c = self.c
        T, B = src.shape
        emb = self.encoder.embedding(src)
        packed = pack_padded_sequence(emb, torch.tensor(src_len), enforce_sorted=False)
        out, fin = self.encoder.rnn(packed)
        keys, _ = pad_packed_sequence(out, total_length=T)
        h_n = fin[0] if c["cell"] == "lstm" else fin
        s = self.start(h_n)
        if self.has_bridge:
            s = torch.tanh(self.bridge(s))
        state = s[None]
        if c["cell"] == "lstm":
            cc = self.start(fin[1])
            if self.has_bridge:
                cc = torch.tanh(self.bridge_cell(cc))
            state = (state, cc[None])
        mask = torch.arange(T)[:, None] < torch.tensor(src_len)[None, :]
        proj = self.decoder.attention.project(keys)
        h_tilde = torch.zeros(B, c["hd"], dtype=keys.dtype)
        logits = []
        for t in range(tgt_in.shape[0]):
            x = self.decoder.embedding(tgt_in[t])
            if c["feed"]:
                x = torch.cat([x, h_tilde], dim=1)
            o, state = self.decoder.rnn(x[None], state)
            q = o[0]
            ctx, _ = self.decoder.attention(q, keys, proj, mask)
            h_tilde = torch.tanh(self.decoder.combine(torch.cat([ctx, q], dim=1)))
            logits.append(self.decoder.out(h_tilde))
        return torch.stack(logits)


# name, cell, layers, bidirectional, embed, encoder hidden, decoder hidden, score, attention dim,
# input feeding, tied, label smoothing, source lengths, target lengths (with <eos>)
CASES = [
    ("gru_bidir2_additive", "gru", 2, True, 5, 4, 6, "additive", 3, False, False, 0.1, [5, 2, 4], [3, 5, 1]),
    ("lstm_general_feed_tied", "lstm", 1, False, 5, 5, 5, "general", 0, True, True, 0.0, [3, 6, 1, 4], [4, 2, 6, 3]),
    ("lstm_bidir_dot_feed", "lstm", 1, True, 4, 3, 6, "dot", 0, True, False, 0.2, [4, 4, 2], [2, 4, 3]),
    ("gru_general_bridge", "gru", 1, False, 3, 4, 5, "general", 0, False, False, 0.0, [2, 5, 3], [5, 1, 4]),
]
SOURCE_VOCAB, TARGET_VOCAB, BOS, EOS = 9, 8, 2, 3


def case(name, cell, layers, bi, e, he, hd, score, a, feed, tie, smoothing, src_len, tgt_len, seed):
    torch.manual_seed(seed)
    c = dict(cell=cell, layers=layers, bi=bi, e=e, he=he, hd=hd, score=score, a=a, feed=feed, tie=tie,
             sv=SOURCE_VOCAB, tv=TARGET_VOCAB)
    model = Seq2Seq(c)
    with torch.no_grad():   # a non-zero embedding padding row would be invisible; keep PyTorch's zero
        model.encoder.embedding.weight[0].zero_()
        model.decoder.embedding.weight[0].zero_()
    params32 = {n: p.detach().clone() for n, p in model.named_parameters()}
    model = model.double()
    T, S, B = max(src_len), max(tgt_len), len(src_len)
    src = torch.zeros(T, B, dtype=torch.long)
    tgt_in = torch.zeros(S, B, dtype=torch.long)
    tgt_out = torch.full((S, B), -100, dtype=torch.long)
    for b in range(B):
        src[:src_len[b], b] = torch.randint(4, SOURCE_VOCAB, (src_len[b],))
        words = torch.randint(4, TARGET_VOCAB, (tgt_len[b] - 1,))
        tgt_in[0, b] = BOS
        tgt_in[1:tgt_len[b], b] = words
        tgt_out[:tgt_len[b] - 1, b] = words
        tgt_out[tgt_len[b] - 1, b] = EOS
    logits = model(src, src_len, tgt_in)
    loss = F.cross_entropy(logits.reshape(-1, TARGET_VOCAB), tgt_out.reshape(-1), ignore_index=-100,
                           label_smoothing=smoothing)
    loss.backward()
    tensors = dict(params32)
    for n, p in model.named_parameters():
        tensors["grad." + n] = p.grad
    tensors.update(source=src.float(), target_in=tgt_in.float(), target_out=tgt_out.float(),
                   logits=logits.detach(), loss=loss.detach().reshape(1))
    meta = dict(kind="seq2seq", cell=cell, encoder_layers=layers, bidirectional=str(bi).lower(), embed_dim=e,
                encoder_hidden=he, decoder_hidden=hd, attention=score, attention_dim=a,
                input_feeding=str(feed).lower(), tie_embeddings=str(tie).lower(), label_smoothing=smoothing,
                source_vocab=SOURCE_VOCAB, target_vocab=TARGET_VOCAB, bos=BOS, eos=EOS,
                source_lengths=",".join(map(str, src_len)), target_lengths=",".join(map(str, tgt_len)),
                loss=repr(loss.item()), torch=torch.__version__)
    return "seq2seq_" + name, tensors, meta


def main():
    torch.set_num_threads(1)
    out = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT
    os.makedirs(out, exist_ok=True)
    for i, c in enumerate(CASES):
        name, tensors, meta = case(*c, seed=5000 + i)
        path = os.path.join(out, name + ".safetensors")
        write_safetensors(path, tensors, meta)
        print(f"{path}  ({os.path.getsize(path)} bytes)  loss {meta['loss']}")


if __name__ == "__main__":
    main()
