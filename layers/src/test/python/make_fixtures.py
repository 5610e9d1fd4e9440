#!/usr/bin/python3
"""Writes the PyTorch parity fixtures that Recur's Java tests compare against.

Run with Debian's PyTorch 1.13 (not a pyenv or pip python):

    apt-get update && apt-get install -y python3-torch
    cd /path/to/recur
    /usr/bin/python3 layers/src/test/python/make_fixtures.py

It (re)writes every ``*.safetensors`` file in ``layers/src/test/resources/pytorch/`` and is
deterministic (fixed seeds): running it again gives byte-identical files on the same torch version.
``--out DIR`` writes elsewhere; ``--check`` regenerates into a temporary folder and fails if any
committed fixture differs in value by more than 1e-6 (useful after a torch upgrade).

What a recurrent fixture holds (one file per case, all tensors float32, little-endian):

* the layer's parameters under PyTorch's own names (``weight_ih_l0``, ``weight_hh_l1_reverse``,
  ``bias_ih_l0``, ...), exactly as ``torch.nn.LSTM/GRU/RNN`` holds them, gate order included;
* ``input`` [T, B, F] (time-major), ``h0`` (and ``c0`` for LSTM) [layers*directions, B, H] when the
  case gives an initial state (otherwise the state starts at zero and those tensors are absent);
* ``output`` [T, B, directions*H] with zeros at padded positions (pad_packed_sequence), ``h_n``
  (and ``c_n``) [layers*directions, B, H] taken at each sequence's own last valid step;
* the scalar loss ``L = sum(output * grad_output) + sum(h_n * grad_h_n) [+ sum(c_n * grad_c_n)]``
  with fixed random ``grad_output``, ``grad_h_n`` and ``grad_c_n`` (stored), so the upstream
  gradients of the layer are exactly those tensors. ``grad_output`` is random at padded positions
  too: a correct layer ignores it there (padded steps receive no gradient);
* ``grad.<name>``: dL/d of every parameter, of ``input`` and of ``h0``/``c0`` (when given).

The metadata (``__metadata__``, string values) records the case: ``kind`` (``recurrent`` or
``classifier``), ``cell`` (``lstm``, ``gru``, ``rnn_tanh``, ``rnn_relu``), ``input_size``,
``hidden_size``, ``num_layers``, ``bidirectional``, ``seq_len``, ``batch``, ``lengths``
(comma-separated, in batch order, may be unsorted), ``initial_state``, ``loss``, ``torch``.

Precision: the parameters and inputs are drawn in float32 and stored in float32; the forward and
backward passes are then computed by PyTorch in float64 on those same float32 values, and the
results rounded to float32. The expected numbers are therefore PyTorch's equations evaluated
exactly (up to float32 rounding of the result), and the Java tests' tolerance only has to absorb
Recur's own float32 error.

The whole-model fixtures (``kind=classifier`` / ``labeler``) are Recur's SequenceClassifier and
SequenceLabeler in miniature (see MODEL_CASES): Embedding (padding index 0) -> RNN/LSTM/GRU stack ->
pooling (last / mean / max over valid steps) -> Linear -> BCEWithLogits or CrossEntropy (mean), or a
per-step Linear -> CrossEntropy with ignore index -100 for the labeler. Tensor names are those of
torch modules ``embedding``, ``rnn``, ``fc`` -- the names Recur's checkpoints use:
``embedding.weight``, ``rnn.weight_ih_l0``, ..., ``fc.weight``, ``fc.bias``; with ``tokens`` [T, B]
and ``labels`` [B] or ``targets`` [T, B] (integers stored as float32), ``logits``, ``loss`` [1] and
``grad.<name>`` for every parameter. Batches are unsorted (pack_padded_sequence with
enforce_sorted=False).

The state-dict fixtures (``state_dict_*``, see STATE_DICT_CASES) hold ``state_dict()`` of the
PyTorch module each Recur model kind (classifier, tagger, char_lm) corresponds to, its submodules
named as Recur names them: the tensors as PyTorch holds them (biases 1-D), the Recur model's
configuration in the metadata and ``state_dict_order``, the keys in PyTorch's order. Tests check
that Recur's checkpoints have exactly these names and shapes and that these tensors load into Recur.

The forecasting fixtures (``kind=forecast``, see FORECAST_CASES) run one of each of Recur's
forecasters (direct LSTM with affine RevIN, the GRU encoder-decoder free-running with RevIN and fully
teacher-forced, SegRNN with RevIN and with the last-value shift of `--subtract-last`) as small PyTorch modules named as Recur names its parameters, and
store ``input``, ``target``, ``prediction``, the MSE ``loss`` and every parameter's gradient.

The training fixtures (``kind=train``, see TRAIN_CASES) run the benchmark's whole step three times
-- forward, loss, backward, clip_grad_norm_ (or clip_grad_value_), then Adam / AdamW / SGD with
momentum -- and store the initial parameters, the batches (``tokens.k``, ``labels.k``, lengths in
the metadata), each step's ``loss`` and pre-clipping gradient ``norm``, and the parameters after the
last step as ``after.<name>``.
"""

import argparse
import json
import os
import struct
import sys
import tempfile

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "resources", "pytorch"))


# ---------------------------------------------------------------------------------------------
# safetensors, written by hand (torch 1.13 in Debian comes without the safetensors package).
# Layout: u64 little-endian header length N, then N bytes of JSON header (padded with spaces to a
# multiple of 8), then the raw little-endian tensor data; data_offsets are relative to the end of
# the header.
# ---------------------------------------------------------------------------------------------

def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": {k: str(v) for k, v in metadata.items()}}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch.float32).contiguous().cpu()
        data = t.numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), sort_keys=True).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    base = 8 + n
    out = {}
    for name, info in header.items():
        a, b = info["data_offsets"]
        t = torch.frombuffer(bytearray(raw[base + a:base + b]), dtype=torch.float32)
        out[name] = t.reshape(info["shape"]) if info["shape"] else t.reshape(())
    return out, meta


# ---------------------------------------------------------------------------------------------
# Recurrent layer cases
# ---------------------------------------------------------------------------------------------

CELLS = {
    "lstm": lambda F, H, L, bi: torch.nn.LSTM(F, H, num_layers=L, bidirectional=bi),
    "gru": lambda F, H, L, bi: torch.nn.GRU(F, H, num_layers=L, bidirectional=bi),
    "rnn_tanh": lambda F, H, L, bi: torch.nn.RNN(F, H, num_layers=L, bidirectional=bi, nonlinearity="tanh"),
    "rnn_relu": lambda F, H, L, bi: torch.nn.RNN(F, H, num_layers=L, bidirectional=bi, nonlinearity="relu"),
}

# name, layers, bidirectional, T, B, F, H, lengths (None = all full), initial state given
SHAPES = [
    ("simple", 1, False, 4, 2, 3, 5, None, True),
    ("ragged", 1, False, 5, 3, 4, 3, [5, 3, 1], False),
    ("bidir_ragged", 1, True, 5, 3, 2, 4, [5, 4, 2], True),
    ("stacked_bidir_ragged", 2, True, 6, 3, 3, 4, [6, 3, 2], True),
    ("stacked_unsorted", 2, False, 5, 4, 3, 2, [2, 5, 1, 4], True),
    ("bidir_unsorted", 1, True, 4, 3, 3, 3, [3, 1, 4], False),
    ("long", 1, False, 60, 2, 3, 6, [60, 37], True),  # many steps: errors must not accumulate
]


def recurrent_case(cell, shape, seed):
    name, L, bi, T, B, F, H, lengths, init = shape
    D = 2 if bi else 1
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    module = CELLS[cell](F, H, L, bi)  # PyTorch's default init: U(-1/sqrt(H), 1/sqrt(H)), float32
    params32 = {n: p.detach().clone() for n, p in module.named_parameters()}
    x32 = torch.randn(T, B, F, generator=g)
    h032 = torch.randn(L * D, B, H, generator=g) * 0.5
    c032 = torch.randn(L * D, B, H, generator=g) * 0.5
    gout32 = torch.randn(T, B, D * H, generator=g)
    gh32 = torch.randn(L * D, B, H, generator=g)
    gc32 = torch.randn(L * D, B, H, generator=g)
    lens = lengths if lengths is not None else [T] * B

    # Compute in float64 on the float32 values.
    module = module.double()
    x = x32.double().requires_grad_(True)
    h0 = h032.double().requires_grad_(True)
    c0 = c032.double().requires_grad_(True)
    is_lstm = cell == "lstm"
    state = ((h0, c0) if is_lstm else h0) if init else None
    sorted_lengths = all(lens[i] >= lens[i + 1] for i in range(len(lens) - 1))
    packed = pack_padded_sequence(x, torch.tensor(lens), enforce_sorted=sorted_lengths)
    out_packed, final = module(packed, state)
    out, _ = pad_packed_sequence(out_packed, total_length=T)
    h_n, c_n = final if is_lstm else (final, None)
    loss = (out * gout32.double()).sum() + (h_n * gh32.double()).sum()
    if is_lstm:
        loss = loss + (c_n * gc32.double()).sum()
    leaves = [x] + list(module.parameters()) + ([h0] + ([c0] if is_lstm else []) if init else [])
    grads = torch.autograd.grad(loss, leaves)

    tensors = dict(params32)
    tensors["input"] = x32
    tensors["output"] = out
    tensors["h_n"] = h_n
    tensors["grad_output"] = gout32
    tensors["grad_h_n"] = gh32
    tensors["grad.input"] = grads[0]
    for (pname, _), gr in zip(module.named_parameters(), grads[1:]):
        tensors["grad." + pname] = gr
    if is_lstm:
        tensors["c_n"] = c_n
        tensors["grad_c_n"] = gc32
    if init:
        tensors["h0"] = h032
        tensors["grad.h0"] = grads[1 + len(params32)]
        if is_lstm:
            tensors["c0"] = c032
            tensors["grad.c0"] = grads[2 + len(params32)]
    meta = {
        "kind": "recurrent", "case": f"{cell}_{name}", "cell": cell, "input_size": F, "hidden_size": H,
        "num_layers": L, "bidirectional": str(bi).lower(), "seq_len": T, "batch": B,
        "lengths": ",".join(str(n) for n in lens), "lengths_sorted": str(sorted_lengths).lower(),
        "initial_state": str(init).lower(),
        "loss": "sum(output*grad_output)+sum(h_n*grad_h_n)" + ("+sum(c_n*grad_c_n)" if is_lstm else ""),
        "seed": seed, "torch": torch.__version__,
    }
    return f"{cell}_{name}", tensors, meta


# ---------------------------------------------------------------------------------------------
# Whole-model cases, named like Recur's SequenceClassifier / SequenceLabeler (modules embedding,
# rnn, fc), so a Recur checkpoint loads into these torch modules and back:
#   classifier: Embedding -> RNN stack -> pooling over valid steps -> Linear(outputs)
#               -> BCEWithLogits (outputs = 1) or CrossEntropy (outputs >= 2), mean over the batch
#   labeler:    Embedding -> RNN stack -> Linear(outputs) at every step -> CrossEntropy, mean over
#               valid targets (steps past a sequence's end and targets == -100 are ignored)
# Pooling "last" is each direction's final hidden state (forward at len-1, reverse at t=0), i.e.
# cat(h_n[-2], h_n[-1]) for two directions; "mean" and "max" run over the valid steps only.
# ---------------------------------------------------------------------------------------------

IGNORE = -100


class TinyModel(torch.nn.Module):
    def __init__(self, cell, vocab, emb, hidden, layers, bi, outputs):
        super().__init__()
        self.embedding = torch.nn.Embedding(vocab, emb, padding_idx=0)
        self.rnn = CELLS[cell](emb, hidden, layers, bi)
        self.fc = torch.nn.Linear(hidden * (2 if bi else 1), outputs)
        self.bi = bi

    def encode(self, tokens, lengths):
        e = self.embedding(tokens)  # [T, B, E]
        packed = pack_padded_sequence(e, lengths, enforce_sorted=False)
        out, final = self.rnn(packed)
        out, _ = pad_packed_sequence(out, total_length=tokens.shape[0])  # zeros at padded steps
        h_n = final[0] if isinstance(final, tuple) else final
        return out, h_n

    def pooled(self, tokens, lengths, pool):
        out, h_n = self.encode(tokens, lengths)
        if pool == "last":
            return torch.cat([h_n[-2], h_n[-1]], dim=1) if self.bi else h_n[-1]
        T = tokens.shape[0]
        valid = (torch.arange(T).unsqueeze(1) < lengths.unsqueeze(0)).unsqueeze(2)  # [T, B, 1]
        if pool == "mean":
            return (out * valid).sum(0) / lengths.unsqueeze(1).to(out.dtype)
        return out.masked_fill(~valid, float("-inf")).max(0).values  # max


def model_case(name, kind, cell, layers, bi, pool, outputs, lens, seed):
    V, E, H = 12, 4, 3
    T, B = max(lens) + 1, len(lens)  # one step of padding after the longest sequence
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = TinyModel(cell, V, E, H, layers, bi, outputs)
    params32 = {n: p.detach().clone() for n, p in model.named_parameters()}
    tokens = torch.randint(1, V, (T, B), generator=g)
    lengths = torch.tensor(lens)
    for b, n in enumerate(lens):
        tokens[n:, b] = 0  # padding index beyond each sequence's end
    model = model.double()
    tensors = dict(params32)
    if kind == "classifier":
        logits = model.fc(model.pooled(tokens, lengths, pool))
        if outputs == 1:
            labels = torch.randint(0, 2, (B,), generator=g)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits.squeeze(1), labels.double())
        else:
            labels = torch.randint(0, outputs, (B,), generator=g)
            loss = torch.nn.functional.cross_entropy(logits, labels)
        tensors["labels"] = labels.float()
    else:
        out, _ = model.encode(tokens, lengths)
        logits = model.fc(out)  # [T, B, outputs]
        targets = torch.randint(0, outputs, (T, B), generator=g)
        targets[torch.rand(T, B, generator=g) < 0.2] = IGNORE  # some explicit ignores
        valid = torch.arange(T).unsqueeze(1) < lengths.unsqueeze(0)
        targets[~valid] = IGNORE
        loss = torch.nn.functional.cross_entropy(logits.reshape(T * B, outputs), targets.reshape(T * B),
                                                 ignore_index=IGNORE)
        tensors["targets"] = targets.float()
    names = [n for n, _ in model.named_parameters()]
    grads = torch.autograd.grad(loss, list(model.parameters()))
    tensors["tokens"] = tokens.float()
    tensors["logits"] = logits
    tensors["loss"] = loss.reshape(1)
    for n, gr in zip(names, grads):
        tensors["grad." + n] = gr
    meta = {
        "kind": kind, "case": name, "cell": cell, "vocab_size": V, "embedding_dim": E, "padding_idx": 0,
        "input_size": E, "hidden_size": H, "num_layers": layers, "bidirectional": str(bi).lower(),
        "pooling": pool, "outputs": outputs, "seq_len": T, "batch": B, "lengths": ",".join(map(str, lens)),
        "ignore_index": IGNORE,
        "loss": ("bce_with_logits_mean" if outputs == 1 else "cross_entropy_mean") if kind == "classifier"
        else "cross_entropy_mean_over_valid_targets",
        "seed": seed, "torch": torch.__version__,
    }
    return name, tensors, meta


MODEL_CASES = [
    # name, kind, cell, layers, bidirectional, pooling, outputs, lengths
    ("classifier_lstm_last_bce", "classifier", "lstm", 1, False, "last", 1, [6, 3, 5, 1]),
    ("classifier_gru_bidir_stacked_mean_ce", "classifier", "gru", 2, True, "mean", 3, [4, 2, 5]),
    ("classifier_rnn_tanh_bidir_max_bce", "classifier", "rnn_tanh", 1, True, "max", 1, [3, 5, 2, 4]),
    ("classifier_lstm_bidir_last_ce", "classifier", "lstm", 1, True, "last", 4, [5, 1, 3]),
    ("labeler_lstm_bidir", "labeler", "lstm", 1, True, "last", 4, [5, 2, 4]),
    ("labeler_gru_stacked", "labeler", "gru", 2, False, "last", 3, [3, 6, 1, 4]),
]


# ---------------------------------------------------------------------------------------------
# Training-step cases: the benchmark's whole step, three times in a row, on a small classifier:
#   zero_grad -> loss -> backward -> clip (clip_grad_norm_ or clip_grad_value_) -> optimizer.step()
# with Adam, AdamW or SGD (momentum, weight decay). Stored: the initial parameters, the three
# batches (tokens.k, labels.k; lengths in metadata lengths.k), each step's loss.k and gradient norm
# before clipping norm.k, and the parameters after the last step (after.<name>).
# Adam's first steps divide a gradient by its own magnitude, so a gradient that is nearly zero
# (|g| < 1e-5, a sum that cancels) would turn float32 rounding into an O(lr) difference; the
# generator skips seeds whose gradients come that close to zero (exact zeros are fine).
# ---------------------------------------------------------------------------------------------

TRAIN_CASES = [
    # name, cell, layers, bi, pool, outputs, optimizer, hyper-parameters, clip kind, clip value
    ("train_lstm_adam_clipnorm", "lstm", 1, False, "last", 1, "adam",
     dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0), "norm", 0.5),
    ("train_gru_bidir_adamw_clipnorm", "gru", 1, True, "mean", 3, "adamw",
     dict(lr=0.01, betas=(0.8, 0.99), eps=1e-8, weight_decay=0.05), "norm", 0.3),
    ("train_rnn_tanh_sgd_momentum_clipvalue", "rnn_tanh", 2, False, "max", 1, "sgd",
     dict(lr=0.1, momentum=0.9, weight_decay=0.01, nesterov=False), "value", 0.05),
    ("train_lstm_sgd_nesterov_clipnorm", "lstm", 1, True, "last", 2, "sgd",
     dict(lr=0.1, momentum=0.8, weight_decay=0.0, nesterov=True), "norm", 1.0),
]


def train_case(name, cell, layers, bi, pool, outputs, opt_name, hp, clip_kind, clip, seed):
    V, E, H, B, STEPS = 10, 3, 3, 3, 3
    for attempt in range(100):
        g = torch.Generator().manual_seed(seed + 1000 * attempt)
        torch.manual_seed(seed + 1000 * attempt)
        model = TinyModel(cell, V, E, H, layers, bi, outputs)
        params32 = {n: p.detach().clone() for n, p in model.named_parameters()}
        model = model.double()
        batches = []
        for k in range(STEPS):
            lens = torch.randint(1, 6, (B,), generator=g)
            T = int(lens.max())
            tokens = torch.randint(1, V, (T, B), generator=g)
            for b in range(B):
                tokens[lens[b]:, b] = 0
            labels = torch.randint(0, 2 if outputs == 1 else outputs, (B,), generator=g)
            batches.append((tokens, lens, labels))
        if opt_name == "adam":
            opt = torch.optim.Adam(model.parameters(), **hp)
        elif opt_name == "adamw":
            opt = torch.optim.AdamW(model.parameters(), **hp)
        else:
            opt = torch.optim.SGD(model.parameters(), **hp)
        losses, norms, near_zero = [], [], False
        for tokens, lens, labels in batches:
            opt.zero_grad()
            logits = model.fc(model.pooled(tokens, lens, pool))
            if outputs == 1:
                loss = torch.nn.functional.binary_cross_entropy_with_logits(logits.squeeze(1), labels.double())
            else:
                loss = torch.nn.functional.cross_entropy(logits, labels)
            loss.backward()
            for p in model.parameters():
                a = p.grad.abs()
                if ((a > 0) & (a < 1e-5)).any():
                    near_zero = True
            if clip_kind == "norm":
                norms.append(float(torch.nn.utils.clip_grad_norm_(model.parameters(), clip)))
            else:
                norms.append(float(torch.sqrt(sum((p.grad ** 2).sum() for p in model.parameters()))))
                torch.nn.utils.clip_grad_value_(model.parameters(), clip)
            opt.step()
            losses.append(float(loss))
        if not near_zero or opt_name == "sgd":
            break
    tensors = dict(params32)
    for n, p in model.named_parameters():
        tensors["after." + n] = p.detach()
    for k, (tokens, lens, labels) in enumerate(batches):
        tensors[f"tokens.{k}"] = tokens.float()
        tensors[f"labels.{k}"] = labels.float()
    tensors["loss"] = torch.tensor(losses)
    tensors["norm"] = torch.tensor(norms)
    meta = {
        "kind": "train", "case": name, "cell": cell, "vocab_size": V, "embedding_dim": E, "padding_idx": 0,
        "input_size": E, "hidden_size": H, "num_layers": layers, "bidirectional": str(bi).lower(),
        "pooling": pool, "outputs": outputs, "batch": B, "steps": STEPS,
        "optimizer": opt_name, "clip": clip_kind, "clip_value": clip,
        "seed": seed, "attempt": attempt, "torch": torch.__version__,
    }
    for key, v in hp.items():
        if key == "betas":
            meta["beta1"], meta["beta2"] = v
        else:
            meta[key] = str(v).lower() if isinstance(v, bool) else v
    for k, (_, lens, _) in enumerate(batches):
        meta[f"lengths.{k}"] = ",".join(str(int(n)) for n in lens)
    return name, tensors, meta


# ---------------------------------------------------------------------------------------------
# State-dict cases: the PyTorch module each Recur model kind corresponds to, with its submodules
# named as Recur names them, and that module's state_dict() as it is (names, shapes, values). The
# Java tests check that Recur writes exactly these names and shapes (so load_state_dict(strict=True)
# takes a Recur checkpoint as it is) and that these tensors load into Recur.
# ---------------------------------------------------------------------------------------------

class Composite(torch.nn.Module):
    """Submodules registered in the given order under the given names."""

    def __init__(self, parts):
        super().__init__()
        for name, module in parts:
            self.add_module(name, module)


# name, Recur kind, metadata describing the Recur model, the PyTorch submodules (built lazily after seeding)
STATE_DICT_CASES = [
    ("state_dict_classifier_binary", "classifier",
     {"cell": "lstm", "vocab_size": 12, "embedding_dim": 4, "hidden_size": 5, "num_layers": 2,
      "bidirectional": "true", "outputs": 1, "padding_idx": 0},
     lambda: [("embedding", torch.nn.Embedding(12, 4, padding_idx=0)),
              ("rnn", torch.nn.LSTM(4, 5, num_layers=2, bidirectional=True)),
              ("fc", torch.nn.Linear(10, 1))]),
    ("state_dict_classifier_classes", "classifier",
     {"cell": "gru", "vocab_size": 9, "embedding_dim": 3, "hidden_size": 4, "num_layers": 1,
      "bidirectional": "false", "outputs": 3, "padding_idx": 0},
     lambda: [("embedding", torch.nn.Embedding(9, 3, padding_idx=0)),
              ("rnn", torch.nn.GRU(3, 4)),
              ("fc", torch.nn.Linear(4, 3))]),
    ("state_dict_tagger", "tagger",
     {"cell": "lstm", "features": "word:20:6:0,shape:7:3:0,suffix:9:3:0", "hidden_size": 4, "num_layers": 1,
      "bidirectional": "true", "outputs": 5, "rnn_name": "lstm"},
     lambda: [("word", torch.nn.Embedding(20, 6, padding_idx=0)),
              ("shape", torch.nn.Embedding(7, 3, padding_idx=0)),
              ("suffix", torch.nn.Embedding(9, 3, padding_idx=0)),
              ("lstm", torch.nn.LSTM(12, 4, bidirectional=True)),
              ("fc", torch.nn.Linear(8, 5))]),
    ("state_dict_char_lm", "char_lm",
     {"cell": "gru", "vocab_size": 10, "embedding_dim": 4, "hidden_size": 6, "num_layers": 2},
     lambda: [("embedding", torch.nn.Embedding(10, 4)),
              ("gru", torch.nn.GRU(4, 6, num_layers=2)),
              ("fc", torch.nn.Linear(6, 10))]),
    ("state_dict_char_lm_rnn", "char_lm",
     {"cell": "rnn_tanh", "vocab_size": 7, "embedding_dim": 3, "hidden_size": 5, "num_layers": 1},
     lambda: [("embedding", torch.nn.Embedding(7, 3)),
              ("rnn", torch.nn.RNN(3, 5)),
              ("fc", torch.nn.Linear(5, 7))]),
]


def state_dict_case(name, kind, meta, parts, seed):
    torch.manual_seed(seed)
    model = Composite(parts())
    sd = model.state_dict()
    metadata = dict(meta, kind=kind, torch=torch.__version__, state_dict_order=",".join(sd.keys()))
    return name, dict(sd), metadata


# ---------------------------------------------------------------------------------------------
# Forecasting cases (kind=forecast): one of each of Recur's forecasters (layers/forecast), as the
# PyTorch modules their Javadoc shows, on a small batch of windows. Stored: the parameters under
# Recur's names, ``input`` [L, B, C_in] (time-major), ``target`` [H, B, C_out], the ``prediction``
# [H, B, C_out], the MSE ``loss`` [1] and ``grad.<name>`` of every parameter. SegRNN's sequences
# are channels of windows (sequence b*C + c), so its input is [L, S, 1] with S = B*C.
# ---------------------------------------------------------------------------------------------

class RevIN(torch.nn.Module):
    """The RevIN authors' module: statistics per window and channel over time, detached."""

    def __init__(self, channels, affine):
        super().__init__()
        self.affine = affine
        if affine:
            self.affine_weight = torch.nn.Parameter(torch.ones(channels))
            self.affine_bias = torch.nn.Parameter(torch.zeros(channels))

    def norm(self, x):  # x [T, B, C]
        self.mean = x.mean(0, keepdim=True).detach()
        self.std = torch.sqrt(x.var(0, keepdim=True, unbiased=False) + 1e-5).detach()
        x = (x - self.mean) / self.std
        return x * self.affine_weight + self.affine_bias if self.affine else x

    def denorm(self, y):
        if self.affine:
            y = (y - self.affine_bias) / (self.affine_weight + 1e-5 * 1e-5)
        return y * self.std + self.mean


class Direct(torch.nn.Module):
    def __init__(self, cell, cin, cout, H, hidden, layers, revin):
        super().__init__()
        self.H, self.cout, self.cell = H, cout, cell
        if revin:
            self.revin = RevIN(cin, True)
        setattr(self, cell, (torch.nn.LSTM if cell == "lstm" else torch.nn.GRU)(cin, hidden, layers))
        self.fc = torch.nn.Linear(hidden, H * cout)

    def forward(self, x, target):
        if hasattr(self, "revin"):
            x = self.revin.norm(x)
        out, _ = getattr(self, self.cell)(x)
        y = self.fc(out[-1]).view(-1, self.H, self.cout).permute(1, 0, 2)  # [H, B, C]
        return self.revin.denorm(y) if hasattr(self, "revin") else y


class EncoderDecoder(torch.nn.Module):
    def __init__(self, C, H, hidden, layers, revin, teacher):
        super().__init__()
        self.H, self.teacher = H, teacher
        self.revin = RevIN(C, False) if revin else None
        self.gru = torch.nn.GRU(C, hidden, layers)
        self.decoder = torch.nn.GRU(C, hidden, 1)
        self.fc = torch.nn.Linear(hidden, C)

    def forward(self, x, target):
        if self.revin is not None:
            x = self.revin.norm(x)
            truth = (target - self.revin.mean) / self.revin.std
        else:
            truth = target
        _, h = self.gru(x)
        s, inp, ys = h[-1:], x[-1], []
        for t in range(self.H):
            _, s = self.decoder(inp.unsqueeze(0), s)
            y = self.fc(s[0])
            ys.append(y)
            inp = truth[t] if self.teacher else y
        y = torch.stack(ys)
        return self.revin.denorm(y) if self.revin is not None else y


class SegRNN(torch.nn.Module):
    """The authors' Model (dec_way='pmf', channel_id=1, rnn_type='gru'), time-major I/O: revin=1
    (RevIN, ``last=False``) or revin=0 (``last=True``: subtract each sequence's last look-back value,
    detached, and add it back to the forecast, the authors' ``seq_last``)."""

    def __init__(self, C, L, H, w, d, last=False):
        super().__init__()
        self.last = last
        self.C, self.L, self.H, self.w, self.d = C, L, H, w, d
        self.n, self.m = L // w, H // w
        self.valueEmbedding = torch.nn.Sequential(torch.nn.Linear(w, d), torch.nn.ReLU())
        self.rnn = torch.nn.GRU(d, d, 1, batch_first=True)
        self.pos_emb = torch.nn.Parameter(torch.randn(self.m, d // 2))
        self.channel_emb = torch.nn.Parameter(torch.randn(C, d // 2))
        self.predict = torch.nn.Sequential(torch.nn.Dropout(0.0), torch.nn.Linear(d, w))
        self.revinLayer = RevIN(1, False)

    def forward(self, x, target):  # x [L, S, 1] with S = B*C, sequence b*C + c
        S = x.shape[1]
        B = S // self.C
        if self.last:
            seq_last = x[-1:, :, :].detach()
            x = x - seq_last
        else:
            x = self.revinLayer.norm(x)
        seqs = x[:, :, 0].t()  # [S, L], the reference's x.permute(0, 2, 1).reshape(-1, L)
        e = self.valueEmbedding(seqs.reshape(-1, self.n, self.w))
        _, hn = self.rnn(e)
        pos = torch.cat([self.pos_emb.unsqueeze(0).repeat(self.C, 1, 1),
                         self.channel_emb.unsqueeze(1).repeat(1, self.m, 1)], dim=-1).view(-1, 1, self.d).repeat(B, 1, 1)
        _, hy = self.rnn(pos, hn.repeat(1, 1, self.m).view(1, -1, self.d))
        y = self.predict(hy).view(S, self.H)  # [S, H]
        y = y.t().unsqueeze(2)  # [H, S, 1]
        return y + seq_last if self.last else self.revinLayer.denorm(y)


# name, model factory (after seeding), L, H, B (sequences), C_in, C_out, metadata of the Recur configuration
FORECAST_CASES = [
    ("forecast_direct_lstm_revin", lambda: Direct("lstm", 3, 3, 4, 5, 2, True), 6, 4, 3, 3, 3,
     {"architecture": "direct", "cell": "lstm", "hidden": 5, "layers": 2, "revin": "true"}),
    ("forecast_encdec_free_revin", lambda: EncoderDecoder(2, 5, 4, 2, True, False), 6, 5, 3, 2, 2,
     {"architecture": "encoder_decoder", "cell": "gru", "hidden": 4, "layers": 2, "revin": "true", "teacher_forcing": 0}),
    ("forecast_encdec_teacher", lambda: EncoderDecoder(2, 4, 5, 1, False, True), 5, 4, 3, 2, 2,
     {"architecture": "encoder_decoder", "cell": "gru", "hidden": 5, "layers": 1, "revin": "false", "teacher_forcing": 1}),
    ("forecast_segrnn_revin", lambda: SegRNN(3, 8, 6, 2, 6), 8, 6, 6, 1, 1,
     {"architecture": "segment", "cell": "gru", "hidden": 6, "layers": 1, "revin": "true", "segment": 2, "channels": 3}),
    # appended (seeds go by position): SegRNN with the authors' own default normalisation, `--subtract-last`
    ("forecast_segrnn_last", lambda: SegRNN(3, 8, 6, 2, 6, last=True), 8, 6, 6, 1, 1,
     {"architecture": "segment", "cell": "gru", "hidden": 6, "layers": 1, "norm": "last", "segment": 2, "channels": 3}),
]


def forecast_case(name, make, L, H, B, cin, cout, meta, seed):
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = make()
    params32 = {n: p.detach().clone() for n, p in model.named_parameters()}
    x = torch.randn(L, B, cin, generator=g) * 2 + 1
    target = torch.randn(H, B, cout, generator=g) * 2 + 1
    model = model.double()
    model.train()
    y = model(x.double(), target.double())
    loss = torch.nn.functional.mse_loss(y, target.double())
    names = [n for n, _ in model.named_parameters()]
    grads = torch.autograd.grad(loss, list(model.parameters()))
    tensors = dict(params32)
    tensors["input"] = x
    tensors["target"] = target
    tensors["prediction"] = y
    tensors["loss"] = loss.reshape(1)
    for n, gr in zip(names, grads):
        tensors["grad." + n] = gr
    metadata = dict(meta, kind="forecast", case=name, lookback=L, horizon=H, batch=B, inputs=cin, outputs=cout,
                    loss="mse_mean", parameters=",".join(names), seed=seed, torch=torch.__version__)
    return name, tensors, metadata


def all_cases():
    for c, cell in enumerate(CELLS):
        for i, shape in enumerate(SHAPES):
            # seeds of the first six shapes are those of the first committed fixtures; later shapes
            # get their own range, so adding a shape never changes an existing fixture
            seed = 1001 + 6 * c + i if i < 6 else 1100 + 10 * c + i
            yield recurrent_case(cell, shape, seed)
    for i, case in enumerate(MODEL_CASES):
        yield model_case(*case, seed=2000 + i)
    for i, case in enumerate(TRAIN_CASES):
        yield train_case(*case, seed=3000 + i)
    for i, case in enumerate(STATE_DICT_CASES):
        yield state_dict_case(*case, seed=4000 + i)
    for i, case in enumerate(FORECAST_CASES):
        yield forecast_case(*case, seed=5000 + i)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT, help="folder for the .safetensors files (default: %(default)s)")
    ap.add_argument("--check", action="store_true", help="regenerate to a temp folder and compare with --out")
    args = ap.parse_args()
    torch.set_num_threads(1)
    if args.check:
        worst = 0.0
        with tempfile.TemporaryDirectory() as tmp:
            for name, tensors, meta in all_cases():
                write_safetensors(os.path.join(tmp, name + ".safetensors"), tensors, meta)
                old, _ = read_safetensors(os.path.join(args.out, name + ".safetensors"))
                new, _ = read_safetensors(os.path.join(tmp, name + ".safetensors"))
                if sorted(old) != sorted(new):
                    sys.exit(f"{name}: tensor names differ: {sorted(set(old) ^ set(new))}")
                for k in new:
                    worst = max(worst, (old[k] - new[k]).abs().max().item() if new[k].numel() else 0.0)
        print(f"largest difference from the committed fixtures: {worst:.3g}")
        sys.exit(0 if worst <= 1e-6 else 1)
    os.makedirs(args.out, exist_ok=True)
    for name, tensors, meta in all_cases():
        path = os.path.join(args.out, name + ".safetensors")
        write_safetensors(path, tensors, meta)
        print(f"{path}  ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
