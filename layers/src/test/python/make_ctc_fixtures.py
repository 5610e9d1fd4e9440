#!/usr/bin/python3
"""Writes the CTC parity fixtures (``ctc_*.safetensors``) that Recur's Java tests compare against.

Run with Debian's PyTorch 1.13 from the project root:

    /usr/bin/python3 layers/src/test/python/make_ctc_fixtures.py

Deterministic (fixed seeds); ``--out DIR`` writes elsewhere. The safetensors writer is the one of
``make_fixtures.py``. Everything is computed by PyTorch in float64 on float32-drawn inputs and stored
as float32 (integers too), as in ``make_fixtures.py``.

Loss fixtures (``kind=ctc_loss``, see LOSS_CASES): ``logits`` [T, B, C] (time-major), ``targets``
(the label sequences concatenated, torch's 1-D form), ``input_lengths`` [B], ``target_lengths`` [B],
``loss`` [1] = ``torch.nn.CTCLoss(blank, reduction, zero_infinity)(log_softmax(logits), ...)``,
``losses`` [B] (reduction ``none``) and ``grad.logits`` [T, B, C] = dloss/dlogits. Metadata:
``blank``, ``reduction``, ``zero_infinity``, ``seq_len``, ``batch``, ``classes``.

Model fixtures (``kind=ctc_model``, see MODEL_CASES): Recur's CTC acoustic model in miniature --
feature frames ``input`` [T, B, F] -> ``nn.LSTM``/``nn.GRU`` named ``rnn`` (bidirectional, packed
with enforce_sorted=False) -> ``nn.Linear`` named ``fc`` at every frame -> log_softmax -> CTCLoss
(blank 0, mean) -- with the parameters under their torch names (``rnn.weight_ih_l0_reverse``,
``fc.weight``, ...), ``logits`` [T, B, C], ``loss`` [1], ``grad.<name>`` for every parameter and
``grad.input``. Metadata as above plus ``cell``, ``input_size``, ``hidden_size``, ``num_layers``,
``bidirectional``, ``lengths``.
"""

import argparse
import os
import sys

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import DEFAULT_OUT, write_safetensors  # noqa: E402

# name, T, B, C, blank, input lengths, label sequences, reduction, zero_infinity, logit scale
LOSS_CASES = [
    ("ctc_loss_ragged_mean", 8, 3, 5, 0, [8, 6, 5], [[1, 2, 3], [4, 1], [2]], "mean", False, 1.5),
    ("ctc_loss_repeats_sum", 9, 3, 4, 0, [9, 7, 9], [[1, 1, 2, 2], [3, 3, 3], [1, 2, 1, 2]], "sum", False, 2.0),
    # exactly as many frames as the labels need: one path (or a few) only
    ("ctc_loss_barely_long_enough_mean", 5, 4, 5, 0, [5, 2, 3, 4], [[1, 1, 1], [2, 3], [4, 4], [1, 2, 2]], "mean", False, 1.0),
    ("ctc_loss_blank_last_empty_target_sum", 6, 3, 4, 3, [6, 4, 1], [[0, 1, 0], [], [2]], "sum", False, 1.5),
    # a long, confident input: log-space numerics
    ("ctc_loss_long_peaked_mean", 150, 2, 11, 0, [150, 97], [[1, 2, 3, 3, 4, 5, 6], [7, 7, 7, 8, 9, 10, 1]], "mean", False, 6.0),
    # the second sequence cannot fit (a repeat in 2 frames): zero_infinity drops it
    ("ctc_loss_zero_infinity_mean", 4, 2, 3, 0, [4, 2], [[1, 2], [1, 1]], "mean", True, 1.0),
]

# name, cell, layers, bidirectional, F, H, C, input lengths, label sequences
MODEL_CASES = [
    ("ctc_model_lstm_bidir", "lstm", 1, True, 4, 3, 4, [9, 5, 7], [[1, 2], [3, 3], [1, 2, 3]]),
    ("ctc_model_gru_stacked_bidir", "gru", 2, True, 3, 4, 5, [6, 8, 3, 7], [[4], [1, 1, 2], [2, 3], [4, 4, 1]]),
]


def loss_case(name, T, B, C, blank, input_lengths, labels, reduction, zero_inf, scale, seed):
    g = torch.Generator().manual_seed(seed)
    logits32 = (torch.rand(T, B, C, generator=g) * 2 - 1) * scale
    logits = logits32.double().requires_grad_(True)
    targets = torch.tensor([y for seq in labels for y in seq], dtype=torch.long)
    il = torch.tensor(input_lengths, dtype=torch.long)
    tl = torch.tensor([len(seq) for seq in labels], dtype=torch.long)
    lp = torch.log_softmax(logits, dim=2)
    loss = torch.nn.CTCLoss(blank=blank, reduction=reduction, zero_infinity=zero_inf)(lp, targets, il, tl)
    losses = torch.nn.CTCLoss(blank=blank, reduction="none", zero_infinity=zero_inf)(lp.detach(), targets, il, tl)
    (grad,) = torch.autograd.grad(loss, [logits])
    tensors = {
        "logits": logits32, "targets": targets.float(), "input_lengths": il.float(), "target_lengths": tl.float(),
        "loss": loss.detach().reshape(1).float(), "losses": losses.float(), "grad.logits": grad.float(),
    }
    meta = {"kind": "ctc_loss", "case": name, "blank": blank, "reduction": reduction,
            "zero_infinity": str(zero_inf).lower(), "seq_len": T, "batch": B, "classes": C,
            "seed": seed, "torch": torch.__version__}
    return name, tensors, meta


class TinyAcousticModel(torch.nn.Module):
    def __init__(self, cell, F, H, L, bi, C):
        super().__init__()
        kind = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell]
        self.rnn = kind(F, H, num_layers=L, bidirectional=bi)
        self.fc = torch.nn.Linear(H * (2 if bi else 1), C)

    def forward(self, x, lengths):
        packed = pack_padded_sequence(x, lengths, enforce_sorted=False)
        out, _ = self.rnn(packed)
        out, _ = pad_packed_sequence(out, total_length=x.shape[0])
        return self.fc(out)


def model_case(name, cell, L, bi, F, H, C, input_lengths, labels, seed):
    T, B = max(input_lengths) + 1, len(input_lengths)   # one frame of padding after the longest
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = TinyAcousticModel(cell, F, H, L, bi, C)
    params32 = {n: p.detach().clone() for n, p in model.named_parameters()}
    x32 = torch.randn(T, B, F, generator=g)
    for b, n in enumerate(input_lengths):
        x32[n:, b] = 0
    model = model.double()
    x = x32.double().requires_grad_(True)
    il = torch.tensor(input_lengths, dtype=torch.long)
    targets = torch.tensor([y for seq in labels for y in seq], dtype=torch.long)
    tl = torch.tensor([len(seq) for seq in labels], dtype=torch.long)
    logits = model(x, il)
    loss = torch.nn.CTCLoss(blank=0, reduction="mean")(torch.log_softmax(logits, dim=2), targets, il, tl)
    names = [n for n, _ in model.named_parameters()]
    grads = torch.autograd.grad(loss, list(model.parameters()) + [x])
    tensors = dict(params32)
    tensors.update({"input": x32, "targets": targets.float(), "input_lengths": il.float(), "target_lengths": tl.float(),
                    "logits": logits.detach().float(), "loss": loss.detach().reshape(1).float()})
    for n, gr in zip(names, grads[:-1]):
        tensors["grad." + n] = gr.float()
    tensors["grad.input"] = grads[-1].float()
    meta = {"kind": "ctc_model", "case": name, "cell": cell, "input_size": F, "hidden_size": H, "num_layers": L,
            "bidirectional": str(bi).lower(), "classes": C, "blank": 0, "reduction": "mean", "seq_len": T, "batch": B,
            "lengths": ",".join(map(str, input_lengths)), "seed": seed, "torch": torch.__version__}
    return name, tensors, meta


def all_cases():
    for i, case in enumerate(LOSS_CASES):
        yield loss_case(*case, seed=5000 + i)
    for i, case in enumerate(MODEL_CASES):
        yield model_case(*case, seed=5100 + i)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT, help="folder for the .safetensors files (default: %(default)s)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    for name, tensors, meta in all_cases():
        path = os.path.join(args.out, name + ".safetensors")
        write_safetensors(path, {k: v.contiguous() for k, v in tensors.items()}, meta)
        print(f"{path}  ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
