#!/usr/bin/env bash
# PyTorch 1.13 peer benchmark for Recur's training-step benchmark (issue 3).
# Installs Debian's python3-torch when it is missing, then runs jmh/pytorch/bench_pytorch.py with
# the arguments given (see --help). Run it on a quiet machine; it writes jmh/target/bench-pytorch.json.
#   jmh/bench-pytorch.sh            # full run: LSTM/GRU/RNN, H=128/256, 1 and 2 threads, flush on/off
#   jmh/bench-pytorch.sh --smoke    # a few seconds: checks that everything works
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
py=/usr/bin/python3   # Debian's python, which is where python3-torch installs (not a pyenv python)
if ! "$py" -c 'import torch' >/dev/null 2>&1; then
    echo "bench-pytorch: installing Debian's python3-torch (a few minutes) ..." >&2
    if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
    $sudo apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q python3-torch >&2
fi
exec "$py" "$here/pytorch/bench_pytorch.py" "$@"
