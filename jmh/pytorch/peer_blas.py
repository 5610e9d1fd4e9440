"""Imported by every PyTorch peer before torch: the BLAS it runs on gets this CPU's kernels.

Debian's torch 1.13 does its GEMMs in the system OpenBLAS (0.3.21), which does not know the
newer AVX-512 CPUs here (Intel Sapphire and Emerald Rapids, AMD Zen 5) and falls back to its SSE3
"Prescott" kernels: measured 3.3x slower on SegRNN. OpenBLAS reads OPENBLAS_CORETYPE when torch
loads it, so it is set here, as jmh/bench-gemm.sh sets it for the GEMM comparison. A value given by
the caller is kept.
"""

import os

if "OPENBLAS_CORETYPE" not in os.environ:
    try:
        with open("/proc/cpuinfo") as f:
            if " avx512f " in f.read():
                os.environ["OPENBLAS_CORETYPE"] = "SkylakeX"
    except OSError:
        pass

CORETYPE = os.environ.get("OPENBLAS_CORETYPE", "auto")
