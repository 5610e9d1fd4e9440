#!/usr/bin/env python3
"""Fit tanh(x) ≈ x·P(x²)/Q(x²) on [0, X] with Q(0) = 1, as used by SimdMath.tanh.

Sanathanan–Koerner iterations (linearised least squares, reweighted by the previous Q) with Lawson
weights that push towards a minimax absolute error; near 0 the fit works on tanh(x)/x so that the
relative error stays small for tiny x. Prints the float32 coefficients (lowest power first) and
the error of a float32 Horner evaluation, clamped at ±X, against numpy's double tanh.

    python3 docs/fit_tanh.py 9 4 4      # X = 9, P and Q of degree 4 in x² (the shipped fit)
"""
import sys

import numpy as np

X = float(sys.argv[1]) if len(sys.argv) > 1 else 9.0
dp = int(sys.argv[2]) if len(sys.argv) > 2 else 4
dq = int(sys.argv[3]) if len(sys.argv) > 3 else 4

x = np.concatenate([np.linspace(0, X, 20001)[1:], np.geomspace(1e-6, 1e-2, 200)])
t = np.tanh(x)
s = x * x
w = np.ones_like(x)
qprev = np.ones_like(x)
best = None
for _ in range(400):
    # unknowns p0..p_dp, q1..q_dq:  P(s) − (t/x)·(1 + Σ q_k s^k) ≈ 0
    A = np.hstack([np.stack([s**k for k in range(dp + 1)], 1),
                   -np.stack([(t / x) * s**k for k in range(1, dq + 1)], 1)])
    b = t / x
    W = np.sqrt(w) / np.abs(qprev)
    sol, *_ = np.linalg.lstsq(A * W[:, None], b * W, rcond=None)
    p = sol[:dp + 1]
    q = np.concatenate([[1.0], sol[dp + 1:]])
    P = sum(p[k] * s**k for k in range(dp + 1))
    Q = sum(q[k] * s**k for k in range(dq + 1))
    err = np.abs(x * P / Q - t)
    if best is None or err.max() < best[0]:
        best = (err.max(), p.copy(), q.copy())
    qprev = Q
    w = w * (err / err.max() + 1e-3)
    w /= w.sum()

m, p, q = best
print("max abs error of the fit in double:", m)
pf, qf = p.astype(np.float32), q.astype(np.float32)


def horner(c, s):
    r = np.float32(c[-1])
    for k in range(len(c) - 2, -1, -1):
        r = (r * s + c[k]).astype(np.float32)
    return r


xf = np.linspace(-20, 20, 400001).astype(np.float32)
c = np.clip(xf, -X, X).astype(np.float32)
sf = (c * c).astype(np.float32)
yf = np.clip(c * horner(pf, sf) / horner(qf, sf), -1, 1).astype(np.float32)
print("float32 evaluation, max abs error on [-20, 20]:",
      np.abs(yf.astype(np.float64) - np.tanh(xf.astype(np.float64))).max())
small = np.geomspace(1e-30, 1e-1, 2000).astype(np.float32)
ss = (small * small).astype(np.float32)
ys = (small * horner(pf, ss) / horner(qf, ss)).astype(np.float32)
exact = np.tanh(small.astype(np.float64))
print("float32 evaluation, max relative error on [1e-30, 0.1]:", (np.abs(ys - exact) / exact).max())
print("P:", ", ".join(repr(float(v)) + "f" for v in pf))
print("Q:", ", ".join(repr(float(v)) + "f" for v in qf))
